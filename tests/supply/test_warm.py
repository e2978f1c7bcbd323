"""The parse lock (``compat.parse_one_at_a_time``, which ``semantics/warm.py`` turns on) holds.

The side-by-side child runs (``test_side_by_side.py``, ``test_thread_stress.py``) prove that no
worker thread imports or parses unlocked; these tests prove the lock itself, in this process
(that the callers it must order reach it is the seam's tripwire, in tests/unit/test_compat.py):

- two threads parsing at once under garbage-collector pressure, which on CPython 3.11 fails
  with ``SystemError: AST constructor recursion depth mismatch`` within seconds unlocked
  (2 to 5 of these 30 parses, measured here), never fail with the lock.
"""

from __future__ import annotations

import ast
import inspect
import threading

import hypothesis.internal.reflection

from revocation_contracts import compat


def test_two_threads_parsing_at_once_never_trip_the_shared_counter() -> None:
    compat.parse_one_at_a_time()
    assert ast.parse is compat._parse_alone
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
    compat.parse_one_at_a_time()
    seen: list[bool] = []

    class Probe(ast.NodeVisitor):
        pass

    assert not compat.parsing_under_lock()
    original = compat._parse
    try:
        compat._parse = lambda *args, **kwargs: seen.append(compat.parsing_under_lock()) or original(*args, **kwargs)
        Probe().visit(ast.parse("x = 1"))
    finally:
        compat._parse = original
    assert seen == [True] and not compat.parsing_under_lock()
