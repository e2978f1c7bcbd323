"""``--token-command`` / ``--probe-command`` as shell command lines (``/bin/sh -c``).

Each way a command can fail to run is a ``TokenSupplyError`` with one line and its stderr,
secrets masked; a timed-out command's whole process group is killed. A ``curl | grep`` probe
against Authlib's introspection endpoint is the CI-step shape users write.
"""

from __future__ import annotations

import os
import shlex
import time

import pytest

from revocation_contracts.redact import Redactor
from revocation_contracts.supply import commands
from revocation_contracts.supply.builtin import CommandTokenSupply
from revocation_contracts.supply.commands import CommandMinter, CommandProber
from revocation_contracts.supply.tokens import TokenSupplyError
from revocation_contracts.transport.client import Credentials
from tests.libraries.authlib_server import CLIENTS
from tests.supply.conftest import authlib_pool

SECRET = "cmd-secret-8Jk3"
CLIENT = Credentials("rc-client-a", SECRET)


def mint(command: str) -> dict[str, str]:
    return CommandMinter(command, Redactor(SECRET)).mint(CLIENT)


def failure(command: str) -> str:
    with pytest.raises(TokenSupplyError) as caught:
        mint(command)
    text = str(caught.value)
    assert "\n" not in text and SECRET not in text, text
    return text


def test_pipes_quotes_and_variables_work():
    tokens = mint('printf \'{"access_token": "%s-tok-123"}\' "$REVOKE_CLIENT_ID" | cat')
    assert tokens == {"access_token": "rc-client-a-tok-123"}


def test_not_found_and_not_executable(tmp_path):
    assert "--token-command exited with 127: command not found; stderr:" in failure("rc-no-such-command-x")
    script = tmp_path / "mint.sh"
    script.write_text("#!/bin/sh\necho '{}'\n")
    assert "exited with 126: permission denied (not executable)" in failure(shlex.quote(str(script)))


def test_argument_list_too_long():
    assert "too long to run (E2BIG)" in failure("echo " + "x" * 300_000)


def test_non_json_and_huge_output_and_stderr_masked():
    assert failure("echo access_token=abc").startswith("--token-command did not print JSON")
    assert "printed more than 1000000 bytes" in failure("yes")
    text = failure(f"echo 'login failed for {SECRET}' >&2; exit 3")
    assert text == "--token-command exited with 3; stderr: login failed for [REDACTED]"


def test_a_timed_out_command_loses_its_whole_process_group(tmp_path, monkeypatch):
    monkeypatch.setattr(commands, "COMMAND_TIMEOUT", 0.5)
    pidfile = tmp_path / "pid"
    text = failure(f"sh -c 'echo $$ > {pidfile}; exec sleep 30' | cat")
    assert "did not finish within 0.5s; its process group was killed" in text
    child = int(pidfile.read_text())
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the pipeline's child {child} outlived the timeout")


def test_curl_grep_probe_against_authlib_introspection(authlib):
    (client_id, (secret, _)), _ = CLIENTS.items()
    import requests

    token = requests.post(
        authlib.url + "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret), timeout=5
    ).json()["access_token"]
    probe = (
        f'curl -s -u {client_id}:{secret} -d "token=$REVOKE_TOKEN" {authlib.url}/oauth/introspect '
        "| grep -q '\"active\": true'"
    )
    supply = CommandTokenSupply("true", probe, Redactor(secret))
    assert supply.is_active(token) is True
    requests.post(authlib.url + "/oauth/revoke", data={"token": token}, auth=(client_id, secret), timeout=5)
    assert supply.is_active(token) is False
    assert isinstance(supply.probes.by_kind["access_token"], CommandProber)


def test_the_pool_revokes_the_live_tokens_a_token_command_minted(authlib):
    """Tokens the suite minted by ``--token-command`` and left alive are revoked at session end,
    as the built-in supply's are; a token the suite did not mint (here: directly at Authlib) is not."""
    import requests

    from revocation_contracts.supply.probing import IntrospectionProber
    from revocation_contracts.transport.session import new_session

    (a_id, (a_secret, _)), (b_id, (b_secret, _)) = CLIENTS.items()
    token_command = (
        f'if [ "$REVOKE_CLIENT_ID" = {a_id} ]; then S={shlex.quote(a_secret)}; else S={shlex.quote(b_secret)}; fi; '
        f'curl -s -u "$REVOKE_CLIENT_ID:$S" -d grant_type=client_credentials {authlib.url}/oauth/token'
    )
    pool, target = authlib_pool(authlib, token_command)
    clients = (Credentials(a_id, a_secret), Credentials(b_id, b_secret))
    mine = [target.tokens.mint(client).tokens["access_token"] for client in clients]
    theirs = requests.post(
        authlib.url + "/oauth/token", data={"grant_type": "client_credentials"}, auth=(a_id, a_secret), timeout=5
    ).json()["access_token"]
    prober = IntrospectionProber(authlib.url + "/oauth/introspect", "basic", new_session(), 5)
    assert [prober.is_active(token, "access_token", owner) for token, owner in zip(mine, clients, strict=True)] == [
        True,
        True,
    ]
    assert pool.revoke_leftovers() == 2
    pool.close()
    assert [prober.is_active(token, "access_token", owner) for token, owner in zip(mine, clients, strict=True)] == [
        False,
        False,
    ]
    assert prober.is_active(theirs, "access_token", clients[0])


def test_shell_batches_against_authlib(authlib):
    """The batch forms as shell loops (issue 21): a token command printing a JSON array of
    ``$REVOKE_GRANT_COUNT`` grants from curl, a probe answering each line of ``$REVOKE_TOKENS``."""
    import requests

    (client_id, (secret, _)), _ = CLIENTS.items()
    auth = f"-u {client_id}:{secret}"
    token_command = (
        "printf '['; i=0; while [ $i -lt \"$REVOKE_GRANT_COUNT\" ]; do [ $i -gt 0 ] && printf ,; "
        f"curl -s {auth} -d grant_type=client_credentials {authlib.url}/oauth/token; i=$((i+1)); done; printf ']'"
    )
    probe_command = (
        'printf "%s\\n" "$REVOKE_TOKENS" | while read -r t; do '
        f'if curl -s {auth} -d "token=$t" {authlib.url}/oauth/introspect | grep -q \'"active": true\'; '
        "then echo active; else echo inactive; fi; done"
    )
    supply = CommandTokenSupply(token_command, probe_command, Redactor(secret))
    tokens = [supply.mint(Credentials(client_id, secret)).tokens["access_token"] for _ in range(3)]
    assert supply._batches is not None and supply._batches.runs == 2  # 1 grant, then 2 in one run
    assert len(set(tokens)) == 3
    assert [answer() for answer in supply.probe_ahead(tokens)] == [True, True, True]
    requests.post(authlib.url + "/oauth/revoke", data={"token": tokens[1]}, auth=(client_id, secret), timeout=5)
    assert [answer() for answer in supply.probe_ahead(tokens)] == [True, False, True]
    assert supply.is_active(tokens[1]) is False and supply.is_active(tokens[0]) is True
    assert supply.probes is not None
    prober = supply.probes.by_kind["access_token"]
    assert isinstance(prober, CommandProber) and prober.batches
