"""The view of `http.py`: a FastAPI router factory per service and `create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from svcgen import model as m
from svcgen.emit.python import layout
from svcgen.emit.python.pytypes import Imports, TypeNamer
from svcgen.emit.python.service_view import connection_type, room_name, scheme_const
from svcgen.emit.python.values import constraints, expression, is_factory
from svcgen.emit.render import pystr
from svcgen.naming import (
    auth_responses,
    body_param,
    header_name,
    py_attr,
    py_class,
    py_package,
    summary_line,
    verifier_name,
)


@dataclass(frozen=True)
class RouteView:
    decorator: str
    signature: str
    body: tuple[str, ...]
    prelude: tuple[str, ...] = ()  # lines before the decorator (the route's auth guard)


@dataclass(frozen=True)
class RouterView:
    service: str  # the service class
    function: str  # the router factory
    param: str  # create_app's parameter for this service
    routes: tuple[RouteView, ...]

    @property
    def registration(self) -> str:
        """create_app's call that puts these routes on the app's own router."""
        return layout.call(f"{self.function}(", [self.param, "app.router"], ")", indent=4)

    @property
    def signature(self) -> str:
        args = [f"impl: {self.service}", "router: APIRouter | None = None"]
        return layout.call(f"def {self.function}(", args, ") -> APIRouter:")


@dataclass(frozen=True)
class HttpModule:
    package: str
    imports: str
    routers: tuple[RouterView, ...]
    title: str
    description: str

    @property
    def create_app_signature(self) -> str:
        args = [f"{r.param}: {r.service}" for r in self.routers]
        return layout.call("def create_app(", args, ") -> FastAPI:")

    @property
    def service_list(self) -> str:
        return layout.call("services = [", [r.param for r in self.routers], "]", indent=4)


def _summary(doc: str | None) -> tuple[str | None, str | None]:
    """The first sentence as the summary, the whole doc as the description."""
    if not doc or not doc.strip():
        return None, None
    return summary_line(doc), " ".join(doc.split())


def _param(p: m.Field, where: str, types: TypeNamer) -> str:
    """`name: Annotated[T, Query(...)] = default` for a path, query or body parameter."""
    attr = py_attr(p.name)
    ann = types.annotation(p.type)
    types.imports.add("fastapi", where)
    args: list[str] = []
    default = ""
    if p.default is not None and is_factory(p.default):
        expr = expression(p.default, p.type, types)
        args.append("default_factory=" + {"[]": "list", "{}": "dict"}.get(expr, f"lambda: {expr}"))
    elif p.default is not None:
        default = " = " + expression(p.default, p.type, types)
    elif p.type.optional:
        default = " = None"
    if where == "Header":
        args.append(f"alias={pystr(header_name(p) or p.name)}")
    elif attr != p.name:
        args.append(f"alias={pystr(p.name)}")
    if where != "Body":
        args.extend(a if not a.startswith("deprecated=") else "deprecated=True" for a in constraints(p, types))
    return f"{attr}: Annotated[{ann}, {where}({', '.join(args)})]{default}"


def _responses(
    throws: tuple[m.TypeRef, ...], types: TypeNamer, has_body: bool, auth: tuple[tuple[int, str], ...]
) -> str | None:
    lines = []
    if has_body:  # a body that is not JSON at all: 400 (svcgen_runtime.http turns FastAPI's 422 json_invalid into it)
        lines.append('            400: {"description": "The request body is not valid JSON."},')
    lines += [f'            {status}: {{"description": {pystr(text)}}},' for status, text in auth]
    for ref in throws:
        if ref.target is None:
            continue
        err = types.model.type(ref.target)
        assert isinstance(err, m.Error)
        body = types.decl_name(ref.target)
        desc = " ".join((err.doc or err.name).split())
        entry = layout.call(f"{err.status}: {{", [f'"model": {body}', f'"description": {pystr(desc)}'], "},", 12)
        lines.append(entry)
    if not lines:
        return None
    return "responses={\n" + "\n".join(lines) + "\n        }"


def _decorator(method: str, args: list[str]) -> str:
    lines = "\n".join(f"        {a}," for a in args)
    return f"    @router.{method}(\n{lines}\n    )"


def _guard(svc: m.Service, x: m.Endpoint | m.Socket, types: TypeNamer) -> tuple[str, str, str] | None:
    """(scheme constant, verifier, scopes tuple) of a member that requires authentication."""
    req = svc.requirement(x)
    scheme = types.model.auth_scheme(req)
    if req is None or scheme is None:
        return None
    const = scheme_const(scheme.name)
    module = ".service" if scheme.package == svc.package else f"..{py_package(scheme.package)}.service"
    types.imports.add(module, const)
    scopes = "(" + ", ".join(pystr(s) for s in req.scope_names) + ("," if len(req.scopes) == 1 else "") + ")"
    return const, f"impl.{verifier_name(scheme.name)}", scopes


def _claims_type(types: TypeNamer, svc: m.Service, x: m.Endpoint | m.Socket) -> str:
    req = svc.requirement(x)
    scheme = types.model.auth_scheme(req)
    assert scheme is not None
    return types.annotation(scheme.claims)


def _endpoint(svc: m.Service, x: m.Endpoint, types: TypeNamer) -> RouteView:
    status = x.status or (200 if x.returns is not None else 204)
    body = body_param(x)
    in_path = set(x.path_param_names)
    params = []
    for p in x.params:
        where = "Path" if p.name in in_path else ("Body" if p is body else "Header" if header_name(p) else "Query")
        params.append(_param(p, where, types))
    guard = _guard(svc, x, types)
    prelude: tuple[str, ...] = ()
    if guard is not None:
        # the check is a parameter of the route: FastAPI runs it before validating the others
        types.imports.add("fastapi", "Security")
        const, verifier, scopes = guard
        listed = "[" + scopes[1:-1].rstrip(",") + "]"
        claims = _claims_type(types, svc, x)
        security = f"{const}.guard({verifier})" + (f", scopes={listed}" if listed != "[]" else "")
        guard_var = f"{py_attr(x.handler)}_guard"
        prelude = (layout.call(f"{guard_var} = Security(", [security], ")", 4),)
        params.append(f"svcgen_claims: {claims} = {guard_var}")
    returns = types.annotation(x.returns) if x.returns is not None else None
    summary, description = _summary(x.doc)
    args = [pystr(x.path)]
    if returns is not None:
        args.append(f"response_model={returns}")
    else:
        types.imports.add("fastapi", "Response")
        args.append("response_class=Response")
    args += [f"status_code={status}", f"operation_id={pystr(x.handler)}"]
    if summary:
        args.append(f"summary={pystr(summary)}")
    if description and description != summary:
        args.append(f"description={pystr(description)}")
    auth = auth_responses(types.model, svc, x)
    responses = _responses(x.throws, types, body is not None, auth)
    if responses:
        args.append(responses)
    name = py_attr(x.handler)
    call_args = [f"{py_attr(p.name)}={py_attr(p.name)}" for p in x.params]
    # One unit of work per request: what the handler publishes is sent when it returns, before
    # the response (a failed publish is a 500, never a silent loss), and nothing if it raises.
    unit_args = ["impl", pystr(x.handler)]
    unit = []
    if guard is not None:
        unit_args.append(f"claims=({guard[0]}, svcgen_claims)")
    unit.append(layout.call("async with impl.runtime.unit_of_work(", unit_args, "):", 8))
    if returns is not None:
        lines = [*unit, layout.call(f"return await impl.{name}(", call_args, ")", 12)]
    else:
        lines = [
            *unit,
            layout.call(f"await impl.{name}(", call_args, ")", 12),
            f"        return Response(status_code={status})",
        ]
    sig = _def(name, params, returns or "Response")
    return RouteView(_decorator(x.method.lower(), args), sig, tuple(lines), prelude)


def _def(name: str, params: list[str], returns: str) -> str:
    """Parameters keyword-only (so required may follow defaulted), exploded one per line."""
    if not params:
        return f"    async def {name}() -> {returns}:"
    inner = "\n".join(f"        {p}," for p in ["*", *params])
    return f"    async def {name}(\n{inner}\n    ) -> {returns}:"


def _socket(svc: m.Service, x: m.Socket, types: TypeNamer) -> RouteView:
    in_path = set(m.path_params(x.path))
    params = [_param(p, "Path" if p.name in in_path else "Query", types) for p in x.params]
    types.imports.add("fastapi", "WebSocket")
    types.imports.add("svcgen_runtime.sockets", "serve")
    types.imports.add("pydantic", "TypeAdapter")
    name = py_attr(x.handler)
    conn_type = connection_type(types, x)
    sends = f"TypeAdapter({types.annotation(x.sends)})" if x.sends else "None"
    receives = f"TypeAdapter({types.annotation(x.receives)})" if x.receives else "None"
    key = "(" + ", ".join(f"str({py_attr(p.name)})" for p in x.params) + ("," if len(x.params) == 1 else "") + ")"
    kwargs = "".join(f", {py_attr(p.name)}={py_attr(p.name)}" for p in x.params)
    sig = (
        "    async def "
        + name
        + "(\n"
        + "\n".join(f"        {p}," for p in ["websocket: WebSocket", *params])
        + "\n    ) -> None:"
    )
    lines = []
    guard = _guard(svc, x, types)
    if guard is not None:
        types.imports.add("svcgen_runtime.auth", "authenticate_socket")
        const, verifier, scopes = guard
        call = layout.call("svcgen_claims = await authenticate_socket(", ["websocket", const, verifier, scopes], ")", 8)
        lines += [call, "        if svcgen_claims is None:", "            return"]
    lines += [
        layout.call(f"connection: {conn_type} = Connection(", ["websocket", sends, receives], ")", 8),
        layout.call(
            "await serve(",
            [
                "websocket",
                "impl.runtime.hub",
                f"({pystr(room_name(svc, x))}, {key})",
                "connection",
                f"lambda c: impl.{name}(c{kwargs})",
            ],
            ")",
            8,
        ),
    ]
    return RouteView(f"    @router.websocket({pystr(x.path)})", sig, tuple(lines))


def module(model: m.Model, package: str, files: list[m.File]) -> HttpModule:
    imports = Imports()
    types = TypeNamer(model, package, imports, module="http")
    routers = []
    services = [s for f in files for s in f.services]
    for svc in services:
        routes: list[RouteView] = []
        for x in svc.members:
            if isinstance(x, m.Endpoint):
                routes.append(_endpoint(svc, x, types))
            elif isinstance(x, m.Socket):
                routes.append(_socket(svc, x, types))
        cls = py_class(svc.name)
        imports.add(".service", cls)
        param = "impl" if len(services) == 1 else py_attr(svc.name)
        routers.append(RouterView(cls, f"{py_attr(svc.name)}_router", param, tuple(routes)))
    imports.add("fastapi", "APIRouter")
    imports.add("fastapi", "FastAPI")
    if any("Annotated[" in r.signature for v in routers for r in v.routes):
        imports.add("typing", "Annotated")
    imports.add("svcgen_runtime.http", "install_error_handler")
    imports.add("svcgen_runtime.http", "lifespan")
    imports.add("svcgen_runtime.http", "wire_consumers")
    imports.add("..", "ApiError")
    title = services[0].name if len(services) == 1 else package
    description = " ".join((services[0].doc or "").split()) if len(services) == 1 else ""
    return HttpModule(package, imports.block(), tuple(routers), title, description)
