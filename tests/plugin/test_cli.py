"""The ``revocation-contracts`` console script, run from directories that are not this checkout.

(The installed-wheel twin of these tests is ``tests/packaging/test_wheel.py``.)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from revocation_contracts import cli
from revocation_contracts.pytest_plugin.options import OPTIONS
from revocation_contracts.pytest_plugin.runstatus import EXIT_CODES, EXIT_INCOMPLETE, EXIT_TARGET

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
    assert "no:cacheprovider" not in args  # --lf and --ff need the cache ...
    cache = Path(args[args.index("-o") + 1].removeprefix("cache_dir="))
    assert cache == Path(cli.pytest_cache_home(Path.cwd()))  # ... kept out of the caller's directory
    assert cache.is_absolute() and not cache.is_relative_to(Path.cwd())
    assert cli.pytest_cache_home(Path.cwd()) != cli.pytest_cache_home(Path.cwd().parent)
    config = Path(args[args.index("-c") + 1])
    assert config.name == cli.CONFIG_FILE and config.is_file()
    assert args[args.index("--rootdir") + 1] == str(CONTRACT_SUITE)


@pytest.mark.parametrize(
    "given",
    [["-o", "cache_dir=mine"], ["--override-ini=cache_dir=mine"], ["-ocache_dir=mine"], ["-p", "no:cacheprovider"]],
)
def test_a_callers_own_cache_choice_wins(given: list[str]) -> None:
    args = cli.pytest_args(given, CONTRACT_SUITE)
    assert not any(arg.startswith("cache_dir=") and "mine" not in arg for arg in args), args


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


def test_help_leads_with_the_suite_options(capsys: pytest.CaptureFixture[str]) -> None:
    """Each suite option with its environment variable first; pytest's own options are one line."""
    assert cli.main(["--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    group = lines.index("suite options (each also read from the environment variable shown):")
    assert group < 6, lines[:group]
    text = "\n".join(lines)
    positions = [text.index(f"  {option.flag}") for option in OPTIONS]
    assert positions == sorted(positions) and positions[0] == text.index("  --")
    for option in OPTIONS:
        assert f"[env {option.env}]" in text, option.flag
    pytest_lines = [line for line in lines if "pytest --help" in line]
    assert pytest_lines == ["all pytest options apply too (-k, -x, --lf, --junitxml, ...): pytest --help lists them"]
    assert text.index(pytest_lines[0]) > positions[-1]
    assert len(lines) < 120
    assert " -n " not in text  # pytest-xdist is not installed with the package


def test_help_exit_codes_are_the_codes_the_run_ends_with() -> None:
    codes = {
        pytest.ExitCode.OK,
        pytest.ExitCode.TESTS_FAILED,
        pytest.ExitCode.USAGE_ERROR,
        *EXIT_CODES.values(),
        EXIT_INCOMPLETE,
    }
    assert set(cli.EXIT_CODES) == {int(code) for code in codes}


def test_help_from_any_directory(hostile: pytest.Pytester) -> None:
    result = hostile.run(*_script(), "--help")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        ["usage: revocation-contracts [[]SUITE OPTIONS[]] [[]PYTEST OPTIONS[]]", "*--target-url URL*"]
    )


CHEAP = ("--max-examples", "5")
# Run together by test_last_failed_reruns_only_the_failures (the second needs the first's cache).
PLANTED, RERUN = cli.EXAMPLES[3], cli.EXAMPLES[4]


@pytest.mark.parametrize(
    "example", [e for e in cli.EXAMPLES if e not in (PLANTED, RERUN)], ids=lambda example: example.arguments
)
def test_each_help_example_exits_as_documented(hostile: pytest.Pytester, example: cli.Example) -> None:
    """As printed, on the embedded servers; a suite run gets --max-examples 5 to stay cheap."""
    runs_suite = example.args[0] != "new" and "--dry-run" not in example.args and "list" not in example.args
    result = hostile.run(*_script(), *example.args, *(CHEAP if runs_suite else ()))
    assert result.ret == example.exit_code, result.stdout.str()[-3000:] + result.stderr.str()


def test_help_examples_are_all_run() -> None:
    assert {PLANTED.arguments, RERUN.arguments} == {
        "--spec polar --reference-bug wrong-success-status",
        "--spec polar --reference-bug wrong-success-status --lf",
    }


def test_last_failed_reruns_only_the_failures(hostile: pytest.Pytester) -> None:
    """--lf from the console script: the second run reruns the first run's failure, nothing else,
    and neither writes pytest's cache into the caller's directory."""
    before = _listing(hostile.path)
    select = ("-k", "protocol", "-q", *CHEAP)
    first = hostile.run(*_script(), *PLANTED.args, *select)
    assert first.ret == PLANTED.exit_code, first.stdout.str()[-3000:] + first.stderr.str()
    first.stdout.fnmatch_lines(["FAILED *test_revoked_token_answer[[]polar[]]*", "1 failed, * passed*"])
    rerun = hostile.run(*_script(), *RERUN.args, *select)
    assert rerun.ret == RERUN.exit_code, rerun.stdout.str()[-3000:] + rerun.stderr.str()
    rerun.stdout.fnmatch_lines(["FAILED *test_revoked_token_answer[[]polar[]]*", "1 failed in *"])
    assert _listing(hostile.path) == before


def test_reference_bug_list_names_every_planted_bug(capsys: pytest.CaptureFixture[str]) -> None:
    """What the console script's (and pytest's) ``--reference-bug list`` prints; the examples run it."""
    from revocation_contracts.pytest_plugin.planted import catching_checks, print_bug_list
    from revocation_contracts.reference.bugs import BUGS

    assert print_bug_list() == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{len(BUGS)} planted bugs")
    checks = catching_checks()
    for bug, line in zip(BUGS.values(), lines[1:], strict=True):
        assert line.split()[0] == bug.name
        assert f"{bug.description}; breaks {bug.rule}; caught by {checks[bug.name]}" in line


def test_works_with_plugin_autoload_disabled(hostile: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    result = hostile.run(*_script(), "--spec", "auth0", "--dry-run", "-q")
    assert result.ret == 0, result.stderr.str()
    result.stdout.fnmatch_lines(["auth0: *"])
