"""The rfc7009 contract against a real OAuth library: oauthlib's ``RevocationEndpoint``.

The server (``oauthlib_server.py``) is oauthlib on werkzeug, in a subprocess on loopback,
bounded by ``--lifetime`` and stopped by its pid. The suite runs its schema and protocol
tests against it with ``--target-url`` (the semantic tests need a token supply and are
skipped: the token store is this project's validator, not oauthlib's, so they would prove
nothing about the library).

The suite may fail only where oauthlib breaks an RFC MUST, each traced to its code
(oauthlib 4.0.1; line numbers from that release):

- ``oauthlib/oauth2/rfc6749/errors.py`` lines 99-113, ``OAuth2Error.headers``: every 401
  carries ``WWW-Authenticate: Bearer error="invalid_client"``, whatever scheme the client
  used. RFC 6749 section 5.2: "If the client attempted to authenticate via the
  'Authorization' request header field, the authorization server MUST respond with an HTTP
  401 (Unauthorized) status code and include the WWW-Authenticate response header field
  matching the authentication scheme used by the client." After HTTP Basic that is Basic, so
  the two bad-credential cases sent with Basic fail.

What oauthlib does that the RFCs allow, reported as warnings (JUnit ``revocation-violation``
properties of level ``warning``, the terminal's warnings section), never as failures:

- ``endpoints/base.py`` lines 75-80, ``_raise_on_bad_method``: another method is 400
  ``invalid_request``, not 405 (this project's pin ``PIN-method-405``);
- ``endpoints/revocation.py`` lines 57-76: ``Content-Type`` is never looked at, so a form
  body sent as ``text/plain``, XML or multipart is revoked (``PIN-media-type``; RFC 7009
  section 2.1 constrains the client, not the server).

And what passes outright:

- a 401 to a client that sent no ``Authorization`` header, with a Bearer challenge (RFC 6749
  section 5.2 makes the header a MUST only after header authentication);
- an unknown ``token_type_hint`` ignored (RFC 7009 section 2.2.1 allows ignoring it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

# oauthlib is a dev dependency (pip install -e '.[dev]'): without it this module errors, it never skips.
import oauthlib  # noqa: F401
import pytest

from tests.libraries.oauthlib_server import CLIENTS
from tests.planted.conftest import REAL_SERVER_SEEDS

REPO = Path(__file__).resolve().parents[2]
SUITE = REPO / "tests" / "contract"
SERVER = Path(__file__).with_name("oauthlib_server.py")
STARTUP_TIMEOUT = 20.0
RUN_TIMEOUT = 400
LIFETIME = RUN_TIMEOUT + 60
# RFC 6749 section 5.2 MUST, oauthlib/oauth2/rfc6749/errors.py lines 99-113 (a Bearer challenge after Basic).
MUST_DEVIATIONS = {
    "test_protocol.py::test_client_authentication_is_enforced[rfc7009-wrong-secret]",
    "test_protocol.py::test_client_authentication_is_enforced[rfc7009-unknown-client]",
}
# Pins oauthlib does not meet, reported as warnings (never failures): PIN-method-405
# (endpoints/base.py lines 75-80) and PIN-media-type (endpoints/revocation.py lines 57-76).
EXPECTED_WARNINGS = {
    **{
        f"test_protocol.py::test_undocumented_method_is_refused[rfc7009-{method}]": "PIN-method-405"
        for method in ("GET", "PUT", "PATCH", "DELETE")
    },
    **{
        f"test_protocol.py::test_undocumented_media_type_is_refused[rfc7009-{media}]": "PIN-media-type"
        for media in ("text-plain", "application-xml", "multipart-form-data")
    },
    # The schema test's coverage phase sends undocumented media types too: the same rule, the same warning.
    "test_schema.py::test_schema_conformance[rfc7009-POST:/revoke]": "PIN-media-type",
}


@pytest.fixture(scope="module")
def oauthlib_url() -> Iterator[str]:
    """oauthlib's revocation endpoint on 127.0.0.1, for the module; stopped by its pid."""
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "--lifetime", str(LIFETIME)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        line = process.stdout.readline()
        assert line.startswith("PORT ") and time.monotonic() < deadline, f"oauthlib server did not start: {line!r}"
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def _outcomes(junit: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Outcome and warning clauses per test id; schemathesis' per-operation subtests fold into their test."""
    outcomes: dict[str, str] = {}
    warnings: dict[str, set[str]] = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        module = (case.get("classname") or "").rpartition(".")[2]
        name = case.get("name") or ""
        test_id = f"{module}.py::{name.split('][')[0] + (']' if '][' in name else '')}"
        outcome = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        if outcomes.get(test_id) in (None, "passed", "skipped"):
            outcomes[test_id] = outcome
        for prop in case.iter("property"):
            if prop.get("name") == "revocation-violation":
                violation = json.loads(prop.get("value") or "{}")
                if violation.get("level") == "warning":
                    warnings.setdefault(test_id, set()).add(violation["clause"])
    return outcomes, warnings


@pytest.mark.parametrize("seed", REAL_SERVER_SEEDS)
def test_rfc7009_contract_fails_oauthlib_only_on_rfc_musts(oauthlib_url: str, tmp_path: Path, seed: int) -> None:
    client_id, secret = next(iter(CLIENTS.items()))
    junit = tmp_path / "junit.xml"
    command = [
        sys.executable, "-m", "pytest", str(SUITE / "test_schema.py"), str(SUITE / "test_protocol.py"),
        "--spec", "rfc7009", "--target-url", oauthlib_url, "--client-id", client_id, "--client-secret", secret,
        "--max-examples", "10", "-p", "no:cacheprovider", "-q", f"--junitxml={junit}", "--hypothesis-seed", str(seed),
    ]  # fmt: skip
    env = {name: value for name, value in os.environ.items() if not name.startswith(("REVOKE_", "PYTEST_ADDOPTS"))}
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    output = result.stdout[-6000:] + result.stderr[-2000:]
    outcomes, warnings = _outcomes(junit)
    failed = {test_id for test_id, outcome in outcomes.items() if outcome in ("failure", "error")}
    assert failed == MUST_DEVIATIONS, output  # the RFC 6749 5.2 MUST, and nothing else
    assert {test_id: {clause} for test_id, clause in EXPECTED_WARNINGS.items()} == warnings, output
    assert all(outcomes[test_id] == "passed" for test_id in EXPECTED_WARNINGS), output  # warnings, not failures
    # One problem per clause in the summary, however many tests warned of it.
    problems = re.findall(r"^WARNING rfc7009 \[([^\]]+)\] ", result.stdout, re.MULTILINE)
    assert sorted(problems) == sorted(set(EXPECTED_WARNINGS.values())), output
    assert outcomes["test_schema.py::test_schema_conformance[rfc7009-POST:/revoke]"] == "passed", output
    assert outcomes["test_protocol.py::test_client_authentication_is_enforced[rfc7009-none]"] == "passed", output
    assert secret not in result.stdout + result.stderr
    # The failures name the challenge oauthlib sent.
    assert "[RFC6749-5.2] Missing Basic challenge" in result.stdout, output
    assert "got:      WWW-Authenticate schemes ['bearer']" in result.stdout, output
