"""Error bodies as data: which shapes a contract's errors take, and where their code lives.

Why data and not a list of formats: vendors answer errors in their own shapes (RFC 6749's
``{"error": ...}``, a vendor object with a ``key``, a HAL document, a ``message`` with no code at
all). A contract names them in ``x-revocation.errors.bodies``: each entry points at a schema
in the OpenAPI document's ``components``, lists the media types it travels in, and says which
member holds the error code (if any) and which holds the human message. The rules judge an
error answer against those entries, and the reference server builds its bodies from the same
entries, so neither needs to know any vendor.
"""

from __future__ import annotations

import http
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from revocation_contracts.model.pointer import resolve_ref

if TYPE_CHECKING:
    from revocation_contracts.model.contract import Contract

# RFC 6749 section 5.2: error = 1*( %x20-21 / %x23-5B / %x5D-7E )
ERROR_CODE = re.compile(r"^[\x20-\x21\x23-\x5B\x5D-\x7E]+$")
# Framework refusals no contract gives a body: a wrong method (RFC 9110 15.5.6) and throttling.
NEVER_BODY = frozenset({405, 429})
# Routing and media-type refusals come from frameworks too; a body is due only where documented.
BODY_IF_DOCUMENTED = frozenset({404, 415})


@dataclass(frozen=True)
class ErrorBody:
    """One shape an error answer may take (``x-revocation.errors.bodies[]``)."""

    schema_ref: str
    media_types: tuple[str, ...]
    clause: str
    code_field: str | None = None
    message_field: str | None = None
    schema: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    def describe(self) -> str:
        required = ", ".join(f'"{name}"' for name in self.schema.get("required", ()))
        return f"{' or '.join(self.media_types)} {{{required}{', ...' if required else '...'}}}"


def inline_refs(document: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """A copy of ``schema`` with every local ``$ref`` replaced by its target (bounded depth)."""
    if depth > 20:
        return {}
    if isinstance(schema, dict):
        if "$ref" in schema and isinstance(schema["$ref"], str):
            return inline_refs(document, resolve_ref(document, schema["$ref"]), depth + 1)
        return {key: inline_refs(document, value, depth + 1) for key, value in schema.items()}
    if isinstance(schema, list):
        return [inline_refs(document, item, depth + 1) for item in schema]
    return schema


def documented_content(contract: Contract, status: int) -> dict[str, Any]:
    """The OpenAPI response content (media type -> object) documented for ``status``."""
    responses = contract.operation.get("responses", {})
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or {}
    if "$ref" in response:
        response = resolve_ref(contract.document, response["$ref"])
    content = response.get("content", {})
    return content if isinstance(content, dict) else {}


def error_body_required(contract: Contract, status: int) -> bool:
    """Whether a status must carry one of the contract's error bodies (RFC 6749 section 5.2).

    Every 4xx does, except the framework's method and rate-limit refusals (405, 429), and
    routing and media-type refusals (404, 415) unless the document gives them a body (content
    in the OpenAPI response, or an answer whose body is an error).
    """
    if not 400 <= status < 500 or status in NEVER_BODY:
        return False
    if status not in BODY_IF_DOCUMENTED:
        return True
    return bool(documented_content(contract, status)) or any(
        status in answer.statuses and answer.body in ("error", "empty-or-error") for answer in contract.answers.values()
    )


def empty_error_allowed(contract: Contract, status: int) -> bool:
    """Whether an answer with this status may come with no body (``body: empty-or-error``)."""
    return any(status in answer.statuses and answer.body == "empty-or-error" for answer in contract.answers.values())


def error_code(contract: Contract, body: Any) -> str | None:
    """The error code of a body, read where the matching ``errors.bodies`` entry says it lives."""
    if not isinstance(body, dict):
        return None
    for entry in contract.error_bodies:
        if entry.code_field and entry.code_field in body:
            value = body[entry.code_field]
            return value if isinstance(value, str) else None
    return None


def error_body_violation(contract: Contract, status: int, media_type: str, body: Any) -> tuple[str, str, str] | None:
    """(clause, expected, actual) when an error answer fits none of the contract's error bodies."""
    if body is None and empty_error_allowed(contract, status):
        return None
    entries = contract.error_bodies
    for entry in entries:
        if media_type not in entry.media_types or not _valid(entry, body):
            continue
        if entry.code_field is None or entry.code_field not in body:
            return None
        code = body[entry.code_field]
        if not isinstance(code, str) or not ERROR_CODE.match(code):
            return (entry.clause, f"a {entry.code_field!r} member holding an ASCII error code", repr(code)[:40])
        allowed = contract.statuses_for_error(code)
        if status not in allowed:
            statuses = " or ".join(str(value) for value in sorted(allowed))
            return (entry.clause, f"error {code!r} with status {statuses}", f"status {status}")
        return None
    expected = " or ".join(entry.describe() for entry in entries)
    # The clause broken is the shape's whose media type came back, else the contract's first shape.
    cited = next((entry for entry in entries if media_type in entry.media_types), entries[0])
    return (cited.clause, expected, describe_body(body, media_type))


def describe_body(body: Any, media_type: str) -> str:
    shown = (
        "no JSON body"
        if body is None
        else f"{type(body).__name__} {sorted(body)[:5] if isinstance(body, dict) else ''}"
    )
    return f"{media_type or 'no content type'}, {shown}".strip()


# Schemas live as long as their (cached) contract, so their identity is a safe key.
_VALIDATORS: dict[int, Any] = {}


def _valid(entry: ErrorBody, body: Any) -> bool:
    validator = _VALIDATORS.get(id(entry.schema))
    if validator is None:
        from jsonschema import Draft202012Validator

        validator = _VALIDATORS[id(entry.schema)] = Draft202012Validator(entry.schema)
    return not any(validator.iter_errors(body))


def build_error_body(contract: Contract, status: int, code: str, message: str) -> tuple[dict[str, Any], str]:
    """A body of the contract's first error shape documented for ``status`` (reference servers).

    Required members are filled by type: the code member gets the vendor's code (``errors.codes``
    maps an OAuth code to it), the message member the message, other strings the status phrase,
    integers the status.
    """
    documented = documented_content(contract, status)
    entry = next(
        (item for item in contract.error_bodies if any(media in documented for media in item.media_types)),
        contract.error_bodies[0],
    )
    media_type = next((media for media in entry.media_types if media in documented), entry.media_types[0])
    properties = entry.schema.get("properties", {})
    names = list(dict.fromkeys([*entry.schema.get("required", ()), entry.code_field, entry.message_field]))
    phrase = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {}
    for name in names:
        if name is None:
            continue
        kind = properties.get(name, {}).get("type", "string")
        if name == entry.code_field:
            body[name] = contract.error_codes.get(code, code)
        elif name == entry.message_field:
            body[name] = message
        elif kind == "integer":
            body[name] = status
        elif kind == "object":
            body[name] = {}
        elif kind == "array":
            body[name] = []
        else:
            body[name] = phrase
    return body, media_type
