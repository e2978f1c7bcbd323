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

Two seams are not schemathesis', and belong here for the same reason (issue 17; how they are
used: ``semantics/warm.py``):

- ``ast.parse`` behind one lock (``parse_one_at_a_time``). CPython 3.11 builds an AST with a
  recursion counter shared by every thread (CPython issue gh-106905), so two threads parsing at
  once can fail with ``SystemError: AST constructor recursion depth mismatch``. No library
  offers a hook to order its parses, so the process-wide function is replaced by one that
  takes a lock. It covers only callers that look ``ast.parse`` up on the module when they parse
  (pytest's assertion rewriter and traceback formatting, Hypothesis); the tripwire in
  ``tests/unit/test_compat.py`` fails, naming the module, when one binds it at import or builds
  its AST with ``compile`` instead.
- ``HYPOTHESIS_LAZY_MODULES``: Hypothesis modules that Hypothesis itself imports inside
  functions (``SearchStrategy.flatmap``, its constants scan, its failure reports), named as
  strings because they are internal. The warm-up imports them in the main thread so no worker
  thread does; the tripwire fails, naming the module, when a release moves one.

The version ranges below are the ones ``pyproject.toml`` pins, for the same reasons:

- schemathesis ``<4.33``: the seams above are internal and may move in any minor release;
  4.32 is the newest release the suite is proven against.
- pytest ``<9.1``: schemathesis' lazy pytest schemas (``from_fixture``) read
  ``Function._nodeid``, which pytest 9.1 removed ('Function' object has no attribute
  '_nodeid'); lift it when schemathesis no longer does.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable
from typing import Any

from schemathesis.core.failures import Failure, Severity, failure_report_title, format_failures

# The ranges pyproject.toml declares; tests/unit/test_compat.py checks both agree with the install.
SCHEMATHESIS_RANGE = ">=4.32,<4.33"
PYTEST_RANGE = ">=8.3,<9.1"
# Attributes of Failure the package relies on (constructor keywords and the de-duplication key).
FAILURE_KEYWORDS = ("operation", "title", "message", "severity")
FAILURE_DEDUP_KEY = "_unique_key"

# Imported by Hypothesis inside functions, so first in whichever thread meets them (hypothesis 6.170).
HYPOTHESIS_LAZY_MODULES = (
    "hypothesis.strategies._internal.flatmapped",
    "hypothesis.internal.scrutineer",
    "hypothesis.internal.escalation",
    "hypothesis.internal.conjecture.shrinker",
    "hypothesis.internal.conjecture.optimiser",
    "hypothesis.internal.observability",
    "hypothesis.vendor.pretty",
    "hypothesis.stateful",
)

_PARSE_LOCK = threading.RLock()
_parse: Callable[..., Any] = ast.parse
_held = threading.local()


def _parse_alone(*args: Any, **kwargs: Any) -> Any:
    with _PARSE_LOCK:
        _held.depth = getattr(_held, "depth", 0) + 1
        try:
            return _parse(*args, **kwargs)
        finally:
            _held.depth -= 1


def parse_one_at_a_time() -> None:
    """Put every ``ast.parse`` of the process behind one lock (idempotent; kept for the process)."""
    if ast.parse is not _parse_alone:
        ast.parse = _parse_alone


def parsing_under_lock() -> bool:
    """Whether the calling thread is inside an ``ast.parse`` that holds the lock (for the audit)."""
    return getattr(_held, "depth", 0) > 0


__all__ = [
    "FAILURE_DEDUP_KEY",
    "FAILURE_KEYWORDS",
    "HYPOTHESIS_LAZY_MODULES",
    "PYTEST_RANGE",
    "SCHEMATHESIS_RANGE",
    "Failure",
    "Severity",
    "failure_report_title",
    "format_failures",
    "parse_one_at_a_time",
    "parsing_under_lock",
]
