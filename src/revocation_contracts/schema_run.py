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

Side by side (issue 21): against a remote target those cases are a chain of about a hundred
round trips, the longest of a run at 150 ms. The cases do not depend on each other's answers,
so with ``workers`` > 1 (``--semantic-workers``, remote targets only) a first pass collects
them (the same Hypothesis test with a callback that records each case and judges nothing),
sends them a few at a time (``transport/deferred.py``: the library builds each request in the
main thread, only the wire is in threads, through the target's session, so ``--rate-limit``'s
one budget and the fall-back to one request at a time hold), and judges every answer in the
main thread with the same ``one_verdict``. If every case passes, the test passes: those were
the cases the sequential run would have sent (same seed; ``compat.generation_kept``). If any
case fails or warns, or anything goes wrong on the way, nothing of that pass counts: the
sequential run follows, as without it, so shrinking, the failure and its reproduction are
exactly today's. Never against the embedded servers: there the run is CPU-bound, and the
planted proofs pin the sequential run's verdicts.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
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
from revocation_contracts.transport import deferred
from revocation_contracts.transport.client import credential_headers
from revocation_contracts.transport.curl import reproduction
from revocation_contracts.transport.session import raise_if_throttled

EMPTY_TOKEN_STAND_IN = "rc-unknown-token-for-empty"
# The name under which ``run_case`` hands the target to the ``before_call`` hook below.
TARGET_KWARG = "_revocation_contracts_target"
# Recorded on a schema test whose cases went side by side (JUnit ``<property>``), with what came of it.
SIDE_BY_SIDE_PROPERTY = "revocation-schema-side-by-side"
EVENT_STREAM = "text/event-stream"


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


def run_schema_test(
    schema: Any, target: Target, workers: int = 1, note: Callable[[str, object], None] | None = None
) -> None:
    """Generate the contract operation's cases in every phase the schema's config enables and
    judge each answer; raise one ``ContractFailure`` with the violations of the failing case.

    Hypothesis runs inside the calling test (``compat.operation_test``): it finds a failing
    case, shrinks it, and raises the failure of the smallest one; distinct failures (one per
    phase or cause) arrive as an exception group, folded here into one failure carrying all
    their violations, so pytest prints the compact text of ``Violation.render``.

    With ``workers`` > 1 and a remote target, the cases go side by side first (see the
    module's docstring); ``note(name, value)`` is told what came of that pass.
    """
    __tracebackhide__ = True
    contract = target.contract
    operation = schema[next(iter(schema))][contract.method.upper()]
    if workers > 1 and not target.embedded:
        passed = _side_by_side(schema, operation, target, workers)
        if note is not None:
            note(SIDE_BY_SIDE_PROPERTY, f"{passed} cases passed" if passed else "judged again one case at a time")
        if passed:
            return
    test = compat.operation_test(schema, operation, _one_case)
    try:
        test(target=target)
    except BaseExceptionGroup as group:
        failures, rest = group.split(ContractFailure)
        if failures is None or rest is not None:
            raise
        raise ContractFailure(_distinct(_leaves(failures))) from None


def _collect(case: Case[Any], target: Target, sink: list[Case[Any]]) -> None:
    sink.append(case)


def _side_by_side(schema: Any, operation: Any, target: Target, workers: int) -> int:
    """Collect the cases, send them ``workers`` at a time, judge each answer here: how many
    passed if every one did, else 0 (a case failed or warned, or the pass could not finish)."""
    session = target.session
    if not deferred.stand_ins_fit(session):
        return 0
    cases: list[Case[Any]] = []
    try:
        with compat.generation_kept(schema):
            compat.operation_test(schema, operation, _collect)(target=target, sink=cases)
        sent = [_capture(case, target) for case in cases]
    except Exception:  # the sequential run meets the same and reports it as it always did
        return 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rc-schema-case") as pool:
        answers = [pool.submit(deferred.send, session, kwargs) for kwargs in sent]
        wait(answers)
    try:
        for case, kwargs, answer in zip(cases, sent, answers, strict=True):
            response = answer.result()
            if response.headers.get("Content-Type", "").startswith(EVENT_STREAM):
                return 0  # read whole in the thread; the library reads a stream its own way
            replay = deferred.Replay(session.headers, kwargs, response)
            _, violations = run_case(case, target, replay)
            if violations:
                return 0
    except Exception:
        return 0
    return len(cases)


def _capture(case: Case[Any], target: Target) -> dict[str, Any]:
    """What ``run_case`` would send for ``case``: ``Session.request``'s keyword arguments."""
    try:
        run_case(case, target, deferred.Capture(target.session.headers))
    except deferred.Captured as captured:
        return captured.kwargs
    raise deferred.ReplayMismatch("the case was sent without a request")


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


def run_case(case: Case[Any], target: Target, session: Any = None) -> tuple[ResponseView, list[Violation]]:
    """Send one generated case with the suite's credentials; the answer and its violations.

    ``session`` (a ``transport.deferred`` stand-in) replaces the target's for the case's own
    request; checks that send more requests use the target's."""
    contract = target.contract
    headers = credential_headers(contract, contract.client_auth.default_method, target.credentials)
    kwargs: dict[str, Any] = {"headers": headers} if headers else {}
    call_kwargs: dict[str, Any] = {
        "base_url": target.base_url,
        "session": target.session if session is None else session,
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
