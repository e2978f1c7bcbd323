"""The semantic properties side by side (``semantics/side_by_side.py``) keep every verdict.

Against a remote target with the built-in supply, a contract's property tests run at once on
a few threads. These runs prove that this changes no verdict: a reference server with an
OAuth face (``oauth_front.py``: a token endpoint and RFC 7662 introspection on its own store),
driven through ``--target-url`` like any remote server,

- passes every property when faithful, each test marked as having run side by side;
- fails, for each planted semantic bug, exactly the property that bug breaks, the others
  passing, although their tokens were alive while the bug ran (``revokes-all-grants`` kills
  them: the failures it causes elsewhere must be confirmed alone, and do not come back);
- with ``--semantic-workers 1``, runs them one after another as before;
- and, in every one of these runs, no worker thread imported a module or parsed source
  without the parse lock (``thread_audit.py``; issue 17: a thread that imports while the
  main thread rewrites a module can crash the run).

Each test starts its own child run, so pytest-xdist spreads them over its workers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.reference import DEFAULT_CLIENTS, ReferenceServer
from revocation_contracts.semantics import PROPERTIES, Property
from revocation_contracts.semantics.side_by_side import SIDE_BY_SIDE_PROPERTY
from tests.planted.conftest import SuiteRun

from .conftest import CONTRACT_SUITE, assert_threads_quiet, audited, run_contract_suite
from .oauth_front import INTROSPECT_PATH, TOKEN_PATH, with_oauth_front

SEMANTICS = CONTRACT_SUITE / "test_semantics.py"
FIRST, SECOND = DEFAULT_CLIENTS[0], DEFAULT_CLIENTS[1]
SECRETS = [FIRST.client_secret, SECOND.client_secret, "bench-password"]
# A property the rfc7009 contract does not have (property 10: the token in the query string).
NOT_APPLICABLE = "does not apply to the rfc7009 contract"
# Every semantic test checks every response for echoes, so this bug fails them all by design.
EVERYWHERE = frozenset({"echoes-token"})


def remote_args(base_url: str) -> list[str]:
    """The options a user passes for the reference server with its OAuth face at ``base_url``."""
    return [
        "--target-url", base_url,
        "--client-id", FIRST.client_id, "--client-secret", FIRST.client_secret,
        "--second-client-id", SECOND.client_id, "--second-client-secret", SECOND.client_secret,
        "--token-endpoint", TOKEN_PATH, "--introspection-endpoint", INTROSPECT_PATH,
        "--grant", "password", "--username", "suite-user", "--password", "bench-password",
    ]  # fmt: skip


def run_remote(workdir: Path, bugs: frozenset[str], *extra: str) -> SuiteRun:
    """The semantic tests against a reference server (with ``bugs``) as a remote target.

    Every such run is audited (``thread_audit.py``): no worker thread imported anything, or
    parsed without the parse lock, whatever the verdicts."""
    contract = load_contract("rfc7009")
    options, env = audited(workdir)
    with ReferenceServer(contract, bugs, front=with_oauth_front(contract)) as server:
        run = run_contract_suite(
            workdir, *remote_args(server.base_url), *options, *extra, path=SEMANTICS, secrets=SECRETS, env=env
        )
    assert_threads_quiet(workdir)
    return run


def semantic_tests(run: SuiteRun, outcome: str) -> set[str]:
    tests = {test for test in run.with_outcome(outcome) if test.startswith("test_semantics.py::")}
    if outcome == "skipped":
        tests = {test for test in tests if NOT_APPLICABLE not in run.texts.get(test, "")}
    return tests


def side_by_side(run: SuiteRun, test: str) -> bool:
    return any(name == SIDE_BY_SIDE_PROPERTY for name, _ in run.properties.get(test, []))


def of_property(prop: Property, tests: set[str]) -> set[str]:
    return {test for test in tests if test.split("::")[1].split("[")[0] in (prop.test, f"{prop.test}_examples")}


def test_a_faithful_server_passes_every_property_side_by_side(tmp_path):
    run = run_remote(tmp_path, frozenset())
    passed = semantic_tests(run, "passed")
    assert run.returncode == 0 and not run.failed and not run.errors, run.describe()
    assert semantic_tests(run, "skipped") == set(), run.describe()
    assert len(passed) >= 20, run.describe()
    assert all(side_by_side(run, test) for test in passed), run.describe()
    assert "passed when run again alone" not in str(run.properties), run.describe()


# Property 4 is a SHOULD for rfc7009 (a warning); --strict-semantics makes it a failure here.
@pytest.mark.parametrize("prop", [prop for prop in PROPERTIES], ids=[prop.bug for prop in PROPERTIES])
def test_each_planted_bug_fails_exactly_its_property(tmp_path, prop):
    run = run_remote(tmp_path, frozenset({prop.bug}), "--strict-semantics")
    failed = semantic_tests(run, "failed")
    own = of_property(prop, failed)
    assert own, f"{prop.bug} was not caught by {prop.test}: {run.describe()}"
    if prop.bug not in EVERYWHERE:
        assert failed == own, f"{prop.bug} failed other properties too: {sorted(failed - own)}\n{run.describe()}"
    assert not run.errors, run.describe()
    assert all(side_by_side(run, test) for test in failed), run.describe()
    if prop.bug == "revokes-all-grants":
        # Its revocations killed the other properties' tokens too; those failures were not theirs.
        assert "passed when run again alone" in str(run.properties), run.describe()


def test_one_worker_runs_the_properties_one_after_another(tmp_path):
    run = run_remote(
        tmp_path, frozenset({"keeps-token"}), "--semantic-workers", "1", "-k", "test_revoked_token_is_dead"
    )
    assert "test_semantics.py::test_revoked_token_is_dead[rfc7009]" in run.failed, run.describe()
    assert not any(side_by_side(run, test) for test in run.outcomes), run.describe()
