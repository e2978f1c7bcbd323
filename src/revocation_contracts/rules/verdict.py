"""The explicit-test adapter: judge one answer with the engine and settle the verdict.

Why one function for every explicit test: a contract answer has several parts (status,
error body format, error code, Basic challenge, no echoed credentials) and every situation
needs all of them checked the same way. ``engine.answer`` finds the violations, and
``openapi_responses`` adds what the OpenAPI document says of the answer (openapi-core);
``outcomes.settle`` raises the failures and records the warnings. Every violation carries
the curl command that reproduces the request, the user's secrets as variable references
(``curl.reproduction``).
"""

from __future__ import annotations

import requests

from revocation_contracts.model.contract import Contract
from revocation_contracts.redact import Redactor
from revocation_contracts.rules import engine
from revocation_contracts.rules.openapi_responses import document_violations
from revocation_contracts.rules.outcomes import ContractFailure, settle
from revocation_contracts.rules.violation import FAILURE, Violation, view_of
from revocation_contracts.transport.curl import reproduction
from revocation_contracts.transport.session import raise_if_throttled
from revocation_contracts.transport.shell import References

# Commands that set the variables a reproduction uses, and those variables by value.
Prelude = tuple[list[str], References]

__all__ = ["ContractFailure", "check_answer", "judge", "located", "settle_response"]


def located(
    violations: list[Violation],
    response: requests.Response,
    redactor: Redactor | None,
    sensitive: frozenset[str] = frozenset(),
    before: Prelude | None = None,
) -> list[Violation]:
    """The violations with the runnable curl line of the request behind ``response``; ``before``:
    the steps that set the variables it uses (a minted token's mint step, ``Target.mint_prelude``)."""
    if not violations:
        return []
    steps, references = before if before is not None else ([], None)
    request = response.request
    method, url = str(request.method), str(request.url)
    command = reproduction(method, url, dict(request.headers), request.body, redactor, references)
    if steps:
        command = "\n".join([*(redactor.mask_values(step) if redactor else step for step in steps), command])
    return [violation.redacted(redactor or _unchanged, command) for violation in violations]


def _unchanged(text: str) -> str:
    return text


def judge(contract: Contract, situation: str, response: requests.Response) -> list[Violation]:
    """The violations of the contract's answer to ``situation`` (no reproduction yet)."""
    raise_if_throttled(response)
    view = view_of(response)
    violations = engine.answer(contract, situation, view)
    if situation == "unsupported-media-type" and 400 <= view.status < 500:
        # PIN-media-type: the body of a refusal of an undocumented media type is not judged
        # (frameworks refuse it before the OAuth layer), by the document neither.
        return violations
    if not any(violation.level == FAILURE for violation in violations):
        # One root cause, one failure: the document is consulted when the x-revocation rules,
        # which name the more specific clause, found nothing to fail (openapi_responses.py).
        violations += document_violations(contract, response, view)
    return violations


def settle_response(
    violations: list[Violation],
    response: requests.Response,
    redactor: Redactor | None = None,
    sensitive: frozenset[str] = frozenset(),
    before: Prelude | None = None,
) -> None:
    __tracebackhide__ = True
    settle(located(violations, response, redactor, sensitive, before))


def check_answer(
    contract: Contract,
    situation: str,
    response: requests.Response,
    redactor: Redactor | None = None,
    sensitive: frozenset[str] = frozenset(),
    before: Prelude | None = None,
) -> None:
    """Fail (``ContractFailure``) unless ``response`` is the contract's answer for ``situation``;
    warnings are recorded for the running test."""
    __tracebackhide__ = True
    settle_response(judge(contract, situation, response), response, redactor, sensitive, before)
