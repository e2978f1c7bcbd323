"""Schemathesis, configured from the contract: which checks run, with which expectations.

Why configuration instead of forks of the built-in checks: schemathesis' checks take their
expected statuses from config, and the contract knows them (a Voucherify unknown token is a
404, a Mollie missing hint may be a 422). So the built-ins run unchanged, fed by
``x-revocation``, beside the OAuth checks in ``checks.py``.

Two built-ins are replaced where the contract allows what they forbid, each by an explicit
test in ``tests/contract/test_protocol.py``:

- ``unsupported_method`` demands exactly 405 with an ``Allow`` header; RFC 7009 servers may
  answer 400 (CONTRACTS.md, as oauthlib does), and no contract requires ``Allow``.
- ``ignored_auth`` demands 401/403 for a request without credentials; RFC 6749 section 5.2
  allows 400 ``invalid_client`` when the credentials came in the body. It stays on where the
  contract's bad-client answer is 401/403 only.

Credentials are never generated (``with-security-parameters: false``): the suite injects the
configured client's, the way the contract sends them, so positive examples reach the
revocation logic instead of bouncing off client authentication.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case
from schemathesis.errors import FailureGroup

from revocation_contracts.compat import Failure, failure_report_title, format_failures
from revocation_contracts.model.contract import ASSERTION_FIELDS, Contract
from revocation_contracts.model.pointer import resolve_schema
from revocation_contracts.rules import checks as oauth_checks
from revocation_contracts.rules import engine
from revocation_contracts.target import Target
from revocation_contracts.transport.client import credential_headers
from revocation_contracts.transport.session import raise_if_throttled

BUILT_IN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "ignored_auth",
)


def enabled_builtins(contract: Contract) -> tuple[str, ...]:
    """The built-in checks that fit this contract (see the module docstring for the two exceptions)."""
    names = [name for name in BUILT_IN_CHECKS if name != "unsupported_method"]
    auth_statuses = contract.answer("bad-client").statuses if contract.has_answer("bad-client") else frozenset()
    if not auth_statuses or not auth_statuses <= {401, 403}:
        names.remove("ignored_auth")
    return tuple(names)


def _statuses(values: frozenset[int] | set[int]) -> list[str]:
    return [str(value) for value in sorted(values)]


def build_config(contract: Contract, max_examples: int, seed: int | None) -> schemathesis.Config:
    """Schemathesis configuration derived from the contract's promises."""
    success = contract.success_statuses
    refusals = set().union(
        *(contract.answer(name).statuses for name in ("missing-token", "unsupported-media-type")),
        *(contract.answer(name).statuses for name in ("unsupported-hint", "bad-client") if contract.has_answer(name)),
    )
    # A well-formed request with a random token is an unknown token, answered as success
    # (or Voucherify's 404); with our injected credentials it is never refused for auth.
    positive = success | contract.answer("unknown-token").statuses
    if hint_is_free_text(contract) and contract.hint and contract.hint.unknown_value != "ignore":
        # RFC 7009 2.2.1: a schema-valid but unknown hint may be rejected with unsupported_token_type.
        positive |= contract.answer("unsupported-hint").statuses
    # An invalid request can also be read as naming an unknown token where that answer is a 4xx
    # (Voucherify's 404 for an empty access_token): a refusal either way.
    refusals |= {status for status in contract.answer("unknown-token").statuses if 400 <= status < 500}
    enabled = set(enabled_builtins(contract))
    data: dict[str, Any] = {
        "generation": {
            "mode": "all",
            "max-examples": max_examples,
            "with-security-parameters": False,
            "database": "none",
        },
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            **{name: {"enabled": name in enabled} for name in BUILT_IN_CHECKS},
            "positive_data_acceptance": {"enabled": True, "expected-statuses": _statuses(positive)},
            "negative_data_rejection": {"enabled": True, "expected-statuses": _statuses(refusals)},
            "missing_required_header": {"enabled": True, "expected-statuses": _statuses(refusals)},
        },
    }
    if seed is not None:
        data["seed"] = seed
    return schemathesis.Config.from_dict(data)


def hint_is_free_text(contract: Contract) -> bool:
    """Whether the document lets a schema-valid request carry any hint string (no enum)."""
    if contract.hint is None:
        return False
    operation = contract.document["paths"][contract.path][contract.method.lower()]
    for media in operation.get("requestBody", {}).get("content", {}).values():
        schema = resolve_schema(contract.document, media.get("schema", {}))
        hint_schema = resolve_schema(contract.document, schema.get("properties", {}).get(contract.hint.field, {}))
        if "enum" not in hint_schema:
            return True
    return False


def load_schema(contract: Contract, max_examples: int, seed: int | None, client_id: str | None = None) -> Any:
    """The contract's document as a schemathesis schema with contract-derived configuration.

    Schemathesis sees the concrete operation (``Contract.concrete``): path parameters hold the
    contract's values, never generated ones, and the vendor's other operations on the path
    are left out.
    """
    config = build_config(contract, max_examples, seed)
    return schemathesis.openapi.from_dict(contract.concrete(client_id).document, config=config)


EMPTY_TOKEN_STAND_IN = "rc-unknown-token-for-empty"
# The name under which ``run_case`` hands the target to the ``before_call`` hook below.
TARGET_KWARG = "_revocation_contracts_target"


@schemathesis.hook("before_call")
def inject_body_credentials(context: Any, case: Case[Any], kwargs: dict[str, Any]) -> None:
    """Put the suite's credentials into body-authenticated requests (Polar, Auth0).

    It runs as a ``before_call`` hook because schemathesis re-validates a case's
    positive/negative metadata only after edits made there: a negative example whose only
    fault was a generated ``client_secret`` becomes positive once the real one replaces it,
    and its checks must know. It acts only on calls made by ``run_case`` (which passes the
    target under ``TARGET_KWARG``), so other schemathesis tests in the process are untouched.
    """
    target = kwargs.pop(TARGET_KWARG, None)
    if target is None or not isinstance(case.body, dict):
        return
    contract = target.contract
    if contract.empty_token == "either" and case.body.get(contract.token_field) == "":
        # Where the contract lets an empty token read as missing or as unknown, no generated
        # verdict on it is sound; test_protocol.py::test_empty_token judges it explicitly.
        case.body[contract.token_field] = EMPTY_TOKEN_STAND_IN
    auth = contract.client_auth
    for name in ASSERTION_FIELDS:
        # Signed client assertions (RFC 7523) are documented but never sent: a generated one is noise.
        case.body.pop(name, None)
    if auth.default_method.endswith("-body"):
        case.body[auth.id_field] = target.credentials.client_id
        case.body[auth.secret_field] = target.credentials.client_secret
    elif auth.in_body:
        # RFC 6749 2.3.1: a client MUST NOT use more than one authentication method per request,
        # so generated body credentials go when the suite authenticates in a header.
        case.body.pop(auth.id_field, None)
        case.body.pop(auth.secret_field, None)


def run_case(case: Case[Any], target: Target) -> None:
    """Send one generated case with the suite's credentials and validate the answer."""
    contract = target.contract
    headers = credential_headers(contract, contract.client_auth.default_method, target.credentials)
    kwargs: dict[str, Any] = {"headers": headers} if headers else {}
    call_kwargs: dict[str, Any] = {
        "base_url": target.base_url,
        "session": target.session,
        "timeout": target.timeout,
        TARGET_KWARG: target,
        **kwargs,
    }
    response = case.call(**call_kwargs)
    raise_if_throttled(response)
    try:
        case.validate_response(
            response,
            additional_checks=list(oauth_checks.OAUTH_CHECKS),
            headers=kwargs.get("headers"),
            transport_kwargs={"base_url": target.base_url, "session": target.session, **kwargs},
        )
    except FailureGroup as group:
        kept = one_cause(contract, response, list(group.exceptions))
        if len(kept) == len(group.exceptions):
            raise
        if kept:
            # Rendered the way schemathesis renders its own group: the failures, then the curl line.
            curl = case.as_curl_command(headers=dict(response.request.headers), base_url=target.base_url)
            text = format_failures(
                case_id=None, response=response, failures=kept, curl=curl, config=case.operation.schema.config.output
            )
            raise FailureGroup(kept, f"{failure_report_title(kept)}\n{text}\n\n") from None


def one_cause(contract: Contract, response: Any, failures: list[Failure]) -> list[Failure]:
    """One root cause, one failure: the failures worth reporting for one response.

    When one of our checks fired, it names the most specific clause, and schemathesis'
    built-ins that fired on the same response (a wrong status for an error code is also an
    undocumented status, or accepted negative data) say the same thing less precisely: they
    are dropped. A request that carried an empty parameter may be answered as if it were
    omitted or refused with the contract's 400 (RFC 6749 3.2, CONTRACTS.md "Empty
    parameters"); the built-ins' positive/negative verdicts on such a request are dropped
    when the answer is one of those two, our checks still judge its body.
    """
    ours = [failure for failure in failures if isinstance(failure, oauth_checks.ContractViolation)]
    if ours:
        return list(ours)
    status = getattr(response, "status_code", 0)
    if has_empty_parameter(contract, getattr(response.request, "body", None)) and (
        status in contract.success_statuses | contract.answer("unknown-token").statuses or status == 400
    ):
        return [failure for failure in failures if type(failure).__name__ not in EMPTY_PARAMETER_DOUBTS]
    return failures


# Built-in failures that only say "this should have been accepted/refused".
EMPTY_PARAMETER_DOUBTS = ("AcceptedNegativeData", "RejectedPositiveData")


def has_empty_parameter(contract: Contract, body: Any) -> bool:
    """Whether a request body sent a documented parameter with an empty value."""
    fields = engine.body_fields(body)
    names = [contract.token_field] + ([contract.hint.field] if contract.hint else [])
    return any(fields.get(name) == "" for name in names)
