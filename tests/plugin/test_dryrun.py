"""``--dry-run``: the plan of the real suite, per contract, and not one request sent."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .loopback import CONTRACT_SUITE, CREDENTIALS, CannedServer

SECRET = CREDENTIALS[-1]


@pytest.fixture
def counting_server(canned_server: Callable[..., CannedServer]) -> CannedServer:
    """A target that would accept anything, and counts what it receives."""
    return canned_server(200, {"Content-Type": "application/json"}, b"{}")


def test_dry_run_sends_nothing(pytester: pytest.Pytester, counting_server: CannedServer) -> None:
    result = pytester.runpytest(
        str(CONTRACT_SUITE), "--spec", "all", "--target-url", counting_server.base_url, *CREDENTIALS,
        "--token-command", f"./mint-grant --secret {SECRET}", "--probe-command", "./is-active",
        "--rate-limit", "5/s", "--dry-run",
    )  # fmt: skip
    assert result.ret == 0
    assert counting_server.requests == []
    base = counting_server.base_url
    result.stdout.fnmatch_lines(
        [
            "revocation-contracts dry run: the plan below was not sent; nothing left this process.",
            "polar: *",
            f"  endpoint:      POST {base}/v1/oauth2/revoke",
            "  media types:   application/x-www-form-urlencoded",
            "  credentials:   client 'rc-client', secret [[]REDACTED[]], by form body (fields client_id and "
            "client_secret); or by HTTP Basic (the Authorization header carries id and secret)",
            "  second client: none: the cross-client checks are skipped*",
            "  tokens:        minted by --token-command './mint-grant --secret [[]REDACTED[]]', "
            "probed by --probe-command './is-active'",
            "  pacing:        at most 5 requests/s; timeout 10s per request; 429/503 retried up to 3 times*",
            "  schema tests (1): generated from the OpenAPI document by schemathesis: phases examples, coverage, "
            "fuzzing; positive and negative data; up to 50 examples per phase*",
            "    test_schema.py::test_schema_conformance [[]POST:/v1/oauth2/revoke[]]",
            "  explicit tests (*): one deliberate request (or a few) each",
            "    test_protocol.py::test_unknown_token_answer: RFC 7009 2.2: *",
            # POST, polar's documented method, is not collected for polar: it does not apply.
            "    test_protocol.py::test_undocumented_method_is_refused [[]GET, PUT, PATCH, DELETE[]]: *RFC 7009 2.1*",
            "voucherify: *",
            f"  endpoint:      POST {base}/v1/oauth/token/revoke",
            "  credentials:   client 'rc-client', secret [[]REDACTED[]], by headers X-App-Id and X-App-Token",
            "mollie: *",
            f"  endpoint:      DELETE {base}/oauth2/tokens",
            "  media types:   application/json, application/x-www-form-urlencoded",
            "auth0: *",
            "rfc7009: *",
            f"  endpoint:      POST {base}/revoke",
            "okta: *",
            f"  endpoint:      POST {base}/oauth2/default/v1/revoke",
            "google: *",
            "github: *",
            f"  endpoint:      DELETE {base}/applications/rc-client/token",
            "* test(s) planned for 8 contract(s); all deselected, no request sent (drop --dry-run to run them).",
        ]
    )
    assert SECRET not in result.stdout.str() + result.stderr.str()


def test_dry_run_against_the_embedded_servers(pytester: pytest.Pytester) -> None:
    """No target: the plan names the embedded server; none is started."""
    result = pytester.runpytest(str(CONTRACT_SUITE / "test_protocol.py"), "--spec", "mollie", "--dry-run")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "mollie: *",
            "  endpoint:      DELETE http://127.0.0.1:<port chosen at start>/oauth2/tokens (embedded reference "
            "server, loopback only)",
            "  second client: the embedded server's second client (cross-client checks)",
            "  tokens:        minted and probed through the embedded server's test-only endpoints",
        ]
    )
    assert "schema tests" not in result.stdout.str()


def test_dry_run_follows_selection(pytester: pytest.Pytester, counting_server: CannedServer) -> None:
    """The plan is the run: -k deselects from it like from the run."""
    result = pytester.runpytest(
        str(CONTRACT_SUITE / "test_protocol.py"), "--spec", "rfc7009", "--target-url", counting_server.base_url,
        *CREDENTIALS, "--dry-run", "-k", "unknown_token",
    )  # fmt: skip
    assert result.ret == 0
    result.stdout.fnmatch_lines(["    test_protocol.py::test_unknown_token_answer: *", "1 test(s) planned for 1 *"])
    assert "test_missing_token" not in result.stdout.str()
    assert counting_server.requests == []


def test_dry_run_with_nothing_selected_says_so(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(str(CONTRACT_SUITE / "test_protocol.py"), "--dry-run", "-k", "no_such_test")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_dry_run_under_xdist_plans_in_one_process(pytester: pytest.Pytester, counting_server: CannedServer) -> None:
    """With -n, the plan is still printed (by the controller, with no worker started)."""
    result = pytester.runpytest(
        str(CONTRACT_SUITE / "test_protocol.py"), "--spec", "rfc7009", "--target-url", counting_server.base_url,
        *CREDENTIALS, "--dry-run", "-n", "2",
    )  # fmt: skip
    assert result.ret == 0
    result.stdout.fnmatch_lines(["rfc7009: *", "* test(s) planned for 1 contract(s); *"])
    assert "created: 2/2 workers" not in result.stdout.str()
    assert counting_server.requests == []


def test_dry_run_env_twin(
    pytester: pytest.Pytester, counting_server: CannedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVOKE_DRY_RUN", "1")
    result = pytester.runpytest(
        str(CONTRACT_SUITE / "test_protocol.py"), "--spec", "auth0", "--target-url", counting_server.base_url,
        *CREDENTIALS,
    )  # fmt: skip
    assert result.ret == 0
    result.stdout.fnmatch_lines(["auth0: *"])
    assert counting_server.requests == []
