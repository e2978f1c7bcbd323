"""The parse lock of ``semantics/warm.py``: it covers the parsers that run in a pytest run, and it holds.

The side-by-side child runs (``test_side_by_side.py``, ``test_thread_stress.py``) prove that no
worker thread imports or parses unlocked; these tests prove the lock itself, in this process:

- the callers it must order reach it: pytest's assertion rewriter and traceback formatting,
  and Hypothesis, call ``ast.parse`` through the module (a release that binds the function
  when it is imported, or builds its AST with ``compile`` directly, escapes the lock: this
  fails, naming it);
- two threads parsing at once under garbage-collector pressure, which on CPython 3.11 fails
  with ``SystemError: AST constructor recursion depth mismatch`` within seconds unlocked
  (2 to 5 of these 30 parses, measured here), never fail with the lock.
"""

from __future__ import annotations

import ast
import inspect
import threading

import hypothesis.internal.constants_ast
import hypothesis.internal.lambda_sources
import hypothesis.internal.reflection
import hypothesis.vendor.pretty
import pytest
from _pytest._code import source as pytest_source
from _pytest.assertion import rewrite

from revocation_contracts.semantics import warm

PARSERS = [rewrite, pytest_source, hypothesis.internal.constants_ast, hypothesis.internal.lambda_sources]
PARSERS += [hypothesis.internal.reflection, hypothesis.vendor.pretty]


@pytest.mark.parametrize("module", PARSERS, ids=lambda module: module.__name__)
def test_the_parsers_of_a_run_call_ast_parse_through_the_module(module: object) -> None:
    text = inspect.getsource(module)  # type: ignore[arg-type]
    assert "ast.parse(" in text, f"{module} no longer parses with ast.parse: the parse lock may not cover it"
    assert "from ast import parse" not in text and "PyCF_ONLY_AST" not in text, f"{module} escapes the parse lock"


def test_two_threads_parsing_at_once_never_trip_the_shared_counter() -> None:
    warm.parse_one_at_a_time()
    assert ast.parse is warm._parse_alone
    source = inspect.getsource(hypothesis.internal.reflection)
    errors: list[BaseException] = []

    class Cycle:
        """Garbage with a finalizer: the collector runs Python code in the middle of a parse."""

        def __del__(self) -> None:
            sum(range(50))

    def parse() -> None:
        for _ in range(15):
            first, second = Cycle(), Cycle()
            first.other, second.other = second, first  # type: ignore[attr-defined]
            try:
                ast.parse(source)
            except SystemError as error:
                errors.append(error)

    threads = [threading.Thread(target=parse) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors[:2]


def test_the_lock_is_held_inside_a_parse_and_only_there() -> None:
    warm.parse_one_at_a_time()
    seen: list[bool] = []

    class Probe(ast.NodeVisitor):
        pass

    assert not warm.parsing_under_lock()
    original = warm._parse
    try:
        warm._parse = lambda *args, **kwargs: seen.append(warm.parsing_under_lock()) or original(*args, **kwargs)
        Probe().visit(ast.parse("x = 1"))
    finally:
        warm._parse = original
    assert seen == [True] and not warm.parsing_under_lock()
