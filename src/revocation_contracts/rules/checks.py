"""Response checks schemathesis lacks for OAuth revocation endpoints.

Each check is a plain ``check(ctx, response, case)`` function registered with
``@schemathesis.check`` and run on every response the schema tests receive, beside
schemathesis' built-in checks. Each reads the contract from the case's own OpenAPI document
(``x-revocation``), so the same functions serve every contract and stay silent on documents
that are not revocation contracts. Each failure is a typed ``ContractViolation`` naming the
clause, what was expected and what came back; the reproduction command is added by
schemathesis (with its own header sanitization) and, for our explicit tests, by ``curl.py``.

The rule each check enforces:

- ``oauth_error_body``: RFC 6749 section 5.2, the error body and the status each error code
  must carry (``invalid_client`` 400/401, every other code 400), or the vendor's error format.
- ``basic_challenge``: RFC 6749 section 5.2, a 401 after HTTP Basic authentication carries a
  ``WWW-Authenticate`` header for the Basic scheme.
- ``success_body``: the contract's success body (Polar ``{}``, 204 empty, Auth0 empty or
  short text).
- ``no_credential_echo``: CONTRACTS.md, no response body or header contains the client secret
  or the token sent for revocation.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode

import requests
import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.core.failures import Failure, Severity

from revocation_contracts.model.contract import Contract, contract_from_document

# RFC 6749 section 5.2: error = 1*( %x20-21 / %x23-5B / %x5D-7E )
ERROR_CODE = re.compile(r"^[\x20-\x21\x23-\x5B\x5D-\x7E]+$")
# Auth0 tolerates "a short text body such as OK" on success.
SHORT_TEXT_LIMIT = 64
# Shorter values (e.g. a generated one-letter token) match by accident; they prove nothing.
MIN_ECHO_LENGTH = 8
# The one extra request that tells a token echo from a coincidence (see token_echo_confirmed).
CONTROL_TIMEOUT = 10.0


class ContractViolation(Failure):
    """A response broke a clause of the contract; carries the clause, expected and actual."""

    code = "RC901"
    kind_title = "Revocation contract violated"
    __slots__ = ("actual", "clause", "expected")

    def __init__(self, *, operation: str, clause: str, expected: str, actual: str, title: str) -> None:
        super().__init__(
            operation=operation,
            title=title,
            message=f"[{clause}] expected {expected}; got {actual}",
            severity=Severity.HIGH,
        )
        self.clause = clause
        self.expected = expected
        self.actual = actual

    @property
    def _unique_key(self) -> Any:
        return (self.title, self.clause, self.expected)


# Schemas live for the whole session, so their identity is a safe cache key.
_CONTRACTS_BY_DOCUMENT: dict[int, Contract | None] = {}


def contract_for(case: Case[Any]) -> Contract | None:
    """The revocation contract behind a case, or None for any other API's schema."""
    document = case.operation.schema.raw_schema
    key = id(document)
    if key not in _CONTRACTS_BY_DOCUMENT:
        has_extension = isinstance(document, dict) and "x-revocation" in document
        _CONTRACTS_BY_DOCUMENT[key] = contract_from_document(document, "") if has_extension else None
    return _CONTRACTS_BY_DOCUMENT[key]


def parse_json(content: bytes | None) -> Any:
    """The JSON value of a body, or None when it is empty or not JSON."""
    try:
        return json.loads(content or b"")
    except ValueError:
        return None


def _media_type(response: Response) -> str:
    values = response.headers.get("content-type") or [""]
    value = values[0] if isinstance(values, list) else values
    return value.split(";")[0].strip().lower()


def _header(response: Response, name: str) -> str | None:
    values = response.headers.get(name.lower())
    if not values:
        return None
    return values[0] if isinstance(values, list) else values


def _fail(case: Case[Any], clause: str, expected: str, actual: str, title: str) -> None:
    raise ContractViolation(
        operation=case.operation.label, clause=clause, expected=expected, actual=actual, title=title
    )


@schemathesis.check
def oauth_error_body(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """RFC 6749 section 5.2: a 4xx carries the contract's error body, and its code its status."""
    contract = contract_for(case)
    if contract is None or not error_body_required(contract, response.status_code):
        return None
    body = parse_json(response.content)
    violation = error_body_violation(contract, response.status_code, _media_type(response), body)
    if violation is not None:
        clause, expected, actual = violation
        _fail(case, clause, expected, actual, "Error body breaks the contract")
    return None


def error_body_required(contract: Contract, status: int) -> bool:
    """Whether a status must carry the contract's error body (shared with explicit tests).

    Method and rate-limit refusals (405, 429) come from the framework and no contract gives
    them a body; routing and media-type refusals (404, 415) may too, except for Voucherify,
    whose error catalogue documents both.
    """
    if not 400 <= status < 500 or status in (405, 429):
        return False
    return not (status in (404, 415) and contract.error_format != "voucherify")


def error_body_violation(contract: Contract, status: int, media_type: str, body: Any) -> tuple[str, str, str] | None:
    """Why an error answer breaks the contract's error format, or None; shared with explicit tests."""
    if contract.error_format == "voucherify":
        if status == 404 and body is None:
            return None  # "Returns an empty error if a token was not found" [doc]
        if not (isinstance(body, dict) and isinstance(body.get("code"), int) and isinstance(body.get("message"), str)):
            return (
                "Voucherify error format [doc]",
                'JSON {"code": int, "message": str, ...}',
                _describe(body, media_type),
            )
        return None
    if contract.error_format == "oauth-or-hal" and isinstance(body, dict) and "error" not in body:
        hal_ok = (
            isinstance(body.get("status"), int)
            and isinstance(body.get("title"), str)
            and isinstance(body.get("detail"), str)
        )
        if not hal_ok or media_type not in ("application/hal+json", "application/json"):
            return ("Mollie error format [obs]", 'HAL JSON {"status", "title", "detail"}', _describe(body, media_type))
        return None
    if media_type != "application/json" or not isinstance(body, dict):
        return ("RFC 6749 section 5.2", 'application/json {"error": ...}', _describe(body, media_type))
    code = body.get("error")
    if not isinstance(code, str) or not ERROR_CODE.match(code):
        return ("RFC 6749 section 5.2", "an 'error' member holding an ASCII error code", _describe(body, media_type))
    for member in ("error_description", "error_uri"):
        if member in body and not isinstance(body[member], str):
            return ("RFC 6749 section 5.2", f"{member!r} as a string", f"{type(body[member]).__name__}")
    allowed = contract.statuses_for_error(code)
    if status not in allowed:
        statuses = " or ".join(str(status) for status in sorted(allowed))
        return ("RFC 6749 section 5.2", f"error {code!r} with status {statuses}", f"status {status}")
    return None


def _describe(body: Any, media_type: str) -> str:
    shown = (
        "no JSON body"
        if body is None
        else f"{type(body).__name__} {sorted(body)[:5] if isinstance(body, dict) else ''}"
    )
    return f"{media_type or 'no content type'}, {shown}".strip()


def _sent_basic_credentials(response: Response) -> tuple[str, str] | None:
    header = response.request.headers.get("Authorization") or ""
    if header[:6].lower() != "basic ":
        return None
    try:
        client_id, _, secret = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    return client_id, secret


@schemathesis.check
def basic_challenge(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """RFC 6749 section 5.2: a 401 after HTTP Basic MUST carry WWW-Authenticate for Basic."""
    contract = contract_for(case)
    if contract is None or response.status_code != 401 or "basic" not in contract.client_auth.methods:
        return None
    if _sent_basic_credentials(response) is None:
        return None
    violation = challenge_violation(_header(response, "WWW-Authenticate"))
    if violation is not None:
        _fail(
            case,
            "RFC 6749 section 5.2",
            "WWW-Authenticate naming the Basic scheme",
            violation,
            "Missing Basic challenge",
        )
    return None


def challenge_violation(header: str | None) -> str | None:
    """Why a WWW-Authenticate value does not challenge for Basic, or None."""
    if not header:
        return "no WWW-Authenticate header"
    schemes = [
        part.strip().split(" ")[0].lower() for part in re.split(r",(?=\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s|$))", header)
    ]
    if "basic" not in schemes:
        return f"WWW-Authenticate schemes {schemes}"
    return None


@schemathesis.check
def success_body(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """The contract's success body: exactly ``{}``, empty, or a short text (CONTRACTS.md, vendor docs)."""
    contract = contract_for(case)
    if contract is None or response.status_code not in contract.success_statuses:
        return None
    if not 200 <= response.status_code < 300:
        return None
    kinds = {contract.answers["revoked"].body, contract.answers["unknown-token"].body}
    violation = success_body_violation(kinds, response.content or b"", _media_type(response))
    if violation is not None:
        clause = contract.answers["revoked"].clause
        _fail(case, clause, violation[0], violation[1], "Success body breaks the contract")
    return None


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
    expected = {
        "empty": "an empty body",
        "empty-object": "application/json body {}",
        "empty-or-text": "an empty body or a short text/plain body",
    }
    wanted = " or ".join(expected.get(kind, kind) for kind in sorted(kinds))
    return wanted, f"{media_type or 'no content type'} body of {len(content)} bytes"


@schemathesis.check
def no_credential_echo(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """CONTRACTS.md: no response body or header contains the client secret or the token sent."""
    contract = contract_for(case)
    if contract is None:
        return None
    request = response.request
    sent = sent_secrets(contract, request.headers, request.body)
    leaked = echoed(sent, response.content or b"", response.headers)
    if leaked:
        token = _body_fields(request.body).get(contract.token_field)
        credentials = [value for value in sent if value != token]
        only_the_token = echoed(credentials, response.content or b"", response.headers) is None
        session = (ctx.internals.transport_kwargs or {}).get("session")
        if only_the_token and not token_echo_confirmed(contract, request, session):
            return None
        _fail(
            case,
            "CONTRACTS.md credentials never echo",
            "no secret or token in the response",
            leaked,
            "Credential echoed",
        )
    return None


def sent_secrets(contract: Contract, headers: Any, body: bytes | str | None) -> list[str]:
    """Secret values a request carried: Basic secret, vendor key header, body secret and token."""
    values: list[str] = []
    header = headers.get("Authorization") or ""
    if header[:6].lower() == "basic ":
        with contextlib.suppress(binascii.Error, UnicodeDecodeError, ValueError):
            values.append(base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")[2])
    if contract.client_auth.secret_header:
        values.append(headers.get(contract.client_auth.secret_header) or "")
    fields = _body_fields(body)
    for name in (contract.client_auth.secret_field, contract.token_field):
        value = fields.get(name)
        if isinstance(value, str):
            values.append(value)
    return [value for value in values if len(value) >= MIN_ECHO_LENGTH]


def _body_fields(body: bytes | str | None) -> dict[str, Any]:
    if not body:
        return {}
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
        return data if isinstance(data, dict) else {}
    except ValueError:
        return dict(parse_qsl(text, keep_blank_values=True))


def token_echo_confirmed(contract: Contract, request: Any, session: requests.Session | None = None) -> bool:
    """Whether the server repeats whatever token it is sent, not this one value by coincidence.

    A generated token can be a word the server says anyway: Hypothesis draws string constants
    from the code under test, such as an error code, a field name or a phrase of an error
    message, and a response quoting ``token_type_hint`` leaks nothing. So the request goes
    once more with a fresh marker as the token; only a server that echoes tokens repeats it.
    The control request is sent only when a generated token came back, through the suite's
    session when there is one (so --rate-limit and retries apply). If it cannot be sent, the
    echo is not ruled out.
    """
    marker = f"rc-echo-probe-{uuid.uuid4().hex}"
    body = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else request.body or ""
    try:
        data = json.loads(body)
    except ValueError:
        pairs = parse_qsl(body, keep_blank_values=True)
        control_body = urlencode([(key, marker if key == contract.token_field else value) for key, value in pairs])
    else:
        if not isinstance(data, dict):
            return True
        control_body = json.dumps({**data, contract.token_field: marker})
    headers = {name: value for name, value in request.headers.items() if name.lower() != "content-length"}
    try:
        control = (session or requests).request(
            request.method,
            request.url,
            headers=headers,
            data=control_body.encode("utf-8"),
            timeout=CONTROL_TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException:
        return True
    return echoed([marker], control.content, control.headers) is not None


def echoed(sent: list[str], content: bytes, headers: Any) -> str | None:
    """Where a sent secret reappears in a response ("body" or "header NAME"), or None."""
    text = content.decode("utf-8", "replace")
    for value in sent:
        if value in text:
            return "the response body repeats a secret that was sent"
        for name, header_values in headers.items():
            listed = header_values if isinstance(header_values, list) else [header_values]
            if any(value in str(item) for item in listed):
                return f"response header {name} repeats a secret that was sent"
    return None


OAUTH_CHECKS = (oauth_error_body, basic_challenge, success_body, no_credential_echo)
