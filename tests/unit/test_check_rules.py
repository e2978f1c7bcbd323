"""The pure rules behind the OAuth checks, with the regressions they exist for."""

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.rules import engine
from revocation_contracts.rules.engine import challenge_violation, echoed, error_body_violation, success_body_violation
from revocation_contracts.rules.violation import RequestView, ResponseView, Violation, basic_credentials


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ('Basic realm="x"', True),
        ("basic", True),
        ('Bearer realm="x", Basic realm="y"', True),
        ('Bearer realm="x"', False),
        ('Bearer realm="basic"', False),
        (None, False),
        ("", False),
    ],
)
def test_basic_challenge(header, ok):
    assert (challenge_violation(header) is None) is ok


def test_oauth_error_body_and_status_per_code():
    polar = load_contract("polar")
    assert error_body_violation(polar, 400, "application/json", {"error": "invalid_request"}) is None
    assert error_body_violation(polar, 401, "application/json", {"error": "invalid_client"}) is None
    # RFC 6749 5.2: only invalid_client may be a 401.
    assert error_body_violation(polar, 401, "application/json", {"error": "invalid_request"}) is not None
    assert error_body_violation(polar, 400, "text/plain", None) is not None
    assert error_body_violation(polar, 400, "application/json", {"message": "x"}) is not None
    assert error_body_violation(polar, 400, "application/json", {"error": 'bad"quote'}) is not None
    assert error_body_violation(polar, 400, "application/json", {"error": "x", "error_uri": 3}) is not None


def test_mollie_accepts_oauth_or_hal():
    mollie = load_contract("mollie")
    hal = {"status": 401, "title": "Unauthorized Request", "detail": "x"}
    assert error_body_violation(mollie, 401, "application/hal+json", hal) is None
    assert error_body_violation(mollie, 401, "application/json", {"error": "invalid_client"}) is None
    assert error_body_violation(mollie, 401, "application/hal+json", {"status": "401"}) is not None


def test_voucherify_error_format_and_empty_404():
    voucherify = load_contract("voucherify")
    assert error_body_violation(voucherify, 404, "", None) is None
    assert error_body_violation(voucherify, 401, "application/json", {"code": 401, "message": "m"}) is None
    assert error_body_violation(voucherify, 401, "application/json", {"error": "invalid_client"}) is not None


@pytest.mark.parametrize(
    ("kinds", "content", "media_type", "ok"),
    [
        ({"empty-object"}, b"{}", "application/json", True),
        ({"empty-object"}, b"{ }", "application/json", True),
        ({"empty-object"}, b'{"revoked": true}', "application/json", False),
        ({"empty-object"}, b"{}", "text/html", False),
        ({"empty"}, b"", "", True),
        ({"empty"}, b"{}", "application/json", False),
        ({"empty-or-text"}, b"OK", "text/plain", True),
        ({"empty-or-text"}, b"x" * 65, "text/plain", False),
        ({"empty-or-text"}, b"{}", "application/json", False),
        ({"any"}, b"anything", "application/octet-stream", True),
    ],
)
def test_success_body_kinds(kinds, content, media_type, ok):
    assert (success_body_violation(kinds, content, media_type) is None) is ok


def test_echo_finds_body_and_header_repeats_only_of_sent_values():
    sent = ["rc-secret-A-5f1c9e2b7d4a4c7e"]
    assert echoed(sent, b'{"detail": "rc-secret-A-5f1c9e2b7d4a4c7e"}', {}) is not None
    assert echoed(sent, b"", {"X-Debug": "rc-secret-A-5f1c9e2b7d4a4c7e"}) is not None
    assert echoed(sent, b'{"error": "invalid_client"}', {"Content-Type": "application/json"}) is None


# -- verdict levels and the one response view ------------------------------------------------


BASIC = "Basic cmMtY2xpZW50LWE6c2VjcmV0LXZhbHVlLTEyMzQ="  # rc-client-a:secret-value-1234


def _view(status, headers=None, body=b"", request_headers=None, method="POST"):
    request = RequestView(method, "http://127.0.0.1:9/revoke", request_headers or {}, b"token=x")
    return ResponseView(status, headers or {}, body, request)


def _levels(violations):
    return [(violation.clause, violation.level) for violation in violations]


def test_one_basic_decoder():
    assert basic_credentials(BASIC) == ("rc-client-a", "secret-value-1234")
    assert basic_credentials("Bearer x") is None
    assert basic_credentials(None) is None
    assert basic_credentials("Basic !!!") == ("", "")


def test_a_401_after_basic_without_challenge_fails_without_authorization_warns():
    rfc7009 = load_contract("rfc7009")
    error = {"Content-Type": "application/json"}
    body = b'{"error": "invalid_client"}'
    after_basic = _view(401, error, body, {"Authorization": BASIC})
    assert _levels(engine.basic_challenge(rfc7009, after_basic)) == [("RFC6749-5.2", "failure")]
    without = _view(401, error, body)
    assert _levels(engine.basic_challenge(rfc7009, without)) == [("RFC9110-15.5.2", "warning")]
    challenged = _view(401, {**error, "WWW-Authenticate": 'Basic realm="x"'}, body)
    assert engine.basic_challenge(rfc7009, challenged) == []


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (405, []),
        (404, [("PIN-method-405", "warning")]),
        (400, [("PIN-method-405", "warning")]),
        (200, [("PIN-method-refused", "failure")]),
        (204, [("PIN-method-refused", "failure")]),
        (500, [("PIN-method-refused", "failure")]),
    ],
)
def test_another_method(status, expected):
    view = _view(status, method="GET")
    assert _levels(engine.answer(load_contract("polar"), "undocumented-method", view)) == expected


@pytest.mark.parametrize(
    ("spec", "status", "expected"),
    [
        ("polar", 200, [("PIN-media-type", "warning")]),
        ("polar", 400, []),
        ("polar", 415, []),
        ("polar", 500, [("RFC6749-5.2", "failure")]),
        ("voucherify", 404, [("DOC-voucherify-415", "failure")]),
        ("voucherify", 204, [("DOC-voucherify-415", "failure")]),
        ("voucherify", 415, []),
    ],
)
def test_undocumented_media_type(spec, status, expected):
    view = _view(status, {"Content-Type": "text/html"}, b"<p>not judged</p>")
    assert _levels(engine.answer(load_contract(spec), "unsupported-media-type", view)) == expected


def test_violations_cross_processes_as_json():
    violation = Violation("PIN-no-echo", "failure", "Credential echoed", "no secret", "body", "curl -X POST x")
    assert Violation.from_json(violation.to_json()) == violation
    assert Violation.from_json("not json") is None


def test_empty_parameter_refusal_takes_the_contracts_400():
    rfc7009 = load_contract("rfc7009")
    refused = _view(400, {"Content-Type": "application/json"}, b'{"error": "invalid_request"}')
    assert engine.empty_parameter_refusal(rfc7009, refused) == []
    crashed = _view(500)
    assert _levels(engine.empty_parameter_refusal(rfc7009, crashed)) == [("PIN-empty-parameter", "failure")]


# -- warned readings, error statuses, redirects ----------------------------------------------

JSON_ERROR = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (400, JSON_ERROR, b'{"error": "invalid_request"}', []),
        # RFC 7009 2.2's reading: the absent token is an invalid one. A warning, never a failure.
        (200, {}, b"", [("PIN-missing-token-as-invalid", "warning")]),
        (200, {"Content-Type": "text/html"}, b"<p>revoked</p>", [("PIN-missing-token-as-invalid", "warning")]),
        # Every other answer fails as usual.
        (400, {"Content-Type": "text/html"}, b"<p>bad</p>", [("RFC6749-5.2", "failure")]),
        (400, JSON_ERROR, b'{"error": "invalid_grant"}', [("RFC6749-5.2", "failure")]),
        (401, JSON_ERROR, b'{"error": "invalid_request"}', [("RFC6749-5.2", "failure")]),
        (403, JSON_ERROR, b'{"error": "invalid_request"}', [("RFC6749-5.2", "failure")]),
        (204, {}, b"", [("RFC6749-5.2", "failure")]),
        (302, {"Location": "https://elsewhere.invalid/"}, b"", [("RFC6749-5.2", "failure")]),
        (500, {}, b"", [("RFC6749-5.2", "failure")]),
    ],
)
def test_rfc7009_missing_token_answered_200_is_a_warning(status, headers, body, expected):
    view = _view(status, headers, body)
    assert _levels(engine.answer(load_contract("rfc7009"), "missing-token", view)) == expected


@pytest.mark.parametrize(
    ("spec", "clause"),
    [
        ("polar", "OBS-polar-missing-token"),
        ("voucherify", "PIN-voucherify-missing-token"),
        ("mollie", "PIN-mollie-error-status"),
        ("auth0", "DOC-auth0-missing-parameter"),
        ("okta", "PIN-okta-error-status"),
        ("github", "DOC-github-validation"),
        ("google", "DOC-google-error"),
    ],
)
def test_a_vendor_that_documents_its_400_keeps_the_failure(spec, clause):
    contract = load_contract(spec)
    assert contract.answer("missing-token").warned == ()
    view = _view(200, {"Content-Type": "application/json"}, b"{}")
    assert _levels(engine.answer(contract, "missing-token", view)) == [(clause, "failure")]


def test_a_warned_reading_is_judged_by_its_own_body():
    """A reading that fits its status but not its body fails under the reading's clause, unwarned."""
    from dataclasses import replace

    rfc7009 = load_contract("rfc7009")
    missing = rfc7009.answers["missing-token"]
    strict = replace(missing, warned=(replace(missing.warned[0], body="empty"),))
    contract = replace(rfc7009, answers={**rfc7009.answers, "missing-token": strict})
    view = _view(200, {"Content-Type": "text/plain"}, b"not empty")
    assert _levels(engine.answer(contract, "missing-token", view)) == [("PIN-missing-token-as-invalid", "failure")]
    assert _levels(engine.answer(contract, "missing-token", _view(200))) == [
        ("PIN-missing-token-as-invalid", "warning")
    ]


@pytest.mark.parametrize("spec", ["rfc7009", "polar", "okta", "mollie"])
@pytest.mark.parametrize("status", [401, 403])
def test_unsupported_token_type_is_never_a_401_or_403(spec, status):
    """RFC 6749 5.2: every error but invalid_client is 400 (Mollie documents 422 too)."""
    body = b'{"error": "unsupported_token_type"}'
    contract = load_contract(spec)
    found = engine.answer(contract, "unsupported-hint", _view(status, JSON_ERROR, body))
    assert [level for _, level in _levels(found)][:1] == ["failure"], found
    assert engine.error_body(contract, _view(status, JSON_ERROR, body)) or spec == "mollie"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_judged_as_the_answer(status):
    """A 3xx is never followed: it is the answer, and no contract documents one."""
    view = _view(status, {"Location": "https://elsewhere.invalid/revoke"})
    for name in ("rfc7009", "polar", "voucherify"):
        contract = load_contract(name)
        for situation in ("unknown-token", "missing-token"):
            assert [level for _, level in _levels(engine.answer(contract, situation, view))] == ["failure"]
