"""One contract's semantic session: mint, revoke, probe and judge, writing every step down.

Why a harness between the properties and the target: the properties should read like their
RFC sentence ("revoke it, then the probe says inactive"), while the rules that make such a
sentence trustworthy live in one place:

- **Only our own tokens.** ``revoke`` refuses any token this session did not mint (or made
  up as unknown); every minted value, raw and percent-encoded, joins the ``Redactor``. They
  join in batches (``flush_secrets``: when an example fails, when a test ends badly, at the
  end of the session), one ``add`` (one lock, a set update) per batch rather than per token,
  since a session mints thousands; until then a failure message masks its own example's
  tokens itself (``Trail.mask``).
- **One cause per failure.** Against the embedded servers tokens are minted with pinned,
  escape-free values, so a server that mishandles ``+ / = %`` fails the property about
  form decoding (property 7, which pins such values on purpose) and no other.
- **Blocked, not failed twice.** Properties that need a working revocation first check,
  once per session and token type, that the plainest documented revocation kills a token.
  If it does not, they are skipped as blocked and property 1 carries the failure.
- **No echo anywhere.** Every response goes through ``engine.credential_echo``.
- **Setup problems are not counterexamples.** A failing token or probe command, a throttled
  or unreachable target, leaves Hypothesis as ``Aborted`` without shrinking and surfaces as
  the original error, which the contract suite reports as a setup error (never a verdict).
"""

from __future__ import annotations

import copy
import dataclasses
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import count
from typing import Any, cast
from urllib.parse import quote, quote_plus

import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from revocation_contracts.redact import Redactor, secret_forms
from revocation_contracts.rules import engine
from revocation_contracts.rules.outcomes import BLOCKED, SUPPLY_LACKS, NotApplicable, settle
from revocation_contracts.rules.violation import FAILURE, Violation, view_of
from revocation_contracts.supply.tokens import MintsAndProbes, TokenSupply, TokenSupplyError, as_token_supply
from revocation_contracts.target import Target
from revocation_contracts.transport.client import Credentials
from revocation_contracts.transport.session import TargetThrottled, raise_if_throttled

from .strategies import UNKNOWN_PREFIX, Variant, documented_variant, percent_encode_all
from .trail import Aborted, Claim, MintedGrant, SemanticFailure, ShouldNotMet, TokenRef, Trail, answer_event

# Examples per property; the session's --max-examples lowers it, never raises it.
DEFAULT_EXAMPLES = 20
ECHO = Claim(9, "PIN-no-echo", "no response repeats the client secret or the token sent for revocation")
# Seconds between re-probes of a token that should be dead, for targets driven by commands.
PROPAGATION_WAITS = (0.5, 1.5)
SETUP_ERRORS = (TokenSupplyError, TargetThrottled, requests.RequestException)


class SemanticRun:
    """The semantic properties' view of one target: its token supply, clients and trail."""

    def __init__(
        self, target: Target, supply: TokenSupply | MintsAndProbes, *, strict: bool, max_examples: int
    ) -> None:
        self.target = target
        self.contract = target.contract
        self.supply = as_token_supply(supply)
        self.redactor = target.redactor
        self.strict = strict
        self.max_examples = max(1, min(DEFAULT_EXAMPLES, max_examples))
        self.trail = Trail(self.redactor, target.sensitive_headers(), self.supply)
        self.minted_values: set[str] = set()
        self._unregistered: list[str] = []  # minted values not yet handed to the Redactor
        self.escapes_seen: set[str] = set()
        self.live_revocations = 0  # revocations of live tokens sent by property 1
        self._grant_numbers = count(1)
        self._baseline: dict[str, bool] = {}
        # The contract's token types the supply actually issues; the smoke check narrows it
        # (a --token-command may print only an access token).
        self.issued_kinds: tuple[str, ...] = self.contract.tokens.types
        # Forks (``fork``): runs of the same target in other threads, whose secrets this run
        # flushes; the event that ends them early; whether this fork mints afresh (no grant
        # minted ahead). Whatever schedules them (``side_by_side.py``) holds itself; the harness
        # knows nothing of it.
        self.forks: list[SemanticRun] = []
        self.cancelled = threading.Event()
        self.fresh_mints = False
        self._baseline_lock = threading.Lock()

    def fork(self, *, fresh_mints: bool = False) -> SemanticRun:
        """A run for one property in its own thread, or for confirming one alone.

        It shares the target, supply, redactor, the values minted so far and the revocation
        baselines; it has its own trail, grant labels and counters, so two properties running
        at once never mix their request sequences. ``fresh_mints``: mint each grant when it is
        asked for, never take one minted ahead (a grant minted while another property ran may
        have been caught by that property's over-revocation)."""
        twin = copy.copy(self)
        twin.trail = Trail(self.redactor, self.target.sensitive_headers(), self.supply)
        twin._unregistered = []
        twin._grant_numbers = count(1)
        twin.live_revocations = 0
        twin.forks = []
        twin.fresh_mints = fresh_mints
        self.forks.append(twin)
        return twin

    # -- capabilities --------------------------------------------------------------------------

    @property
    def can_pin_values(self) -> bool:
        """Whether tokens can be minted with chosen values (the embedded reference servers)."""
        return self.supply.pins_values

    @property
    def revocable_kinds(self) -> tuple[str, ...]:
        """Token types the contract revokes and the supply issues: what properties draw from."""
        return tuple(kind for kind in self.contract.tokens.revocable if kind in self.issued_kinds)

    @property
    def has_second_client(self) -> bool:
        return self.target.second_credentials is not None

    def credentials(self, client: str) -> Credentials:
        """``"a"``: the suite's own client; ``"b"``: the second client (--second-client-*)."""
        if client == "a":
            return self.target.credentials
        second = self.target.second_credentials
        if second is None:
            raise RuntimeError("a property asked for the second client without checking has_second_client")
        return second

    # -- steps ---------------------------------------------------------------------------------

    def begin_example(self) -> None:
        if self.cancelled.is_set():
            raise Aborted(TokenSupplyError("the run ended before this semantic property finished"))
        self.trail.clear()
        self._grant_numbers = count(1)

    def mint(self, client: str = "a", values: dict[str, str] | None = None) -> MintedGrant:
        """A new grant for ``client``; against the embedded servers with escape-free values
        unless ``values`` pins some."""
        creds = self.credentials(client)
        types = self.contract.tokens.types
        with _as_aborted():
            if self.supply.pins_values:
                pinned = {kind: f"rc-{secrets.token_urlsafe(18)}" for kind in types}
                pinned.update(values or {})
                grant = self.supply.mint_pinned(creds, types, pinned)
            elif self.fresh_mints:
                grant = self.supply.mint_fresh(creds, types)
            else:
                grant = self.supply.mint(creds, types)
        label = f"g{next(self._grant_numbers)}"
        tokens: dict[str, TokenRef] = {}
        forms: list[str] = []
        for kind, value in grant.tokens.items():
            self.minted_values.add(value)
            forms.extend(dict.fromkeys((value, quote_plus(value), quote(value, safe=""), percent_encode_all(value))))
            tokens[kind] = TokenRef(f"{label}.{kind}", kind, value, creds.client_id)
        self._unregistered.extend(forms)
        minted = MintedGrant(label, creds.client_id, tokens)
        self.trail.minted(minted, forms, creds)
        return minted

    def flush_secrets(self) -> None:
        """Hand every minted value not yet registered to the session's ``Redactor``, in one batch."""
        flush_secrets([self])

    def token(self, grant: MintedGrant, kind: str) -> TokenRef:
        """The grant's ``kind`` token; skips when the token supply does not issue that type."""
        token = grant.get(kind)
        if token is None:
            raise NotApplicable(
                f"the token supply issued no {kind} (only {', '.join(grant.tokens) or 'nothing'})", SUPPLY_LACKS
            )
        return token

    def unknown(self, value: str) -> TokenRef:
        """A made-up token no server issued (RFC 7009 section 2.2: "an invalid token")."""
        if not value.startswith(UNKNOWN_PREFIX):
            raise ValueError(f"unknown tokens start with {UNKNOWN_PREFIX!r}")
        return TokenRef(f"unknown token {value!r}", "unknown", value)

    def revoke(
        self,
        token: TokenRef,
        variant: Variant,
        *,
        client: str = "a",
        method: str | None = None,
        token_in_query: bool = False,
        action: str = "revoke",
        encode_every_char: bool = False,
    ) -> requests.Response:
        """Send a revocation of ``token`` as ``client``, record it, and check it echoes nothing.

        ``encode_every_char``: the token goes in the form body with every character
        percent-encoded (property 7 on server-issued tokens)."""
        if token.kind != "unknown" and token.value not in self.minted_values:
            raise RuntimeError("the suite only revokes tokens it minted itself in this run")
        creds = self.credentials(client)
        http = self.target.client(creds)
        request = http.build(
            token.value,
            hint=variant.hint,
            method=method,
            media_type=variant.media_type,
            auth_method=variant.auth_method,
            token_in_query=token_in_query,
        )
        if encode_every_char and request.body is not None:
            plain = f"{quote_plus(self.contract.token_field)}={quote_plus(token.value)}".encode()
            every = f"{quote_plus(self.contract.token_field)}={percent_encode_all(token.value)}".encode()
            request = dataclasses.replace(request, body=request.body.replace(plain, every, 1))
        with _as_aborted():
            response = http.send(request)
        if response.status_code >= 500:
            # A server that crashed while answering may drop the keep-alive connection without a
            # "Connection: close" (uvicorn does after an unhandled exception); reusing it would
            # turn the next request into a connection error, a setup error instead of a verdict.
            http.session.close()
        how = [variant.describe()]
        if encode_every_char:
            how.append("every character of the token percent-encoded")
        if method and method != self.contract.method:
            how.append(f"method {method}")
        if token_in_query:
            how.append("token in the query string")
        self.trail.sent(f"{action} {token.label} as {creds.client_id} ({'; '.join(how)})", request, response)
        with _as_aborted():
            raise_if_throttled(response)
        self._check_no_echo(response, token, token_in_query)
        return response

    def probe(self, token: TokenRef, answer: Callable[[], bool] | None = None) -> bool:
        """Whether ``token`` still works, by the supply's probe (or ``answer``, one sent ahead)."""
        with _as_aborted():
            active = answer() if answer is not None else self.supply.is_active(token.value)
        self.trail.probed(token, active)
        return active

    def probes_ahead(self, tokens: list[TokenRef]) -> list[Callable[[], bool]]:
        """Answers for several tokens a property asks about at one point, read in order.

        A supply that overlaps round trips (``supply/overlap.py``) sends these probes side by
        side; any other (the embedded servers', the commands') probes each one when its answer
        is read, so a property that stops at its first verdict sends no further probe."""
        with _as_aborted():
            return list(self.supply.probe_ahead([token.value for token in tokens]))

    # -- verdicts ------------------------------------------------------------------------------

    def fail(
        self, claim: Claim, event: str, expected: str, got: str, cause: Violation | None = None
    ) -> SemanticFailure:
        """A failure of ``claim``, headlined by ``event`` (what actually happened).

        ``cause``: the rule's finding behind it (a wrong answer, an echoed secret), so the run's
        summary lists this failure under the same problem as an explicit test that met it; without
        one the problem is the claim itself (``Claim.symptom``), never the event's token labels.
        """
        violation = self.trail.violation(claim.clause, claim.headline(event), expected, got)
        return SemanticFailure([violation.caused_by(cause) if cause else violation.with_symptom(claim.symptom)])

    def expect_answer(
        self,
        situation: str,
        response: requests.Response,
        claim: Claim,
        *,
        what: str = "the revocation",
        then: str = "",
    ) -> None:
        """The contract's answer for ``situation`` (status, body, error code), or a failure.

        The engine's violations of that answer are judged here: a failure is this property's
        failure (under its clause, with the request sequence); a warning is recorded as one.
        The headline says what came back (``what`` answered this status, and why that is not
        the answer), plus ``then``: what the probe said, where the property asked already.
        """
        __tracebackhide__ = True
        violations = engine.answer(self.contract, situation, view_of(response))
        failures = [violation for violation in violations if violation.level == FAILURE]
        if failures:
            first = failures[0]
            expected = f"the contract's {situation!r} answer: [{first.clause}] {first.expected}"
            event = answer_event(self.contract, situation, response.status_code, first, what, then)
            raise self.fail(claim, event, expected, first.actual, cause=first)
        self._settle(violations)

    def _settle(self, violations: list[Violation]) -> None:
        __tracebackhide__ = True
        sequence, commands = self.trail.rendered()
        settle([violation.with_sequence(sequence, commands) for violation in violations])

    def expect_dead(self, token: TokenRef, claim: Claim, after: str, answer: Callable[[], bool] | None = None) -> None:
        """The probe calls ``token`` inactive, at once or within the propagation grace.

        RFC 7009 section 2.1: "In practice, there could be a propagation delay, for example, in
        which some servers know about the invalidation while others do not." Against a target
        driven by commands the probe is asked again after ``PROPAGATION_WAITS``; the embedded
        servers have one store and get no grace.
        """
        __tracebackhide__ = True
        if not self.probe(token, answer):
            return
        for wait in () if self.can_pin_values else PROPAGATION_WAITS:
            time.sleep(wait)
            if not self.probe(token):
                return
        raise self.fail(
            claim,
            f"{token.label} still active {after}",
            f"{token.label} inactive {after}",
            f"the probe says {token.label} is active",
        )

    def expect_alive(self, token: TokenRef, claim: Claim, after: str, answer: Callable[[], bool] | None = None) -> None:
        __tracebackhide__ = True
        if not self.probe(token, answer):
            raise self.fail(
                claim,
                f"{token.label} inactive {after}",
                f"{token.label} still active {after}",
                f"the probe says {token.label} is inactive",
            )

    def expect_all_dead(self, tokens: list[TokenRef], claim: Claim, after: str) -> None:
        """``expect_dead`` for each token in order, their first probes sent side by side."""
        __tracebackhide__ = True
        for token, answer in zip(tokens, self.probes_ahead(tokens), strict=True):
            self.expect_dead(token, claim, after, answer)

    def expect_all_alive(self, tokens: list[TokenRef], claim: Claim, after: str) -> None:
        """``expect_alive`` for each token in order, their probes sent side by side."""
        __tracebackhide__ = True
        for token, answer in zip(tokens, self.probes_ahead(tokens), strict=True):
            self.expect_alive(token, claim, after, answer)

    def _check_no_echo(self, response: requests.Response, token: TokenRef, token_in_query: bool) -> None:
        __tracebackhide__ = True
        view = view_of(response)
        values = engine.sent_secrets(self.contract, view)
        # A token in the query string is not in the body ``sent_secrets`` inspects.
        if token_in_query:
            values += [form for form in secret_forms(token.value) if len(form) >= engine.MIN_ECHO_LENGTH]
        found = engine.credential_echo(self.contract, view, values)
        if found:
            event = f"the answer to a request about {token.label} repeats a secret"
            raise self.fail(ECHO, event, "no secret or token in any response", found[0].actual, cause=found[0])

    # -- preconditions -------------------------------------------------------------------------

    def smoke_check(self) -> None:
        """Mint one grant and probe it: every token of a fresh grant must probe active."""
        self.begin_example()
        try:
            with setup_errors_surface():
                grant = self.mint()
                if not grant.tokens:
                    raise TokenSupplyError("the token supply issued a grant without any token")
                self.issued_kinds = tuple(kind for kind in self.contract.tokens.types if kind in grant.tokens)
                for token in grant.tokens.values():
                    if not self.probe(token):
                        raise TokenSupplyError(
                            f"the probe calls the {token.kind} of a grant minted a moment ago inactive; "
                            "check --probe-command (exit 0 = active, 1 = inactive)"
                        )
        finally:
            self.flush_secrets()

    def require_revocation_works(self, kind: str) -> None:
        """Skip as blocked unless the plainest documented revocation of a ``kind`` kills it.

        Checked once per session and token type; property 1 is where a failure here belongs.
        """
        with self._baseline_lock:  # shared by the forks: one baseline per token type
            if kind not in self._baseline:
                self.begin_example()
                with self._registering_on_error(), setup_errors_surface():
                    grant = self.mint()
                    token = self.token(grant, kind)
                    self.revoke(token, documented_variant(self.contract, kind), action="baseline: revoke")
                    self._baseline[kind] = not self.probe(token)
        if not self._baseline[kind]:
            raise NotApplicable(
                f"blocked: the documented revocation of a {kind} leaves it active, so this property "
                "cannot be judged; test_revoked_token_is_dead reports that failure",
                BLOCKED,
            )

    # -- running properties --------------------------------------------------------------------

    def hypothesis_settings(self, **overrides: Any) -> settings:
        """Modest, database-free settings; no shrinking when every step runs a user command.

        Never the ``explain`` phase: it traces every line the failing example runs, and here
        that includes an HTTP client and, in another thread, the reference server.
        """
        phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
        if self.can_pin_values:
            phases.append(Phase.shrink)
        options: dict[str, Any] = {
            "max_examples": self.max_examples,
            "deadline": None,
            "database": None,
            "phases": phases,
            "report_multiple_bugs": False,
            "print_blob": False,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        }
        options.update(overrides)
        return settings(**options)

    def check(self, strategy: st.SearchStrategy[Any], body: Callable[[SemanticRun, Any], None]) -> None:
        """Run ``body`` on plans drawn from ``strategy``, each plan a fresh example."""

        @self.hypothesis_settings()
        @given(plan=strategy)
        def semantic_property(plan: Any) -> None:
            self.begin_example()
            body(self, plan)

        self._outcome(semantic_property)

    def check_machine(self, factory: Callable[[], RuleBasedStateMachine], steps: int) -> None:
        """Run a state machine built by ``factory``: each run a fresh example of ``steps`` steps."""
        machine_settings = self.hypothesis_settings(
            max_examples=max(1, self.max_examples // 2), stateful_step_count=steps
        )
        # run_state_machine_as_test calls its first argument; any zero-argument factory will do.
        # Hypothesis digests that factory's source (``function_digest``): a lambda's would be
        # parsed in the thread the property runs in, a ``partial`` has none to parse.
        machine = cast(type[RuleBasedStateMachine], factory)
        self._outcome(partial(run_state_machine_as_test, machine, settings=machine_settings))

    def explicit(self, body: Callable[[SemanticRun, Any], None], plan: Any) -> None:
        """Run ``body`` on one fixed plan (an explicit-examples twin)."""

        def once() -> None:
            self.begin_example()
            body(self, plan)

        self._outcome(once)

    def _outcome(self, test: Callable[[], None]) -> None:
        __tracebackhide__ = True
        try:
            with self._registering_on_error(), setup_errors_surface():
                test()
        except ShouldNotMet as miss:
            settle([miss.violation])

    @contextmanager
    def _registering_on_error(self) -> Iterator[None]:
        """Register pending secrets before any failure, skip or error reaches pytest's reports."""
        try:
            yield
        except BaseException:
            self.flush_secrets()
            raise


def flush_secrets(runs: Iterable[SemanticRun]) -> None:
    """Register the runs' pending token values, one ``add`` per redactor."""
    batches: dict[int, tuple[Redactor, list[str]]] = {}
    for run in _with_forks(runs):
        if run._unregistered:
            batches.setdefault(id(run.redactor), (run.redactor, []))[1].extend(run._unregistered)
            run._unregistered = []
    for redactor, values in batches.values():
        redactor.add(*values)


def _with_forks(runs: Iterable[SemanticRun]) -> Iterator[SemanticRun]:
    for run in runs:
        yield run
        yield from _with_forks(list(run.forks))


@contextmanager
def _as_aborted() -> Iterator[None]:
    try:
        yield
    except SETUP_ERRORS as error:
        raise Aborted(error) from None


@contextmanager
def setup_errors_surface() -> Iterator[None]:
    """Turn an ``Aborted`` back into the setup error it carries."""
    try:
        yield
    except Aborted as abort:
        raise abort.error from None
