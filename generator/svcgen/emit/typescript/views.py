"""Ready-to-render views of one IDL package for the TypeScript templates.

Everything a template prints is computed here: identifiers from svcgen.naming, types from
tstypes, string literals through tsstr. Templates only loop over these records.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcgen import model as m
from svcgen.emit.render import jsdoc_body, tsstr
from svcgen.emit.typescript.tstypes import Imports, error_body, property_name, ts_of, type_name
from svcgen.naming import UNION_TAG, body_param, credential_note, header_name, ts_ident, with_note


@dataclass(frozen=True)
class Doc:
    """JSDoc lines (raw text, escaped by jsdoc_body when rendered)."""

    lines: tuple[str, ...]

    def block(self, indent: str) -> str:
        """The comment with a trailing newline, or '' when there is no doc."""
        if not self.lines:
            return ""
        if len(self.lines) == 1:
            return f"{indent}/** {jsdoc_body(self.lines[0])} */\n"
        body = "".join(f"{indent} * {jsdoc_body(line)}\n".replace(" * \n", " *\n") for line in self.lines)
        return f"{indent}/**\n{body}{indent} */\n"


def doc_of(text: str | None, deprecated: m.Annotation | None = None) -> Doc:
    lines = list(text.splitlines()) if text else []
    if deprecated is not None:
        reason = next((str(a.value) for a in deprecated.args if a.kind == "string"), "")
        lines.append(f"@deprecated {reason}".rstrip())
    return Doc(tuple(lines))


@dataclass(frozen=True)
class Property:
    doc: Doc
    key: str  # the wire name, quoted when it is not an identifier
    optional: bool
    type: str

    def lines(self, indent: str) -> str:
        """Doc comment and `key?: type;`, each line indented, ending in a newline."""
        return f"{self.doc.block(indent)}{indent}{self.key}{'?' if self.optional else ''}: {self.type};\n"


@dataclass(frozen=True)
class Interface:
    doc: Doc
    name: str
    properties: tuple[Property, ...]


@dataclass(frozen=True)
class Alias:
    doc: Doc
    name: str
    type: str


def _properties(fields: tuple[m.Field, ...], imports: Imports, docs: bool = True) -> tuple[Property, ...]:
    return tuple(
        Property(
            doc=doc_of(f.doc if docs else None, f.annotation("deprecated")),
            key=property_name(f.name, tsstr),
            optional=not f.required,
            type=ts_of(f.type, imports),
        )
        for f in fields
    )


def union_members(model: m.Model) -> set[m.QualifiedName]:
    """Messages that appear in some union: they carry the union tag on the wire."""
    return {ref.target for u in model.all_types if isinstance(u, m.Union_) for ref in u.members if ref.target}


def types_view(model: m.Model, package: str, files: list[m.File]) -> tuple[list[Interface | Alias], Imports]:
    """The declarations of types.ts in declaration order: enums and unions as aliases, the rest as interfaces."""
    imports = Imports(package, "types")
    tagged = union_members(model)
    decls: list[Interface | Alias] = []
    for f in files:
        for d in f.types:
            imports.local_names.add(error_body(d.name) if isinstance(d, m.Error) else type_name(d.name))
    for f in files:
        for d in f.types:
            if isinstance(d, m.Enum):
                values = " | ".join(tsstr(v.name) for v in d.values)
                decls.append(Alias(doc_of(d.doc), type_name(d.name), values or "never"))
            elif isinstance(d, m.Union_):
                members = " | ".join(ts_of(ref, imports) for ref in d.members)
                decls.append(Alias(doc_of(d.doc), type_name(d.name), members or "never"))
            elif isinstance(d, m.Message):
                props = _properties(d.fields, imports)
                if m.QualifiedName(d.package, d.name) in tagged:
                    tag = Property(Doc(()), property_name(UNION_TAG, tsstr), False, tsstr(d.name))
                    props = (tag, *props)
                decls.append(Interface(doc_of(d.doc), type_name(d.name), props))
            else:
                decls.append(Interface(doc_of(d.doc), error_body(d.name), _properties(d.fields, imports)))
    topics = [t for f in files for t in f.topics]
    if topics:
        props = tuple(Property(doc_of(t.doc), tsstr(t.name), False, ts_of(t.type, imports)) for t in topics)
        doc = Doc(("The payload type of each topic of this package, by topic name.",))
        decls.append(Interface(doc, "Topics", props))
    return decls, imports


@dataclass(frozen=True)
class ErrorClass:
    doc: Doc
    name: str
    body: str
    status: int
    wire_name: str  # tsstr literal of the IDL name
    required: str  # array literal of the body's required keys: tells apart errors sharing a status


@dataclass(frozen=True)
class Arg:
    name: str
    type: str


@dataclass(frozen=True)
class Method:
    doc: Doc
    name: str
    args: tuple[Arg, ...]  # path params and body, in IDL order
    query: tuple[Property, ...]
    query_required: bool
    returns: str
    http_method: str  # a string literal
    path: str  # a TypeScript expression building the path
    body: str | None  # the argument sent as the JSON body
    errors: tuple[str, ...]  # error class identifiers
    wire_query: tuple[tuple[str, str], ...]  # (string literal of the wire name, property access)
    wire_headers: tuple[tuple[str, str], ...] = ()  # (string literal of the header name, property access)
    credential: str | None = None  # object literal of the Credential the call sends, None when public
    # the argument holding the query and header parameters: `query`, or `params` when it holds headers
    bag: str = "query"

    @property
    def has_query(self) -> bool:
        return bool(self.query)

    @property
    def inline(self) -> bool:
        """Short signatures without a query object fit on one line, as a person would write them."""
        return not self.query and len(self.signature) <= 70

    @property
    def signature(self) -> str:
        return ", ".join([*(f"{a.name}: {a.type}" for a in self.args), "options: CallOptions = {}"])


@dataclass(frozen=True)
class ClientClass:
    doc: Doc
    name: str
    methods: tuple[Method, ...]


def errors_view(files: list[m.File], imports: Imports) -> list[ErrorClass]:
    return [
        ErrorClass(
            doc_of(e.doc),
            type_name(e.name),
            imports.name(e.package, error_body(e.name)),
            e.status,
            tsstr(e.name),
            "[" + ", ".join(tsstr(f.name) for f in e.fields if f.required) + "]",
        )
        for f in files
        for e in f.errors
    ]


#: The runtime.ts function that encodes a path parameter (and refuses values that cannot travel).
PATH_SEGMENT = "pathSegment"


def credential_literal(model: m.Model, service: m.Service, member: m.Endpoint | m.Socket) -> str | None:
    """`{ scheme: "user", kind: "bearer" }`: the runtime's Credential for what `member` requires."""
    req = service.requirement(member)
    scheme = model.auth_scheme(req)
    if scheme is None:
        return None
    parts = [f"scheme: {tsstr(scheme.name)}", f"kind: {tsstr(scheme.kind)}"]
    if scheme.kind == "apikey":
        parts += [f"in: {tsstr(scheme.location or '')}", f"name: {tsstr(scheme.key or '')}"]
    return "{ " + ", ".join(parts) + " }"


def _path_expression(endpoint: m.Endpoint, names: dict[str, str], imports: Imports) -> str:
    """`"/tasks/" + pathSegment("id", id)`: literal parts escaped, parameters encoded."""
    parts = []
    for text, is_param in m.path_parts(endpoint.path):
        if is_param:
            parts.append(f"{imports.runtime(PATH_SEGMENT)}({tsstr(text)}, {names[text]})")
        else:
            parts.append(tsstr(text))
    return " + ".join(parts)


def _method(model: m.Model, service: m.Service, endpoint: m.Endpoint, imports: Imports) -> Method:
    in_path = set(endpoint.path_param_names)
    body = body_param(endpoint)
    # positional arguments: a name that would shadow the imported pathSegment is free to change
    names = {p.name: ts_ident(p.name) for p in endpoint.params}
    names = {k: v + "_" if v == PATH_SEGMENT else v for k, v in names.items()}
    args = tuple(Arg(names[p.name], ts_of(p.type, imports)) for p in endpoint.params if p.name in in_path or p is body)
    query_fields = tuple(p for p in endpoint.params if p.name not in in_path and p is not body)
    query = _properties(query_fields, imports, docs=False)
    bag = "params" if any(header_name(p) is not None for p in query_fields) else "query"
    while bag in {a.name for a in args}:  # a path parameter of the same name keeps its name
        bag += "_"
    wire_query = tuple((tsstr(p.name), f"{bag}[{tsstr(p.name)}]") for p in query_fields if header_name(p) is None)
    wire_headers = tuple(
        (tsstr(name), f"{bag}[{tsstr(p.name)}]") for p in query_fields if (name := header_name(p)) is not None
    )
    errors = tuple(
        imports.name(ref.target.package, type_name(ref.target.name), module="client", type_only=False)
        for ref in endpoint.throws
        if ref.target is not None
    )
    returns = ts_of(endpoint.returns, imports) if endpoint.returns is not None else "void"
    return Method(
        doc=doc_of(with_note(endpoint.doc, credential_note(model, service, endpoint, "token", "apiKey"))),
        name=ts_ident(endpoint.handler),
        args=args,
        query=query,
        query_required=any(p.required for p in query_fields),
        returns=returns,
        http_method=tsstr(endpoint.method),
        path=_path_expression(endpoint, names, imports),
        body=names[body.name] if body is not None else None,
        errors=errors,
        wire_query=wire_query,
        wire_headers=wire_headers,
        credential=credential_literal(model, service, endpoint),
        bag=bag,
    )


def clients_view(model: m.Model, files: list[m.File], imports: Imports) -> list[ClientClass]:
    return [
        ClientClass(
            doc_of(s.doc), type_name(s.name) + "Client", tuple(_method(model, s, e, imports) for e in s.endpoints)
        )
        for f in files
        for s in f.services
        if s.endpoints
    ]


@dataclass(frozen=True)
class SocketMethod:
    doc: Doc
    name: str
    room: tuple[Property, ...]
    room_required: bool
    path: str  # expression, as for endpoints
    query: tuple[tuple[str, str], ...]  # (wire name literal, room property access)
    sends: str  # what the server sends: the message callback's type
    receives: str  # what the client may send
    credential: str | None = None  # as for endpoints: the token is sent on connect


@dataclass(frozen=True)
class SocketsClass:
    doc: Doc
    name: str
    sockets: tuple[SocketMethod, ...]


def _socket(model: m.Model, service: m.Service, socket: m.Socket, imports: Imports) -> SocketMethod:
    in_path = set(m.path_params(socket.path))
    names = {p.name: f"room[{tsstr(p.name)}]" for p in socket.params}
    endpoint_like = m.Endpoint(
        "GET", socket.path, socket.handler, socket.params, socket.span, socket.path_span, socket.handler_span
    )
    return SocketMethod(
        doc=doc_of(socket.doc),
        name=ts_ident(socket.handler),
        room=_properties(socket.params, imports, docs=False),
        room_required=any(p.required for p in socket.params),
        path=_path_expression(endpoint_like, names, imports),
        query=tuple((tsstr(p.name), names[p.name]) for p in socket.params if p.name not in in_path),
        sends=ts_of(socket.sends, imports) if socket.sends is not None else "never",
        receives=ts_of(socket.receives, imports) if socket.receives is not None else "never",
        credential=credential_literal(model, service, socket),
    )


def sockets_view(model: m.Model, files: list[m.File], imports: Imports) -> list[SocketsClass]:
    return [
        SocketsClass(
            doc_of(s.doc), type_name(s.name) + "Sockets", tuple(_socket(model, s, x, imports) for x in s.sockets)
        )
        for f in files
        for s in f.services
        if s.sockets
    ]
