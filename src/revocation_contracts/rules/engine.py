"""The rules: pure functions from (contract, response view) to typed violations.

Why pure functions: the same rule runs inside schemathesis (``checks.py``), in the explicit
tests (``verdict.py``) and in the semantic properties (``semantics/run.py``). Written once
over a ``ResponseView`` and returning ``Violation``s, it cannot drift between callers, and
each caller only decides what a violation does there (raise a schemathesis failure, fail a
pytest test, record a warning). No rule sends a request, reads a file or knows a vendor by
name: everything comes from the contract's data and the clause registry.

The rules and their clauses (``docs/contracts.md`` explains each id):

- ``error_body``: RFC6749-5.2 (or the contract's error format clause), the error body and
  the status each OAuth error code may carry.
- ``basic_challenge``: RFC6749-5.2, a 401 after HTTP Basic names the Basic scheme in
  ``WWW-Authenticate`` (failure); RFC9110-15.5.2, a 401 to a request without an
  ``Authorization`` header should carry a challenge too (warning).
- ``success_body``: the contract's success body (Polar ``{}``, 204 empty, Auth0 empty or short).
- ``credential_echo``: PIN-no-echo, no response repeats the client secret or the token sent.
- ``answer``: everything a situation's answer must be, for the explicit and semantic tests
  (and the schema test's requests that only lack or empty the token), with the shared verdict
  levels for other methods (PIN-method-refused / PIN-method-405), undocumented media types
  (PIN-media-type, a failure where the vendor documents it) and a contract's warned second
  readings (PIN-missing-token-as-invalid).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from revocation_contracts.model.contract import Answer, Contract
from revocation_contracts.redact import secret_forms
from revocation_contracts.rules import error_bodies
from revocation_contracts.rules.clauses import answer_clause, registered
from revocation_contracts.rules.violation import (
    FAILURE,
    WARNING,
    ResponseView,
    Violation,
    basic_credentials,
    parse_json,
)

# Auth0 tolerates "a short text body such as OK" on success.
SHORT_TEXT_LIMIT = 64
# Shorter values (e.g. a generated one-letter token) match by accident; they prove nothing.
MIN_ECHO_LENGTH = 8
CHALLENGE_SPLIT = re.compile(r",(?=\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s|$))")


def _failure(clause: str, title: str, expected: str, actual: str) -> Violation:
    return Violation(clause, FAILURE, title, expected, actual)


# -- error bodies --------------------------------------------------------------------------------


def error_body_required(contract: Contract, status: int) -> bool:
    """Whether a status must carry one of the contract's error bodies (RFC6749-5.2).

    The rule is data-driven (``rules/error_bodies.py`` over ``model/errors.py``): every 4xx but the
    framework's 405 and 429, and 404/415 only where the document gives them a body.
    """
    return error_bodies.error_body_required(contract, status)


def error_body_violation(contract: Contract, status: int, media_type: str, body: Any) -> tuple[str, str, str] | None:
    """``(clause, expected, actual)`` when an error answer fits none of the contract's error bodies.

    The shapes are data (``x-revocation.errors.bodies``: OpenAPI schemas, media types, where the
    code lives); each carries the clause a body that fits none of them breaks.
    """
    return error_bodies.error_body_violation(contract, status, media_type, body)


def error_body(contract: Contract, view: ResponseView) -> list[Violation]:
    """RFC 6749 section 5.2: a 4xx carries the contract's error body, and its code its status."""
    if not error_body_required(contract, view.status):
        return []
    problem = error_body_violation(contract, view.status, view.media_type, view.json())
    if problem is None:
        return []
    return [_failure(problem[0], "Error body breaks the contract", problem[1], problem[2])]


# -- the Basic challenge -------------------------------------------------------------------------


def challenge_violation(header: str | None) -> str | None:
    """Why a WWW-Authenticate value does not challenge for Basic, or None."""
    if not header:
        return "no WWW-Authenticate header"
    schemes = [part.strip().split(" ")[0].lower() for part in CHALLENGE_SPLIT.split(header)]
    if "basic" not in schemes:
        return f"WWW-Authenticate schemes {schemes}"
    return None


def basic_challenge(contract: Contract, view: ResponseView) -> list[Violation]:
    """RFC 6749 section 5.2: "If the client attempted to authenticate via the Authorization
    request header field, the authorization server MUST ... include the WWW-Authenticate
    response header field matching the authentication scheme used by the client" (failure).
    RFC 9110 section 15.5.2: a 401 "MUST send a WWW-Authenticate header field"; for a request
    without an Authorization header the project's rules make that a warning, judged only where the
    contract offers HTTP Basic (a scheme the server could challenge with)."""
    if view.status != 401 or "basic" not in contract.client_auth.methods:
        return []
    authorization = view.request.header("Authorization")
    if basic_credentials(authorization) is not None:
        problem = challenge_violation(view.header("WWW-Authenticate"))
        if problem is None:
            return []
        return [_failure("RFC6749-5.2", "Missing Basic challenge", "WWW-Authenticate naming the Basic scheme", problem)]
    if authorization is None and not view.header("WWW-Authenticate"):
        return [
            Violation(
                "RFC9110-15.5.2",
                WARNING,
                "401 without a challenge",
                "a WWW-Authenticate header on a 401",
                "no WWW-Authenticate header",
            )
        ]
    return []


# -- success bodies ------------------------------------------------------------------------------

BODY_KIND_TEXT = {
    "empty": "an empty body",
    "empty-object": "application/json body {}",
    "empty-or-text": "an empty body or a short text/plain body",
}


def success_body_violation(kinds: set[str], content: bytes, media_type: str) -> tuple[str, str] | None:
    """(expected, actual) when a success body fits none of the allowed kinds, else None."""
    if "any" in kinds:
        return None
    for kind in kinds:
        if kind == "empty" and not content:
            return None
        if kind == "empty-object" and media_type == "application/json" and parse_json(content) == {}:
            return None
        if kind == "empty-or-text" and (
            not content or (media_type.startswith("text/") and len(content) <= SHORT_TEXT_LIMIT)
        ):
            return None
    wanted = " or ".join(BODY_KIND_TEXT.get(kind, kind) for kind in sorted(kinds))
    return wanted, f"{media_type or 'no content type'} body of {len(content)} bytes"


def success_body(contract: Contract, view: ResponseView) -> list[Violation]:
    """The contract's success body: exactly ``{}``, empty, or a short text (vendor documents)."""
    if view.status not in contract.success_statuses or not 200 <= view.status < 300:
        return []
    kinds = {contract.answers["revoked"].body, contract.answers["unknown-token"].body}
    problem = success_body_violation(kinds, view.body, view.media_type)
    if problem is None:
        return []
    return [_failure(answer_clause(contract, "revoked"), "Success body breaks the contract", *problem)]


# -- credential echo -----------------------------------------------------------------------------


def body_fields(body: bytes | str | None) -> dict[str, Any]:
    """The fields of a JSON object or form body; ``{}`` for anything else."""
    if not body:
        return {}
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
        return data if isinstance(data, dict) else {}
    except ValueError:
        return dict(parse_qsl(text, keep_blank_values=True))


def sent_secrets(contract: Contract, view: ResponseView) -> list[str]:
    """Secret values a request carried, in every form they may come back in (``secret_forms``:
    raw, percent- and JSON-encoded): the Basic credentials (the base64 token itself, and the
    secret in it), the vendor key header, the body secret and the token."""
    values: list[str] = []
    authorization = view.request.header("Authorization") or ""
    basic = basic_credentials(authorization)
    if basic is not None:
        token = authorization[6:].strip()
        values += [token, token.rstrip("="), *secret_forms(basic[1])]
    if contract.client_auth.secret_header:
        values += secret_forms(view.request.header(contract.client_auth.secret_header) or "")
    fields = body_fields(view.request.body)
    for name in (contract.client_auth.secret_field, contract.token_field):
        value = fields.get(name)
        if isinstance(value, str):
            values += secret_forms(value)
    return [value for value in dict.fromkeys(values) if len(value) >= MIN_ECHO_LENGTH]


def echoed(sent: list[str], content: bytes, headers: dict[str, str]) -> str | None:
    """Where a sent secret reappears in a response ("body" or "header NAME"), or None."""
    text = content.decode("utf-8", "replace")
    for value in sent:
        if value in text:
            return "the response body repeats a secret that was sent"
        for name, header_value in headers.items():
            if value in str(header_value):
                return f"response header {name} repeats a secret that was sent"
    return None


def credential_echo(contract: Contract, view: ResponseView, values: list[str] | None = None) -> list[Violation]:
    """PIN-no-echo: no response body or header contains the client secret or the token sent."""
    leaked = echoed(sent_secrets(contract, view) if values is None else values, view.body, view.headers)
    if leaked is None:
        return []
    return [_failure("PIN-no-echo", "Credential echoed", "no secret or token in the response", leaked)]


# -- a situation's whole answer ------------------------------------------------------------------


def answer(contract: Contract, situation: str, view: ResponseView) -> list[Violation]:
    """Every violation of the contract's answer to ``situation``: the one verdict on it, for the
    explicit tests, the semantic properties and the schema test's generated cases alike.

    A status the answer does not list but one of its ``warned`` readings does is judged by that
    reading (its body, its error code) and, when it fits, earns one warning citing the reading's
    clause: where the RFCs allow two readings, both pass, the less common one with a warning
    (rfc7009's 200 for a missing token, PIN-missing-token-as-invalid: RFC 6749 5.2 names
    invalid_request for a missing required parameter, RFC 7009 2.2 answers an invalid token 200).
    Any other status is a failure under the answer's clause.
    """
    if situation == "undocumented-method":
        return _method_answer(contract, view) + credential_echo(contract, view)
    if situation == "unsupported-media-type":
        return _media_type_answer(contract, view) + credential_echo(contract, view)
    expected = contract.answer(situation)
    clause = answer_clause(contract, situation)
    reading = contract.warned_reading(situation, view.status)
    if reading is not None:
        found = _fits(contract, situation, reading, reading.clause, view)
        if not any(violation.level == FAILURE for violation in found):
            title = f"{situation} answered {view.status}: another defensible reading"
            found.insert(0, Violation(reading.clause, WARNING, title, f"status {expected.describe()}", view.describe()))
        return found + credential_echo(contract, view)
    if view.status not in expected.statuses:
        return [
            _failure(clause, f"Wrong answer to {situation}", f"status {expected.describe()}", view.describe()),
            *credential_echo(contract, view),
        ]
    return _fits(contract, situation, expected, clause, view) + credential_echo(contract, view)


def _fits(contract: Contract, situation: str, expected: Answer, clause: str, view: ResponseView) -> list[Violation]:
    """What breaks ``expected`` in an answer whose status it lists: the success body, or the
    error body and code, and the Basic challenge."""
    status = view.status
    found: list[Violation] = []
    if 200 <= status < 300:
        problem = success_body_violation({expected.body}, view.body, view.media_type)
        if problem is not None:
            found.append(_failure(clause, f"Wrong body in the answer to {situation}", problem[0], view.describe()))
    elif error_body_required(contract, status):
        found += error_body(contract, view)
        code = error_bodies.error_code(contract, view.json())
        if not found and expected.error and code is not None and code != expected.error:
            found.append(
                _failure(clause, f"Wrong error code for {situation}", f"error {expected.error!r}", view.describe())
            )
    return found + basic_challenge(contract, view)


def _method_answer(contract: Contract, view: ResponseView) -> list[Violation]:
    """PIN-method-refused: another method never gets a 2xx or 5xx (failure); PIN-method-405:
    it should get 405 (any other refusal is a warning; routers answer 404, oauthlib 400)."""
    status = view.status
    if 200 <= status < 300 or status >= 500:
        return [_failure("PIN-method-refused", "Another method was not refused", "a 4xx (405)", view.describe())]
    if status == 405:
        return []
    return [Violation("PIN-method-405", WARNING, "Another method not answered 405", "405", view.describe())]


def _media_type_answer(contract: Contract, view: ResponseView) -> list[Violation]:
    """PIN-media-type: a body in an undocumented media type should be refused with a 4xx;
    accepting it is a warning, a failure only where the contract's clause for the situation
    is a vendor document (Voucherify's 415). The body of a refusal is not judged: frameworks
    reject such a body before the OAuth layer. A 5xx is RFC6749-5.2's failure."""
    status = view.status
    if status >= 500:
        return [_failure("RFC6749-5.2", "Server error on client input", "a 4xx refusal", view.describe())]
    clause = answer_clause(contract, "unsupported-media-type")
    statuses = contract.answer("unsupported-media-type")
    expected = f"a 4xx refusal ({statuses.describe()})"
    known = registered(contract)
    if clause in known and known[clause].source in ("doc", "obs"):
        # The vendor documents the refusal: its statuses, not any 4xx (a 404 is an unknown token).
        if status in statuses.statuses:
            return []
        return [_failure(clause, "Undocumented media type not refused as documented", expected, view.describe())]
    if 400 <= status < 500:
        return []
    return [Violation(clause, WARNING, "Undocumented media type accepted", expected, view.describe())]


def never_5xx(view: ResponseView, what: str) -> list[Violation]:
    """RFC 6749 section 5.2: client input, however malformed, is refused with a 4xx, never a 5xx."""
    if view.status < 500:
        return []
    return [_failure("RFC6749-5.2", f"Server error on {what}", "a 4xx refusal, never a 5xx", view.describe())]


def refusal(contract: Contract, view: ResponseView, what: str) -> list[Violation]:
    """RFC 6749 section 5.2: client input, however malformed, is refused with a 4xx (or, where
    the server reads what it can, answered with the contract's success); never a 5xx."""
    if 400 <= view.status < 500 or view.status in contract.success_statuses:
        return credential_echo(contract, view)
    return [_failure("RFC6749-5.2", f"Server did not refuse {what}", "a 4xx refusal, never a 5xx", view.describe())]


def empty_parameter_refusal(contract: Contract, view: ResponseView) -> list[Violation]:
    """PIN-empty-parameter: a parameter sent empty that the server does not read as omitted
    is refused as invalid with the contract's 400 (its missing or unsupported answer's status,
    e.g. Mollie's 422) and its error body."""
    allowed = set(contract.answer("missing-token").statuses)
    if contract.has_answer("unsupported-hint"):
        allowed |= contract.answer("unsupported-hint").statuses
    if view.status not in allowed:
        expected = "the answer to the parameter omitted, or 400 with the contract's error body"
        return [
            _failure("PIN-empty-parameter", "Empty parameter neither omitted nor refused", expected, view.describe())
        ]
    return error_body(contract, view) + credential_echo(contract, view)
