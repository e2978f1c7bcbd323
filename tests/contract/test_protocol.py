"""Protocol rules that need a deliberate request, not a generated one: client
authentication (RFC 6749 2.3 and 5.2), the documented method and media types (RFC 7009 2.1),
required parameters, the hint enum, and bodies that must never cause a 5xx (RFC 6749 5.2)."""

import pytest

from revocation_contracts.rules.verdict import check_answer
from revocation_contracts.transport.client import Credentials

UNDOCUMENTED_METHODS = ("GET", "PUT", "PATCH", "DELETE", "POST")
UNKNOWN_TOKEN = "rc-unknown-token-7c1f0d"


def _check(target, situation, response):
    check_answer(target.contract, situation, response, target.redactor, target.sensitive_headers())


@pytest.mark.clause("RFC 7009 section 2.2: an invalid token is not an error")
def test_unknown_token_answer(target):
    """RFC 7009 2.2: an invalid token is not an error; the contract's unknown-token answer."""
    _, response = target.client().revoke(UNKNOWN_TOKEN)
    _check(target, "unknown-token", response)


@pytest.mark.clause("RFC 7009 section 2.2: the contract's answer to a successful revocation")
def test_revoked_token_answer(target):
    """RFC 7009 2.2: revoking a live token gets the contract's revoked answer (status and body)."""
    contract = target.contract
    if target.tokens is None:
        pytest.skip("no token supply: pass --token-command to check the answer to a real revocation")
    kind = contract.tokens.revocable[0]
    grant = target.tokens.mint(target.credentials, (kind,))
    hint = kind if contract.hint is not None and kind in contract.hint.values else None
    _, response = target.client().revoke(grant.tokens[kind], hint=hint)
    _check(target, "revoked", response)


@pytest.mark.clause("RFC 6749 section 5.2 invalid_request; RFC 7009 section 2.1: token is required")
def test_missing_token_is_invalid_request(target):
    """RFC 6749 5.2 invalid_request: the token parameter is required (RFC 7009 2.1).
    Every other required field (a required hint) is sent, so only the token is missing."""
    hint = target.contract.hint
    required_hint = hint.values[0] if hint is not None and hint.required else None
    _, response = target.client().revoke(None, hint=required_hint)
    _check(target, "missing-token", response)


@pytest.mark.clause("RFC 6749 section 3.2; CONTRACTS.md (Polar pins 'empty token: 200')")
def test_empty_token(target):
    """An empty token is an unknown token where the contract pins that (Polar), else it may also
    be read as an omitted parameter (RFC 6749 3.2: "treated as if they were omitted")."""
    contract = target.contract
    _, response = target.client().revoke("")
    allowed = {"unknown": ["unknown-token"], "missing": ["missing-token"]}.get(
        contract.empty_token, ["unknown-token", "missing-token"]
    )
    situation = next((name for name in allowed if response.status_code in contract.answer(name).statuses), allowed[0])
    _check(target, situation, response)


@pytest.mark.clause("RFC 7009 section 2.1: only the documented method")
@pytest.mark.parametrize("method", UNDOCUMENTED_METHODS)
def test_undocumented_method_is_refused(target, method):
    """RFC 7009 2.1: only the documented method revokes; others get 405 (400 tolerated for rfc7009)."""
    if method == target.contract.method:
        pytest.skip(f"{method} is the documented method")
    _, response = target.client().revoke(UNKNOWN_TOKEN, method=method)
    _check(target, "undocumented-method", response)


@pytest.mark.clause("CONTRACTS.md: undocumented media types are refused (400/415)")
@pytest.mark.parametrize("media_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x"])
def test_undocumented_media_type_is_refused(target, media_type):
    """CONTRACTS.md: undocumented media types are refused with 400 or 415 (401 if auth fails first).
    The body is the complete documented request, form-encoded, with valid credentials: a server
    that ignores Content-Type would accept it, so only the media type can make it fail."""
    auth_method = "form-body" if "form-body" in target.contract.client_auth.methods else None
    documented = target.client().build(
        UNKNOWN_TOKEN, media_type="application/x-www-form-urlencoded", auth_method=auth_method
    )
    _, response = target.client().revoke(
        UNKNOWN_TOKEN, media_type=media_type, auth_method=auth_method, raw_body=documented.body
    )
    _check(target, "unsupported-media-type", response)


@pytest.mark.clause("RFC 6749 section 5.2: never a 5xx for client input")
@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[]", b"null", b'"token"', b"%zz=%%", b"\xff\xfe"],
    ids=["empty", "truncated-json", "json-array", "json-null", "json-string", "bad-escapes", "not-utf8"],
)
def test_malformed_body_is_a_4xx(target, body):
    """RFC 6749 5.2: never a 5xx for client input, whatever the body (CONTRACTS.md shared rules)."""
    for media_type in target.contract.media_types:
        _, response = target.client().revoke(None, media_type=media_type, raw_body=body)
        assert 400 <= response.status_code < 500 or response.status_code in target.contract.success_statuses, (
            f"[RFC 6749 section 5.2] malformed {media_type} body {body!r}: expected a 4xx refusal, "
            f"got {response.status_code}"
        )


@pytest.mark.clause("RFC 7009 section 2.2.1: unsupported_token_type, or the hint is ignored")
def test_unsupported_hint(target):
    """RFC 7009 2.2.1: a hint outside the contract's values is rejected (unsupported_token_type) or ignored."""
    hint = target.contract.hint
    if hint is None:
        pytest.skip("the contract has no token_type_hint")
    _, response = target.client().revoke(UNKNOWN_TOKEN, hint="rc_bogus_type")
    if hint.unknown_value == "reject":
        _check(target, "unsupported-hint", response)
    elif response.status_code in target.contract.answer("unknown-token").statuses:
        _check(target, "unknown-token", response)
    else:
        _check(target, "unsupported-hint", response)


def _bad_credentials(target, scenario):
    creds = target.credentials
    return {
        "wrong-secret": Credentials(creds.client_id, creds.client_secret + "-wrong"),
        "unknown-client": Credentials("rc-unknown-client-3e9a", "rc-unknown-secret-3e9a"),
        "none": None,
    }[scenario]


@pytest.mark.clause("RFC 6749 sections 2.3 and 5.2: invalid_client, Basic challenge")
@pytest.mark.parametrize("scenario", ["wrong-secret", "unknown-client", "none"])
def test_client_authentication_is_enforced(target, scenario):
    """RFC 6749 2.3 / 5.2 invalid_client, for every way the contract lets a client authenticate;
    after HTTP Basic the 401 carries a Basic challenge."""
    contract = target.contract
    for auth_method in contract.client_auth.methods:
        credentials = _bad_credentials(target, scenario)
        _, response = target.client().revoke(UNKNOWN_TOKEN, auth_method=auth_method, credentials=credentials)
        if auth_method == "basic" and credentials is not None:
            situation = "bad-client-basic"
        elif credentials is None and contract.has_answer("missing-client"):
            situation = "missing-client"
        else:
            situation = "bad-client"
        _check(target, situation, response)


@pytest.mark.clause("RFC 6749 section 2.3.1: documented client authentication")
def test_every_documented_client_auth_method_works(target):
    """RFC 6749 2.3.1: each documented way of sending valid credentials is accepted."""
    for auth_method in target.contract.client_auth.methods:
        _, response = target.client().revoke(UNKNOWN_TOKEN, auth_method=auth_method)
        _check(target, "unknown-token", response)


@pytest.mark.clause("vendor doc: every documented request media type")
def test_every_documented_media_type_works(target):
    """The contract's request media types are all accepted (vendor docs)."""
    contract = target.contract
    body_methods = [method for method in contract.client_auth.methods if method.endswith("-body")]
    for media_type in contract.media_types:
        auth_method = None
        if body_methods:
            auth_method = "json-body" if media_type == "application/json" else "form-body"
            if auth_method not in body_methods:
                continue
        _, response = target.client().revoke(UNKNOWN_TOKEN, media_type=media_type, auth_method=auth_method)
        _check(target, "unknown-token", response)
