"""The view of `rpc.py`: one typed `<Service>RpcClient` per service that declares RPCs.

The client is part of the python-server target, not python-client: it takes its queues,
timeouts, parameter models and declared errors from the service's `spec` in `service.py`
and calls through `svcgen_runtime.rpc` channels (aio-pika, grpcio), while python-client
stays a plain httpx client that needs neither the runtime nor `service.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcgen import model as m
from svcgen.emit.python import layout
from svcgen.emit.python.pytypes import Imports
from svcgen.emit.python.service_view import Namer, params_class, schemes_used, seconds
from svcgen.emit.python.values import expression, is_factory
from svcgen.emit.render import pystr
from svcgen.naming import PY_RPC_CLIENT_RESERVED, py_attr, py_class, py_method


@dataclass(frozen=True)
class RpcMethodView:
    signature: str
    doc: str
    body: tuple[str, ...]


@dataclass(frozen=True)
class RpcClientView:
    cls: str
    binding: str
    doc: str
    methods: tuple[RpcMethodView, ...]


@dataclass(frozen=True)
class RpcModule:
    package: str
    imports: str
    clients: tuple[RpcClientView, ...]
    protected: bool = False  # some rpc requires an auth scheme: the clients take credentials


def _method(n: Namer, svc: m.Service, x: m.Rpc) -> RpcMethodView:
    names = {py_attr(p.name) for p in x.params}
    timeout = "timeout" if "timeout" not in names else "timeout_"
    params: list[str] = []
    values: list[str] = []
    for p in x.params:
        attr, ann = py_attr(p.name), n.types.annotation(p.type)
        if p.default is not None and is_factory(p.default):
            # a mutable default would be shared between calls: None stands for it
            params.append(f"{attr}: {ann} | None = None")
            values.append(f"{attr}={attr} if {attr} is not None else {expression(p.default, p.type, n.types)}")
        elif p.default is not None:
            params.append(f"{attr}: {ann} = {expression(p.default, p.type, n.types)}")
            values.append(f"{attr}={attr}")
        elif p.type.optional:
            params.append(f"{attr}: {ann} = None")
            values.append(f"{attr}={attr}")
        else:
            params.append(f"{attr}: {ann}")
            values.append(f"{attr}={attr}")
    params.append(f"{timeout}: float | None = None")
    returns = n.returns(x.returns)
    inner = "\n".join(f"        {p}," for p in ["self", "*", *params])
    sig = f"    async def {py_method(x.handler, PY_RPC_CLIENT_RESERVED)}(\n{inner}\n    ) -> {returns}:"
    deadline = (
        f"Deadline: {seconds(x.timeout_ms)} s (declared), or `{timeout}` seconds."
        if x.timeout_ms is not None
        else f"Deadline: `{timeout}` seconds, or the channel's default."
    )
    errors = [py_class(model_name) for model_name in _error_names(n, x.throws)]
    lines = [deadline] + ([f"Raises {', '.join(errors)} (declared, with its body)."] if errors else [])
    req = svc.requirement(x)
    scheme = n.model.auth_scheme(req)
    if req is not None and scheme is not None:
        lines.append(_requires(scheme, req.scope_names))
    doc_parts = [x.doc.strip() if x.doc and x.doc.strip() else f"Call the RPC `{x.handler}` of {svc.name}."]
    doc_parts.append("\n".join(lines))
    doc = layout.docstring("\n\n".join(doc_parts), 8)
    cls = params_class(svc, x)
    n.imports.add(".service", cls)
    body = [layout.call(f"params = {cls}(", values, ")", 8)]
    args = [pystr(x.handler), "params", timeout]
    if x.returns is None:
        body.append(layout.call("await self._call(", args, ")", 8))
    else:
        body.append(layout.call(f"result: {returns} = await self._call(", args, ")", 8))
        body.append("        return result")
    return RpcMethodView(sig, doc, tuple(body))


def _requires(scheme: m.AuthScheme, scopes: tuple[str, ...]) -> str:
    """The docstring line of an rpc that requires `scheme`."""
    sends = "`token`" if scheme.kind == "bearer" else "`api_key`"
    text = f"Requires `{scheme.name}` (sends {sends}): RpcUnauthorized when the server refuses it"
    if scopes:
        text += ",\nRpcForbidden unless its claims grant " + ", ".join(f"`{s}`" for s in scopes)
    return text + "."


def _credentials_doc(schemes: list[m.AuthScheme]) -> str:
    """How the client of a service with protected rpcs takes its credentials."""
    lines = ["Credentials are given once and sent only on the RPCs that require them:"]
    for scheme in schemes:
        if scheme.kind == "bearer":
            lines.append(f"`token=` for `{scheme.name}`, sent as `authorization: Bearer <token>`.")
        else:
            lines.append(f"`api_key=` for `{scheme.name}`, sent as `{(scheme.key or '').lower()}: <key>`.")
    if any(scheme.kind == "bearer" for scheme in schemes):
        lines.append("A `token` may be a callable (sync or async): called when first needed, and once")
        lines.append("more to refresh it when a call is refused as unauthorized (that call is retried once).")
    return "\n".join(lines)


def _error_names(n: Namer, throws: tuple[m.TypeRef, ...]) -> list[str]:
    return [n.model.type(ref.target).name for ref in throws if ref.target is not None]


def module(model: m.Model, package: str, files: list[m.File]) -> RpcModule | None:
    """None when no service of the package declares an RPC."""
    imports = Imports()
    n = Namer(model, package, imports)
    clients = []
    protected = False
    for svc in (s for f in files for s in f.services):
        rpcs = [x for x in svc.members if isinstance(x, m.Rpc)]
        if not rpcs:
            continue
        imports.add(".service", py_class(svc.name))
        methods = tuple(_method(n, svc, x) for x in rpcs)
        doc = (
            f"Typed RPC client of {svc.name}: `async with {py_class(svc.name)}RpcClient(url) as rpc: ...`.\n\n"
            "`url` picks the transport: `amqp://` or `amqps://` (RabbitMQ, served by the worker role),\n"
            "`grpc://host:port` (gRPC). Calls on one client may run concurrently."
        )
        schemes = schemes_used(model, svc, svc.rpcs)
        if schemes:
            protected = True
            doc += "\n\n" + _credentials_doc(schemes)
        cls = py_class(svc.name)
        binding = layout.call(
            "binding: ClassVar[ServiceBinding] = ServiceBinding(",
            [f"{cls}.spec", '__name__.rpartition(".")[0]'],
            ")",
            4,
        )
        clients.append(RpcClientView(f"{cls}RpcClient", binding, layout.docstring(doc, 4), methods))
    if not clients:
        return None
    imports.add("typing", "ClassVar")
    imports.add("svcgen_runtime.rpc", "ServiceBinding")
    imports.add("svcgen_runtime.rpc.client", "RpcClientBase")
    return RpcModule(package, imports.block(), tuple(clients), protected)
