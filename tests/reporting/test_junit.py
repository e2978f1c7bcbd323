"""JUnit XML that CI test views show (``reporting/junit.py``): warnings in the testcase's
``system-out``, classnames that do not depend on where the suite was collected from, and a
one-line failure ``message`` with the whole failure in the element's text.

One child run of the real suite from this checkout (a warning bug and a failing bug, a handful
of protocol tests), and the rewrite itself on the two classnames pytest gives the same test from
a checkout and from the wheel (tests/packaging/test_wheel.py reads the wheel's own file).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from revocation_contracts.pytest_plugin.names import CONTRACT_PROPERTY
from revocation_contracts.reporting.junit import WARNINGS_CLASSNAME, WARNINGS_HEADER, refine_junit, stable_classname
from revocation_contracts.rules.violation import FAILURE, WARNING, Violation
from tests.reporting.helpers import CONTRACT_SUITE, run_suite

# The classnames every contract test has, from a checkout and from the wheel alike.
SUITE_CLASSNAMES = {"revocation_contracts.test_protocol", "revocation_contracts.test_schema"}
LONG_REPRODUCTION = "curl -X POST http://127.0.0.1:9/revoke --data-raw 'token=[REDACTED]" + "&x=1" * 200 + "'"


def _cases(path: Path) -> dict[str, ET.Element]:
    return {case.get("name") or "": case for case in ET.parse(path).getroot().iter("testcase")}


def test_a_run_with_warnings_and_failures_writes_junit_that_ci_views_show(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    result = run_suite(
        [
            str(CONTRACT_SUITE / "test_protocol.py"), str(CONTRACT_SUITE / "test_schema.py"),
            "--spec", "rfc7009", "--reference-bug", "other-method-404", "--reference-bug", "echoes-secret",
            "-k", "test_undocumented_method_is_refused or wrong-secret or test_schema", "--hypothesis-seed", "0",
            "-q", f"--junitxml={junit}",
        ],
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:]
    cases = _cases(junit)
    assert {case.get("classname") for case in cases.values()} == SUITE_CLASSNAMES | {WARNINGS_CLASSNAME}
    # Each warning problem is also a testcase of its own, marked skipped: the one element every
    # common CI view renders for a test that did not fail.
    warning_cases = [case for case in cases.values() if case.get("classname") == WARNINGS_CLASSNAME]
    assert [case.get("name") for case in warning_cases] == [
        "WARNING rfc7009 [PIN-method-405] Another method not answered 405"
    ]
    skipped = warning_cases[0].find("skipped")
    assert skipped is not None and skipped.get("type") == "revocation-warning"
    assert (skipped.get("message") or "").startswith("WARNING rfc7009 [PIN-method-405]")
    assert skipped.text and "seen by: test_protocol.py::test_undocumented_method_is_refused[rfc7009-" in skipped.text
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and int(suite.get("skipped") or 0) == len(warning_cases)
    assert int(suite.get("tests") or 0) == len(cases)
    # The warning of a passing test is in its system-out, rendered as the terminal renders it.
    warned = cases["test_undocumented_method_is_refused[rfc7009-GET]"]
    assert warned.find("failure") is None and warned.find("skipped") is None
    out = warned.find("system-out")
    assert out is not None and out.text, ET.tostring(warned, encoding="unicode")
    assert WARNINGS_HEADER in out.text and "WARNING [PIN-method-405] Another method not answered 405" in out.text
    assert "reproduce: curl -X GET " in out.text
    # The failure's message is its problem's one line; the element's text is the whole failure.
    failed = cases["test_client_authentication_is_enforced[rfc7009-wrong-secret]"]
    failure = failed.find("failure")
    assert failure is not None
    assert failure.get("message") == "[PIN-no-echo] Credential echoed", failure.get("message")
    assert failure.text and "expected: no secret or token in the response" in failure.text
    assert "reproduce: curl -X POST " in failure.text
    # A passing test without a warning has no system-out of ours.
    passed = [case for case in cases.values() if not list(case.iter("failure")) and case.find("system-out") is None]
    assert passed, "every testcase got a system-out"


def _junit(path: Path, classname: str, violations: list[Violation], failure_text: str) -> Path:
    """A file as pytest writes it: one testcase of the suite (with a 500-character message, as
    pytest 9.2 cuts it) beside one of the user's own."""
    suite = ET.Element("testsuite", name="pytest")
    ours = ET.SubElement(suite, "testcase", classname=classname, name="test_x[polar]")
    properties = ET.SubElement(ours, "properties")
    ET.SubElement(properties, "property", name=CONTRACT_PROPERTY, value="polar")
    for violation in violations:
        ET.SubElement(properties, "property", name="revocation-violation", value=violation.to_json())
    ET.SubElement(ours, "failure", message=failure_text[:500]).text = failure_text
    ET.SubElement(ours, "system-err").text = "stderr"
    theirs = ET.SubElement(suite, "testcase", classname="tests.test_other", name="test_mine")
    ET.SubElement(theirs, "failure", message="mine").text = "x"
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def test_classnames_from_a_checkout_and_from_the_wheel_become_the_same():
    assert stable_classname("tests.contract.test_protocol") == "revocation_contracts.test_protocol"
    assert stable_classname("test_protocol") == "revocation_contracts.test_protocol"
    assert stable_classname("site.contract_suite.test_schema.TestX") == "revocation_contracts.test_schema.TestX"


def test_the_rewrite_touches_only_the_suites_testcases(tmp_path: Path) -> None:
    warning = Violation("PIN-method-405", WARNING, "Another method not answered 405", "405", "404")
    failure = Violation("PIN-no-echo", FAILURE, "Credential echoed", "none", "header", reproduce=LONG_REPRODUCTION)
    path = _junit(tmp_path / "j.xml", "tests.contract.test_protocol", [warning, failure], failure.render())
    assert refine_junit(path, CONTRACT_PROPERTY) == 1
    ours, theirs = _cases(path)["test_x[polar]"], _cases(path)["test_mine"]
    assert ours.get("classname") == "revocation_contracts.test_protocol"
    assert [child.tag for child in ours] == ["properties", "failure", "system-out", "system-err"]
    assert ours.find("failure").get("message") == "[PIN-no-echo] Credential echoed"  # type: ignore[union-attr]
    assert LONG_REPRODUCTION in (ours.find("failure").text or "")  # type: ignore[union-attr]
    assert "WARNING [PIN-method-405]" in (ours.find("system-out").text or "")  # type: ignore[union-attr]
    assert theirs.get("classname") == "tests.test_other" and theirs.find("failure").get("message") == "mine"  # type: ignore[union-attr]
    assert refine_junit(tmp_path / "missing.xml", CONTRACT_PROPERTY) == 0
