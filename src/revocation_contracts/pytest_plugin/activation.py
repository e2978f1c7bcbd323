"""When the plugin acts: only in a run that asks for the contract suite.

Why: the ``pytest11`` entry point loads the plugin into every pytest run of every project
where the package is installed. A plugin that registers markers, parametrizes a fixture named
``contract``, starts reporting or probes a target in those runs changes test suites it knows
nothing about. pytest-xdist is the model: its options always exist (so ``--help`` lists them
and a command line using them parses), but its machinery is registered only when ``-n`` asks.

A run asks for the suite when any of these holds:

- one of the suite's own options is on the command line (``--spec``, ``--target-url``,
  ``--dry-run``, ...): nobody types those by accident;
- ``REVOKE_SPEC`` is set in the environment, or ``revoke_spec`` in the ini file: the two
  other spellings of ``--spec`` (the other ``REVOKE_*`` variables only configure a run that
  asked, so a CI job exporting ``REVOKE_TARGET_URL`` for one step leaves the others alone);
- the run collects the shipped suite: an argument is the installed ``contract_suite`` (what
  the ``revocation-contracts`` console script runs) or a path inside it; in a checkout, also
  ``tests/contract``, a path inside it, or a directory above it (``pytest`` at the repository
  root). A directory above the *installed* suite does not count: a project whose virtualenv
  lives inside it contains the suite on disk but pytest never collects a virtualenv.

Only public pytest API is read: ``Config.args``, ``Config.invocation_params``,
``Config.getoption`` and ``Config.getini``.

Where an active run may write: Hypothesis keeps its caches (``constants``, ``unicode_data``)
and its example database in ``.hypothesis/`` of the current directory unless
``HYPOTHESIS_STORAGE_DIRECTORY`` says otherwise, and the user's directory is not the suite's
to fill. ``hypothesis_home`` is the directory the console script and the active plugin name
instead (one per user, under the temp directory, so the 200 MB Unicode table is built once);
``pytest_cache_home`` is where the console script puts pytest's cache, so ``--lf`` works.
An inert run sets nothing.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import tempfile
from pathlib import Path

import pytest

from revocation_contracts.pytest_plugin.options import OPTIONS

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PACKAGED_SUITE = PACKAGE_DIR / "contract_suite"
CHECKOUT_SUITE = PACKAGE_DIR.parents[1] / "tests" / "contract"
SPEC_ENV = "REVOKE_SPEC"
SPEC_INI = "revoke_spec"
SUITE_MODULE = "revocation_contracts.contract_suite"
HYPOTHESIS_STORAGE_ENV = "HYPOTHESIS_STORAGE_DIRECTORY"


def _user_home() -> Path:
    """This user's directory of caches under the temp directory."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. an arbitrary container uid
        user = str(os.getpid())
    return Path(tempfile.gettempdir()) / f"revocation-contracts-{user}"


def hypothesis_home() -> str:
    """Where Hypothesis keeps its caches for this user: under the temp directory, not the cwd."""
    return str(_user_home() / "hypothesis")


def pytest_cache_home(calling_dir: Path) -> str:
    """Where pytest's cache (``--lf``, ``--ff``) goes for a console-script run from ``calling_dir``.

    One per calling directory: every project runs the same suite, so the same test ids, and
    ``--lf`` in one must not rerun the failures of another project's target.
    """
    key = hashlib.sha256(str(calling_dir.resolve()).encode()).hexdigest()[:16]
    return str(_user_home() / "pytest-cache" / key)


def keep_hypothesis_out_of_cwd() -> None:
    """Name Hypothesis' storage directory for an active run, unless the user named one.

    Through the documented environment variable, read when Hypothesis first touches its
    storage (after ``pytest_configure``); xdist workers, started later, inherit it.
    """
    os.environ.setdefault(HYPOTHESIS_STORAGE_ENV, hypothesis_home())


def suite_dir() -> Path:
    """The contract suite: inside the installed package, or ``tests/contract`` in a checkout."""
    if PACKAGED_SUITE.is_dir():
        return PACKAGED_SUITE
    if CHECKOUT_SUITE.is_dir():
        return CHECKOUT_SUITE
    raise FileNotFoundError(f"the contract suite is missing: neither {PACKAGED_SUITE} nor {CHECKOUT_SUITE} exists")


def why_active(config: pytest.Config) -> str | None:
    """Why this run asked for the suite (one short phrase), or None: then the plugin stays inert."""
    for option in OPTIONS:
        if config.getoption(option.dest, default=None) is not None:
            return f"{option.flag} given"
    if os.environ.get(SPEC_ENV):
        return f"{SPEC_ENV} set"
    try:
        if config.getini(SPEC_INI):
            return f"ini {SPEC_INI} set"
    except ValueError:  # the ini key is unknown: the options were not registered
        pass
    if collects_suite(config):
        return "the contract suite is collected"
    return None


def collects_suite(config: pytest.Config) -> bool:
    """Whether one of the run's arguments selects the shipped suite or a part of it."""
    if config.getoption("pyargs", default=False):
        return any(arg.split("::")[0].startswith(SUITE_MODULE) for arg in config.args)
    base = config.invocation_params.dir
    for arg in config.args:
        path = Path(base, arg.split("::")[0]).resolve()
        if path.is_relative_to(PACKAGED_SUITE):
            return True
        if CHECKOUT_SUITE.is_dir() and (path.is_relative_to(CHECKOUT_SUITE) or CHECKOUT_SUITE.is_relative_to(path)):
            return True
    return False
