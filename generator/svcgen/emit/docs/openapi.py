"""`openapi.json` of one IDL package: the API its generated `create_app` serves, written from the model.

It mirrors what FastAPI publishes for the generated routes (emit/python/http_view.py): operation ids
are the handler names, summaries the first doc line (else FastAPI's title of the handler name), the
success status with its response model, a 400 for a body that is not JSON, every declared error with
its body, and FastAPI's 422 wherever there are parameters; `@header` parameters `in: header` under
their header name, the `auth` schemes the routes require as `securitySchemes` and each protected
operation's `security` with its scopes. tests/docs/test_openapi.py compares the two.
"""

from __future__ import annotations

import json
from typing import Any

from svcgen import model as m
from svcgen.emit.docs.schema import JSON, Namer, field, one_line, title, type_schema
from svcgen.naming import auth_responses, body_param, header_name, summary_line

VERSION = "0.1.0"  # FastAPI's default `version`, which create_app keeps

_VALIDATION_ERROR: JSON = {
    "properties": {
        "loc": {
            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "type": "array",
            "title": "Location",
        },
        "msg": {"type": "string", "title": "Message"},
        "type": {"type": "string", "title": "Error Type"},
        "input": {"title": "Input"},
        "ctx": {"type": "object", "title": "Context"},
    },
    "type": "object",
    "required": ["loc", "msg", "type"],
    "title": "ValidationError",
}
_HTTP_VALIDATION_ERROR: JSON = {
    "properties": {
        "detail": {"items": {"$ref": "#/components/schemas/ValidationError"}, "type": "array", "title": "Detail"}
    },
    "type": "object",
    "title": "HTTPValidationError",
}
_422: JSON = {
    "description": "Validation Error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
}


def _content(schema: JSON) -> JSON:
    return {"application/json": {"schema": schema}}


def _summary(x: m.Endpoint) -> str:
    return summary_line(x.doc) or title(x.handler)


def security_scheme(scheme: m.AuthScheme) -> JSON:
    """The OpenAPI security scheme of an `auth` declaration, as FastAPI's fastapi.security classes write it."""
    if scheme.kind == "bearer":
        return {"type": "http", "scheme": "bearer"}
    return {"type": "apiKey", "in": scheme.location or "header", "name": scheme.key or ""}


def _operation(x: m.Endpoint, namer: Namer, svc: m.Service) -> JSON:
    op: JSON = {"summary": _summary(x)}
    description = one_line(x.doc)
    if description and description != op["summary"]:
        op["description"] = description
    op["operationId"] = x.handler
    body = body_param(x)
    in_path = set(x.path_param_names)
    params: list[JSON] = []
    headers: list[JSON] = []  # FastAPI lists path and query parameters first, then headers
    for p in x.params:
        if p is body:
            continue
        namer.use(p.type, "input")
        header = header_name(p) if p.name not in in_path else None
        where = "path" if p.name in in_path else "query" if header is None else "header"
        param: JSON = {"name": header or p.name, "in": where, "required": p.required}
        if p.name in in_path:
            param["required"] = True
        if p.annotation("deprecated") is not None:
            param["deprecated"] = True
        schema = field(p, namer, "input", param=True)
        schema.pop("description", None)
        if header is not None and "title" in schema:
            schema["title"] = header  # FastAPI titles a header parameter by its alias
        param["schema"] = schema
        (params if header is None else headers).append(param)
    params += headers
    if params:
        op["parameters"] = params
    if body is not None:
        namer.use(body.type, "input")
        op["requestBody"] = {"required": body.required, "content": _content(type_schema(body.type, namer, "input"))}
    status = x.status or (200 if x.returns is not None else 204)
    responses: JSON = {}
    if x.returns is not None:
        namer.use(x.returns, "output")
        schema = type_schema(x.returns, namer, "output")
        if "$ref" not in schema:
            schema["title"] = title(f"Response_{x.handler}")
        responses[str(status)] = {"description": "Successful Response", "content": _content(schema)}
    else:
        responses[str(status)] = {"description": "Successful Response"}
    if body is not None:
        responses["400"] = {"description": "The request body is not valid JSON."}
    for status, text in auth_responses(namer.model, svc, x):
        responses[str(status)] = {"description": text}
    for ref in x.throws:
        if ref.target is None:
            continue
        err = namer.model.type(ref.target)
        assert isinstance(err, m.Error)
        namer.use(ref, "output")
        responses[str(err.status)] = {
            "description": " ".join((err.doc or err.name).split()),
            "content": _content({"$ref": namer.ref(ref.target, "output")}),
        }
    if x.params:
        responses["422"] = _422
    op["responses"] = responses
    req = svc.requirement(x)
    scheme = namer.model.auth_scheme(req)
    if req is not None and scheme is not None:
        op["security"] = [{scheme.name: list(req.scope_names)}]
    return op


def _use(x: m.Endpoint, namer: Namer) -> None:
    """Record what an endpoint reads and writes: a name depends on every use (`Name-Input`)."""
    for p in x.params:
        namer.use(p.type, "input")
    for ref in (x.returns, *x.throws):
        if ref is not None:
            namer.use(ref, "output")


def document(model: m.Model, package: str, services: tuple[m.Service, ...]) -> dict[str, Any]:
    namer = Namer(model)
    for svc in services:
        for x in svc.endpoints:
            _use(x, namer)
    paths: dict[str, JSON] = {}
    validation = False
    for svc in services:
        for x in svc.endpoints:
            paths.setdefault(x.path, {})[x.method.lower()] = _operation(x, namer, svc)
            validation = validation or bool(x.params)
    info: JSON = {"title": services[0].name if len(services) == 1 else package}
    description = one_line(services[0].doc) if len(services) == 1 else None
    if description:
        info["description"] = description
    info["version"] = VERSION
    doc: dict[str, Any] = {"openapi": "3.1.0", "info": info, "paths": paths}
    schemas = namer.components()
    if validation:
        schemas["HTTPValidationError"] = _HTTP_VALIDATION_ERROR
        schemas["ValidationError"] = _VALIDATION_ERROR
    components: JSON = {}
    if schemas:
        components["schemas"] = dict(sorted(schemas.items()))
    security: dict[str, JSON] = {}
    for svc in services:
        for x in svc.endpoints:
            req = svc.requirement(x)
            scheme = model.auth_scheme(req)
            if scheme is not None:
                security.setdefault(scheme.name, security_scheme(scheme))
    if security:
        components["securitySchemes"] = dict(sorted(security.items()))
    if components:
        doc["components"] = components
    return doc


def render(model: m.Model, package: str, services: tuple[m.Service, ...]) -> str:
    return json.dumps(document(model, package, services), indent=2, ensure_ascii=False) + "\n"
