"""One root cause, one problem: what ``reporting/problems.py`` groups together and what it keeps apart.

The planted-bug tables prove it on whole runs (each bug's summary lists exactly the problems its
row declares); these pin the grouping itself on the verdicts the suite really makes: the engine's
rules, a semantic property's failure built by ``SemanticRun`` against a server that answers the
way Authlib does, and the strict-mode copy of a warning.
"""

from __future__ import annotations

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.reporting.problems import Finding, group, render_problems
from revocation_contracts.rules import engine
from revocation_contracts.rules.outcomes import STRICT_NOTE
from revocation_contracts.rules.violation import FAILURE, WARNING, RequestView, ResponseView, Violation
from revocation_contracts.semantics import SemanticFailure
from revocation_contracts.semantics.properties import P11
from revocation_contracts.semantics.trail import Claim

from .test_semantic_headlines import _unknown_hint_answered, semantic_run

SECRET = "s3cr3t-value-of-the-client"


def _view(status: int, body: bytes = b"{}", headers: dict[str, str] | None = None) -> ResponseView:
    request = RequestView("POST", "http://127.0.0.1:9/revoke", {}, f"token={SECRET}&client_secret=x".encode())
    return ResponseView(status, {"content-type": "application/json", **(headers or {})}, body, request)


def _echo() -> Violation:
    (found,) = engine.credential_echo(load_contract("polar"), _view(200, headers={"x-revoked-token": SECRET}))
    return found


def test_an_echo_seen_by_an_explicit_test_and_by_a_property_is_one_problem():
    """The property's title names the token it was revoking; the problem is the rule's finding."""
    explicit = _echo()
    echo_claim = Claim(9, "PIN-no-echo", "no response repeats the client secret or the token sent for revocation")
    for label in ("g1.access_token", "g2.refresh_token"):
        assert explicit.title not in echo_claim.headline(f"the answer to a request about {label} repeats a secret")
    semantic = [
        Violation("PIN-no-echo", FAILURE, echo_claim.headline(f"the answer about {label} repeats a secret"), "x", "y")
        .caused_by(explicit)
        for label in ("g1.access_token", "g2.refresh_token")
    ]  # fmt: skip
    findings = [Finding("test_protocol.py::test_unknown_token_answer[polar]", "polar", explicit)]
    findings += [Finding(f"test_semantics.py::test_{n}[polar]", "polar", v) for n, v in enumerate(semantic)]
    (problem,) = group(findings)
    assert (problem.contract, problem.clause, problem.symptom) == ("polar", "PIN-no-echo", "Credential echoed")
    assert len(problem.tests) == 3 and problem.first is explicit
    # Each test's text is a few lines, its headline naming the problem the summary lists it under.
    assert explicit.render().splitlines()[0] == "[PIN-no-echo] Credential echoed"
    assert semantic[0].render().splitlines()[0].startswith("[PIN-no-echo] Credential echoed: the answer about g1.")
    assert len(semantic[0].render().splitlines()) == 3


def test_authlibs_401_to_an_unknown_hint_is_one_problem_for_the_protocol_test_and_property_11():
    """The known double count: test_unsupported_hint fails under the unsupported-hint answer's
    clause, property 11 under its own (RFC7009-2.1); both met the same 401."""
    answer = _unknown_hint_answered(401, "unsupported_token_type", revoked=False)
    with semantic_run("rfc7009", answer) as run, pytest.raises(SemanticFailure) as failure:
        run.explicit(P11.body, P11.examples["first-type-unknown-hint"](run.contract))
    (semantic,) = failure.value.violations
    assert semantic.clause == "RFC7009-2.1" and "(property 11:" in semantic.title  # the verdict is unchanged
    body = b'{"error": "unsupported_token_type"}'
    explicit = engine.answer(load_contract("rfc7009"), "unsupported-hint", _view(401, body))[0]
    assert explicit.clause != semantic.clause
    problems = group(
        [
            Finding("test_protocol.py::test_unsupported_hint[rfc7009]", "rfc7009", explicit),
            Finding("test_semantics.py::test_unknown_hint_revokes_or_is_refused[rfc7009]", "rfc7009", semantic),
        ]
    )
    assert [(problem.clause, len(problem.tests)) for problem in problems] == [("RFC7009-2.2.1", 2)]
    # The property's own text is led by the problem it is listed under, then its own verdict.
    headline = semantic.render().splitlines()[0]
    assert headline.startswith("[RFC7009-2.2.1] Wrong answer to unsupported-hint: [RFC7009-2.1] a revocation hinted")


def test_a_property_failing_its_own_claim_is_one_problem_whatever_tokens_it_names():
    claim = Claim(1, "RFC7009-2", "a revoked token is dead")
    violations = [
        Violation(claim.clause, FAILURE, claim.headline(f"{label} still active after revocation"), "x", "y")
        .with_symptom(claim.symptom)
        for label in ("g1.access_token", "g3.refresh_token")
    ]  # fmt: skip
    (problem,) = group(Finding(f"t{n}", "polar", v) for n, v in enumerate(violations))
    assert problem.symptom == "property 1 fails: a revoked token is dead"


def test_different_symptoms_contracts_and_levels_stay_apart_most_severe_first():
    """Failures first, then the problems most tests saw, then by contract."""
    polar = load_contract("polar")
    server_error = engine.never_5xx(_view(500, b"boom"), "client input")[0]
    plain_text_error = engine.error_body(polar, _view(400, b"bad"))[0]
    assert server_error.clause == plain_text_error.clause == "RFC6749-5.2"
    warning = Violation("PIN-method-405", WARNING, "Another method not answered 405", "405", "404")
    findings = [
        Finding("a", "polar", warning),
        Finding("b", "polar", server_error),
        Finding("c", "polar", plain_text_error),
        Finding("d", "mollie", server_error),
        Finding("e", "polar", server_error),
    ]
    problems = group(findings)
    assert [(p.level, p.contract, p.symptom, p.tests) for p in problems] == [
        (FAILURE, "polar", server_error.title, ("b", "e")),
        (FAILURE, "mollie", server_error.title, ("d",)),
        (FAILURE, "polar", plain_text_error.title, ("c",)),
        (WARNING, "polar", warning.title, ("a",)),
    ]


def test_a_strict_failure_is_the_same_problem_as_its_warning_elsewhere():
    warning = Violation("PIN-method-405", WARNING, "Another method not answered 405", "405", "404")
    strict = warning.as_strict_failure(STRICT_NOTE)
    assert strict.problem_symptom == warning.problem_symptom == "Another method not answered 405"


def test_the_terminal_lines_compress_the_tests_and_keep_each_field_on_one_line():
    multi_line = Violation("DOC-openapi", FAILURE, "Response violates schema", "a schema", "line one\n  line two")
    schema = "tests/contract/test_schema.py::test_schema_conformance[polar-POST:/v1/oauth2/revoke]"
    findings = [Finding(schema, "polar", multi_line)]
    findings += [Finding(f"tests/contract/test_protocol.py::test_{n}[polar]", "polar", multi_line) for n in range(4)]
    lines = render_problems(group(findings))
    assert lines == [
        "FAILURE polar [DOC-openapi] Response violates schema (5 tests)",
        "  expected: a schema",
        "  got:      line one line two",
        "  seen by:  test_schema.py::test_schema_conformance[polar-POST:/v1/oauth2/revoke], "
        "test_protocol.py::test_0[polar], test_protocol.py::test_1[polar], +2 more",
    ]


def test_a_violation_keeps_its_problem_through_json_as_xdist_carries_it():
    semantic = Violation("RFC7009-2.1", FAILURE, "x (property 11: y)", "e", "a").caused_by(_echo())
    assert Violation.from_json(semantic.to_json()) == semantic
    # A violation recorded before these fields existed still reads (a baseline, an old JUnit file).
    old = '{"actual": "a", "clause": "C", "expected": "e", "level": "failure", "sequence": "", "title": "t"}'
    assert Violation.from_json(old) == Violation("C", FAILURE, "t", "e", "a")
