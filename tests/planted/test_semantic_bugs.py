"""Proof that every revocation-semantics property fires, and only on what it claims.

For each property in ``revocation_contracts.semantics.PROPERTIES`` the embedded reference
servers run with the planted bug that breaks exactly its rule (``reference/bugs.py``); the
property's test must fail on every contract it applies to, and no other semantic property
may fail (a bug that fails several properties would point a user at the wrong cause), and
its failure's headline must say what happened. The one exception is the echo property: every
semantic test checks every response for echoed secrets, so a server that echoes the token
fails them all, by design. Two bugs break a SHOULD or a pin, not a MUST: their runs pass with
a warning under its clause and fail only under ``--strict-semantics`` (``no-cascade`` on
rfc7009, ``query-token-merged`` on every contract that does not document the query form).

The faithful servers pass every property under five seeds in ``test_faithful_seeds.py`` (one
whole-suite run per seed). The command path (``--token-command`` / ``--probe-command``, here
``examples/token_command.py`` and ``examples/probe_command.py`` against a reference server
started in this process) must pass on a faithful server and catch a planted bug, exactly as a
user's commands would.

Each test starts its own child run when it runs, so pytest-xdist spreads the runs over its
workers and no run is made twice (a shared fixture would be set up once per worker).
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.reference import DEFAULT_CLIENTS, ReferenceServer
from revocation_contracts.semantics import PROPERTIES, Property

from .conftest import SuiteRun, run_suite
from .test_faithful_seeds import applies

REPO = Path(__file__).resolve().parents[2]
SEMANTICS = REPO / "tests" / "contract" / "test_semantics.py"
# How the child run names its tests: ``test_semantics.py::test_x[polar]`` (SuiteRun's ids).
MODULE = "test_semantics.py::"
EXAMPLES = REPO / "examples"
# The command path runs one subprocess per mint and per probe; a few examples prove the plumbing.
COMMAND_MAX_EXAMPLES = "2"
COMMAND_CONTRACTS = ("polar", "voucherify")
# Bugs that every semantic test catches by design (each checks every response for echoes).
EVERYWHERE = frozenset({"echoes-token"})
# What the reference server's own tokens look like (store.new_token_value): never in any output.
REFERENCE_TOKEN = re.compile(r"\b[ar]t\.[A-Za-z0-9+/]{20,}")
# What each bug's failure headline must say happened (never the property's claim alone: a
# headline "... stays active" over a token that did stay active points at the wrong cause).
# Where a contract's unknown-token answer differs from its revoked one (Voucherify's 404), a
# revocation that found no token fails on its answer before the probe.
NOT_REVOKED = "not the contract's 'revoked' answer"
HEADLINES = {
    "keeps-token": ("still active after",),
    "second-revoke-error": ("answered 500, not the contract's 'unknown-token' answer",),
    "hint-restricts-search": ("still active after a revocation hinted", NOT_REVOKED),
    "no-cascade": ("still active after its grant's",),
    "cross-client-revokes": ("inactive after another client's revocation of",),
    "revokes-all-grants": ("inactive after",),
    "no-percent-decode": ("still active after a revocation answered", NOT_REVOKED),
    "query-string-revokes": ("only in its query string, not the documented",),
    "echoes-token": ("repeats a secret",),
    "unknown-hint-ignored": ("(a success): the server neither refused the hint",),
}


def run_semantics(
    workdir: Path, specs: tuple[str, ...] = (), *, extra: tuple[str, ...] = (), **options: Any
) -> SuiteRun:
    """Run ``tests/contract/test_semantics.py`` in a child pytest, from ``workdir`` (``run_suite``'s options).

    ``--assert=plain``: the semantic tests use no bare asserts, and rewriting every plugin
    module again in each child (no bytecode cache here) costs more than some runs themselves.
    """
    return run_suite(workdir, specs, paths=(SEMANTICS,), extra=("-rA", "--assert=plain", *extra), **options)


def command_args(base_url: str, contract: str) -> tuple[str, ...]:
    """The options a user passes to drive any server through the example commands."""
    first, second = DEFAULT_CLIENTS
    python = shlex.quote(sys.executable)
    return (
        "--spec", contract,
        "--target-url", base_url,
        "--client-id", first.client_id,
        "--client-secret", first.client_secret,
        "--second-client-id", second.client_id,
        "--second-client-secret", second.client_secret,
        "--token-command", f"{python} {shlex.quote(str(EXAMPLES / 'token_command.py'))}",
        "--probe-command", f"{python} {shlex.quote(str(EXAMPLES / 'probe_command.py'))}",
        "--max-examples", COMMAND_MAX_EXAMPLES,
    )  # fmt: skip


# The first five contracts; okta, google and github are proven in test_vendor_contracts.py (CPU budget).
FIVE = ("polar", "voucherify", "mollie", "auth0", "rfc7009")


def run_bug(workdir: Path, prop: Property) -> SuiteRun:
    """Every semantic test of the five contracts, against servers with ``prop``'s planted bug."""
    # Each bug under its own seed: the proof does not hang on one lucky seed. A bug every test
    # catches is run on its own property only: shrinking them all proves nothing more.
    select = prop.test if prop.bug in EVERYWHERE else None
    return run_semantics(workdir, FIVE, bugs=(prop.bug,), seed=1000 + prop.number, select=select)


def run_command_path(workdir: Path, contract: str, bugs: frozenset[str] = frozenset(), *args: str) -> SuiteRun:
    """The semantic tests through the example commands, against a reference server of this process."""
    with ReferenceServer(load_contract(contract), bugs) as server:
        command = command_args(server.base_url, server.contract.name)
        return run_semantics(workdir, extra=(*command, *args), env={"REFERENCE_URL": server.base_url})


def _contracts_where(prop: Property, fails: bool) -> list[str]:
    """Contracts on which the embedded run applies ``prop`` (and, with ``fails``, fails on its bug).

    A refresh cascade the contract only recommends (``should``) is a warning, not a failure, so
    its bug fails property 4 nowhere there (``test_unmet_should_is_a_warning_and_strict_mode_fails``).
    """
    names = [name for name in FIVE if applies(prop, name)]
    if fails and prop.number == 4:
        names = [name for name in names if load_contract(name).tokens.refresh_revokes_access != "should"]
    return names


@pytest.mark.parametrize("prop", PROPERTIES, ids=[f"P{prop.number}-{prop.bug}" for prop in PROPERTIES])
def test_planted_bug_fails_exactly_its_property(tmp_path, prop):
    run = run_bug(tmp_path, prop)
    assert run.returncode == 1, run.describe()
    for contract in _contracts_where(prop, fails=True):
        test = f"{MODULE}{prop.test}[{contract}]"
        assert run.outcomes.get(test) == "failed", f"{test} did not fail: {run.outcomes.get(test)}\n{run.describe()}"
        message = run.texts[test]
        assert f"(property {prop.number}: {prop.claim.text})" in message, message  # the failure names its property,
        assert any(headline in message for headline in HEADLINES[prop.bug]), message  # ... says what happened,
        assert (
            "request sequence (secrets as $REVOKE_* variables or redacted):" in message and "$ curl -X " in message
        ), message
        assert "-> " in message, message  # ... the requests, their answers and the probes
    assert not run.with_outcome("error"), run.describe()
    # One root cause, one problem: the summary lists one failure per contract where the bug breaks
    # the property (every test that met it, examples and explicit tests alike, under it), no other.
    problems = sorted(run.problems())
    assert [contract for contract, _ in problems] == sorted(_contracts_where(prop, fails=True)), problems
    if prop.bug in EVERYWHERE:
        return  # the run selected only this property's tests
    own = (f"{MODULE}{prop.test}[", f"{MODULE}{prop.test}_examples[")
    strays = sorted(test for test in run.with_outcome("failed") if not test.startswith(own))
    assert not strays, f"{prop.bug} should break only property {prop.number}, but these failed too: {strays}"


def test_unmet_should_is_a_warning_and_strict_mode_fails(tmp_path):
    """RFC 7009's cascade is a SHOULD: without it rfc7009 passes with a warning in the summary's
    own section, its clause and level in JUnit (Polar and Mollie fail: a must there, shown by
    the P4 row above); under --strict-semantics it fails."""
    only = {"bugs": ("no-cascade",), "select": "kills_grant_access"}
    lenient = run_semantics(tmp_path / "lenient", ("rfc7009",), **only)
    test = f"{MODULE}test_refresh_revocation_kills_grant_access_tokens[rfc7009]"
    assert lenient.outcomes.get(test) == "passed", lenient.describe()
    warnings = [json.loads(value) for name, value in lenient.properties.get(test, []) if name == "revocation-violation"]
    assert warnings and warnings[0]["level"] == "warning", lenient.properties.get(test)
    assert warnings[0]["clause"] == "RFC7009-2.1" and "property 4" in warnings[0]["title"], warnings
    assert lenient.problems("warning") == {("rfc7009", "RFC7009-2.1")}, lenient.describe()
    strict = run_semantics(tmp_path / "strict", ("rfc7009",), extra=("--strict-semantics",), **only)
    assert strict.outcomes.get(test) == "failed", strict.describe()
    assert "--strict-semantics" in strict.texts[test], strict.texts[test]


QUERY_ONLY_EXAMPLE = f"{MODULE}test_undocumented_method_or_query_token_never_revokes_examples"


def test_token_only_in_the_documented_query_is_a_warning_and_strict_mode_fails(tmp_path):
    """PIN-query-token: a server that merges query and body parameters revokes a token sent
    only in the documented method's query string; that passes with a warning under its clause,
    never cited as RFC 7009 (under --strict-semantics it fails). Another method with the token
    in its query string still fails (the P8 row above, ``query-string-revokes``)."""
    only = {"bugs": ("query-token-merged",), "select": "never_revokes"}
    lenient = run_semantics(tmp_path / "lenient", ("rfc7009", "voucherify"), **only)
    assert lenient.returncode == 0 and not lenient.with_outcome("failed"), lenient.describe()
    for spec in ("rfc7009", "voucherify"):
        test = f"{QUERY_ONLY_EXAMPLE}[{spec}-documented-method-token-only-in-query]"
        assert lenient.outcomes.get(test) == "passed", lenient.describe()
        recorded = [
            json.loads(value) for name, value in lenient.properties.get(test, []) if name == "revocation-violation"
        ]
        assert [(found["clause"], found["level"]) for found in recorded] == [("PIN-query-token", "warning")], recorded
        assert "only in its query string" in recorded[0]["title"] and "property 8" in recorded[0]["title"], recorded
        assert "RFC 6750 section 2.3" in recorded[0]["expected"], recorded
    assert "[PIN-query-token]" in lenient.output, lenient.describe()
    strict = run_semantics(tmp_path / "strict", ("rfc7009",), extra=("--strict-semantics",), **only)
    test = f"{QUERY_ONLY_EXAMPLE}[rfc7009-documented-method-token-only-in-query]"
    assert strict.outcomes.get(test) == "failed", strict.describe()
    assert "[PIN-query-token]" in strict.texts[test] and "--strict-semantics" in strict.texts[test], strict.texts[test]


# Not called ``contract``: the plugin parametrizes every test that names that argument.
@pytest.mark.parametrize("spec", COMMAND_CONTRACTS)
def test_command_path_passes_on_a_faithful_server(tmp_path, spec):
    """--token-command / --probe-command against a faithful server: every property runs and passes."""
    run = run_command_path(tmp_path, spec)
    assert run.returncode == 0, run.describe()
    assert not run.with_outcome("failed") and not run.with_outcome("error"), run.describe()
    for prop in PROPERTIES:
        if spec in _contracts_where(prop, fails=False):
            test = f"{MODULE}{prop.test}[{spec}]"
            assert run.outcomes.get(test) == "passed", f"{test}: {run.outcomes.get(test)}\n{run.texts.get(test)}"
    # Property 7 ran on the commands' own tokens (base64 with '=' padding) and says so.
    escapes = next(prop for prop in PROPERTIES if prop.number == 7)
    recorded = run.properties.get(f"{MODULE}{escapes.test}[{spec}]", [])
    notes = [value for name, value in recorded if name == "revocation-note"]
    assert notes and "=" in notes[0].rpartition(":")[2], run.properties
    secrets = [client.client_secret for client in DEFAULT_CLIENTS]
    assert not any(secret in run.output for secret in secrets), "a client secret reached the output"


def test_command_path_fails_a_server_that_keeps_revoked_tokens(tmp_path):
    run = run_command_path(tmp_path, "rfc7009", frozenset({"keeps-token"}), "-k", "test_revoked_token_is_dead")
    assert run.returncode == 1, run.describe()
    test = f"{MODULE}test_revoked_token_is_dead[rfc7009]"
    assert run.outcomes.get(test) == "failed", run.describe()
    assert "the probe says g1." in run.texts[test] and "is active" in run.texts[test], run.texts[test]
    # The commands' tokens never appear: every probe result names a label, every curl masks the token.
    assert not REFERENCE_TOKEN.search(run.output + run.texts[test]), run.texts[test]
