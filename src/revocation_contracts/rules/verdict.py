"""Judge one answer against what the contract says the situation deserves.

Why one function for every explicit test: a contract answer has several parts (status,
error body format, error code, Basic challenge, no echoed credentials) and every situation
needs all of them checked the same way, with one failure message format: the clause, what
was expected, what came back, and a curl command that reproduces it with secrets masked.
The same rules run inside schemathesis as the checks in ``checks.py``; both call the pure
functions there, so the two layers cannot drift apart.
"""

from __future__ import annotations

import requests

from revocation_contracts.model.contract import Contract
from revocation_contracts.reporting.redact import Redactor
from revocation_contracts.rules.checks import (
    challenge_violation,
    echoed,
    error_body_required,
    error_body_violation,
    parse_json,
    sent_secrets,
    success_body_violation,
)
from revocation_contracts.transport.curl import curl_for_response
from revocation_contracts.transport.session import raise_if_throttled

BODY_PREVIEW = 300


class ContractFailure(AssertionError):
    """An explicit test's verdict: the clause broken, expected versus actual, and a repro."""


def describe_response(response: requests.Response, redactor: Redactor | None = None) -> str:
    body = response.content[:BODY_PREVIEW].decode("utf-8", "replace")
    media_type = response.headers.get("Content-Type", "no content type")
    text = (
        f"{response.status_code} ({media_type}) {body!r}"
        if body
        else f"{response.status_code} ({media_type}), empty body"
    )
    return redactor(text) if redactor else text


def fail(
    clause: str,
    situation: str,
    expected: str,
    response: requests.Response,
    redactor: Redactor | None,
    sensitive: frozenset[str] = frozenset(),
    detail: str | None = None,
) -> None:
    got = detail or describe_response(response, redactor)
    message = (
        f"[{clause}] {situation}: expected {expected}\n"
        f"got: {got}\n"
        f"reproduce: {curl_for_response(response, redactor, sensitive)}"
    )
    raise ContractFailure(message)


def check_answer(
    contract: Contract,
    situation: str,
    response: requests.Response,
    redactor: Redactor | None = None,
    sensitive: frozenset[str] = frozenset(),
) -> None:
    """Raise ContractFailure unless ``response`` is the contract's answer for ``situation``."""
    __tracebackhide__ = True
    raise_if_throttled(response)
    answer = contract.answer(situation)
    status = response.status_code
    if status not in answer.statuses:
        fail(answer.clause, situation, f"status {answer.describe()}", response, redactor, sensitive)
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    body = parse_json(response.content)
    if 200 <= status < 300:
        violation = success_body_violation({answer.body}, response.content, media_type)
        if violation is not None:
            fail(answer.clause, situation, violation[0], response, redactor, sensitive)
    elif error_body_required(contract, status):
        problem = error_body_violation(contract, status, media_type, body)
        if problem is not None:
            fail(problem[0], situation, problem[1], response, redactor, sensitive, detail=problem[2])
        wrong_code = isinstance(body, dict) and body.get("error") != answer.error
        if answer.error and contract.error_format == "oauth" and wrong_code:
            fail(answer.clause, situation, f"error {answer.error!r}", response, redactor, sensitive)
    if status == 401 and answer.www_authenticate:
        problem_text = challenge_violation(response.headers.get("WWW-Authenticate"))
        if problem_text is not None:
            fail(
                answer.clause,
                situation,
                "a WWW-Authenticate header for the Basic scheme",
                response,
                redactor,
                sensitive,
                detail=f"{status} with {problem_text}",
            )
    check_no_echo(contract, response, redactor, sensitive)


def check_no_echo(
    contract: Contract, response: requests.Response, redactor: Redactor | None, sensitive: frozenset[str]
) -> None:
    """CONTRACTS.md: no response body or header contains the client secret or the token sent."""
    __tracebackhide__ = True
    request = response.request
    sent = sent_secrets(contract, request.headers, request.body)
    leaked = echoed(sent, response.content, {name: [value] for name, value in response.headers.items()})
    if leaked:
        fail(
            "CONTRACTS.md credentials never echo",
            "any request",
            "no secret or token in the response",
            response,
            redactor,
            sensitive,
            detail=leaked,
        )
