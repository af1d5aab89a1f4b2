"""An OpenAPI 3.1 document describing the registered resources, served at ``<prefix>/openapi.json``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import peewee

from flask_peewee.rest._authentication import (
    APIKeyAuthentication,
    Authentication,
    BearerAuthentication,
    TokenAuthentication,
    UserAuthentication,
)
from flask_peewee.rest._files import FILE_URL_SCHEMA, multipart_schema, served_file_fields
from flask_peewee.rest._m2m import many_to_many_fields
from flask_peewee.rest._pagination import pagination_class
from flask_peewee.rest._query import hidden_fields
from flask_peewee.rest._ratelimit import rate_for
from flask_peewee.utils import field_kind, get_sensitive_fields

if TYPE_CHECKING:
    from flask_peewee.rest._api import RestAPI
    from flask_peewee.rest._resource import RestResource

__all__ = ["build_openapi", "object_example", "scheme_of"]

_ERROR = {"$ref": "#/components/schemas/Error"}
_SECONDS = {"schema": {"type": "integer", "minimum": 0}}
_RATE_LIMIT_HEADERS = {
    "Retry-After": {"description": "seconds to wait", **_SECONDS},
    "RateLimit-Limit": {"description": "requests allowed in the window", **_SECONDS},
    "RateLimit-Remaining": {"description": "requests left in the window", **_SECONDS},
    "RateLimit-Reset": {"description": "seconds until the window ends", **_SECONDS},
}
_DATETIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$"
_TIME = r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"
_KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "decimal": {"type": "string", "format": "decimal"},
    # naive datetimes and times carry no UTC offset, so JSON Schema's date-time/time formats would not hold
    "datetime": {"type": "string", "pattern": _DATETIME},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "pattern": _TIME},
    "uuid": {"type": "string", "format": "uuid"},
    "bytes": {"type": "string", "contentEncoding": "base64"},
    "ip": {"type": "string", "format": "ipv4"},
    "text": {"type": "string"},
}
# one sample wire value per kind, for the document's examples (text is made from the field's name)
_KIND_EXAMPLES: dict[str, Any] = {
    "bool": True,
    "int": 1,
    "float": 1.5,
    "decimal": "10.00",
    "datetime": "2011-09-16T18:36:15",
    "date": "2011-09-16",
    "time": "18:36:15",
    "uuid": "6f1c2a9e-4a3b-4c5d-8e7f-0a1b2c3d4e5f",
    "bytes": "ZXhhbXBsZQ==",
    "ip": "127.0.0.1",
    "json": {},
}
# the security schemes, by the name :func:`scheme_of` gives an authentication
_SCHEMES: dict[str, dict[str, dict[str, Any]]] = {
    "basic": {"basicAuth": {"type": "http", "scheme": "basic"}},
    "bearer": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    "apiKey": {
        "apiKey": {"type": "apiKey", "in": "query", "name": "key"},
        "apiSecret": {"type": "apiKey", "in": "query", "name": "secret"},
    },
}


def field_schema(field: peewee.Field) -> dict[str, Any]:
    """The JSON schema of a field's wire value, by the toolkit's ``field_kind`` (a foreign key: its target's)."""
    target = field.rel_field if isinstance(field, peewee.ForeignKeyField) else field
    kind = field_kind(target)
    schema = dict(_KIND_SCHEMAS.get(kind, {}))  # json and unknown kinds: any value
    max_length = getattr(target, "max_length", None)
    if kind == "text" and isinstance(max_length, int):
        schema["maxLength"] = max_length
    if field.null and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    return schema


def field_example(field: peewee.Field) -> Any:
    """A sample wire value of ``field``: its first choice, a constant default, else one by its kind."""
    target = field.rel_field if isinstance(field, peewee.ForeignKeyField) else field
    if field.choices:
        choice = next(iter(field.choices), None)
        if isinstance(choice, (tuple, list)) and choice and isinstance(choice[0], (str, int, float, bool)):
            return choice[0]
    kind = field_kind(target)
    default = field.default
    if isinstance(default, (str, int, float, bool)) and not callable(default):
        if (kind == "text" and isinstance(default, str)) or (kind == "bool" and isinstance(default, bool)):
            return default
        if kind in ("int", "float") and not isinstance(default, (bool, str)):
            return default
    if kind == "text":
        text = f"example {field.name}"
        max_length = getattr(target, "max_length", None)
        return text[:max_length] if isinstance(max_length, int) and max_length > 0 else text
    return _KIND_EXAMPLES.get(kind)


def object_example(resource: RestResource) -> dict[str, Any]:
    """A sample serialized object of ``resource``, made from its model's fields (foreign keys as ids)."""
    hidden = hidden_fields(resource)
    example = {
        field.name: field_example(field) for field in resource.model._meta.sorted_fields if field.name not in hidden
    }
    for name, field in many_to_many_fields(resource).items():
        example[name] = [field_example(field.rel_model._meta.primary_key)]
    return example


def _input_example(schema: dict[str, Any], resource: RestResource) -> dict[str, Any]:
    fields = resource.model._meta.fields
    m2m = many_to_many_fields(resource)
    example = {}
    for name in schema["properties"]:
        if name in fields:
            example[name] = field_example(fields[name])
        elif name in m2m:
            example[name] = [field_example(m2m[name].rel_model._meta.primary_key)]
    return example


def _body(schema: dict[str, Any], resource: RestResource) -> dict[str, Any]:
    media = {"schema": schema, "example": _input_example(schema, resource)}
    content: dict[str, Any] = {"application/json": media}
    multipart = multipart_schema(resource, schema)
    if multipart is not None:  # file fields: uploaded as parts of a multipart body
        content["multipart/form-data"] = {"schema": multipart}
    return {"required": True, "content": content}


def object_schema(resource: RestResource, depth: int = 0) -> dict[str, Any]:
    """The schema of one serialized object of ``resource`` (nested resources inline)."""
    hidden = hidden_fields(resource)
    properties: dict[str, Any] = {}
    for field in resource.model._meta.sorted_fields:
        if field.name in hidden:
            continue
        nested = resource.nested_resources.get(field.name)
        if nested is not None and depth < 4:
            inner = object_schema(nested, depth + 1)
            properties[field.name] = {"anyOf": [inner, field_schema(field), {"type": "null"}]}
        else:
            properties[field.name] = field_schema(field)
    for name, field in many_to_many_fields(resource).items():
        properties[name] = {"type": "array", "items": field_schema(field.rel_model._meta.primary_key)}
    for name in served_file_fields(resource):
        if name in properties:
            properties[name] = dict(FILE_URL_SCHEMA)
    return {"type": "object", "properties": properties, "examples": [object_example(resource)]}


def input_schema(resource: RestResource, creating: bool) -> dict[str, Any]:
    """The schema of a request body: writable fields, the required ones on create.

    A foreign key of ``include_resources`` takes an id or, with ``nested_writes``, an object
    written through the nested resource.
    """
    model = resource.model
    read_only = resource.get_read_only_fields()
    sensitive = get_sensitive_fields(model)
    pk = model._meta.primary_key
    properties: dict[str, Any] = {}
    required = []
    for field in model._meta.sorted_fields:
        client_key = not isinstance(field, peewee.AutoField) and field.default is None
        if field is pk and not (creating and client_key):
            continue
        if field.name in read_only or field.name in sensitive:
            continue
        properties[field.name] = field_schema(field)
        nested = resource.nested_resources.get(field.name)
        if nested is not None and resource.nested_writes:  # an id, or an object written through ``nested``
            properties[field.name] = {"anyOf": [field_schema(field), input_schema(nested, creating)]}
        if creating and not field.null and field.default is None and not isinstance(field, peewee.AutoField):
            required.append(field.name)
    for name, field in many_to_many_fields(resource).items():
        if name not in read_only:
            properties[name] = {"type": "array", "items": field_schema(field.rel_model._meta.primary_key)}
    schema: dict[str, Any] = {"type": "object", "properties": properties, "minProperties": 1}
    if required:
        schema["required"] = required
    return schema


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _filter_parameters(resource: RestResource) -> list[dict[str, Any]]:
    hidden = hidden_fields(resource) | set(resource.filter_exclude or ())
    allowed = set(resource.filter_fields) if resource.filter_fields is not None else None
    parameters = []
    for field in resource.model._meta.sorted_fields:
        if field.name in hidden or (allowed is not None and field.name not in allowed):
            continue
        parameters.append(
            {
                "name": field.name,
                "in": "query",
                "required": False,
                "description": f"filter; also {field.name}__<op> with op in {', '.join(resource.filter_operators)}",
                "schema": {"type": "string"},
            }
        )
    return parameters


def scheme_of(authentication: Authentication) -> str:
    """How a client authenticates to ``authentication``: ``basic``, ``bearer``, ``apiKey`` or ``custom``."""
    if isinstance(authentication, UserAuthentication):
        return "basic"
    if isinstance(authentication, APIKeyAuthentication):
        return "apiKey"
    if isinstance(authentication, (TokenAuthentication, BearerAuthentication)):
        return "bearer"
    return "custom"


def _security(resource: RestResource, method: str) -> list[dict[str, list[str]]] | None:
    authentication = resource.authentication
    if not authentication.is_protected(method):
        return []
    schemes = _SCHEMES.get(scheme_of(authentication))
    return [{key: [] for key in schemes}] if schemes is not None else None


def _operation(resource: RestResource, method: str, summary: str, **parts: Any) -> dict[str, Any]:
    name = resource.get_api_name()
    operation: dict[str, Any] = {
        "summary": summary,
        "operationId": f"{name}_{summary.split()[0].lower()}",
        "tags": [name],  # the explorer groups operations by resource
        **parts,
    }
    security = _security(resource, method)
    if security is not None:
        operation["security"] = security
    responses = operation.setdefault("responses", {})
    if resource.authentication.is_protected(method):
        responses["401"] = _error("Authentication failed")
    rate = rate_for(resource, method)
    if rate is not None:
        responses["429"] = {**_error("rate limit exceeded"), "headers": _RATE_LIMIT_HEADERS}
        operation["x-rate-limit"] = {"limit": rate.limit, "window": rate.window, "rate": rate.text}
    return operation


def resource_paths(resource: RestResource, prefix: str) -> dict[str, Any]:
    """The two path items of ``resource``."""
    name = resource.get_api_name()
    schema = {"$ref": f"#/components/schemas/{name}"}
    list_item: dict[str, Any] = {}
    detail_item: dict[str, Any] = {}
    pk = resource.pk
    pk_schema = field_schema(pk) if isinstance(pk, peewee.Field) and not isinstance(pk, peewee.CompositeKey) else {}
    pk_schema.pop("maxLength", None)
    detail_item["parameters"] = [{"name": "pk", "in": "path", "required": True, "schema": pk_schema}]
    pagination = pagination_class(resource)
    common = [
        *pagination.openapi_parameters(),
        {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}},
        {"name": "ordering", "in": "query", "required": False, "schema": {"type": "string"}},
    ]
    meta = pagination.openapi_meta()
    page = {
        "type": "object",
        "properties": {"meta": meta, "objects": {"type": "array", "items": schema}},
        "required": ["meta", "objects"],
    }
    written = {"200": _json("the object", schema), "400": _error("bad body"), "422": _error("invalid data")}
    written["403"] = _error("forbidden")
    written["409"] = _error("conflict")
    written["413"] = _error("body too large")
    methods = resource.get_allowed_methods(detail=False)
    if "GET" in methods:
        list_item["get"] = _operation(
            resource,
            "GET",
            f"List {name}",
            parameters=common + _filter_parameters(resource),
            responses={"200": _json("one page", page), "400": _error("bad query"), "403": _error("forbidden")},
        )
    created = input_schema(resource, True)
    body = _body(created, resource)
    if "POST" in methods:
        list_item["post"] = _operation(resource, "POST", f"Create {name}", requestBody=body, responses=dict(written))
    methods = resource.get_allowed_methods(detail=True)
    changed = input_schema(resource, False)
    change = _body(changed, resource)
    found = {"404": _error("not found")}
    if "GET" in methods:
        ok = {"200": _json("the object", schema), "304": {"description": "not modified"}, "403": _error("forbidden")}
        detail_item["get"] = _operation(resource, "GET", f"Read {name}", responses={**ok, **found})
    for verb in ("PUT", "PATCH", "POST"):
        if verb in methods:
            responses = {**written, **found, "412": _error("changed since read")}
            summary = f"{verb.title()} {name}" if verb != "POST" else f"Edit {name} (the original's POST)"
            detail_item[verb.lower()] = _operation(resource, verb, summary, requestBody=change, responses=responses)
            if verb == "POST" and resource.authentication.is_protected("PUT"):
                detail_item["post"]["responses"]["401"] = _error("Authentication failed")
    if "DELETE" in methods:
        deleted = {"type": "object", "properties": {"deleted": {"type": "integer"}}, "required": ["deleted"]}
        responses = {"200": _json("deleted", deleted), "403": _error("forbidden"), "409": _error("still referenced")}
        detail_item["delete"] = _operation(
            resource, "DELETE", f"Delete {name}", responses={**responses, **found, "412": _error("changed")}
        )
    return {f"{prefix}/{name}/": list_item, f"{prefix}/{name}/{{pk}}/": detail_item}


def build_openapi(api: RestAPI, prefix: str, title: str = "API", version: str = "1.0") -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``api``'s resources, with paths under ``prefix``."""
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "properties": {"error": {"type": "string"}, "errors": {"type": "object"}, "param": {"type": "string"}},
            "required": ["error"],
        },
        "Meta": {
            "type": "object",
            "properties": {
                "model": {"type": "string"},
                "page": {"type": "integer"},
                "page_count": {"type": "integer"},
                "object_count": {"type": "integer"},
                "previous": {"type": "string"},
                "next": {"type": "string"},
            },
            "required": ["model", "page", "page_count", "object_count", "previous", "next"],
        },
        "CursorMeta": {
            "type": "object",
            "properties": {
                "model": {"type": "string"},
                "previous": {"type": "string"},
                "next": {"type": "string"},
                "limit": {"type": "integer"},
            },
            "required": ["model", "previous", "next", "limit"],
        },
    }
    paths: dict[str, Any] = {}
    for name, resource in sorted(api.resources.items()):
        schemas[name] = object_schema(resource)
        paths.update(resource_paths(resource, prefix))
    used = {
        key
        for item in paths.values()
        for operation in item.values()
        if isinstance(operation, dict)
        for requirement in operation.get("security", ())
        for key in requirement
    }
    components: dict[str, Any] = {"schemas": schemas}
    known = {key: value for schemes in _SCHEMES.values() for key, value in schemes.items()}
    security_schemes = {key: known[key] for key in sorted(used) if key in known}
    if security_schemes:  # only the schemes some operation asks for
        components["securitySchemes"] = security_schemes
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": components,
    }
