"""A pytest plugin for child runs: records every import and compile a thread other than the main one does.

Why: CPython 3.11's AST constructor keeps its recursion depth in state shared by all threads,
so two threads inside ``ast.parse`` at once can fail with ``SystemError: AST constructor
recursion depth mismatch``; pytest's assertion rewriter parses every module it rewrites
(Hypothesis', schemathesis', the test modules) when it is imported, whichever thread imports
it. So the suite's worker threads (properties side by side, the supply's mints and probes
ahead) must never import or compile: the main thread does it all before they start
(``semantics/warm.py``). The audit events ``import`` and ``compile`` (PEP 578) see every
import and every ``compile``/``ast.parse``, whoever calls them; this plugin, loaded into a
child run with ``-p tests.supply.thread_audit``, notes those raised off the main thread and
writes them as JSON to the file named by ``REVOCATION_THREAD_AUDIT`` when the run ends.

Of the compiles, only building an AST from source (``ast.parse``) shares state between
threads; compiling a string or an AST to code does not (Hypothesis does both in a thread when
it wraps a test). Each compile record says whether it was an ``ast.parse`` (``ast``) and
whether it held the suite's parse lock (``locked``, ``compat.parse_one_at_a_time``): Hypothesis
parses in the thread where a property failed, to describe the failing example. (Property 1's
state machine is handed to Hypothesis as a ``functools.partial``, not a lambda, so Hypothesis
no longer reads and parses a lambda's source in the thread to digest it.) ``unsafe`` keeps
every import, and every parse without the lock.

An audit hook cannot be removed, so this belongs in child processes only.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import threading
import traceback
from typing import Any

AUDIT_ENV = "REVOCATION_THREAD_AUDIT"
LOCK_MODULE = "revocation_contracts.compat"
EVENTS = frozenset({"import", "compile"})
STACKS = 5  # the first few unsafe records keep their stack, to say where to warm up

_records: list[dict[str, Any]] = []
_PARSE_CODE = ast.parse.__code__  # the standard library's, whatever wraps it later
_inside = threading.local()


def _what(event: str, args: tuple[Any, ...]) -> str:
    if event == "import":
        return str(args[0])
    source, filename = args[0], args[1]
    text = source if isinstance(source, str | bytes) else type(source).__name__
    return f"{filename}: {str(text)[:80]!r}"


def _locked() -> bool:
    compat = sys.modules.get(LOCK_MODULE)  # looked up, never imported here: it is not ours to load early
    return bool(compat is not None and compat.parsing_under_lock())


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event not in EVENTS or threading.current_thread() is threading.main_thread():
        return
    if getattr(_inside, "busy", False):
        return
    _inside.busy = True
    try:
        # The audited call's Python caller: ``ast.parse`` itself when an AST is built from source.
        parse = event == "compile" and sys._getframe(1).f_code is _PARSE_CODE
        locked = parse and _locked()
        shown = sum(1 for record in _records if record["stack"])
        risky = event == "import" or (parse and not locked)
        stack = "".join(traceback.format_stack(limit=14)[:-1]) if risky and shown < STACKS else ""
        thread = threading.current_thread().name
        what = _what(event, args)
        _records.append(
            {"event": event, "thread": thread, "what": what, "ast": parse, "locked": locked, "stack": stack}
        )
    finally:
        _inside.busy = False


sys.addaudithook(_hook)


def pytest_unconfigure() -> None:
    path = os.environ.get(AUDIT_ENV)
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(_records, out, indent=1)


def read_audit(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The records a child run wrote (the file must exist: the plugin ran)."""
    with open(path, encoding="utf-8") as source:
        records: list[dict[str, Any]] = json.load(source)
    return records


def unsafe(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every import off the main thread, and every ``ast.parse`` there that did not hold the parse lock."""
    return [record for record in records if record["event"] == "import" or (record["ast"] and not record["locked"])]


def describe(records: list[dict[str, Any]]) -> str:
    """The records as lines for an assertion message, stacks of the first few included."""
    lines = [
        f"{record['thread']}: {record['event']}{' (ast)' * record.get('ast', False)} {record['what']}"
        for record in records
    ]
    stacks = [record["stack"] for record in records if record["stack"]]
    return "\n".join([*lines[:60], "", *stacks[:STACKS]])
