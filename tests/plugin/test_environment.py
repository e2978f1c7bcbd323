"""The runner's environment never changes what the suite sends: no ``.netrc``, no proxy variables.

``requests`` with ``trust_env`` on adds the ``~/.netrc`` login of the target's host as HTTP
Basic to every request that passes no ``auth=`` (replacing the header the suite set itself)
and routes everything through ``HTTP_PROXY``/``ALL_PROXY``. A CI runner's ``.netrc`` holds
someone's credentials; sent to a target the user does not control, they leak, and they turn a
request meant to carry no credentials (the preflight probe, the missing-credentials check)
into one that does (issue 10). Every session the suite makes is a ``BoundedSession`` with
``trust_env`` off; this proves it with a real ``.netrc`` in a temporary ``HOME`` (pytester's).
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from revocation_contracts.transport.session import new_session

from .loopback import CONTRACT_SUITE, CREDENTIALS, CannedServer

NETRC_LOGIN, NETRC_PASSWORD = "netrc-user", "netrc-pass-7c1d"
NETRC_BASIC = base64.b64encode(f"{NETRC_LOGIN}:{NETRC_PASSWORD}".encode()).decode("ascii")


@pytest.fixture
def hostile_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, canned_server: Callable[..., CannedServer]
) -> CannedServer:
    """A ``.netrc`` for 127.0.0.1 in the temporary HOME, and proxy variables naming a recording server."""
    netrc = pytester.path / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login {NETRC_LOGIN} password {NETRC_PASSWORD}\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(pytester.path))
    proxy = canned_server(502)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy.base_url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return proxy


def test_a_session_reads_no_netrc_and_no_proxy(
    hostile_environment: CannedServer, canned_server: Callable[..., CannedServer]
) -> None:
    server = canned_server(400)
    with new_session() as session:
        assert session.post(server.base_url + "/revoke", data={"token": "x"}, timeout=5).status_code == 400
        session.post(server.base_url + "/revoke", headers={"Authorization": "Basic c3VpdGU6b3du"}, timeout=5)
    assert hostile_environment.requests == [], "a request went through the proxy variables"
    (_, first, _), (_, second, _) = server.received
    assert "Authorization" not in first, "the .netrc login was added to a request without credentials"
    assert second["Authorization"] == "Basic c3VpdGU6b3du", "the .netrc login replaced the suite's own header"


def test_the_suite_sends_no_netrc_credentials(
    pytester: pytest.Pytester, hostile_environment: CannedServer, canned_server: Callable[..., CannedServer]
) -> None:
    """The whole plugin (preflight, explicit checks, the missing-credentials check) in a child run."""
    server = canned_server(401, {"WWW-Authenticate": 'Basic realm="rc"'})
    result = pytester.runpytest_subprocess(
        f"{CONTRACT_SUITE / 'test_protocol.py'}", "-k", "missing_token or client_authentication_is_enforced",
        "--spec", "rfc7009", "--target-url", server.base_url, *CREDENTIALS, "-p", "no:cacheprovider",
    )  # fmt: skip
    assert result.ret in (0, 1), result.stdout.str()[-3000:]
    assert hostile_environment.requests == [], "a request went through the proxy variables"
    received = server.received
    assert len(received) > 2, result.stdout.str()[-3000:]
    sent = [headers.get("Authorization", "") for _, headers, _ in received]
    assert not any(NETRC_BASIC in value for value in sent), "the .netrc login reached the target"
    preflight = [headers for _, headers, _ in received if "preflight" in headers.get("User-Agent", "")]
    assert preflight and all("Authorization" not in headers for headers in preflight)
    assert any(value == "" for value in sent[len(preflight) :]), "the missing-credentials check sent credentials"
