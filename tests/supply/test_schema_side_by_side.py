"""The schema test's cases side by side (``schema_run.py``, issue 21) keep its verdict.

Against a remote target, the schema test first sends its generated cases a few at a time and
judges every answer in the main thread; only if one fails or warns does the sequential run
follow. These runs prove that this changes no verdict: a reference server served on loopback
and driven through ``--target-url`` like any remote server,

- passes the schema test when faithful, every case judged in the side-by-side pass;
- fails, for each planted bug the schema test catches on rfc7009, with exactly the violations
  (clause and title) of a run with ``--semantic-workers 1``, which sends one case at a time;
- and no worker thread imported a module or parsed source without the parse lock
  (``thread_audit.py``).

Each test starts its own child runs, so pytest-xdist spreads them over its workers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.reference import DEFAULT_CLIENTS, ReferenceServer
from revocation_contracts.rules.outcomes import VIOLATION_PROPERTY
from revocation_contracts.schema_run import SIDE_BY_SIDE_PROPERTY
from tests.planted.conftest import SuiteRun

from .conftest import CONTRACT_SUITE, assert_threads_quiet, audited, run_contract_suite

SCHEMA = CONTRACT_SUITE / "test_schema.py"
TEST = "test_schema.py::test_schema_conformance[rfc7009-POST:/revoke]"
FIRST = DEFAULT_CLIENTS[0]
SECRETS = [FIRST.client_secret]
# The planted bugs the rfc7009 schema test fails on (tests/planted/test_schema_bugs.py), each
# caught by a rule of its own: an empty hint, an error body, a 5xx on an undocumented media type, a 401.
BUGS = (
    "empty-hint-server-error",
    "error-code-wrong-status",
    "server-error-on-undocumented-media-type",
    "unsupported-hint-401",
)
EXAMPLES = 50  # the default, as tests/planted/test_schema_bugs.py runs it


def run_remote(workdir: Path, bugs: frozenset[str], *extra: str) -> SuiteRun:
    """The rfc7009 schema test against a reference server (with ``bugs``) as a remote target."""
    options, env = audited(workdir)
    with ReferenceServer(load_contract("rfc7009"), bugs) as server:
        run = run_contract_suite(
            workdir,
            "--target-url", server.base_url, "--client-id", FIRST.client_id, "--client-secret", FIRST.client_secret,
            *options, *extra,
            path=SCHEMA, secrets=SECRETS, env=env, examples=EXAMPLES, seed=0,
        )  # fmt: skip
    assert_threads_quiet(workdir)
    return run


def side_by_side(run: SuiteRun) -> str | None:
    return next((value for name, value in run.properties.get(TEST, []) if name == SIDE_BY_SIDE_PROPERTY), None)


def verdicts(run: SuiteRun) -> list[tuple[str, ...]]:
    """The test's violations (JUnit properties): level, clause, title, expected and actual. Not
    the reproduction: it names the server's port and schemathesis' random case id."""
    found = []
    for name, value in run.properties.get(TEST, []):
        if name == VIOLATION_PROPERTY:
            violation = json.loads(value)
            found.append(tuple(violation[key] for key in ("level", "clause", "title", "expected", "actual")))
    return sorted(found)


def test_a_faithful_server_passes_with_every_case_judged_side_by_side(tmp_path):
    run = run_remote(tmp_path, frozenset())
    assert run.outcomes.get(TEST) == "passed", run.describe()
    note = side_by_side(run)
    assert note is not None and note.endswith("cases passed"), run.describe()
    assert int(note.split()[0]) > EXAMPLES, run.describe()  # coverage cases and fuzzing both


@pytest.mark.parametrize("bug", BUGS)
def test_a_planted_bug_fails_as_it_does_one_case_at_a_time(tmp_path, bug):
    together = run_remote(tmp_path / "together", frozenset({bug}))
    alone = run_remote(tmp_path / "alone", frozenset({bug}), "--semantic-workers", "1")
    assert alone.outcomes.get(TEST) == "failed", alone.describe()
    assert side_by_side(alone) is None, alone.describe()
    assert together.outcomes.get(TEST) == "failed", together.describe()
    assert side_by_side(together) == "judged again one case at a time", together.describe()
    assert verdicts(together) == verdicts(alone) != [], f"{together.describe()}\n---\n{alone.describe()}"
