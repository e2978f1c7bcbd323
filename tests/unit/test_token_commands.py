"""The command token supply (CONTRACTS.md, "Token supply and probes"): what a failing, malformed
or hanging ``--token-command`` / ``--probe-command`` turns into.

A command problem is a setup problem: ``TokenSupplyError`` with the command's stderr, every
known secret masked. The contract suite reports it as an error, never as a contract failure
and never as a pass; without a token supply (or without a second client) the semantic tests
are skipped with a reason naming the option that enables them. The first half calls
``CommandTokenSupply`` directly; the second runs the contract suite in a child process
against a reference server started here, as a user would.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.redact import Redactor
from revocation_contracts.reference import DEFAULT_CLIENTS, ReferenceServer
from revocation_contracts.supply import commands
from revocation_contracts.supply.builtin import CommandTokenSupply
from revocation_contracts.supply.commands import CommandMinter, CommandProber
from revocation_contracts.supply.tokens import TokenSupplyError
from revocation_contracts.transport.client import Credentials

REPO = Path(__file__).resolve().parents[2]
SEMANTICS = REPO / "tests" / "contract" / "test_semantics.py"
EXAMPLES = REPO / "examples"
SECRET = DEFAULT_CLIENTS[0].client_secret
CLIENT = Credentials(DEFAULT_CLIENTS[0].client_id, SECRET)


def python(code: str) -> str:
    """A command line running ``code`` with this interpreter."""
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"


def supply(token_command: str, probe_command: str | None = None) -> CommandTokenSupply:
    return CommandTokenSupply(token_command, probe_command, Redactor(SECRET))


# -- CommandTokenSupply -------------------------------------------------------------------------


def test_tokens_are_read_for_the_named_client_and_registered_for_redaction():
    command = python(
        "import json, os; print(json.dumps({'access_token': 'at-' + os.environ['REVOKE_CLIENT_ID'] + '-x1y2z3', "
        "'refresh_token': 'rt-q9w8e7r6', 'expires_in': 3600}))"
    )
    redactor = Redactor()
    grant = CommandTokenSupply(command, None, redactor).mint(CLIENT)
    assert grant.tokens == {"access_token": "at-rc-client-a-x1y2z3", "refresh_token": "rt-q9w8e7r6"}
    assert redactor("sent rt-q9w8e7r6") == "sent [REDACTED]"
    assert "rt-q9w8e7r6" not in repr(grant)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import sys; sys.stderr.write('upstream said 500'); sys.exit(3)", "--token-command exited with 3"),
        ("print('access_token=abc')", "--token-command did not print JSON"),
        ("print('[\"at-1\"]')", "--token-command did not print a JSON object"),
        ('print(\'{"access_token": 42, "id_token": "x"}\')', "printed no access_token or refresh_token string"),
        ("print('{}')", "printed no access_token or refresh_token string"),
    ],
    ids=["exit-code", "not-json", "not-an-object", "no-token-string", "empty-object"],
)
def test_failing_or_malformed_token_command_is_a_supply_error(code, expected):
    with pytest.raises(TokenSupplyError, match=expected):
        supply(python(code)).mint(CLIENT)


def test_stderr_is_reported_with_secrets_masked():
    code = f"import sys; sys.stderr.write('login failed for secret {SECRET}'); sys.exit(1)"
    with pytest.raises(TokenSupplyError) as caught:
        supply(python(code)).mint(CLIENT)
    message = str(caught.value)
    assert "stderr: login failed for secret [REDACTED]" in message
    assert SECRET not in message


def test_probe_exit_codes():
    active = python("import os, sys; sys.exit(0 if os.environ['REVOKE_TOKEN'] == 'tok-alive-123' else 1)")
    probe = supply(python("print('{}')"), active)
    assert probe.is_active("tok-alive-123") is True
    assert probe.is_active("tok-dead-456") is False


def test_probe_error_exit_code_is_a_supply_error_with_the_token_masked():
    code = "import os, sys; sys.stderr.write('cannot introspect ' + os.environ['REVOKE_TOKEN']); sys.exit(2)"
    token_supply = supply(python("print('{}')"), python(code))
    token_supply.redact.add("tok-minted-7f3a9c")
    with pytest.raises(TokenSupplyError, match=r"exited with 2 \(0 = active, 1 = inactive\)") as caught:
        token_supply.is_active("tok-minted-7f3a9c")
    assert "cannot introspect [REDACTED]" in str(caught.value)


def test_hanging_command_times_out(monkeypatch):
    monkeypatch.setattr(commands, "COMMAND_TIMEOUT", 0.5)
    with pytest.raises(TokenSupplyError, match="did not finish within"):
        supply(python("import time; time.sleep(30)")).mint(CLIENT)


def test_missing_command_and_missing_probe():
    with pytest.raises(TokenSupplyError, match=r"exited with 127: command not found; stderr: .*rc-no-such-command-x"):
        supply("rc-no-such-command-x --mint").mint(CLIENT)
    with pytest.raises(TokenSupplyError, match="no --probe-command"):
        supply(python("print('{}')")).is_active("tok-1")


# -- batches (issue 21): several grants or tokens per command run ------------------------------------

# A token command that mints as many grants as REVOKE_GRANT_COUNT asks, numbered, and logs each run.
BATCH_MINT = (
    "import json, os, sys; n = int(os.environ['REVOKE_GRANT_COUNT']); log = open(sys.argv[1], 'a'); "
    "runs = log.tell(); log.write(str(n) + ' '); "
    "print(json.dumps([{'access_token': f'at-{runs}-{i}-q7w8', 'refresh_token': f'rt-{runs}-{i}-q7w8'} "
    "for i in range(n)]))"
)
# A probe that answers every token of REVOKE_TOKENS by a line (active: the token contains "alive").
BATCH_PROBE = (
    "import os, sys; open(sys.argv[1], 'a').write('.'); "
    "print('\\n'.join('active' if 'alive' in t else 'inactive' for t in os.environ['REVOKE_TOKENS'].split('\\n')))"
)
# The one-token rule: REVOKE_TOKEN's answer by the exit code, nothing printed.
SINGLE_PROBE = (
    "import os, sys; open(sys.argv[1], 'a').write('.'); sys.exit(0 if 'alive' in os.environ['REVOKE_TOKEN'] else 1)"
)


def logged(code: str, log: Path) -> str:
    return f"{python(code)} {shlex.quote(str(log))}"


def test_a_batch_command_mints_several_grants_per_run_each_handed_out_once_and_revoked_if_unused(tmp_path):
    log = tmp_path / "mints"
    redactor = Redactor()
    token_supply = CommandTokenSupply(logged(BATCH_MINT, log), python("print()"), redactor)
    grants = [token_supply.mint(CLIENT) for _ in range(4)]
    # One grant first (a failing command costs one run), then twice as many per run.
    assert log.read_text().split() == ["1", "2", "4"]
    values = [grant.tokens["access_token"] for grant in grants]
    assert len(set(values)) == 4
    last = "at-4-3-q7w8"  # the third run's (log offset 4) fourth grant: minted, never handed out
    assert redactor(f"saw {last}") == "saw [REDACTED]"
    # Grants minted and never handed out are the suite's own: revoked at the end with the rest.
    left = {value for _, _, value in token_supply.leftovers()}
    assert len(left) == 14 and last in left and "rt-4-3-q7w8" in left


def test_batches_grow_to_the_cap(tmp_path, monkeypatch):
    log = tmp_path / "mints"
    token_supply = CommandTokenSupply(logged(BATCH_MINT, log), None, Redactor())
    token_supply._batches.most = 4
    for _ in range(12):
        token_supply.mint(CLIENT)
    assert log.read_text().split() == ["1", "2", "4", "4", "4"]


def test_a_one_grant_command_is_asked_again_for_each_grant():
    """The one-grant rule still holds: a command that prints one object whatever the count."""
    counted = python(
        "import json, os, itertools; print(json.dumps({'access_token': 'at-' + os.environ['REVOKE_GRANT_COUNT'] "
        "+ '-' + os.urandom(4).hex()}))"
    )
    token_supply = supply(counted)
    values = [token_supply.mint(CLIENT).tokens["access_token"] for _ in range(3)]
    assert [value.split("-")[1] for value in values] == ["1", "2", "4"] and len(set(values)) == 3


TWO_GRANTS = "import json; print(json.dumps([{'access_token': 'at-a1'}, {'access_token': 'at-b2'}]))"


@pytest.mark.parametrize(
    ("code", "count", "expected"),
    [
        (TWO_GRANTS, 1, "printed 2 grants for REVOKE_GRANT_COUNT=1"),
        ("print('[]')", 2, "did not print a JSON object"),
        ("import json; print(json.dumps([{'access_token': 'at-a1'}, 'at-b2']))", 2, "did not print a JSON object"),
        (
            "import json; print(json.dumps([{'access_token': 'at-a1'}, {'id_token': 'x'}]))",
            2,
            "printed no access_token or refresh_token string",
        ),
    ],
    ids=["more-than-asked", "empty-array", "not-an-object-inside", "a-grant-without-tokens"],
)
def test_a_malformed_batch_is_a_supply_error(code, count, expected):
    with pytest.raises(TokenSupplyError, match=expected):
        CommandMinter(python(code), Redactor()).mint_batch(CLIENT, count)
    assert len(CommandMinter(python(TWO_GRANTS), Redactor()).mint_batch(CLIENT, 2)) == 2


def test_a_batch_probe_answers_several_tokens_in_one_run(tmp_path):
    log = tmp_path / "probes"
    token_supply = supply(python("print()"), logged(BATCH_PROBE, log))
    tokens = ["tok-alive-1", "tok-dead-2", "tok-alive-3"]
    answers = [answer() for answer in token_supply.probe_ahead(tokens)]
    assert answers == [True, False, True]
    assert log.read_text() == "."
    # A lone token is asked in a run of its own, answered by its line.
    assert token_supply.is_active("tok-dead-4") is False and token_supply.is_active("tok-alive-5") is True
    assert log.read_text() == "..."


def test_a_one_token_probe_is_asked_once_per_token(tmp_path):
    """A probe written for the one-token rule (exit code, nothing printed) gets the batch,
    answers ``REVOKE_TOKEN`` only, and from then on is run once per token."""
    log = tmp_path / "probes"
    token_supply = supply(python("print()"), logged(SINGLE_PROBE, log))
    assert [answer() for answer in token_supply.probe_ahead(["tok-dead-1", "tok-alive-2", "tok-dead-3"])] == [
        False,
        True,
        False,
    ]
    assert len(log.read_text()) == 3
    assert [answer() for answer in token_supply.probe_ahead(["tok-alive-4", "tok-dead-5"])] == [True, False]
    assert len(log.read_text()) == 5


def test_a_probe_answering_one_line_for_a_batch_answered_the_first_token():
    one_line = python("import os; print('active' if 'alive' in os.environ['REVOKE_TOKEN'] else 'inactive')")
    prober = CommandProber(one_line, Redactor())
    assert prober.are_active(["tok-dead-1", "tok-alive-2", "tok-alive-3"]) == [False, True, True]
    assert prober.batches is False


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("print('active'); print('inactive')", "answered 2 lines for 3 tokens"),
        ("import sys; print('active\\ninactive\\nactive'); sys.exit(1)", "answered lines but exited with 1"),
    ],
    ids=["too-few-lines", "lines-and-a-failing-exit"],
)
def test_a_malformed_batch_answer_is_a_probe_error_never_a_guess(code, expected):
    with pytest.raises(TokenSupplyError, match=expected):
        CommandProber(python(code), Redactor()).are_active(["tok-1", "tok-2", "tok-3"])


# Logs "<" when it starts and ">" when it ends; the first run is slow, so others ask meanwhile.
SLOW_FIRST_PROBE = (
    "import os, sys, time; log = open(sys.argv[1], 'a'); first = log.tell() == 0; log.write('<'); log.flush(); "
    "time.sleep(0.6 if first else 0.05); "
    "print('\\n'.join('active' if 'alive' in t else 'inactive' for t in os.environ['REVOKE_TOKENS'].split('\\n'))); "
    "log.write('>')"
)


def test_probes_asked_from_several_threads_while_the_command_runs_go_together(tmp_path):
    """Properties side by side: probes asked while the probe command runs wait and go in its next
    run; every thread gets its own token's answer."""
    log = tmp_path / "probes"
    prober = CommandProber(logged(SLOW_FIRST_PROBE, log), Redactor())
    tokens = ["tok-alive-0", "tok-dead-1", "tok-alive-2", "tok-dead-3", "tok-alive-4"]
    answers: dict[str, bool] = {}
    first = threading.Thread(target=lambda: answers.setdefault(tokens[0], prober.is_active(tokens[0])))
    first.start()
    for _ in range(100):
        if log.exists() and log.read_text():
            break
        time.sleep(0.02)
    others = [threading.Thread(target=lambda t=t: answers.setdefault(t, prober.is_active(t))) for t in tokens[1:]]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(timeout=30)
    assert answers == {token: "alive" in token for token in tokens}
    assert log.read_text() == "<><>", "one run for the first probe, one for the four asked meanwhile"


def test_the_two_commands_never_run_beside_each_other(tmp_path):
    """A user's scripts need not be reentrant: minting and probing from several threads, the
    commands' runs never overlap (one lock for both)."""
    log = tmp_path / "runs"
    mint = python(
        f"import json, os, time; open({str(log)!r}, 'a').write('<'); time.sleep(0.05); "
        "print(json.dumps({'access_token': 'at-alive-' + os.urandom(4).hex()})); "
        f"open({str(log)!r}, 'a').write('>')"
    )
    probe = python(
        f"import os, sys, time; open({str(log)!r}, 'a').write('<'); time.sleep(0.05); "
        f"open({str(log)!r}, 'a').write('>'); sys.exit(0)"
    )
    token_supply = supply(mint, probe)

    def work() -> None:
        for _ in range(3):
            token_supply.is_active(token_supply.mint(CLIENT).tokens["access_token"])

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    runs = log.read_text()
    assert runs == "<>" * (len(runs) // 2) and len(runs) >= 2 * 6, runs


# -- the contract suite with a command supply -----------------------------------------------------


@pytest.fixture(scope="module")
def polar_server():
    server = ReferenceServer(load_contract("polar")).start()
    yield server
    server.stop()


def run_suite(
    tmp_path: Path,
    server: ReferenceServer,
    *options: str,
    select: str = "test_revoked_token_is_dead[ or test_foreign_token_stays_active[",
) -> tuple[int, str, dict[str, tuple[str, str]]]:
    """The semantic tests for Polar against ``server``; (exit code, output, test -> (outcome, text))."""
    junit = tmp_path / "junit.xml"
    first = DEFAULT_CLIENTS[0]
    command = [
        sys.executable, "-m", "pytest", str(SEMANTICS), "-p", "no:cacheprovider", "-q", "-rA", "--assert=plain",
        "-p", "no:randomly", f"--junitxml={junit}", "--spec", "polar", "--target-url", server.base_url,
        "--client-id", first.client_id, "--client-secret", first.client_secret, "--max-examples", "2",
        "-k", select, *options,
    ]  # fmt: skip
    env = {name: value for name, value in os.environ.items() if not name.startswith(("REVOKE_", "PYTEST_ADDOPTS"))}
    env["REFERENCE_URL"] = server.base_url
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    outcomes: dict[str, tuple[str, str]] = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        outcome, text = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = child.tag
                text = "\n".join(part for part in (child.get("message"), child.text) if part)
        outcomes[case.get("name") or ""] = (outcome, text)
    return result.returncode, result.stdout + result.stderr, outcomes


def example(name: str) -> str:
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(EXAMPLES / name))}"


def test_failing_token_command_is_a_setup_error_never_a_pass(tmp_path, polar_server):
    failing = python(f"import sys; sys.stderr.write('oauth flow failed for {SECRET}'); sys.exit(3)")
    code, output, outcomes = run_suite(
        tmp_path, polar_server, "--token-command", failing, "--probe-command", example("probe_command.py")
    )
    assert code not in (0, 1), output  # neither a pass nor a contract failure
    assert outcomes, output
    for test, (outcome, text) in outcomes.items():
        assert outcome == "error", f"{test}: {outcome}\n{output[-3000:]}"
        assert "--token-command exited with 3" in text and "oauth flow failed for [REDACTED]" in text, text
    assert SECRET not in output


def test_probe_that_calls_fresh_tokens_inactive_is_a_setup_error(tmp_path, polar_server):
    """A probe that always exits 1 would make "a revoked token is dead" pass for any server."""
    code, output, outcomes = run_suite(
        tmp_path,
        polar_server,
        "--token-command",
        example("token_command.py"),
        "--probe-command",
        python("import sys; sys.exit(1)"),
    )
    assert code not in (0, 1), output
    assert outcomes and all(outcome == "error" for outcome, _ in outcomes.values()), output[-3000:]
    assert all("minted a moment ago inactive" in text for _, text in outcomes.values()), output[-3000:]


def test_probe_failing_mid_property_is_a_setup_error_not_a_counterexample(tmp_path, polar_server):
    """The probe works for fresh tokens and fails (exit 2) once a token is revoked: the error
    leaves Hypothesis at once (no shrinking of a setup problem) and is reported as an error."""
    flaky = python(
        "import subprocess, sys; "
        f"code = subprocess.run([sys.executable, {str(EXAMPLES / 'probe_command.py')!r}]).returncode; "
        "sys.stderr.write('introspection unavailable'); sys.exit(2 if code == 1 else code)"
    )
    code, output, outcomes = run_suite(
        tmp_path, polar_server, "--token-command", example("token_command.py"), "--probe-command", flaky
    )
    assert code not in (0, 1), output
    outcome, text = outcomes["test_revoked_token_is_dead[polar]"]
    assert outcome == "error", (outcome, text)
    assert "--probe-command exited with 2" in text and "introspection unavailable" in text, text
    assert "Failing test case" not in output and "Falsifying" not in output, output[-3000:]


def test_without_a_token_supply_or_second_client_the_semantic_tests_say_how_to_enable_them(tmp_path, polar_server):
    code, output, outcomes = run_suite(tmp_path, polar_server)
    assert code == 9, output  # checks that apply could not run: incomplete, not green
    assert outcomes and all(outcome == "skipped" for outcome, _ in outcomes.values()), output[-3000:]
    assert all("--token-command" in text and "--probe-command" in text for _, text in outcomes.values()), outcomes

    code, output, outcomes = run_suite(
        tmp_path,
        polar_server,
        "--token-command",
        example("token_command.py"),
        "--probe-command",
        example("probe_command.py"),
    )
    assert code == 9, output  # the cross-client checks apply but could not run
    assert outcomes["test_revoked_token_is_dead[polar]"][0] == "passed", output[-3000:]
    outcome, text = outcomes["test_foreign_token_stays_active[polar]"]
    assert outcome == "skipped" and "--second-client-id and --second-client-secret" in text, (outcome, text)


def test_a_supply_without_refresh_tokens_runs_what_it_can(tmp_path, polar_server):
    """A token command that prints only an access token: the cascade property is skipped saying
    why, the others run on access tokens; the run is incomplete (exit 9), not green."""
    only_access = python(  # a one-grant command: it asks the example for one grant
        "import json, os, subprocess, sys; "
        f"out = subprocess.run([sys.executable, {str(EXAMPLES / 'token_command.py')!r}], capture_output=True, "
        "text=True, env={**os.environ, 'REVOKE_GRANT_COUNT': '1'}).stdout; tokens = json.loads(out); "
        "tokens.pop('refresh_token'); print(json.dumps(tokens))"
    )
    code, output, outcomes = run_suite(
        tmp_path,
        polar_server,
        "--token-command",
        only_access,
        "--probe-command",
        example("probe_command.py"),
        select="test_revoked_token_is_dead[ or test_refresh_revocation_kills_grant_access_tokens[",
    )
    assert code == 9, output
    assert outcomes["test_revoked_token_is_dead[polar]"][0] == "passed", output[-3000:]
    outcome, text = outcomes["test_refresh_revocation_kills_grant_access_tokens[polar]"]
    assert outcome == "skipped" and "does not issue an access token and a refresh token" in text, (outcome, text)
