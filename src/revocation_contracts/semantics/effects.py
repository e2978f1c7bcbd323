"""Properties 1-4, 7, 10 and 11: a documented revocation takes effect, whatever legal form it takes.

RFC 7009 section 2.1: "The invalidation takes place immediately, and the token cannot be used
again after the revocation." These properties vary what may legally vary around that
sentence (a second revocation, a hint naming the wrong type or an unknown one, the refresh
token's grant, the characters of the token) and probe that the effect is always the one the
RFC and the contract promise. Each module-level ``*_plans`` function is a Hypothesis strategy for one
property, each body judges one plan, and each ``pN_examples`` names the explicit plans its
twin test replays (the plans that once mattered, or that a random draw finds only rarely).
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from revocation_contracts.model.contract import Contract
from revocation_contracts.rules.violation import WARNING, view_of

from .machine import DEAD, revoke_live
from .run import SemanticRun
from .strategies import (
    FORM,
    Example,
    Plan,
    Variant,
    auth_media_pairs,
    documented_variant,
    escaped_fragments,
    hint_choices,
    needs_escaping,
    pair_variant,
    unknown_tokens,
    variants,
)
from .trail import Claim, ShouldNotMet

# -- 1. a revoked token is dead ---------------------------------------------------------------


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


# -- 3. a wrong hint still finds the token -----------------------------------------------------


@dataclass(frozen=True)
class HintPlan:
    kind: str
    variant: Variant  # its hint names another token type


# RFC7009-2.1: with a wrong token_type_hint the server MUST extend its search.
HINT = Claim(3, "RFC7009-2.1", "a wrong token_type_hint still finds and revokes the token")


def hint_plans(run: SemanticRun) -> st.SearchStrategy[Plan]:
    contract = run.contract
    kinds = [kind for kind in run.revocable_kinds if hint_choices(contract, kind, "wrong")]
    return st.sampled_from(kinds).flatmap(
        lambda kind: st.builds(HintPlan, st.just(kind), variants(contract, kind, "wrong"))
    )


def wrong_hint_revokes(run: SemanticRun, plan: HintPlan) -> None:
    """RFC 7009 section 2.1: "If the server is unable to locate the token using the given hint,
    it MUST extend its search across all of its supported token types." """
    token = run.token(run.mint(), plan.kind)
    response = run.revoke(token, plan.variant)
    run.expect_answer("revoked", response, HINT, what=f"the revocation of {token.label} hinted {plan.variant.hint}")
    run.expect_dead(token, HINT, f"after a revocation hinted {plan.variant.hint} answered {response.status_code}")


def hint_applies(run: SemanticRun) -> str | None:
    contract = run.contract
    if contract.hint is None:
        return f"the {contract.name} contract has no token_type_hint field"
    if not any(hint_choices(contract, kind, "wrong") for kind in run.revocable_kinds):
        return "no revocable token type has a wrong hint value to send"
    return None


def p3_examples() -> dict[str, Example]:
    def hinted(kind: str) -> Example:
        def plan(contract: Contract) -> Plan | None:
            if contract.hint is None or kind not in contract.tokens.revocable:
                return None
            wrong = hint_choices(contract, kind, "wrong")
            auth_method, media_type = auth_media_pairs(contract)[0]
            return HintPlan(kind, Variant(wrong[0], auth_method, media_type)) if wrong else None

        return plan

    return {"access-hinted-as-refresh": hinted("access_token"), "refresh-hinted-as-access": hinted("refresh_token")}


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


def cascade_applies(run: SemanticRun) -> str | None:
    rule = run.contract.tokens.refresh_revokes_access
    if rule == "no" or "refresh_token" not in run.contract.tokens.revocable:
        return f"the {run.contract.name} contract does not tie access tokens to their refresh token's revocation"
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


# -- 7. tokens that need form escaping ---------------------------------------------------------


@dataclass(frozen=True)
class EscapePlan:
    kind: str
    tail: str | None  # pinned after a unique prefix (embedded); None: tokens as the supply issues them
    variant: Variant


# RFC6749-B: form bodies are percent-decoded; tokens carry '+', '/', '=' and '%'.
ESCAPE = Claim(7, "RFC6749-B", "a token with characters form encoding must escape is revoked")


def escape_plans(run: SemanticRun) -> st.SearchStrategy[Plan]:
    contract = run.contract
    if run.can_pin_values:
        return st.sampled_from(run.revocable_kinds).flatmap(
            lambda kind: st.builds(EscapePlan, st.just(kind), escaped_fragments(), variants(contract, kind))
        )
    # Server-issued tokens, sent with every character percent-encoded: only a form body is decoded.
    forms = [pair for pair in auth_media_pairs(contract) if pair[1] == FORM]
    return st.sampled_from(run.revocable_kinds).flatmap(
        lambda kind: st.builds(
            EscapePlan,
            st.just(kind),
            st.none(),
            st.builds(
                lambda pair, hint: Variant(hint, pair[0], pair[1]),
                st.sampled_from(forms),
                st.sampled_from(hint_choices(contract, kind, "documented")),
            ),
        )
    )


def escape_applies(run: SemanticRun) -> str | None:
    if run.can_pin_values or FORM in run.contract.media_types:
        return None
    return f"the {run.contract.name} contract sends no form body, the only encoding property 7 is about"


def escaped_token_revoked(run: SemanticRun, plan: EscapePlan) -> None:
    """RFC 6749 appendix B (cited by RFC 7009 section 2.1 for the request format): names and
    values are percent-encoded, so the server must decode them before looking the token up.

    Against the embedded servers the token is pinned with characters that need escaping.
    Against any other server the token is the server's own, sent with every character
    percent-encoded (``%61%62...``): after decoding it is the same token (RFC 3986 section
    2.1: a percent-encoded octet stands for that octet), so it must be revoked.
    """
    pinned = plan.tail is not None and run.can_pin_values
    grant = run.mint(values={plan.kind: f"rc-{secrets.token_hex(6)}-{plan.tail}"}) if pinned else run.mint()
    token = run.token(grant, plan.kind)
    escapes = needs_escaping(token.value)
    run.escapes_seen.update(escapes)
    if pinned:
        run.trail.note(f"{token.label} contains {' '.join(escapes) if escapes else 'nothing that needs escaping'}")
    else:
        run.trail.note(f"{token.label} sent with every character percent-encoded")
    encode_all = not pinned and plan.variant.media_type == FORM
    response = run.revoke(token, plan.variant, encode_every_char=encode_all)
    run.expect_answer("revoked", response, ESCAPE, what=f"the revocation of {token.label}")
    run.expect_dead(token, ESCAPE, f"after a revocation answered {response.status_code}")


def p7_examples() -> dict[str, Example]:
    def tail(text: str) -> Example:
        def plan(contract: Contract) -> Plan | None:
            kind = contract.tokens.revocable[0]
            pairs = auth_media_pairs(contract)
            # A form body where the contract documents one: that is where escaping matters.
            index = next((number for number, pair in enumerate(pairs) if pair[1] == FORM), 0)
            return EscapePlan(kind, text, pair_variant(contract, kind, index))

        return plan

    return {
        "base64-padding": tail("AbC+/9=="),
        "literal-escape-sequences": tail("x%2By%25z%3D"),
        "bare-percent": tail("50%off"),
    }


# -- 10. a token in the query string revokes, where the contract documents it ------------------


@dataclass(frozen=True)
class QueryPlan:
    kind: str
    variant: Variant


# DOC-token-in-query; a contract's own clause (request.token-in-clause) wins.
QUERY = Claim(10, "DOC-token-in-query", "a revocation with the token in the documented query string revokes it")


def query_applies(run: SemanticRun) -> str | None:
    contract = run.contract
    if "query" in contract.token_in:
        return None
    return f"the token in the query string does not apply to the {contract.name} contract: its token-in is the body"


def query_plans(run: SemanticRun) -> st.SearchStrategy[Plan]:
    contract = run.contract
    return st.sampled_from(run.revocable_kinds).flatmap(
        lambda kind: st.builds(QueryPlan, st.just(kind), variants(contract, kind))
    )


def query_token_revoked(run: SemanticRun, plan: QueryPlan) -> None:
    """Where the vendor documents the token in the query string (``token-in: [.., query]``;
    Google's revocation samples send ``/revoke?token=...``), that request is a documented
    revocation: it gets the revoked answer and the token is dead after it. Property 8 keeps the
    other side: with any other contract a token only in the query string should not revoke (a
    warning, PIN-query-token), and another method never revokes."""
    claim = QUERY.citing(run.contract.token_in_clause or QUERY.clause)
    token = run.token(run.mint(), plan.kind)
    response = run.revoke(token, plan.variant, token_in_query=True)
    run.expect_answer("revoked", response, claim, what=f"the revocation with {token.label} in the query string")
    after = f"after a revocation with the token in the query string answered {response.status_code}"
    run.expect_dead(token, claim, after)


def p10_examples() -> dict[str, Example]:
    def plan(kind_index: int) -> Example:
        def build(contract: Contract) -> Plan | None:
            if "query" not in contract.token_in:
                return None
            kind = contract.tokens.revocable[kind_index % len(contract.tokens.revocable)]
            return QueryPlan(kind, documented_variant(contract, kind))

        return build

    return {"first-type-in-query": plan(0), "last-type-in-query": plan(-1)}


# -- 11. a live token with an unknown hint: refused, or revoked ----------------------------------

# Hint values no server knows (RFC 7009 section 2.1 lets a server define more than the two).
UNKNOWN_HINTS = ("rc_unknown_hint_xyz", "urn:rc:unknown-hint")
# RFC7009-2.1: a server that cannot locate the token with the hint MUST extend its search.
UNKNOWN_HINT = Claim(
    11,
    "RFC7009-2.1",
    "a live token sent with an unknown token_type_hint is revoked, or the hint refused and the token left active",
)


@dataclass(frozen=True)
class UnknownHintPlan:
    kind: str
    variant: Variant  # its hint is one of UNKNOWN_HINTS


def unknown_hint_plans(run: SemanticRun) -> st.SearchStrategy[Plan]:
    contract = run.contract
    return st.sampled_from(run.revocable_kinds).flatmap(
        lambda kind: st.builds(
            UnknownHintPlan,
            st.just(kind),
            st.builds(dataclasses.replace, variants(contract, kind), hint=st.sampled_from(UNKNOWN_HINTS)),
        )
    )


def unknown_hint_judged(run: SemanticRun, plan: UnknownHintPlan) -> None:
    """RFC 7009 section 2.1: "If the server is unable to locate the token using the given hint,
    it MUST extend its search across all of its supported token types"; section 2.2.1 lets it
    refuse a hint it does not support with ``unsupported_token_type`` instead (the contract's
    ``unsupported-hint`` answer, e.g. Polar's 400 for a hint outside its enum). So a live token
    with an unknown hint is either dead after a success, or alive after that refusal. A success
    that leaves it active is a server whose lookup is gated by the hint (testing the unknown
    hint only with an unknown token cannot see it). Whether a contract that documents the
    refusal may also accept the hint is the schema test's question, not this property's."""
    contract = run.contract
    token = run.token(run.mint(), plan.kind)
    response = run.revoke(token, plan.variant)
    status, hint = response.status_code, plan.variant.hint
    sent = f"a revocation hinted {hint!r}"
    if 200 <= status < 300 or status in contract.answer("revoked").statuses:
        neither = "the server neither refused the hint (unsupported_token_type) nor searched every token type"
        run.expect_dead(token, UNKNOWN_HINT, f"after {sent} answered {status} (a success): {neither}")
        return
    alive = run.probe(token)
    state = f"{token.label} stayed active" if alive else f"{token.label} was revoked anyway"
    if not contract.has_answer("unsupported-hint"):
        raise run.fail(
            UNKNOWN_HINT,
            f"{sent} answered {status}, a refusal the contract does not document for a hint; {state}",
            "a success answer, after which the token is inactive",
            view_of(response).describe(),
        )
    run.expect_answer("unsupported-hint", response, UNKNOWN_HINT, what=sent, then=state)
    if not alive:
        raise run.fail(
            UNKNOWN_HINT,
            f"{token.label} inactive after {sent} was refused with {status}",
            f"{token.label} still active: a refused revocation leaves the token alone",
            f"the probe says {token.label} is inactive",
        )


def unknown_hint_applies(run: SemanticRun) -> str | None:
    if run.contract.hint is None:
        return f"the {run.contract.name} contract has no token_type_hint field"
    return None


def p11_examples() -> dict[str, Example]:
    def plan(kind_index: int, hint: str) -> Example:
        def build(contract: Contract) -> Plan | None:
            if contract.hint is None:
                return None
            kind = contract.tokens.revocable[kind_index % len(contract.tokens.revocable)]
            return UnknownHintPlan(kind, dataclasses.replace(documented_variant(contract, kind), hint=hint))

        return build

    return {"first-type-unknown-hint": plan(0, UNKNOWN_HINTS[0]), "last-type-urn-hint": plan(-1, UNKNOWN_HINTS[1])}
