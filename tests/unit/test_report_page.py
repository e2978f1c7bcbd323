"""The report's content model (``reporting/page.py``) and the run facts it opens with (``run_info.py``).

Built from hand-made outcomes, no pytest run: the clause links, the masked command line and
environment, the hollow-pass notes, the problems in ``problems.group``'s order, the Clause
column that cites the verdict's clause, and what a pass cell says it checked.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from revocation_contracts.pytest_plugin.run_info import (
    RULES_DOC,
    command_line,
    environment,
    masked_arguments,
    rules_doc,
    seed,
)
from revocation_contracts.redact import Redactor
from revocation_contracts.reporting.html import render_html
from revocation_contracts.reporting.markdown import render_markdown
from revocation_contracts.reporting.matrix import Detail, Matrix
from revocation_contracts.reporting.page import RunInfo, build_page, docs_anchor, rfc_url
from revocation_contracts.reporting.problems import Finding, group
from revocation_contracts.rules.clauses import CLAUSES
from revocation_contracts.rules.violation import FAILURE, WARNING, Violation

INFO = RunInfo(
    command="pytest --spec all",
    target="embedded reference servers",
    seed="1",
    versions="python 3",
    duration="1.0 s",
    exitstatus="1",
    generated="now",
    contracts=("polar", "rfc7009"),
    clause_texts={"PIN-method-405": "another method is answered 405", "PIN-method-refused": "refused"},
)


@pytest.mark.parametrize(
    ("clause", "url"),
    [
        ("RFC7009-2.2", "https://www.rfc-editor.org/rfc/rfc7009#section-2.2"),
        ("RFC9110-15.5.2", "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2"),
        ("RFC8414-3", "https://www.rfc-editor.org/rfc/rfc8414#section-3"),
        ("RFC6749-B", "https://www.rfc-editor.org/rfc/rfc6749#appendix-B"),
        ("PIN-method-405", ""),
        ("DOC-polar-success", ""),
    ],
)
def test_an_rfc_clause_links_to_its_section(clause: str, url: str) -> None:
    assert rfc_url(clause) == url


def test_every_clause_has_a_heading_in_the_rule_documentation_and_github_anchors_it_so() -> None:
    """docs/contracts.md headings are the ids themselves; GitHub drops the dots of ``RFC7009-2.2``."""
    assert docs_anchor("RFC7009-2.2") == "rfc7009-22"
    assert docs_anchor("RFC6749-2.3.1") == "rfc6749-231"
    assert docs_anchor("PIN-method-405") == "pin-method-405"
    where, documented = rules_doc(Path(RULES_DOC).parent.parent / "report.html")
    assert where == "docs/contracts.md"
    assert set(CLAUSES) <= documented
    anchors = [docs_anchor(clause) for clause in documented]
    assert len(set(anchors)) == len(anchors)  # no two headings share an anchor


@pytest.mark.parametrize(
    ("arguments", "shown"),
    [
        (["--client-secret", "s3cr3t-value", "--spec", "polar"], "--client-secret *** --spec polar"),
        (["--client-secret=s3cr3t-value"], "--client-secret=***"),
        (["--second-client-secret", "x", "--password=p", "--refresh-token", "rt"], None),
        (["--token-command", "mint.sh 'a b'"], "--token-command 'mint.sh '\"'\"'a b'\"'\"''"),
        (["--client-id", "--client-secret"], "--client-id --client-secret"),  # a flag as a value is shown
    ],
)
def test_the_command_line_masks_every_secret_option(arguments: list[str], shown: str | None) -> None:
    line = masked_arguments(arguments)
    if shown is not None:
        assert line == shown
    for secret in ("s3cr3t-value", "=p", " x", " rt"):
        assert secret not in line


def test_the_command_line_is_masked_by_value_too() -> None:
    """A known secret inside another option's value (a --token-command line) is masked where it stands."""
    arguments = ("--token-command", "mint --key s3cr3t-value", "--client-secret", "s3cr3t-value")
    config = SimpleNamespace(invocation_params=SimpleNamespace(args=arguments))
    line = command_line(config, Redactor("s3cr3t-value"))
    assert line == "pytest --token-command 'mint --key [REDACTED]' --client-secret ***"


@pytest.mark.parametrize(("given", "shown"), [("7", "7 (repeat"), (None, "random: not pinned")])
def test_the_seed_line_says_how_to_repeat_the_run(given: str | None, shown: str) -> None:
    line = seed(SimpleNamespace(getoption=lambda name, default=None: given if name == "hypothesis_seed" else default))
    assert line.startswith(shown) and "--hypothesis-seed=" in line


def test_the_environment_shows_the_suite_variables_with_secret_values_masked() -> None:
    environ = {"REVOKE_SPEC": "polar", "REVOKE_CLIENT_SECRET": "s3cr3t-value", "HOME": "/root", "REVOKE_RATE_LIMIT": ""}
    assert environment(lambda text: text, environ) == "REVOKE_CLIENT_SECRET=*** REVOKE_SPEC=polar"


def _violation(clause: str, level: str, title: str, curl: str = "curl -X POST http://127.0.0.1:9/revoke") -> Violation:
    return Violation(clause, FAILURE if level == FAILURE else WARNING, title, "405", "404", reproduce=curl)


def _matrix() -> Matrix:
    """polar fails one check twice (one problem, two tests) and warns on another; rfc7009 passes one and skips."""
    matrix = Matrix()
    where = ("test_protocol.py", 10)
    echo = _violation("PIN-no-echo", FAILURE, "Credential echoed")
    for number, check in enumerate(("test_protocol.py::test_a", "test_protocol.py::test_b")):
        test = f"tests/contract/{check}[polar]"
        finding = Finding(test, "polar", echo.with_reproduction(f"curl -X POST http://127.0.0.1:9/{number}"))
        matrix.add("polar", check, "RFC7009-2.2", (where[0], 10 + number), "fail", lambda: Detail("echo"), [finding])
    warned = Finding(
        "tests/contract/test_protocol.py::test_m[polar-GET]", "polar", _violation("PIN-method-405", WARNING, "404")
    )
    method = "test_protocol.py::test_m[GET]"
    matrix.add("polar", method, "PIN-method-refused", (where[0], 30), "warn", lambda: Detail("404"), [warned])
    matrix.add(
        "rfc7009", method, "PIN-method-refused", (where[0], 30), "pass", lambda: Detail(""), checked="GET is refused."
    )
    for check in ("test_semantics.py::test_x", "test_semantics.py::test_y"):
        matrix.add("rfc7009", check, "RFC7009-2.1", ("test_semantics.py", 5), "skip", lambda: Detail("no token supply"))
    return matrix


def test_problems_come_in_the_order_problems_group_gives_every_test_listed() -> None:
    matrix = _matrix()
    page = build_page(matrix, INFO)
    assert [(entry.contract, entry.clause, entry.status) for entry in page.entries] == [
        (problem.contract, problem.clause, "fail" if problem.level == FAILURE else "warn")
        for problem in group(matrix.ordered_findings())
    ]
    first = page.entries[0]
    assert first.clause == "PIN-no-echo" and len(first.findings) == 2 and len(first.tests()) == 2
    # Each cell links to the problem that lists its test, the skips to their note.
    assert (
        page.links[("test_protocol.py::test_a", "polar")] == page.links[("test_protocol.py::test_b", "polar")] == "p1"
    )
    assert page.links[("test_semantics.py::test_x", "rfc7009")] == "n1"


def test_skips_are_grouped_by_reason_into_hollow_pass_notes_ahead_of_the_problems() -> None:
    page = build_page(_matrix(), INFO)
    assert [(note.reason, note.contracts, note.cells()) for note in page.notes] == [("no token supply", ["rfc7009"], 2)]
    for text in (render_html(page), render_markdown(page)):
        assert text.index("no token supply") < text.index("Credential echoed"), text


def test_each_request_is_shown_once_and_differing_evidence_per_test() -> None:
    """Two tests saw the echo with different requests: each request once, none repeated."""
    for text in (render_html(build_page(_matrix(), INFO)), render_markdown(build_page(_matrix(), INFO))):
        assert text.count("curl -X POST http://127.0.0.1:9/0") == 1
        assert text.count("curl -X POST http://127.0.0.1:9/1") == 1
        assert text.count("Credential echoed") == 1  # the title once (today's page repeated it three times)


def test_the_clause_column_cites_the_warnings_clause_not_only_the_tests_marker() -> None:
    """A warning about PIN-method-405 in a row whose test is marked PIN-method-refused says PIN-method-405
    for the contract that warned, and the marker clause for the one that passed."""
    page = build_page(_matrix(), INFO)
    markdown = render_markdown(page)
    assert "| `test_protocol.py::test_m[GET]` | PIN-method-405 |" in markdown
    document = render_html(page)
    row = re.search(r"<code>test_m\[GET\]</code></td><td class=\"clause\">(.*?)</td>", document)
    assert row is not None
    assert re.search(r'<span data-c="polar">.*PIN-method-405', row.group(1))
    assert re.search(r'<span data-c="rfc7009">.*PIN-method-refused', row.group(1))


def test_a_pass_cell_says_what_was_checked() -> None:
    document = render_html(build_page(_matrix(), INFO))
    assert 'data-st="pass" data-clauses="PIN-method-refused" title="pass: GET is refused."' in document
