"""Installing the package changes no other project's test run (issue 8, "an inert plugin").

The plugin is loaded through its ``pytest11`` entry point into every pytest run where the
package is installed. These tests run a throwaway project (its own ``contract`` and
``target`` fixtures, its own tests, ``--strict-markers``) in a child pytest, with the plugin
loaded and with it blocked (``-p no:revocation_contracts``), and compare: same tests, same
outcomes, none of the suite's machinery registered, no web server imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

THROWAWAY_CONFTEST = """
import pytest

@pytest.fixture
def contract():
    return "mine"

@pytest.fixture
def target(contract):
    return {"contract": contract}
"""

THROWAWAY_TESTS = """
import os
import sys

import pytest

def test_own_contract(contract):
    assert contract == "mine"

def test_own_target(target):
    assert target == {"contract": "mine"}

@pytest.mark.parametrize("n", [1, 2])
def test_parametrized(n, contract):
    assert n in (1, 2)

def test_fails_on_purpose():
    assert False

def test_no_machinery(pytestconfig):
    manager = pytestconfig.pluginmanager
    assert manager.get_plugin("revocation-contracts-suite") is None
    assert manager.get_plugin("revocation-contracts-runstatus") is None
    assert manager.get_plugin("revocation-contracts-reporting") is None
    markers = " ".join(pytestconfig.getini("markers"))
    assert "clause(" not in markers and "semantic:" not in markers

def test_no_hypothesis_storage_named():
    assert "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ

def test_no_web_server_loaded():
    loaded = {name.partition(".")[0] for name in sys.modules}
    assert not loaded & {"uvicorn", "starlette"}, loaded & {"uvicorn", "starlette"}
    assert "revocation_contracts.pytest_plugin.suite" not in sys.modules
    assert "revocation_contracts.target" not in sys.modules
"""

THROWAWAY_OUTCOMES = {"passed": 7, "failed": 1}
THROWAWAY_IDS = sorted(
    f"test_theirs.py::{name}"
    for name in (
        "test_own_contract",
        "test_own_target",
        "test_parametrized[1]",
        "test_parametrized[2]",
        "test_fails_on_purpose",
        "test_no_machinery",
        "test_no_hypothesis_storage_named",
        "test_no_web_server_loaded",
    )
)
CLEAN_ENV_PREFIXES = ("REVOKE_", "PYTEST_ADDOPTS")


@pytest.fixture
def throwaway(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name in [name for name in os.environ if name.startswith(CLEAN_ENV_PREFIXES)]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("HYPOTHESIS_STORAGE_DIRECTORY", raising=False)
    pytester.makeini("[pytest]\naddopts = --strict-markers --strict-config -p no:cacheprovider\n")
    pytester.makeconftest(THROWAWAY_CONFTEST)
    pytester.makepyfile(test_theirs=THROWAWAY_TESTS)
    return pytester


def test_a_throwaway_project_runs_unchanged(throwaway: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its own tests, ids and outcomes, in a fresh interpreter with the plugin loaded from its entry
    point; a CI's ``REVOKE_TARGET_URL`` does not wake it (only the ``--spec`` spellings do)."""
    monkeypatch.setenv("REVOKE_TARGET_URL", "https://auth.example.com")
    result = throwaway.runpytest_subprocess("-rA")
    result.stdout.fnmatch_lines(["plugins:*revocation-contracts-*"])  # loaded, and inert
    assert result.parseoutcomes() == THROWAWAY_OUTCOMES, result.stdout.str()
    reported = sorted(line.split(" ", 1)[1] for line in result.outlines if line.startswith(("PASSED ", "FAILED ")))
    assert [line.split(" - ")[0] for line in reported] == THROWAWAY_IDS, result.stdout.str()


def test_their_contract_fixture_is_left_alone_when_the_suite_is_asked_for(throwaway: pytest.Pytester) -> None:
    """Even with --spec (the plugin active), a test whose ``contract`` is its project's own is not
    parametrized over the selected contracts."""
    result = throwaway.runpytest("-rA", "--spec", "rfc7009", "--spec", "polar", "-k", "own or parametrized")
    assert result.parseoutcomes() == {"passed": 4, "deselected": 4}, result.stdout.str()
    reported = sorted(line.split(" ", 1)[1] for line in result.outlines if line.startswith("PASSED "))
    assert reported == [test_id for test_id in THROWAWAY_IDS if "own" in test_id or "parametrized" in test_id]


def test_importing_the_plugin_loads_no_web_server() -> None:
    """The entry-point module in a fresh interpreter: no uvicorn, Starlette, schemathesis or Hypothesis."""
    code = (
        "import sys, revocation_contracts.pytest_plugin.hooks\n"
        "heavy = {'uvicorn', 'starlette', 'anyio', 'schemathesis', 'hypothesis', 'openapi_core', 'requests'}\n"
        "print(sorted(heavy & {name.partition('.')[0] for name in sys.modules}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_an_active_run_writes_no_hypothesis_directory_into_the_cwd(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite from an empty directory (generated and semantic tests: Hypothesis' constants,
    Unicode table and example database) leaves that directory empty; the plugin names a storage
    directory of its own, as the console script does."""
    monkeypatch.delenv("HYPOTHESIS_STORAGE_DIRECTORY", raising=False)
    assert list(pytester.path.iterdir()) == []
    suite = Path(__file__).resolve().parents[1] / "contract"
    result = pytester.runpytest_subprocess(
        str(suite), "--spec", "rfc7009", "--max-examples", "2", "-p", "no:cacheprovider", "-q",
        "-k", "schema or unknown_token or wrong_hint",
    )  # fmt: skip
    assert result.ret == 0, result.stdout.str()[-3000:]
    assert result.parseoutcomes()["passed"] >= 3
    written = {path.name for path in pytester.path.iterdir()} - {"stdout", "stderr"}
    assert not (pytester.path / ".hypothesis").exists()
    assert not {name for name in written if not name.startswith("runpytest-")}, "the run wrote into the cwd"
