"""The schema test's driver: send each case schemathesis generates to a target, judge it once.

Why a room of its own above ``target``: the judgement is pure and lives in
``rules/schema_suite.py`` (the config from the contract, which situation a case is, one verdict
per answer); what is left needs a live endpoint (``Target``: its session, credentials and
redactor), which no rule may know of.

The schema test (``run_schema_test``) is the suite's own pytest test, one per API operation:
schemathesis builds the operation's Hypothesis test with every phase its config enables
(``compat.operation_test``) and the suite runs it inside that test. Each generated case is sent
and judged once (``run_case``, ``schema_suite.one_verdict``): one rule, one verdict. Failures
and warnings are the engine's typed ``Violation``s, settled like an explicit test's
(``outcomes.settle``).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case
from schemathesis.errors import FailureGroup

from revocation_contracts import compat
from revocation_contracts.model.contract import ASSERTION_FIELDS
from revocation_contracts.rules import checks as oauth_checks
from revocation_contracts.rules.outcomes import ContractFailure, settle
from revocation_contracts.rules.schema_suite import UNDOCUMENTED_MEDIA_TYPE, one_verdict, situation_of
from revocation_contracts.rules.violation import ResponseView, Violation, view_of
from revocation_contracts.target import Target
from revocation_contracts.transport.client import credential_headers
from revocation_contracts.transport.curl import reproduction
from revocation_contracts.transport.session import raise_if_throttled

EMPTY_TOKEN_STAND_IN = "rc-unknown-token-for-empty"
# The name under which ``run_case`` hands the target to the ``before_call`` hook below.
TARGET_KWARG = "_revocation_contracts_target"


@schemathesis.hook("before_call")
def inject_body_credentials(context: Any, case: Case[Any], kwargs: dict[str, Any]) -> None:
    """Put the suite's credentials into body-authenticated requests (Polar, Auth0).

    It runs as a ``before_call`` hook because schemathesis re-validates a case's
    positive/negative metadata only after edits made there: a negative example whose only
    fault was a generated ``client_secret`` becomes positive once the real one replaces it,
    and its checks must know. It acts only on calls made by ``run_case`` (which passes the
    target under ``TARGET_KWARG``), so other schemathesis tests in the process are untouched.
    """
    target = kwargs.pop(TARGET_KWARG, None)
    if target is None or not isinstance(case.body, dict):
        return
    contract = target.contract
    if contract.empty_token == "either" and case.body.get(contract.token_field) == "":
        # Where the contract lets an empty token read as missing or as unknown, no generated
        # verdict on it is sound; test_protocol.py::test_empty_token judges it explicitly.
        case.body[contract.token_field] = EMPTY_TOKEN_STAND_IN
    auth = contract.client_auth
    for name in ASSERTION_FIELDS:
        # Signed client assertions (RFC 7523) are documented but never sent: a generated one is noise.
        case.body.pop(name, None)
    if auth.default_method.endswith("-body"):
        case.body[auth.id_field] = target.credentials.client_id
        case.body[auth.secret_field] = target.credentials.client_secret
    else:
        # RFC 6749 2.3.1: a client MUST NOT use more than one authentication method per request,
        # so generated body credentials go when the suite authenticates in a header; also where
        # discovery narrowed the contract to header methods while its document still lists the
        # body fields (a generated client_secret is no credential, and a server may repeat it).
        case.body.pop(auth.id_field, None)
        case.body.pop(auth.secret_field, None)


def run_schema_test(schema: Any, target: Target) -> None:
    """Generate the contract operation's cases in every phase the schema's config enables and
    judge each answer; raise one ``ContractFailure`` with the violations of the failing case.

    Hypothesis runs inside the calling test (``compat.operation_test``): it finds a failing
    case, shrinks it, and raises the failure of the smallest one; distinct failures (one per
    phase or cause) arrive as an exception group, folded here into one failure carrying all
    their violations, so pytest prints the compact text of ``Violation.render``.
    """
    __tracebackhide__ = True
    contract = target.contract
    operation = schema[next(iter(schema))][contract.method.upper()]
    test = compat.operation_test(schema, operation, _one_case)
    try:
        test(target=target)
    except BaseExceptionGroup as group:
        failures, rest = group.split(ContractFailure)
        if failures is None or rest is not None:
            raise
        raise ContractFailure(_distinct(_leaves(failures))) from None


def _leaves(group: BaseExceptionGroup[Any]) -> list[Violation]:
    found: list[Violation] = []
    for error in group.exceptions:
        found += _leaves(error) if isinstance(error, BaseExceptionGroup) else list(error.violations)
    return found


def _distinct(violations: list[Violation]) -> list[Violation]:
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for violation in violations:
        key = (violation.clause, violation.title, violation.expected)
        if key not in seen:
            seen.add(key)
            kept.append(violation)
    return kept


def _one_case(case: Case[Any], target: Target) -> None:
    """One generated case: send it, judge the answer, settle (failures raised, warnings kept)."""
    __tracebackhide__ = True
    view, violations = run_case(case, target)
    if not violations:
        return  # most cases: no curl line to render and redact
    request = view.request
    reproduce = reproduction(request.method, request.url, request.headers, request.body, target.redactor)
    settle([violation.redacted(target.redactor, reproduce) for violation in _distinct(violations)])


def run_case(case: Case[Any], target: Target) -> tuple[ResponseView, list[Violation]]:
    """Send one generated case with the suite's credentials; the answer and its violations."""
    contract = target.contract
    headers = credential_headers(contract, contract.client_auth.default_method, target.credentials)
    kwargs: dict[str, Any] = {"headers": headers} if headers else {}
    call_kwargs: dict[str, Any] = {
        "base_url": target.base_url,
        "session": target.session,
        "timeout": target.timeout,
        TARGET_KWARG: target,
        **kwargs,
    }
    response = case.call(**call_kwargs)
    raise_if_throttled(response)
    view = view_of(response)
    situation = situation_of(contract, view)
    checks: dict[str, Any] = {"additional_checks": list(oauth_checks.OAUTH_CHECKS)}
    if situation == UNDOCUMENTED_MEDIA_TYPE and 400 <= view.status < 500:
        # PIN-media-type: the body of such a refusal is not judged (frameworks refuse it
        # before the OAuth layer), by our checks and by the document's alike; only the echo is.
        checks = {"checks": [oauth_checks.no_credential_echo]}
    try:
        case.validate_response(
            response,
            headers=kwargs.get("headers"),
            transport_kwargs={"base_url": target.base_url, "session": target.session, **kwargs},
            **checks,
        )
        failures: list[Any] = []
    except FailureGroup as group:
        failures = list(group.exceptions)
    return view, one_verdict(contract, view, situation, failures)
