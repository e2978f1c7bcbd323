"""The real suite, failing on planted bugs: JUnit XML, the conformance report, and no leaked secret.

Two runs, each in a fresh interpreter the way a user starts the suite:

- polar (credentials in the form body) against a reference server this test starts, given
  with ``--target-url``, the embedded clients' credentials and a ``--token-command`` that
  mints real grants and logs every token it hands out;
- voucherify (secret in the ``X-App-Token`` header) and rfc7009 (HTTP Basic) on the embedded
  servers.

The planted bugs echo the client secret and the token back and accept a request without a
token, so failures abound and every failure message carries a request full of secrets:
schemathesis' own curl lines with form bodies included. Then every output file and the
captured terminal text are searched for every secret value, raw and encoded.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.reference import DEFAULT_CLIENTS, ReferenceServer
from revocation_contracts.reference.app import TEST_PREFIX
from tests.reporting.chromium import cell_states, render
from tests.reporting.helpers import CONTRACT_SUITE, html_problems, run_suite, visible_text

BUGS = ("echoes-secret", "echoes-token", "missing-token-accepted")
# One worker for the module under xdist: its tests read two shared child runs (see the root conftest.py).
pytestmark = pytest.mark.xdist_group("suite-outputs")

# The reference server's test-only endpoints, driven the way a user's commands drive a vendor's.
TOKEN_COMMAND = """\
import json, os, sys, urllib.request
base_url, log = sys.argv[1], sys.argv[2]
payload = json.dumps({"client_id": os.environ["REVOKE_CLIENT_ID"]}).encode()
headers = {"Content-Type": "application/json"}
request = urllib.request.Request(base_url + PREFIX + "/grants", data=payload, headers=headers)
grant = json.loads(urllib.request.urlopen(request, timeout=10).read())
tokens = {kind: value for kind, value in grant.items() if kind in ("access_token", "refresh_token")}
with open(log, "a", encoding="utf-8") as handle:
    handle.write(json.dumps(tokens) + "\\n")
print(json.dumps(tokens))
"""
PROBE_COMMAND = """\
import json, os, sys, urllib.request
payload = json.dumps({"token": os.environ["REVOKE_TOKEN"]}).encode()
headers = {"Content-Type": "application/json"}
request = urllib.request.Request(sys.argv[1] + PREFIX + "/introspect", data=payload, headers=headers)
sys.exit(0 if json.loads(urllib.request.urlopen(request, timeout=10).read())["active"] else 1)
"""
# The schema and protocol tests, and the semantic tests' explicit examples (their property
# twins spend minutes shrinking failures on these planted bugs, and add no new kind of output).
SELECTION = [
    str(CONTRACT_SUITE / "test_protocol.py"),
    str(CONTRACT_SUITE / "test_schema.py"),
    f"{CONTRACT_SUITE / 'test_semantics.py'}::test_revoked_token_is_dead_examples",
    f"{CONTRACT_SUITE / 'test_semantics.py'}::test_nothing_echoed_examples",
]


@dataclass
class Run:
    """One finished run of the suite: where its files are and what it printed."""

    directory: Path
    result: subprocess.CompletedProcess[str]
    minted: list[str]

    def outputs(self) -> dict[str, str]:
        """Captured text and every file the run left in its directory (hypothesis' database too)."""
        texts = {"stdout": self.result.stdout, "stderr": self.result.stderr}
        for path in sorted(self.directory.rglob("*")):
            if path.is_file() and path.name not in ("minted.jsonl", "mint.py", "probe.py"):
                texts[str(path.relative_to(self.directory))] = path.read_bytes().decode("utf-8", "replace")
        return texts


@pytest.fixture(scope="module")
def polar_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    directory = tmp_path_factory.mktemp("polar-run")
    script, probe, log = directory / "mint.py", directory / "probe.py", directory / "minted.jsonl"
    script.write_text(TOKEN_COMMAND.replace("PREFIX", repr(TEST_PREFIX)), encoding="utf-8")
    probe.write_text(PROBE_COMMAND.replace("PREFIX", repr(TEST_PREFIX)), encoding="utf-8")
    first, second = DEFAULT_CLIENTS
    with ReferenceServer(load_contract("polar"), bugs=frozenset(BUGS)) as server:
        token_command = shlex.join([sys.executable, str(script), server.base_url, str(log)])
        probe_command = shlex.join([sys.executable, str(probe), server.base_url])
        result = run_suite(
            [
                *SELECTION,
                "-v",
                "-rA",
                "--spec=polar",
                f"--target-url={server.base_url}",
                f"--client-id={first.client_id}",
                f"--client-secret={first.client_secret}",
                f"--second-client-id={second.client_id}",
                f"--second-client-secret={second.client_secret}",
                f"--token-command={token_command}",
                f"--probe-command={probe_command}",
                "--max-examples=10",
                f"--junitxml={directory / 'junit.xml'}",
                f"--report={directory / 'report.html'}",
            ],
            cwd=directory,
        )
    minted = [value for line in log.read_text().splitlines() for value in json.loads(line).values()]
    return Run(directory, result, minted)


@pytest.fixture(scope="module")
def embedded_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    directory = tmp_path_factory.mktemp("embedded-run")
    bugs = [f"--reference-bug={bug}" for bug in BUGS]
    result = run_suite(
        [
            *SELECTION[:2],
            "-rA",
            "--spec=voucherify",
            "--spec=rfc7009",
            *bugs,
            "--max-examples=10",
            f"--junitxml={directory / 'junit.xml'}",
            f"--report={directory / 'report.md'}",
        ],
        cwd=directory,
    )
    return Run(directory, result, [])


def _secret_spellings(run: Run) -> set[str]:
    """Every secret the run handled, as it could appear: raw, percent-encoded, inside Basic."""
    values = {client.client_secret for client in DEFAULT_CLIENTS} | set(run.minted)
    spellings = set()
    for value in values:
        spellings |= {value, quote(value, safe=""), quote_plus(value), value.partition(".")[2] or value}
    for client in DEFAULT_CLIENTS:
        spellings.add(base64.b64encode(f"{client.client_id}:{client.client_secret}".encode()).decode())
    return {spelling for spelling in spellings if len(spelling) >= 8}


@pytest.mark.parametrize("run_name", ["polar_run", "embedded_run"])
def test_no_secret_in_any_output(request: pytest.FixtureRequest, run_name: str) -> None:
    run: Run = request.getfixturevalue(run_name)
    assert run.result.returncode == 1, run.result.stdout[-3000:] + run.result.stderr[-3000:]
    outputs = run.outputs()
    assert {"stdout", "stderr", "junit.xml"} < set(outputs) and {"report.html", "report.md"} & set(outputs)
    leaks = [
        f"{name} contains {secret[:6]}..."
        for name, text in outputs.items()
        for secret in _secret_spellings(run)
        if secret in text
    ]
    assert leaks == []
    # Not vacuous: the secrets were in the failing requests and are shown where they stood, as the
    # variable the user gave them in (polar_run: the form body's secret) or masked where the suite
    # made them up itself (voucherify, the embedded run's first, in a header).
    shown = {
        "polar_run": '--data-urlencode "client_secret=${REVOKE_CLIENT_SECRET}"',
        "embedded_run": "X-App-Token: [REDACTED]",
    }[run_name]
    assert shown in outputs["stdout"], outputs["stdout"][-3000:]


def test_schemathesis_form_body_curl_is_masked(polar_run: Run) -> None:
    """The schema test's curl line names the secret of a generated form body by its variable."""
    stdout = polar_run.result.stdout
    line = r"curl -X POST .*--data-urlencode \"client_secret=\$\{REVOKE_CLIENT_SECRET\}\""
    assert re.search(line, stdout), stdout[-3000:]
    assert polar_run.minted, "the token command was never called: the grep proved nothing about tokens"


def test_junit_has_one_testcase_per_check_and_contract(polar_run: Run) -> None:
    root = ET.parse(polar_run.directory / "junit.xml").getroot()
    cases = root.iter("testcase")
    by_name: dict[str, list[ET.Element]] = {}
    for case in cases:
        by_name.setdefault(case.attrib["name"], []).append(case)
    assert all(len(found) == 1 for found in by_name.values()), [name for name, f in by_name.items() if len(f) > 1]
    # The schema test is one case per API operation, e.g. "test_schema_conformance[polar-POST:/v1/oauth2/revoke]".
    tests = {name: found[0] for name, found in by_name.items()}
    assert "test_unknown_token_answer[polar]" in tests
    assert "test_undocumented_method_is_refused[polar-GET]" in tests
    for name, case in tests.items():
        properties = {prop.attrib["name"]: prop.attrib["value"] for prop in case.iter("property")}
        assert properties["revocation-contract"] == "polar", name
        assert properties["revocation-clause"], name
    failure = tests["test_missing_token_is_invalid_request[polar]"].find("failure")
    assert failure is not None
    # The message is the problem's one line (pytest 9.2 would cut a longer one at 500
    # characters); the element's text is the whole failure (reporting/junit.py).
    assert failure.attrib["message"] == "[OBS-polar-missing-token] Wrong answer to missing-token", failure.attrib
    assert "expected: status 400 with error 'invalid_request'" in (failure.text or "")
    assert "reproduce: curl -X POST http://127.0.0.1:" in (failure.text or "")
    violations = [
        json.loads(value)
        for name, value in _properties(tests["test_missing_token_is_invalid_request[polar]"])
        if name == "revocation-violation"
    ]
    assert violations and violations[0]["clause"] == "OBS-polar-missing-token", violations
    operation = by_name["test_schema_conformance[polar-POST:/v1/oauth2/revoke]"][0].find("failure")
    assert operation is not None and "curl -X POST" in (operation.text or "")


def test_html_report_of_the_failing_run(polar_run: Run) -> None:
    document = (polar_run.directory / "report.html").read_text(encoding="utf-8")
    assert html_problems(document) == []
    statuses = re.findall(r'<td class="st st-(\w+)"', document)
    junit = ET.parse(polar_run.directory / "junit.xml").getroot()
    tests = list(junit.iter("testcase"))
    assert len(statuses) == len(tests)  # one cell per check and contract, like JUnit
    # Nothing is skipped on the embedded servers: what does not apply is not collected (issue 18).
    assert {"pass", "fail"} <= set(statuses) and "skip" not in statuses
    text = visible_text(document)
    assert "RFC7009-2.2" in text
    assert "Expected status 400 with error 'invalid_request'" in text
    # Every failing cell links to a problem, and every problem shows the request that caused it
    # (a curl line, or a semantic example's request sequence), masked.
    problems = set(re.findall(r'<article class="problem" id="(p\d+)"', document))
    failing = re.findall(r'<td class="st st-fail"[^>]*><a href="#(p\d+)">', document)
    assert len(failing) == statuses.count("fail") and set(failing) <= set(problems)
    articles = re.findall(r'<article class="problem".*?</article>', document, flags=re.DOTALL)
    assert articles and all('class="repro"' in article or "Request sequence" in article for article in articles)
    repros = re.findall(r'<pre class="repro">(.*?)</pre>', document, flags=re.DOTALL)
    # A curl line, or a semantic sequence starting with its mint step (the --token-command).
    assert all(command.startswith(("curl -X ", "REVOKE_G1=$(")) for command in repros), repros
    assert any("client_secret=${REVOKE_CLIENT_SECRET}" in command for command in repros)
    # Every problem lists the tests that saw it, each with the command that reruns it alone.
    reruns = re.findall(r'<pre class="rerun">(.*?)</pre>', document, flags=re.DOTALL)
    assert reruns and all("--hypothesis-seed=" in command for command in reruns), reruns[:2]


def test_html_report_renders_in_headless_chromium(polar_run: Run, tmp_path: Path) -> None:
    """The real run's report as Chromium builds and paints it; fails (not skips) on CI without Chromium."""
    rendering = render(polar_run.directory / "report.html", tmp_path)
    assert "Revocation contract conformance" in rendering.dom
    # No skip cell: on the embedded servers what does not apply is not collected (issue 18).
    assert {"pass", "fail"} <= set(cell_states(rendering.dom))
    # The first screen paints a failure (problems come first); the matrix below holds the rest.
    assert "fail" in rendering.visible_states()
    text = visible_text(rendering.dom)
    leaks = [secret[:6] for secret in _secret_spellings(polar_run) if secret in rendering.dom or secret in text]
    assert leaks == []


def test_markdown_report_of_the_failing_run(embedded_run: Run) -> None:
    markdown = (embedded_run.directory / "report.md").read_text(encoding="utf-8")
    assert "| Check | Clause | voucherify | rfc7009 |" in markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| `test_protocol.py::test_missing_token"))
    # voucherify fails; rfc7009 reads the absent token as an invalid one: a warning (PIN-missing-token-as-invalid).
    cells = [cell.strip().split(" ")[0] for cell in row.strip().strip("|").split("|")]
    assert cells[-2:] == ["**FAIL**", "warn"], row
    # The Clause column cites what broke (the echo), not only what the test is about (RFC7009-2.2.1);
    # voucherify has no hint field, so the test is not collected for it (issue 18): no skip cell.
    assert "| `test_protocol.py::test_unsupported_hint` | PIN-no-echo |" in markdown
    assert "## Problems, most severe first" in markdown
    assert re.search(
        r"```sh\ncurl -X POST http://127\.0\.0\.1:\d+/v1/oauth/token/revoke .*X-App-Token: \[REDACTED\]", markdown
    )
    assert re.search(r"Authorization: (Basic )?\[REDACTED\]", markdown)  # the embedded clients' are no user's


def _properties(case: ET.Element) -> list[tuple[str, str]]:
    return [(prop.attrib["name"], prop.attrib["value"]) for prop in case.iter("property")]
