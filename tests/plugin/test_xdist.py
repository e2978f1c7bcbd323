"""pytest-xdist: the suite runs in parallel workers, embedded servers included (each worker
starts its own on a port the kernel picks); the preflight runs once, in the controller, and
the exit code counts every worker's reports. A run that ends before the tests (preflight) or
by the session breaker ends as it does without ``-n``: its exit code, and JUnit XML and
``--report`` written with the reason (issue 10)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from revocation_contracts.model.contract import BUNDLED_NAMES
from revocation_contracts.pytest_plugin.runstatus import EXIT_TARGET, EXIT_THROTTLED
from tests.hostile.harness import HostileServer, leaks_in, run_suite, running_server

from .loopback import CONTRACT_SUITE, CREDENTIALS, CannedServer

# The breaker under two workers: each worker's session stops after three unanswered requests
# in a row (``--request-timeout 1``); the bound adds two workers' start-up on a loaded runner.
XDIST_BREAKER_BOUND = 60.0


def test_contract_suite_passes_under_xdist(pytester: pytest.Pytester) -> None:
    """The whole suite, every contract, two workers (with a small example budget to stay quick)."""
    result = pytester.runpytest_subprocess(
        str(CONTRACT_SUITE), "--spec", "all", "-n", "2", "--max-examples", "3", "-p", "no:cacheprovider",
        "--junitxml", "junit.xml", timeout=900,
    )  # fmt: skip
    assert result.ret == 0, result.stdout.str()[-4000:]
    result.stdout.fnmatch_lines(["created: 2/2 workers", "*passed*"])
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] > 200
    assert "failed" not in outcomes and "errors" not in outcomes
    # The schema test: one test per contract and API operation, its id without a space, from every worker.
    names = [case.get("name", "") for case in ElementTree.parse(pytester.path / "junit.xml").iter("testcase")]
    subtests = [name for name in names if name.startswith("test_schema_conformance[")]
    form = re.compile(r"test_schema_conformance\[([a-z0-9]+)-[A-Z]+:/\S*\]")
    assert all(form.fullmatch(name) for name in subtests), subtests
    assert {form.fullmatch(name).group(1) for name in subtests} == set(BUNDLED_NAMES), subtests  # type: ignore[union-attr]


def test_preflight_runs_once_before_the_workers(pytester: pytest.Pytester, closed_port: int) -> None:
    """No worker starts, and JUnit XML and ``--report`` say why the run ended (as without ``-n``)."""
    pytester.makepyfile(test_uses_target="def test_uses_target(target):\n    pass\n")
    result = pytester.runpytest_subprocess(
        "-n", "2", "--spec", "all", "--target-url", f"http://127.0.0.1:{closed_port}", *CREDENTIALS,
        "--junitxml", "junit.xml", "--report", "report.md",
    )  # fmt: skip
    assert result.ret == EXIT_TARGET
    assert sum("connection refused" in line for line in result.errlines) == 1
    assert "created: 2/2 workers" not in result.stdout.str()
    assert "test_uses_target" not in result.stdout.str()
    reason = f"connection refused by 127.0.0.1 (POST http://127.0.0.1:{closed_port}/v1/oauth2/revoke)"
    junit = (pytester.path / "junit.xml").read_text(encoding="utf-8")
    assert 'name="preflight"' in junit and "<error " in junit and reason in junit
    report = (pytester.path / "report.md").read_text(encoding="utf-8")
    assert "`preflight`" in report and reason in report and "exit status 6" in report


def test_throttled_exit_code_counts_the_workers_reports(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer]
) -> None:
    server = canned_server(503, {"Retry-After": "0"})
    result = pytester.runpytest_subprocess(
        f"{CONTRACT_SUITE / 'test_protocol.py'}::test_unknown_token_answer",
        f"{CONTRACT_SUITE / 'test_protocol.py'}::test_missing_token_is_invalid_request",
        "-n", "2", "--spec", "rfc7009", "--target-url", server.base_url, *CREDENTIALS, "-p", "no:cacheprovider",
    )  # fmt: skip
    assert result.ret == EXIT_THROTTLED, result.stdout.str()[-3000:]
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(["2 check(s) skipped because the target kept answering 429/503 (throttled)*"])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    """The hostile server of tests/hostile (``server.py``), killed by its pid at the end."""
    with running_server(tmp_path_factory.mktemp("hostile-records")) as server:
        yield server


def test_breaker_stops_every_worker(hostile: HostileServer, tmp_path: Path) -> None:
    """A target that stops answering, two workers: exit 6 (not the "worker crashed" failures an
    exit inside a worker makes), within a bound, the reason in JUnit XML and the report."""
    run_name = f"hang.{tmp_path.name}"
    run = run_suite(hostile.url(run_name), tmp_path, "-n", "2")
    print(f"\nbreaker under -n 2: exit {run.returncode}, wall {run.wall:.1f} s, session {run.session_seconds:.1f} s")
    tail = run.output[-4000:]
    assert run.returncode == 6, tail
    assert "crashed" not in run.output, tail
    assert "Traceback" not in run.output, tail
    says = "target unreachable: 3 requests in a row got no answer"
    assert says in run.output and says in run.junit and says in run.report, tail
    assert "<failure " not in run.junit
    assert run.session_seconds < XDIST_BREAKER_BOUND, f"{run.session_seconds:.1f} s > {XDIST_BREAKER_BOUND} s"
    for where, text in (("output", run.output), ("JUnit", run.junit), ("report", run.report)):
        assert not leaks_in(text), f"the secret leaked to the {where} as {leaks_in(text)}"
