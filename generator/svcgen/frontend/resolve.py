"""Binding names: type references to declarations, `emits` to topics, patterns to topic sets.

Scope of a file: its own package (in every loaded file) and the packages of the files it
imports. Within that scope a bare name is looked up in its own package first, then in
the imported ones; two imported packages declaring it make it ambiguous. A qualified
name (`acme.common.Money`) names its package directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from svcgen import model as m
from svcgen.diagnostics import Diagnostic, did_you_mean, error
from svcgen.topics import pattern_matches


@dataclass
class _Scope:
    package: str
    visible: tuple[str, ...]  # own package first, then imported packages in import order
    types: dict[str, dict[str, m.TypeDecl]]  # package -> name -> first declaration
    topics: dict[str, dict[str, m.Topic]]
    auth: dict[str, dict[str, m.AuthScheme]]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def candidates(self) -> list[str]:
        return [n for p in self.visible for n in self.types.get(p, {})]

    def unknown_type_hint(self, name: str) -> str:
        """A near declared name, else a near builtin, else what would make the name known."""
        near = did_you_mean(name, self.candidates(), m.SCALARS)
        if near:
            return near
        elsewhere = [p for p in self.types if p not in self.visible and name in self.types[p]]
        if elsewhere:
            return f"'{name}' is declared in package '{elsewhere[0]}': import the file that declares it"
        return f"declare '{name}' (a message, enum, union or error), or import the file that declares it"

    def find_type(self, ref: m.TypeRef) -> m.TypeRef:
        package, _, name = ref.name.rpartition(".")
        if package:
            decl = self.types.get(package, {}).get(name) if package in self.visible else None
            if decl is None:
                self.diagnostics.append(error("E101", ref.span, help=_qualified_hint(ref.name, self), name=ref.name))
                return ref
            return replace(ref, target=m.QualifiedName(package, name), decl_kind=decl.kind)
        own = self.types.get(self.package, {}).get(name)
        if own is not None:
            return replace(ref, target=m.QualifiedName(self.package, name), decl_kind=own.kind)
        found = [p for p in self.visible[1:] if name in self.types.get(p, {})]
        if not found:
            self.diagnostics.append(error("E101", ref.span, help=self.unknown_type_hint(name), name=name))
            return ref
        if len(found) > 1:
            self.diagnostics.append(
                error(
                    "E103",
                    ref.span,
                    help=f"qualify it, as in '{found[0]}.{name}'",
                    name=name,
                    packages=", ".join(f"'{p}'" for p in found),
                )
            )
            return ref
        decl = self.types[found[0]][name]
        return replace(ref, target=m.QualifiedName(found[0], name), decl_kind=decl.kind)

    def bind(self, ref: m.TypeRef) -> m.TypeRef:
        if ref.kind == "named":
            return self.find_type(ref)
        if not ref.args:
            return ref
        # Most references are scalars: rebuild a node only when something below it changed.
        args = tuple(self.bind(a) for a in ref.args)
        return ref if all(a is b for a, b in zip(args, ref.args, strict=True)) else replace(ref, args=args)

    def find_scheme(self, req: m.Requirement | None) -> m.Requirement | None:
        """`requires NAME`: the scheme of that name in the own package, else in an imported one."""
        if req is None:
            return None
        for p in self.visible:
            if req.scheme in self.auth.get(p, {}):
                return replace(req, target=m.QualifiedName(p, req.scheme))
        known = [n for p in self.visible for n in self.auth.get(p, {})]
        hint = did_you_mean(req.scheme, known) or (
            f"declare it: auth {req.scheme} = bearer -> Claims;" if not known else None
        )
        self.diagnostics.append(error("E601", req.scheme_span, help=hint, name=req.scheme))
        return req

    def visible_topics(self) -> list[m.Topic]:
        return [t for p in self.visible for t in self.topics.get(p, {}).values()]

    def find_topic(self, ref: m.TopicRef) -> m.TopicRef:
        for t in self.visible_topics():
            if t.name == ref.name:
                return replace(ref, target=m.QualifiedName(t.package, t.name))
        self.diagnostics.append(
            error(
                "E401",
                ref.span,
                help=did_you_mean(ref.name, [t.name for t in self.visible_topics()]),
                name=ref.name,
            )
        )
        return ref

    def match(self, consumer: m.Consumer) -> m.Consumer:
        # Validity of the pattern and "matches nothing" are the checker's to report.
        matched = tuple(
            m.QualifiedName(t.package, t.name)
            for t in self.visible_topics()
            if pattern_matches(consumer.pattern, t.name)
        )
        return replace(consumer, topics=matched)


def _qualified_hint(name: str, scope: _Scope) -> str | None:
    package, _, bare = name.rpartition(".")
    if package not in scope.visible and any(bare in d for d in scope.types.values()):
        return f"import the file that declares package '{package}'"
    return did_you_mean(name, [f"{p}.{n}" for p in scope.visible for n in scope.types.get(p, {})])


def resolve(files: list[m.File], keep: frozenset[int] = frozenset()) -> tuple[list[m.File], list[Diagnostic]]:
    """Files with every reference bound as far as possible, and what could not be bound.

    `keep`: ids of declarations already bound in a scope that resolves every name the same
    way (`svcgen breaking` reuses unchanged declarations of the new version); they are kept as they are.
    """
    types: dict[str, dict[str, m.TypeDecl]] = {}
    topics: dict[str, dict[str, m.Topic]] = {}
    auth: dict[str, dict[str, m.AuthScheme]] = {}
    for f in files:
        for d in f.declarations:
            if isinstance(d, m.Topic):
                topics.setdefault(f.package, {}).setdefault(d.name, d)
            elif isinstance(d, m.AuthScheme):
                auth.setdefault(f.package, {}).setdefault(d.name, d)
            elif not isinstance(d, m.Service):
                types.setdefault(f.package, {}).setdefault(d.name, d)
    by_path = {f.path: f for f in files}
    diagnostics: list[Diagnostic] = []
    out: list[m.File] = []
    for f in files:
        imported = [by_path[i.resolved].package for i in f.imports if i.resolved in by_path]
        visible = tuple(dict.fromkeys([f.package, *imported]))
        scope = _Scope(f.package, visible, types, topics, auth)
        bound = tuple(d if id(d) in keep else _bind_declaration(d, scope) for d in f.declarations)
        out.append(replace(f, declarations=bound))
        diagnostics.extend(scope.diagnostics)
    return out, diagnostics


def _bind_field(f: m.Field, scope: _Scope) -> m.Field:
    ref = scope.bind(f.type)
    return f if ref is f.type else replace(f, type=ref)


def _bind_fields(fields: tuple[m.Field, ...], scope: _Scope) -> tuple[m.Field, ...]:
    return tuple(_bind_field(f, scope) for f in fields)


def _bind_optional(ref: m.TypeRef | None, scope: _Scope) -> m.TypeRef | None:
    return scope.bind(ref) if ref is not None else None


def _same(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return all(x is y for x, y in zip(a, b, strict=True))


def _bind_declaration(d: m.Declaration, scope: _Scope) -> m.Declaration:
    if isinstance(d, (m.Message, m.Error)):
        fields = _bind_fields(d.fields, scope)
        return d if _same(fields, d.fields) else replace(d, fields=fields)
    if isinstance(d, m.Union_):
        return replace(d, members=tuple(scope.bind(r) for r in d.members))
    if isinstance(d, m.Topic):
        return replace(d, type=scope.bind(d.type))
    if isinstance(d, m.Service):
        requires = scope.find_scheme(d.requires)
        return replace(d, requires=requires, members=tuple(_bind_member(x, scope) for x in d.members))
    if isinstance(d, m.AuthScheme):
        return replace(d, claims=scope.bind(d.claims))
    return d


def _bind_member(x: m.Member, scope: _Scope) -> m.Member:
    if isinstance(x, m.Endpoint):
        return replace(
            x,
            params=_bind_fields(x.params, scope),
            returns=_bind_optional(x.returns, scope),
            throws=tuple(scope.bind(r) for r in x.throws),
            emits=tuple(scope.find_topic(t) for t in x.emits),
            requires=scope.find_scheme(x.requires),
        )
    if isinstance(x, m.Rpc):
        return replace(
            x,
            params=_bind_fields(x.params, scope),
            returns=_bind_optional(x.returns, scope),
            throws=tuple(scope.bind(r) for r in x.throws),
            requires=scope.find_scheme(x.requires),
        )
    if isinstance(x, m.Socket):
        return replace(
            x,
            params=_bind_fields(x.params, scope),
            sends=_bind_optional(x.sends, scope),
            receives=_bind_optional(x.receives, scope),
            requires=scope.find_scheme(x.requires),
        )
    if isinstance(x, m.Consumer):
        return scope.match(x)
    return x
