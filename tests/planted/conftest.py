"""Run the contract suite in a child pytest and read back what happened to every test.

Why a subprocess and not ``pytester.runpytest``: the suite starts reference servers in
threads, registers schemathesis checks and hooks at import time, and is configured through
``pytest_configure``; an in-process run would share all of that with the outer session (and
with the other planted-bug runs). A child process per run is what a user runs, so a verdict
read from it is the verdict a user would see.

Why JUnit XML: it is pytest's stable machine-readable report. The schema test is one test
per contract and API operation (``test_schema_conformance[polar-POST:/v1/oauth2/revoke]``,
``schema_test_id``). A pytest 9 sub-test, reported as a ``testcase`` named ``<parent id>[...]``
beside its parent, is folded into the parent (the parent fails when a sub-test fails, and
carries its failure text), and kept under its own id too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONTRACT_SUITE = REPO / "tests" / "contract"
# The seeds the real third-party servers (Authlib, oauthlib, the node servers) are run under: seed 1
# in the default run (the CI budget), ``INDIE_SEEDS=3`` for seeds 1 to 3.
REAL_SERVER_SEEDS = (1, 2, 3)[: max(1, min(3, int(os.environ.get("INDIE_SEEDS", "1"))))]
RUN_TIMEOUT = 300.0
# A problem's first line in the terminal summary (reporting/problems.py, render_problems).
PROBLEM_LINE = re.compile(r"^(FAILURE|WARNING) (\S+) \[([^\]]+)\] .* \(\d+ tests?\)$", re.MULTILINE)
# Outcomes ranked so that merging two reports of one test keeps the worse one.
RANK = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


@dataclass
class SuiteRun:
    """One child run of the contract suite: exit code, outcome and failure text per test id.

    Test ids are ``<module file>::<test name>``, e.g.
    ``test_protocol.py::test_client_authentication_is_enforced[polar-wrong-secret]``.
    """

    returncode: int
    output: str
    outcomes: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    properties: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    system_out: dict[str, str] = field(default_factory=dict)

    def with_outcome(self, outcome: str) -> set[str]:
        return {test_id for test_id, value in self.outcomes.items() if value == outcome}

    @property
    def failed(self) -> set[str]:
        return self.with_outcome("failed")

    @property
    def errors(self) -> set[str]:
        return self.with_outcome("error")

    @property
    def passed(self) -> set[str]:
        return self.with_outcome("passed")

    def problems(self, level: str = "failure") -> set[tuple[str, str]]:
        """``(contract, clause)`` of every problem the terminal summary lists at ``level``
        (``FAILURE polar [PIN-no-echo] Credential echoed (12 tests)``)."""
        return {(found[1], found[2]) for found in PROBLEM_LINE.findall(self.output) if found[0] == level.upper()}

    def describe(self) -> str:
        """What to print when an assertion about this run fails: the tail of the child's output."""
        return f"exit code {self.returncode}; child output (tail):\n{self.output[-6000:]}"


def parse_properties(path: Path) -> dict[str, list[tuple[str, str]]]:
    """The ``<property>`` elements of every test case, by test id."""
    found: dict[str, list[tuple[str, str]]] = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        module = (case.get("classname") or "").rpartition(".")[2]
        entries = [(item.get("name") or "", item.get("value") or "") for item in case.iter("property")]
        found.setdefault(f"{module}.py::{case.get('name')}", []).extend(entries)
    return found


def parse_system_out(path: Path) -> dict[str, str]:
    """The ``<system-out>`` text of every test case that has one, by test id."""
    found: dict[str, str] = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        module = (case.get("classname") or "").rpartition(".")[2]
        out = case.find("system-out")
        if out is not None and out.text:
            found[f"{module}.py::{case.get('name')}"] = out.text
    return found


def parse_junit(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Outcome and failure text per test id, subtests folded into their parents."""
    outcomes: dict[str, str] = {}
    texts: dict[str, str] = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        module = (case.get("classname") or "").rpartition(".")[2]
        test_id = f"{module}.py::{case.get('name')}"
        outcome, text = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = "failed" if child.tag == "failure" else child.tag
                text = "\n".join(part for part in (child.get("message"), child.text) if part)
        if RANK[outcome] >= RANK[outcomes.get(test_id, "passed")]:
            outcomes[test_id] = outcome
        if text:
            texts[test_id] = f"{texts[test_id]}\n{text}" if test_id in texts else text
    for test_id in list(outcomes):
        parent = _parent(test_id, outcomes)
        if parent is None:
            continue
        if RANK[outcomes[test_id]] > RANK[outcomes[parent]]:
            outcomes[parent] = outcomes[test_id]
        if test_id in texts:
            texts[parent] = f"{texts[parent]}\n{texts[test_id]}" if parent in texts else texts[test_id]
    return outcomes, texts


def _parent(test_id: str, known: dict[str, str]) -> str | None:
    """The test a subtest id belongs to: the longest other known id it extends with ``[...]``."""
    candidates = [other for other in known if other != test_id and test_id.startswith(other + "[")]
    return max(candidates, key=len) if candidates else None


def run_suite(
    workdir: Path,
    specs: tuple[str, ...] | list[str],
    *,
    bugs: tuple[str, ...] | list[str] = (),
    seed: int | None = None,
    select: str | None = None,
    extra: tuple[str, ...] | list[str] = (),
    paths: tuple[Path, ...] | list[Path] = (CONTRACT_SUITE,),
    env: dict[str, str] | None = None,
    cache_dir: Path | None = None,
) -> SuiteRun:
    """Run ``tests/contract`` (or ``paths`` in it) for ``specs`` against the embedded reference servers.

    ``bugs`` are planted-bug names (``--reference-bug``); ``seed`` is passed as
    ``--hypothesis-seed``; ``select`` is a ``-k`` expression; ``extra`` are further options
    (e.g. ``--target-url`` with the options a user passes for a server of their own, in which
    case ``specs`` may be empty and the ``--spec`` be among them). The child runs in ``workdir``
    (Hypothesis and pytest write nothing into the repository) with no ``REVOKE_*`` or
    ``PYTEST_ADDOPTS`` from the outer environment, so the user's settings cannot leak in;
    ``env`` adds variables of the test's own on top. pytest's cache is off unless ``cache_dir``
    names where it goes (never the repository's ``.pytest_cache``).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    junit = workdir / "junit.xml"
    command = [sys.executable, "-m", "pytest", *map(str, paths)]
    for spec in specs:
        command += ["--spec", spec]
    for bug in bugs:
        command += ["--reference-bug", bug]
    command += ["-p", "no:cacheprovider"] if cache_dir is None else ["-o", f"cache_dir={cache_dir}"]
    command += ["-q", "-p", "no:randomly", f"--junitxml={junit}"]
    if seed is not None:
        command.append(f"--hypothesis-seed={seed}")
    if select is not None:
        command += ["-k", select]
    command += list(extra)
    child_env = {
        name: value for name, value in os.environ.items() if not name.startswith(("REVOKE_", "PYTEST_ADDOPTS"))
    }
    child_env.update(env or {})
    result = subprocess.run(
        command,
        cwd=workdir,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    output = result.stdout + result.stderr
    if not junit.is_file():
        pytest.fail(f"the contract suite wrote no JUnit report (exit code {result.returncode}):\n{output[-6000:]}")
    outcomes, texts = parse_junit(junit)
    return SuiteRun(result.returncode, output, outcomes, texts, parse_properties(junit), parse_system_out(junit))


def schema_test_id(spec: str, operation_of: str | None = None) -> str:
    """``test_schema.py::test_schema_conformance[polar-POST:/v1/oauth2/revoke]``: the schema test of
    ``spec`` (a bundled contract, or a copy of ``operation_of`` under the name ``spec``)."""
    from revocation_contracts.model.contract import load_contract
    from revocation_contracts.rules.schema_suite import operation_id

    return f"test_schema.py::test_schema_conformance[{spec}-{operation_id(load_contract(operation_of or spec))}]"


def schema_test_ids(spec: str) -> tuple[str, ...]:
    """The ids under which the schema test's verdict on ``spec``'s revocation operation is reported:
    one real pytest item per operation (tests/planted and tests/independent use it)."""
    return (schema_test_id(spec),)


@pytest.fixture
def contract_suite(tmp_path: Path):
    """``run_suite`` bound to this test's own ``tmp_path``, so parallel runs never share files."""

    def run(specs, **kwargs) -> SuiteRun:
        return run_suite(tmp_path, specs, **kwargs)

    return run
