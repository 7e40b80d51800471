"""The model: frozen, fully resolved declarations; the only thing checkers and emitters see.

The parser builds these nodes with references as written; the resolver fills in
`TypeRef.target`, `TopicRef.target` and `Consumer.topics`. Containers are tuples so
that nodes stay hashable and nothing downstream can reorder declaration order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from svcgen.source import Span

SCALARS = (
    "bool",
    "int",
    "float",
    "decimal",
    "string",
    "bytes",
    "uuid",
    "date",
    "time",
    "datetime",
    "duration",
    "json",
)


class DeclKind(StrEnum):
    MESSAGE = "message"
    ENUM = "enum"
    UNION = "union"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class QualifiedName:
    """A declaration's identity: its package and its name within that package."""

    package: str
    name: str

    def __str__(self) -> str:
        return f"{self.package}.{self.name}"


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A use of a type. `kind` says which of the fields apply.

    scalar: `name` is one of SCALARS. list: `args` = (item,). map: `args` = (key, value).
    named: `name` is the reference as written (maybe qualified); after resolution
    `target` and `decl_kind` say what it names, or stay None when it names nothing.
    """

    kind: Literal["scalar", "list", "map", "named"]
    name: str
    span: Span
    args: tuple[TypeRef, ...] = ()
    optional: bool = False
    target: QualifiedName | None = None
    decl_kind: DeclKind | None = None

    @property
    def item(self) -> TypeRef:
        return self.args[0] if self.kind == "list" else self.args[1]

    @property
    def is_container(self) -> bool:
        return self.kind in ("list", "map")

    def __str__(self) -> str:
        if self.kind == "list":
            text = f"list<{self.args[0]}>"
        elif self.kind == "map":
            text = f"map<{self.args[0]}, {self.args[1]}>"
        else:
            text = self.name
        return text + ("?" if self.optional else "")


@dataclass(frozen=True, slots=True)
class Value:
    """A literal as written in a default or an annotation argument.

    kind int/float: `value` is int/Decimal (Decimal keeps the literal exact);
    string: the decoded str; duration: milliseconds as int; name: the bare word
    (true, false, null or an enum member; its meaning depends on the target type);
    list: `items`; map: `entries` of (key, value).
    """

    kind: Literal["int", "float", "string", "duration", "name", "list", "map"]
    span: Span
    text: str
    value: int | Decimal | str | None = None
    items: tuple[Value, ...] = ()
    entries: tuple[tuple[Value, Value], ...] = ()


@dataclass(frozen=True, slots=True)
class Annotation:
    name: str
    args: tuple[Value, ...]
    span: Span
    has_parens: bool = False


@dataclass(frozen=True, slots=True)
class Field:
    """A message or error field, and also an operation parameter (same syntax)."""

    name: str
    type: TypeRef
    span: Span
    name_span: Span
    default: Value | None = None
    annotations: tuple[Annotation, ...] = ()
    doc: str | None = None

    def annotation(self, name: str) -> Annotation | None:
        for a in self.annotations:
            if a.name == name:
                return a
        return None

    @property
    def required(self) -> bool:
        return self.default is None and not self.type.optional


@dataclass(frozen=True, slots=True)
class EnumValue:
    name: str
    span: Span
    doc: str | None = None


@dataclass(frozen=True, slots=True)
class Enum:
    name: str
    package: str
    values: tuple[EnumValue, ...]
    span: Span
    name_span: Span
    doc: str | None = None
    kind: Literal[DeclKind.ENUM] = DeclKind.ENUM


@dataclass(frozen=True, slots=True)
class Message:
    name: str
    package: str
    fields: tuple[Field, ...]
    span: Span
    name_span: Span
    doc: str | None = None
    kind: Literal[DeclKind.MESSAGE] = DeclKind.MESSAGE


@dataclass(frozen=True, slots=True)
class Union_:
    """`union Name = A | B;` a discriminated union of messages (tag: the member's name)."""

    name: str
    package: str
    members: tuple[TypeRef, ...]
    span: Span
    name_span: Span
    doc: str | None = None
    kind: Literal[DeclKind.UNION] = DeclKind.UNION


@dataclass(frozen=True, slots=True)
class Error:
    name: str
    package: str
    status: int
    fields: tuple[Field, ...]
    span: Span
    name_span: Span
    status_span: Span
    doc: str | None = None
    kind: Literal[DeclKind.ERROR] = DeclKind.ERROR


TypeDecl = Message | Enum | Union_ | Error


@dataclass(frozen=True, slots=True)
class Topic:
    """`topic a.b: Type;` its AMQP routing key is `name` on the package's exchange."""

    name: str
    package: str
    type: TypeRef
    span: Span
    name_span: Span
    doc: str | None = None


@dataclass(frozen=True, slots=True)
class TopicRef:
    """A topic named by `emits`; `target` is filled by the resolver."""

    name: str
    span: Span
    target: QualifiedName | None = None


@dataclass(frozen=True, slots=True)
class AuthScheme:
    """`auth NAME = bearer | apikey header "H" | apikey query "q" -> Claims;`

    kind bearer: the credential is the token of `Authorization: Bearer ...`; kind apikey: the value
    of the header or query parameter `key` (`location` says which). `claims` names the message
    the service's verifier returns.
    """

    name: str
    package: str
    kind: Literal["bearer", "apikey"]
    claims: TypeRef
    span: Span
    name_span: Span
    location: Literal["header", "query"] | None = None
    key: str | None = None
    key_span: Span | None = None
    doc: str | None = None


@dataclass(frozen=True, slots=True)
class Requirement:
    """`requires NAME` or `requires NAME("scope", ...)`; `target` is filled by the resolver."""

    scheme: str
    span: Span
    scheme_span: Span
    scopes: tuple[Value, ...] = ()
    has_parens: bool = False
    target: QualifiedName | None = None

    @property
    def scope_names(self) -> tuple[str, ...]:
        return tuple(str(v.value) for v in self.scopes)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An HTTP endpoint. Path params by name; one message-typed param is the body; the rest query."""

    method: str
    path: str
    handler: str
    params: tuple[Field, ...]
    span: Span
    path_span: Span
    handler_span: Span
    returns: TypeRef | None = None
    status: int | None = None
    status_span: Span | None = None
    throws: tuple[TypeRef, ...] = ()
    emits: tuple[TopicRef, ...] = ()
    requires: Requirement | None = None
    public: bool = False
    public_span: Span | None = None
    doc: str | None = None
    member: Literal["endpoint"] = "endpoint"

    @property
    def path_param_names(self) -> tuple[str, ...]:
        return path_params(self.path)


@dataclass(frozen=True, slots=True)
class Rpc:
    handler: str
    params: tuple[Field, ...]
    span: Span
    handler_span: Span
    returns: TypeRef | None = None
    throws: tuple[TypeRef, ...] = ()
    timeout_ms: int | None = None
    timeout_span: Span | None = None
    requires: Requirement | None = None
    public: bool = False
    public_span: Span | None = None
    doc: str | None = None
    member: Literal["rpc"] = "rpc"


@dataclass(frozen=True, slots=True)
class Consumer:
    """`on PATTERN handler`; `topics` holds every topic the pattern matches, in declaration order."""

    pattern: str
    handler: str
    span: Span
    pattern_span: Span
    handler_span: Span
    retry: int | None = None
    retry_span: Span | None = None
    backoff_min_ms: int | None = None
    backoff_max_ms: int | None = None
    backoff_span: Span | None = None
    topics: tuple[QualifiedName, ...] = ()
    doc: str | None = None
    member: Literal["consumer"] = "consumer"


@dataclass(frozen=True, slots=True)
class Schedule:
    """`every "CRON" handler` or `every DURATION handler`; exactly one of cron and interval_ms is set."""

    handler: str
    span: Span
    when_span: Span
    handler_span: Span
    cron: str | None = None
    interval_ms: int | None = None
    overlap: bool = False
    doc: str | None = None
    member: Literal["schedule"] = "schedule"


@dataclass(frozen=True, slots=True)
class Socket:
    """`socket PATH name(params)`; the parameters name the room a connection joins."""

    path: str
    handler: str
    params: tuple[Field, ...]
    span: Span
    path_span: Span
    handler_span: Span
    sends: TypeRef | None = None
    receives: TypeRef | None = None
    requires: Requirement | None = None
    public: bool = False
    public_span: Span | None = None
    doc: str | None = None
    member: Literal["socket"] = "socket"


Member = Endpoint | Rpc | Consumer | Schedule | Socket


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    package: str
    members: tuple[Member, ...]
    span: Span
    name_span: Span
    doc: str | None = None
    requires: Requirement | None = None

    @property
    def endpoints(self) -> tuple[Endpoint, ...]:
        return tuple(m for m in self.members if isinstance(m, Endpoint))

    @property
    def rpcs(self) -> tuple[Rpc, ...]:
        return tuple(m for m in self.members if isinstance(m, Rpc))

    @property
    def consumers(self) -> tuple[Consumer, ...]:
        return tuple(m for m in self.members if isinstance(m, Consumer))

    @property
    def schedules(self) -> tuple[Schedule, ...]:
        return tuple(m for m in self.members if isinstance(m, Schedule))

    @property
    def sockets(self) -> tuple[Socket, ...]:
        return tuple(m for m in self.members if isinstance(m, Socket))

    def requirement(self, member: Member) -> Requirement | None:
        """What a caller of `member` must present: its own `requires`, else the service's; None when public."""
        if isinstance(member, (Endpoint, Rpc, Socket)):
            if member.public:
                return None
            return member.requires or self.requires
        return None


Declaration = Message | Enum | Union_ | Error | Topic | Service | AuthScheme


@dataclass(frozen=True, slots=True)
class Import:
    path: str
    span: Span
    resolved: str | None = None  # the imported file's display path, once found


@dataclass(frozen=True, slots=True)
class File:
    """One IDL file: its package, imports and declarations in source order."""

    path: str
    package: str
    package_span: Span
    imports: tuple[Import, ...]
    declarations: tuple[Declaration, ...]
    package_doc: str | None = None
    # sha256 of the text this file was parsed from: the manifest and the build stamp record what
    # was compiled, never a later re-read of the disk (which may hold an edit made meanwhile)
    digest: str = ""

    @property
    def types(self) -> tuple[TypeDecl, ...]:
        return tuple(d for d in self.declarations if isinstance(d, (Message, Enum, Union_, Error)))

    @property
    def messages(self) -> tuple[Message, ...]:
        return tuple(d for d in self.declarations if isinstance(d, Message))

    @property
    def enums(self) -> tuple[Enum, ...]:
        return tuple(d for d in self.declarations if isinstance(d, Enum))

    @property
    def unions(self) -> tuple[Union_, ...]:
        return tuple(d for d in self.declarations if isinstance(d, Union_))

    @property
    def errors(self) -> tuple[Error, ...]:
        return tuple(d for d in self.declarations if isinstance(d, Error))

    @property
    def topics(self) -> tuple[Topic, ...]:
        return tuple(d for d in self.declarations if isinstance(d, Topic))

    @property
    def services(self) -> tuple[Service, ...]:
        return tuple(d for d in self.declarations if isinstance(d, Service))

    @property
    def auth_schemes(self) -> tuple[AuthScheme, ...]:
        return tuple(d for d in self.declarations if isinstance(d, AuthScheme))


@dataclass(frozen=True)
class Model:
    """A root file with everything it imports, transitively; `files` in dependency order (root last)."""

    root: File
    files: tuple[File, ...]
    # every root of a build of several files, `root` first; () means just `root`
    roots: tuple[File, ...] = ()
    _types: dict[QualifiedName, TypeDecl] = field(default_factory=dict, repr=False, compare=False)
    _topics: dict[QualifiedName, Topic] = field(default_factory=dict, repr=False, compare=False)
    _auth: dict[QualifiedName, AuthScheme] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for f in self.files:
            for d in f.declarations:
                if isinstance(d, Topic):
                    self._topics.setdefault(QualifiedName(d.package, d.name), d)
                elif isinstance(d, AuthScheme):
                    self._auth.setdefault(QualifiedName(d.package, d.name), d)
                elif not isinstance(d, Service):
                    self._types.setdefault(QualifiedName(d.package, d.name), d)

    @property
    def root_files(self) -> tuple[File, ...]:
        return self.roots or (self.root,)

    def type(self, name: QualifiedName) -> TypeDecl:
        return self._types[name]

    def topic(self, name: QualifiedName) -> Topic:
        return self._topics[name]

    def auth_scheme(self, req: Requirement | None) -> AuthScheme | None:
        """The scheme `req` names; None for no requirement (a public member) or an unknown scheme."""
        return self._auth.get(req.target) if req is not None and req.target else None

    def lookup(self, ref: TypeRef) -> TypeDecl | None:
        return self._types.get(ref.target) if ref.target else None

    @property
    def all_types(self) -> tuple[TypeDecl, ...]:
        return tuple(self._types.values())

    @property
    def all_topics(self) -> tuple[Topic, ...]:
        return tuple(self._topics.values())


def path_params(path: str) -> tuple[str, ...]:
    """Names in `{braces}` of an HTTP path, in order."""
    names: list[str] = []
    start = path.find("{")
    while start != -1:
        end = path.find("}", start)
        if end == -1:
            break
        names.append(path[start + 1 : end])
        start = path.find("{", end)
    return tuple(names)


def path_parts(path: str) -> tuple[tuple[str, bool], ...]:
    """The path as (text, is_parameter) pieces in order: `/a/{id}/b` -> ("/a/", False), ("id", True), ("/b", False).

    An empty path yields one empty literal, so a caller always has something to render.
    """
    parts: list[tuple[str, bool]] = []
    rest = path
    for name in path_params(path):
        before, rest = rest.split("{" + name + "}", 1)
        if before:
            parts.append((before, False))
        parts.append((name, True))
    if rest or not parts:
        parts.append((rest, False))
    return tuple(parts)


def walk_types(ref: TypeRef) -> tuple[TypeRef, ...]:
    """The reference and every type argument below it, outermost first."""
    out = [ref]
    for a in ref.args:
        out.extend(walk_types(a))
    return tuple(out)
