"""Proof that the schema and protocol checks fire: one planted bug per rule, one suite run per bug.

Each row of ``ROWS`` names a bug from ``revocation_contracts.reference.bugs``, the contracts
where the rule it breaks applies (CONTRACTS.md), and the tests of ``tests/contract`` that must
fail on that variant, each with the text its failure must show: the clause it enforces, or
for a schemathesis built-in check, that check's title. The suite runs in a child process
against the embedded reference server with the bug switched on, on the modules named in the
row (``-k``), with a fixed Hypothesis seed so the schema tests are reproducible; every
schema failure listed here was also seen under other seeds, so none is the luck of a seed.

The twin, ``test_expected_failures_pass_on_faithful_server``, runs the same modules on the
faithful servers and shows that every test listed here exists and passes there; the whole
suite under several seeds is ``test_faithful_seeds.py``.

Where a rule does not apply, the contract is left out, not expected to pass:
- ``server-error-on-non-object-json``: only contracts that document JSON bodies (Mollie, Auth0);
  elsewhere a JSON body is refused as an undocumented media type before it is parsed.
- ``success-body-not-contract`` / ``wrong-success-content-type``: a 204 carries no body
  (Mollie, and Voucherify's revoked answer; its unknown-token 404 is judged as an error body);
  RFC 7009's success body is "any"; Auth0 tolerates a short text body, so only Polar's JSON
  ``{}`` has a content type to get wrong.
- ``no-www-authenticate`` / ``www-authenticate-bearer``: only where HTTP Basic is a client-auth
  method (Polar, Mollie, RFC 7009).
- ``hint-not-validated``: only where the hint is an enum that must be rejected (Polar, Mollie);
  RFC 7009 lets a server ignore an unknown hint, and Voucherify and Auth0 have no hint.
- ``missing-token-bare-422``: only GitHub documents a 422 body that needs more than the error's
  code and message (its validation error's ``documentation_url``); it is the one bug only the
  OpenAPI document catches in the explicit tests (``DOC-openapi``), every x-revocation rule
  accepting GitHub's basic error body for any of its error statuses. The reference reads
  GitHub's empty token as a missing one, so ``test_empty_token`` fails on it too.
The schema tests only ever send the suite's valid credentials, so the client-authentication
bugs and ``echoes-secret`` are caught by the protocol tests alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.reference.bugs import BUGS
from revocation_contracts.rules.clauses import answer_clause
from revocation_contracts.rules.schema_suite import operation_id

SEED = 0

# Revocation-semantics bugs: proven by the semantic property tests, not by this module.
SEMANTIC_BUGS = frozenset(
    {
        "keeps-token",
        "hint-restricts-search",
        "no-cascade",
        "revokes-all-grants",
        "cross-client-revokes",
        "no-percent-decode",
        "query-string-revokes",
        "second-revoke-error",
        "query-string-ignored",  # property 10, proven in test_query_token.py
    }
)

SCHEMA = "test_schema.py::test_schema_conformance[{spec}-{operation}]"
UNKNOWN = "test_protocol.py::test_unknown_token_answer[{spec}]"
REVOKED = "test_protocol.py::test_revoked_token_answer[{spec}]"
MISSING = "test_protocol.py::test_missing_token_is_invalid_request[{spec}]"
HINT = "test_protocol.py::test_unsupported_hint[{spec}]"


def method(name: str) -> str:
    return f"test_protocol.py::test_undocumented_method_is_refused[{{spec}}-{name}]"


def media(media_type: str) -> str:
    return f"test_protocol.py::test_undocumented_media_type_is_refused[{{spec}}-{media_type}]"


def malformed(body: str) -> str:
    return f"test_protocol.py::test_malformed_body_is_a_4xx[{{spec}}-{body}]"


def auth(scenario: str) -> str:
    return f"test_protocol.py::test_client_authentication_is_enforced[{{spec}}-{scenario}]"


# Texts a failure must show: clause ids the engine cites directly.
RFC6749_5_2 = "RFC6749-5.2"
NO_ECHO = "PIN-no-echo"
EMPTY_HINT = "test_protocol.py::test_empty_hint[{spec}]"
EMPTY_TOKEN = "test_protocol.py::test_empty_token[{spec}]"
# Titles of schemathesis built-in checks (they name no clause of ours):
SERVER_ERROR = "Server error"
NEGATIVE_ACCEPTED = "Invalid data should have been rejected"


@dataclass(frozen=True)
class Clause:
    """The clause id a contract's situation is judged by, e.g. ``Clause("missing-token")``."""

    situation: str

    def text(self, spec: str) -> str:
        return f"[{answer_clause(load_contract(spec), self.situation)}]"


@dataclass(frozen=True)
class PerSpec:
    """A text that differs by contract (e.g. the error-body format each one uses)."""

    texts: dict[str, str] = field(hash=False)

    def text(self, spec: str) -> str:
        return self.texts[spec]


Expected = str | Clause | PerSpec


def _text(expected: Expected, spec: str) -> str:
    return expected if isinstance(expected, str) else expected.text(spec)


@dataclass(frozen=True)
class Planted:
    """A bug, the contracts where its rule applies, and ``{test id template: text its failure shows}``."""

    bug: str
    specs: tuple[str, ...]
    fails: dict[str, Expected] = field(hash=False)

    def expected(self) -> dict[str, tuple[str, str]]:
        """``{test id: (spec, text)}`` for every contract of the row."""
        return {
            template.format(spec=spec, operation=operation_id(load_contract(spec))): (spec, _text(text, spec))
            for spec in self.specs
            for template, text in self.fails.items()
        }

    @property
    def select(self) -> str:
        """``-k`` naming every module with a test listed: whole modules, never single tests."""
        modules = sorted({template.split(".py::")[0] for template in self.fails})
        return " or ".join(modules)


ROWS = [
    Planted(
        "server-error-on-empty-body",
        ("polar", "voucherify", "mollie"),
        # The schema test's empty body is judged by the explicit test's rule (engine.refusal).
        {malformed("empty"): RFC6749_5_2, SCHEMA: RFC6749_5_2},
    ),
    Planted(
        "server-error-on-non-object-json",
        ("mollie", "auth0"),
        {
            malformed("json-array"): RFC6749_5_2,
            malformed("json-null"): RFC6749_5_2,
            malformed("json-string"): RFC6749_5_2,
            SCHEMA: SERVER_ERROR,
        },
    ),
    Planted(
        "missing-token-accepted",
        ("polar", "mollie", "rfc7009"),
        # The schema test's generated cases that only lack the token are judged by the same rule.
        {MISSING: Clause("missing-token"), SCHEMA: Clause("missing-token")},
    ),
    Planted(
        "wrong-success-status",
        ("polar", "voucherify", "mollie"),
        {REVOKED: Clause("revoked")},
    ),
    Planted(
        "success-body-not-contract",
        ("polar", "auth0"),
        {UNKNOWN: Clause("unknown-token"), REVOKED: Clause("revoked"), SCHEMA: Clause("revoked")},
    ),
    Planted(
        "wrong-success-content-type",
        ("polar",),
        {UNKNOWN: Clause("unknown-token"), REVOKED: Clause("revoked"), SCHEMA: Clause("revoked")},
    ),
    Planted(
        "error-body-not-contract",
        ("polar", "voucherify", "mollie"),
        {
            MISSING: PerSpec(
                {"polar": RFC6749_5_2, "voucherify": "DOC-voucherify-error-format", "mollie": RFC6749_5_2}
            ),
            auth("wrong-secret"): PerSpec(
                {"polar": RFC6749_5_2, "voucherify": "DOC-voucherify-error-format", "mollie": RFC6749_5_2}
            ),
            SCHEMA: "Error body breaks the contract",
        },
    ),
    Planted(
        "error-code-wrong-status",
        ("polar", "auth0", "rfc7009"),
        {MISSING: Clause("missing-token"), SCHEMA: Clause("missing-token")},
    ),
    Planted(
        "no-www-authenticate",
        ("polar", "mollie", "rfc7009"),
        {
            auth("wrong-secret"): Clause("bad-client-basic"),
            auth("unknown-client"): Clause("bad-client-basic"),
        },
    ),
    Planted(
        "www-authenticate-bearer",
        ("polar", "mollie", "rfc7009"),
        {
            auth("wrong-secret"): "WWW-Authenticate schemes ['bearer']",
            auth("unknown-client"): Clause("bad-client-basic"),
        },
    ),
    Planted(
        "ignores-client-auth",
        ("polar", "voucherify"),
        {
            auth("wrong-secret"): Clause("bad-client"),
            auth("unknown-client"): Clause("bad-client"),
            auth("none"): Clause("bad-client"),
        },
    ),
    Planted(
        "accepts-undocumented-method",
        ("polar", "mollie"),
        {
            method("GET"): Clause("undocumented-method"),
            method("PUT"): Clause("undocumented-method"),
            method("PATCH"): Clause("undocumented-method"),
        },
    ),
    Planted(
        "accepts-undocumented-media-type",
        ("voucherify",),  # a failure only where the vendor documents the refusal; see WARNING_ROWS
        {
            media("text-plain"): Clause("unsupported-media-type"),
            media("application-xml"): Clause("unsupported-media-type"),
            media("multipart-form-data"): Clause("unsupported-media-type"),
        },
    ),
    Planted(
        # Only the OpenAPI document describes GitHub's 422 body (openapi_responses.py); schemathesis'
        # response-schema check sees it on the generated requests that lack the token too.
        "missing-token-bare-422",
        ("github",),
        {MISSING: "[DOC-openapi]", EMPTY_TOKEN: "[DOC-openapi]", SCHEMA: "Response violates schema"},
    ),
    Planted(
        "empty-hint-server-error",
        ("polar", "mollie", "rfc7009"),
        {EMPTY_HINT: "PIN-empty-parameter"},
    ),
    Planted(
        "hint-not-validated",
        ("polar", "mollie"),
        {HINT: Clause("unsupported-hint"), SCHEMA: NEGATIVE_ACCEPTED},
    ),
    Planted(
        "echoes-secret",
        ("polar", "voucherify", "mollie"),
        {auth("wrong-secret"): NO_ECHO, auth("unknown-client"): NO_ECHO},
    ),
    Planted(
        "echoes-token",
        ("polar", "voucherify", "rfc7009"),
        {UNKNOWN: NO_ECHO, REVOKED: NO_ECHO},
    ),
]


PLANTED = [pytest.param(row, id=row.bug) for row in ROWS]


@dataclass(frozen=True)
class Warned:
    """A bug that breaks a SHOULD or a pin: the run passes, each listed test warns with its clause."""

    bug: str
    specs: tuple[str, ...]
    warns: dict[str, str] = field(hash=False)

    def expected(self) -> dict[str, str]:
        return {template.format(spec=spec): clause for spec in self.specs for template, clause in self.warns.items()}


WARNING_ROWS = [
    Warned("no-challenge-without-basic", ("rfc7009", "mollie"), {auth("none"): "RFC9110-15.5.2"}),
    Warned("other-method-404", ("polar", "rfc7009"), {method("GET"): "PIN-method-405"}),
    Warned(
        "accepts-undocumented-media-type",
        ("polar", "auth0"),
        {media("text-plain"): "PIN-media-type", media("application-xml"): "PIN-media-type"},
    ),
]
WARNED = [pytest.param(row, id=row.bug) for row in WARNING_ROWS]


def test_every_schema_and_protocol_bug_has_a_row():
    """A planted bug without a row is a rule nobody has shown the suite enforces."""
    rows = [row.bug for row in ROWS]
    assert len(rows) == len(set(rows)), "a bug has two rows"
    assert set(rows) | {row.bug for row in WARNING_ROWS} == set(BUGS) - SEMANTIC_BUGS
    assert set(BUGS) >= SEMANTIC_BUGS, "a semantic bug was renamed or removed; update SEMANTIC_BUGS"


@pytest.mark.parametrize("planted", PLANTED)
def test_suite_fails_on_planted_bug(contract_suite, planted: Planted):
    run = contract_suite(planted.specs, bugs=[planted.bug], seed=SEED, select=planted.select)
    assert run.returncode == 1, f"the suite did not fail on {planted.bug}: {run.describe()}"
    assert not run.errors, f"setup/teardown errors are not a verdict: {sorted(run.errors)}\n{run.describe()}"
    expected = planted.expected()
    missing = sorted(set(expected) - run.failed)
    assert not missing, (
        f"on {planted.bug} these tests did not fail: {missing}\nfailed instead: {sorted(run.failed)}\n{run.describe()}"
    )
    for test_id, (_, text) in expected.items():
        assert text in run.texts[test_id], f"{test_id} failed without naming {text!r}:\n{run.texts[test_id][-4000:]}"
        # The terminal report a user reads carries it too.
        assert text in run.output, f"the suite's output does not show {text!r} for {test_id}"


def test_expected_failures_pass_on_faithful_server(contract_suite):
    """Every test the table expects to fail exists, runs, and passes without the bug."""
    rows = ROWS
    specs = sorted({spec for row in rows for spec in row.specs})
    modules = sorted({module for row in rows for module in row.select.split(" or ")})
    run = contract_suite(specs, seed=SEED, select=" or ".join(modules))
    assert run.returncode == 0, run.describe()
    assert "revocation contract warnings" not in run.output, "a faithful server earned a warning"
    expected = {test_id for row in rows for test_id in row.expected()}
    not_passed = sorted(test_id for test_id in expected if run.outcomes.get(test_id) != "passed")
    assert not not_passed, f"not passed on the faithful servers: {not_passed}\n{run.describe()}"


def _warnings(run, test_id: str) -> list[dict[str, str]]:
    return [
        json.loads(value)
        for name, value in run.properties.get(test_id, [])
        if name == "revocation-violation" and json.loads(value)["level"] == "warning"
    ]


@pytest.mark.parametrize("warned", WARNED)
def test_warning_bug_passes_with_its_clause(contract_suite, warned: Warned):
    """A broken SHOULD or pin is a warning: exit 0, the test passes, its clause is in JUnit
    (a property, never a ``<failure>``) and in the terminal summary's own section."""
    run = contract_suite(warned.specs, bugs=[warned.bug], seed=SEED, select="test_protocol")
    assert run.returncode == 0, run.describe()
    for test_id, clause in warned.expected().items():
        assert run.outcomes.get(test_id) == "passed", f"{test_id}: {run.outcomes.get(test_id)}\n{run.describe()}"
        assert clause in [entry["clause"] for entry in _warnings(run, test_id)], run.properties.get(test_id)
        assert f"WARNING tests/contract/{test_id}" in run.output or test_id.split("::")[1] in run.output
    assert "revocation contract warnings" in run.output, run.describe()


def test_strict_mode_fails_a_warning(contract_suite):
    """--strict-semantics turns the warning into a failure, still under its clause."""
    run = contract_suite(
        ["rfc7009"],
        bugs=["other-method-404"],
        seed=SEED,
        select="test_undocumented_method",
        extra=["--strict-semantics"],
    )
    assert run.returncode == 1, run.describe()
    test_id = method("GET").format(spec="rfc7009")
    assert run.outcomes.get(test_id) == "failed", run.describe()
    assert "[PIN-method-405]" in run.texts[test_id] and "--strict-semantics" in run.texts[test_id]
