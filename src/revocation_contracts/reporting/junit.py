"""JUnit XML that CI test views show: warnings in ``system-out``, stable classnames, short messages.

Why a pass over the file pytest's ``--junitxml`` wrote, and not hooks into its writer: pytest has
no public way to add a testcase's ``system-out``, to name its classname or to choose its failure
``message`` (``record_xml_attribute`` is experimental and does nothing under pytest-xdist, where
only the controller writes the file). The file is public, stable data; the plugin rewrites it once,
at the end of the session, after pytest wrote it (``ReportingPlugin.pytest_sessionfinish``), from
what every testcase already carries: its ``revocation-contract`` and ``revocation-violation``
properties. Only the contract suite's testcases (those with a contract property) are touched.

- **Warnings** pass, so CI views that list failures never show them, and none of them renders a
  testcase's ``<properties>``. Each warning is written, as the terminal renders it, into the
  testcase's ``<system-out>``: the element GitLab's unit test report and Jenkins read per test, and
  EnricoMi's publisher parses (examples/ci/README.md says what each view shows).
- **Warning problems as their own testcases.** ``system-out`` of a *passing* test is shown by none
  of GitHub's common JUnit reporters (dorny/test-reporter, mikepenz/action-junit-report,
  EnricoMi's publisher) nor by GitLab (it shows ``system-out`` for failed tests only); all of them
  render ``skipped``. So each warning *problem* (the plugin hands over the very problems the
  terminal lists, ``reporting/problems.py``) is also one extra testcase, classname
  ``revocation_contracts.warnings``, marked ``skipped`` with the problem's headline as its
  message and the whole warning as its text: one visible line per warning problem in every
  view, never a failure. The testsuite's ``tests`` and ``skipped`` counts include them.
- **Classnames** come from the node id's path, so the same test was ``tests.contract.test_protocol``
  from a checkout and ``test_protocol`` from the wheel, and a CI's test history broke when a team
  switched. Every contract test is named ``revocation_contracts.<module>`` instead.
- **Failure messages**: pytest 9.2 cuts ``message`` to 500 characters, mid-curl. The message
  becomes the failure's one-line problem headline (``[PIN-no-echo] Credential echoed``, what a
  viewer shows as the annotation's title line); the element's text keeps the whole failure.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path

from revocation_contracts.reporting.problems import Problem
from revocation_contracts.rules.outcomes import VIOLATION_PROPERTY
from revocation_contracts.rules.violation import FAILURE, WARNING, Violation

CLASSNAME_ROOT = "revocation_contracts"
WARNINGS_HEADER = "revocation-contracts warnings (passing, not failing the run):"
WARNINGS_CLASSNAME = f"{CLASSNAME_ROOT}.warnings"
# The ``skipped`` type of a warning problem's testcase, so a tool can tell it from a real skip.
WARNING_SKIP_TYPE = "revocation-warning"


def stable_classname(classname: str) -> str:
    """``tests.contract.test_protocol`` and ``test_protocol`` -> ``revocation_contracts.test_protocol``:
    the test module (and any class in it), whatever path the suite was collected from."""
    parts = classname.split(".")
    modules = [index for index, part in enumerate(parts) if part.startswith("test_")]
    if not modules:
        return classname
    return ".".join([CLASSNAME_ROOT, *parts[modules[-1] :]])


def _violations(case: ElementTree.Element) -> list[Violation]:
    found = []
    for prop in case.iter("property"):
        if prop.get("name") == VIOLATION_PROPERTY:
            violation = Violation.from_json(prop.get("value") or "")
            if violation is not None:
                found.append(violation)
    return found


def _contract(case: ElementTree.Element, contract_property: str) -> str | None:
    for prop in case.iter("property"):
        if prop.get("name") == contract_property:
            return prop.get("value") or None
    return None


def refine_case(case: ElementTree.Element, contract_property: str) -> bool:
    """Rewrite one ``testcase`` of the contract suite in place; False if it is not one."""
    if _contract(case, contract_property) is None:
        return False
    case.set("classname", stable_classname(case.get("classname") or ""))
    violations = _violations(case)
    warnings = [violation for violation in violations if violation.level == WARNING]
    if warnings:
        out = case.find("system-out")
        if out is None:  # JUnit's order: the result, then system-out, then system-err
            out = ElementTree.Element("system-out")
            err = case.find("system-err")
            case.insert(list(case).index(err) if err is not None else len(case), out)
        text = "\n".join(f"WARNING {violation.render()}" for violation in warnings)
        out.text = "\n".join(part for part in (out.text, WARNINGS_HEADER, text) if part)
    failures = [violation for violation in violations if violation.level == FAILURE]
    failure = case.find("failure")
    if failure is not None and failures:
        failure.set("message", failures[0].problem_headline())
    return True


def refine_junit(path: Path, contract_property: str, problems: Sequence[Problem] = ()) -> int:
    """Rewrite the JUnit XML file at ``path`` (see the module docstring); the testcases changed.

    ``problems`` are the run's, as the terminal lists them (``group`` of the plugin's findings):
    each warning among them becomes a testcase of its own. The file is replaced atomically; one
    that is missing or not XML is left alone (0).
    """
    try:
        tree = ElementTree.parse(path)
    except (OSError, ElementTree.ParseError):
        return 0
    root = tree.getroot()
    changed = sum(refine_case(case, contract_property) for case in root.iter("testcase"))
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if changed and suite is not None:
        add_warning_cases(suite, problems)
    if changed:
        partial = path.with_name(path.name + ".partial")
        tree.write(partial, encoding="utf-8", xml_declaration=True)
        os.replace(partial, path)
    return changed


def add_warning_cases(suite: ElementTree.Element, problems: Sequence[Problem]) -> int:
    """Append one ``skipped`` testcase per warning problem to ``suite``; how many were added."""
    warnings = [problem for problem in problems if problem.level == WARNING]
    for problem in warnings:
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=WARNINGS_CLASSNAME,
            name=f"WARNING {problem.contract} [{problem.clause}] {problem.symptom}",
            time="0",
        )
        skipped = ElementTree.SubElement(
            case, "skipped", type=WARNING_SKIP_TYPE, message=f"WARNING {problem.headline()}"
        )
        skipped.text = f"WARNING {problem.first.render()}\nseen by: {problem.seen_by()}"
    if warnings:
        for counter in ("tests", "skipped"):
            suite.set(counter, str(int(suite.get(counter) or 0) + len(warnings)))
    return len(warnings)
