"""The preflight probe: a target that is not there ends the run before the first test, with
one line saying what went wrong and what to check, and exit code 6 (not 1: no contract was
judged). Every target here is on loopback, misbehaving in one way."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from revocation_contracts.model.contract import BUNDLED_NAMES, load_contract
from revocation_contracts.pytest_plugin.runstatus import EXIT_TARGET, EXIT_TOKEN_SUPPLY
from revocation_contracts.reference.server import ReferenceServer

from .loopback import CREDENTIALS, CannedServer, assert_one_clear_line

JSON = {"Content-Type": "application/json"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
NOT_POST = "the answer of a server that does not take POST here"
CATCH_ALL = "a static site's or an application's catch-all answer"
# A plain web server lives at most this long, whatever happens to the test that started it.
WEB_SERVER_LIFETIME = 60


@contextlib.contextmanager
def plain_web_server(directory: Path) -> Iterator[str]:
    """``python -m http.server`` on a loopback port the kernel picks, serving ``directory``;
    bounded by ``timeout`` and stopped by its pid."""
    command = ["timeout", str(WEB_SERVER_LIFETIME), sys.executable, "-u", "-m", "http.server", "0"]
    command += ["--bind", "127.0.0.1"]
    process = subprocess.Popen(command, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (http://127.0.0.1:N/) ..."
        yield "http://127.0.0.1:" + line.split(" port ")[1].split()[0]
    finally:
        process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def run(pytester: pytest.Pytester, url: str, *extra: str) -> pytest.RunResult:
    return pytester.runpytest("--spec", "rfc7009", "--target-url", url, *CREDENTIALS, *extra)


def assert_stopped(result: pytest.RunResult, line: str) -> None:
    """Exit 6, the line on stderr exactly once, no test run, no traceback."""
    assert result.ret == EXIT_TARGET
    result.stderr.fnmatch_lines([f"Exit: revocation-contracts: {line}"])
    assert sum("revocation-contracts:" in text for text in result.errlines) == 1
    assert "test_uses_target" not in result.stdout.str()
    assert_one_clear_line(result)


def test_dns_failure(uses_target: pytest.Pytester) -> None:
    result = run(uses_target, "http://rc-preflight.invalid")
    assert_stopped(
        result,
        "DNS failure: cannot resolve host 'rc-preflight.invalid' (POST http://rc-preflight.invalid/revoke); "
        "check the host name in --target-url and this runner's DNS",
    )


def test_connection_refused(uses_target: pytest.Pytester, closed_port: int) -> None:
    result = run(uses_target, f"http://127.0.0.1:{closed_port}")
    assert_stopped(
        result,
        f"connection refused by 127.0.0.1 (POST http://127.0.0.1:{closed_port}/revoke); "
        "check that the server is running and the port in --target-url",
    )


def test_tls_error(uses_target: pytest.Pytester, canned_server: Callable[..., CannedServer]) -> None:
    """https:// pointed at a plain-HTTP server: the handshake fails."""
    server = canned_server(400)
    https = server.base_url.replace("http://", "https://")
    result = run(uses_target, https)
    assert_stopped(
        result,
        f"TLS error talking to POST {https}/revoke: *; check the scheme (http:// or https://) in --target-url "
        "and the server certificate (set REQUESTS_CA_BUNDLE for a private CA)",
    )


def test_timeout(uses_target: pytest.Pytester, silent_port: int) -> None:
    result = run(uses_target, f"http://127.0.0.1:{silent_port}", "--request-timeout", "0.3")
    assert_stopped(
        result,
        f"timeout: no answer from POST http://127.0.0.1:{silent_port}/revoke within 0.3s; check that the target "
        "is reachable from this runner (firewall, VPN, proxy) or raise --request-timeout",
    )


def test_wrong_endpoint_path_is_not_the_endpoint(uses_target: pytest.Pytester) -> None:
    """A real revocation server, asked on the wrong path, answers 404."""
    with ReferenceServer(load_contract("rfc7009")) as server:
        result = run(uses_target, server.base_url, "--endpoint-path", "/oauth2/revoke")
    assert_stopped(
        result,
        f"POST {server.base_url}/oauth2/revoke answered 404: this is not the rfc7009 revocation endpoint; "
        "check --target-url (the base URL, without the path) and --endpoint-path (given: /oauth2/revoke)",
    )


def test_base_url_with_the_path_is_not_the_endpoint(
    uses_target: pytest.Pytester, canned_server: Callable[..., CannedServer]
) -> None:
    server = canned_server(404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>")
    result = run(uses_target, server.base_url + "/revoke")
    assert_stopped(
        result,
        f"POST {server.base_url}/revoke/revoke answered 404: *check --target-url (the base URL, without the path) "
        "or pass --endpoint-path if the endpoint is not at the spec's path /revoke",
    )


def test_redirect_is_not_followed(uses_target: pytest.Pytester, canned_server: Callable[..., CannedServer]) -> None:
    server = canned_server(301, {"Location": "https://auth.example.com/revoke"})
    result = run(uses_target, server.base_url)
    assert_stopped(result, "*answered 301, redirecting to https://auth.example.com/revoke; *pass the final base URL*")
    assert server.requests == ["POST /revoke"]


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (400, {}, b""),
        (400, JSON, b'{"error":"invalid_request"}'),
        (400, HTML, b"<html><body>Bad Request</body></html>"),
        (401, {}, b""),
        (401, JSON, b'{"error":"invalid_client"}'),
        (403, HTML, b"<h1>Forbidden</h1>"),
        (415, {}, b""),
        (422, JSON, b'{"status":422,"title":"Unprocessable Entity","detail":"token"}'),
        (200, {}, b""),
        (200, JSON, b"{}"),
        (200, {"Content-Type": "text/plain"}, b"OK"),
        (204, {}, b""),
        (429, {}, b""),
        (500, HTML, b"<html>Internal Server Error</html>"),
        (503, {}, b""),
    ],
)
def test_an_answer_a_revocation_endpoint_may_give_passes(
    uses_target: pytest.Pytester,
    canned_server: Callable[..., CannedServer],
    status: int,
    headers: dict[str, str],
    body: bytes,
) -> None:
    """Whatever a real endpoint may answer an empty request without credentials: a refusal with
    or without a JSON error body, a lenient success, a server error (the tests' finding), 429 or
    503 (the tests wait): the tests judge it."""
    server = canned_server(status, {"Retry-After": "0", **headers}, body)
    result = run(uses_target, server.base_url)
    assert result.ret == 0
    result.assert_outcomes(passed=1)
    assert server.requests == ["POST /revoke"]


@pytest.mark.parametrize(
    ("status", "headers", "body", "says"),
    [
        (405, HTML, b"<html>405 Not Allowed</html>", f"405 (Method Not Allowed), {NOT_POST}"),
        (405, {}, b"", "405 (Method Not Allowed)*"),
        (501, HTML, b"<!DOCTYPE HTML><html>Unsupported method</html>", "501 (Not Implemented)*"),
        (200, HTML, b"<!doctype html><title>My app</title>", f"200 with a web page (text/html), {CATCH_ALL}"),
        (200, {"Content-Type": "application/octet-stream"}, b"  <html><body>index</body></html>", "200 with a web*"),
    ],
)
def test_an_answer_no_revocation_endpoint_gives_stops_the_run(
    uses_target: pytest.Pytester,
    canned_server: Callable[..., CannedServer],
    status: int,
    headers: dict[str, str],
    body: bytes,
    says: str,
) -> None:
    """The documented method refused as a method (a plain web server's 405 or 501), or a web
    page for a success: every test would fail for that one reason, so none runs."""
    server = canned_server(status, headers, body)
    result = run(uses_target, server.base_url)
    assert_stopped(
        result,
        f"POST {server.base_url}/revoke answered {says}: this is not the rfc7009 revocation endpoint; "
        "check --target-url (the authorization server's base URL, without the path) or pass --endpoint-path*",
    )
    assert server.requests == ["POST /revoke"]


def test_a_plain_web_server_is_not_the_endpoint(uses_target: pytest.Pytester, tmp_path: Path) -> None:
    """``python -m http.server`` as the target (issue 18): one line and exit 6, not 24 contract failures."""
    with plain_web_server(tmp_path) as base_url:
        result = run(uses_target, base_url, "--junitxml", "junit.xml")
    assert_stopped(
        result,
        f"POST {base_url}/revoke answered 501 (Not Implemented), the answer of a server that does not take POST "
        "here: this is not the rfc7009 revocation endpoint; check --target-url*",
    )
    junit = (uses_target.path / "junit.xml").read_text()
    assert "501 (Not Implemented)" in junit


def test_one_probe_per_contract(uses_target: pytest.Pytester, canned_server: Callable[..., CannedServer]) -> None:
    server = canned_server(401)
    result = uses_target.runpytest("--spec", "all", "--target-url", server.base_url, *CREDENTIALS)
    client_id = CREDENTIALS[CREDENTIALS.index("--client-id") + 1]
    probes = {f"{load_contract(name).method} {load_contract(name).url_path(client_id)}" for name in BUNDLED_NAMES}
    assert sorted(server.requests[: len(probes)]) == sorted(probes)
    # Then Voucherify's spec mints at its token endpoint, which refuses here (supply_gate.py).
    assert server.requests[len(probes) :] == ["POST /v1/oauth/token"]
    assert result.ret == EXIT_TOKEN_SUPPLY


def test_the_probe_sends_no_credentials(
    uses_target: pytest.Pytester, canned_server: Callable[..., CannedServer]
) -> None:
    """Harmless by construction: the documented method and media type, an empty body, no secret."""
    server = canned_server(401)
    result = uses_target.runpytest("--spec", "voucherify", "--target-url", server.base_url, *CREDENTIALS)
    assert result.ret == EXIT_TOKEN_SUPPLY  # the spec's token endpoint (after the probe) refuses: supply_gate.py
    (line, headers, body), *_ = server.received
    assert line == "POST /v1/oauth/token/revoke"
    assert body == b""
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert not {"Authorization", "X-App-Id", "X-App-Token"} & set(headers)
    assert "rc-secret-value-9f2e" not in repr(headers)


def test_embedded_servers_are_not_probed(uses_target: pytest.Pytester) -> None:
    result = uses_target.runpytest("--spec", "rfc7009")
    assert result.ret == 0
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("listing", ["--collect-only", "--fixtures"])
def test_listing_options_do_not_probe(uses_target: pytest.Pytester, closed_port: int, listing: str) -> None:
    result = run(uses_target, f"http://127.0.0.1:{closed_port}", listing)
    assert result.ret == 0
    assert "connection refused" not in result.stdout.str() + result.stderr.str()
