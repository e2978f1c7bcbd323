"""The token supply's gate: one grant and one probe before the first test (issue 18).

A token endpoint that refuses the grant ends the run with one line naming the option to
change and exit 7, before any test, with or without ``-n``; JUnit carries the reason. A supply
that mints and probes hands over to the tests, and the gate's grant is revoked at the end with
the other tokens the suite minted. Every server here is a loopback stand-in (``loopback.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from revocation_contracts.pytest_plugin.runstatus import EXIT_TOKEN_SUPPLY

from .loopback import CONTRACT_SUITE, CREDENTIALS, CannedServer, assert_one_clear_line

JSON = {"Content-Type": "application/json"}
GATE_TOKEN = "rc-gate-token-5b1d9e"
SUPPLY = ("--token-endpoint", "/oauth/token", "--introspection-endpoint", "/introspect")
REFUSED = (
    "revocation-contracts: token supply failed before the tests: minting with --grant client_credentials at the "
    "token endpoint: POST {url}/oauth/token refused the grant for 'rc-client': 403 with an empty body "
    "(RFC 6749 section 5.2); the server may require a scope (pass --scope) or refuse this client the "
    "client_credentials grant (pass --grant password*"
)


def run(pytester: pytest.Pytester, server: CannedServer, *extra: str) -> pytest.RunResult:
    return pytester.runpytest(
        "-p", "no:cacheprovider", "--spec", "rfc7009", "--target-url", server.base_url, *CREDENTIALS, *extra
    )


def assert_gated(result: pytest.RunResult, line: str, pytester: pytest.Pytester) -> None:
    """Exit 7, the line on stderr exactly once, no test run, no traceback, the reason in JUnit."""
    assert result.ret == EXIT_TOKEN_SUPPLY, result.stdout.str()[-3000:]
    result.stderr.fnmatch_lines([f"Exit: {line}"])
    assert sum("revocation-contracts:" in text for text in result.errlines) == 1
    result.assert_outcomes(errors=1)  # the gate's own report; no test ran
    assert_one_clear_line(result)
    junit = (pytester.path / "junit.xml").read_text()
    assert "token supply failed before the tests" in junit


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "xdist"])
def test_a_refused_grant_ends_the_run_naming_the_scope(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer], workers: tuple[str, ...]
) -> None:
    """A server that wants a scope answers the token request 403 with an empty body; it answers the
    revocation endpoint the same way, so the contract suite would also fail: exit 7 still, one line."""
    server = canned_server(403)
    result = run(pytester, server, str(CONTRACT_SUITE), *SUPPLY, "--junitxml", "junit.xml", *workers)
    assert_gated(result, REFUSED.format(url=server.base_url), pytester)
    assert server.requests == ["POST /revoke", "POST /oauth/token"]


def test_a_run_narrowed_to_schema_and_protocol_skips_the_gate(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer]
) -> None:
    """``--checks schema,protocol`` uses no live token, so a refusing token endpoint does not end it."""
    server = canned_server(403)
    pytester.makepyfile(test_uses_target="def test_uses_target(target):\n    assert target.url\n")
    result = run(pytester, server, *SUPPLY, "--checks", "schema,protocol")
    assert result.ret == 0, result.stdout.str()[-3000:]
    assert "POST /oauth/token" not in server.requests


def test_a_fresh_token_the_probe_calls_dead_ends_the_run(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer]
) -> None:
    """A probe that cannot tell a live token from a dead one would pass every revocation for nothing."""
    server = canned_server(200, JSON, json.dumps({"access_token": GATE_TOKEN, "active": False}).encode())
    pytester.makepyfile(test_uses_target="def test_uses_target(target):\n    assert target.url\n")
    result = run(pytester, server, *SUPPLY, "--junitxml", "junit.xml")
    assert_gated(
        result,
        "revocation-contracts: token supply failed before the tests: the probe calls the access_token of a grant "
        "minted a moment ago inactive; check how the suite probes tokens: --introspection-endpoint, "
        "--resource-url or --probe-command",
        pytester,
    )
    assert GATE_TOKEN not in result.stdout.str() + result.stderr.str()


def test_a_failing_token_command_ends_the_run(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer]
) -> None:
    server = canned_server(401)
    pytester.makepyfile(test_uses_target="def test_uses_target(target):\n    assert target.url\n")
    result = run(pytester, server, "--token-command", "echo no grant for rc-secret-value-9f2e >&2; exit 3")
    assert result.ret == EXIT_TOKEN_SUPPLY
    result.stderr.fnmatch_lines(
        [
            "Exit: revocation-contracts: token supply failed before the tests: --token-command exited with 3; "
            "stderr: no grant for [[]REDACTED[]]; check --token-command / --probe-command by running them by hand"
        ]
    )
    assert "rc-secret-value-9f2e" not in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "xdist"])
def test_the_gates_grant_is_revoked_at_the_end(
    pytester: pytest.Pytester, canned_server: Callable[..., CannedServer], workers: tuple[str, ...]
) -> None:
    """Minted once, probed once, then the tests run; at the end the live token is revoked like any
    token the suite minted and left behind (under xdist by the controller, which minted it)."""
    server = canned_server(200, JSON, json.dumps({"access_token": GATE_TOKEN, "active": True}).encode())
    pytester.makepyfile(test_uses_target="def test_uses_target(target):\n    assert target.url\n")
    result = run(pytester, server, *SUPPLY, *workers)
    assert result.ret == 0, result.stdout.str()[-3000:]
    result.assert_outcomes(passed=1)
    assert server.requests == ["POST /revoke", "POST /oauth/token", "POST /introspect", "POST /revoke"]
    revoked = server.received[-1][2].decode()
    assert f"token={GATE_TOKEN}" in revoked
    # Said before the pause, and counted (progress.py): the revocation, the mint and the probe.
    result.stdout.fnmatch_lines(
        [
            "revocation-contracts: revoking 1 leftover token the suite minted...",
            "*revocation-contracts: requests and time*",
            "rfc7009: 1 request to the endpoint, 2 to the token supply",
            "leftover tokens: revoked 1 of 1 in *s",
            "whole run: *s, the checks before the tests and the leftover revocation included",
        ]
    )


@pytest.mark.parametrize(
    ("grant", "status", "error", "names"),
    [
        ("client_credentials", 400, "invalid_scope", "--scope"),
        ("client_credentials", 400, "unauthorized_client", "another --grant"),
        ("client_credentials", 400, "unsupported_grant_type", "another --grant"),
        ("client_credentials", 401, "invalid_client", "--client-secret"),
        ("password", 400, "invalid_grant", "--username and --password"),
        ("refresh_token", 400, "invalid_grant", "--refresh-token"),
        ("client_credentials", 403, "with an empty body", "pass --scope"),
        ("client_credentials", 400, "a body that is not JSON", "pass --scope"),
    ],
)
def test_a_refusal_names_the_option_to_change(grant: str, status: int, error: str, names: str) -> None:
    from revocation_contracts.supply.minting import refusal_hint

    assert names in refusal_hint(grant, status, error)
