"""Protocol rules that need a deliberate request, not a generated one: client
authentication (RFC 6749 2.3 and 5.2), the documented method and media types (RFC 7009 2.1),
required parameters, the hint enum, and bodies that must never cause a 5xx (RFC 6749 5.2).

A test that cannot apply to a contract says so with ``@pytest.mark.applies(why_not)``:
``why_not(contract, **params)`` returns the reason (no hint field, public clients, the documented
method), and the plugin does not collect the test for that contract; the run's coverage summary
lists the reasons. A skip while a test runs is kept for what depends on the run."""

import pytest

from revocation_contracts.rules import engine
from revocation_contracts.rules.outcomes import NO_TOKEN_SUPPLY, NotApplicable
from revocation_contracts.rules.verdict import ContractFailure, check_answer, settle_response
from revocation_contracts.rules.violation import view_of
from revocation_contracts.transport.client import Credentials

UNDOCUMENTED_METHODS = ("GET", "PUT", "PATCH", "DELETE", "POST")
UNKNOWN_TOKEN = "rc-unknown-token-7c1f0d"
# An extra field every contract ignores (unknown extra fields are ignored: PIN-media-type).
MISSING_TOKEN_FILLER = "rc_unused"
MEDIA_TYPES = [
    pytest.param("text/plain", id="text-plain"),
    pytest.param("application/xml", id="application-xml"),
    pytest.param("multipart/form-data; boundary=x", id="multipart-form-data"),
    # A framework that parses JSON as well as forms accepts it; probed where JSON is undocumented.
    pytest.param("application/json", id="application-json"),
]


def _check(target, situation, response, before=None):
    __tracebackhide__ = True
    check_answer(target.contract, situation, response, target.redactor, target.sensitive_headers(), before)


def _settle(target, violations, response):
    __tracebackhide__ = True
    settle_response(violations, response, target.redactor, target.sensitive_headers())


@pytest.mark.clause("RFC7009-2.2")
def test_unknown_token_answer(target):
    """RFC 7009 2.2: an invalid token is not an error; the contract's unknown-token answer."""
    _, response = target.client().revoke(UNKNOWN_TOKEN)
    _check(target, "unknown-token", response)


@pytest.mark.clause("RFC7009-2.2")
@pytest.mark.family("semantics")
def test_revoked_token_answer(target):
    """RFC 7009 2.2: revoking a live token gets the contract's revoked answer (status and body).

    A protocol rule, but in the ``semantics`` check family (``--checks``): like the property
    tests it needs a live token from the token supply, so ``--checks schema,protocol`` is
    exactly what runs against a target without one, and such a run can pass complete."""
    contract = target.contract
    if target.tokens is None:
        raise NotApplicable(
            "no token supply: pass --issuer, --token-endpoint or --token-command to check the answer to a real "
            "revocation",
            NO_TOKEN_SUPPLY,
        )
    kind = contract.tokens.revocable[0]
    grant = target.tokens.mint(target.credentials, (kind,))
    hint = kind if contract.hint is not None and kind in contract.hint.values else None
    _, response = target.client().revoke(grant.tokens[kind], hint=hint)
    _check(target, "revoked", response, target.mint_prelude(grant, target.credentials))


@pytest.mark.clause("RFC6749-5.2")
def test_missing_token_is_invalid_request(target):
    """RFC 6749 5.2 invalid_request: the token parameter is required (RFC 7009 2.1).
    The body is well formed, in the contract's first media type, and carries every other
    field (credentials, a required hint); where the token is the only field, an ignored extra
    field keeps the body non-empty, so a server that reads a missing token as an unknown one
    answers its unknown-token answer and fails here, unless the contract lists that answer as
    a warned second reading (rfc7009: RFC 7009 2.2 answers an invalid token 200, a warning
    under PIN-missing-token-as-invalid); a vendor that documents its 400 keeps the failure."""
    contract = target.contract
    hint = contract.hint
    required_hint = hint.values[0] if hint is not None and hint.required else None
    client = target.client()
    request = client.build(None, hint=required_hint)
    if request.body is None:
        request = client.build(None, hint=required_hint, extra={MISSING_TOKEN_FILLER: "1"})
    response = client.send(request)
    _check(target, "missing-token", response)


@pytest.mark.clause("PIN-empty-parameter")
def test_empty_token(target):
    """An empty token is an unknown token where the contract pins that (Polar), an omitted one
    where the contract says so (rfc7009, RFC 6749 3.2: "treated as if they were omitted"; its
    missing-token answer, with its warned 200), else either (PIN-empty-parameter)."""
    contract = target.contract
    _, response = target.client().revoke("")
    allowed = {"unknown": ["unknown-token"], "missing": ["missing-token"]}.get(
        contract.empty_token, ["unknown-token", "missing-token"]
    )
    # Two readings may share a status (an unknown token answered 400, a missing one too): either fits.
    candidates = [name for name in allowed if response.status_code in contract.answer(name).statuses] or allowed[:1]
    for situation in candidates[:-1]:
        try:
            _check(target, situation, response)
        except ContractFailure:
            continue
        return
    _check(target, candidates[-1], response)


def _not_undocumented(contract, method):
    if method == contract.method:
        return f"{method} is the documented method"
    if method in contract.other_methods:
        return f"{method} is another operation the document declares on this path"
    return None


@pytest.mark.clause("PIN-method-refused")
@pytest.mark.parametrize("method", UNDOCUMENTED_METHODS)
@pytest.mark.applies.with_args(_not_undocumented)
def test_undocumented_method_is_refused(target, method):
    """RFC 7009 2.1 (POST only), PIN-method-refused: another method never gets a 2xx or 5xx
    (failure); PIN-method-405: it should get 405 (another 4xx is a warning: routers answer 404,
    oauthlib 400)."""
    _, response = target.client().revoke(UNKNOWN_TOKEN, method=method)
    _check(target, "undocumented-method", response)


def _documented_media_type(contract, media_type):
    if media_type.split(";")[0] in contract.media_types:
        return f"{media_type} is a documented media type of this contract"
    return None


@pytest.mark.clause("PIN-media-type")
@pytest.mark.parametrize("media_type", MEDIA_TYPES)
@pytest.mark.applies.with_args(_documented_media_type)
def test_undocumented_media_type_is_refused(target, media_type):
    """PIN-media-type: an undocumented media type should be refused with a 4xx; accepting it is
    a warning, a failure where the vendor documents the refusal (DOC-voucherify-415); a 5xx
    fails (RFC6749-5.2). The body is the complete documented request with valid credentials:
    form-encoded, so a server that ignores Content-Type would accept it and only the media
    type decides; for ``application/json`` (probed where the contract does not document it)
    the same fields as a JSON object, which a framework that parses JSON as well as forms
    reads."""
    contract = target.contract
    auth_method = "form-body" if "form-body" in contract.client_auth.methods else None
    raw_body = None
    if media_type != "application/json":
        documented = target.client().build(
            UNKNOWN_TOKEN, media_type="application/x-www-form-urlencoded", auth_method=auth_method
        )
        raw_body = documented.body
    _, response = target.client().revoke(
        UNKNOWN_TOKEN, media_type=media_type, auth_method=auth_method, raw_body=raw_body
    )
    _check(target, "unsupported-media-type", response)


@pytest.mark.clause("RFC6749-5.2")
@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[]", b"null", b'"token"', b"%zz=%%", b"\xff\xfe"],
    ids=["empty", "truncated-json", "json-array", "json-null", "json-string", "bad-escapes", "not-utf8"],
)
def test_malformed_body_is_a_4xx(target, body):
    """RFC 6749 5.2: never a 5xx for client input, whatever the body."""
    for media_type in target.contract.media_types:
        _, response = target.client().revoke(None, media_type=media_type, raw_body=body)
        _settle(target, engine.refusal(target.contract, view_of(response), f"a malformed {media_type} body"), response)


def _no_hint(contract, **params):
    return f"the {contract.name} contract has no token_type_hint field" if contract.hint is None else None


@pytest.mark.clause("RFC6749-3.2")
@pytest.mark.applies.with_args(_no_hint)
def test_empty_hint(target):
    """RFC 6749 3.2: an empty token_type_hint may be read as omitted (the unknown-token answer)
    or refused as invalid with the contract's 400 (PIN-empty-parameter); both conform."""
    contract = target.contract
    _, response = target.client().revoke(UNKNOWN_TOKEN, hint="")
    if response.status_code in contract.answer("unknown-token").statuses:
        _check(target, "unknown-token", response)
    else:
        _settle(target, engine.empty_parameter_refusal(contract, view_of(response)), response)


@pytest.mark.clause("RFC7009-2.2.1")
@pytest.mark.applies.with_args(_no_hint)
def test_unsupported_hint(target):
    """RFC 7009 2.2.1: a hint outside the contract's values is rejected (unsupported_token_type) or ignored."""
    hint = target.contract.hint
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


def _public_clients(contract, **params):
    if contract.client_auth.public:
        return "the contract's clients are public (client-auth none): there is no client authentication"
    return None


@pytest.mark.clause("RFC6749-5.2")
@pytest.mark.parametrize("scenario", ["wrong-secret", "unknown-client", "none"])
@pytest.mark.applies.with_args(_public_clients)
def test_client_authentication_is_enforced(target, scenario):
    """RFC 6749 2.3 / 5.2 invalid_client, for every way the contract lets a client authenticate;
    after HTTP Basic the 401 carries a Basic challenge."""
    contract = target.contract
    for auth_method in contract.client_auth.methods:
        if auth_method == "none":
            continue
        credentials = _bad_credentials(target, scenario)
        _, response = target.client().revoke(UNKNOWN_TOKEN, auth_method=auth_method, credentials=credentials)
        if auth_method == "basic" and credentials is not None:
            situation = "bad-client-basic"
        elif credentials is None and contract.has_answer("missing-client"):
            situation = "missing-client"
        else:
            situation = "bad-client"
        _check(target, situation, response)


@pytest.mark.clause("RFC6749-2.3.1")
def test_every_documented_client_auth_method_works(target):
    """RFC 6749 2.3.1: each documented way of sending valid credentials is accepted."""
    for auth_method in target.contract.client_auth.methods:
        _, response = target.client().revoke(UNKNOWN_TOKEN, auth_method=auth_method)
        _check(target, "unknown-token", response)


@pytest.mark.clause("DOC-openapi")
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
