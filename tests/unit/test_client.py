"""The documented request, varied one axis at a time (client.py)."""

import base64
import json
from urllib.parse import parse_qs

from revocation_contracts.model.contract import load_contract
from revocation_contracts.transport.client import Credentials, RevocationClient

CREDS = Credentials("id-1", "secret-1+/=")


def _client(name):
    return RevocationClient(load_contract(name), "http://127.0.0.1:9", CREDS)


def test_polar_default_is_form_body_credentials():
    request = _client("polar").build("tok+/=")
    assert request.method == "POST"
    assert request.url == "http://127.0.0.1:9/v1/oauth2/revoke"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    fields = parse_qs(request.body.decode())
    assert fields == {"token": ["tok+/="], "client_id": ["id-1"], "client_secret": ["secret-1+/="]}
    assert b"tok%2B%2F%3D" in request.body, "form values are percent-encoded (RFC 6749 appendix B)"


def test_basic_auth_puts_credentials_in_the_header_only():
    request = _client("polar").build("t", auth_method="basic")
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"id-1:secret-1+/=").decode()
    assert "client_secret" not in request.body.decode()


def test_voucherify_uses_vendor_headers_and_access_token_field():
    request = _client("voucherify").build("t")
    assert request.headers["X-App-Id"] == "id-1"
    assert request.headers["X-App-Token"] == "secret-1+/="
    assert parse_qs(request.body.decode()) == {"access_token": ["t"]}


def test_mollie_sends_basic_auth_and_the_required_hint():
    request = _client("mollie").build("t")
    assert request.method == "DELETE"
    assert request.headers["Authorization"].startswith("Basic ")
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"token": "t", "token_type_hint": "access_token"}


def test_auth0_default_is_json_body():
    request = _client("auth0").build("t")
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"token": "t", "client_id": "id-1", "client_secret": "secret-1+/="}


def test_token_in_query_string_leaves_the_body_without_token():
    request = _client("rfc7009").build("t", token_in_query=True)
    assert request.full_url.endswith("/revoke?token=t")
    assert "token=" not in (request.body or b"").decode()


def test_no_credentials_means_none_at_all():
    request = _client("rfc7009").build("t", credentials=None)
    assert "Authorization" not in request.headers
    assert "client_secret" not in request.body.decode()


def test_credentials_repr_hides_the_secret():
    assert "secret-1" not in repr(CREDS)
