"""The pure rules behind the OAuth checks, with the regressions they exist for."""

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.rules.engine import challenge_violation, echoed, error_body_violation, success_body_violation


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
