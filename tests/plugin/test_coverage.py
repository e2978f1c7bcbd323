"""Coverage is part of the verdict (issue 18): a remote run without a token supply does not end
green unless its scope was narrowed explicitly, and its summary names what did not run and why;
what cannot apply to a contract is never collected, only listed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.pytest_plugin.names import COVERAGE_PROPERTY
from revocation_contracts.pytest_plugin.runstatus import EXIT_INCOMPLETE
from revocation_contracts.reference import DEFAULT_CLIENTS, ReferenceServer

from .loopback import CONTRACT_SUITE


@pytest.fixture(scope="module")
def polar() -> Iterator[ReferenceServer]:
    """A faithful Polar reference server on loopback: a remote target the suite has no tokens for."""
    with ReferenceServer(load_contract("polar")) as server:
        yield server


def _remote_run(pytester: pytest.Pytester, server: ReferenceServer, *extra: str) -> pytest.RunResult:
    client = DEFAULT_CLIENTS[0]
    return pytester.runpytest(
        "-p",
        "no:cacheprovider",
        str(CONTRACT_SUITE),
        "--spec=polar",
        f"--target-url={server.base_url}",
        f"--client-id={client.client_id}",
        f"--client-secret={client.client_secret}",
        "--max-examples=2",
        "--junitxml=junit.xml",
        *extra,
    )


def _coverage_property(pytester: pytest.Pytester) -> dict:
    root = ElementTree.parse(pytester.path / "junit.xml").getroot()
    found = [prop.get("value") for prop in root.iter("property") if prop.get("name") == COVERAGE_PROPERTY]
    assert len(found) == 1, found
    return json.loads(found[0] or "")


def test_remote_run_without_token_supply_is_incomplete(pytester: pytest.Pytester, polar: ReferenceServer) -> None:
    result = _remote_run(pytester, polar)
    assert result.ret == EXIT_INCOMPLETE, result.stdout.str()[-3000:]
    assert result.parseoutcomes().get("failed") is None
    result.stdout.fnmatch_lines(
        [
            "*= revocation coverage =*",
            "scope: schema, protocol, semantics (all check families)",
            "polar: * checks ran (* passed)",
            "  does not apply: 4 checks (POST is the documented method; the token in the query string does not apply*",
            "  could not run: 34 checks: no token supply: 34 (*pass --issuer*--token-command*",
            "checks that apply could not run (exit 9)*",
        ]
    )
    # The same facts as data in JUnit XML, for the report and the CI.
    data = _coverage_property(pytester)["contracts"]["polar"]
    assert set(data["could_not_run"]) == {"no-token-supply"}, data
    assert data["ran"]["passed"] > 0 and len(data["does_not_apply"]) == 4, data


def test_narrowed_run_states_its_scope_and_passes(pytester: pytest.Pytester, polar: ReferenceServer) -> None:
    result = _remote_run(pytester, polar, "--checks", "schema,protocol")
    assert result.ret == 0, result.stdout.str()[-3000:]
    outcomes = result.parseoutcomes()
    assert outcomes.get("skipped") is None and outcomes["passed"] > 0 and outcomes["deselected"] > 0, outcomes
    result.stdout.fnmatch_lines(["scope: schema, protocol (--checks)", "polar: * checks ran (* passed)"])
    result.stdout.no_fnmatch_line("*could not run*")
    # test_revoked_token_answer needs a live token: it is a semantics check, deselected here.
    assert "test_revoked_token_answer" not in result.stdout.str()
    assert _coverage_property(pytester)["scope"] == ["schema", "protocol"]


def test_checks_from_the_environment_deselects_the_other_families(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVOKE_CHECKS", "semantics")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", str(CONTRACT_SUITE), "--spec=voucherify", "--collect-only", "-q"
    )
    ids = [line for line in result.outlines if "::" in line]
    assert ids and all("test_semantics.py::" in line or "test_revoked_token_answer" in line for line in ids), ids


def test_unknown_family_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider", "--spec=polar", "--checks", "schema,fuzz")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'schema,fuzz' names no check family of schema, protocol, semantics*"])


def test_what_does_not_apply_is_not_collected(pytester: pytest.Pytester) -> None:
    """Google has public clients and no hint field: those tests are not in its collection at all,
    while a contract with a hint (rfc7009) has them; nothing is collected only to be skipped."""
    result = pytester.runpytest(
        "-p", "no:cacheprovider", str(CONTRACT_SUITE), "--spec=google", "--spec=rfc7009", "--collect-only", "-q"
    )
    ids = [line for line in result.outlines if "::" in line]
    google = [line for line in ids if re.search(r"\[google(-|\])", line)]
    rfc7009 = [line for line in ids if re.search(r"\[rfc7009(-|\])", line)]
    for absent in ("test_client_authentication_is_enforced", "test_empty_hint", "test_wrong_hint_still_revokes["):
        assert not [line for line in google if absent in line], google
        assert [line for line in rfc7009 if absent in line], rfc7009
    assert not [line for line in google if "test_undocumented_method_is_refused[google-POST]" in line]
    assert [line for line in google if "test_undocumented_method_is_refused[google-GET]" in line]
