"""The built wheel is the whole suite: installed (not editable) into a fresh virtualenv, its
``revocation-contracts`` script runs the contract suite, specs included, from any directory.

The wheel is built from this checkout with ``python -m build``; its dependencies come from the
package index, so the module needs the network to PyPI (about 20 seconds with a warm cache).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from revocation_contracts.model.contract import BUNDLED_NAMES

# One worker for the module under xdist: its tests share one built wheel and its virtualenv
# (see the root conftest.py).
pytestmark = pytest.mark.xdist_group("wheel")

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 600
# The contract suite's modules: the classnames of its JUnit testcases, from a checkout or the wheel.
SUITE_MODULES = ("test_protocol", "test_schema", "test_semantics")


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def _clean_env() -> dict[str, str]:
    """The caller's environment without anything that would leak this checkout or its settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("REVOKE_", "PYTEST_", "PYTHON"))}
    env.pop("VIRTUAL_ENV", None)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    # --no-isolation: the build backend (hatchling) is a dev dependency already installed here,
    # so no throwaway build environment is downloaded and set up for every run.
    command = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)]
    built = _run(command, cwd=dist)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (path,) = dist.glob("revocation_contracts-*.whl")
    return path


@pytest.fixture(scope="module")
def script(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The console script of the wheel installed into a fresh virtualenv (no system site-packages)."""
    venv = tmp_path_factory.mktemp("venv")
    created = _run([sys.executable, "-m", "venv", str(venv)], cwd=venv, env=_clean_env())
    assert created.returncode == 0, created.stderr
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    installed = _run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        cwd=venv,
        env=_clean_env(),
    )
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    return python.with_name("revocation-contracts")


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A directory that is not this checkout, with a pytest configuration that would break the suite."""
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\nfilterwarnings = error\n")
    (tmp_path / "conftest.py").write_text("raise RuntimeError('the caller conftest must not be loaded')\n")
    return tmp_path


def test_wheel_holds_the_suite_and_the_specs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    suite = {name for name in names if name.startswith("revocation_contracts/contract_suite/")}
    assert {
        "revocation_contracts/contract_suite/test_protocol.py",
        "revocation_contracts/contract_suite/test_schema.py",
    } <= suite
    assert {f"revocation_contracts/specs/{name}.yaml" for name in BUNDLED_NAMES} <= names
    assert {"revocation_contracts/model/x_revocation.schema.json", "revocation_contracts/suite.ini"} <= names
    assert not any("__pycache__" in name for name in names)
    entry_points = next(name for name in names if name.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "revocation-contracts = revocation_contracts.cli:main" in text
    assert "revocation_contracts = revocation_contracts.pytest_plugin.hooks" in text


def test_console_script_runs_the_suite_from_any_directory(
    script: Path, elsewhere: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    before = sorted(path.name for path in elsewhere.iterdir())
    junit = tmp_path_factory.mktemp("junit") / "junit.xml"
    result = _run([str(script), "--spec", "rfc7009", "-q", f"--junitxml={junit}"], cwd=elsewhere, env=_clean_env())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout
    assert "failed" not in result.stdout
    # No warning of ours: the installed package is marked for assertion rewriting by pytest, and
    # the script imported it first (cli.py, the package docstring's PYTEST_DONT_REWRITE).
    assert "PytestAssertRewriteWarning" not in result.stdout + result.stderr
    assert "warnings summary" not in result.stdout
    assert str(ROOT) not in result.stdout  # the installed suite ran, not this checkout's
    assert sorted(path.name for path in elsewhere.iterdir()) == before  # nothing written to the cwd
    # JUnit names every test as a checkout run names it (tests/reporting/test_junit.py): a CI's test
    # history does not break when a team switches from a checkout to the wheel.
    classnames = {case.get("classname") for case in ElementTree.parse(junit).getroot().iter("testcase")}
    assert classnames == {f"revocation_contracts.{module}" for module in SUITE_MODULES}, classnames


def test_unknown_spec_is_one_line_and_exit_4(script: Path, elsewhere: Path) -> None:
    result = _run([str(script), "--spec", "nope"], cwd=elsewhere, env=_clean_env())
    assert result.returncode == 4
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "revocation-contracts: error: argument --spec: unknown spec 'nope': use one of "
        f"{', '.join(BUNDLED_NAMES)}, 'all', or a path to an OpenAPI file"
    ]


def test_packaged_specs_serve_every_contract(script: Path, elsewhere: Path) -> None:
    result = _run([str(script), "--spec", "all", "--dry-run"], cwd=elsewhere, env=_clean_env())
    assert result.returncode == 0, result.stderr
    planned = [line.split(":")[0] for line in result.stdout.splitlines() if line.split(":")[0] in BUNDLED_NAMES]
    assert planned == list(BUNDLED_NAMES)
