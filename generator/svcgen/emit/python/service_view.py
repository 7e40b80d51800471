"""The view of `service.py`: topic constants, socket rooms, and one abstract class per service."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from svcgen import model as m
from svcgen.emit.python import layout
from svcgen.emit.python.models_view import field_line
from svcgen.emit.python.pytypes import Imports, TypeNamer
from svcgen.emit.render import pystr
from svcgen.naming import py_attr, py_class, py_enum_member, py_package, verifier_name


def topic_const(name: str) -> str:
    """`task.created` -> TASK_CREATED."""
    return "_".join(py_enum_member(part).rstrip("_") for part in name.split("."))


def scheme_const(name: str) -> str:
    """`user` -> USER: the AuthScheme constant of an `auth` declaration."""
    return py_enum_member(name).rstrip("_")


def schemes_used(model: m.Model, svc: m.Service, members: Iterable[m.Member] | None = None) -> list[m.AuthScheme]:
    """The auth schemes `members` of `svc` (default: all of them) require, in order of first use."""
    out: list[m.AuthScheme] = []
    for x in svc.members if members is None else members:
        req = svc.requirement(x)
        scheme = model.auth_scheme(req)
        if scheme is not None and scheme not in out:
            out.append(scheme)
    return out


def room_name(svc: m.Service, sock: m.Socket) -> str:
    return f"{svc.package}.{svc.name}.{sock.handler}"


def queue_name(svc: m.Service, handler: str) -> str:
    return f"{svc.package}.{svc.name}.{handler}"


def seconds(ms: int) -> str:
    return str(ms // 1000) if ms % 1000 == 0 else repr(ms / 1000)


@dataclass(frozen=True)
class TopicView:
    const: str
    line: str
    doc: str


@dataclass(frozen=True)
class RoomView:
    cls: str
    attr: str
    doc: str
    signature: str
    key: str
    sends: str
    room: str


@dataclass(frozen=True)
class MethodView:
    signature: str
    doc: str


@dataclass(frozen=True)
class ParamsView:
    """The model of one RPC's parameters (the request body on the wire: an object by IDL name)."""

    cls: str
    doc: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ServiceView:
    name: str
    doc: str
    spec: str
    sockets_cls: str
    rooms: tuple[RoomView, ...]
    methods: tuple[MethodView, ...]
    params: tuple[ParamsView, ...] = ()
    verifiers: tuple[MethodView, ...] = ()


@dataclass(frozen=True)
class ServiceModule:
    package: str
    imports: str
    topics: tuple[TopicView, ...]
    services: tuple[ServiceView, ...]
    schemes: tuple[TopicView, ...] = ()


class Namer:
    """Type names and topic constants as seen from one package's service.py."""

    def __init__(self, model: m.Model, package: str, imports: Imports) -> None:
        self.model = model
        self.package = package
        self.imports = imports
        self.types = TypeNamer(model, package, imports, module="service")

    def topic(self, q: m.QualifiedName) -> str:
        const = topic_const(q.name)
        if q.package != self.package:
            self.imports.add(f"..{py_package(q.package)}.service", const)
        return const

    def params(self, params: tuple[m.Field, ...]) -> list[str]:
        return [f"{py_attr(p.name)}: {self.types.annotation(p.type)}" for p in params]

    def returns(self, ref: m.TypeRef | None) -> str:
        return "None" if ref is None else self.types.annotation(ref)

    def payload(self, topics: tuple[m.QualifiedName, ...]) -> str:
        """The type a consumer receives: the payload of every matched topic, de-duplicated."""
        seen: list[str] = []
        for q in topics:
            text = self.types.annotation(self.model.topic(q).type)
            if text not in seen:
                seen.append(text)
        return " | ".join(seen) if seen else "None"


def _signature(handler: str, params: list[str], returns: str) -> str:
    return layout.call(f"async def {py_attr(handler)}(", ["self", *params], f") -> {returns}:", 4)


def _doc(text: str | None, lines: list[str]) -> str:
    parts = [text.strip()] if text and text.strip() else []
    if lines:
        parts.append("\n".join(lines))
    return layout.docstring("\n\n".join(parts), 8) or '        """Handler."""'


def params_class(svc: m.Service, x: m.Rpc) -> str:
    """`TasksEstimateParams`: the model of the parameters of rpc `estimate` of `Tasks`."""
    return f"{py_class(svc.name)}{py_class(x.handler)}Params"


def error_classes(n: Namer, throws: tuple[m.TypeRef, ...]) -> list[str]:
    """The declared error classes (imported from their models module)."""
    out = []
    for ref in throws:
        if ref.target is None:
            continue
        name = py_class(n.model.type(ref.target).name)
        n.types.ref(ref.target.package, name)
        out.append(name)
    return out


def _params(n: Namer, svc: m.Service, x: m.Rpc) -> ParamsView:
    n.imports.add("..", "WireModel")
    doc = f"Parameters of the RPC `{x.handler}` of {svc.name}: its request body, an object by IDL name."
    return ParamsView(params_class(svc, x), layout.docstring(doc, 4), tuple(field_line(p, n.types) for p in x.params))


def _throws(n: Namer, throws: tuple[m.TypeRef, ...]) -> list[str]:
    out = []
    for ref in throws:
        if ref.target is None:
            continue
        err = n.model.type(ref.target)
        assert isinstance(err, m.Error)
        name = py_class(err.name)
        out.append(f"Raises {name} ({err.status}).")
    return out


def _member(n: Namer, svc: m.Service, x: m.Member, spec: list[str]) -> MethodView:
    """The abstract method of one member, and its line in the spec table."""
    if isinstance(x, m.Endpoint):
        status = x.status or (200 if x.returns is not None else 204)
        emits = [n.topic(t.target) for t in x.emits if t.target is not None]
        args = [pystr(x.handler), pystr(x.method), pystr(x.path), str(status)]
        if emits:
            args.append("emits=(" + ", ".join(emits) + ("," if len(emits) == 1 else "") + ")")
        spec.append(layout.call("EndpointSpec(", args, "),", 12))
        extra = [f"{x.method} {x.path} -> {status}.", *_throws(n, x.throws)]
        extra += [f"Emits {t.name}: `await self.publish({n.topic(t.target)}, ...)`." for t in x.emits if t.target]
        sig = _signature(x.handler, n.params(x.params), n.returns(x.returns))
        return MethodView(sig, _doc(x.doc, extra))
    if isinstance(x, m.Rpc):
        args = [pystr(x.handler), pystr(queue_name(svc, x.handler))]
        if x.timeout_ms is not None:
            args.append(f"timeout_s={seconds(x.timeout_ms)}")
        args.append(f"params={params_class(svc, x)}")
        if x.returns is not None:
            args.append(f"result={n.returns(x.returns)}")
        errors = error_classes(n, x.throws)
        if errors:
            args.append("errors=(" + ", ".join(errors) + ("," if len(errors) == 1 else "") + ")")
        req = svc.requirement(x)
        scheme = n.model.auth_scheme(req)
        if req is not None and scheme is not None:
            # the scheme's constant is defined in this module: schemes_used covers rpcs too
            args += [f"auth={scheme_const(scheme.name)}", f"verifier={pystr(verifier_name(scheme.name))}"]
            if req.scopes:
                args.append("scopes=" + _tuple([pystr(s) for s in req.scope_names]))
        spec.append(layout.call("RpcSpec(", args, "),", 12))
        extra = ["RPC" + (f", timeout {seconds(x.timeout_ms)} s." if x.timeout_ms else "."), *_throws(n, x.throws)]
        return MethodView(_signature(x.handler, n.params(x.params), n.returns(x.returns)), _doc(x.doc, extra))
    if isinstance(x, m.Consumer):
        consts = [n.topic(q) for q in x.topics]
        topics = "(" + ", ".join(consts) + ("," if len(consts) == 1 else "") + ")"
        args = [pystr(x.handler), pystr(x.pattern), pystr(queue_name(svc, x.handler)), topics]
        if x.retry is not None:
            args.append(f"retry={x.retry}")
        if x.backoff_min_ms is not None and x.backoff_max_ms is not None:
            args += [f"backoff_min_s={seconds(x.backoff_min_ms)}", f"backoff_max_s={seconds(x.backoff_max_ms)}"]
        spec.append(layout.call("ConsumerSpec(", args, "),", 12))
        extra = [f"Consumes {x.pattern}: {', '.join(q.name for q in x.topics) or 'no topic yet'}."]
        sig = _signature(x.handler, [f"message: {n.payload(x.topics)}"], "None")
        return MethodView(sig, _doc(x.doc, extra))
    if isinstance(x, m.Schedule):
        args = [pystr(x.handler)]
        args.append(f"cron={pystr(x.cron)}" if x.cron is not None else f"interval_s={seconds(x.interval_ms or 0)}")
        if x.overlap:
            args.append("overlap=True")
        spec.append(layout.call("ScheduleSpec(", args, "),", 12))
        when = f'cron "{x.cron}"' if x.cron is not None else f"every {seconds(x.interval_ms or 0)} s"
        extra = [f"Scheduled: {when}" + (", runs may overlap." if x.overlap else ", never overlapping.")]
        return MethodView(_signature(x.handler, [], "None"), _doc(x.doc, extra))
    assert isinstance(x, m.Socket)
    params = tuple(pystr(p.name) for p in x.params)
    args = [pystr(x.handler), pystr(x.path), pystr(room_name(svc, x))]
    if params:
        args.append("params=(" + ", ".join(params) + ("," if len(params) == 1 else "") + ")")
    spec.append(layout.call("SocketSpec(", args, "),", 12))
    conn = connection_param(x)
    sig = _signature(x.handler, [f"{conn}: {connection_type(n.types, x)}", *n.params(x.params)], "None")
    extra = [
        f"Socket {x.path}: called when a client connects (it has joined its room); read",
        f"`{conn}.receive()` for what it sends. Return to keep it connected to the room.",
    ]
    return MethodView(sig, _doc(x.doc, extra))


def _tuple(items: list[str]) -> str:
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def connection_param(x: m.Socket) -> str:
    names = {py_attr(p.name) for p in x.params}
    return "connection" if "connection" not in names else "connection_"


def connection_type(types: TypeNamer, x: m.Socket) -> str:
    sends = types.annotation(x.sends) if x.sends else "Never"
    receives = types.annotation(x.receives) if x.receives else "Never"
    if "Never" in (sends, receives):
        types.imports.add("typing", "Never")
    types.imports.add("svcgen_runtime.sockets", "Connection")
    return f"Connection[{sends}, {receives}]"


def room_class(svc: m.Service, x: m.Socket) -> str:
    return f"{py_class(svc.name)}{py_class(x.handler)}Room"


def _room(n: Namer, svc: m.Service, x: m.Socket) -> RoomView:
    sends = n.types.annotation(x.sends) if x.sends else "Never"
    if sends == "Never":
        n.imports.add("typing", "Never")
    params = n.params(x.params)
    key = "(" + ", ".join(f"str({py_attr(p.name)})" for p in x.params) + ("," if len(x.params) == 1 else "") + ")"
    sig = layout.call("async def send(", ["self", *params, f"message: {sends}"], ") -> int:", 4)
    per = ", ".join(f"`{p.name}`" for p in x.params)
    doc = f"Rooms of the socket `{x.handler}` ({x.path}): " + (f"one per {per}." if per else "one room.")
    return RoomView(
        room_class(svc, x), py_attr(x.handler), layout.docstring(doc, 4), sig, key, sends, room_name(svc, x)
    )


def _members(spec: list[str]) -> str:
    """The members tuple; a one-tuple's comma is not magic to black, so it joins when it fits."""
    if len(spec) == 1:
        one = f"        members=({spec[0].strip()}),\n"
        if len(one) <= layout.LINE + 1:
            return one
    return "        members=(\n" + "\n".join(spec) + "\n        ),\n" if spec else "        members=(),\n"


def module(model: m.Model, package: str, files: list[m.File]) -> ServiceModule:
    imports = Imports()
    n = Namer(model, package, imports)
    topics = []
    for t in (t for f in files for t in f.topics):
        const = topic_const(t.name)
        ann = n.types.annotation(t.type)
        line = layout.call(f"{const}: Topic[{ann}] = Topic(", [pystr(t.package), pystr(t.name), ann])
        topics.append(TopicView(const, line, layout.docstring(t.doc, 0)))
    if topics:
        imports.add("svcgen_runtime.spec", "Topic")
    services = []
    schemes: list[TopicView] = []
    for svc in (s for f in files for s in f.services):
        verifiers = []
        for scheme in schemes_used(model, svc):
            const = scheme_const(scheme.name)
            claims = n.types.annotation(scheme.claims)
            if not any(v.const == const for v in schemes):
                args = [pystr(scheme.package), pystr(scheme.name), pystr(scheme.kind), claims]
                if scheme.kind == "apikey":
                    args += [f"location={pystr(scheme.location or '')}", f"key={pystr(scheme.key or '')}"]
                line = layout.call(f"{const}: AuthScheme[{claims}] = AuthScheme(", args)
                schemes.append(TopicView(const, line, layout.docstring(scheme.doc, 0)))
                imports.add("svcgen_runtime.auth", "AuthScheme")
            how = {
                "bearer": "the token of `Authorization: Bearer ...`",
                "header": f"the value of header {scheme.key}",
                "query": f"the value of query parameter {scheme.key}",
            }[scheme.location or "bearer"]
            if scheme in schemes_used(model, svc, svc.rpcs):
                key = "authorization" if scheme.kind == "bearer" else (scheme.key or "").lower()
                how += f";\non an RPC, the AMQP header or gRPC metadata `{key}`"
            doc = (
                f"Verify a credential of auth scheme `{scheme.name}`: {how}.\n\n"
                "Return its claims; raise Unauthorized (svcgen_runtime.auth) or return None to\n"
                "answer 401. Required scopes are checked afterwards (403). Handlers read the\n"
                f"claims with `use_claims({const})`."
            )
            sig = _signature(verifier_name(scheme.name), ["token: str"], f"{claims} | None")
            verifiers.append(MethodView(sig, layout.docstring(doc, 8)))
        spec: list[str] = []
        methods = tuple(_member(n, svc, x, spec) for x in svc.members)
        rooms = tuple(_room(n, svc, x) for x in svc.sockets)
        params = tuple(_params(n, svc, x) for x in svc.members if isinstance(x, m.Rpc))
        kinds = {line.strip().split("(")[0] for line in spec}
        for kind in sorted(kinds):
            imports.add("svcgen_runtime.spec", kind)
        imports.add("svcgen_runtime.spec", "ServiceSpec")
        imports.add("svcgen_runtime.service", "ServiceBase")
        imports.add("abc")
        imports.add("typing", "ClassVar")
        if rooms:
            imports.add("svcgen_runtime.sockets", "Hub")
            imports.add("svcgen_runtime.sockets", "Room")
        spec_text = (
            "    spec: ClassVar[ServiceSpec] = ServiceSpec(\n"
            f"        package={pystr(svc.package)},\n"
            f"        name={pystr(svc.name)},\n" + _members(spec)
            # how `svcgen run http` finds the routes of a service instance: this function of http.py
            + f"        router={pystr(py_attr(svc.name) + '_router')},\n" + "    )"
        )
        services.append(
            ServiceView(
                py_class(svc.name),
                layout.docstring(svc.doc or f"The {svc.name} service.", 4),
                spec_text,
                f"{py_class(svc.name)}Sockets",
                rooms,
                methods,
                params,
                tuple(verifiers),
            )
        )
    return ServiceModule(package, imports.block(), tuple(topics), tuple(services), tuple(schemes))
