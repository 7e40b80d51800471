"""Rules on names as they will be generated: handler names, and identifiers that collide."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from svcgen import model as m
from svcgen.diagnostics import Diagnostic, error
from svcgen.emit import FAMILY_FOLDERS
from svcgen.naming import py_attr, py_class, py_enum_member, py_package, ts_ident
from svcgen.source import Span


def duplicate_handlers(model: m.Model) -> Iterator[Diagnostic]:
    """E501: one method per handler name in the generated service class."""
    for f in model.files:
        for s in f.services:
            seen: set[str] = set()
            for x in s.members:
                if x.handler in seen:
                    yield error("E501", x.handler_span, name=x.handler, service=s.name)
                seen.add(x.handler)


#: What the generated service class has besides its handlers: ServiceBase's attributes
#: (svcgen_runtime.service; a test checks this covers every public one) and the generated
#: `sockets` property. A handler with one of these Python names would override it.
SERVICE_CLASS_ATTRIBUTES = frozenset({"attach", "publish", "runtime", "sockets", "spec"})


def reserved_handlers(model: m.Model) -> Iterator[Diagnostic]:
    """E504: a handler may not take the name of an attribute of the generated service class."""
    taken = ", ".join(f"'{a}'" for a in sorted(SERVICE_CLASS_ATTRIBUTES))
    for f in model.files:
        for s in f.services:
            for x in s.members:
                generated = py_attr(x.handler)
                if generated in SERVICE_CLASS_ATTRIBUTES:
                    yield error(
                        "E504",
                        x.handler_span,
                        name=x.handler,
                        generated=generated,
                        service=s.name,
                        help=f"rename the handler; the service class keeps {taken} for the runtime",
                    )


def _collisions(what: str, items: Iterable[tuple[str, Span]], convert: Callable[[str], str]) -> Iterator[Diagnostic]:
    """Two distinct IDL names that one conversion maps to the same identifier."""
    seen: dict[str, str] = {}
    for name, span in items:
        generated = convert(name)
        other = seen.get(generated)
        if other is not None and other != name:
            yield error("E113", span, what=what, name=name, other=other, generated=generated, help="rename one of them")
        seen.setdefault(generated, name)


def generated_names(model: m.Model) -> Iterator[Diagnostic]:
    """E113: distinct IDL names must stay distinct in Python and TypeScript."""
    packages: dict[str, list[tuple[str, Span]]] = {}
    for f in model.files:
        for d in f.declarations:
            if not isinstance(d, (m.Topic, m.AuthScheme)):
                packages.setdefault(d.package, []).append((d.name, d.name_span))
            if isinstance(d, (m.Message, m.Error)):
                items = [(x.name, x.name_span) for x in d.fields]
                yield from _collisions("field", items, py_attr)
            elif isinstance(d, m.Enum):
                yield from _collisions("enum value", [(v.name, v.span) for v in d.values], py_enum_member)
            elif isinstance(d, m.Service):
                handlers = [(x.handler, x.handler_span) for x in d.members]
                yield from _collisions("handler", handlers, py_attr)
                yield from _collisions("handler", handlers, ts_ident)
                for x in d.members:
                    if isinstance(x, (m.Endpoint, m.Rpc, m.Socket)):
                        yield from _collisions("parameter", [(p.name, p.name_span) for p in x.params], py_attr)
    for items in packages.values():
        yield from _collisions("declaration", items, py_class)
    yield from _collisions("package", [(f.package, f.package_span) for f in model.files], py_package)


def reserved_packages(model: m.Model) -> Iterator[Diagnostic]:
    """E112: a package's output folder may not be one of the folders a mixed build writes itself."""
    reserved = {folder for folder in FAMILY_FOLDERS.values() if folder}
    for f in model.files:
        folder = py_package(f.package)
        if folder in reserved:
            yield error(
                "E112",
                f.package_span,
                help="rename the package",
                what="package",
                name=f.package,
                reason=f"its output folder '{folder}/' is where `svcgen build` writes the {folder} target",
            )


RULES = (duplicate_handlers, reserved_handlers, generated_names, reserved_packages)
