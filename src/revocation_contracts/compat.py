"""The seams of the libraries we build on that have no public spelling, in one place.

Why a module of its own: schemathesis and pytest change their internals between minor
releases. Everything the package uses of them goes through their public API (``schemathesis``'s
top-level names, ``schemathesis.openapi``, ``schemathesis.pytest.from_fixture``,
``schemathesis.hook``, ``Case.call``/``Case.validate_response``; pytest's ``pytest.*`` names,
``Config.args``/``invocation_params``/``stash``), except what is imported here. An upgrade that
moves one of these fails ``tests/unit/test_compat.py`` loudly, naming the seam, instead of
breaking a user's run with an ``ImportError`` or an ``AttributeError`` deep in a check.

The seams, and why no public one exists:

- ``schemathesis.core.failures.Failure`` and ``Severity``: schemathesis' public API lets a
  custom check fail with a plain ``AssertionError`` (one message string). A contract
  violation carries its clause, expected and actual values as data and is reported once per
  distinct clause; that needs a ``Failure`` subclass (schemathesis' own typed failures are
  one), and its ``_unique_key`` (the de-duplication key of a failure) is overridden.
- ``failure_report_title`` and ``format_failures``: "one root cause, one failure"
  (``rules/schema_suite.py``) drops the built-in failures that repeat ours from the
  ``FailureGroup`` (public, ``schemathesis.errors``) and renders what is left the way
  schemathesis renders its own group; the renderer has no public spelling.

Not an import but a behaviour the package relies on: schemathesis names an operation's
sub-test ``<test id>[METHOD path]`` (``schemathesis/pytest/lazy.py``), which the report hooks
rename without the space (``pytest_plugin/subtest_ids.py``, public report attributes only).
If that form changes, ``tests/planted/test_subtest_ids.py`` and ``tests/plugin/test_xdist.py``
fail, naming the id they expected.

The version ranges below are the ones ``pyproject.toml`` pins, for the same reasons:

- schemathesis ``<4.33``: the seams above are internal and may move in any minor release;
  4.32 is the newest release the suite is proven against.
- pytest ``<9.1``: schemathesis' lazy pytest schemas (``from_fixture``) read
  ``Function._nodeid``, which pytest 9.1 removed ('Function' object has no attribute
  '_nodeid'); lift it when schemathesis no longer does.
"""

from __future__ import annotations

from schemathesis.core.failures import Failure, Severity, failure_report_title, format_failures

# The ranges pyproject.toml declares; tests/unit/test_compat.py checks both agree with the install.
SCHEMATHESIS_RANGE = ">=4.32,<4.33"
PYTEST_RANGE = ">=8.3,<9.1"
# Attributes of Failure the package relies on (constructor keywords and the de-duplication key).
FAILURE_KEYWORDS = ("operation", "title", "message", "severity")
FAILURE_DEDUP_KEY = "_unique_key"

__all__ = [
    "FAILURE_DEDUP_KEY",
    "FAILURE_KEYWORDS",
    "PYTEST_RANGE",
    "SCHEMATHESIS_RANGE",
    "Failure",
    "Severity",
    "failure_report_title",
    "format_failures",
]
