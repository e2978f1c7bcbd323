"""Bad input to the suite, and the secret spellings it masks and detects (issue 10).

A malformed option is one line and the usage exit code (4) before anything is sent; a
password in ``--target-url`` is refused without being printed. A run ended by the
preflight still writes JUnit XML and ``--report``, with the reason. Every spelling of a
secret the suite sends (raw, HTTP Basic base64, percent- and JSON-encoded) is masked by
the Redactor and found by the echo rule.
"""

from __future__ import annotations

import base64
import json
import re
import socket
from urllib.parse import quote, quote_plus

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.redact import MASK, Redactor, basic_forms, secret_forms
from revocation_contracts.rules import engine
from revocation_contracts.rules.violation import RequestView, ResponseView, view_of
from revocation_contracts.transport.client import Credentials, RevocationClient

from .harness import CLIENT_ID, CONTRACT_SUITE, SECRET, HostileServer, leak_forms

USAGE_ERROR = 4
TARGET_ERROR = 6
CREDENTIALS = ("--client-id", CLIENT_ID, "--client-secret", SECRET)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(["--request-timeout", "nan"], "*'nan' is not a finite number of seconds*", id="timeout-nan"),
        pytest.param(["--request-timeout", "inf"], "*'inf' is not a finite number of seconds*", id="timeout-inf"),
        pytest.param(["--request-timeout", "-1"], "*'-1' must be greater than 0*", id="timeout-negative"),
        pytest.param(["--max-throttle-wait", "nan"], "*'nan' is not a finite number*", id="throttle-wait-nan"),
        pytest.param(["--target-url", "http://127.0.0.1:http"], "*the port must be a number*", id="port-word"),
        pytest.param(["--target-url", "http://127.0.0.1:99999"], "*the port must be a number*", id="port-range"),
        pytest.param(["--max-examples", "1e3"], "*'1e3' is not a whole number*", id="max-examples-float"),
        pytest.param(["--rate-limit", "0/s"], "*'0/s' is not a rate*", id="rate-zero"),
    ],
)
def test_malformed_value_is_one_line_and_exit_4(pytester: pytest.Pytester, args: list[str], says: str) -> None:
    result = pytester.runpytest(str(CONTRACT_SUITE), "--spec", "rfc7009", *CREDENTIALS, *args)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines([says])
    assert not any("Traceback" in line for line in result.outlines + result.errlines)


def test_a_password_in_the_target_url_is_refused_and_never_printed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        str(CONTRACT_SUITE),
        "--spec",
        "rfc7009",
        *CREDENTIALS,
        "--target-url",
        "http://rc-user:rc-url-pw-5e1c@127.0.0.1:9",
    )
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(["*the URL holds a user name or password; drop it and pass --client-id*"])
    assert "rc-url-pw-5e1c" not in result.stdout.str() + result.stderr.str()


def test_a_run_ended_by_the_preflight_still_writes_its_reports(pytester: pytest.Pytester) -> None:
    """Connection refused at the preflight: exit 6, and JUnit XML and the report say why."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = pytester.runpytest(
        str(CONTRACT_SUITE), "--spec", "rfc7009", *CREDENTIALS, "--target-url", f"http://127.0.0.1:{port}",
        "--junitxml", "junit.xml", "--report", "report.md",
    )  # fmt: skip
    assert result.ret == TARGET_ERROR
    result.stderr.fnmatch_lines([f"Exit: revocation-contracts: connection refused by 127.0.0.1*:{port}*"])
    junit = (pytester.path / "junit.xml").read_text()
    assert 'name="preflight"' in junit and "connection refused by 127.0.0.1" in junit
    report = (pytester.path / "report.md").read_text()
    assert "preflight" in report and "connection refused by 127.0.0.1" in report


def test_secret_forms_are_every_spelling_the_suite_sends() -> None:
    forms = secret_forms(SECRET) | basic_forms(CLIENT_ID, SECRET)
    assert set(leak_forms().values()) <= forms
    assert base64.b64encode(f"{quote_plus(CLIENT_ID)}:{quote_plus(SECRET)}".encode()).decode() in forms
    lower_hex = re.sub("%[0-9A-F]{2}", lambda match: match.group(0).lower(), quote(SECRET, safe=""))
    assert lower_hex in forms
    assert all(len(form) >= 6 for form in forms)
    assert secret_forms("") == set()


@pytest.mark.parametrize("form", sorted(leak_forms()))
def test_the_redactor_masks_every_form(form: str) -> None:
    redactor = Redactor()
    redactor.add_basic(CLIENT_ID, SECRET)
    text = f"the server said: {leak_forms()[form]} (that is all)"
    assert redactor(text) == f"the server said: {MASK} (that is all)"


def test_the_echo_rule_finds_the_basic_credentials_repeated_in_a_header(hostile: HostileServer) -> None:
    """A server repeating ``Authorization: Basic ...`` leaks the secret, though never in plain text."""
    contract = load_contract("rfc7009")
    client = RevocationClient(contract, hostile.url("basic_echo.rule"), Credentials(CLIENT_ID, SECRET))
    _, response = client.revoke("rc-some-token-value", auth_method="basic")
    assert response.headers["X-Echo-Authorization"].startswith("Basic ")
    found = engine.credential_echo(contract, view_of(response))
    assert [violation.clause for violation in found] == ["PIN-no-echo"]
    assert found[0].actual == "response header X-Echo-Authorization repeats a secret that was sent"


def test_the_echo_rule_finds_a_percent_encoded_secret_in_a_body() -> None:
    contract = load_contract("rfc7009")
    client = RevocationClient(contract, "http://127.0.0.1:9", Credentials(CLIENT_ID, SECRET))
    request = client.build("rc-some-token-value", auth_method="form-body")
    sent_view = ResponseView(
        status=400,
        headers={},
        body=json.dumps({"seen": quote_plus(SECRET)}).encode(),
        request=RequestView(method="POST", url=request.url, headers=request.headers, body=request.body or b""),
    )
    found = engine.credential_echo(contract, sent_view)
    assert found and found[0].actual == "the response body repeats a secret that was sent"
