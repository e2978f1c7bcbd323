"""The schema test's ids (one pytest item per API operation) and how ``--report`` shows them.

The child runs that prove the ids end to end (terminal, JUnit XML, ``--report``, the
last-failed cache, ``--lf``, with and without ``-n 2``) are ``tests/planted/test_subtest_ids.py``.
"""

from __future__ import annotations

import pytest

from revocation_contracts.model.contract import BUNDLED_NAMES, load_contract
from revocation_contracts.pytest_plugin.cells import add_report
from revocation_contracts.pytest_plugin.names import CHECK_PROPERTY, CONTRACT_PROPERTY, OPERATION_PROPERTY
from revocation_contracts.reporting.html import render_html
from revocation_contracts.reporting.markdown import render_markdown
from revocation_contracts.reporting.matrix import Matrix
from revocation_contracts.reporting.page import RunInfo, build_page
from revocation_contracts.rules.schema_suite import operation_id

NODEID = "tests/contract/test_schema.py::test_schema_conformance[polar-POST:/v1/oauth2/revoke]"
SHOWN = "test_schema.py::test_schema_conformance[polar-POST:/v1/oauth2/revoke]"
INFO = RunInfo(
    command="pytest",
    target="x",
    seed="x",
    versions="x",
    duration="x",
    exitstatus="1",
    generated="x",
    contracts=("polar",),
)


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_operation_id_is_method_colon_documented_path(name: str) -> None:
    contract = load_contract(name)
    assert operation_id(contract) == f"{contract.method}:{contract.path}"
    assert " " not in operation_id(contract)


def test_a_space_in_a_path_is_escaped() -> None:
    contract = load_contract("rfc7009").with_path("/a b")
    assert operation_id(contract) == "POST:/a%20b"


def _failed_schema_test() -> pytest.TestReport:
    return pytest.TestReport(
        NODEID, ("tests/contract/test_schema.py", 12, "test_schema_conformance[polar-POST:/v1/oauth2/revoke]"), {},
        "failed", "[DOC-polar-success] Success body breaks the contract", "call",
        user_properties=[
            (CONTRACT_PROPERTY, "polar"), (CHECK_PROPERTY, "test_schema.py::test_schema_conformance"),
            (OPERATION_PROPERTY, "POST:/v1/oauth2/revoke"),
        ],
    )  # fmt: skip


@pytest.mark.parametrize("render", [render_html, render_markdown])
def test_report_names_the_failing_operation_test(render) -> None:
    matrix = Matrix()
    add_report(matrix, _failed_schema_test(), lambda text: text)
    page = render(build_page(matrix, INFO))
    assert f"<code>{SHOWN}</code>" in page or f"`{SHOWN}`" in page, page
