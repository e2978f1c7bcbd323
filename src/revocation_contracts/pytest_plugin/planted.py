"""``--reference-bug list``: every planted bug, what it breaks, and which check must catch it.

Why generated: the planted bugs (``reference/bugs.py`` ``BUGS``) are the proof that each check
fires, and the table grows whenever a check is added. A hand-kept list in the help or the docs
would fall behind; this module derives both the command's output and the docs table
(``docs/planted-bugs.md``, compared with ``markdown_table()`` by tests/unit/test_readme.py) from
``BUGS`` and the semantic properties, which name their own bug.

Which check: a semantic property (``semantics/properties.py``) names the planted bug that breaks
exactly it, so its test is named; every other bug breaks a rule of a request or an answer, which
the schema and protocol tests judge (``test_schema.py``, ``test_protocol.py``).

Imported only when the list is asked for: the semantic properties load Hypothesis.
"""

from __future__ import annotations

import sys

from revocation_contracts.reference.bugs import BUGS

LIST = "list"
SCHEMA_AND_PROTOCOL = "test_protocol.py or test_schema.py"


def catching_checks() -> dict[str, str]:
    """``{bug name: the check that must catch it}`` for every planted bug."""
    from revocation_contracts.semantics import properties

    by_bug = {
        value.bug: f"test_semantics.py::{value.test}"
        for value in vars(properties).values()
        if isinstance(value, properties.Property)
    }
    return {name: by_bug.get(name, SCHEMA_AND_PROTOCOL) for name in BUGS}


def bug_lines() -> list[str]:
    """One line per planted bug: its name, what the server then does, the rule and the check."""
    checks = catching_checks()
    width = max(len(name) for name in BUGS)
    return [
        f"{bug.name:<{width}}  {bug.description}; breaks {bug.rule}; caught by {checks[bug.name]}"
        for bug in BUGS.values()
    ]


def print_bug_list() -> int:
    """Write the list to stdout; the exit code (0)."""
    header = f"{len(BUGS)} planted bugs (--reference-bug NAME starts the embedded reference server with one):"
    sys.stdout.write("\n".join([header, *bug_lines()]) + "\n")
    sys.stdout.flush()
    return 0


def markdown_table() -> str:
    """The docs' table of planted bugs, one row per bug, in ``BUGS`` order."""
    checks = catching_checks()
    rows = ["| bug | what the reference server then does | rule it breaks | caught by |", "|---|---|---|---|"]
    rows += [f"| `{bug.name}` | {bug.description} | {bug.rule} | {_code(checks[bug.name])} |" for bug in BUGS.values()]
    return "\n".join(rows) + "\n"


def _code(check: str) -> str:
    return f"`{check}`" if "::" in check else check


if __name__ == "__main__":  # python -m revocation_contracts.pytest_plugin.planted: the docs table
    sys.stdout.write(markdown_table())
