"""Target python-grpc: per IDL package with RPCs, `<pkg>.proto`, `<pkg>_pb2.py` and `grpc_service.py`.

Packages whose types those RPCs use get their `.proto` and `_pb2.py` too (a proto message lives
in the proto package of its IDL package). The `.proto` is compiled in process by grpcio-tools;
`grpc_service.py` holds the codec tables and one method table per service for the runtime
(`svcgen_runtime.rpc.grpc`), which serves them and calls them from `grpc://` clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from svcgen import model as m
from svcgen.emit import Options, Output
from svcgen.emit.grpc.compile import compile_protos
from svcgen.emit.grpc.proto import Protos, RpcShape, pb2_module, proto_path, protos
from svcgen.emit.python import layout
from svcgen.emit.python.packages import packages
from svcgen.emit.python.pytypes import Imports
from svcgen.emit.render import pystr, render
from svcgen.naming import py_attr, py_class, py_enum_member, py_package


@dataclass(frozen=True)
class ServiceView:
    name: str
    cls: str
    function: str
    full_name: str
    const: str
    methods: str


def _tuple(items: list[str]) -> str:
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _codec(tables: Protos) -> list[str]:
    lines = []
    enums = [f"{pystr(name)}: {_tuple([pystr(v) for v in values])}" for name, values in sorted(tables.enums.items())]
    lines.append(layout.call("enums={", enums, "},", 4) if enums else "    enums={},")
    lines.append("    unions=" + _tuple([pystr(u) for u in sorted(tables.unions)]) + ",")
    wrappers = [f"{pystr(k)}: {pystr(v)}" for k, v in sorted(tables.wrappers.items())]
    lines.append(layout.call("wrappers={", wrappers, "},", 4) if wrappers else "    wrappers={},")
    return lines


def _method(shape: RpcShape) -> str:
    args = [pystr(shape.handler), pystr(shape.method), pystr(shape.request), pystr(shape.response)]
    if shape.wrapped:
        args.append("wrapped=True")
    return layout.call("GrpcMethod(", args, "),", 4)


def emit(model: m.Model, options: Options) -> Output:
    sources = {pkg.name: ", ".join(options.source_name(f.path) for f in pkg.files) for pkg in packages(model, options)}
    tables = protos(model, sources)
    if not tables.files:
        return {}
    out: Output = {PurePosixPath(p.path): p.text for p in tables.files}
    compiled = compile_protos(
        {p.path: p.text for p in tables.files}, {p.path: sources[p.package] for p in tables.files}
    )
    out.update({PurePosixPath(path): text for path, text in compiled.items()})
    for pkg in packages(model, options):
        shapes = tables.rpcs.get(pkg.name)
        if not shapes:
            continue
        imports = Imports()
        imports.add("svcgen_runtime.rpc.grpc_codec", "Codec")
        imports.add("svcgen_runtime.rpc.grpc_codec", "GrpcMethod")
        imports.add("svcgen_runtime.rpc.grpc_codec", "GrpcService")
        imports.add(".", pb2_module(pkg.name))
        services = []
        for svc in pkg.services:
            mine = [s for s in shapes if s.service == f"{svc.package}.{svc.name}"]
            if not mine:
                continue
            cls = py_class(svc.name)
            imports.add(".service", cls)
            const = f"{py_enum_member(svc.name).rstrip('_')}_METHODS"
            head = f"{const}: tuple[GrpcMethod, ...] = ("
            body = "\n".join(_method(s) for s in mine)
            services.append(
                ServiceView(
                    svc.name, cls, f"{py_attr(svc.name)}_servicer", mine[0].service, const, f"{head}\n{body}\n)"
                )
            )
        registry = layout.call(
            "SERVICES: dict[str, tuple[GrpcMethod, ...]] = {", [f"{pystr(s.name)}: {s.const}" for s in services], "}"
        )
        text = render(
            "python",
            "grpc_service.py.j2",
            header=pkg.header,
            package=pkg.name,
            proto=PurePosixPath(proto_path(pkg.name)).name,
            pb2=pb2_module(pkg.name),
            imports=imports.block(),
            codec=_codec(tables),
            services=services,
            registry=registry,
        )
        out[PurePosixPath(py_package(pkg.name)) / "grpc_service.py"] = text
    return out
