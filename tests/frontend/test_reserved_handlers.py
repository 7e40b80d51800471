"""E504: the handler names the checker reserves are every attribute the generated service class
has besides its handlers, so no handler can silently override one."""

from __future__ import annotations

from pathlib import Path

import pytest
from svcgen.check.naming import SERVICE_CLASS_ATTRIBUTES
from svcgen.frontend import compile_file
from svcgen_runtime.service import ServiceBase


def test_the_reserved_names_cover_every_public_attribute_of_service_base() -> None:
    declared = set(dir(ServiceBase)) | set(ServiceBase.__annotations__)  # `spec` is only annotated
    public = {name for name in declared if not name.startswith("_")}
    assert public <= SERVICE_CLASS_ATTRIBUTES, sorted(public - SERVICE_CLASS_ATTRIBUTES)
    assert SERVICE_CLASS_ATTRIBUTES - public == {"sockets"}  # the generated class adds the socket rooms


@pytest.mark.parametrize("name", sorted(SERVICE_CLASS_ATTRIBUTES) + ["Publish", "spec_", "Sockets"])
def test_each_reserved_name_is_refused_as_a_handler(tmp_path: Path, name: str) -> None:
    source = tmp_path / "a.idl"
    source.write_text(f"package p;\nservice S {{\n  rpc {name}();\n  every 1m tick;\n}}\n")
    result = compile_file(source)
    assert [d.code for d in result.diagnostics] == ["E504"]
    assert result.model is None


@pytest.mark.parametrize("name", ["publisher", "get_spec", "run_time", "socket"])
def test_names_near_them_are_fine(tmp_path: Path, name: str) -> None:
    source = tmp_path / "a.idl"
    source.write_text(f"package p;\nservice S {{\n  rpc {name}();\n}}\n")
    assert not compile_file(source).diagnostics
