"""The view client.py renders: per endpoint, its signature, its request and its decoding, as code lines.

Parameters follow the IDL: path parameters by name and the message-typed body come first,
positionally; query parameters are keyword-only (so their defaults may sit in any order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from svcgen import model as m
from svcgen.emit.pyclient.lines import Group, Node, statement
from svcgen.emit.python import layout
from svcgen.emit.python.pytypes import Imports, TypeNamer
from svcgen.emit.python.values import expression
from svcgen.emit.render import pystr
from svcgen.naming import (
    PY_HTTP_CLIENT_RESERVED,
    body_param,
    credential_note,
    header_name,
    py_attr,
    py_class,
    py_method,
    snake,
    with_note,
)


@dataclass(frozen=True)
class Method:
    name: str
    doc: str  # docstring block at method-body indent, or ''
    signature: Node  # Group "def name(" params ") -> T:" without async/def keyword prefix
    call: Node  # the self._send(...) call
    returns: str | None  # adapter constant, or None for no content

    def lines(self, sync: bool) -> str:
        """The method as source: async or blocking, otherwise identical."""
        head = statement(self.signature, 4, "def " if sync else "async def ")
        send = statement(self.call, 8, ("response = " if self.returns else "") + ("" if sync else "await "))
        body = [head]
        if self.doc:
            body.append(self.doc)
        body.append(send)
        if self.returns:
            body.append(f"        return {self.returns}.validate_json(response.content)")
        return "\n".join(body)


@dataclass(frozen=True)
class Service:
    name: str  # async client class
    sync_name: str
    doc: str
    sync_doc: str
    methods: tuple[Method, ...]


@dataclass(frozen=True)
class Adapter:
    name: str
    annotation: str


@dataclass(frozen=True)
class ClientModule:
    imports: str
    adapters: tuple[Adapter, ...]
    services: tuple[Service, ...]


def adapter_name(annotation: str) -> str:
    """`list[TaskPage]` -> `_LIST_TASK_PAGE`: a module constant named after the type it decodes."""
    return "_" + "_".join(snake(word) for word in re.findall(r"[A-Za-z0-9]+", annotation)).upper()


class _Builder:
    def __init__(self, model: m.Model, package: str) -> None:
        self.model = model
        self.imports = Imports()
        self.types = TypeNamer(model, package, self.imports, module="client")
        self.adapters: dict[str, str] = {}  # annotation -> constant name

    def adapter(self, ref: m.TypeRef) -> str:
        annotation = self.types.annotation(ref)
        if annotation not in self.adapters:
            name = adapter_name(annotation)
            while name in self.adapters.values():
                name += "_"
            self.adapters[annotation] = name
        return self.adapters[annotation]

    def method(self, service: m.Service, endpoint: m.Endpoint) -> Method:
        in_path = endpoint.path_param_names
        body = body_param(endpoint)
        by_name = {p.name: p for p in endpoint.params}
        positional = [by_name[n] for n in in_path if n in by_name] + ([body] if body is not None else [])
        keyword = [p for p in endpoint.params if p.name not in in_path and p is not body]

        params: list[str] = ["self"]
        params.extend(self._param(p) for p in positional)
        if keyword:
            params.append("*")
            params.extend(self._param(p) for p in keyword)
        returns = self.types.annotation(endpoint.returns) if endpoint.returns is not None else "None"
        signature = Group(f"{py_method(endpoint.handler, PY_HTTP_CLIENT_RESERVED)}(", tuple(params), f") -> {returns}:")

        args: list[Node] = [pystr(endpoint.method), self._path(endpoint)]
        query = [p for p in keyword if header_name(p) is None]
        if query:
            entries = tuple(f"{pystr(p.name)}: {py_attr(p.name)}" for p in query)
            args.append(Group("query={", entries, "}"))
        if body is not None:
            args.append(f"body={py_attr(body.name)}")
        errors = [self._error(ref) for ref in endpoint.throws if ref.target is not None]
        if errors:
            args.append(Group("errors=[", tuple(errors), "]"))
        headers = [(name, p) for p in keyword if (name := header_name(p)) is not None]
        if headers:
            entries = tuple(f"{pystr(name)}: {py_attr(p.name)}" for name, p in headers)
            args.append(Group("headers={", entries, "}"))
        credential = self._credential(service, endpoint)
        if credential is not None:
            args.append(credential)
        call = Group("self._send(", tuple(args), ")")

        adapter = self.adapter(endpoint.returns) if endpoint.returns is not None and endpoint.status != 204 else None
        return Method(
            py_method(endpoint.handler, PY_HTTP_CLIENT_RESERVED),
            layout.docstring(
                with_note(endpoint.doc, credential_note(self.model, service, endpoint, "token", "api_key")), 8
            ),
            signature,
            call,
            adapter,
        )

    def _credential(self, service: m.Service, endpoint: m.Endpoint) -> Node | None:
        """`credential=Credential("user", "bearer")`: what the call's auth scheme needs, or None when public."""
        req = service.requirement(endpoint)
        scheme = self.model.auth_scheme(req)
        if scheme is None:
            return None
        self.imports.add("..client_base", "Credential")
        args = [pystr(scheme.name), pystr(scheme.kind)]
        if scheme.kind == "apikey":
            args += [pystr(scheme.location or ""), pystr(scheme.key or "")]
        return Group("credential=Credential(", tuple(args), ")")

    def _param(self, p: m.Field) -> str:
        annotation = self.types.annotation(p.type)
        if p.type.kind == "list":  # any sequence will do, and a tuple default is not shared mutable state
            self.imports.add("collections.abc", "Sequence")
            annotation = "Sequence[" + annotation.removeprefix("list[")
        if p.default is not None:
            return f"{py_attr(p.name)}: {annotation} = {self._default(p)}"
        if p.type.optional:
            return f"{py_attr(p.name)}: {annotation} = None"
        return f"{py_attr(p.name)}: {annotation}"

    def _default(self, p: m.Field) -> str:
        """A default as the server declares it; lists become tuples (no shared mutable default)."""
        assert p.default is not None
        if p.type.kind == "list" and p.default.kind == "list":
            items = [expression(i, p.type.args[0], self.types) for i in p.default.items]
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return expression(p.default, p.type, self.types)

    def _path(self, endpoint: m.Endpoint) -> str:
        """`"/tasks/" + path_value("id", id)`: literal parts as string literals, parameters encoded."""
        return " + ".join(
            f"path_value({pystr(text)}, {py_attr(text)})" if is_param else pystr(text)
            for text, is_param in m.path_parts(endpoint.path)
        )

    def _error(self, ref: m.TypeRef) -> str:
        assert ref.target is not None
        name = py_class(ref.target.name)
        self.types.ref(ref.target.package, name)
        self.types.ref(ref.target.package, name + "Body")
        return f"({name}, {name}Body)"


def module(model: m.Model, package: str, services: list[m.Service]) -> ClientModule:
    b = _Builder(model, package)
    views = []
    for s in services:
        methods = tuple(b.method(s, e) for e in s.endpoints)
        name = py_class(s.name)
        doc = s.doc.strip() + "\n\n" if s.doc and s.doc.strip() else ""
        views.append(
            Service(
                name=f"{name}Client",
                sync_name=f"{name}SyncClient",
                doc=layout.docstring(f"{doc}Asynchronous client of the {s.name} service; {name}SyncClient blocks.", 4),
                sync_doc=layout.docstring(f"{doc}Blocking client of the {s.name} service; {name}Client is async.", 4),
                methods=methods,
            )
        )
    if b.adapters:
        b.imports.add("pydantic", "TypeAdapter")
    base = ["AsyncBaseClient", "SyncBaseClient"]
    text = "".join(statement(x.call, 0) for v in views for x in v.methods)
    if "path_value(" in text:
        base.append("path_value")
    for name in base:
        b.imports.add("..client_base", name)
    adapters = tuple(Adapter(n, a) for a, n in b.adapters.items())
    return ClientModule(b.imports.block(), adapters, tuple(views))
