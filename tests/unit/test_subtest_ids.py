"""The operation sub-test id form (``pytest_plugin/subtest_ids.py``) and how ``--report`` shows it.

The child runs that prove the ids end to end are ``tests/planted/test_subtest_ids.py`` and,
under pytest-xdist, ``tests/plugin/test_xdist.py``; these are the pieces they rely on.
"""

from __future__ import annotations

import pytest

from revocation_contracts.pytest_plugin.subtest_ids import SUBTEST_ID_ATTRIBUTE, operation_id
from revocation_contracts.reporting.report import (
    CHECK_PROPERTY,
    CONTRACT_PROPERTY,
    Matrix,
    render_html,
    render_markdown,
)

SUBTEST = "tests/contract/test_schema.py::test_schema_conformance[polar][POST:/v1/oauth2/revoke]"
SHOWN = "test_schema.py::test_schema_conformance[polar][POST:/v1/oauth2/revoke]"
CONTEXT = dict.fromkeys(("target", "bugs", "baselines", "strict", "generated", "duration", "exitstatus"), "x")


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("POST /v1/oauth2/revoke", "POST:/v1/oauth2/revoke"),
        ("DELETE /applications/{client_id}/token", "DELETE:/applications/{client_id}/token"),
        ("GET /a b", "GET:/a%20b"),  # a path is never split by a space either
        ("/no method", "/no%20method"),  # an operation schemathesis could not load
    ],
)
def test_operation_id_has_no_space(label: str, expected: str) -> None:
    assert operation_id(label) == expected


def _failed_subtest() -> pytest.TestReport:
    report = pytest.TestReport(
        SUBTEST, ("tests/contract/test_schema.py", 12, "test_schema_conformance[polar]"), {}, "failed",
        "Schemathesis found 1 distinct failure\n\n- Success body breaks the contract\n", "call",
        user_properties=[(CONTRACT_PROPERTY, "polar"), (CHECK_PROPERTY, "test_schema.py::test_schema_conformance")],
    )  # fmt: skip
    setattr(report, SUBTEST_ID_ATTRIBUTE, SUBTEST)
    return report


@pytest.mark.parametrize(("render", "shown"), [(render_html, f"<code>{SHOWN}</code>"), (render_markdown, f"`{SHOWN}`")])
def test_report_names_the_failing_subtest(render, shown) -> None:
    matrix = Matrix(lambda text: text)
    matrix.add(_failed_subtest())
    page = render(matrix, {**CONTEXT, "contracts": "polar"})
    assert shown in page, page
