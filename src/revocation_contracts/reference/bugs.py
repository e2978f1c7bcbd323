"""Planted bugs: each one breaks exactly one rule of the contracts (docs/contracts.md) in the reference server.

Why they ship inside the package: a check that cannot fail is a defect, and the proof that a
check fires is a server that breaks its rule. The project's own tests start the reference
server with one bug switched on (``--reference-bug NAME``) and show that the suite fails on
it and passes without it. Users never need them, but they cost nothing and document, in one
table, which rule each check exists for.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlantedBug:
    """One deliberate deviation and the rule it breaks."""

    name: str
    rule: str
    description: str


BUGS: dict[str, PlantedBug] = {
    bug.name: bug
    for bug in (
        # Schema and protocol rules (checked by the contract suite's schema and protocol tests).
        PlantedBug("server-error-on-empty-body", "RFC 6749 5.2: never 5xx", "an empty body crashes the handler"),
        PlantedBug("server-error-on-non-object-json", "RFC 6749 5.2: never 5xx", "a JSON array body crashes"),
        PlantedBug("missing-token-accepted", "RFC 6749 5.2 invalid_request", "no token answers success"),
        PlantedBug("wrong-success-status", "contract success status", "a revocation answers 202"),
        PlantedBug("success-body-not-contract", "contract success body", "success carries a non-contract body"),
        PlantedBug("wrong-success-content-type", "contract content type", "success body sent as text/html"),
        PlantedBug("error-body-not-contract", "RFC 6749 5.2 error body", "errors are plain text"),
        PlantedBug("error-code-wrong-status", "RFC 6749 5.2 status per code", "invalid_request answered 401"),
        PlantedBug("no-www-authenticate", "RFC 6749 5.2 WWW-Authenticate", "401 after Basic lacks the header"),
        PlantedBug("www-authenticate-bearer", "RFC 6749 5.2 WWW-Authenticate", "401 after Basic names Bearer"),
        PlantedBug("ignores-client-auth", "RFC 7009 2.1 client authentication", "any credentials are accepted"),
        PlantedBug("accepts-undocumented-method", "RFC 7009 2.1 method", "every method is treated as documented"),
        PlantedBug("accepts-undocumented-media-type", "contract media types", "any media type is parsed as form"),
        PlantedBug("hint-not-validated", "contract hint enum", "a hint outside the enum is accepted"),
        PlantedBug("echoes-secret", "no credential echo", "error descriptions repeat the client secret"),
        PlantedBug("echoes-token", "no credential echo", "success responses repeat the token in a header"),
        PlantedBug("empty-hint-server-error", "RFC6749-3.2 empty parameter", "an empty token_type_hint crashes"),
        PlantedBug(
            "unsupported-hint-401",
            "RFC 6749 5.2 status per code",
            "an unknown token_type_hint is refused 401 unsupported_token_type (RFC 7009 2.2.1 rejection, wrong status)",
        ),
        PlantedBug(
            "server-error-on-undocumented-media-type",
            "RFC 6749 5.2: never 5xx",
            "a body in an undocumented media type crashes the handler",
        ),
        # Only the OpenAPI document describes what this breaks (DOC-openapi): GitHub documents its
        # 422 with the validation error body (message and documentation_url) and its 400 with the
        # basic error body (message); the x-revocation rules accept either shape for either status.
        # Mollie also allows 422 for a missing token, but its OAuth error requires only the code
        # member, so there the bug breaks nothing.
        PlantedBug(
            "missing-token-bare-422",
            "DOC-openapi",
            "a missing token is answered 422 with only the error's code and message members",
        ),
        # The documented alternatives: every way the contract documents must work, not only the
        # first one the other tests use (RFC 6749 2.3.1; the vendor's document for media types).
        PlantedBug("basic-auth-refused", "RFC 6749 2.3.1 documented client auth", "valid HTTP Basic credentials fail"),
        PlantedBug(
            "second-media-type-refused",
            "DOC-openapi documented media types",
            "a body in a documented media type other than the contract's first is refused as unsupported",
        ),
        # Warnings (a SHOULD or a pin): the run passes, the warning is reported with its clause.
        PlantedBug("no-challenge-without-basic", "RFC9110-15.5.2", "a 401 without Authorization has no challenge"),
        PlantedBug("other-method-404", "PIN-method-405", "another method is answered 404, not 405"),
        PlantedBug("accepts-json-body", "PIN-media-type", "a form-only endpoint also parses a JSON body"),
        # Revocation semantics (checked by the semantic property tests).
        PlantedBug("keeps-token", "RFC 7009 2: a revoked token is dead", "answers success, token stays active"),
        PlantedBug("hint-restricts-search", "RFC 7009 2.1 hint search", "only the hinted token type is searched"),
        PlantedBug("no-cascade", "RFC 7009 2 refresh cascade", "revoking a refresh token keeps its access token"),
        PlantedBug("revokes-all-grants", "no over-revocation", "revokes every grant of the client"),
        PlantedBug("cross-client-revokes", "RFC 7009 2.1 cross-client", "revokes another client's token"),
        PlantedBug("no-percent-decode", "form percent-decoding", "form values are not percent-decoded"),
        PlantedBug("query-string-revokes", "RFC 7009 2.1 no token in query", "a token in the query string revokes"),
        PlantedBug("query-string-ignored", "DOC-token-in-query", "a documented token in the query string is ignored"),
        PlantedBug("second-revoke-error", "RFC 7009 2.2 already revoked", "revoking twice answers 500"),
        PlantedBug(
            "unknown-hint-ignored",
            "RFC 7009 2.1 unknown hint",
            "an unknown hint is accepted but gates the lookup: a live token gets success and stays active",
        ),
        # A warning (PIN-query-token): the run passes, property 8 reports it with its clause.
        PlantedBug(
            "query-token-merged",
            "PIN-query-token",
            "query parameters are merged into the body's: a token only in the query string revokes",
        ),
    )
}


def validate_bug_names(names: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    """Reject unknown bug names early, listing the known ones."""
    unknown = sorted(set(names) - set(BUGS))
    if unknown:
        raise ValueError(f"unknown planted bug(s) {', '.join(unknown)}; known: {', '.join(sorted(BUGS))}")
    return frozenset(names)
