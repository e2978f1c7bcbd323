"""Property 1, a revoked token is dead: a state machine (mint, revoke, probe, repeat) and its explicit plans.

RFC 7009 section 2.1: "The invalidation takes place immediately, and the token cannot be
used again after the revocation." A single mint-revoke-probe proves the first half; the
second half is about *later*: after more grants were minted, other tokens revoked through
other documented variants, a token revoked earlier must still be dead. So Hypothesis drives
a sequence of rules over a pool of live tokens, and every rule judges only this property:

- ``mint`` issues a grant to the suite's client and puts its revocable tokens in the pool
  (Auth0 revokes refresh tokens only, so its access tokens never enter);
- ``revoke`` takes a token from the pool and revokes it with a drawn documented variant
  (hint absent or naming the token's own type; every client-auth method and media type). A
  token the probe already finds inactive (a cascade, property 4; or over-revocation,
  property 6) is not sent again: revoking twice is property 2;
- ``stays_dead`` probes a token revoked earlier.

Cascades are deliberately not assumed here (that is property 4), so each planted bug fails
exactly the property it breaks. The explicit twin replays fixed sequences of revocations
(``SequencePlan``) through the same ``revoke_live`` step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, multiple, rule

from revocation_contracts.model.contract import Contract

from .declaration import Property
from .run import SemanticRun
from .strategies import Example, Plan, Variant, auth_media_pairs, documented_variant, pair_variant, variants
from .trail import Claim, TokenRef

# RFC7009-2.1: the token cannot be used again after the revocation.
DEAD = Claim(1, "RFC7009-2.1", "a revoked token is dead")


def revoke_live(run: SemanticRun, token: TokenRef, variant: Variant) -> None:
    """Revoke ``token`` if the probe finds it active: answered as revoked, then inactive."""
    __tracebackhide__ = True
    if not run.probe(token):
        run.trail.note(f"{token.label} is already inactive; not revoked again (that is property 2)")
        return
    response = run.revoke(token, variant)
    run.live_revocations += 1
    run.expect_answer("revoked", response, DEAD, what=f"the revocation of {token.label}")
    run.expect_dead(token, DEAD, f"after a revocation answered {response.status_code}")


class RevocationLifecycle(RuleBasedStateMachine):
    """Mint grants, revoke their tokens through drawn documented variants, re-probe the dead."""

    live = Bundle("live")
    dead = Bundle("dead")

    def __init__(self, run: SemanticRun) -> None:
        super().__init__()
        self.run = run
        run.begin_example()

    def _mint(self) -> object:
        grant = self.run.mint()
        revocable = [grant.tokens[kind] for kind in self.run.contract.tokens.revocable if kind in grant.tokens]
        return multiple(*revocable)

    @initialize(target=live)
    def first_grant(self) -> object:
        return self._mint()

    @rule(target=live)
    def mint(self) -> object:
        return self._mint()

    # Rule arguments are not called ``token``: the report redactor masks any ``token=...``.
    @rule(target=dead, live_token=consumes(live), data=st.data())
    def revoke(self, live_token: TokenRef, data: st.DataObject) -> TokenRef:
        variant = data.draw(variants(self.run.contract, live_token.kind), label="variant")
        revoke_live(self.run, live_token, variant)
        return live_token

    @rule(dead_token=dead)
    def stays_dead(self, dead_token: TokenRef) -> None:
        self.run.expect_dead(dead_token, DEAD, "at a later probe, after it was revoked: revocation is permanent")


# -- its explicit plans ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SequencePlan:
    """Revocations in order: (grant number, token type, variant); grants minted on first use."""

    steps: tuple[tuple[int, str, Variant], ...]


def revoke_in_sequence(run: SemanticRun, plan: SequencePlan) -> None:
    """RFC 7009 section 2.1: each revoked token is inactive, and stays so."""
    grants: dict[int, Any] = {}
    revoked = []
    for number, kind, variant in plan.steps:
        if number not in grants:
            grants[number] = run.mint()
        token = run.token(grants[number], kind)
        revoke_live(run, token, variant)
        revoked.append(token)
    run.expect_all_dead(revoked, DEAD, "at the end of the sequence, after it was revoked")


def p1_examples() -> dict[str, Example]:
    def each_type(contract: Contract) -> Plan | None:
        return SequencePlan(tuple((1, kind, documented_variant(contract, kind)) for kind in contract.tokens.revocable))

    def refresh_then_access(contract: Contract) -> Plan | None:
        if not {"access_token", "refresh_token"} <= set(contract.tokens.revocable):
            return None
        kinds = ("refresh_token", "access_token")
        return SequencePlan(tuple((1, kind, documented_variant(contract, kind)) for kind in kinds))

    def every_auth_method(contract: Contract) -> Plan | None:
        kind = contract.tokens.revocable[-1]
        pairs = auth_media_pairs(contract)
        return SequencePlan(tuple((number, kind, pair_variant(contract, kind, number)) for number in range(len(pairs))))

    return {
        "each-revocable-type": each_type,
        "refresh-then-access": refresh_then_access,
        "every-auth-method": every_auth_method,
    }


P1 = Property(
    DEAD,
    "test_revoked_token_is_dead",
    "keeps-token",
    revoke_in_sequence,
    None,
    p1_examples(),
    machine=RevocationLifecycle,
)
