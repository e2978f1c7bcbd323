"""The schemathesis adapter: the engine's rules as schemathesis checks.

Each check is a plain ``check(ctx, response, case)`` function registered with
``@schemathesis.check`` and run on every response the schema tests receive, beside
schemathesis' built-in checks. Each reads the contract from the case's own OpenAPI document
(``x-revocation``), turns the response into a ``ResponseView`` and calls the pure rule in
``engine.py``; a failure-level ``Violation`` is raised as a ``ContractViolation`` (a
schemathesis ``Failure`` carrying it), a warning is handed to ``record_warning``'s sink for
the running test (``outcomes.py``). The checks stay silent on documents that are not
revocation contracts, so other schemathesis tests in the same process are untouched.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import requests
import schemathesis
from schemathesis import Case, CheckContext, Response

from revocation_contracts.compat import Failure, Severity
from revocation_contracts.model.contract import Contract, contract_from_document
from revocation_contracts.redact import secret_forms
from revocation_contracts.rules import engine
from revocation_contracts.rules.outcomes import collect_warning
from revocation_contracts.rules.violation import FAILURE, ResponseView, Violation, view_of
from revocation_contracts.transport.curl import as_curl
from revocation_contracts.transport.session import TargetUnreachable

# The one extra request that tells a token echo from a coincidence (see token_echo_confirmed).
CONTROL_TIMEOUT = 10.0


class ContractViolation(Failure):
    """A response broke a clause of the contract; carries the engine's ``Violation``."""

    code = "RC901"
    kind_title = "Revocation contract violated"
    __slots__ = ("violation",)

    def __init__(self, *, operation: str, violation: Violation) -> None:
        super().__init__(
            operation=operation,
            title=violation.title,
            message=f"[{violation.clause}] expected {violation.expected}; got {violation.actual}",
            severity=Severity.HIGH,
        )
        self.violation = violation

    @property
    def _unique_key(self) -> Any:
        return (self.violation.title, self.violation.clause, self.violation.expected)


# Schemas live for the whole session; the cache holds each document itself beside its
# contract, so an id() can never be reused by another document while its entry exists.
_CONTRACTS_BY_DOCUMENT: dict[int, tuple[Any, Contract | None]] = {}


def contract_for(case: Case[Any]) -> Contract | None:
    """The revocation contract behind a case, or None for any other API's schema."""
    document = case.operation.schema.raw_schema
    cached = _CONTRACTS_BY_DOCUMENT.get(id(document))
    if cached is not None and cached[0] is document:
        return cached[1]
    has_extension = isinstance(document, dict) and "x-revocation" in document
    contract = contract_from_document(document, "") if has_extension else None
    _CONTRACTS_BY_DOCUMENT[id(document)] = (document, contract)
    return contract


def _reproduction(view: ResponseView) -> str:
    request = view.request
    return as_curl(request.method, request.url, request.headers, request.body)


def _judge(case: Case[Any], response: Response, rule: Callable[[Contract, ResponseView], list[Violation]]) -> None:
    contract = contract_for(case)
    if contract is None:
        return
    view = view_of(response)
    for violation in rule(contract, view):
        located = violation.with_reproduction(_reproduction(view))
        if violation.level != FAILURE:
            collect_warning(located)
            continue
        raise ContractViolation(operation=case.operation.label, violation=located)


@schemathesis.check
def oauth_error_body(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """RFC6749-5.2: a 4xx carries the contract's error body, and its code its status."""
    _judge(case, response, engine.error_body)
    return None


@schemathesis.check
def basic_challenge(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """RFC6749-5.2: a 401 after HTTP Basic carries WWW-Authenticate for Basic (RFC9110-15.5.2 warns)."""
    _judge(case, response, engine.basic_challenge)
    return None


@schemathesis.check
def success_body(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """The contract's success body: exactly ``{}``, empty, or a short text (vendor documents)."""
    _judge(case, response, engine.success_body)
    return None


@schemathesis.check
def no_credential_echo(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """PIN-no-echo: no response body or header contains the client secret or the token sent."""
    contract = contract_for(case)
    if contract is None:
        return None
    view = view_of(response)
    found = engine.credential_echo(contract, view)
    if not found:
        return None
    token = engine.body_fields(view.request.body).get(contract.token_field)
    token_forms = secret_forms(token) if isinstance(token, str) else set()
    credentials = [value for value in engine.sent_secrets(contract, view) if value not in token_forms]
    only_the_token = not engine.credential_echo(contract, view, credentials)
    session = (ctx.internals.transport_kwargs or {}).get("session")
    if only_the_token and not token_echo_confirmed(contract, response.request, session):
        return None
    raise ContractViolation(operation=case.operation.label, violation=found[0].with_reproduction(_reproduction(view)))


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
    except TargetUnreachable:
        raise  # the breaker tripped: the run stops, this is no verdict
    except requests.RequestException:
        return True
    return engine.echoed([marker], control.content, dict(control.headers)) is not None


OAUTH_CHECKS = (oauth_error_body, basic_challenge, success_body, no_credential_echo)
