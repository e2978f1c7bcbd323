"""Side by side on a cold interpreter, again and again: no run depends on thread timing (issue 17).

Before ``semantics/warm.py``, 6 of 15 such runs (20 examples each) lost their schema test to
``SystemError: AST constructor recursion depth mismatch``: the main thread's assertion
rewriter parsed a schemathesis module while a property's thread imported a Hypothesis module
or parsed sources for Hypothesis' constants. A cold interpreter makes that likeliest: no
bytecode is written (``PYTHONDONTWRITEBYTECODE=1``) or found (a fresh ``PYTHONPYCACHEPREFIX``),
so every import compiles, and pytest rewrites every time. The schema test goes first, so its
schema loads while the contract's properties start on their threads.

Each run is also audited (``thread_audit.py``): the deterministic proof; these repeated runs are
the net under it. ``THREAD_STRESS_RUNS`` sets how many (default 4, about 40 s on 2 cores).
"""

from __future__ import annotations

import os

from revocation_contracts.model.contract import load_contract
from revocation_contracts.reference import ReferenceServer
from tests.planted.conftest import run_suite

from .conftest import CONTRACT_SUITE, assert_threads_quiet, audited
from .oauth_front import with_oauth_front
from .test_side_by_side import SEMANTICS, remote_args

RUNS = int(os.environ.get("THREAD_STRESS_RUNS", "4"))
SCHEMA = CONTRACT_SUITE / "test_schema.py"
CRASHES = ("INTERNALERROR", "SystemError", "ERROR at setup")


def test_side_by_side_on_a_cold_interpreter_never_crashes(tmp_path):
    contract = load_contract("rfc7009")
    with ReferenceServer(contract, front=with_oauth_front(contract)) as server:
        for number in range(RUNS):
            workdir = tmp_path / f"run-{number}"
            options, env = audited(workdir)
            env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=str(workdir / "pycache"))
            extra = [*remote_args(server.base_url), *options, "--max-examples", "5"]
            run = run_suite(workdir, ["rfc7009"], seed=number, extra=extra, paths=[SCHEMA, SEMANTICS], env=env)
            crashed = [marker for marker in CRASHES if marker in run.output]
            assert run.returncode == 0 and not crashed and not run.errors, f"run {number}: {crashed}\n{run.describe()}"
            assert_threads_quiet(workdir)
