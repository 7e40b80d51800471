"""`asyncapi.yaml` (AsyncAPI 3.0) of one IDL package: its topics, what its services emit and consume, its sockets.

Names are the runtime's public RabbitMQ names (README, "Topology on RabbitMQ"): a topic is a channel
whose address is its routing key on the durable topic exchange named as its package; a consumer
receives from its durable queue `<package>.<Service>.<handler>`, a channel of its own bound to every
topic its pattern matches (listed in `x-svcgen-bindings`, other packages' exchanges included).
A socket is a WebSocket channel at its path: the server sends its `sends` type and receives its
`receives` type. Payloads are the JSON Schema of the wire format, as the Python models write it.
A socket that requires an `auth` scheme lists it as the `security` of its operations: the scheme
(an HTTP bearer token, an API key in its header or query parameter) or, for browsers that cannot
set headers, the same credential in the `token` query parameter; required scopes are in the
operation's description and `x-svcgen-scopes`.
"""

from __future__ import annotations

from typing import Any

from svcgen import model as m
from svcgen.emit.docs import yaml
from svcgen.emit.docs.schema import JSON, Namer, one_line, type_schema
from svcgen.emit.render import PY_HEADER

AMQP = "0.3.0"
WS = "0.1.0"


def queue_name(svc: m.Service, consumer: m.Consumer) -> str:
    return f"{svc.package}.{svc.name}.{consumer.handler}"


def _topic_channel_id(topic: m.QualifiedName, package: str) -> str:
    return topic.name if topic.package == package else f"{topic.package}__{topic.name}"


def _message_id(ref: m.TypeRef) -> str:
    return ref.target.name if ref.target is not None else str(ref).replace("<", "_").replace(">", "").replace(", ", "_")


class _Doc:
    def __init__(self, model: m.Model, package: str) -> None:
        self.model = model
        self.package = package
        self.namer = Namer(model, prefix="#/components/schemas/", asyncapi=True)
        self.channels: dict[str, JSON] = {}
        self.operations: dict[str, JSON] = {}
        self.messages: dict[str, JSON] = {}
        self.security: dict[str, JSON] = {}

    def message(self, ref: m.TypeRef) -> str:
        """The id of the component message carrying `ref` (one per payload type)."""
        key = _message_id(ref)
        if key not in self.messages:
            self.namer.use(ref, "output")
            msg: JSON = {"name": key, "contentType": "application/json"}
            decl = self.model.lookup(ref)
            doc = one_line(decl.doc) if decl is not None else None
            if doc:
                msg["summary"] = doc
            msg["payload"] = type_schema(ref, self.namer, "output")
            self.messages[key] = msg
        return key

    def topic_channel(self, name: m.QualifiedName) -> str:
        cid = _topic_channel_id(name, self.package)
        if cid not in self.channels:
            topic = self.model.topic(name)
            mid = self.message(topic.type)
            channel: JSON = {"address": topic.name, "title": f"{topic.package} {topic.name}"}
            doc = one_line(topic.doc)
            if doc:
                channel["description"] = doc
            channel["servers"] = [{"$ref": "#/servers/rabbitmq"}]
            channel["messages"] = {mid: {"$ref": f"#/components/messages/{mid}"}}
            channel["bindings"] = {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {"name": topic.package, "type": "topic", "durable": True, "autoDelete": False},
                    "bindingVersion": AMQP,
                }
            }
            self.channels[cid] = channel
        return cid

    def endpoint(self, svc: m.Service, x: m.Endpoint) -> None:
        for ref in x.emits:
            if ref.target is None:
                continue
            cid = self.topic_channel(ref.target)
            op: JSON = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{cid}"},
                "title": f"{svc.name}.{x.handler} emits {ref.target.name}",
                "summary": f"{x.method} {x.path} publishes {ref.target.name} after it succeeded.",
                "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": AMQP}},
                "x-svcgen-handler": x.handler,
            }
            self.operations[f"{svc.name}.{x.handler}.{ref.target.name}"] = op

    def consumer(self, svc: m.Service, c: m.Consumer) -> None:
        queue = queue_name(svc, c)
        messages: dict[str, JSON] = {}
        bindings = []
        for name in c.topics:
            topic = self.model.topic(name)
            mid = self.message(topic.type)
            messages[mid] = {"$ref": f"#/components/messages/{mid}"}
            bindings.append({"exchange": name.package, "routingKey": name.name})
        self.channels[queue] = {
            "address": queue,
            "title": f"queue of {svc.name}.{c.handler}",
            "description": f"Bound to every topic matching `{c.pattern}`"
            + ("." if bindings else "; no topic in scope matches it."),
            "servers": [{"$ref": "#/servers/rabbitmq"}],
            "messages": messages,
            "bindings": {
                "amqp": {
                    "is": "queue",
                    "queue": {"name": queue, "durable": True, "exclusive": False, "autoDelete": False},
                    "bindingVersion": AMQP,
                }
            },
            "x-svcgen-pattern": c.pattern,
            "x-svcgen-bindings": bindings,
        }
        op: JSON = {"action": "receive", "channel": {"$ref": f"#/channels/{queue}"}}
        op["title"] = f"{svc.name}.{c.handler}"
        doc = one_line(c.doc)
        if doc:
            op["summary"] = doc
        op["bindings"] = {"amqp": {"ack": True, "bindingVersion": AMQP}}
        retry: JSON = {"pattern": c.pattern, "retry": c.retry or 0, "deadLetterQueue": f"{queue}.dlq"}
        if c.backoff_min_ms is not None:
            retry["backoffMs"] = [c.backoff_min_ms, c.backoff_max_ms]
        op["x-svcgen-consumer"] = retry
        self.operations[f"{svc.name}.{c.handler}"] = op

    def socket(self, svc: m.Service, s: m.Socket) -> None:
        cid = f"{svc.name}.{s.handler}"
        messages: dict[str, JSON] = {}
        for ref in (s.sends, s.receives):
            if ref is not None:
                mid = self.message(ref)
                messages[mid] = {"$ref": f"#/components/messages/{mid}"}
        in_path = set(m.path_params(s.path))
        query: JSON = {"type": "object", "properties": {}}
        required = []
        for p in s.params:
            if p.name not in in_path:
                query["properties"][p.name] = type_schema(p.type, self.namer, "input")
                self.namer.use(p.type, "input")
                if p.required:
                    required.append(p.name)
        if required:
            query["required"] = required
        channel: JSON = {"address": s.path, "title": f"socket {svc.name}.{s.handler}"}
        doc = one_line(s.doc)
        if doc:
            channel["description"] = doc
        channel["servers"] = [{"$ref": "#/servers/http"}]
        channel["messages"] = messages
        if in_path:
            channel["parameters"] = {name: {"description": f"path parameter `{name}`"} for name in sorted(in_path)}
        channel["bindings"] = {"ws": {"method": "GET", "query": query, "bindingVersion": WS}}
        self.channels[cid] = channel
        guard = self.guard(svc, s)
        for action, ref in (("send", s.sends), ("receive", s.receives)):
            if ref is None:
                continue
            mid = _message_id(ref)
            op: JSON = {
                "action": action,
                "channel": {"$ref": f"#/channels/{cid}"},
                "title": f"{svc.name}.{s.handler} {action}s {mid}",
                "messages": [{"$ref": f"#/channels/{cid}/messages/{mid}"}],
            }
            self.operations[f"{cid}.{action}"] = op | guard

    def guard(self, svc: m.Service, s: m.Socket) -> JSON:
        """`security` (and the scopes) of a socket's operations; nothing for a public socket."""
        req = svc.requirement(s)
        scheme = self.model.auth_scheme(req)
        if req is None or scheme is None:
            return {}
        direct, by_query = scheme.name, f"{scheme.name}_token_query"
        if scheme.kind == "bearer":
            self.security[direct] = {"type": "http", "scheme": "bearer"}
        else:
            self.security[direct] = {"type": "httpApiKey", "name": scheme.key or "", "in": scheme.location or "header"}
        if scheme.doc:
            self.security[direct]["description"] = one_line(scheme.doc)
        self.security[by_query] = {
            "type": "httpApiKey",
            "name": "token",
            "in": "query",
            "description": f"The credential of '{scheme.name}' as the `token` query parameter (browsers).",
        }
        out: JSON = {"security": [{"$ref": f"#/components/securitySchemes/{name}"} for name in (direct, by_query)]}
        scopes = list(req.scope_names)
        if scopes:
            out["description"] = "Requires the scopes " + ", ".join(f"`{x}`" for x in scopes) + "."
            out["x-svcgen-scopes"] = scopes
        return out


def document(model: m.Model, package: str, files: list[m.File]) -> dict[str, Any] | None:
    """The document, or None when the package has neither topics nor services that use messaging."""
    doc = _Doc(model, package)
    services = [s for f in files for s in f.services]
    for f in files:
        for t in f.topics:
            doc.topic_channel(m.QualifiedName(t.package, t.name))
    for svc in services:
        for x in svc.members:
            if isinstance(x, m.Endpoint):
                doc.endpoint(svc, x)
            elif isinstance(x, m.Consumer):
                doc.consumer(svc, x)
            elif isinstance(x, m.Socket):
                doc.socket(svc, x)
    if not doc.channels:
        return None
    info: JSON = {"title": package, "version": "0.1.0"}
    described = [one_line(s.doc) for s in services if one_line(s.doc)]
    if described:
        info["description"] = " ".join(d for d in described if d)
    servers: JSON = {
        "rabbitmq": {
            "host": "localhost:5672",
            "protocol": "amqp",
            "protocolVersion": "0.9.1",
            "description": "The broker named by SVCGEN_AMQP_URL.",
        }
    }
    if any(svc.sockets for svc in services):
        servers["http"] = {
            "host": "localhost:8000",
            "protocol": "ws",
            "description": "`svcgen run http` at SVCGEN_HOST:SVCGEN_PORT.",
        }
    schemas = doc.namer.components()
    for name in list(schemas):
        schemas[name] = schemas[name] or {"description": "Any JSON value."}
    out: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": info,
        "defaultContentType": "application/json",
        "servers": servers,
        "channels": doc.channels,
        "operations": doc.operations,
        "components": {"messages": dict(sorted(doc.messages.items())), "schemas": schemas},
    }
    if doc.security:
        out["components"]["securitySchemes"] = dict(sorted(doc.security.items()))
    return out


def render(model: m.Model, package: str, files: list[m.File], source: str) -> str | None:
    data = document(model, package, files)
    if data is None:
        return None
    return PY_HEADER.format(source=source) + yaml.dump(data)
