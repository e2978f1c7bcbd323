"""The conformance report (``--report``) from a suite whose outcomes are known in advance.

A synthetic test module, parametrized over two contracts by the plugin like the real suite,
produces every outcome a cell can show: pass, fail (with a reproduction command carrying
secrets that only name-based redaction can catch), warn (an unmet SHOULD), skip, xfail and
XPASS(strict) (from a baseline file). The report must show each in the right cell, with the
clause, escape what it prints, and come out the same under pytest-xdist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.reporting.helpers import html_problems, visible_text

SYNTHETIC = """
import pytest
from revocation_contracts.rules.outcomes import warn_should

PLANTED_BODY = "token=tok-planted-7781&client_secret=planted-secret-9931"


@pytest.mark.clause("RFC 7009 section 2.2: the unknown-token answer")
def test_passes(contract):
    '''An unknown token gets the contract's answer. What follows is not shown.'''


@pytest.mark.clause("RFC 6749 section 5.2: invalid_request")
def test_fails_on_rfc7009(contract):
    if contract.name == "rfc7009":
        raise AssertionError(
            "[RFC 6749 section 5.2] missing-token: expected status 400\\n"
            "got: 500 (text/plain) 'boom'\\n"
            "reproduce: curl -X POST http://127.0.0.1:9/revoke -H 'Authorization: Basic cmMtYTpwbGFudGVk' "
            "--data-raw '" + PLANTED_BODY + "'"
        )


@pytest.mark.clause("RFC 7009 section 2: refresh cascade (SHOULD)")
def test_should(contract):
    if contract.name == "rfc7009":
        warn_should("RFC7009-2.1", "the access token outlived its refresh token", "g1.access_token inactive",
                    "the probe says g1.access_token is active")


@pytest.mark.clause("needs a token supply")
def test_skips(contract):
    pytest.skip("no token supply: pass --token-command")


@pytest.mark.clause("a known deviation")
def test_deviates(contract):
    assert contract.name != "polar", "polar answers 401"


@pytest.mark.clause("a deviation that was fixed")
def test_fixed(contract):
    pass


@pytest.mark.clause("<script>alert(1)</script> & more")
@pytest.mark.parametrize("media", ["text/plain", "a|b"])
def test_escaping(contract, media):
    pass
"""

BASELINE = """\
contract: polar
deviations:
  - id: deviates
    reason: polar answers 401
    reference: the synthetic suite
    tests: ["test_synthetic.py::test_deviates[polar]"]
  - id: fixed
    reason: polar used to break this
    reference: the synthetic suite
    tests: ["test_synthetic.py::test_fixed[*]"]
"""

INI = """\
[pytest]
xfail_strict = true
filterwarnings =
    error
"""

PLANTED_SECRETS = ("tok-planted-7781", "planted-secret-9931", "cmMtYTpwbGFudGVk")

EXPECTED_CELLS = {
    "test_synthetic.py::test_passes": ("pass", "pass"),
    "test_synthetic.py::test_fails_on_rfc7009": ("pass", "**FAIL**"),
    "test_synthetic.py::test_should": ("pass", "warn"),
    "test_synthetic.py::test_skips": ("skip", "skip"),
    "test_synthetic.py::test_deviates": ("xfail", "pass"),
    "test_synthetic.py::test_fixed": ("**XPASS**", "pass"),
    "test_synthetic.py::test_escaping[text/plain]": ("pass", "pass"),
    "test_synthetic.py::test_escaping[a\\|b]": ("pass", "pass"),
}


@pytest.fixture
def synthetic(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makepyfile(test_synthetic=SYNTHETIC)
    pytester.path.joinpath("baseline.yaml").write_text(BASELINE, encoding="utf-8")
    return pytester


def _run(pytester: pytest.Pytester, report: str, *extra: str) -> pytest.RunResult:
    args = ["--spec", "polar", "--spec", "rfc7009", "--baseline", "baseline.yaml", "--report", report, *extra]
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def _markdown_cells(markdown: str) -> dict[str, tuple[str, ...]]:
    """Check -> cells (one per contract) from the report's Markdown table, cell numbers dropped."""
    rows = {}
    for line in markdown.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        rows[cells[0].strip("`")] = tuple(re.sub(r" \([pnd]\d+\)$", "", cell) for cell in cells[2:])
    return rows


def test_markdown_report_shows_every_outcome_in_its_cell(synthetic: pytest.Pytester) -> None:
    result = _run(synthetic, "out/report.md")
    result.assert_outcomes(passed=11, failed=2, skipped=2, xfailed=1)
    result.stdout.fnmatch_lines(["*conformance report: *report.md*"])
    # The warning is a problem of its own in the terminal summary, with its clause (the synthetic
    # failures raise plain assertions: no violation, no problem).
    result.stdout.fnmatch_lines(
        [
            "*revocation contract problems (0 failures, 1 warning)*",
            "WARNING rfc7009 [[]RFC7009-2.1[]] * (1 test)",
            "*seen by:  test_synthetic.py::test_should[[]rfc7009[]]",
        ]
    )
    markdown = (synthetic.path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| Check | Clause | polar | rfc7009 |" in markdown
    assert _markdown_cells(markdown) == EXPECTED_CELLS
    # The Clause column names the clause the verdict cites (the warning's), not only the test's marker.
    assert "| `test_synthetic.py::test_should` | RFC7009-2.1 |" in markdown
    assert "| `test_synthetic.py::test_passes` | RFC 7009 section 2.2: the unknown-token answer |" in markdown
    # Each non-passing cell has its details: the reason, the warning, the command to reproduce.
    assert "expected failure: known deviation deviates (baseline.yaml): polar answers 401" in markdown
    assert "XPASS polar [XPASS(strict)] known deviation fixed" in markdown
    assert "### 3. WARN rfc7009 `RFC7009-2.1` the access token outlived its refresh token (1 test)" in markdown
    assert "[RFC section](https://www.rfc-editor.org/rfc/rfc7009#section-2.1)" in markdown
    assert "no token supply: pass --token-command" in markdown
    assert (
        "```sh\ncurl -X POST http://127.0.0.1:9/revoke -H 'Authorization: [REDACTED]' "
        "--data-raw 'token=[REDACTED]&client_secret=[REDACTED]'\n```"
    ) in markdown
    for secret in PLANTED_SECRETS:
        assert secret not in markdown
        assert secret not in result.stdout.str()


def test_every_report_given_is_written(synthetic: pytest.Pytester) -> None:
    """Two ``--report`` paths (an HTML page for people, Markdown for a CI summary): both written,
    from the same run, each named in the terminal; the last one no longer wins alone."""
    result = _run(synthetic, "out/report.html", "--report", "out/report.md")
    result.assert_outcomes(passed=11, failed=2, skipped=2, xfailed=1)
    result.stdout.fnmatch_lines(["*conformance report: *report.html*", "*conformance report: *report.md*"])
    assert _markdown_cells((synthetic.path / "out" / "report.md").read_text(encoding="utf-8")) == EXPECTED_CELLS
    assert html_problems((synthetic.path / "out" / "report.html").read_text(encoding="utf-8")) == []


def test_html_report_is_valid_self_contained_and_escaped(synthetic: pytest.Pytester) -> None:
    _run(synthetic, "report.html")
    document = (synthetic.path / "report.html").read_text(encoding="utf-8")
    assert html_problems(document) == []
    statuses = re.findall(r'<td class="st st-(\w+)"', document)
    assert sorted(statuses) == sorted(["pass"] * 10 + ["fail", "warn", "skip", "skip", "xfail", "xpass"]), statuses
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in document
    assert "<script>alert" not in document  # the page's own script is the only one
    text = visible_text(document)
    assert "RFC 6749 section 5.2: invalid_request" in text
    assert "curl -X POST http://127.0.0.1:9/revoke -H 'Authorization: [REDACTED]'" in text
    for secret in PLANTED_SECRETS:
        assert secret not in document


def test_report_is_the_same_under_xdist(synthetic: pytest.Pytester) -> None:
    """Workers send their reports to the controller; the controller alone writes the report.

    One worker is enough to take the distributed path (and costs one interpreter start, not two).
    """
    _run(synthetic, "serial.md")
    result = _run(synthetic, "parallel.md", "-n", "1", "--report", "parallel.html")
    result.assert_outcomes(passed=11, failed=2, skipped=2, xfailed=1)
    # What a pass checked travels from the worker with its report (the first sentence of its docstring).
    assert 'title="pass: An unknown token gets the contract&#x27;s answer."' in (
        synthetic.path / "parallel.html"
    ).read_text(encoding="utf-8")
    serial = (synthetic.path / "serial.md").read_text(encoding="utf-8")
    parallel = (synthetic.path / "parallel.md").read_text(encoding="utf-8")

    def stable(markdown: str) -> str:
        # The command line (-n 1), the time it ran, and the seed each run picked (none was given),
        # which each test's rerun command repeats.
        varying = ("- Command:", "- Run:", "- Seed:", "  rerun: ")
        return "\n".join(line for line in markdown.splitlines() if not line.startswith(varying))

    assert stable(parallel) == stable(serial)
    # Every test a problem lists carries the command that reruns it (left out of the comparison).
    assert "\n  rerun: `" in serial and "--hypothesis-seed=" in serial


@pytest.mark.parametrize("value", ["report.txt", "report", "out/report.json"])
def test_report_path_must_name_a_format(pytester: pytest.Pytester, value: str) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider", "--report", value)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--report*must end in .html (a web page) or .md (Markdown)*"])


def test_without_report_option_nothing_is_written(synthetic: pytest.Pytester) -> None:
    synthetic.runpytest("-p", "no:cacheprovider", "--spec", "polar")
    # Python's own bytecode cache of the test module is no report (absent under PYTHONDONTWRITEBYTECODE).
    written = (path.name for path in Path(synthetic.path).iterdir() if path.name != "__pycache__")
    assert sorted(written) == sorted(["baseline.yaml", "test_synthetic.py", "tox.ini"])


def test_strict_mode_turns_the_warning_into_a_failure(synthetic: pytest.Pytester) -> None:
    result = _run(synthetic, "strict.md", "--strict-semantics")
    result.assert_outcomes(passed=10, failed=3, skipped=2, xfailed=1)
    result.stdout.fnmatch_lines(["*[[]RFC7009-2.1[]] the access token outlived its refresh token (a warning, failing*"])


def test_junit_carries_the_warning_as_a_property_never_a_failure(synthetic: pytest.Pytester) -> None:
    import json
    import xml.etree.ElementTree as ET

    synthetic.runpytest("-p", "no:cacheprovider", "--spec", "rfc7009", "--junitxml=junit.xml")
    root = ET.parse(synthetic.path / "junit.xml").getroot()
    case = next(case for case in root.iter("testcase") if case.attrib["name"] == "test_should[rfc7009]")
    assert case.find("failure") is None
    values = [
        json.loads(p.attrib["value"]) for p in case.iter("property") if p.attrib["name"] == "revocation-violation"
    ]
    assert [(value["clause"], value["level"]) for value in values] == [("RFC7009-2.1", "warning")]
