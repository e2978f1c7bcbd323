"""The revocation-semantics properties as data (the ten of ``PROPERTIES``, and property 10 for
contracts that document the token in the query string), and how the contract suite runs them.

Why properties and not fixed scenarios: a revocation endpoint is stateful, and its bugs hide
in combinations (a refresh token revoked through HTTP Basic with a hint naming the other type;
a token whose base64 padding meets a form decoder). Each ``Property`` is a ``Claim`` (its
number, clause and words) from RFC 7009 or CONTRACTS.md, its test's name, a Hypothesis
strategy that draws *plans* for it from the contract's data (property 1: a state machine
instead, ``machine.py``), a body that runs one plan against the target through
``SemanticRun``, named explicit plans (the twin that records regressions), the planted bug of
``reference/bugs.py`` that breaks exactly it, and the reason it may not apply. The bodies live
in ``effects.py`` (a revocation takes effect) and ``boundaries.py`` (it touches and leaks
nothing else).

Each body judges only its own claim. What other properties cover (the answer to the first
revocation, a cascade, a second revocation) is observed but not judged, so a planted bug
fails one property and the report points at one cause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import strategies as st

from revocation_contracts.rules.outcomes import NOTE_PROPERTY

from .boundaries import (
    FOREIGN,
    OVER,
    SMUGGLE,
    bystander_plans,
    echo_plans,
    foreign_applies,
    foreign_plans,
    foreign_token_survives,
    no_over_revocation,
    nothing_echoed,
    p5_examples,
    p6_examples,
    p8_examples,
    p9_examples,
    smuggle_plans,
    smuggled_request_keeps_token,
)
from .effects import (
    AGAIN,
    CASCADE,
    ESCAPE,
    HINT,
    QUERY,
    UNKNOWN_HINT,
    again_plans,
    cascade_applies,
    cascade_plans,
    escape_applies,
    escape_plans,
    escaped_token_revoked,
    hint_applies,
    hint_plans,
    p1_examples,
    p2_examples,
    p3_examples,
    p4_examples,
    p7_examples,
    p10_examples,
    p11_examples,
    query_applies,
    query_plans,
    query_token_revoked,
    refresh_revokes_access,
    revoke_in_sequence,
    revoking_again,
    unknown_hint_applies,
    unknown_hint_judged,
    unknown_hint_plans,
    wrong_hint_revokes,
)
from .machine import DEAD, RevocationLifecycle
from .run import ECHO, SemanticRun
from .strategies import Example, Plan
from .trail import Claim


@dataclass(frozen=True)
class Property:
    """One semantic claim, its test, planted bug, body, strategy and explicit examples."""

    claim: Claim  # its number, clause and words
    test: str  # the test function in the contract suite
    bug: str  # the planted bug (reference/bugs.py) that breaks exactly this property
    body: Callable[[SemanticRun, Plan], None]
    plans: Callable[[SemanticRun], st.SearchStrategy[Plan]] | None
    examples: dict[str, Example] = field(default_factory=dict)
    needs_revocation: Callable[[SemanticRun], tuple[str, ...]] = lambda run: ()
    applies: Callable[[SemanticRun], str | None] = lambda run: None

    @property
    def number(self) -> int:
        return self.claim.number

    @property
    def clause(self) -> str:
        return self.claim.clause

    @property
    def title(self) -> str:
        return self.claim.title


def _revocable(run: SemanticRun) -> tuple[str, ...]:
    return run.revocable_kinds


# -- the table ----------------------------------------------------------------------------------

P1 = Property(DEAD, "test_revoked_token_is_dead", "keeps-token", revoke_in_sequence, None, p1_examples())
P2 = Property(
    AGAIN,
    "test_revoking_again_or_unknown_answers_per_contract",
    "second-revoke-error",
    revoking_again,
    again_plans,
    p2_examples(),
    needs_revocation=_revocable,
)
P3 = Property(
    HINT,
    "test_wrong_hint_still_revokes",
    "hint-restricts-search",
    wrong_hint_revokes,
    hint_plans,
    p3_examples(),
    applies=hint_applies,
    needs_revocation=_revocable,
)
P4 = Property(
    CASCADE,
    "test_refresh_revocation_kills_grant_access_tokens",
    "no-cascade",
    refresh_revokes_access,
    cascade_plans,
    p4_examples(),
    applies=cascade_applies,
    needs_revocation=lambda run: ("refresh_token",),
)
P5 = Property(
    FOREIGN,
    "test_foreign_token_stays_active",
    "cross-client-revokes",
    foreign_token_survives,
    foreign_plans,
    p5_examples(),
    applies=foreign_applies,
)
P6 = Property(OVER, "test_no_over_revocation", "revokes-all-grants", no_over_revocation, bystander_plans, p6_examples())
P7 = Property(
    ESCAPE,
    "test_tokens_needing_form_escapes_are_revoked",
    "no-percent-decode",
    escaped_token_revoked,
    escape_plans,
    p7_examples(),
    needs_revocation=_revocable,
    applies=escape_applies,
)
# Its failing bug is another method with the token in the query (GET ?token=); a token only in
# the documented method's query string is a warning, proven by ``query-token-merged``.
P8 = Property(
    SMUGGLE,
    "test_undocumented_method_or_query_token_never_revokes",
    "query-string-revokes",
    smuggled_request_keeps_token,
    smuggle_plans,
    p8_examples(),
)
P9 = Property(ECHO, "test_nothing_echoed", "echoes-token", nothing_echoed, echo_plans, p9_examples())
P11 = Property(
    UNKNOWN_HINT,
    "test_unknown_hint_revokes_or_is_refused",
    "unknown-hint-ignored",
    unknown_hint_judged,
    unknown_hint_plans,
    p11_examples(),
    applies=unknown_hint_applies,
    needs_revocation=_revocable,
)

PROPERTIES = (P1, P2, P3, P4, P5, P6, P7, P8, P9, P11)

# Property 10 binds only contracts whose document puts the token in the query string (none of
# the five the planted-bug table of PROPERTIES runs), so it stands beside the others: its planted
# bug is proven on google by tests/planted/test_query_token.py.
P10 = Property(
    QUERY,
    "test_documented_query_token_revokes",
    "query-string-ignored",
    query_token_revoked,
    query_plans,
    p10_examples(),
    needs_revocation=_revocable,
    applies=query_applies,
)


# -- running them -------------------------------------------------------------------------------

LIFECYCLE_STEPS = 6


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
    if prop.plans is None:
        before = run.live_revocations
        run.check_machine(lambda: RevocationLifecycle(run), steps=LIFECYCLE_STEPS)
        if run.live_revocations == before:
            pytest.skip("the token supply issued no token the contract revokes, so nothing was revoked")
    else:
        run.check(prop.plans(run), prop.body)
    if prop is P7 and not run.can_pin_values:
        notes.append(_escapes_note(run))


def verify(run: SemanticRun, prop: Property, request: Any) -> None:
    """Check ``prop`` on drawn plans against ``run``'s target, or replay its side-by-side run."""
    __tracebackhide__ = True
    _run_or_replay(run, prop, None, request)


def verify_example(run: SemanticRun, prop: Property, case: str, request: Any) -> None:
    """Check ``prop`` on one named explicit plan (its regression twin)."""
    __tracebackhide__ = True
    _run_or_replay(run, prop, case, request)


def _run_or_replay(run: SemanticRun, prop: Property, case: str | None, request: Any) -> None:
    __tracebackhide__ = True
    notes = request.node.user_properties
    started = run.side_by_side.take(prop, case) if run.side_by_side is not None else None
    if started is None:
        run_property(run, prop, case, notes)
    else:
        started.replay(notes)


def _escapes_note(run: SemanticRun) -> tuple[str, object]:
    """Server-issued tokens come as they are; say what property 7 actually covered."""
    covered = " ".join(sorted(run.escapes_seen)) or "none"
    return (
        NOTE_PROPERTY,
        "property 7 ran on the server's own tokens, sent with every character percent-encoded "
        f"(characters that need escaping among them: {covered})",
    )
