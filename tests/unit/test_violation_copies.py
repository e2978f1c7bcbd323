"""Every copy of a ``Violation`` carries every field it does not change (rules/violation.py)."""

from __future__ import annotations

from dataclasses import fields

from revocation_contracts.rules.outcomes import STRICT_NOTE, as_strict_failure
from revocation_contracts.rules.violation import FAILURE, WARNING, Violation

ORIGINAL = Violation("RFC7009-2.2", WARNING, "title", "expected", "actual", "curl old", "g1 sequence")


def changed(copy: Violation) -> set[str]:
    return {f.name for f in fields(Violation) if getattr(copy, f.name) != getattr(ORIGINAL, f.name)}


def test_each_copy_changes_only_its_own_fields() -> None:
    assert changed(ORIGINAL.with_level(FAILURE)) == {"level"}
    assert changed(ORIGINAL.with_reproduction("curl new")) == {"reproduce"}
    assert changed(ORIGINAL.with_sequence("g2")) == {"sequence"}
    strict = as_strict_failure(ORIGINAL)
    assert changed(strict) == {"level", "title"} and strict.title == f"title ({STRICT_NOTE})"
    masked = ORIGINAL.redacted(str.upper, "curl masked")
    assert changed(masked) == {"expected", "actual", "reproduce"} and masked.actual == "ACTUAL"
