"""The record of one property example: what the suite minted, sent and probed, in order.

Why a recorder: a semantic failure is never one response. "The token is still active" means
nothing without the grant it came from, the request that should have killed it and what the
probe said afterwards (RFC 7009 section 2.1: "The invalidation takes place immediately, and
the token cannot be used again after the revocation"). So every step of an example is
written down as it happens, and a failure prints the whole sequence.

Tokens are named by label (``g1.refresh_token``: the first grant of the example, its refresh
token), never by value. Each step is rendered as the command that does it (``Trail``): the
mint, each revocation, each probe, in order, so the sequence runs as printed, with the minted
tokens in shell variables and the user's secrets as the variables the suite reads them from
(``transport/shell.py``). Steps are rendered only when a failure needs them: most examples
pass, and rendering every request of thousands of examples would cost more than sending it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from revocation_contracts.model.contract import Contract
from revocation_contracts.redact import MASK, Redactor
from revocation_contracts.rules.outcomes import ContractFailure
from revocation_contracts.rules.violation import FAILURE, Violation, view_of
from revocation_contracts.supply.tokens import TokenSupply
from revocation_contracts.transport.client import Credentials, RevocationRequest
from revocation_contracts.transport.shell import References, capture, curl_line, json_field


@dataclass(frozen=True)
class TokenRef:
    """A token the example holds, named by label; its value never appears in any output."""

    label: str
    kind: str  # "access_token", "refresh_token", or "unknown" for a made-up token
    value: str = field(repr=False)
    client_id: str = ""

    def __repr__(self) -> str:
        return f"TokenRef({self.label})"


@dataclass(frozen=True)
class MintedGrant:
    """Tokens issued together to one client (RFC 7009 section 2.1: "the same authorization grant")."""

    label: str
    client_id: str
    tokens: dict[str, TokenRef]

    def get(self, kind: str) -> TokenRef | None:
        return self.tokens.get(kind)

    def __repr__(self) -> str:
        return f"MintedGrant({self.label}: {', '.join(self.tokens)})"


@dataclass(frozen=True)
class Claim:
    """What one property asserts: its number, the clause it enforces and the claim in words.

    A failure is headlined by what happened, then the claim it breaks ("g1.access_token still
    active after a revocation answered 200 (property 1: a revoked token is dead)"). The claim
    alone, read as a headline, states the opposite of what went wrong ("... stays active" on
    a failure whose token did stay active but whose answer was wrong)."""

    number: int
    clause: str
    text: str

    @property
    def title(self) -> str:
        return f"{self.text} (property {self.number})"

    def headline(self, event: str) -> str:
        return f"{event} (property {self.number}: {self.text})"

    @property
    def symptom(self) -> str:
        """The problem a failure of this claim is listed under: the claim, not the event's labels."""
        return f"property {self.number} fails: {self.text}"

    def citing(self, clause: str) -> Claim:
        """The same claim judged under another clause (a contract's own, or a SHOULD's)."""
        return replace(self, clause=clause)


class SemanticFailure(ContractFailure):
    """A property broke: the clause, what was expected, what the probe said, and the sequence."""


class ShouldNotMet(Exception):
    """An unmet SHOULD (RFC 2119): a warning, or a failure under ``--strict-semantics``."""

    def __init__(self, violation: Violation) -> None:
        super().__init__(violation.render())
        self.violation = violation


class Aborted(BaseException):
    """Carries a token-supply or throttling problem out of Hypothesis untouched.

    Hypothesis shrinks every ``Exception`` as a counterexample; a failing ``--probe-command``
    is not one, and retrying it while shrinking would only repeat the failure. A
    ``BaseException`` passes straight through the engine, and the test re-raises the
    original error, which the contract suite reports as a setup error.
    """

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class Trail:
    """The steps of one example, rendered only when a failure needs them.

    Each step is a line of narrative (``mint g1 for rc-client-a``, ``probe g1.access_token ->
    inactive``) and, where the suite can show it, the command that does it (``Step``). A grant's
    tokens become shell variables named after their labels (``$REVOKE_G1_ACCESS_TOKEN``), set by
    the mint step's command from the token endpoint's JSON answer (or the ``--token-command``'s
    output), so the revocations and probes after it run as shown; the user's secrets are the
    variables the suite reads them from (``transport/shell.py``). Narrative and answers are
    masked in full; a command is masked by value only (``Redactor.mask_values``), and the
    failure carries the commands as its reproduction, which report masking keeps as rendered.
    """

    def __init__(
        self, redactor: Redactor, sensitive_headers: frozenset[str] = frozenset(), supply: TokenSupply | None = None
    ) -> None:
        self.redactor = redactor
        self.sensitive_headers = sensitive_headers
        self.supply = supply
        self.steps: list[Callable[[], Step]] = []
        # This example's token values (raw and percent-encoded), masked in everything rendered.
        self.secrets: list[str] = []
        # This example's token values, by the variable its mint step sets.
        self.variables: dict[str, str] = {}

    def clear(self) -> None:
        self.steps = []
        self.secrets = []
        self.variables = {}

    def _references(self) -> References:
        return References(dict(self.redactor.references)).with_values(self.variables)

    def minted(self, grant: MintedGrant, secrets: list[str], client: Credentials | None = None) -> None:
        self.secrets.extend(secrets)
        text = f"mint {grant.label} for {grant.client_id}: {', '.join(grant.tokens) or 'no tokens'}"
        recipe = self.supply.mint_recipe(client) if self.supply is not None and client is not None else None
        if recipe is None:
            self.steps.append(lambda: Step(text))
            return
        variable = f"REVOKE_{grant.label.upper()}"
        names = {token.value: f"{variable}_{token.kind.upper()}" for token in grant.tokens.values()}
        self.variables.update(names)

        def render() -> Step:
            commands = [capture(variable, recipe.line(self._references()))]
            commands += [capture(name, json_field(variable, kind)) for kind, name in _by_kind(grant, names)]
            return Step(text, commands)

        self.steps.append(render)

    def sent(self, description: str, request: RevocationRequest, response: Any) -> None:
        def render() -> Step:
            command = curl_line(request.method, request.full_url, request.headers, request.body, self._references())
            return Step(description, [command], view_of(response).describe())

        self.steps.append(render)

    def probed(self, token: TokenRef, active: bool) -> None:
        text = f"probe {token.label} -> {'active' if active else 'inactive'}"
        recipe = self.supply.probe_recipe(token.value) if self.supply is not None and token.kind != "unknown" else None
        if recipe is None:
            self.steps.append(lambda: Step(text))
            return
        self.steps.append(lambda: Step(text, [recipe.line(self._references())]))

    def note(self, text: str) -> None:
        self.steps.append(lambda: Step(text))

    def rendered(self) -> tuple[str, str]:
        """(the sequence as a failure prints it, its commands one per line), both masked."""
        if not self.steps:
            return "  (no steps)", ""
        lines: list[str] = []
        commands: list[str] = []
        for number, make in enumerate(self.steps, 1):
            step = make()
            lines.append(f"  {number}. {self.mask(step.text)}")
            for command in step.commands:
                shown = self.mask_command(command)
                commands.append(shown)
                lines.append(f"     $ {shown}")
            if step.answer:
                lines.append(f"     -> {self.mask(step.answer)}")
        return "\n".join(lines), "\n".join(commands)

    def render(self) -> str:
        return self.rendered()[0]

    def mask(self, text: str) -> str:
        """``text`` with this example's tokens and every secret the session knows masked."""
        return self.redactor(self.mask_command(text))

    def mask_command(self, text: str) -> str:
        """A command: this example's tokens and every secret value the session knows masked (by
        value only: its secrets are variable references, its other values invented)."""
        for value in sorted(set(self.secrets), key=len, reverse=True):
            text = text.replace(value, MASK)
        return self.redactor.mask_values(text)

    def violation(self, clause: str, title: str, expected: str, got: str) -> Violation:
        """A failure-level ``Violation`` naming the clause, expected versus actual, and this sequence."""
        sequence, commands = self.rendered()
        return Violation(
            clause,
            FAILURE,
            self.mask(title),
            self.mask(expected),
            self.mask(got),
            reproduce=commands,
            sequence=sequence,
        )


@dataclass(frozen=True)
class Step:
    """One step as printed: what it did, the commands that do it, and the answer it got."""

    text: str
    commands: list[str] = field(default_factory=list)
    answer: str = ""


def _by_kind(grant: MintedGrant, names: dict[str, str]) -> list[tuple[str, str]]:
    return [(kind, names[token.value]) for kind, token in grant.tokens.items()]


# How a headline names a situation's answer where the situation's name would not say it.
ANSWER_WORDS = {
    "foreign-token": "neither the contract's unknown-token answer nor a documented refusal",
}


def answer_event(contract: Contract, situation: str, status: int, first: Violation, what: str, then: str) -> str:
    """What an answer that breaks the contract's ``situation`` answer was, in one line: its status
    when no status of that answer was due, else the engine's finding (a wrong body or code)."""
    due = contract.answer(situation)
    if status in due.statuses:
        event = f"{what} answered {status}: {first.title[:1].lower()}{first.title[1:]}"
    else:
        answer = ANSWER_WORDS.get(situation, f"not the contract's {situation!r} answer")
        event = f"{what} answered {status}, {answer} ({due.describe()})"
    return f"{event}; {then}" if then else event
