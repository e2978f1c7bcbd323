"""The coverage model (``reporting/coverage.py``): pure data for the summary, JUnit and the report."""

from __future__ import annotations

from revocation_contracts.reporting.coverage import THROTTLED, Coverage
from revocation_contracts.rules.outcomes import BLOCKED, NO_TOKEN_SUPPLY, SUPPLY_LACKS


def _run() -> Coverage:
    coverage = Coverage()
    for outcome in ("passed", "passed", "warned", "failed"):
        coverage.outcome("polar", outcome)
    coverage.does_not_apply("polar", "test_x[POST]", "POST is the documented method")
    coverage.does_not_apply("polar", "test_x[POST]", "POST is the documented method")  # a second worker's
    coverage.does_not_apply("polar", "test_q", "no query token")
    coverage.could_not_run("polar", NO_TOKEN_SUPPLY, "pass --token-command")
    coverage.could_not_run("polar", NO_TOKEN_SUPPLY, "pass --token-command")
    coverage.outcome("google", "passed")
    return coverage


def test_lines_count_ran_not_applicable_and_not_run_per_contract() -> None:
    assert _run().lines() == [
        "scope: schema, protocol, semantics (all check families)",
        "polar: 4 checks ran (2 passed, 1 failed, 1 warned)",
        "  does not apply: 2 checks (POST is the documented method; no query token)",
        "  could not run: 2 checks: no token supply: 2 (pass --token-command)",
        "google: 1 check ran (1 passed)",
    ]


def test_incomplete_only_for_holes_no_other_exit_code_states() -> None:
    assert _run().incomplete
    for cause in (THROTTLED, BLOCKED):  # exit 8, or a failure's 1
        coverage = Coverage()
        coverage.could_not_run("polar", cause, "why")
        assert not coverage.incomplete, cause
    lacking = Coverage()
    lacking.could_not_run("polar", SUPPLY_LACKS, "the token supply issued no refresh_token")
    assert lacking.incomplete
    narrowed = Coverage(("schema", "protocol"), narrowed=True)
    narrowed.outcome("polar", "passed")
    assert not narrowed.incomplete
    assert narrowed.lines()[0] == "scope: schema, protocol (--checks)"


def test_json_round_trip_keeps_every_fact() -> None:
    coverage = _run()
    again = Coverage.from_json(coverage.to_json())
    assert again == coverage and again.lines() == coverage.lines()


def test_problem_kinds_are_the_causes_the_model_knows() -> None:
    """The run status's problem kinds arrive as causes: one spelling, so each gets its label."""
    from revocation_contracts.pytest_plugin import names
    from revocation_contracts.reporting import coverage

    assert (names.TARGET, names.TOKEN_SUPPLY, names.THROTTLED) == (
        coverage.TARGET,
        coverage.TOKEN_SUPPLY_FAILED,
        coverage.THROTTLED,
    )
