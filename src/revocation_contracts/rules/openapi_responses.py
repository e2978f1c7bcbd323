"""Validate an answer against the contract's OpenAPI document with openapi-core.

Why, beside the ``x-revocation`` rules: the ``x-revocation`` block says which answer each
situation deserves (status, error code, challenge); the OpenAPI part says what each documented
answer looks like (its media type, its body schema, its headers). The schemathesis tests get
the second from schemathesis' own checks, but only for generated requests; the explicit tests
(``test_protocol.py``) and the semantic steps send hand-built requests, and their answers were
judged against ``x-revocation`` only. openapi-core (a declared dependency) reads the same
document and validates any ``requests`` response against it through its public API:
``OpenAPI.from_dict`` and ``unmarshal_response`` with the ``openapi_core.contrib.requests``
wrappers.

What counts: only what the document describes. An answer whose status (or method) the
document does not list is not judged here (the ``x-revocation`` answer already decided whether
that status is right, and RFC 7009 lets servers add statuses, e.g. a 503); an answer the
document describes must have its documented media type, body and required headers
(a vendor's document, or RFC 6749 section 5.2's error body for the rfc7009 contract). The
explicit tests never ask it about the body of a 4xx refusal of an undocumented media type
(``verdict.judge``): frameworks refuse such a body before the OAuth layer, and the project's rules (docs/contracts.md)
leaves that body unjudged.

The document's ``servers`` are placeholders (the suite sends to ``--target-url`` or to an
embedded server on a port the kernel picks), so they are replaced by a relative ``/`` before
openapi-core sees the document: the path is matched, not the host. openapi-core deserializes
only the media types it knows; a structured ``+json`` type (RFC 6839, e.g. Mollie's
``application/hal+json``) is JSON, and is registered as such rather than judged as raw bytes.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseFinderError

from revocation_contracts.model.contract import Contract
from revocation_contracts.rules.violation import FAILURE, ResponseView, Violation

# The clause a documented answer breaks when it does not match its description (rules/clauses.py).
CLAUSE = "DOC-openapi"
MAX_PROBLEMS = 3

# One openapi-core document per contract document (contracts live for the session).
_DOCUMENTS: dict[int, tuple[dict[str, Any], OpenAPI]] = {}


@dataclass(frozen=True)
class DocumentProblem:
    """One way an answer differs from the document's description of it."""

    operation: str
    status: int
    problem: str

    def __str__(self) -> str:
        return f"{self.operation} {self.status}: {self.problem}"


def openapi_for(contract: Contract) -> OpenAPI:
    """The contract's document as an openapi-core ``OpenAPI``, servers made relative."""
    key = id(contract.document)
    cached = _DOCUMENTS.get(key)
    if cached is None or cached[0] is not contract.document:
        document = copy.deepcopy(contract.document)
        document["servers"] = [{"url": "/"}]
        json_types: dict[str, Any] = {name: json.loads for name in _media_types(document) if name.endswith("+json")}
        config = Config(extra_media_type_deserializers=json_types)
        cached = (contract.document, OpenAPI.from_dict(document, config=config))
        _DOCUMENTS[key] = cached
    return cached[1]


def _media_types(document: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for answer in operation.get("responses", {}).values() if isinstance(operation, dict) else ():
                names.update(answer.get("content", {}) if isinstance(answer, dict) else ())
    for answer in document.get("components", {}).get("responses", {}).values():
        names.update(answer.get("content", {}))
    return names


def response_problems(contract: Contract, response: requests.Response) -> list[DocumentProblem]:
    """What the document says this answer should have and it lacks (empty when it conforms or is not described)."""
    prepared = response.request
    operation = f"{prepared.method} {contract.path}"
    try:
        result = openapi_for(contract).unmarshal_response(
            RequestsOpenAPIRequest(prepared), RequestsOpenAPIResponse(response)
        )
    except (PathError, ResponseFinderError):
        return []  # an operation or status the document does not describe: not judged here
    problems = []
    for error in result.errors:
        if isinstance(error, (PathError, ResponseFinderError)):
            return []
        problem = DocumentProblem(operation, response.status_code, _describe(error))
        if problem not in problems:
            problems.append(problem)
    return problems[:MAX_PROBLEMS]


def document_violations(contract: Contract, response: requests.Response, view: ResponseView) -> list[Violation]:
    """The document's problems with this answer as one failure-level ``Violation`` (``DOC-openapi``)."""
    problems = response_problems(contract, response)
    if not problems:
        return []
    found = "; ".join(problem.problem for problem in problems)
    expected = f"the {view.status} answer the OpenAPI document describes for {problems[0].operation}"
    title = "Answer not as the OpenAPI document describes it"
    return [Violation(CLAUSE, FAILURE, title, expected, f"{view.describe()}: {found}")]


def _describe(error: Exception) -> str:
    """The schema errors openapi-core found (where in the body, what is wrong), else its message.

    The offending values are left out: a body may carry a secret the server echoed, and the
    failure message already shows the (masked) body.
    """
    cause = error.__cause__
    available = getattr(cause, "availableMimetypes", None)
    if available is not None:
        media_type = getattr(cause, "mimetype", "") or "none"
        return f"media type {media_type!r} is not one the document gives for this answer ({', '.join(available)})"
    causes = getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None) or ()
    details = list(dict.fromkeys(_schema_error(cause) for cause in list(causes)[:MAX_PROBLEMS]))
    if details:
        return "; ".join(details)
    return f"{type(error).__name__}: {type(cause).__name__}" if cause is not None else type(error).__name__


def _schema_error(cause: Any) -> str:
    where = "/".join(str(part) for part in getattr(cause, "absolute_path", ())) or "the body"
    validator = getattr(cause, "validator", "schema")
    expected = getattr(cause, "validator_value", None)
    if validator == "required":
        return f"{where}: a required property is missing (required: {', '.join(map(str, expected or ()))})"
    return f"{where}: fails the document's {validator!r} rule ({validator}: {json.dumps(expected)[:80]})"
