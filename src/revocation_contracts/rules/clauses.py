"""The clause registry: every rule the suite enforces, by a stable id, with its text and source.

Why ids and not prose: a CI log, a JUnit property and a report cell must name the same rule
the same way across releases, and a reader must be able to look it up. The ids follow the
OpenID conformance suite's habit: ``RFC<number>-<section>`` for a sentence of an RFC,
``PIN-<slug>`` for this project's own decision where nothing else settles it (a pin is never
cited as an RFC section), ``DOC-<contract>-<slug>`` for what a vendor's published document
says, ``OBS-<contract>-<slug>`` for a vendor's observed behaviour. ``docs/contracts.md``
explains every id under a heading of the same name (a unit test keeps both in step).
This module holds only the rules that bind every contract; a vendor's own clauses are data in
its contract file (``x-revocation.clauses``), merged in by ``registered``, so a copied
contract file brings its clauses with it and the engine names no vendor.

A contract's ``x-revocation`` answers carry a free-text ``clause``; when that text is itself
a registered id the engine cites it, otherwise it cites the id this module gives the
situation (``answer_clause``), so a new contract document works before it names ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revocation_contracts.model.contract import Contract


@dataclass(frozen=True)
class Clause:
    """One rule: its stable id, a one-sentence statement, and where it comes from."""

    id: str
    text: str
    source: str  # "rfc", "pin", "doc" or "obs"


def _clauses(*rows: tuple[str, str, str]) -> dict[str, Clause]:
    return {row[0]: Clause(*row) for row in rows}


CLAUSES: dict[str, Clause] = _clauses(
    # RFC sentences.
    (
        "RFC7009-2.1",
        "only the documented POST with a form body revokes; the server checks the token was issued to the "
        "requesting client, searches every token type whatever the hint, the token cannot be used again "
        "afterwards, and revoking a refresh token should invalidate the access tokens of its grant",
        "rfc",
    ),
    ("RFC7009-2.2", "a revoked or invalid token gets the success answer (200; a contract may document another)", "rfc"),
    ("RFC7009-2.2.1", "an unsupported token_type_hint is rejected with unsupported_token_type or ignored", "rfc"),
    ("RFC6749-2.3.1", "each documented way of sending client credentials is accepted, one per request", "rfc"),
    ("RFC6749-3.2", "a parameter sent without a value is treated as if it were omitted", "rfc"),
    (
        "RFC6749-5.2",
        "errors carry the contract's error body; invalid_client may be 401 (with a Basic challenge after "
        "HTTP Basic), every other code is 400; client input never gets a 5xx",
        "rfc",
    ),
    ("RFC6749-B", "form bodies are percent-decoded: a percent-encoded token is the same token", "rfc"),
    (
        "RFC9110-15.5.2",
        "a 401 carries a WWW-Authenticate challenge (a MUST in RFC 9110); judged as a warning where the "
        "request sent no Authorization header",
        "rfc",
    ),
    ("RFC7662-2.2", "an introspection answer says active false for a dead token", "rfc"),
    ("RFC8414-3", "the authorization server metadata names the endpoints the suite uses", "rfc"),
    # This project's pins.
    ("PIN-method-refused", "another method never revokes and never gets a 2xx or 5xx", "pin"),
    ("PIN-method-405", "another method should be answered 405 Method Not Allowed", "pin"),
    ("PIN-media-type", "a body in an undocumented media type should be refused with a 4xx", "pin"),
    ("PIN-answer-size", "an answer body is at most 1 MiB, decompressed; a larger one is refused unread", "pin"),
    ("PIN-no-echo", "no response body or header contains the client secret or the token sent", "pin"),
    ("PIN-no-over-revocation", "revoking one grant's token leaves the client's other grants active", "pin"),
    ("PIN-empty-parameter", "an empty parameter is read as omitted or refused with the contract's 400", "pin"),
    (
        "PIN-missing-token-as-invalid",
        "a request without the token answered as an invalid token (RFC 7009 2.2: 200) instead of RFC 6749 5.2's "
        "invalid_request for a missing required parameter: a defensible reading, reported as a warning where the "
        "contract lists it",
        "pin",
    ),
    ("PIN-missing-client", "a request without client authentication is refused as invalid_client", "pin"),
    ("PIN-success-body", "the success body is the one the contract documents", "pin"),
    (
        "PIN-query-token",
        "a token only in the query string of the documented method should not revoke (a warning: tokens in "
        "URLs end up in logs and caches, RFC 6750 2.3)",
        "pin",
    ),
    # Every contract's own OpenAPI document. A vendor's DOC-/OBS-/PIN- clauses are its data, declared
    # under ``x-revocation.clauses`` in its spec file, never rows here.
    ("DOC-openapi", "requests and responses conform to the contract's bundled OpenAPI document", "doc"),
    (
        "DOC-token-in-query",
        "where the contract documents the token in the query string (token-in), a revocation sent that way revokes",
        "doc",
    ),
)

# The clause each situation of a contract is judged by, when its document names no id.
_BY_SITUATION = {
    "revoked": "RFC7009-2.2",
    "unknown-token": "RFC7009-2.2",
    "foreign-token": "RFC7009-2.1",
    "missing-token": "RFC6749-5.2",
    "missing-client": "PIN-missing-client",
    "unsupported-hint": "RFC7009-2.2.1",
    "bad-client": "RFC6749-5.2",
    "bad-client-basic": "RFC6749-5.2",
    "unsupported-media-type": "PIN-media-type",
    "undocumented-method": "PIN-method-refused",
}


def clause(clause_id: str) -> Clause:
    """The registered clause; an unknown id is a programming error, not a verdict."""
    return CLAUSES[clause_id]


def registered(contract: Contract | None = None) -> dict[str, Clause]:
    """The registry, plus the clauses a contract declares in ``x-revocation.clauses`` (data)."""
    if contract is None or not contract.clauses:
        return CLAUSES
    own = {
        clause_id: Clause(clause_id, text, clause_id[:3].lower())
        for clause_id, text in contract.clauses.items()
        if clause_id not in CLAUSES
    }
    return {**CLAUSES, **own}


def answer_clause(contract: Contract, situation: str) -> str:
    """The clause id a contract's answer to ``situation`` is judged by: the id its document
    names (registered, or declared in its ``clauses``), else the situation's own."""
    own = contract.answer(situation).clause if contract.has_answer(situation) else ""
    if own in registered(contract):
        return own
    return _BY_SITUATION.get(situation, "DOC-openapi")
