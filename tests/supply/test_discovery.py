"""Discovery against real loopback servers: Authlib's metadata, and every way metadata goes wrong.

Each failure is a ``DiscoveryError`` with one line naming the URL and what to check; an
unreachable issuer is marked ``unreachable`` (exit 6), anything else is a supply problem
(exit 7). The last tests run the contract suite as a user would and read its exit code.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.supply.discovery import (
    DiscoveryError,
    apply_discovery,
    discover,
    narrow_contract,
    well_known_urls,
)
from revocation_contracts.transport.session import new_session

from .conftest import client_args

REPO = Path(__file__).resolve().parents[2]


def test_authlib_metadata_names_every_endpoint_and_method(authlib):
    with new_session() as session:
        metadata = discover(authlib.url, session, 5)
    assert metadata.source == authlib.url + "/.well-known/oauth-authorization-server"
    assert metadata.revocation_endpoint == authlib.url + "/oauth/revoke"
    assert metadata.token_endpoint == authlib.url + "/oauth/token"
    assert metadata.introspection_endpoint == authlib.url + "/oauth/introspect"
    assert metadata.suite_methods("revocation") == ("basic", "form-body")


def test_well_known_urls_follow_rfc8414_then_openid_connect():
    assert well_known_urls("https://auth.example.com/tenant1") == [
        "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
        "https://auth.example.com/tenant1/.well-known/openid-configuration",
    ]


def test_openid_configuration_is_the_fallback(scripted):
    scripted.json(
        "/.well-known/openid-configuration",
        {
            "issuer": scripted.url,
            "revocation_endpoint": scripted.url + "/revoke",
            "token_endpoint": scripted.url + "/t",
        },
    )
    with new_session() as session:
        metadata = discover(scripted.url, session, 5)
    assert metadata.source.endswith("/.well-known/openid-configuration")
    # RFC 8414 section 2: absent auth methods default to client_secret_basic.
    assert metadata.suite_methods("revocation") == ("basic",)
    narrowed = narrow_contract(load_contract("rfc7009"), metadata.suite_methods("revocation"))
    assert narrowed.client_auth.methods == ("basic",)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param("<html>login</html>", "did not answer JSON (RFC 8414 section 3.2)", id="not-json"),
        pytest.param(["a list"], "is not a JSON object (RFC 8414 section 3.2)", id="not-an-object"),
        pytest.param({"issuer": "https://other.example"}, "names issuer 'https://other.example', not", id="issuer"),
        pytest.param({"revocation_endpoint": "/revoke"}, "revocation_endpoint '/revoke' is not an absolute", id="rel"),
        pytest.param(
            {"revocation_endpoint_auth_methods_supported": "client_secret_basic"},
            "revocation_endpoint_auth_methods_supported is not a list of strings",
            id="methods",
        ),
    ],
)
def test_bad_metadata_is_one_line(scripted, document, message):
    path = "/.well-known/oauth-authorization-server"
    if isinstance(document, str):
        scripted.text(path, document)
    else:
        if isinstance(document, dict):
            document = {"issuer": scripted.url, **document}
        scripted.json(path, document)
    with new_session() as session, pytest.raises(DiscoveryError) as caught:
        discover(scripted.url, session, 5)
    text = str(caught.value)
    assert message in text and "\n" not in text and not caught.value.unreachable, text


def test_an_issuer_without_metadata_says_what_to_give_instead(authlib_bare):
    with new_session() as session, pytest.raises(DiscoveryError) as caught:
        discover(authlib_bare.url, session, 5)
    text = str(caught.value)
    assert "no metadata" in text and "oauth-authorization-server answered 404" in text, text
    assert "openid-configuration answered 404" in text and "--token-endpoint" in text, text


def test_an_unreachable_issuer_is_a_target_problem(closed_port_url):
    with new_session() as session, pytest.raises(DiscoveryError) as caught:
        discover(closed_port_url, session, 5)
    assert caught.value.unreachable
    assert str(caught.value).startswith("--issuer: connection refused by 127.0.0.1"), str(caught.value)


def test_methods_the_server_does_not_offer_are_not_tested_and_none_left_is_an_error():
    rfc7009 = load_contract("rfc7009")
    assert narrow_contract(rfc7009, ("form-body",)).client_auth.methods == ("form-body",)
    assert narrow_contract(rfc7009, None) is rfc7009
    with pytest.raises(DiscoveryError, match="offers none of the rfc7009 contract's client authentication methods"):
        narrow_contract(rfc7009, ())
    # Methods metadata cannot describe (a vendor's key headers) stay.
    voucherify = load_contract("voucherify")
    assert narrow_contract(voucherify, ("basic",)).client_auth.methods == ("headers",)


def test_the_revocation_endpoint_replaces_the_spec_path(authlib):
    from revocation_contracts.pytest_plugin.settings import Settings

    settings = Settings(
        specs=("rfc7009",), target_url=None, endpoint_path=None, client_id="a", client_secret="b",
        second_client_id=None, second_client_secret=None, token_command=None, probe_command=None,
        max_examples=5, request_timeout=5, rate_limit=None, strict=False, reference_bugs=frozenset(),
        issuer=authlib.url,
    )  # fmt: skip
    applied = apply_discovery(settings)
    assert (applied.target_url, applied.endpoint_path) == (authlib.url, "/oauth/revoke")
    assert [contract.path for contract in applied.contracts()] == ["/oauth/revoke"]


def run_suite(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", str(REPO / "tests" / "contract"), "-p", "no:cacheprovider", "-q"]
    return subprocess.run(
        [*command, "--spec", "rfc7009", *client_args(second=False), *args],
        capture_output=True, text=True, timeout=120, check=False, cwd=REPO,
    )  # fmt: skip


def test_discovery_failures_end_the_run_with_one_line_and_the_setup_exit_code(scripted, closed_port_url):
    scripted.json("/.well-known/oauth-authorization-server", {"issuer": "https://elsewhere.example"})
    bad = run_suite("--issuer", scripted.url)
    assert bad.returncode == 7, bad.stdout + bad.stderr
    assert "revocation-contracts: --issuer: the metadata at" in bad.stdout + bad.stderr
    assert "Traceback" not in bad.stdout + bad.stderr
    unreachable = run_suite("--issuer", closed_port_url)
    assert unreachable.returncode == 6, unreachable.stdout + unreachable.stderr
    assert "connection refused" in unreachable.stdout + unreachable.stderr


def test_the_report_names_the_discovered_revocation_endpoint(scripted, tmp_path):
    """--issuer without --target-url: the report's target is the metadata's revocation endpoint
    (it was the settings from before discovery: "embedded reference servers")."""
    scripted.json(
        "/.well-known/oauth-authorization-server",
        {"issuer": scripted.url, "revocation_endpoint": scripted.url + "/oauth2/v1/revoke"},
    )
    scripted.json("/oauth2/v1/revoke", {"error": "invalid_request"}, status=400)
    report = tmp_path / "report.md"
    run = run_suite("--issuer", scripted.url, "-k", "missing_token", "--report", str(report))
    assert run.returncode in (0, 1), run.stdout + run.stderr
    assert (
        f"- Target: {scripted.url}/oauth2/v1/revoke (revocation_endpoint of --issuer {scripted.url})"
        in report.read_text(encoding="utf-8")
    )
