"""pytest-xdist: the suite runs in parallel workers, embedded servers included (each worker
starts its own on a port the kernel picks); the preflight runs once, in the controller, and
the exit code counts every worker's reports."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from revocation_contracts.pytest_plugin.runstatus import EXIT_TARGET, EXIT_THROTTLED

from .loopback import CONTRACT_SUITE, CREDENTIALS, CannedServer


def test_contract_suite_passes_under_xdist(pytester: pytest.Pytester) -> None:
    """The whole suite, every contract, two workers (with a small example budget to stay quick)."""
    result = pytester.runpytest_subprocess(
        str(CONTRACT_SUITE), "--spec", "all", "-n", "2", "--max-examples", "3", "-p", "no:cacheprovider", timeout=900
    )
    assert result.ret == 0, result.stdout.str()[-4000:]
    result.stdout.fnmatch_lines(["created: 2/2 workers", "*passed*"])
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] > 200
    assert "failed" not in outcomes and "errors" not in outcomes


def test_preflight_runs_once_before_the_workers(pytester: pytest.Pytester, closed_port: int) -> None:
    pytester.makepyfile(test_uses_target="def test_uses_target(target):\n    pass\n")
    result = pytester.runpytest_subprocess(
        "-n", "2", "--spec", "all", "--target-url", f"http://127.0.0.1:{closed_port}", *CREDENTIALS
    )
    assert result.ret == EXIT_TARGET
    assert sum("connection refused" in line for line in result.errlines) == 1
    assert "created: 2/2 workers" not in result.stdout.str()


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
