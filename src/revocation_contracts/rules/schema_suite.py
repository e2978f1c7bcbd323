"""Schemathesis, configured from the contract: which checks run, with which expectations.

Why configuration instead of forks of the built-in checks: schemathesis' checks take their
expected statuses from config, and the contract knows them (a Voucherify unknown token is a
404, a Mollie missing hint may be a 422). So the built-ins run unchanged, fed by
``x-revocation``, beside the OAuth checks in ``checks.py``.

Two built-ins are replaced where the contract allows what they forbid, each by an explicit
test in ``tests/contract/test_protocol.py``:

- ``unsupported_method`` demands exactly 405 with an ``Allow`` header; RFC 7009 servers may
  answer 400 (docs/contracts.md, as oauthlib does), and no contract requires ``Allow``.
- ``ignored_auth`` demands 401/403 for a request without credentials; RFC 6749 section 5.2
  allows 400 ``invalid_client`` when the credentials came in the body. It stays on where the
  contract's bad-client answer is 401/403 only.

Credentials are never generated (``with-security-parameters: false``): the suite injects the
configured client's, the way the contract sends them, so positive examples reach the
revocation logic instead of bouncing off client authentication.

The schema test itself (``schema_run.run_schema_test``, which sends the cases to a target)
is the suite's own pytest test, one per API operation. This module holds its pure part: each
generated case is judged once (``one_verdict``): one rule, one verdict. A case that is the
situation of an explicit test (``situation_of``: an undocumented media type, a missing or empty
token, an empty hint, an empty body) is judged by the engine's function for that situation,
as that test is; schemathesis' "should have been refused / accepted" verdicts on it are
dropped. Failures and warnings are the engine's typed ``Violation``s.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from revocation_contracts import compat
from revocation_contracts.model.contract import Contract
from revocation_contracts.model.pointer import resolve_schema
from revocation_contracts.rules import checks as oauth_checks
from revocation_contracts.rules import engine
from revocation_contracts.rules.violation import FAILURE, ResponseView, Violation

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


# -- the schema test: one operation, every phase, one verdict per generated case -----------------

UNDOCUMENTED_MEDIA_TYPE = "unsupported-media-type"
MISSING_TOKEN = "missing-token"
EMPTY_TOKEN = "empty-token"
EMPTY_HINT = "empty-hint"
EMPTY_BODY = "empty-body"
ECHO_CLAUSE = "PIN-no-echo"
_ABSENT = object()


def operation_id(contract: Contract) -> str:
    """``POST:/v1/oauth2/revoke``: the operation's part of the schema test's id.

    Method, a colon, the documented path (its ``{template}`` left as the document writes it,
    so the id is the same whatever ``--path-param`` or ``--client-id`` fill in); a space, which
    would split the id in a CI log, a shell or ``--deselect``, becomes ``%20``.
    """
    return f"{contract.method.upper()}:{contract.path.replace(' ', '%20')}"


def one_verdict(contract: Contract, view: ResponseView, situation: str | None, failures: list[Any]) -> list[Violation]:
    """One rule, one verdict; one root cause, one failure.

    Where the case is a situation an explicit test judges (``situation_of``), the engine's
    rule for it decides whether the answer accepts or refuses it, as it does for the explicit
    test; schemathesis' own "should have been refused / accepted" verdicts on the case are
    dropped. When one of our rules or checks fails, it names the most specific clause, and
    schemathesis' built-ins that fired on the same response (an undocumented status, a body
    outside the schema) say the same thing less precisely: they are dropped.
    """
    ours = [failure.violation for failure in failures if isinstance(failure, oauth_checks.ContractViolation)]
    builtins = [failure for failure in failures if not isinstance(failure, oauth_checks.ContractViolation)]
    if situation is not None:
        # The situation's rule judges the whole answer (status, body, challenge), as for the
        # explicit test; only the echo stays our check's, which rules out a generated token
        # that the server says anyway (``checks.token_echo_confirmed``). An empty body's rule
        # judges the status only, so our checks still judge the refusal's error body.
        judged = {found.clause for found in ours}
        if situation != EMPTY_BODY:
            ours = [found for found in ours if found.clause == ECHO_CLAUSE]
        ours += [
            found
            for found in situation_violations(contract, situation, view)
            if found.clause != ECHO_CLAUSE and not (situation == EMPTY_BODY and found.clause in judged)
        ]
        builtins = [failure for failure in builtins if not compat.is_acceptance_verdict(failure)]
    if any(violation.level == FAILURE for violation in ours):
        return ours
    found = [builtin_violation(failure) for failure in builtins]
    crash = next(
        (violation for violation, failure in zip(found, builtins, strict=True) if compat.is_server_error(failure)), None
    )
    if crash is not None:
        # The same 5xx is also "an undocumented status" and "a negative case accepted": every
        # verdict stays, listed under the server error's problem (reporting/problems.py).
        found = [violation if violation is crash else violation.caused_by(crash) for violation in found]
    return ours + found


def builtin_violation(failure: Any) -> Violation:
    """A schemathesis built-in check's failure as a violation: a 5xx breaks RFC 6749 5.2, the
    rest the OpenAPI document."""
    clause = "RFC6749-5.2" if compat.is_server_error(failure) else "DOC-openapi"
    return Violation(
        clause, FAILURE, str(failure.title), "a response the OpenAPI document allows", str(failure.message).strip()
    )


def situation_of(contract: Contract, view: ResponseView) -> str | None:
    """The situation of an explicit test a generated request is an instance of, or None.

    Only requests in the documented method (the coverage phase also sends others, which the
    usual checks judge); then:

    - no body at all: ``empty-body`` (``test_malformed_body_is_a_4xx[empty]``);
    - a body in a media type the contract does not list: ``unsupported-media-type``;
    - a documented body whose only fault is the token (absent, or empty) or an empty hint:
      ``missing-token``, ``empty-token``, ``empty-hint``. Any other fault (a hint outside the
      enum, a missing required hint, a token that is not a string) leaves it to the usual checks,
      so a case is never judged by a rule that is not the one its answer is about.
    """
    request = view.request
    media_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    if request.method.upper() != contract.method.upper():
        return None
    if not request.body:
        return EMPTY_BODY
    if not media_type:
        return None
    if media_type not in {documented.lower() for documented in contract.media_types}:
        return UNDOCUMENTED_MEDIA_TYPE
    fields = engine.body_fields(request.body)
    if not fields:
        return None
    token = fields.get(contract.token_field, _ABSENT)
    hint = fields.get(contract.hint.field, _ABSENT) if contract.hint else _ABSENT
    if isinstance(token, str) and token and hint == "":
        return EMPTY_HINT
    if not _hint_is_valid(contract, hint, accepted=view.status < 400):
        return None
    if token is _ABSENT:
        return MISSING_TOKEN
    if token == "":
        return EMPTY_TOKEN
    return None


def _hint_is_valid(contract: Contract, hint: Any, accepted: bool) -> bool:
    """An absent (not required) hint, a documented one, or, in a request the server accepted,
    an empty one (read as omitted, RFC 6749 section 3.2: a missing token is then what the
    server accepted). A refused request with an empty hint has two faults, and which one the
    server refused is its choice: the usual checks judge it."""
    rule = contract.hint
    if rule is None or hint is _ABSENT or (hint == "" and accepted):
        return rule is None or not rule.required
    if not isinstance(hint, str) or not hint:
        return False
    return hint in rule.values or hint_is_free_text(contract)


def situation_violations(contract: Contract, situation: str, view: ResponseView) -> list[Violation]:
    """The engine's verdict on a situation, as the explicit test of that situation reaches it
    (``tests/contract/test_protocol.py``): the same rule, hence the same verdict.

    - ``unsupported-media-type`` and ``missing-token``: ``engine.answer`` for that situation;
    - ``empty-body``: ``engine.refusal`` (a 4xx, or the contract's success; never a 5xx);
    - ``empty-token``: the contract's reading of an empty token (``empty-token``: unknown,
      missing, or either), the first reading whose status fits;
    - ``empty-hint``: read as omitted (the unknown-token answer) or refused
      (``engine.empty_parameter_refusal``), RFC 6749 section 3.2.
    """
    if situation in (UNDOCUMENTED_MEDIA_TYPE, MISSING_TOKEN):
        return engine.answer(contract, situation, view)
    if situation == EMPTY_BODY:
        return engine.refusal(contract, view, "an empty body")
    if situation == EMPTY_HINT:
        if view.status in contract.answer("unknown-token").statuses:
            return engine.answer(contract, "unknown-token", view)
        return engine.empty_parameter_refusal(contract, view)
    readings = {"unknown": ["unknown-token"], "missing": [MISSING_TOKEN]}.get(
        contract.empty_token, ["unknown-token", MISSING_TOKEN]
    )
    fitting = [name for name in readings if view.status in contract.answer(name).statuses] or readings[:1]
    verdicts = [engine.answer(contract, name, view) for name in fitting]
    return next((found for found in verdicts if not any(v.level == FAILURE for v in found)), verdicts[-1])
