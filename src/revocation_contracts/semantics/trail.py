"""The record of one property example: what the suite minted, sent and probed, in order.

Why a recorder: a semantic failure is never one response. "The token is still active" means
nothing without the grant it came from, the request that should have killed it and what the
probe said afterwards (RFC 7009 section 2.1: "The invalidation takes place immediately, and
the token cannot be used again after the revocation"). So every step of an example is
written down as it happens, and a failure prints the whole sequence.

Tokens are named by label (``g1.refresh_token``: the first grant of the example, its refresh
token), never by value. Each request is rendered as a curl command through ``curl.py``, which
masks credential headers and token fields by name; a token sent in a query string is masked
here, because a percent-encoded value would slip past the value-based ``Redactor``. Steps are
rendered only when a failure needs them: most examples pass, and rendering every request of
thousands of examples would cost more than sending it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from revocation_contracts.model.contract import Contract
from revocation_contracts.redact import MASK, SENSITIVE_FIELDS, Redactor
from revocation_contracts.rules.outcomes import ContractFailure
from revocation_contracts.rules.violation import FAILURE, Violation, view_of
from revocation_contracts.transport.client import RevocationRequest
from revocation_contracts.transport.curl import as_curl


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
    """The steps of one example, rendered (every secret masked) only when a failure needs them."""

    def __init__(self, redactor: Redactor, sensitive_headers: frozenset[str] = frozenset()) -> None:
        self.redactor = redactor
        self.sensitive_headers = sensitive_headers
        self.steps: list[Callable[[], str]] = []
        # This example's token values (raw and percent-encoded), masked in everything rendered.
        self.secrets: list[str] = []

    def clear(self) -> None:
        self.steps = []
        self.secrets = []

    def minted(self, grant: MintedGrant, secrets: list[str]) -> None:
        self.secrets.extend(secrets)
        text = f"mint {grant.label} for {grant.client_id}: {', '.join(grant.tokens) or 'no tokens'}"
        self.steps.append(lambda: text)

    def sent(self, description: str, request: RevocationRequest, response: Any) -> None:
        def render() -> str:
            url = _masked_url(request)
            curl = as_curl(request.method, url, request.headers, request.body, None, self.sensitive_headers)
            return f"{description}\n     $ {curl}\n     -> {view_of(response).describe()}"

        self.steps.append(render)

    def probed(self, token: TokenRef, active: bool) -> None:
        text = f"probe {token.label} -> {'active' if active else 'inactive'}"
        self.steps.append(lambda: text)

    def note(self, text: str) -> None:
        self.steps.append(lambda: text)

    def render(self) -> str:
        if not self.steps:
            return "  (no steps)"
        return "\n".join(f"  {number}. {step()}" for number, step in enumerate(self.steps, 1))

    def mask(self, text: str) -> str:
        """``text`` with this example's tokens and every secret the session knows masked."""
        for value in sorted(set(self.secrets), key=len, reverse=True):
            text = text.replace(value, MASK)
        return self.redactor(text)

    def violation(self, clause: str, title: str, expected: str, got: str) -> Violation:
        """A failure-level ``Violation`` naming the clause, expected versus actual, and this sequence."""
        return Violation(
            clause, FAILURE, self.mask(title), self.mask(expected), self.mask(got), sequence=self.mask(self.render())
        )

    def failure(self, clause: str, title: str, expected: str, got: str) -> SemanticFailure:
        """A ``SemanticFailure`` carrying ``violation(...)``."""
        return SemanticFailure([self.violation(clause, title, expected, got)])


def _masked_url(request: RevocationRequest) -> str:
    if not request.query:
        return request.url
    shown = {name: (MASK if name.lower() in SENSITIVE_FIELDS else value) for name, value in request.query.items()}
    return f"{request.url}?{urlencode(shown, safe='[]')}"


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
