"""The `typescript` target: types.ts, client.ts and sockets.ts per IDL package, and one runtime.ts.

Output is zero-dependency TypeScript that passes `tsc --strict` and runs in Node >= 18 and
browsers. Paths are relative to the TypeScript folder: `<package>/types.ts`, `runtime.ts`.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from svcgen import model as m
from svcgen.emit import Options, Output
from svcgen.emit.render import TS_HEADER, render
from svcgen.emit.typescript import views
from svcgen.emit.typescript.tstypes import Imports, type_name
from svcgen.naming import ts_module

TEMPLATES = "typescript"


# What generated modules take from runtime.ts; reserved so that no imported type shadows them.
CLIENT_RUNTIME = ("ApiError", "CallOptions", "ClientOptions", "HttpClient")
SOCKET_RUNTIME = ("SocketHandlers", "SocketOptions", "TypedSocket", "openSocket")


def _client_names(files: list[m.File]) -> set[str]:
    """Classes declared in a client.ts: one per error, one per service with endpoints."""
    names = {type_name(e.name) for f in files for e in f.errors}
    return names | {type_name(s.name) + "Client" for f in files for s in f.services if s.endpoints}


def _socket_names(files: list[m.File]) -> set[str]:
    return {type_name(s.name) + "Sockets" for f in files for s in f.services if s.sockets}


def _packages(model: m.Model) -> dict[str, list[m.File]]:
    """Files grouped by IDL package, in model order (dependencies first)."""
    grouped: dict[str, list[m.File]] = {}
    for f in model.files:
        grouped.setdefault(f.package, []).append(f)
    return grouped


def emit(model: m.Model, options: Options) -> Output:
    out: Output = {}
    needs_runtime = False
    for package, files in _packages(model).items():
        source = ", ".join(options.source_name(f.path) for f in files)
        header = TS_HEADER.format(source=source).rstrip("\n")
        folder = PurePosixPath(ts_module(package))

        decls, imports = views.types_view(model, package, files)
        if decls:
            out[folder / "types.ts"] = render(
                TEMPLATES, "types.ts.j2", header=header, imports=imports.lines(), decls=decls
            )

        imports = Imports(package, "client", local_names=set(CLIENT_RUNTIME) | _client_names(files))
        errors = views.errors_view(files, imports)
        clients = views.clients_view(model, files, imports)
        if errors or clients:
            for name in CLIENT_RUNTIME:
                if (name == "ApiError" and errors) or (name != "ApiError" and clients):
                    imports.runtime(name, type_only=name.endswith("Options"))
            out[folder / "client.ts"] = render(
                TEMPLATES, "client.ts.j2", header=header, imports=imports.lines(), errors=errors, clients=clients
            )
            needs_runtime = True

        imports = Imports(package, "sockets", local_names=set(SOCKET_RUNTIME) | _socket_names(files))
        sockets = views.sockets_view(model, files, imports)
        if sockets:
            for name in SOCKET_RUNTIME:
                imports.runtime(name, type_only=name != "openSocket")
            out[folder / "sockets.ts"] = render(
                TEMPLATES, "sockets.ts.j2", header=header, imports=imports.lines(), services=sockets
            )
            needs_runtime = True
    if needs_runtime:
        header = TS_HEADER.format(source=options.root_source(model)).rstrip("\n")
        out[PurePosixPath("runtime.ts")] = render(TEMPLATES, "runtime.ts.j2", header=header)
    return out
