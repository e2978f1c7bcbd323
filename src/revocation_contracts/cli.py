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
- ``-p no:cacheprovider`` and a Hypothesis storage directory under the temp directory
  (``HYPOTHESIS_STORAGE_DIRECTORY``, unless the caller set one): nothing is written into the
  caller's directory.

Every suite option (``--spec``, ``--target-url``, ``--dry-run``, ...) and every pytest option
(``-k``, ``-x``, ``-n auto``, ``--junitxml``) passes through unchanged. The suite options are
parsed here first, with the plugin's own parsers, so a bad value is one line and exit 4
instead of pytest's usage banner. A caller who passes ``-c``/``--config-file`` or
``--rootdir`` gets theirs instead of the isolation.

No warning of ours in the caller's run: pytest marks every module of a distribution that
provides a ``pytest11`` plugin for assertion rewriting, and warns about the ones already
imported. This script imports only the package itself (its docstring opts out of rewriting,
it holds no assertions) and the option parsers; no web server, no anyio, nothing pytest
would have rewritten. The plugin's own modules load after pytest, rewritten as usual.

Exit codes are pytest's (0 passed, 1 contract failures, 2 interrupted, 3 internal error,
4 usage error, 5 nothing collected) and the suite's (6 target problem, 7 the token supply
failed, 8 throttled); ``runstatus.py`` has the table.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from revocation_contracts.pytest_plugin.activation import hypothesis_home, suite_dir
from revocation_contracts.pytest_plugin.options import OPTIONS

PROG = "revocation-contracts"
USAGE_ERROR = 4
CONFIG_FILE = "suite.ini"
HELP_PREFACE = f"""\
{PROG}: run the OAuth 2.0 token-revocation contract suite (bundled specs and tests) with pytest.
  {PROG} --spec polar --target-url https://sandbox-api.polar.sh --client-id ID --client-secret SECRET
  {PROG} --spec rfc7009              # no --target-url: against the embedded reference server
  {PROG} --spec all -n auto --junitxml junit.xml --report report.html
  {PROG} new my-idp [--from okta] [--output PATH]   # write a contract file to edit, then --spec my-idp.yaml
Exit codes: 0 passed, 1 contract failures, 4 usage error, 6 target unreachable or not the endpoint,
7 token supply failed (discovery, minting, a probe or a command),
8 throttled (nothing failed, some checks could not run).
Every pytest option applies; pytest's help follows.
"""


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


def pytest_args(args: Sequence[str], suite: Path) -> list[str]:
    """The full pytest command line for the caller's ``args``: the suite, isolated, then theirs."""
    isolation = ["-p", "no:cacheprovider"]
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
        sys.stdout.write(HELP_PREFACE + "\n")
        sys.stdout.flush()
    else:
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
