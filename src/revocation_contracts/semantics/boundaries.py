"""Properties 5, 6, 8 and 9: a revocation touches nothing it should not, and leaks nothing.

The other half of "a revoked token is dead": a request that is not a valid revocation of a
token (another client's credentials, RFC 7009 section 2.1; an undocumented method) must
leave it alive (a token only in the query string should: a warning, PIN-query-token), a
valid one must leave every other grant alive (the project's rules: no over-revocation), and no
answer may repeat the secret or token it was sent (the project's rules: credentials never echo).
Same layout as ``effects.py``: per property a ``Claim``, a strategy, a check, its explicit plans
and the ``Property`` that declares them together.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from revocation_contracts.model.contract import Contract
from revocation_contracts.rules.violation import WARNING

from .declaration import Property
from .run import ECHO, SemanticRun
from .strategies import Example, Plan, Variant, documented_variant, smuggled_requests, unknown_tokens, variants
from .trail import Claim, ShouldNotMet

# -- 5. another client's token stays active ----------------------------------------------------


@dataclass(frozen=True)
class ForeignPlan:
    owner: str  # "a" or "b"; the other client sends the revocation
    kind: str
    variant: Variant


# RFC7009-2.1: the server verifies the token was issued to the requesting client.
FOREIGN = Claim(5, "RFC7009-2.1", "a token of client A sent with client B's credentials stays active")


def foreign_plans(run: SemanticRun) -> st.SearchStrategy[Plan]:
    contract = run.contract
    return st.tuples(st.sampled_from(("a", "b")), st.sampled_from(run.issued_kinds)).flatmap(
        lambda pair: st.builds(ForeignPlan, st.just(pair[0]), st.just(pair[1]), variants(contract, pair[1]))
    )


def foreign_token_survives(run: SemanticRun, plan: ForeignPlan) -> None:
    """RFC 7009 section 2.1: "The authorization server first validates the client credentials
    ... and then verifies whether the token was issued to the client making the revocation
    request. If this validation fails, the request is refused"; the contract names the answer."""
    token = run.token(run.mint(plan.owner), plan.kind)
    sender = "b" if plan.owner == "a" else "a"
    response = run.revoke(token, plan.variant, client=sender, action="revoke another client's token")
    asked = f"another client's revocation of {token.label}"
    run.expect_alive(token, FOREIGN, f"after {asked} answered {response.status_code}")
    run.expect_answer("foreign-token", response, FOREIGN, what=asked, then=f"{token.label} stayed active")


def foreign_applies_to(contract: Contract) -> str | None:
    if contract.client_auth.public:
        return "the contract's clients are public (client-auth none): whoever holds a token may revoke it"
    return None


def foreign_applies(run: SemanticRun) -> str | None:
    if not run.has_second_client:
        return "the cross-client property needs a second client: pass --second-client-id and --second-client-secret"
    return None


def p5_examples() -> dict[str, Example]:
    def plan(owner: str, kind: str) -> Example:
        def build(contract: Contract) -> Plan | None:
            if kind not in contract.tokens.types:
                return None
            return ForeignPlan(owner, kind, documented_variant(contract, kind))

        return build

    return {"b-revokes-a-refresh": plan("a", "refresh_token"), "a-revokes-b-access": plan("b", "access_token")}


P5 = Property(
    FOREIGN,
    "test_foreign_token_stays_active",
    "cross-client-revokes",
    foreign_token_survives,
    foreign_plans,
    p5_examples(),
    applies=foreign_applies,
    applies_to=foreign_applies_to,
)


# -- 6. no over-revocation ---------------------------------------------------------------------


@dataclass(frozen=True)
class BystanderPlan:
    grants: int  # grants of the suite's client, one of which is revoked
    victim: int
    kind: str
    variant: Variant
    second_client: bool  # also mint a bystander grant for the second client


OVER = Claim(6, "PIN-no-over-revocation", "revoking one grant leaves the client's other grants active")


def bystander_plans(run: SemanticRun) -> st.SearchStrategy[Plan]:
    contract = run.contract

    def for_shape(shape: tuple[int, str]) -> st.SearchStrategy[BystanderPlan]:
        grants, kind = shape
        return st.builds(
            BystanderPlan,
            st.just(grants),
            st.integers(0, grants - 1),
            st.just(kind),
            variants(contract, kind),
            st.booleans() if run.has_second_client else st.just(False),
        )

    return st.tuples(st.integers(2, 3), st.sampled_from(run.revocable_kinds)).flatmap(for_shape)


def no_over_revocation(run: SemanticRun, plan: BystanderPlan) -> None:
    """The project's rules: revoking one grant's token leaves the client's other grants active. RFC
    7009 section 2.1 lets a revocation reach "related tokens and the underlying authorization
    grant", never the client's other grants."""
    grants = [run.mint() for _ in range(plan.grants)]
    if plan.second_client:
        grants.append(run.mint("b"))
    victim = grants.pop(plan.victim)
    run.revoke(run.token(victim, plan.kind), plan.variant)
    bystanders = [token for grant in grants for token in grant.tokens.values()]
    run.expect_all_alive(bystanders, OVER, f"after {victim.label}.{plan.kind}, of another grant, was revoked")


def p6_examples() -> dict[str, Example]:
    def plan(grants: int, kind_index: int) -> Example:
        def build(contract: Contract) -> Plan | None:
            kind = contract.tokens.revocable[kind_index % len(contract.tokens.revocable)]
            return BystanderPlan(grants, 0, kind, documented_variant(contract, kind), second_client=False)

        return build

    return {"first-of-two-grants": plan(2, 0), "last-type-of-one-of-three": plan(3, -1)}


P6 = Property(OVER, "test_no_over_revocation", "revokes-all-grants", no_over_revocation, bystander_plans, p6_examples())


# -- 8. undocumented method or token in the query string ----------------------------------------


@dataclass(frozen=True)
class SmugglePlan:
    kind: str
    method: str
    in_query: bool
    variant: Variant


# PIN-method-refused: another method never revokes (the protocol test judges its answer);
# PIN-query-token: a token only in the query string of the documented method should not.
SMUGGLE = Claim(
    8,
    "PIN-method-refused",
    "another method never revokes a token, and a token only in the query string should not",
)
QUERY_TOKEN_CLAUSE = "PIN-query-token"


def smuggle_plans(run: SemanticRun) -> st.SearchStrategy[Plan]:
    contract = run.contract
    return st.tuples(st.sampled_from(run.revocable_kinds), smuggled_requests(contract)).flatmap(
        lambda pair: st.builds(
            SmugglePlan, st.just(pair[0]), st.just(pair[1][0]), st.just(pair[1][1]), variants(contract, pair[0])
        )
    )


def smuggled_request_keeps_token(run: SemanticRun, plan: SmugglePlan) -> None:
    """Only the documented method revokes (vendors: their one documented method; RFC 7009
    section 2.1 defines the request as a POST), whatever else the request carries: another
    method never revokes, with the token in its query string (``GET ?token=``) or its body, and
    no client input is ever answered with a 5xx (RFC 6749 section 5.2).

    The documented method with the token only in its query string (the body without it) is
    this project's pin, a warning (``PIN-query-token``): tokens in URLs end up in logs and
    caches (RFC 6750 section 2.3; OAuth 2.1 drops the query form), but RFC 7009 forbids the
    server nothing there, and frameworks that merge query and body parameters revoke. Where
    the contract documents the query form, property 10 requires that it revokes instead."""
    token = run.token(run.mint(), plan.kind)
    response = run.revoke(token, plan.variant, method=plan.method, token_in_query=plan.in_query, action="try to revoke")
    where = "only in its query string" if plan.in_query else "in its body"
    sent = f"a {plan.method} with {token.label} {where}"
    if response.status_code >= 500:
        raise run.fail(
            SMUGGLE.citing("RFC6749-5.2"),
            f"{sent} answered {response.status_code}",
            "a 4xx refusal, never a 5xx",
            f"status {response.status_code}",
        )
    if plan.method != run.contract.method:
        after = f"after {sent}, not the documented {run.contract.method}, answered {response.status_code}"
        run.expect_alive(token, SMUGGLE, after)
        return
    if not run.probe(token):
        failure = run.fail(
            SMUGGLE.citing(QUERY_TOKEN_CLAUSE),
            f"{token.label} inactive after {sent} (the body without it) answered {response.status_code}",
            f"{token.label} still active: a token in a URL ends up in logs and caches "
            "(RFC 6750 section 2.3; OAuth 2.1 drops the query form)",
            f"the probe says {token.label} is inactive",
        )
        raise ShouldNotMet(failure.violations[0].with_level(WARNING))


def p8_examples() -> dict[str, Example]:
    def plan(method: str | None, in_query: bool) -> Example:
        def build(contract: Contract) -> Plan | None:
            chosen = method or contract.method
            if chosen == contract.method and method is not None:
                chosen = "GET" if contract.method != "GET" else "PUT"
            if chosen in contract.other_methods:
                chosen = next(name for name in ("PUT", "GET", "POST") if name not in contract.other_methods)
            if chosen == contract.method and in_query and "query" in contract.token_in:
                return None  # the vendor documents the token in the query string
            kind = contract.tokens.revocable[0]
            return SmugglePlan(kind, chosen, in_query, documented_variant(contract, kind))

        return build

    return {
        "get-with-token-in-query": plan("GET", True),
        "put-with-token-in-body": plan("PUT", False),
        "documented-method-token-only-in-query": plan(None, True),
    }


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


# -- 9. no echo of secrets or tokens ------------------------------------------------------------


@dataclass(frozen=True)
class EchoStep:
    action: str  # "revoke", "unknown", "foreign", "smuggle"
    kind: str
    variant: Variant
    extra: str = ""  # the unknown token, or the method of a smuggled request


@dataclass(frozen=True)
class EchoPlan:
    steps: tuple[EchoStep, ...]


def echo_plans(run: SemanticRun) -> st.SearchStrategy[Plan]:
    contract = run.contract
    actions = ["revoke", "unknown", "smuggle"] + (["foreign"] if run.has_second_client else [])

    def step(pair: tuple[str, str]) -> st.SearchStrategy[EchoStep]:
        action, kind = pair
        extra: st.SearchStrategy[str] = st.just("")
        if action == "unknown":
            extra = unknown_tokens()
        elif action == "smuggle":
            extra = smuggled_requests(contract).map(lambda choice: choice[0])
        return st.builds(EchoStep, st.just(action), st.just(kind), variants(contract, kind), extra)

    steps = st.tuples(st.sampled_from(actions), st.sampled_from(run.revocable_kinds)).flatmap(step)
    return st.lists(steps, min_size=1, max_size=4).map(lambda items: EchoPlan(tuple(items)))


def nothing_echoed(run: SemanticRun, plan: EchoPlan) -> None:
    """The project's rules: no response body or header contains the client secret or the token being
    revoked. ``SemanticRun.revoke`` checks every response of every property; this property
    drives a mix of requests whose only verdict is that check."""
    grant = run.mint()
    for step in plan.steps:
        if step.action == "unknown":
            run.revoke(run.unknown(step.extra), step.variant)
        elif step.action == "foreign":
            foreign = run.token(run.mint("b"), step.kind)
            run.revoke(foreign, step.variant, action="revoke another client's token")
        elif step.action == "smuggle":
            token = run.token(grant, step.kind)
            run.revoke(token, step.variant, method=step.extra, token_in_query=True, action="try to revoke")
        else:
            run.revoke(run.token(grant, step.kind), step.variant)


def p9_examples() -> dict[str, Example]:
    def plan(actions: tuple[str, ...]) -> Example:
        def build(contract: Contract) -> Plan | None:
            kind = contract.tokens.revocable[0]
            variant = documented_variant(contract, kind)
            extras = {"unknown": "rc-unknown-echo+/=", "smuggle": "GET" if contract.method != "GET" else "PUT"}
            return EchoPlan(tuple(EchoStep(action, kind, variant, extras.get(action, "")) for action in actions))

        return build

    return {"revoke-then-again": plan(("revoke", "revoke")), "unknown-then-smuggled": plan(("unknown", "smuggle"))}


# Its claim is the harness's (``run.ECHO``): ``SemanticRun.revoke`` checks every response of every property.
P9 = Property(ECHO, "test_nothing_echoed", "echoes-token", nothing_echoed, echo_plans, p9_examples())
