"""Properties 2 and 4: a documented revocation takes effect, and its effects are the promised ones.

RFC 7009 section 2.1: "The invalidation takes place immediately, and the token cannot be used
again after the revocation." Property 1 (``machine.py``) proves that sentence; these vary what
may legally follow it (a second revocation of the same token or of an unknown one, the refresh
token's grant) and probe that the effect is always the one the RFC and the contract promise.
``request_forms.py`` varies the request itself. Per property, in one place: its ``Claim``, a
Hypothesis strategy (``*_plans``), a check that judges one plan, the explicit plans its twin test
replays (``pN_examples``: the plans that once mattered, or that a random draw finds only
rarely), and the ``Property`` that declares them together.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from revocation_contracts.model.contract import Contract
from revocation_contracts.rules.violation import WARNING

from .declaration import Property, revocable_kinds
from .machine import DEAD
from .run import SemanticRun
from .strategies import (
    Example,
    Plan,
    Variant,
    auth_media_pairs,
    documented_variant,
    hint_choices,
    pair_variant,
    unknown_tokens,
    variants,
)
from .trail import Claim, ShouldNotMet

# -- 2. revoking again, or an unknown token ------------------------------------------------


@dataclass(frozen=True)
class AgainPlan:
    kind: str
    again: tuple[Variant, ...]
    unknown: tuple[tuple[str, Variant], ...]


def again_plans(run: SemanticRun) -> st.SearchStrategy[Plan]:
    contract = run.contract

    def for_kind(kind: str) -> st.SearchStrategy[AgainPlan]:
        unknown = st.tuples(unknown_tokens(), variants(contract, "unknown", "any"))
        return st.builds(
            AgainPlan,
            st.just(kind),
            st.lists(variants(contract, kind), min_size=1, max_size=2).map(tuple),
            st.lists(unknown, min_size=1, max_size=2).map(tuple),
        )

    return st.sampled_from(run.revocable_kinds).flatmap(for_kind)


# RFC7009-2.2: an invalid or already revoked token gets the success answer.
AGAIN = Claim(2, "RFC7009-2.2", "revoking a token again, or an unknown token, answers as the contract says")


def revoking_again(run: SemanticRun, plan: AgainPlan) -> None:
    """RFC 7009 section 2.2: "The authorization server responds with HTTP status code 200 if the
    token has been revoked successfully or if the client submitted an invalid token"; the
    contract names the exact answer (Voucherify: 404), and no such request is ever a 5xx."""
    contract = run.contract
    token = run.token(run.mint(), plan.kind)
    run.revoke(token, documented_variant(contract, plan.kind))
    if run.probe(token):
        raise run.fail(
            AGAIN.citing(DEAD.clause),
            f"{token.label} still active after its documented revocation, before it is revoked again",
            f"{token.label} inactive before it is revoked again",
            "the documented revocation left it active (property 1)",
        )
    for variant in plan.again:
        response = run.revoke(token, variant, action="revoke again")
        run.expect_answer("unknown-token", response, AGAIN, what=f"revoking the revoked {token.label} again")
    for value, variant in plan.unknown:
        unknown = run.unknown(value)
        response = run.revoke(unknown, variant)
        run.expect_answer("unknown-token", response, AGAIN, what=f"revoking the {unknown.label}")


def p2_examples() -> dict[str, Example]:
    def twice(contract: Contract) -> Plan | None:
        kind = contract.tokens.revocable[0]
        variant = documented_variant(contract, kind)
        return AgainPlan(kind, (variant, variant), (("rc-unknown-AAAA", variant),))

    def other_auth_method(contract: Contract) -> Plan | None:
        kind = contract.tokens.revocable[-1]
        last = len(auth_media_pairs(contract)) - 1
        unknown_hint = Variant(hint_choices(contract, "unknown", "any")[-1], *auth_media_pairs(contract)[last])
        return AgainPlan(kind, (pair_variant(contract, kind, last),), (("rc-unknown-b64+/pad==", unknown_hint),))

    return {"revoke-twice": twice, "again-with-other-auth-and-padding": other_auth_method}


P2 = Property(
    AGAIN,
    "test_revoking_again_or_unknown_answers_per_contract",
    "second-revoke-error",
    revoking_again,
    again_plans,
    p2_examples(),
    needs_revocation=revocable_kinds,
)


# -- 4. refresh revocation cascades to the grant's access tokens -----------------------------


@dataclass(frozen=True)
class CascadePlan:
    variant: Variant  # how the refresh token is revoked


def cascade_clause(contract: Contract) -> str:
    """RFC7009-2.1 makes the cascade a SHOULD; a contract may make it a MUST (its data says)."""
    return "RFC7009-2.1"


CASCADE = Claim(4, "RFC7009-2.1", "revoking a refresh token kills the access tokens of its grant")


def cascade_plans(run: SemanticRun) -> st.SearchStrategy[Plan]:
    return st.builds(CascadePlan, variants(run.contract, "refresh_token"))


def refresh_revokes_access(run: SemanticRun, plan: CascadePlan) -> None:
    """RFC 7009 section 2.1: "If the particular token is a refresh token and the authorization
    server supports the revocation of access tokens, then the authorization server SHOULD also
    invalidate all access tokens based on the same authorization grant." Polar and Mollie make
    it a must; for RFC 7009 itself an unmet SHOULD is a warning (``--strict-semantics`` fails)."""
    contract = run.contract
    grant = run.mint()
    refresh, access = run.token(grant, "refresh_token"), run.token(grant, "access_token")
    run.revoke(refresh, plan.variant)
    if run.probe(refresh):
        raise run.fail(
            CASCADE.citing(DEAD.clause),
            f"{refresh.label} itself still active after its revocation",
            f"{refresh.label} inactive",
            "the revocation left it active (property 1)",
        )
    if run.probe(access):
        failure = run.fail(
            CASCADE.citing(cascade_clause(contract)),
            f"{access.label} still active after its grant's {refresh.label} was revoked",
            f"{access.label} inactive after its grant's refresh token was revoked",
            f"the probe says {access.label} is active",
        )
        if contract.tokens.refresh_revokes_access == "should":
            raise ShouldNotMet(failure.violations[0].with_level(WARNING))
        raise failure


def cascade_applies_to(contract: Contract) -> str | None:
    rule = contract.tokens.refresh_revokes_access
    if rule == "no" or "refresh_token" not in contract.tokens.revocable:
        return f"the {contract.name} contract does not tie access tokens to their refresh token's revocation"
    return None


def cascade_applies(run: SemanticRun) -> str | None:
    if not {"access_token", "refresh_token"} <= set(run.issued_kinds):
        return "the token supply does not issue an access token and a refresh token in one grant"
    return None


def p4_examples() -> dict[str, Example]:
    return {
        "documented-request": lambda contract: CascadePlan(documented_variant(contract, "refresh_token")),
        "last-auth-method": lambda contract: CascadePlan(
            pair_variant(contract, "refresh_token", len(auth_media_pairs(contract)) - 1)
        ),
    }


def _refresh_only(run: SemanticRun) -> tuple[str, ...]:
    return ("refresh_token",)


P4 = Property(
    CASCADE,
    "test_refresh_revocation_kills_grant_access_tokens",
    "no-cascade",
    refresh_revokes_access,
    cascade_plans,
    p4_examples(),
    applies=cascade_applies,
    applies_to=cascade_applies_to,
    needs_revocation=_refresh_only,
)
