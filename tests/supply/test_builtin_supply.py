"""The built-in supply against Authlib on loopback: minting, probing, and each supply failure.

Every failure is a ``TokenSupplyError`` whose message is one line naming the endpoint and
the answer (RFC 6749 section 5.2 error codes included), with no secret in it.
"""

from __future__ import annotations

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.redact import Redactor
from revocation_contracts.supply.builtin import SupplyOptions, build_supply
from revocation_contracts.supply.minting import MintSettings, TokenEndpointMinter
from revocation_contracts.supply.overlap import DEPTH
from revocation_contracts.supply.probing import IntrospectionProber, ResourceProber
from revocation_contracts.supply.tokens import TokenSupplyError
from revocation_contracts.transport.client import Credentials
from revocation_contracts.transport.session import new_session
from tests.libraries.authlib_server import CLIENTS, USER
from tests.supply.conftest import authlib_pool, client_args

(A_ID, (A_SECRET, _)), (B_ID, (B_SECRET, _)) = CLIENTS.items()
A, B = Credentials(A_ID, A_SECRET), Credentials(B_ID, B_SECRET)
PASSWORD = {"grant": "password", "username": USER[0], "password": USER[1], "scope": "offline_access"}
RFC7009 = load_contract("rfc7009")


def supply_for(server, metadata=None, **options):
    redactor = Redactor(A_SECRET, B_SECRET)
    supply = build_supply(SupplyOptions(**options), RFC7009, server.url, metadata, new_session(), 5, redactor)
    assert supply is not None
    return supply, redactor


def revoke(server, creds, token):
    import requests

    answer = requests.post(
        server.url + "/oauth/revoke", data={"token": token}, auth=(creds.client_id, creds.client_secret)
    )
    assert answer.status_code == 200


def one_line(error: pytest.ExceptionInfo[TokenSupplyError]) -> str:
    text = str(error.value)
    assert "\n" not in text and A_SECRET not in text and B_SECRET not in text, text
    return text


@pytest.fixture(scope="module")
def metadata(authlib):
    from revocation_contracts.supply.discovery import discover

    with new_session() as session:
        return discover(authlib.url, session, 5)


def test_client_credentials_and_introspection(authlib, metadata):
    supply, redactor = supply_for(authlib, metadata)
    grant = supply.mint(A)
    assert set(grant.tokens) == {"access_token"}  # RFC 6749 section 4.4.3: no refresh token
    token = grant.tokens["access_token"]
    assert redactor(f"sent {token}") == "sent [REDACTED]"
    assert supply.is_active(token)
    other = supply.mint(B)  # client_secret_post and client_secret_basic both work; asked as the owner
    assert supply.is_active(other.tokens["access_token"])
    revoke(authlib, A, token)
    assert not supply.is_active(token)
    # Left for the end-of-session revocation: the live one, and the grants minted ahead
    # (supply/overlap.py, DEPTH per client), every one of them live, each kept with its owner.
    leftovers = supply.leftovers()
    values = [value for _, _, value in leftovers]
    assert other.tokens["access_token"] in values and token not in values
    assert len(values) == 1 + 2 * DEPTH
    assert all(supply.is_active(value) for value in values)
    assert {owner.client_id for owner, _, _ in leftovers} == {A.client_id, B.client_id}
    supply.close()


def test_grants_minted_ahead_are_distinct_and_handed_out_in_order(authlib, metadata):
    """overlap.py: with the mint-ahead queue every mint still hands out a fresh grant."""
    supply, _ = supply_for(authlib, metadata)
    tokens = [supply.mint(A).tokens["access_token"] for _ in range(2 * DEPTH + 1)]
    assert len(set(tokens)) == len(tokens)
    answers = supply.probe_ahead(tokens)
    assert [answer() for answer in answers] == [True] * len(tokens)
    supply.close()


def test_password_grant_gives_refresh_tokens_probed_by_introspection(authlib, metadata):
    supply, _ = supply_for(authlib, metadata, **PASSWORD)
    grant = supply.mint(B)
    assert set(grant.tokens) == {"access_token", "refresh_token"}
    assert supply.is_active(grant.tokens["refresh_token"])
    revoke(authlib, B, grant.tokens["refresh_token"])
    assert not supply.is_active(grant.tokens["refresh_token"])
    assert not supply.is_active(grant.tokens["access_token"])


def test_without_metadata_introspection_of_access_tokens_only_falls_back_to_the_refresh_grant(authlib_bare):
    supply, _ = supply_for(
        authlib_bare, token_endpoint="/oauth/token", introspection_endpoint="/oauth/introspect", **PASSWORD
    )
    grant = supply.mint(A)
    assert supply.is_active(grant.tokens["access_token"])
    # Introspection calls the refresh token inactive; the refresh grant says alive (and, on this
    # rotating server, consumes it: RFC 6749 section 6 "MAY revoke the old refresh token").
    assert supply.is_active(grant.tokens["refresh_token"])
    second = supply.mint(A)
    revoke(authlib_bare, A, second.tokens["refresh_token"])
    assert not supply.is_active(second.tokens["refresh_token"])  # refresh grant: invalid_grant


def test_refresh_token_seed_rotates_and_hands_out_access_tokens_only(authlib_bare):
    seed_supply, _ = supply_for(authlib_bare, token_endpoint="/oauth/token", **PASSWORD)
    seed = seed_supply.mint(A).tokens["refresh_token"]
    supply, redactor = supply_for(
        authlib_bare,
        token_endpoint="/oauth/token",
        introspection_endpoint="/oauth/introspect",
        grant="refresh_token",
        refresh_token=seed,
    )
    first, second = supply.mint(A), supply.mint(A)  # the server rotates: the second uses the new seed
    assert set(first.tokens) == set(second.tokens) == {"access_token"}
    assert supply.is_active(second.tokens["access_token"])
    assert redactor(seed) == "[REDACTED]"
    with pytest.raises(TokenSupplyError) as caught:
        supply.mint(B)
    assert "the --refresh-token seed belongs to 'authlib-client-a'" in one_line(caught)


def test_resource_probe(authlib, metadata):
    supply, _ = supply_for(authlib, metadata, resource_url="/api/me")
    token = supply.mint(A).tokens["access_token"]
    assert isinstance(supply.probes.by_kind["access_token"], ResourceProber)
    assert supply.is_active(token)
    revoke(authlib, A, token)
    assert not supply.is_active(token)


def test_unreachable_token_endpoint(authlib, closed_port_url):
    supply, _ = supply_for(authlib, token_endpoint=closed_port_url + "/oauth/token")
    with pytest.raises(TokenSupplyError) as caught:
        supply.mint(A)
    assert one_line(caught).startswith(
        "minting with --grant client_credentials at the token endpoint: connection refused by 127.0.0.1"
    )


BAD_CLIENT = Credentials(A_ID, "wrong-secret")
REFUSED = "refused the grant for 'authlib-client-a': "


@pytest.mark.parametrize(
    ("creds", "options", "expected"),
    [
        pytest.param(BAD_CLIENT, {}, REFUSED + "401 invalid_client", id="bad-client"),
        # RFC 6749 section 5.2 names invalid_grant for bad resource owner credentials; Authlib answers
        # invalid_request (authlib/oauth2/rfc6749/grants/resource_owner_password_credentials.py:105).
        pytest.param(A, {**PASSWORD, "password": "wrong-password"}, REFUSED + "400 invalid_request", id="bad-user"),
    ],
)
def test_grant_refused(authlib, metadata, creds, options, expected):
    supply, _ = supply_for(authlib, metadata, **options)
    with pytest.raises(TokenSupplyError) as caught:
        supply.mint(creds)
    text = one_line(caught)
    assert expected in text and "wrong-password" not in text, text


def test_introspection_refused(authlib, metadata):
    supply, _ = supply_for(authlib, metadata)
    token = supply.mint(A).tokens["access_token"]
    prober = IntrospectionProber(metadata.introspection_endpoint, "basic", new_session(), 5)
    with pytest.raises(TokenSupplyError) as caught:
        prober.is_active(token, "access_token", Credentials(A_ID, "wrong-secret"))
    assert one_line(caught) == (
        f"probing by introspection: POST {metadata.introspection_endpoint} refused: 401 invalid_client "
        "(RFC 7662 section 2.3)"
    )


def test_non_json_answers(scripted):
    scripted.text("/oauth/token", "<html>maintenance</html>")
    scripted.text("/introspect", "active")
    minter = TokenEndpointMinter(MintSettings(scripted.url + "/oauth/token"), new_session(), 5, Redactor())
    with pytest.raises(TokenSupplyError) as caught:
        minter.mint(A)
    assert one_line(caught).endswith("/oauth/token answered 200 with a body that is not JSON")
    prober = IntrospectionProber(scripted.url + "/introspect", "basic", new_session(), 5)
    with pytest.raises(TokenSupplyError) as caught:
        prober.is_active("tok-123456", "access_token", A)
    assert one_line(caught).endswith("/introspect answered 200 with a body that is not JSON")
    scripted.json("/introspect", {"active": "yes"})
    with pytest.raises(TokenSupplyError) as caught:
        prober.is_active("tok-123456", "access_token", A)
    assert "without a boolean 'active' (RFC 7662 section 2.2)" in one_line(caught)


def test_vendor_supply_is_data_in_the_spec(scripted):
    """Voucherify's spec declares its mint and probe; the engine reads them, no vendor name in code."""
    voucherify = load_contract("voucherify")
    supply = build_supply(SupplyOptions(), voucherify, scripted.url, None, new_session(), 5, Redactor())
    assert supply is not None
    scripted.json("/v1/oauth/token", {"access_token": "vf-access-123456", "token_type": "bearer"})
    scripted.json("/v1/oauth/introspect", {"active": False})
    grant = supply.mint(A)
    assert grant.tokens == {"access_token": "vf-access-123456"}
    assert supply.is_active("vf-access-123456") is False
    # Auth0's block mints with the password grant: without a test user there is no supply.
    assert (
        build_supply(SupplyOptions(), load_contract("auth0"), scripted.url, None, new_session(), 5, Redactor()) is None
    )


def test_the_pool_revokes_the_live_tokens_it_minted_and_left_behind(authlib, metadata):
    """Only its own: a token minted elsewhere (here: directly at Authlib) is left alone."""
    import requests

    pool, target = authlib_pool(authlib)
    assert target.auth_methods_offered == ("basic", "form-body")
    mine = [target.tokens.mint(A).tokens["access_token"], target.tokens.mint(B).tokens["access_token"]]
    theirs = requests.post(
        authlib.url + "/oauth/token", data={"grant_type": "client_credentials"}, auth=(A_ID, A_SECRET), timeout=5
    ).json()["access_token"]
    pool.close()
    prober = IntrospectionProber(metadata.introspection_endpoint, "basic", new_session(), 5)
    assert [prober.is_active(token, "access_token", owner) for token, owner in zip(mine, (A, B), strict=True)] == [
        False,
        False,
    ]
    assert prober.is_active(theirs, "access_token", A)


def test_a_built_in_supply_failure_names_the_options_to_check_not_the_commands():
    from revocation_contracts.pytest_plugin.runstatus import TOKEN_SUPPLY, problem_of
    from revocation_contracts.supply.tokens import BuiltinSupplyError

    problem = problem_of(BuiltinSupplyError("probing by introspection: POST x refused: 401 invalid_client"))
    assert problem is not None and problem.kind == TOKEN_SUPPLY
    assert problem.message.endswith("(--issuer, --token-endpoint, --introspection-endpoint, --resource-url, --grant)")
    assert "--token-command" not in problem.message


HUGE = "x" * (2 * 1024 * 1024)


def test_oversized_answers_are_supply_errors(scripted):
    """A supply endpoint answering past the body cap is a setup error of one line, not a verdict
    (``OversizedAnswer`` is the contract failure ``PIN-answer-size`` only for the endpoint under test)."""
    from revocation_contracts.supply.discovery import DiscoveryError, discover

    for path in ("/oauth/token", "/introspect", "/me", "/.well-known/oauth-authorization-server"):
        scripted.text(path, HUGE, media_type="application/json")
    minter = TokenEndpointMinter(MintSettings(scripted.url + "/oauth/token"), new_session(), 5, Redactor())
    with pytest.raises(TokenSupplyError) as caught:
        minter.mint(A)
    assert one_line(caught).endswith(f"POST {scripted.url}/oauth/token answered more than 1000000 bytes")
    prober = IntrospectionProber(scripted.url + "/introspect", "basic", new_session(), 5)
    with pytest.raises(TokenSupplyError) as caught:
        prober.is_active("tok-123456", "access_token", A)
    assert one_line(caught).endswith("/introspect answered more than 1000000 bytes")
    with pytest.raises(TokenSupplyError) as caught:
        ResourceProber(scripted.url + "/me", new_session(), 5).is_active("tok-123456", "access_token", A)
    assert one_line(caught).endswith(f"GET {scripted.url}/me answered more than 1000000 bytes")
    with new_session() as session, pytest.raises(DiscoveryError, match=r"answered more than 1000000 bytes$"):
        discover(scripted.url, session, 5)


def test_an_oversized_token_endpoint_ends_the_run_as_a_supply_failure(pytester, scripted):
    """Through the plugin: exit 7 and one error line, no contract failure."""
    from revocation_contracts.pytest_plugin.runstatus import EXIT_TOKEN_SUPPLY

    scripted.text("/oauth/token", HUGE, media_type="application/json")
    scripted.json("/revoke", {"error": "invalid_request"}, status=400)
    pytester.makepyfile(
        test_mint="def test_mint(target):\n    target.tokens.mint(target.credentials)\n",
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--spec", "rfc7009", "--target-url", scripted.url, *client_args(second=False),
        "--token-endpoint", "/oauth/token", "--resource-url", scripted.url + "/me", "--junitxml", "junit.xml",
    )  # fmt: skip
    assert result.ret == EXIT_TOKEN_SUPPLY, result.stdout.str()[-3000:]
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*token supply failed before the tests: minting with --grant client_credentials*than 1000000 bytes*"]
    )
    assert "PIN-answer-size" not in result.stdout.str()
    assert "<failure " not in (pytester.path / "junit.xml").read_text()
