"""One rule, one verdict (issue 17), end to end: the schema test's generated cases that are an
explicit test's situation get that test's verdict, warnings included.

``accepts-undocumented-media-type`` answers a body in any media type with the contract's
success. On Polar the rules make that a warning (PIN-media-type; Polar does not document the
refusal): the explicit ``test_undocumented_media_type_is_refused`` and the schema test, whose
coverage phase sends the same kind of body, both pass with that warning, recorded as data on
the test (JUnit property, terminal summary), and both fail under ``--strict-semantics``.
"""

from __future__ import annotations

import json

import pytest

from .conftest import schema_test_id

SCHEMA = schema_test_id("polar")
EXPLICIT = "test_protocol.py::test_undocumented_media_type_is_refused[polar-text-plain]"
SELECT = "test_schema_conformance or test_undocumented_media_type_is_refused"


def _warned(run, test_id: str) -> list[str]:
    return [
        json.loads(value)["clause"]
        for name, value in run.properties.get(test_id, [])
        if name == "revocation-violation" and json.loads(value)["level"] == "warning"
    ]


@pytest.mark.parametrize("seed", [0, 7])
def test_schema_test_warns_where_the_explicit_test_warns(contract_suite, seed):
    run = contract_suite(["polar"], bugs=["accepts-undocumented-media-type"], seed=seed, select=SELECT)
    assert run.returncode == 0, run.describe()
    for test_id in (SCHEMA, EXPLICIT):
        assert run.outcomes.get(test_id) == "passed", f"{test_id}: {run.outcomes.get(test_id)}\n{run.describe()}"
        assert "PIN-media-type" in _warned(run, test_id), run.properties.get(test_id)
    # One rule, one problem: the schema test's warning and the explicit test's are listed once,
    # together, in the summary's problems.
    problems = [line for line in run.output.splitlines() if line.startswith("WARNING polar [PIN-media-type]")]
    assert len(problems) == 1, run.describe()
    warned = [test_id for test_id in run.outcomes if "PIN-media-type" in _warned(run, test_id)]
    assert problems[0].endswith(f"({len(warned)} tests)"), (problems, warned)


def test_strict_mode_fails_both(contract_suite):
    run = contract_suite(
        ["polar"], bugs=["accepts-undocumented-media-type"], seed=0, select=SELECT, extra=["--strict-semantics"]
    )
    assert run.returncode == 1, run.describe()
    for test_id in (SCHEMA, EXPLICIT):
        assert run.outcomes.get(test_id) == "failed", f"{test_id}: {run.outcomes.get(test_id)}\n{run.describe()}"
        assert "[PIN-media-type]" in run.texts[test_id], run.texts[test_id]
