"""Identifiers made once, for every target: case conversion, keyword escaping, body detection.

The checker uses the same functions to report two IDL names that would become one
identifier, so emitters never meet a collision.
"""

from __future__ import annotations

import keyword
import re
from functools import cache

from svcgen import model as m

# Names a pydantic model field may not take (BaseModel's own attributes), or that would
# shadow a builtin used in the generated annotations; they get a trailing underscore and
# keep their wire name as the alias.
PY_RESERVED = frozenset(
    {
        *keyword.kwlist,
        *keyword.softkwlist,
        "self",
        "cls",
        "copy",
        "dict",
        "json",
        "schema",
        "construct",
        "validate",
        "fields",
        "parse_obj",
        "parse_raw",
        "parse_file",
        "from_orm",
        "update_forward_refs",
        "schema_json",
        "model_config",
        "model_fields",
        "model_computed_fields",
        "model_extra",
        "model_fields_set",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "bool",
        "int",
        "float",
        "str",
        "bytes",
        "list",
        # modules the generated Python references by name (`uuid.UUID`, `datetime.date`)
        "datetime",
        "decimal",
        "uuid",
    }
)

TS_RESERVED = frozenset("""break case catch class const continue debugger default delete do else enum export extends
    false finally for function if import in instanceof new null return super switch this throw true
    try typeof var void while with as implements interface let package private protected public
    static yield any boolean constructor declare get module require number set string symbol type
    from of await async undefined never unknown object""".split())

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")


@cache
def words(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for part in name.split("_") for w in _WORD.findall(part))


def snake(name: str) -> str:
    return "_".join(words(name)) or name


def pascal(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words(name)) or name


def camel(name: str) -> str:
    p = pascal(name)
    return p[:1].lower() + p[1:]


def py_attr(name: str) -> str:
    """A field, parameter or method name: snake_case, reserved words get a trailing '_'."""
    ident = snake(name)
    if ident[:1].isdigit():
        ident = "_" + ident
    return ident + "_" if ident in PY_RESERVED else ident


#: Public names of the generated HTTP clients' bases (AsyncBaseClient.aclose, SyncBaseClient.close):
#: a method of an endpoint with one of these names would replace them; one set for both flavours,
#: so an endpoint's method has the same name on the async and the sync client.
PY_HTTP_CLIENT_RESERVED = frozenset({"aclose", "close"})
#: Public names of svcgen_runtime.rpc.client.RpcClientBase.
PY_RPC_CLIENT_RESERVED = frozenset({"binding", "close", "open", "url"})


def py_method(name: str, reserved: frozenset[str]) -> str:
    """`py_attr`, with a trailing underscore when the generated class's base already has the name
    (like a keyword: `close` -> `close_`); the wire name stays the IDL's."""
    attr = py_attr(name)
    while attr in reserved:
        attr += "_"
    return attr


def py_class(name: str) -> str:
    """A class name: PascalCase; names that are keywords get a trailing '_'."""
    ident = pascal(name)
    return ident + "_" if keyword.iskeyword(ident) else ident


def py_enum_member(name: str) -> str:
    ident = snake(name).upper()
    if ident[:1].isdigit():
        ident = "_" + ident
    return ident + "_" if keyword.iskeyword(ident) or ident in ("NAME", "VALUE") else ident


def ts_ident(name: str) -> str:
    """A TypeScript variable, parameter or method name: camelCase, reserved words get '_'."""
    ident = camel(name)
    return ident + "_" if ident in TS_RESERVED else ident


def ts_type(name: str) -> str:
    ident = pascal(name)
    return ident + "_" if ident in TS_RESERVED else ident


def is_body_type(ref: m.TypeRef) -> bool:
    """Messages and unions travel in the request body; everything else in the path or query."""
    return ref.decl_kind in (m.DeclKind.MESSAGE, m.DeclKind.UNION)


def verifier_name(scheme: str) -> str:
    """`user` -> verify_user: the abstract verifier of the generated service class."""
    return py_attr(f"verify_{scheme}")


def header_name(param: m.Field) -> str | None:
    """The HTTP header a parameter travels in (`@header("X-Trace-Id")`), or None."""
    a = param.annotation("header")
    if a is None or len(a.args) != 1 or a.args[0].kind != "string":
        return None
    return str(a.args[0].value)


def body_param(endpoint: m.Endpoint) -> m.Field | None:
    in_path = set(endpoint.path_param_names)
    for p in endpoint.params:
        if p.name not in in_path and is_body_type(p.type):
            return p
    return None


# The JSON property that tells union members apart; its value is the member message's IDL name.
UNION_TAG = "type"


def py_package(package: str) -> str:
    """The Python subpackage for an IDL package: `acme.billing.v1` -> `acme_billing_v1`."""
    ident = "_".join(snake(part) for part in package.split("."))
    return ident + "_" if keyword.iskeyword(ident) else ident


def ts_module(package: str) -> str:
    """The TypeScript folder for an IDL package (same spelling as the Python one)."""
    return py_package(package)


def summary_line(doc: str | None) -> str | None:
    """An operation's summary: the first sentence of its doc's first paragraph, on one line (a
    sentence may wrap over several `///` lines; cutting at the line end would stop mid-sentence)."""
    if not doc or not doc.strip():
        return None
    paragraph = " ".join(doc.strip().split("\n\n", 1)[0].split())
    end = re.search(r"[.!?](?=\s)", paragraph)
    return paragraph[: end.end()] if end else paragraph


def auth_responses(model: m.Model, service: m.Service, endpoint: m.Endpoint) -> tuple[tuple[int, str], ...]:
    """The statuses the auth check of an endpoint answers, for its documentation: 401 for every
    protected endpoint, 403 when it requires scopes (unless the endpoint declares its own 403
    error, whose body the document keeps)."""
    requirement = service.requirement(endpoint)
    if requirement is None:
        return ()
    out = [(401, "Missing or rejected credentials.")]
    declared = {e.status for ref in endpoint.throws if ref.target and isinstance(e := model.type(ref.target), m.Error)}
    if requirement.scopes and 403 not in declared:
        out.append((403, "A required scope is missing."))
    return tuple(out)


def credential_note(model: m.Model, service: m.Service, member: m.Member, token: str, api_key: str) -> str | None:
    """The line a generated client method's doc adds for a protected member: the scheme, the client
    option that carries it (`token` or the API key option, named as the client spells it) and the
    scopes; None for a public member."""
    req = service.requirement(member)
    scheme = model.auth_scheme(req)
    if req is None or scheme is None:
        return None
    option = token if scheme.kind == "bearer" else api_key
    text = f"Requires `{scheme.name}` (the client's `{option}`): 401 when it is missing or refused."
    scopes = [f"`{s}`" for s in req.scope_names]
    if scopes:
        granted = scopes[0] if len(scopes) == 1 else ", ".join(scopes[:-1]) + " and " + scopes[-1]
        text += f"\n403 unless its claims grant {granted}."
    return text


def with_note(doc: str | None, note: str | None) -> str | None:
    """`doc` with `note` as a paragraph of its own after it."""
    if not note:
        return doc
    return f"{doc.strip()}\n\n{note}" if doc and doc.strip() else note
