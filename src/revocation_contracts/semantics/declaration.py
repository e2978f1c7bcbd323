"""What a revocation-semantics property is: one declaration, and how one of its tests runs.

Why one declaration: a property is a claim (its number, clause and words, from RFC 7009 or the
project's rules), the check that judges one plan against the target, the strategy that draws
plans (property 1: a state machine instead, ``machine.py``), the named explicit plans its
regression twin replays, the planted bug of ``reference/bugs.py`` that breaks exactly it, and
the reason it may not apply. Each ``Property`` is written once, beside its check
(``machine.py``, ``effects.py``, ``request_forms.py``, ``boundaries.py``), and its two tests in the
contract suite point at it explicitly: ``@P5.drawn_plans`` and ``@P5.explicit_plans`` mark a
test function with the property (the pytest marker ``revocation_property``), so the suite
finds a test's property by that reference, never by matching the test's name.

``test`` stays part of the declaration because the planted-bug proofs and the docs name the
test a bug must fail; the decorators refuse a function of any other name, so the name and the
property cannot drift apart.

Each check judges only its own claim. What other properties cover (the answer to the first
revocation, a cascade, a second revocation) is observed but not judged, so a planted bug
fails one property and the report points at one cause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine

from .run import SemanticRun
from .strategies import Example, Plan
from .trail import Claim

# The marker a property's tests carry (registered by the contract suite's conftest).
MARKER = "revocation_property"
LIFECYCLE_STEPS = 6

Decorated = TypeVar("Decorated", bound=Callable[..., Any])


def _no_kinds(run: SemanticRun) -> tuple[str, ...]:
    return ()


def _always(run: SemanticRun) -> str | None:
    return None


def revocable_kinds(run: SemanticRun) -> tuple[str, ...]:
    """``needs_revocation`` of most properties: a working documented revocation of every
    revocable token type the supply issues."""
    return run.revocable_kinds


@dataclass(frozen=True)
class Property:
    """One semantic claim, its check, plans, explicit examples, planted bug and test."""

    claim: Claim  # its number, clause and words
    test: str  # the name of its test function in the contract suite (the twin adds ``_examples``)
    bug: str  # the planted bug (reference/bugs.py) that breaks exactly this property
    body: Callable[[SemanticRun, Any], None]  # judges one plan
    plans: Callable[[SemanticRun], st.SearchStrategy[Plan]] | None  # None: ``machine`` draws instead
    examples: dict[str, Example] = field(default_factory=dict)
    needs_revocation: Callable[[SemanticRun], tuple[str, ...]] = _no_kinds
    applies: Callable[[SemanticRun], str | None] = _always
    # A state machine that stands for drawn plans (property 1), built for one run.
    machine: Callable[[SemanticRun], RuleBasedStateMachine] | None = None
    # A note for the report after the drawn plans ran (property 7 says what it covered).
    note: Callable[[SemanticRun], tuple[str, object] | None] | None = None

    @property
    def number(self) -> int:
        return self.claim.number

    @property
    def clause(self) -> str:
        return self.claim.clause

    @property
    def title(self) -> str:
        return self.claim.title

    # -- its tests ------------------------------------------------------------------------------

    def drawn_plans(self, function: Decorated) -> Decorated:
        """Mark ``function`` as this property's test on drawn plans (it must be named ``test``)."""
        _check_name(function, self.test, self)
        return self._marked(function)

    def explicit_plans(self, function: Decorated) -> Decorated:
        """Mark ``function`` as this property's twin on its named explicit plans, one test per
        ``case`` (it must be named ``test`` + ``_examples``)."""
        _check_name(function, f"{self.test}_examples", self)
        parametrized: Decorated = pytest.mark.parametrize("case", list(self.examples))(function)
        return self._marked(parametrized)

    def _marked(self, function: Decorated) -> Decorated:
        marked: Decorated = pytest.mark.clause(self.clause)(getattr(pytest.mark, MARKER)(self)(function))
        return marked


def _check_name(function: Callable[..., Any], expected: str, prop: Property) -> None:
    if function.__name__ != expected:
        raise TypeError(f"property {prop.number}'s test is named {expected}, not {function.__name__}")


def property_of(item: Any) -> Property | None:
    """The property a collected test (or a test's node) is marked with, if any."""
    marker = item.get_closest_marker(MARKER) if hasattr(item, "get_closest_marker") else None
    if marker is None or not marker.args or not isinstance(marker.args[0], Property):
        return None
    found: Property = marker.args[0]
    return found


# -- running one test -----------------------------------------------------------------------------


def _preconditions(run: SemanticRun, prop: Property) -> None:
    reason = prop.applies(run)
    if reason is not None:
        pytest.skip(reason)
    if not run.revocable_kinds:
        revocable = " or ".join(run.contract.tokens.revocable)
        pytest.skip(f"the token supply issues no {revocable}, the token types the {run.contract.name} contract revokes")
    for kind in prop.needs_revocation(run):
        run.require_revocation_works(kind)


def run_property(run: SemanticRun, prop: Property, case: str | None, notes: list[tuple[str, object]]) -> None:
    """One property test's body: ``prop`` on drawn plans (property 1: its state machine), or,
    with ``case``, on that named explicit plan (its regression twin); notes for the report go
    to ``notes`` (a test's ``user_properties``)."""
    __tracebackhide__ = True
    _preconditions(run, prop)
    if case is not None:
        plan = prop.examples[case](run.contract)
        if plan is None:
            pytest.skip(f"example {case!r} does not apply to the {run.contract.name} contract")
        run.explicit(prop.body, plan)
        return
    if prop.machine is not None:
        before = run.live_revocations
        # A named callable, not a lambda: Hypothesis digests its factory's source, and would
        # parse a lambda's in the property's thread.
        run.check_machine(partial(prop.machine, run), steps=LIFECYCLE_STEPS)
        if run.live_revocations == before:
            pytest.skip("the token supply issued no token the contract revokes, so nothing was revoked")
    elif prop.plans is not None:
        run.check(prop.plans(run), prop.body)
    if prop.note is not None:
        note = prop.note(run)
        if note is not None:
            notes.append(note)
