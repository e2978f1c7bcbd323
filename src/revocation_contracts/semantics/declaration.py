"""What a revocation-semantics property is: one declaration, and how one of its tests runs.

Why one declaration: a property is a claim (its number, clause and words, from RFC 7009 or the
project's rules), the check that judges one plan against the target, the strategy that draws
plans (property 1: a state machine instead, ``machine.py``), the named explicit plans its
regression twin replays, the planted bug of ``reference/bugs.py`` that breaks exactly it, and
the reasons it may not apply. Each ``Property`` is written once, beside its check
(``machine.py``, ``effects.py``, ``request_forms.py``, ``boundaries.py``), and its two tests in the
contract suite point at it explicitly: ``@drawn_plans(P5)`` and ``@explicit_plans(P5)``
(``pytest_plugin/properties.py``, the pytest-facing part) mark a test function with the
property (the pytest marker ``revocation_property``), so the suite finds a test's property by
that reference, never by matching the test's name. The declaration itself stays data.

``test`` stays part of the declaration because the planted-bug proofs and the docs name the
test a bug must fail; the decorators refuse a function of any other name
(``Property.check_test_name``), so the name and the property cannot drift apart.

Each check judges only its own claim. What other properties cover (the answer to the first
revocation, a cascade, a second revocation) is observed but not judged, so a planted bug
fails one property and the report points at one cause.

Two kinds of "does not apply", kept apart because a reader must tell them apart: what follows
from the contract alone (no hint field, public clients, no query token; an explicit example
that does not fit it) is ``applies_to(contract)``, decided when the suite is collected, so the
test is never collected for that contract and the run's coverage summary says why in one line;
what depends on the run (the supply issues no refresh token, no second client) is
``applies(run)``, raised as ``NotApplicable`` while the test runs: a check that applies but
could not run, which the coverage summary and the exit code (9) count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine

from revocation_contracts.model.contract import Contract
from revocation_contracts.rules.outcomes import SUPPLY_LACKS, NotApplicable

from .run import SemanticRun
from .strategies import Example, Plan
from .trail import Claim

# The marker a property's tests carry (registered by the contract suite's conftest).
MARKER = "revocation_property"
LIFECYCLE_STEPS = 6


def _no_kinds(run: SemanticRun) -> tuple[str, ...]:
    return ()


def _always(run: SemanticRun) -> str | None:
    return None


def _always_to(contract: Contract) -> str | None:
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
    applies: Callable[[SemanticRun], str | None] = _always  # why not on this run (supply, clients)
    applies_to: Callable[[Contract], str | None] = _always_to  # why never on this contract
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

    def not_applicable(self, contract: Contract, case: str | None = None) -> str | None:
        """Why this property's test (with ``case``: its twin's named example) never applies to
        ``contract``, or None: read at collection, so such a test is not collected."""
        reason = self.applies_to(contract)
        if reason is None and case is not None and self.examples[case](contract) is None:
            reason = f"example {case!r} does not apply to the {contract.name} contract"
        return reason

    # -- its tests ------------------------------------------------------------------------------

    def check_test_name(self, function: Callable[..., Any], twin: bool) -> None:
        """Refuse a test function not named ``test`` (its twin: ``test`` + ``_examples``)."""
        expected = f"{self.test}_examples" if twin else self.test
        if function.__name__ != expected:
            raise TypeError(f"property {self.number}'s test is named {expected}, not {function.__name__}")


def property_of(item: Any) -> Property | None:
    """The property a collected test (or a test's node) is marked with, if any."""
    marker = item.get_closest_marker(MARKER) if hasattr(item, "get_closest_marker") else None
    if marker is None or not marker.args or not isinstance(marker.args[0], Property):
        return None
    found: Property = marker.args[0]
    return found


# -- running one test -----------------------------------------------------------------------------


def _preconditions(run: SemanticRun, prop: Property) -> None:
    reason = prop.not_applicable(run.contract)  # never collected so; a direct caller learns why
    if reason is not None:
        raise NotApplicable(reason)
    reason = prop.applies(run)
    if reason is not None:
        raise NotApplicable(reason, SUPPLY_LACKS)
    if not run.revocable_kinds:
        revocable = " or ".join(run.contract.tokens.revocable)
        raise NotApplicable(
            f"the token supply issues no {revocable}, the token types the {run.contract.name} contract revokes",
            SUPPLY_LACKS,
        )
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
        if plan is None:  # never collected so (``not_applicable``); a direct caller still learns why
            raise NotApplicable(f"example {case!r} does not apply to the {run.contract.name} contract")
        run.explicit(prop.body, plan)
        return
    if prop.machine is not None:
        before = run.live_revocations
        # A named callable, not a lambda: Hypothesis digests its factory's source, and would
        # parse a lambda's in the property's thread.
        run.check_machine(partial(prop.machine, run), steps=LIFECYCLE_STEPS)
        if run.live_revocations == before:
            raise NotApplicable(
                "the token supply issued no token the contract revokes, so nothing was revoked", SUPPLY_LACKS
            )
    elif prop.plans is not None:
        run.check(prop.plans(run), prop.body)
    if prop.note is not None:
        note = prop.note(run)
        if note is not None:
            notes.append(note)
