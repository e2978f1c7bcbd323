"""What the main thread does before the suite's own threads start, so no thread imports or parses.

Why (issue 17): CPython 3.11 builds an AST (``ast.parse``) with a recursion counter shared by
every thread of the interpreter (CPython issue gh-106905), so two threads parsing at once can
fail with ``SystemError: AST constructor recursion depth mismatch``. Inside a pytest run the
main thread parses whenever it imports a module pytest rewrites (Hypothesis, schemathesis, the
test modules: pytest rewrites every module of a plugin distribution) or formats a failure. A
worker thread that imported a Hypothesis module the first time it met a ``flatmap``, or drew
its first example while the main thread rewrote a schemathesis module, lost the run its schema
test (an ERROR at setup) or the run itself (INTERNALERROR, exit 3): in 4 of 17 runs against a
real server. Imports in threads have a second hazard of their own: two threads importing
modules that import each other can see each other's half-initialised module.

So a run's outcome does not depend on thread timing:

- ``warm_up`` runs in the main thread before the properties of a contract start side by side
  (``side_by_side.py``). It imports every module the thread bodies reach, and draws, in the
  main thread, from the very strategies the threads will draw from (each selected property's
  plans, the lifecycle machine's variants, a small machine with the same Hypothesis stateful
  parts), so whatever Hypothesis imports, compiles or caches on first use it does here. The
  supply's own threads only send requests the main thread has already sent once (preflight,
  smoke check: ``supply/overlap.py`` mints a client's first grant in the caller's thread).
- ``parse_one_at_a_time`` (a seam of the standard library, so in ``compat.py`` with its
  tripwire) puts every ``ast.parse`` of the process behind one lock, for the
  parses no warm-up can take out of a thread: Hypothesis describes a failing example (it
  parses reprs and traceback lines) in the thread where the property failed, and rescans for
  its "local constants" when a new module appears. Every caller that matters (pytest's
  assertion rewriter and traceback formatting, Hypothesis, ``traceback``, ``inspect``) goes
  through ``ast.parse``, so the lock orders them all (a library that builds an AST with
  ``compile`` directly does it when it is imported, which no thread does). It is harmless
  where it is not needed: one parse takes milliseconds, the lock nanoseconds. Compiling a
  string (Hypothesis does, to wrap a test or describe a lambda) shares nothing between threads.

``tests/supply/thread_audit.py`` proves it: every side-by-side child run in the project's tests
records the imports and compiles of any thread but the main one (PEP 578 audit events) and
asserts that no thread imported, and none parsed without this lock.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Iterable
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    multiple,
    rule,
    run_state_machine_as_test,
)

from revocation_contracts.compat import HYPOTHESIS_LAZY_MODULES, parse_one_at_a_time

from .declaration import Property
from .run import SemanticRun
from .strategies import variants

# Modules the thread bodies reach that nothing imports before they first run: Hypothesis
# imports its own inside functions (``compat.HYPOTHESIS_LAZY_MODULES``), and ``traceback``. The
# drawing below catches the ones a strategy needs; this list, the rest. Names, not imports: a
# release that moves one costs a warm-up step, never the run (tests/unit/test_compat.py names
# the module that moved; tests/supply/thread_audit.py the import a thread then made).
THREAD_MODULES = (*HYPOTHESIS_LAZY_MODULES, "traceback")
EXAMPLES = 5

_warm_lock = threading.Lock()
_warmed = False


def warm_up(run: SemanticRun, tests: Iterable[tuple[Property, str | None]]) -> None:
    """Import, compile and cache in this (the main) thread what ``tests`` will need in threads."""
    global _warmed
    parse_one_at_a_time()
    with _warm_lock:
        if not _warmed:
            for name in THREAD_MODULES:
                with contextlib.suppress(ImportError):  # a later Hypothesis may have moved one
                    importlib.import_module(name)
            _run_machine_once()
            _warmed = True
    drawn = {prop.number: prop for prop, case in tests if case is None}
    for prop in drawn.values():
        _draw_plans(run, prop)
    for kind in run.revocable_kinds:
        _draw(variants(run.contract, kind))


def _quiet(**overrides: Any) -> settings:
    """Settings that draw a few examples and leave no trace (no database, a fixed seed)."""
    options: dict[str, Any] = {
        "max_examples": EXAMPLES,
        "database": None,
        "derandomize": True,
        "deadline": None,
        "phases": [Phase.generate],
        "suppress_health_check": list(HealthCheck),
    }
    options.update(overrides)
    return settings(**options)


def _draw_plans(run: SemanticRun, prop: Property) -> None:
    if prop.plans is None:
        return
    try:
        if prop.not_applicable(run.contract) or prop.applies(run) is not None or not run.revocable_kinds:
            return
        strategy = prop.plans(run)
    except Exception:  # a NotApplicable among them
        return  # the thread will meet the same reason and report it; nothing to warm
    _draw(strategy)


def _draw(strategy: st.SearchStrategy[Any]) -> None:
    # Named and shaped as ``SemanticRun.check``'s test: Hypothesis compiles a wrapper per
    # name and signature, once, and this is where that happens.
    @_quiet()
    @given(plan=strategy)
    def semantic_property(plan: Any) -> None:
        pass

    semantic_property()


class _Lifecycle(RuleBasedStateMachine):
    """The stateful parts ``machine.RevocationLifecycle`` uses, without a target."""

    live = Bundle("live")
    dead = Bundle("dead")

    @initialize(target=live)
    def first(self) -> object:
        return multiple(1, 2)

    @rule(target=live)
    def more(self) -> object:
        return multiple(3)

    @rule(target=dead, item=consumes(live), data=st.data())
    def kill(self, item: int, data: st.DataObject) -> int:
        data.draw(st.sampled_from(["a", "b"]), label="variant")
        return item

    @rule(item=dead)
    def stays(self, item: int) -> None:
        pass


def _run_machine_once() -> None:
    run_state_machine_as_test(_Lifecycle, settings=_quiet(stateful_step_count=6))
