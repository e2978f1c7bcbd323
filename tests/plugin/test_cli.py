"""The ``revocation-contracts`` console script, run from directories that are not this checkout.

(The installed-wheel twin of these tests is ``tests/packaging/test_wheel.py``.)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from revocation_contracts import cli
from revocation_contracts.pytest_plugin.runstatus import EXIT_TARGET

from .loopback import CONTRACT_SUITE, CREDENTIALS, CannedServer


def _script() -> list[str]:
    """The console script of this environment, or the module when the script is not installed."""
    script = Path(sys.executable).with_name("revocation-contracts")
    return [str(script)] if script.exists() else [sys.executable, "-m", "revocation_contracts.cli"]


def _listing(directory: Path) -> list[str]:
    """What is in the directory, besides the captured output files pytester.run writes there."""
    return sorted(path.name for path in directory.iterdir() if path.name not in ("stdout", "stderr"))


@pytest.fixture
def hostile(pytester: pytest.Pytester) -> pytest.Pytester:
    """A caller's directory whose pytest configuration and conftest would break the suite."""
    pytester.makeini("[pytest]\naddopts = --no-such-option\nfilterwarnings = error\n")
    pytester.makeconftest("raise RuntimeError('the caller conftest must not be loaded')\n")
    return pytester


def test_suite_dir_is_the_contract_suite() -> None:
    assert cli.suite_dir() == CONTRACT_SUITE


def test_pytest_args_isolate_the_suite() -> None:
    args = cli.pytest_args(["--spec", "polar", "-k", "schema"], CONTRACT_SUITE)
    assert args[0] == str(CONTRACT_SUITE)
    assert args[-4:] == ["--spec", "polar", "-k", "schema"]
    assert "no:cacheprovider" in args
    config = Path(args[args.index("-c") + 1])
    assert config.name == cli.CONFIG_FILE and config.is_file()
    assert args[args.index("--rootdir") + 1] == str(CONTRACT_SUITE)


@pytest.mark.parametrize("given", [["-c", "mine.ini"], ["--config-file=mine.ini"], ["--rootdir", "."]])
def test_a_callers_own_config_wins(given: list[str]) -> None:
    args = cli.pytest_args(given, CONTRACT_SUITE)
    assert args.count("-c") == given.count("-c")
    assert "--rootdir" not in args or given[0] == "--rootdir"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--spec", "rfc7009", "-n", "2", "-k", "not schema", "--junitxml", "j.xml"], None),
        (["--dry-run", "--rate-limit", "100/m", "--no-such-pytest-option"], None),
        (["--spec", "nope"], "revocation-contracts: error: argument --spec: unknown spec 'nope': *"),
        (["--rate-limit=fast"], "revocation-contracts: error: argument --rate-limit: 'fast' is not a rate*"),
        (["--request-timeout"], "revocation-contracts: error: argument --request-timeout: expected one argument"),
    ],
)
def test_suite_options_are_checked_first(args: list[str], problem: str | None) -> None:
    found = cli.check_suite_options(args)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert "\n" not in found
        import fnmatch

        assert fnmatch.fnmatch(found, problem), found


def test_bad_option_is_one_line_and_exit_4(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--spec", "nope"]) == 4
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("revocation-contracts: error: argument --spec: unknown spec 'nope'")


def test_hypothesis_stays_out_of_the_callers_directory() -> None:
    home = Path(cli.hypothesis_home())
    assert home.is_absolute()
    assert not home.is_relative_to(Path.cwd())


def test_runs_from_any_directory(hostile: pytest.Pytester) -> None:
    """Against the embedded server, from a directory with a hostile pytest.ini and conftest.py."""
    before = _listing(hostile.path)
    result = hostile.run(*_script(), "--spec", "rfc7009", "-q", "-k", "unknown_token_answer or missing_token")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["*2 passed*"])
    assert _listing(hostile.path) == before
    # No warning of ours: nothing imported before pytest that pytest wanted to rewrite (cli.py).
    output = result.stdout.str() + result.stderr.str()
    assert "PytestAssertRewriteWarning" not in output and "warnings summary" not in output, output


def test_passes_exit_codes_through(hostile: pytest.Pytester, closed_port: int) -> None:
    result = hostile.run(
        *_script(), "--spec", "rfc7009", "--target-url", f"http://127.0.0.1:{closed_port}", *CREDENTIALS, "-q"
    )
    assert result.ret == EXIT_TARGET
    result.stderr.fnmatch_lines(["Exit: revocation-contracts: connection refused by 127.0.0.1*"])


def test_dry_run_from_any_directory(hostile: pytest.Pytester, canned_server: Callable[..., CannedServer]) -> None:
    server = canned_server(200)
    result = hostile.run(
        *_script(), "--spec", "polar", "--target-url", server.base_url, *CREDENTIALS, "--dry-run", "-q"
    )
    assert result.ret == 0
    result.stdout.fnmatch_lines([f"  endpoint:      POST {server.base_url}/v1/oauth2/revoke"])
    assert server.requests == []


def test_help_names_the_suite_and_its_exit_codes(hostile: pytest.Pytester) -> None:
    result = hostile.run(*_script(), "--help")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "revocation-contracts: run the OAuth 2.0 token-revocation contract suite*",
            "Exit codes: 0 passed, 1 contract failures, 4 usage error, 6 target unreachable or not the endpoint,",
            "OAuth 2.0 token-revocation contract suite:",
            "*--target-url=URL*",
        ]
    )


def test_works_with_plugin_autoload_disabled(hostile: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    result = hostile.run(*_script(), "--spec", "auth0", "--dry-run", "-q")
    assert result.ret == 0, result.stderr.str()
    result.stdout.fnmatch_lines(["auth0: *"])
