"""The ``revocation-contracts`` console script: the contract suite, from any directory.

Why a script and not ``pytest tests/contract``: users run the suite in someone else's CI,
from a checkout of their own project, with the package installed from a wheel. The wheel
ships the suite itself (``revocation_contracts/contract_suite``, which is the repository's
``tests/contract``) and the specs; this script runs pytest on that directory with the
caller's arguments, isolated from whatever the current directory holds:

- ``-c suite.ini`` (shipped beside this module) and ``--rootdir <suite>``: no ``pytest.ini``,
  ``pyproject.toml``, ``tox.ini`` or ``setup.cfg`` of the caller's applies (their ``addopts``
  or ``filterwarnings = error`` would change what the suite reports), and no ``conftest.py``
  above the suite is loaded. ``suite.ini`` holds the one setting the suite relies on:
  ``xfail_strict`` (known vendor deviations are strict expected failures).
- pytest's cache (``--lf``, ``--ff``, ``--sw``) and Hypothesis' storage directory live under
  the temp directory, per user (``-o cache_dir=...`` keyed by the calling directory, and
  ``HYPOTHESIS_STORAGE_DIRECTORY``), unless the caller names their own: nothing is written
  into the caller's directory, and ``--lf`` in one project does not rerun another's failures.

Every suite option (``--spec``, ``--target-url``, ``--dry-run``, ...) and every pytest option
(``-k``, ``-x``, ``--lf``, ``--junitxml``) passes through unchanged. The suite options are
parsed here first, with the plugin's own parsers, so a bad value is one line and exit 4
instead of pytest's usage banner. A caller who passes ``-c``/``--config-file`` or
``--rootdir`` gets theirs instead of the isolation.

``--help`` is the suite's own (``help_text``): its options, each with its environment
variable, examples that run as printed on a fresh install (``EXAMPLES``; the tests run them),
the exit codes, and one line pointing at ``pytest --help`` for pytest's options, which would
otherwise bury the suite's under some 400 lines.

No warning of ours in the caller's run: pytest marks every module of a distribution that
provides a ``pytest11`` plugin for assertion rewriting, and warns about the ones already
imported. This script imports only the package itself (its docstring opts out of rewriting,
it holds no assertions) and the option parsers; no web server, no anyio, nothing pytest
would have rewritten. The plugin's own modules load after pytest, rewritten as usual.

Exit codes are pytest's (0 passed, 1 contract failures, 2 interrupted, 3 internal error,
4 usage error, 5 nothing collected) and the suite's (6 target problem, 7 the token supply
failed, 8 throttled, 9 incomplete); ``runstatus.py`` has the table.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from revocation_contracts.pytest_plugin.activation import hypothesis_home, pytest_cache_home, suite_dir
from revocation_contracts.pytest_plugin.options import OPTIONS

PROG = "revocation-contracts"
USAGE_ERROR = 4
CONFIG_FILE = "suite.ini"
CACHE_DIR_INI = "cache_dir"
# What each exit code means, for --help (tests/plugin/test_cli.py checks the codes against
# pytest's and runstatus.py's constants; README's table is checked against the same ones).
EXIT_CODES = {
    0: "passed",
    1: "contract failures",
    USAGE_ERROR: "usage error",
    6: "target unreachable or not the endpoint",
    7: "token supply failed (discovery, minting, a probe or a command)",
    8: "throttled (nothing failed, some checks could not run)",
    9: "incomplete (checks that apply could not run: no token supply or second client; --checks narrows the run)",
}


@dataclass(frozen=True)
class Example:
    """A command --help prints, what it does, and the exit code it ends with on a fresh install.

    Each runs as printed (tests/plugin/test_cli.py runs them all): the embedded reference
    servers need no target, and ``--dry-run`` sends nothing, so placeholder credentials do.
    """

    arguments: str
    says: str
    exit_code: int

    @property
    def args(self) -> list[str]:
        return shlex.split(self.arguments)

    @property
    def command(self) -> str:
        return f"{PROG} {self.arguments}"


EXAMPLES = (
    Example("--spec rfc7009", "against the embedded reference server (no --target-url)", 0),
    Example(
        "--spec polar --target-url https://sandbox-api.polar.sh --client-id ID --client-secret SECRET --dry-run",
        "what would be sent, sending nothing; drop --dry-run to run it",
        0,
    ),
    Example(
        "--spec rfc7009 --junitxml junit.xml --report report.html",
        "JUnit XML for the CI, a conformance report for people",
        0,
    ),
    Example(
        "--spec polar --reference-bug wrong-success-status",
        "a planted bug: the checks that must catch it fail, exit 1",
        1,
    ),
    Example("--spec polar --reference-bug wrong-success-status --lf", "rerun only the last run's failures", 1),
    Example("--reference-bug list", "every planted bug, what it breaks, which check catches it", 0),
    Example("new my-idp --from okta", "write my-idp.yaml to edit, then: --spec my-idp.yaml", 0),
)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's layout, with each option's ``[env NAME]`` kept on one line."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        lines = super()._split_lines(text.replace("[env ", "[env\0"), width)
        return [line.replace("\0", " ") for line in lines]


def help_text(width: int = 100) -> str:
    """The console script's --help: the suite's options first, then examples, exit codes and
    one line about pytest's own options (``pytest --help`` lists them; all of them apply)."""
    examples = "\n".join(f"  {example.command}\n      {example.says}" for example in EXAMPLES)
    codes = ", ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items())
    parser = argparse.ArgumentParser(
        prog=PROG,
        usage=f"{PROG} [SUITE OPTIONS] [PYTEST OPTIONS]\n       {PROG} new NAME [--from SPEC] [--output PATH]",
        description="Run the OAuth 2.0 token-revocation contract suite (bundled contracts and tests) with pytest.",
        epilog=f"examples:\n{examples}\n\nexit codes: {textwrap.fill(codes, 100, subsequent_indent='  ')}\n\n"
        "all pytest options apply too (-k, -x, --lf, --junitxml, ...): pytest --help lists them",
        formatter_class=lambda prog: _HelpFormatter(prog, width=width),
        add_help=False,
    )
    group = parser.add_argument_group("suite options (each also read from the environment variable shown)")
    for option in OPTIONS:
        help_line = f"{option.help} [env {option.env}]"
        if option.is_flag:
            group.add_argument(option.flag, action="store_true", help=help_line)
        else:
            group.add_argument(option.flag, metavar=option.metavar, help=help_line)
    group.add_argument("-h", "--help", action="store_true", help="this help")
    return parser.format_help()


def check_suite_options(args: Sequence[str]) -> str | None:
    """Parse the suite's own options with the plugin's parsers; one line on the first bad one."""
    parser = argparse.ArgumentParser(prog=PROG, add_help=False, allow_abbrev=False, exit_on_error=False)
    for option in OPTIONS:
        if option.is_flag:
            parser.add_argument(option.flag, action="store_true", dest=option.dest)
        else:
            action = "append" if option.repeatable else "store"
            parser.add_argument(option.flag, action=action, type=option.parse or str, dest=option.dest)
    try:
        parser.parse_known_args(list(args))
    except argparse.ArgumentError as exc:
        return f"{PROG}: error: {exc}"
    return None


def _given(args: Sequence[str], *flags: str) -> bool:
    return any(arg == flag or arg.startswith(flag + "=") for arg in args for flag in flags)


def _values(args: Sequence[str], *flags: str) -> list[str]:
    """The values given to ``flags`` (``-o X``, ``-oX``, ``--override-ini=X``, ``--override-ini X``)."""
    found = []
    for index, arg in enumerate(args):
        for flag in flags:
            if arg == flag and index + 1 < len(args):
                found.append(args[index + 1])
            elif arg.startswith(flag + "="):
                found.append(arg[len(flag) + 1 :])
            elif len(flag) == 2 and arg.startswith(flag) and len(arg) > 2:
                found.append(arg[2:])
    return found


def _overrides_ini(args: Sequence[str], key: str) -> bool:
    return any(value.split("=", 1)[0].strip() == key for value in _values(args, "-o", "--override-ini"))


def _disables(args: Sequence[str], plugin: str) -> bool:
    return f"no:{plugin}" in _values(args, "-p")


def pytest_args(args: Sequence[str], suite: Path) -> list[str]:
    """The full pytest command line for the caller's ``args``: the suite, isolated, then theirs."""
    isolation = []
    if not _overrides_ini(args, CACHE_DIR_INI) and not _disables(args, "cacheprovider"):
        # pytest's cache (--lf, --ff, --sw) under the temp directory, one per calling directory.
        isolation += ["-o", f"{CACHE_DIR_INI}={pytest_cache_home(Path.cwd())}"]
    if not _given(args, "-c", "--config-file", "--rootdir"):
        isolation += ["-c", str(Path(__file__).resolve().with_name(CONFIG_FILE)), "--rootdir", str(suite)]
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        # The plugin normally loads through its pytest11 entry point; name it when autoload is off.
        isolation += ["-p", "revocation_contracts.pytest_plugin.hooks"]
    return [str(suite), *isolation, *args]


def new_command(args: Sequence[str]) -> int:
    """``new NAME [--from SPEC] [--output PATH]``: write a starting contract (model/scaffold.py)."""
    from revocation_contracts.model.contract import ContractError
    from revocation_contracts.model.scaffold import DEFAULT_TEMPLATE, new_contract

    parser = argparse.ArgumentParser(prog=f"{PROG} new", exit_on_error=False)
    parser.add_argument("name")
    parser.add_argument("--from", dest="template", default=DEFAULT_TEMPLATE)
    parser.add_argument("--output", "-o")
    try:
        options = parser.parse_args(list(args))
        path = new_contract(options.name, options.output, options.template)
    except (argparse.ArgumentError, ContractError) as exc:
        sys.stderr.write(f"{PROG} new: error: {exc}\n")
        return USAGE_ERROR
    sys.stdout.write(f"wrote {path}; edit it, then run: {PROG} --spec {path}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite with ``argv`` (default: the command line); the exit code as an int."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["new"]:
        return new_command(args[1:])
    if _given(args, "-h", "--help"):
        sys.stdout.write(help_text())
        return 0
    problem = check_suite_options(args)
    if problem is not None:
        sys.stderr.write(problem + "\n")
        return USAGE_ERROR
    try:
        suite = suite_dir()
    except FileNotFoundError as exc:
        sys.stderr.write(f"{PROG}: {exc}; reinstall the package\n")
        return USAGE_ERROR
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", hypothesis_home())
    import pytest

    return int(pytest.main(pytest_args(args, suite)))


if __name__ == "__main__":
    sys.exit(main())
