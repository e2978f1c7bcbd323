"""Property 1 as a state machine: mint, revoke, probe, repeat; a revoked token stays dead.

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
exactly the property it breaks.
"""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, multiple, rule

from .run import SemanticRun
from .strategies import Variant, variants
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
