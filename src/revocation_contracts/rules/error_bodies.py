"""The error-body rule: whether a 4xx must carry one of the contract's error bodies, and whether it does.

Why a module of its own: the contract describes its error shapes as data
(``model/errors.py``: a schema, media types, the member holding the code); judging an answer
against them is a rule (RFC 6749 section 5.2: ``error`` is a code of a restricted ASCII
grammar, and each code has its status), and rules live here, pure, over the contract's data.
``engine.py`` turns the ``(clause, expected, actual)`` it finds into a ``Violation``.
"""

from __future__ import annotations

import re
from typing import Any

from revocation_contracts.model.contract import Contract
from revocation_contracts.model.errors import ErrorBody

# RFC 6749 section 5.2: error = 1*( %x20-21 / %x23-5B / %x5D-7E )
ERROR_CODE = re.compile(r"^[\x20-\x21\x23-\x5B\x5D-\x7E]+$")
# Framework refusals no contract gives a body: a wrong method (RFC 9110 15.5.6) and throttling.
NEVER_BODY = frozenset({405, 429})
# Routing and media-type refusals come from frameworks too; a body is due only where documented.
BODY_IF_DOCUMENTED = frozenset({404, 415})


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
    return bool(contract.documented_content(status)) or any(
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
