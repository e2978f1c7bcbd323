"""The CI examples users copy (``examples/ci``) and the project's own ``tox.ini`` stay valid.

Each example must be YAML that yamllint accepts, must gate on the suite (install it, refuse a
missing target URL, run it with JUnit XML and the HTML report, upload both even when the run
fails), must keep secrets out of command lines, and every ``revocation-contracts`` command in
it must parse with the suite's own option parsers.
"""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from yamllint import linter
from yamllint.config import YamlLintConfig

from revocation_contracts.cli import check_suite_options
from revocation_contracts.pytest_plugin.runstatus import EXIT_THROTTLED

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "ci"
GITHUB = EXAMPLES / "github-actions.yml"
GITLAB = EXAMPLES / "gitlab-ci.yml"


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _suite_commands(lines: list[str]) -> list[list[str]]:
    """Every ``revocation-contracts ...`` invocation in shell lines, as argument lists."""
    commands = []
    for line in lines:
        for statement in line.splitlines():
            words = shlex.split(statement, comments=True)
            if words and words[0] == "revocation-contracts":
                commands.append(words[1:])
    return commands


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_example_is_clean_yaml(path: Path) -> None:
    config = YamlLintConfig(file=str(ROOT / ".yamllint"))
    problems = list(linter.run(path.read_text(encoding="utf-8"), config, str(path)))
    assert problems == []


def _github_steps() -> list[dict[str, Any]]:
    workflow = _load(GITHUB)
    assert set(workflow) >= {"name", "on", "jobs"}
    (job,) = workflow["jobs"].values()
    assert job["runs-on"]
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def _gitlab_job() -> dict[str, Any]:
    pipeline = _load(GITLAB)
    job: dict[str, Any] = pipeline["revocation-contracts"]
    assert job["stage"] in pipeline["stages"]
    return job


def _runs(path: Path) -> list[str]:
    if path == GITHUB:
        return [step["run"] for step in _github_steps() if "run" in step]
    return list(_gitlab_job()["script"])


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_example_gates_on_the_suite(path: Path) -> None:
    runs = _runs(path)
    text = "\n".join(runs)
    assert "pip install" in text and "revocation-contracts" in text and "pytest-xdist" in text
    assert 'test -n "$REVOKE_TARGET_URL"' in text  # no silent green run against the embedded server
    commands = _suite_commands(runs)
    gate = commands[-1]
    assert gate[gate.index("--junitxml") :][:2] == ["--junitxml", "junit.xml"]
    assert gate[gate.index("--report") :][:2] == ["--report", "report.html"]
    assert "--dry-run" in commands[0]


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_example_commands_parse(path: Path) -> None:
    for command in _suite_commands(_runs(path)):
        assert check_suite_options(command) is None, command


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_example_keeps_secrets_off_the_command_line(path: Path) -> None:
    text = "\n".join(_runs(path))
    for flag in ("--client-secret", "--second-client-secret", "--client-id"):
        assert flag not in text
    assert "REVOKE_CLIENT_SECRET" in path.read_text(encoding="utf-8")


def test_github_secrets_come_from_the_secret_store() -> None:
    (job,) = _load(GITHUB)["jobs"].values()
    env = job["env"]
    assert env["REVOKE_CLIENT_SECRET"] == "${{ secrets.REVOKE_CLIENT_SECRET }}"
    assert env["REVOKE_CLIENT_ID"] == "${{ secrets.REVOKE_CLIENT_ID }}"
    assert env["REVOKE_TARGET_URL"].startswith("${{ ")


def test_github_uploads_results_even_on_failure() -> None:
    upload = next(step for step in _github_steps() if str(step.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["if"] == "always()"
    assert set(upload["with"]["path"].split()) == {"junit.xml", "report.html"}


def test_github_tolerates_only_throttling() -> None:
    gate = next(step["run"] for step in _github_steps() if "--junitxml" in step.get("run", ""))
    assert f'if [ "$status" -eq {EXIT_THROTTLED} ]' in gate
    assert gate.rstrip().endswith('exit "$status"')


def test_gitlab_reports_junit_and_keeps_the_report() -> None:
    job = _gitlab_job()
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"]["junit"] == "junit.xml"
    assert set(artifacts["paths"]) == {"junit.xml", "report.html"}
    assert job["allow_failure"] == {"exit_codes": [EXIT_THROTTLED]}


def test_tox_environments() -> None:
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini", encoding="utf-8")
    envs = [name.strip() for name in tox["tox"]["env_list"].split(",")]
    assert envs == ["py311", "contract", "lint", "type", "wheel"]
    for env in envs[1:]:
        assert tox.has_section(f"testenv:{env}"), env
    assert "ruff check" in tox["testenv:lint"]["commands"]
    assert "ruff format --check" in tox["testenv:lint"]["commands"]
    assert tox["testenv:type"]["commands"].strip() == "mypy"
    assert tox["testenv:contract"]["commands"].split()[:5] == [
        "pytest", "-p", "no:cacheprovider", "tests/contract", "--spec",
    ]  # fmt: skip
    wheel = tox["testenv:wheel"]
    assert wheel["package"] == "wheel"
    assert wheel["change_dir"] == "{env_tmp_dir}"
    assert "revocation-contracts --spec rfc7009" in wheel["commands"]


@pytest.mark.parametrize(
    "path",
    [EXAMPLES / "README.md", GITHUB, GITLAB, ROOT / "README.md", ROOT / "src/revocation_contracts/cli.py"],
    ids=lambda path: path.name,
)
def test_exit_7_is_the_whole_token_supply_not_only_the_commands(path: Path) -> None:
    """Exit 7 covers discovery, minting, probing and the commands alike (``problem_of`` files every
    ``TokenSupplyError`` under it); no page may tell a user it means a failing command only."""
    text = " ".join(path.read_text(encoding="utf-8").split())
    assert any(form in text for form in ("7 the token supply failed", "| 7 | the token supply failed")), path
    assert "token or probe command failed" not in text
    assert "| 7 | the `--token-command` or `--probe-command` failed" not in text
