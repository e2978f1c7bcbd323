"""A failure's reproduction runs: pasted into ``sh`` where the suite's variables are set, it sends
the request the failure reports and gets the answer it reports (issue 18).

Each test keeps a reference server with a planted bug running on loopback (a thread of this
process, stopped when the test ends), behind a recorder that writes down every request it
receives (method, path, query, body) and the status and body it answered. The contract suite
runs against it in a child pytest as a user's CI job would, its credentials in ``REVOKE_*``
variables; then the failure's reproduction (read from its JUnit property) runs under
``sh -c`` with the same variables, and the recorder says what it sent and got.

- An explicit protocol failure (``ignores-client-auth``: a wrong secret is accepted): the first
  curl line sends byte for byte a request the suite sent (the suite's invented wrong secret
  included, the real one as ``$REVOKE_CLIENT_SECRET``) and gets the status the failure reports.
- A semantic sequence (``keeps-token``: revoked tokens stay active): the commands mint a grant
  at the token endpoint, probe, revoke the token that mint returned (answered 200, as the
  failure reports) and probe again, which still says active, as the failure reports.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.reference import DEFAULT_CLIENTS, ReferenceServer
from revocation_contracts.rules.outcomes import VIOLATION_PROPERTY
from revocation_contracts.rules.violation import Violation
from tests.planted.conftest import SuiteRun, run_suite

from .oauth_front import INTROSPECT_PATH, TOKEN_PATH, with_oauth_front

FIRST, SECOND = DEFAULT_CLIENTS[0], DEFAULT_CLIENTS[1]
CREDENTIALS = {
    "REVOKE_CLIENT_ID": FIRST.client_id,
    "REVOKE_CLIENT_SECRET": FIRST.client_secret,
    "REVOKE_SECOND_CLIENT_ID": SECOND.client_id,
    "REVOKE_SECOND_CLIENT_SECRET": SECOND.client_secret,
}
SECRETS = (FIRST.client_secret, SECOND.client_secret)
SHELL_TIMEOUT = 30.0


@dataclass
class Seen:
    """One request the server received and what it answered (filled in as the answer is sent)."""

    method: str
    path: str
    query: bytes
    body: bytes
    status: int = 0
    answer: bytes = b""

    @property
    def request(self) -> tuple[str, str, bytes, bytes]:
        return (self.method, self.path, self.query, self.body)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))


class Recorder:
    """ASGI: passes every request on to ``app`` and records it with the answer."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[Seen] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        messages, body, more = [], b"", True
        while more:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            more = message.get("more_body", False)
        pending = iter(messages)

        async def replay() -> Any:
            return next(pending, None) or await receive()

        # Recorded before the answer goes out: the client may read it and exit before this returns.
        seen = Seen(scope["method"], scope["path"], scope.get("query_string", b""), body)
        self.seen.append(seen)

        async def recording_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen.status = message["status"]
            elif message["type"] == "http.response.body":
                seen.answer += message.get("body", b"")
            await send(message)

        await self.app(scope, replay, recording_send)


@pytest.fixture
def planted_server(request: pytest.FixtureRequest) -> Iterator[tuple[ReferenceServer, Recorder]]:
    """``(server, recorder)`` for ``request.param = (contract, bug)``, with the OAuth front
    (token endpoint, introspection) so the built-in supply can mint and probe."""
    contract_name, bug = request.param
    contract = load_contract(contract_name)
    recorders: list[Recorder] = []
    oauth = with_oauth_front(contract)

    def front(app: Any, store: Any) -> Recorder:
        recorders.append(Recorder(oauth(app, store)))
        return recorders[0]

    server = ReferenceServer(contract, frozenset({bug}), front=front).start()
    try:
        yield server, recorders[0]
    finally:
        server.stop()


def _run(tmp_path: Path, server: ReferenceServer, select: str, *extra: str) -> SuiteRun:
    run = run_suite(
        tmp_path, ["polar"], seed=3, select=select, extra=["--target-url", server.base_url, *extra], env=CREDENTIALS
    )
    junit = (tmp_path / "junit.xml").read_text()
    assert not any(secret in run.output or secret in junit for secret in SECRETS), "a secret leaked"
    return run


def _violation(run: SuiteRun, test: str) -> Violation:
    found = [Violation.from_json(value) for name, value in run.properties.get(test, []) if name == VIOLATION_PROPERTY]
    violations = [violation for violation in found if violation is not None and violation.reproduce]
    assert violations, f"{test}: no reproduction recorded\n{run.describe()}"
    return violations[0]


def _sh(script: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **CREDENTIALS}
    return subprocess.run(
        ["sh", "-c", script], env=env, capture_output=True, text=True, timeout=SHELL_TIMEOUT, check=False
    )


@pytest.mark.parametrize("planted_server", [("polar", "ignores-client-auth")], indirect=True)
def test_an_explicit_failures_curl_line_sends_the_same_request_and_gets_the_same_status(
    tmp_path: Path, planted_server: tuple[ReferenceServer, Recorder]
) -> None:
    server, recorder = planted_server
    test = "test_protocol.py::test_client_authentication_is_enforced[polar-wrong-secret]"
    run = _run(tmp_path, server, "test_client_authentication_is_enforced")
    assert run.outcomes.get(test) == "failed", run.describe()
    violation = _violation(run, test)
    line = violation.reproduce.splitlines()[0]
    assert '"${REVOKE_CLIENT_SECRET}-wrong"' in line.replace("client_secret=", ""), line  # the invented value, as sent
    assert "[REDACTED]" not in line and line in run.texts[test], line  # runnable, and printed as recorded
    sent_by_suite = {seen.request for seen in recorder.seen}
    recorder.seen.clear()

    result = _sh(line)

    assert result.returncode == 0, result.stderr
    assert len(recorder.seen) == 1, recorder.seen
    replayed = recorder.seen[0]
    assert replayed.request in sent_by_suite, replayed
    assert replayed.form()["client_secret"] == FIRST.client_secret + "-wrong"
    assert replayed.status == int(violation.actual.split()[0]), (replayed.status, violation.actual)


@pytest.mark.parametrize("planted_server", [("polar", "ignores-client-auth")], indirect=True)
def test_the_rerun_command_reruns_that_test_alone_under_the_runs_seed(
    tmp_path: Path, planted_server: tuple[ReferenceServer, Recorder]
) -> None:
    server, _ = planted_server
    test = "test_protocol.py::test_client_authentication_is_enforced[polar-wrong-secret]"
    run = _run(tmp_path, server, "test_client_authentication_is_enforced")
    rerun = _violation(run, test).rerun
    assert "--hypothesis-seed=3" in rerun and " -k " not in rerun, rerun
    assert rerun in run.texts[test], rerun

    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", **CREDENTIALS}
    result = subprocess.run(
        ["sh", "-c", rerun], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 failed" in result.stdout and "passed" not in result.stdout, result.stdout[-3000:]


@pytest.mark.parametrize("planted_server", [("polar", "keeps-token")], indirect=True)
def test_a_semantic_failures_sequence_runs_mint_probe_revoke_probe(
    tmp_path: Path, planted_server: tuple[ReferenceServer, Recorder]
) -> None:
    server, recorder = planted_server
    test = "test_semantics.py::test_revoked_token_is_dead_examples[polar-each-revocable-type]"
    supply = ["--token-endpoint", TOKEN_PATH, "--introspection-endpoint", INTROSPECT_PATH]
    run = _run(tmp_path, server, "test_revoked_token_is_dead_examples", *supply)
    assert run.outcomes.get(test) == "failed", run.describe()
    violation = _violation(run, test)
    script = violation.reproduce
    assert script.splitlines()[0].startswith("REVOKE_G1=$(curl "), script  # the mint comes first
    assert "${REVOKE_CLIENT_SECRET}" in script and "[REDACTED]" not in script, script
    reported = re.search(r"-> (\d{3}) ", violation.sequence)
    assert reported is not None, violation.sequence
    recorder.seen.clear()

    result = _sh(script)

    assert result.returncode == 0, result.stderr
    paths = [seen.path for seen in recorder.seen]
    revoke = load_contract("polar").url_path(FIRST.client_id)
    assert paths == [TOKEN_PATH, INTROSPECT_PATH, revoke, INTROSPECT_PATH, INTROSPECT_PATH, INTROSPECT_PATH], paths
    minted = json.loads(recorder.seen[0].answer)
    revoked = recorder.seen[2]
    assert revoked.form()["token"] in minted.values(), "the revocation sends the token its mint step returned"
    assert revoked.form()["client_secret"] == FIRST.client_secret
    assert revoked.status == int(reported.group(1))
    assert json.loads(recorder.seen[-1].answer)["active"] is True  # as the failure says: still active


@pytest.mark.parametrize("planted_server", [("polar", "wrong-success-status")], indirect=True)
def test_an_explicit_failure_on_a_minted_token_shows_the_step_that_minted_it(
    tmp_path: Path, planted_server: tuple[ReferenceServer, Recorder]
) -> None:
    """``test_revoked_token_answer`` revokes a token the supply minted: its reproduction mints
    one the same way, into a variable, and the revocation sends that token."""
    server, recorder = planted_server
    test = "test_protocol.py::test_revoked_token_answer[polar]"
    supply = ["--token-endpoint", TOKEN_PATH, "--introspection-endpoint", INTROSPECT_PATH]
    run = _run(tmp_path, server, "test_revoked_token_answer", *supply)
    assert run.outcomes.get(test) == "failed", run.describe()
    violation = _violation(run, test)
    script = violation.reproduce
    assert script.startswith("REVOKE_G1=$(curl ") and "[REDACTED]" not in script, script
    recorder.seen.clear()

    result = _sh(script)

    assert result.returncode == 0, result.stderr
    assert [seen.path for seen in recorder.seen] == [TOKEN_PATH, load_contract("polar").url_path(FIRST.client_id)]
    minted, revoked = json.loads(recorder.seen[0].answer), recorder.seen[1]
    assert revoked.form()["token"] in minted.values()
    assert revoked.status == int(violation.actual.split()[0]), (revoked.status, violation.actual)


def test_a_token_minted_without_a_recipe_stays_masked(tmp_path: Path) -> None:
    """The embedded servers' supply mints through a test-only endpoint (no command to show): the
    revoked token of an explicit failure is masked, never shown as sent."""
    test = "test_protocol.py::test_revoked_token_answer[polar]"
    run = run_suite(tmp_path, ["polar"], bugs=["wrong-success-status"], seed=3, select="test_revoked_token_answer")
    assert run.outcomes.get(test) == "failed", run.describe()
    line = _violation(run, test).reproduce
    assert "--data-raw token=[REDACTED] " in line and "at." not in line, line
