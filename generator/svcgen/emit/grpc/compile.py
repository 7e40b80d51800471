"""Compile .proto texts into `_pb2.py` modules with grpcio-tools, in process, deterministically.

protoc writes absolute imports (`from acme_common import acme_common_pb2`); the output folder is
a package, so they become relative (`from ..acme_common import ...`). The result goes through
black (the output is black-clean like every generated file) and is marked for mypy and ruff to
skip: its classes are made at import time from the serialized descriptor.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from svcgen.emit.render import PY_HEADER

PB2_MARKERS = "# mypy: ignore-errors\n# ruff: noqa\n"


class ProtocError(RuntimeError):
    """protoc rejected a generated .proto: a generator bug, reported with protoc's exit code."""


def _grpc_tools() -> tuple[object, Path]:
    try:
        from grpc_tools import protoc
    except ImportError as exc:  # a dependency of svcgen; only a broken install lacks it
        raise ProtocError(
            f"the python-grpc target needs grpcio-tools ({exc}); reinstall svcgen, or build with "
            "--target python-server (and the others) to leave gRPC out"
        ) from None
    import grpc_tools

    return protoc, Path(grpc_tools.__file__).parent / "_proto"


def compile_protos(protos: dict[str, str], sources: dict[str, str]) -> dict[str, str]:
    """{proto path: text} -> {`<folder>/<folder>_pb2.py`: text}; `sources` names each proto's IDL source."""
    protoc, include = _grpc_tools()
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="svcgen-protoc-") as tmp:
        root = Path(tmp)
        for path, text in protos.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
        args = ["protoc", f"-I{root}", f"-I{include}", f"--python_out={root}", *sorted(protos)]
        code = protoc.main(args)  # type: ignore[attr-defined]
        if code != 0:
            raise ProtocError(f"protoc failed with exit code {code} on {', '.join(sorted(protos))}")
        for path in sorted(protos):
            rel = path.removesuffix(".proto") + "_pb2.py"
            text = (root / rel).read_text(encoding="utf-8")
            source = sources[path]
            out[rel] = _finish(text, source)
    return out


_ABSOLUTE = re.compile(r"^from ([A-Za-z_][A-Za-z0-9_]*) import ([A-Za-z0-9_]+_pb2) as ", re.MULTILINE)


def _finish(text: str, source: str) -> str:
    from svcgen.pyformat import _black

    text = _ABSOLUTE.sub(lambda mt: f"from ..{mt.group(1)} import {mt.group(2)} as ", text)
    text = text.replace("# -*- coding: utf-8 -*-\n", "", 1)
    return _black(PY_HEADER.format(source=source) + PB2_MARKERS + text)
