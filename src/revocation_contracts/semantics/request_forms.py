"""Properties 3, 7, 10 and 11: a documented revocation takes effect in every legal form of its request.

RFC 7009 section 2.1 lets the request vary: a ``token_type_hint`` naming the wrong type, or one
no server knows; a token whose characters form encoding must escape (RFC 6749 appendix B); the
token in the query string, where the vendor documents it. Whatever form it takes, a documented
revocation must find and kill the token (or, for an unknown hint, refuse it as the contract
says). Same layout as ``effects.py``: per property a ``Claim``, a strategy, a check, its
explicit plans and the ``Property`` that declares them together.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass

from hypothesis import strategies as st

from revocation_contracts.model.contract import Contract
from revocation_contracts.rules.outcomes import NOTE_PROPERTY
from revocation_contracts.rules.violation import view_of

from .declaration import Property, revocable_kinds
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
    variants,
)
from .trail import Claim

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


def hint_applies_to(contract: Contract) -> str | None:
    if contract.hint is None:
        return f"the {contract.name} contract has no token_type_hint field"
    if not any(hint_choices(contract, kind, "wrong") for kind in contract.tokens.revocable):
        return f"no token type the {contract.name} contract revokes has a wrong hint value to send"
    return None


def hint_applies(run: SemanticRun) -> str | None:
    if not any(hint_choices(run.contract, kind, "wrong") for kind in run.revocable_kinds):
        return "no token type the token supply issues has a wrong hint value to send"
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


P3 = Property(
    HINT,
    "test_wrong_hint_still_revokes",
    "hint-restricts-search",
    wrong_hint_revokes,
    hint_plans,
    p3_examples(),
    applies=hint_applies,
    applies_to=hint_applies_to,
    needs_revocation=revocable_kinds,
)


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


def escapes_note(run: SemanticRun) -> tuple[str, object] | None:
    """Server-issued tokens come as they are; say what property 7 actually covered."""
    if run.can_pin_values:
        return None
    covered = " ".join(sorted(run.escapes_seen)) or "none"
    return (
        NOTE_PROPERTY,
        "property 7 ran on the server's own tokens, sent with every character percent-encoded "
        f"(characters that need escaping among them: {covered})",
    )


P7 = Property(
    ESCAPE,
    "test_tokens_needing_form_escapes_are_revoked",
    "no-percent-decode",
    escaped_token_revoked,
    escape_plans,
    p7_examples(),
    needs_revocation=revocable_kinds,
    applies=escape_applies,
    note=escapes_note,
)


# -- 10. a token in the query string revokes, where the contract documents it ------------------


@dataclass(frozen=True)
class QueryPlan:
    kind: str
    variant: Variant


# DOC-token-in-query; a contract's own clause (request.token-in-clause) wins.
QUERY = Claim(10, "DOC-token-in-query", "a revocation with the token in the documented query string revokes it")


def query_applies_to(contract: Contract) -> str | None:
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
    needs_revocation=revocable_kinds,
    applies_to=query_applies_to,
)


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


def unknown_hint_applies_to(contract: Contract) -> str | None:
    if contract.hint is None:
        return f"the {contract.name} contract has no token_type_hint field"
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


P11 = Property(
    UNKNOWN_HINT,
    "test_unknown_hint_revokes_or_is_refused",
    "unknown-hint-ignored",
    unknown_hint_judged,
    unknown_hint_plans,
    p11_examples(),
    applies_to=unknown_hint_applies_to,
    needs_revocation=revocable_kinds,
)
