"""The seams of the libraries we build on that have no public spelling, in one place.

Why a module of its own: schemathesis changes its internals between minor releases.
Everything the package uses of it goes through its public API (``schemathesis``'s top-level
names, ``schemathesis.openapi.from_dict``, ``schemathesis.Config``, ``schemathesis.hook``,
``BaseSchema.get_all_operations``, ``Case.call``/``Case.validate_response``,
``schemathesis.errors.FailureGroup``), except what is imported here. pytest is used through
``pytest.*`` names only. An upgrade that moves one of these fails ``tests/unit/test_compat.py``
loudly, naming the seam, instead of breaking a user's run deep in a check.

The seams, and why no public one exists:

- ``operation_test``: the schema test (``tests/contract/test_schema.py``) is the suite's own
  pytest test, one per API operation, and runs schemathesis' three generation phases inside
  it (explicit examples of the document, the coverage phase's deterministic cases with its
  content-type probes, and Hypothesis fuzzing in every generation mode). Schemathesis offers
  fuzzing publicly (``APIOperation.as_strategy``) but neither the coverage phase nor the
  examples phase as the pytest integration assembles them (``fill-missing``, hooks, the
  per-operation seed); its lazy pytest integration (``schemathesis.pytest.from_fixture``)
  builds them with ``build_operation_test`` and reports them as sub-tests it names by
  rewriting ``Function._nodeid``, which pytest 9.1 removed. The suite calls that builder
  itself and runs the Hypothesis test it returns inside its own test: every phase and every
  check as before, without the sub-tests.
- ``Failure`` and ``Severity``: schemathesis' public API lets a custom check fail with a
  plain ``AssertionError`` (one message string). A contract violation carries its clause,
  expected and actual values as data; that needs a ``Failure`` subclass (schemathesis' own
  typed failures are one), and its ``_unique_key`` (the de-duplication key) is overridden.
- ``is_server_error`` and ``is_acceptance_verdict``: which built-in failure a ``FailureGroup``
  holds (a 5xx, or "schema-violating request accepted" / "schema-valid request rejected"),
  read from its type, not from its name or message.
- ``generation_kept``: a schema remembers, across runs of its operations' tests, the
  unexpected HTTP methods its coverage phase already sent (``coverage_unexpected_methods_seen``),
  so a second run of the same test generates fewer cases. The schema test's side-by-side pass
  (``schema_run.py``) runs the test once to collect its cases; the run that follows when a case
  fails must generate exactly what it would have generated alone, so that memory is put back.
  ``tests/unit/test_compat.py`` proves two runs generate the same cases.

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

One seam is pytest's, found without importing it (nothing below the plugin imports pytest):

- ``junit_global_property``: a property of the JUnit XML ``<testsuite>`` element, written at the
  end of the session (the run's coverage). pytest's public spelling is the
  ``record_testsuite_property`` fixture, which a test calls while it runs; the coverage is only
  known once every test has run, and under pytest-xdist only in the controller, where no test
  runs. So the plugin calls the method that fixture hands out, ``add_global_property``, on the
  object ``--junitxml`` registers (pytest's ``LogXML``), found among the registered plugins.

The version ranges below are the ones ``pyproject.toml`` pins, for the same reasons:

- schemathesis ``>=4.32,<4.33``: the seams above are internal and may move in any minor
  release; 4.32 is the release line the suite is proven against.
- pytest ``>=8.4``: the floor schemathesis 4.32 itself requires; no cap, since the suite uses
  pytest's public API only (proven on 8.4 and 9.2, ``.ci/run``).
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from schemathesis.core.failures import AcceptedNegativeData, Failure, ServerError, Severity
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python._constants.orchestrator import make_constants_value_source

# The ranges pyproject.toml declares; tests/unit/test_compat.py checks both agree with the install.
SCHEMATHESIS_RANGE = ">=4.32,<4.33"
PYTEST_RANGE = ">=8.4"
# Attributes of Failure the package relies on (constructor keywords and the de-duplication key).
FAILURE_KEYWORDS = ("operation", "title", "message", "severity")
FAILURE_DEDUP_KEY = "_unique_key"
# The keywords of build_operation_test the package passes.
BUILDER_KEYWORDS = ("config", "operation", "test_func", "given_kwargs", "feedback")
# What a schema remembers between runs of its operations' tests (``generation_kept``).
COVERAGE_MEMORY = "coverage_unexpected_methods_seen"


def operation_test(schema: Any, operation: Any, test_func: Callable[..., None]) -> Callable[..., None]:
    """A Hypothesis test of ``operation`` with every phase the schema's config enables.

    ``test_func(case, **kwargs)`` runs once per generated case; call the result with the
    same ``**kwargs``. Its seed is the config's, mixed with the operation's label, as
    schemathesis' own pytest integration does; the examples database is the config's.
    """
    feedback = FeedbackSources(constants_value_source=make_constants_value_source(schema))
    test: Callable[..., None] = build_operation_test(
        config=schema.config, operation=operation, test_func=test_func, given_kwargs={}, feedback=feedback
    )
    return test


@contextmanager
def generation_kept(schema: Any) -> Iterator[None]:
    """Run an operation test of ``schema`` inside; afterwards a new run generates the same cases."""
    seen: set[Any] = getattr(schema, COVERAGE_MEMORY)
    before = set(seen)
    try:
        yield
    finally:
        seen.clear()
        seen.update(before)


def is_server_error(failure: BaseException) -> bool:
    """Whether a schemathesis failure is its ``not_a_server_error`` check's (a 5xx answer)."""
    return isinstance(failure, ServerError)


def is_acceptance_verdict(failure: BaseException) -> bool:
    """Whether a schemathesis failure only says "this should have been refused / accepted"."""
    return isinstance(failure, AcceptedNegativeData | RejectedPositiveData)


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
    "BUILDER_KEYWORDS",
    "COVERAGE_MEMORY",
    "FAILURE_DEDUP_KEY",
    "FAILURE_KEYWORDS",
    "HYPOTHESIS_LAZY_MODULES",
    "PYTEST_RANGE",
    "SCHEMATHESIS_RANGE",
    "Failure",
    "Severity",
    "generation_kept",
    "is_acceptance_verdict",
    "is_server_error",
    "operation_test",
    "parse_one_at_a_time",
    "parsing_under_lock",
]


# The registered plugin --junitxml adds, and its method record_testsuite_property hands out.
JUNIT_PLUGIN_CLASS, JUNIT_GLOBAL_PROPERTY = "LogXML", "add_global_property"


def junit_global_property(pluginmanager: Any, name: str, value: str) -> bool:
    """Add a ``<property>`` to the JUnit XML ``<testsuite>``; False when no ``--junitxml`` is written."""
    for plugin in pluginmanager.get_plugins():
        if type(plugin).__name__ == JUNIT_PLUGIN_CLASS and hasattr(plugin, JUNIT_GLOBAL_PROPERTY):
            getattr(plugin, JUNIT_GLOBAL_PROPERTY)(name, value)
            return True
    return False
