"""Sub-test ids a CI log can grep: ``test_schema_conformance[polar][POST:/v1/oauth2/revoke]``.

Why: schemathesis reports each API operation of the schema test as a sub-test and names it
itself, ``<test id>[POST /v1/oauth2/revoke]``, with a space (its pytest integration sets the
item's id per operation and offers no parameter or hook to change it), and pytest's sub-test
context repeats it as ``label='POST /v1/oauth2/revoke'``. A space splits the id in a CI log,
in ``grep``, in a shell and in a ``--deselect``. So the shipped suite's schema test renames
its operation sub-tests ``<test id>[POST:/v1/oauth2/revoke]`` (``operation_id``): no space,
still method then path, the same on every run, passing or failing.

Where: only in report hooks, on public report attributes (``nodeid``, ``location``, pytest
9's ``SubtestReport.context``). ``pytest_runtest_makereport`` (``suite.py``) tags the report
of an operation sub-test with its new id, a plain attribute that survives pytest-xdist;
``SubtestIds.pytest_runtest_logreport`` renames it in the process that reports (the single
process, or the xdist controller), before the terminal, JUnit XML, ``--report`` and pytest's
last-failed cache read it. Not on an xdist worker: the worker checks that a report's id is
the id of the item it runs, which, during a sub-test, is schemathesis' own.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

# The shipped suite's schema test (module file, function): the only test whose sub-tests are renamed.
SCHEMA_TEST = ("test_schema.py", "test_schema_conformance")
# The attribute an operation sub-test's report carries: its id without a space (plain, so it survives xdist).
SUBTEST_ID_ATTRIBUTE = "revocation_subtest_id"
PLUGIN_NAME = "revocation-contracts-subtest-ids"
# pytest 9's sub-test report (public); on pytest 8 schemathesis sends plain reports, with no context.
SUBTEST_REPORT: Any = getattr(pytest, "SubtestReport", ())


def operation_id(label: str) -> str:
    """``POST:/v1/oauth2/revoke`` for schemathesis' ``POST /v1/oauth2/revoke``.

    A colon, because it cannot start a path and reads as "method, then path"; any other space
    (in the id of an operation schemathesis could not load, say) becomes ``%20``.
    """
    method, space, path = label.partition(" ")
    if not space or not method.isalpha():
        return label.replace(" ", "%20")
    return f"{method}:{path.replace(' ', '%20')}"


def is_schema_test(item: pytest.Item) -> bool:
    """Whether ``item`` is the shipped suite's schema test (never a test of a user's own)."""
    from revocation_contracts.pytest_plugin.activation import suite_dir

    module, name = SCHEMA_TEST
    if getattr(item, "originalname", None) != name or item.path.name != module:
        return False
    return item.path.parent.resolve() == suite_dir().resolve()


def tag_operation_subtest(item: pytest.Item, report: pytest.TestReport) -> None:
    """Record on an operation sub-test's report of the schema test the id it is reported under.

    Schemathesis builds the sub-test id from the test's own, ``<id>[METHOD path]``; the
    reports of the test itself end with the item's name and are left alone.
    """
    own = f"::{item.name}"
    if report.nodeid.endswith(own) or not is_schema_test(item):
        return
    head, bracket, operation = report.nodeid.rpartition(f"{own}[")
    if bracket and operation.endswith("]"):
        setattr(report, SUBTEST_ID_ATTRIBUTE, f"{head}{own}[{operation_id(operation[:-1])}]")


def subtest_id(report: pytest.TestReport) -> str | None:
    """The id an operation sub-test is reported under (``None`` for any other report)."""
    value = getattr(report, SUBTEST_ID_ATTRIBUTE, None)
    return value if isinstance(value, str) else None


class SubtestIds:
    """Renames tagged sub-test reports where they are reported (registered except on xdist workers)."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        renamed = subtest_id(report)
        if renamed is None:
            return
        report.nodeid = renamed
        path, line, _domain = report.location
        name = renamed.rpartition("::")[2]  # the failure section's header names the same id
        report.location = (path, line, name)
        if isinstance(report, SUBTEST_REPORT):
            subtest: Any = report
            kwargs = dict(subtest.context.kwargs)
            if "label" in kwargs:
                kwargs["label"] = name.rpartition("[")[2].removesuffix("]")
                subtest.context = dataclasses.replace(subtest.context, kwargs=kwargs)
