"""Property 10: where a contract documents the token in the query string, that request revokes.

Google's document sends ``POST /revoke?token=...`` (``token-in: [body, query]``, clause
DOC-google-token-in-query). The planted bug ``query-string-ignored`` makes the reference
server read the token from the body only: the query-string revocation is then answered as a
missing token and the token stays active, which property 10 must fail. The faithful server
passes it, and a contract whose token travels in the body only skips it saying why. Each
child run is selected with ``-k`` to the property's two tests, so it costs seconds.
"""

from __future__ import annotations

from .conftest import run_suite

SELECT = "test_documented_query_token_revokes"
TESTS = (
    "test_semantics.py::test_documented_query_token_revokes[{spec}]",
    "test_semantics.py::test_documented_query_token_revokes_examples[{spec}-first-type-in-query]",
)


def test_google_query_token_revocation_fails_when_the_query_is_ignored(tmp_path):
    run = run_suite(tmp_path, ["google"], bugs=["query-string-ignored"], seed=0, select=SELECT)
    assert run.returncode == 1, run.describe()
    for test in (name.format(spec="google") for name in TESTS):
        assert run.outcomes.get(test) == "failed", f"{test}: {run.outcomes.get(test)}\n{run.describe()}"
        assert "[DOC-google-token-in-query]" in run.texts[test], run.texts[test][-3000:]
        assert "token in the query string" in run.texts[test], run.texts[test][-3000:]


def test_faithful_google_passes_and_a_body_only_contract_does_not_collect_it(tmp_path):
    run = run_suite(tmp_path, ["google", "polar"], seed=0, select=SELECT)
    assert run.returncode == 0, run.describe()
    for test in (name.format(spec="google") for name in TESTS):
        assert run.outcomes.get(test) == "passed", f"{test}: {run.outcomes.get(test)}\n{run.texts.get(test, '')}"
    not_collected = TESTS[0].format(spec="polar")
    assert run.outcomes.get(not_collected) is None, run.describe()  # never collected for polar
    assert "token in the query string does not apply to the polar contract" in run.output, run.describe()
