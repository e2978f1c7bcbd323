"""One rule, one verdict (issue 17): a generated case in an explicit test's situation is judged
by the engine's function for that situation, so both get the same verdict."""

from __future__ import annotations

import pytest

from revocation_contracts import schema_run
from revocation_contracts.model.contract import load_contract
from revocation_contracts.rules import engine, schema_suite
from revocation_contracts.rules.schema_suite import one_verdict, situation_of, situation_violations
from revocation_contracts.rules.violation import FAILURE, WARNING, RequestView, ResponseView, Violation

FORM = "application/x-www-form-urlencoded"
HTML_400 = (400, {"content-type": "text/html"}, b"<html>Bad Request</html>")


def _view(status, body, media_type=FORM, method="POST", headers=None, content=b""):
    request = RequestView(method, "http://127.0.0.1:9/revoke", {"Content-Type": media_type}, body)
    return ResponseView(status, headers or {"content-type": "application/json"}, content, request)


@pytest.mark.parametrize(
    ("body", "media_type", "method", "expected"),
    [
        (b"--x\r\n", "multipart/form-data", "POST", "unsupported-media-type"),
        (b"token=abc", "text/plain", "POST", "unsupported-media-type"),
        (b"token_type_hint=access_token", FORM, "POST", "missing-token"),
        (b"client_id=a", FORM, "POST", "missing-token"),
        (b"token=", FORM, "POST", "empty-token"),
        (b"token=abc&token_type_hint=", FORM, "POST", "empty-hint"),
        (b"token=abc", FORM, "POST", None),  # a well-formed request: the usual checks
        (b"token=abc", FORM, "TRACE", None),  # another method: the usual checks
        (b"", FORM, "POST", "empty-body"),
    ],
)
def test_situation_of_a_generated_request(body, media_type, method, expected):
    assert situation_of(load_contract("rfc7009"), _view(200, body, media_type, method)) == expected


def test_missing_token_with_a_bad_hint_is_not_the_missing_token_situation():
    """Two faults: which one the server answers is its choice, so no single rule judges it."""
    polar = load_contract("polar")
    assert situation_of(polar, _view(400, b"token_type_hint=bogus&client_id=a")) is None
    assert situation_of(polar, _view(400, b"token_type_hint=access_token&client_id=a")) == "missing-token"


def test_undocumented_media_type_refusal_body_is_not_judged():
    """(1) of issue 17: a framework's HTML 400 to multipart without a boundary passes, as the
    explicit ``test_undocumented_media_type_is_refused`` does."""
    contract = load_contract("rfc7009")
    view = _view(*HTML_400[:1], b"--x", "multipart/form-data", headers=HTML_400[1], content=HTML_400[2])
    assert situation_violations(contract, "unsupported-media-type", view) == []
    assert engine.answer(contract, "unsupported-media-type", view) == []


class _Accepted(AssertionError):
    """Stands for schemathesis' "schema-violating request accepted" failure."""

    title = "Schema-violating request accepted"
    message = "Invalid data should have been rejected"


def test_missing_token_delegates_to_the_engines_rule(monkeypatch):
    """(2) of issue 17: the schema path asks ``engine.answer(contract, "missing-token", view)``
    and nothing else decides; whatever that rule says (a warning for rfc7009's 200 once the
    rule says so) is the schema test's verdict, and schemathesis' own acceptance verdict is
    dropped."""
    contract = load_contract("rfc7009")
    view = _view(200, b"client_id=a")
    asked = []
    warning = Violation("RFC7009-2.2", WARNING, "missing token read as invalid", "400", "200")

    def answer(contract_, situation, view_):
        asked.append(situation)
        return [warning]

    monkeypatch.setattr(engine, "answer", answer)
    monkeypatch.setattr(schema_suite.compat, "is_acceptance_verdict", lambda failure: isinstance(failure, _Accepted))
    verdict = one_verdict(contract, view, situation_of(contract, view), [_Accepted()])
    assert asked == ["missing-token"]
    assert verdict == [warning]


def test_missing_token_refused_as_documented_passes():
    contract = load_contract("rfc7009")
    view = _view(400, b"client_id=a", content=b'{"error": "invalid_request"}')
    assert one_verdict(contract, view, situation_of(contract, view), []) == []


def test_a_builtin_failure_stays_when_no_rule_of_ours_fired():
    contract = load_contract("rfc7009")
    view = _view(200, b"token=abc")
    verdict = one_verdict(contract, view, None, [_Accepted()])
    assert [(found.clause, found.level, found.title) for found in verdict] == [
        ("DOC-openapi", FAILURE, "Schema-violating request accepted")
    ]


def test_an_empty_body_refusal_still_has_its_error_body_judged():
    """``engine.refusal`` judges the status of an answer to an empty body; the error body of a
    4xx is still the contract's (RFC 6749 5.2), judged by our check as before."""
    from revocation_contracts.rules.checks import ContractViolation

    contract = load_contract("rfc7009")
    view = _view(400, b"", headers={"content-type": "text/plain"}, content=b"bad")
    body = Violation("RFC6749-5.2", FAILURE, "Error body breaks the contract", "an error body", "text/plain")
    failure = ContractViolation(operation="POST /revoke", violation=body)
    assert one_verdict(contract, view, situation_of(contract, view), [failure]) == [body]


def test_an_empty_hint_beside_a_token_fault_counts_only_when_accepted():
    """Accepted, the empty hint reads as omitted and the token's rule judges; refused, the
    request had two faults and the usual checks judge it (the server chose which to refuse)."""
    polar = load_contract("polar")
    assert situation_of(polar, _view(200, b"token=&token_type_hint=&client_id=a")) == "empty-token"
    assert situation_of(polar, _view(400, b"token=&token_type_hint=&client_id=a")) is None
    assert situation_of(polar, _view(200, b"token_type_hint=&client_id=a")) == "missing-token"
    assert situation_of(polar, _view(400, b"token_type_hint=&client_id=a")) is None


def test_generated_body_credentials_never_travel_beside_header_authentication():
    """RFC 6749 2.3.1: one authentication method per request. Where discovery narrowed a contract to
    HTTP Basic while its document still lists body credentials, the generated ``client_id`` and
    ``client_secret`` go: they are no credentials, and a server that repeats one in its error
    description must not fail the echo rule (seen on oidc-provider)."""
    from types import SimpleNamespace

    from revocation_contracts.supply.discovery import narrow_contract

    contract = narrow_contract(load_contract("rfc7009"), ("basic",))
    assert not contract.client_auth.in_body
    target = SimpleNamespace(contract=contract, credentials=SimpleNamespace(client_id="a", client_secret="s"))
    case = SimpleNamespace(body={"token": "t", "client_id": "", "client_secret": "generated-secret"})
    kwargs = {schema_run.TARGET_KWARG: target}
    schema_run.inject_body_credentials(None, case, kwargs)  # type: ignore[arg-type]
    assert case.body == {"token": "t"} and kwargs == {}


class _ServerError(AssertionError):
    """Stands for schemathesis' "server error" failure (its not_a_server_error check)."""

    title = "Server error"
    message = "Server got itself in trouble"


def test_the_builtins_that_fire_on_a_5xx_keep_their_verdicts_under_the_server_errors_problem(monkeypatch):
    """One 5xx is also an undocumented status and an accepted negative case: three verdicts, one
    root cause (reporting/problems.py lists them as one problem)."""
    monkeypatch.setattr(schema_suite.compat, "is_server_error", lambda failure: isinstance(failure, _ServerError))
    contract = load_contract("mollie")
    verdict = one_verdict(contract, _view(500, b"token=abc"), None, [_Accepted(), _ServerError()])
    assert [(found.clause, found.title) for found in verdict] == [
        ("DOC-openapi", "Schema-violating request accepted"),
        ("RFC6749-5.2", "Server error"),
    ]
    assert {(found.problem_clause, found.problem_symptom) for found in verdict} == {("RFC6749-5.2", "Server error")}
