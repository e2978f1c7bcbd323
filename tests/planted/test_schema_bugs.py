"""Proof that the schema and protocol checks fire: one planted bug per rule, one suite run per bug.

Each row of ``ROWS`` names a bug from ``revocation_contracts.reference.bugs``, the contracts
where the rule it breaks applies (the project's rules, docs/contracts.md), and EXACTLY the tests
of ``tests/contract/test_protocol.py`` and ``test_schema.py`` that fail on that variant: a test
that fails and is not listed fails the proof as surely as a listed test that passes, so a bug
that trips a neighbouring check is seen. Each listed test carries its verdict: the clause id
and title its own failure shows (the JUnit ``<failure>`` of that test case and its
``revocation-violation`` property), never a text found somewhere else in the run's output.
For a schemathesis built-in check the title is the check's own (``Server error``) and the
clause the one the suite maps it to. The suite runs in a child process against the embedded
reference server with the bug switched on, with a fixed Hypothesis seed so the schema test's
generated cases are reproducible; every schema failure listed here was also seen under other seeds.

The schema test's ids come from one helper, ``schema_test_ids``: where schemathesis reports an
operation as a sub-test, a failing operation fails its parent test too.

The twin, ``test_expected_failures_pass_on_faithful_server``, runs the same modules on the
faithful servers and shows that every test listed here exists and passes there; the whole
suite under several seeds is ``test_faithful_seeds.py``. ``test_every_contract_test_has_a_planted_bug``
shows that every test function of the shipped suite is in a planted row somewhere (this
table, the semantic table, the vendor table), so a check that cannot fail is noticed.

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
- ``basic-auth-refused``: Polar, where Basic is the second method; where Basic is the first (or
  only) method every test authenticates with it and the bug would fail them all.
- ``second-media-type-refused``: Mollie and Auth0 document JSON then form; elsewhere one type.
- ``missing-token-accepted``: a failure where the vendor documents or shows its 400 (Polar,
  Mollie); the rfc7009 contract lists the 200 as a warned second reading (RFC 7009 2.2 answers
  an invalid token 200), so there it is a WARNING row, the schema test's negative cases included.
- ``unsupported-hint-401``: only where the contract has an unsupported-hint answer; the bug makes
  an ignoring server (rfc7009) reject too, at 401.
- ``accepts-json-body``: only where JSON is undocumented (not Mollie, Auth0, GitHub); a failure
  only where the vendor documents the refusal (Voucherify), else a WARNING row.
The schema tests only ever send the suite's valid credentials, so the client-authentication
bugs and ``echoes-secret`` are caught by the protocol tests alone.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.reference.bugs import BUGS
from revocation_contracts.rules.clauses import answer_clause
from revocation_contracts.semantics import PROPERTIES

from .conftest import CONTRACT_SUITE, SuiteRun, schema_test_ids
from .test_query_token import TESTS as QUERY_TOKEN_TESTS
from .test_vendor_contracts import PROOFS as VENDOR_PROOFS

SEED = 0
# Every row runs both modules whole: the exact set of failing tests is over all of them.
MODULES = "test_protocol or test_schema"

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
        "unknown-hint-ignored",
        "query-token-merged",  # a warning of property 8, proven in test_semantic_bugs.py
    }
)


# Test id templates (``{spec}`` is the contract); SCHEMA stands for ``schema_test_ids(spec)``.
SCHEMA = "<the schema test>"
UNKNOWN = "test_protocol.py::test_unknown_token_answer[{spec}]"
REVOKED = "test_protocol.py::test_revoked_token_answer[{spec}]"
MISSING = "test_protocol.py::test_missing_token_is_invalid_request[{spec}]"
EMPTY_TOKEN = "test_protocol.py::test_empty_token[{spec}]"
EMPTY_HINT = "test_protocol.py::test_empty_hint[{spec}]"
HINT = "test_protocol.py::test_unsupported_hint[{spec}]"
AUTH_WORKS = "test_protocol.py::test_every_documented_client_auth_method_works[{spec}]"
MEDIA_WORKS = "test_protocol.py::test_every_documented_media_type_works[{spec}]"


def method(name: str) -> str:
    return f"test_protocol.py::test_undocumented_method_is_refused[{{spec}}-{name}]"


def media(media_type: str) -> str:
    return f"test_protocol.py::test_undocumented_media_type_is_refused[{{spec}}-{media_type}]"


def malformed(body: str) -> str:
    return f"test_protocol.py::test_malformed_body_is_a_4xx[{{spec}}-{body}]"


def auth(scenario: str) -> str:
    return f"test_protocol.py::test_client_authentication_is_enforced[{{spec}}-{scenario}]"


def function_of(test_id: str) -> str:
    """``test_protocol.py::test_x[polar-GET]`` -> ``test_x``."""
    return test_id.partition("::")[2].partition("[")[0]


@dataclass(frozen=True)
class Clause:
    """The clause id a contract's answer to a situation is judged by, e.g. ``Clause("missing-token")``."""

    situation: str

    def text(self, spec: str) -> str:
        return answer_clause(load_contract(spec), self.situation)


@dataclass(frozen=True)
class PerSpec:
    """A text that differs by contract (e.g. the error-body format each one uses)."""

    texts: dict[str, str] = field(hash=False)

    def text(self, spec: str) -> str:
        return self.texts[spec]


Text = str | Clause | PerSpec


def _text(expected: Text, spec: str) -> str:
    return expected if isinstance(expected, str) else expected.text(spec)


# Titles the suite gives its verdicts (rules/engine.py), and schemathesis' own check titles.
ERROR_BODY = "Error body breaks the contract"
SUCCESS_BODY = "Success body breaks the contract"
ECHOED = "Credential echoed"
NO_CHALLENGE = "Missing Basic challenge"
SERVER_ERROR = "Server error"
NEGATIVE_ACCEPTED = "Schema-violating request accepted"
POSITIVE_REJECTED = "Schema-valid request rejected"
BEARER = "WWW-Authenticate schemes ['bearer']"
NOT_AS_DOCUMENTED = "Answer not as the OpenAPI document describes it"
OAUTH_ERROR_FORMAT = PerSpec(
    {"polar": "RFC6749-5.2", "voucherify": "DOC-voucherify-error-format", "mollie": "RFC6749-5.2"}
)


def wrong_answer(situation: str) -> tuple[Clause, str]:
    """The verdict of an explicit test whose answer to ``situation`` is not the contract's."""
    return Clause(situation), f"Wrong answer to {situation}"


@dataclass(frozen=True)
class Fails:
    """One test (a template) that fails, its clause and title, on ``on`` (default: the row's contracts).

    ``detail``: a further text its failure must show (what was expected or received).
    ``maybe``: the schema test may or may not meet the bug under SEED: whether a generated case
    does depends on the string constants of the code under test, which schemathesis draws from
    (``compat.operation_test``), so any change to the package can turn it either way. If it
    fails, it fails with this verdict.
    """

    template: str
    clause: Text
    title: Text
    on: tuple[str, ...] | None = None
    detail: str = ""
    maybe: bool = False


@dataclass(frozen=True)
class Verdict:
    """What one failing test case shows: its clause and title (and a detail, if any)."""

    clause: str
    title: str
    detail: str = ""


@dataclass(frozen=True)
class Planted:
    """A bug, the contracts where its rule applies, and every test that fails on it."""

    bug: str
    specs: tuple[str, ...]
    fails: tuple[Fails, ...]

    def expected(self) -> dict[str, Verdict]:
        """``{test id whose own text shows the verdict: verdict}`` for every contract of the row."""
        found: dict[str, Verdict] = {}
        for spec in self.specs:
            for entry in self.fails:
                if entry.on is not None and spec not in entry.on:
                    continue
                verdict = Verdict(_text(entry.clause, spec), _text(entry.title, spec), entry.detail)
                test_id = schema_test_ids(spec)[0] if entry.template == SCHEMA else entry.template.format(spec=spec)
                found[test_id] = verdict
        return found

    def problems(self, maybe: bool = False) -> set[tuple[str, str]]:
        """``(contract, clause)`` of every problem the run's summary must list (with ``maybe``:
        may list, the ``maybe`` entries' too), and no other."""
        return {
            (spec, _text(entry.clause, spec))
            for spec in self.specs
            for entry in self.fails
            if (entry.on is None or spec in entry.on) and (maybe or not entry.maybe)
        }

    def optional(self) -> set[str]:
        """The test ids of ``maybe`` entries: they may pass, and if they fail, show their verdict."""
        return {
            schema_test_ids(spec)[0] if entry.template == SCHEMA else entry.template.format(spec=spec)
            for spec in self.specs
            for entry in self.fails
            if entry.maybe and (entry.on is None or spec in entry.on)
        }

    def failing(self) -> set[str]:
        """Every test id that fails: the tests of ``expected`` and the schema test's other ids."""
        ids = set(self.expected())
        for spec in self.specs:
            if any(entry.template == SCHEMA and (entry.on is None or spec in entry.on) for entry in self.fails):
                ids |= set(schema_test_ids(spec))
        return ids


ROWS = [
    Planted(
        "server-error-on-empty-body",
        ("polar", "voucherify", "mollie"),
        (
            Fails(
                malformed("empty"),
                "RFC6749-5.2",
                PerSpec(
                    {
                        "polar": "Server did not refuse a malformed application/x-www-form-urlencoded body",
                        "voucherify": "Server did not refuse a malformed application/x-www-form-urlencoded body",
                        "mollie": "Server did not refuse a malformed application/json body",
                    }
                ),
            ),
            # The schema test's empty body is the explicit test's situation, judged by its rule.
            Fails(SCHEMA, "RFC6749-5.2", "Server did not refuse an empty body"),
        ),
    ),
    Planted(
        "server-error-on-non-object-json",
        ("mollie", "auth0"),
        (
            *(
                Fails(malformed(body), "RFC6749-5.2", "Server did not refuse a malformed application/json body")
                # The reference reads an empty JSON body as null: the same crash.
                for body in ("empty", "json-array", "json-null", "json-string")
            ),
            Fails(SCHEMA, "RFC6749-5.2", SERVER_ERROR),
        ),
    ),
    Planted(
        # rfc7009 lists the 200 as a warned reading (PIN-missing-token-as-invalid): see WARNING_ROWS.
        "missing-token-accepted",
        ("polar", "mollie"),
        # The schema test's generated cases that only lack the token are judged by the same rule.
        (Fails(MISSING, *wrong_answer("missing-token")), Fails(SCHEMA, *wrong_answer("missing-token"))),
    ),
    Planted(
        "wrong-success-status",
        ("polar", "voucherify", "mollie"),
        (Fails(REVOKED, *wrong_answer("revoked")),),
    ),
    Planted(
        "success-body-not-contract",
        ("polar", "auth0"),
        (
            Fails(UNKNOWN, Clause("unknown-token"), "Wrong body in the answer to unknown-token"),
            Fails(REVOKED, Clause("revoked"), "Wrong body in the answer to revoked"),
            Fails(AUTH_WORKS, Clause("unknown-token"), "Wrong body in the answer to unknown-token"),
            Fails(MEDIA_WORKS, Clause("unknown-token"), "Wrong body in the answer to unknown-token"),
            # Polar pins an empty token as an unknown one (200 {}); Auth0 refuses it as missing.
            Fails(EMPTY_TOKEN, Clause("unknown-token"), "Wrong body in the answer to unknown-token", ("polar",)),
            # A generated case is an unknown token to the server: judged by that situation's rule where
            # the contract names the answer (Polar), by the success-body check elsewhere.
            Fails(SCHEMA, Clause("unknown-token"), "Wrong body in the answer to unknown-token", ("polar",)),
            Fails(SCHEMA, Clause("revoked"), SUCCESS_BODY, ("auth0",)),
        ),
    ),
    Planted(
        "wrong-success-content-type",
        ("polar",),
        (
            Fails(UNKNOWN, Clause("unknown-token"), "Wrong body in the answer to unknown-token"),
            Fails(REVOKED, Clause("revoked"), "Wrong body in the answer to revoked"),
            Fails(AUTH_WORKS, Clause("unknown-token"), "Wrong body in the answer to unknown-token"),
            Fails(MEDIA_WORKS, Clause("unknown-token"), "Wrong body in the answer to unknown-token"),
            Fails(EMPTY_TOKEN, Clause("unknown-token"), "Wrong body in the answer to unknown-token"),
            Fails(SCHEMA, Clause("unknown-token"), "Wrong body in the answer to unknown-token"),
        ),
    ),
    Planted(
        # Every error answer is plain text: every explicit test whose answer is an error fails.
        "error-body-not-contract",
        ("polar", "voucherify", "mollie"),
        (
            Fails(MISSING, OAUTH_ERROR_FORMAT, ERROR_BODY),
            Fails(auth("wrong-secret"), OAUTH_ERROR_FORMAT, ERROR_BODY),
            Fails(auth("unknown-client"), OAUTH_ERROR_FORMAT, ERROR_BODY),
            Fails(auth("none"), OAUTH_ERROR_FORMAT, ERROR_BODY),
            # Voucherify has no hint; Polar's empty token is an unknown one (200 {}).
            Fails(HINT, OAUTH_ERROR_FORMAT, ERROR_BODY, ("polar", "mollie")),
            Fails(EMPTY_HINT, OAUTH_ERROR_FORMAT, ERROR_BODY, ("polar", "mollie")),
            Fails(EMPTY_TOKEN, OAUTH_ERROR_FORMAT, ERROR_BODY, ("voucherify", "mollie")),
            Fails(SCHEMA, OAUTH_ERROR_FORMAT, ERROR_BODY),
        ),
    ),
    Planted(
        "error-code-wrong-status",
        ("polar", "auth0", "rfc7009"),
        (
            Fails(MISSING, *wrong_answer("missing-token")),
            # An empty token is answered 401: neither reading's answer (rfc7009 reads it as omitted).
            Fails(EMPTY_TOKEN, *wrong_answer("unknown-token"), ("auth0",)),
            Fails(EMPTY_TOKEN, *wrong_answer("missing-token"), ("rfc7009",)),
            # Generated cases that lack the token: the missing-token rule of each contract.
            Fails(SCHEMA, *wrong_answer("missing-token"), ("polar", "auth0")),
            Fails(SCHEMA, "RFC6749-5.2", ERROR_BODY, ("rfc7009",), "expected: error 'invalid_request' with status 400"),
        ),
    ),
    Planted(
        "no-www-authenticate",
        ("polar", "mollie", "rfc7009"),
        (
            Fails(auth("wrong-secret"), Clause("bad-client-basic"), NO_CHALLENGE),
            Fails(auth("unknown-client"), Clause("bad-client-basic"), NO_CHALLENGE),
        ),
    ),
    Planted(
        "www-authenticate-bearer",
        ("polar", "mollie", "rfc7009"),
        (
            Fails(auth("wrong-secret"), Clause("bad-client-basic"), NO_CHALLENGE, detail=BEARER),
            Fails(auth("unknown-client"), Clause("bad-client-basic"), NO_CHALLENGE),
        ),
    ),
    Planted(
        "ignores-client-auth",
        ("polar", "voucherify"),
        (
            Fails(auth("wrong-secret"), *wrong_answer("bad-client")),
            Fails(auth("unknown-client"), *wrong_answer("bad-client")),
            Fails(auth("none"), *wrong_answer("bad-client")),
        ),
    ),
    Planted(
        # Every method but the documented one (and Polar's/Mollie's have no other operations).
        "accepts-undocumented-method",
        ("polar", "mollie"),
        tuple(
            Fails(method(name), Clause("undocumented-method"), "Another method was not refused", on)
            for name, on in (
                ("GET", None),
                ("PUT", None),
                ("PATCH", None),
                ("DELETE", ("polar",)),
                ("POST", ("mollie",)),
            )
        ),
    ),
    Planted(
        "accepts-undocumented-media-type",
        ("voucherify",),  # a failure only where the vendor documents the refusal; see WARNING_ROWS
        (
            *(
                Fails(
                    media(name), Clause("unsupported-media-type"), "Undocumented media type not refused as documented"
                )
                for name in ("text-plain", "application-xml", "multipart-form-data")
            ),
            # The schema test's generated cases of an undocumented media type: the same rule.
            Fails(SCHEMA, Clause("unsupported-media-type"), "Undocumented media type not refused as documented"),
        ),
    ),
    Planted(
        # Only the OpenAPI document describes GitHub's 422 body (openapi_responses.py); schemathesis'
        # response-schema check sees it on the generated requests that lack the token too.
        "missing-token-bare-422",
        ("github",),
        (
            Fails(MISSING, "DOC-openapi", NOT_AS_DOCUMENTED),
            Fails(EMPTY_TOKEN, "DOC-openapi", NOT_AS_DOCUMENTED),
            Fails(SCHEMA, "DOC-openapi", "Response violates schema"),
        ),
    ),
    Planted(
        "empty-hint-server-error",
        ("polar", "mollie", "rfc7009"),
        (
            Fails(EMPTY_HINT, "PIN-empty-parameter", "Empty parameter neither omitted nor refused"),
            # The schema makes Mollie's hint required, and RFC 7009's any string: generated cases
            # send an empty one. Under this seed none of Polar's does.
            Fails(SCHEMA, "PIN-empty-parameter", "Empty parameter neither omitted nor refused", ("mollie", "rfc7009")),
        ),
    ),
    Planted(
        "hint-not-validated",
        ("polar", "mollie"),
        (Fails(HINT, *wrong_answer("unsupported-hint")), Fails(SCHEMA, "DOC-openapi", NEGATIVE_ACCEPTED)),
    ),
    Planted(
        "echoes-secret",
        ("polar", "voucherify", "mollie"),
        (Fails(auth("wrong-secret"), "PIN-no-echo", ECHOED), Fails(auth("unknown-client"), "PIN-no-echo", ECHOED)),
    ),
    Planted(
        # The token is echoed in every success answer: every explicit test that gets one fails.
        "echoes-token",
        ("polar", "voucherify", "rfc7009"),
        (
            Fails(UNKNOWN, "PIN-no-echo", ECHOED),
            Fails(REVOKED, "PIN-no-echo", ECHOED),
            Fails(AUTH_WORKS, "PIN-no-echo", ECHOED),
            Fails(MEDIA_WORKS, "PIN-no-echo", ECHOED),
            # RFC 7009 ignores an empty or unknown hint and answers success; Polar refuses both.
            Fails(EMPTY_HINT, "PIN-no-echo", ECHOED, ("rfc7009",)),
            Fails(HINT, "PIN-no-echo", ECHOED, ("rfc7009",)),
            # Generated cases answered with success echo the token (a header carries only visible
            # ASCII): Voucherify's always, RFC 7009's always (its document's example token is long
            # enough for the echo rule); Polar's under some seeds and code.
            Fails(SCHEMA, "PIN-no-echo", ECHOED, ("voucherify", "rfc7009")),
            Fails(SCHEMA, "PIN-no-echo", ECHOED, ("polar",), maybe=True),
        ),
    ),
    Planted(
        # RFC 6749 5.2: only invalid_client may be a 401. Polar rejects an unknown hint (an enum),
        # rfc7009 may ignore it: the bug makes both reject it, at 401.
        "unsupported-hint-401",
        ("polar", "rfc7009"),
        (
            Fails(HINT, *wrong_answer("unsupported-hint")),
            # An empty hint is refused as unsupported too, at 401: not the contract's 400.
            Fails(EMPTY_HINT, "PIN-empty-parameter", "Empty parameter neither omitted nor refused"),
            Fails(
                SCHEMA,
                "RFC6749-5.2",
                ERROR_BODY,
                ("polar",),
                "expected: error 'unsupported_token_type' with status 400",
            ),
            # RFC 7009's hint is any string: its generated cases send an empty one, refused at 401.
            Fails(SCHEMA, "PIN-empty-parameter", "Empty parameter neither omitted nor refused", ("rfc7009",)),
        ),
    ),
    Planted(
        # RFC 6749 5.2: a body of the wrong media type never gets a 5xx; schemathesis' negative
        # cases send undocumented media types too.
        "server-error-on-undocumented-media-type",
        ("polar", "rfc7009"),
        (
            *(
                Fails(media(name), "RFC6749-5.2", "Server error on client input")
                for name in ("text-plain", "application-xml", "multipart-form-data", "application-json")
            ),
            Fails(SCHEMA, "RFC6749-5.2", "Server error on client input"),
        ),
    ),
    Planted(
        # A failure only where the vendor documents the refusal (DOC-voucherify-415); see WARNING_ROWS.
        "accepts-json-body",
        ("voucherify",),
        (
            Fails(
                media("application-json"),
                Clause("unsupported-media-type"),
                "Undocumented media type not refused as documented",
            ),
        ),
    ),
    Planted(
        "basic-auth-refused",
        ("polar",),
        (Fails(AUTH_WORKS, *wrong_answer("unknown-token")),),
    ),
    Planted(
        "second-media-type-refused",
        ("mollie", "auth0"),
        (
            Fails(MEDIA_WORKS, *wrong_answer("unknown-token")),
            # Auth0's form-body credentials travel in a form: refused before they are read.
            Fails(AUTH_WORKS, *wrong_answer("unknown-token"), ("auth0",)),
            Fails(auth("wrong-secret"), *wrong_answer("bad-client"), ("auth0",)),
            Fails(auth("unknown-client"), *wrong_answer("bad-client"), ("auth0",)),
            Fails(auth("none"), *wrong_answer("missing-client"), ("auth0",)),
            Fails(SCHEMA, "DOC-openapi", POSITIVE_REJECTED),
        ),
    ),
]


PLANTED = [pytest.param(row, id=row.bug) for row in ROWS]


@dataclass(frozen=True)
class Warned:
    """A bug that breaks a SHOULD or a pin: the run passes, exactly the listed tests warn with their clause."""

    bug: str
    specs: tuple[str, ...]
    warns: tuple[Fails, ...]

    def expected(self) -> dict[str, Verdict]:
        return Planted(self.bug, self.specs, self.warns).expected()


WARNING_ROWS = [
    Warned(
        # RFC 7009 tries body credentials too (they get a 401 without Authorization); Mollie is Basic only.
        "no-challenge-without-basic",
        ("rfc7009", "mollie"),
        (
            Fails(auth("none"), "RFC9110-15.5.2", "401 without a challenge"),
            Fails(auth("wrong-secret"), "RFC9110-15.5.2", "401 without a challenge", ("rfc7009",)),
            Fails(auth("unknown-client"), "RFC9110-15.5.2", "401 without a challenge", ("rfc7009",)),
        ),
    ),
    Warned(
        "other-method-404",
        ("polar", "rfc7009"),
        tuple(
            Fails(method(name), "PIN-method-405", "Another method not answered 405")
            for name in ("GET", "PUT", "PATCH", "DELETE")
        ),
    ),
    Warned(
        "accepts-undocumented-media-type",
        ("polar", "auth0"),
        (
            *(
                Fails(media(name), "PIN-media-type", "Undocumented media type accepted")
                for name in ("text-plain", "application-xml", "multipart-form-data")
            ),
            # The same rule judges the schema test's generated cases (under this seed only Polar's
            # send an undocumented media type).
            Fails(SCHEMA, "PIN-media-type", "Undocumented media type accepted", ("polar",)),
        ),
    ),
    Warned(
        "accepts-json-body",
        ("polar", "rfc7009"),
        (Fails(media("application-json"), "PIN-media-type", "Undocumented media type accepted"),),
    ),
    Warned(
        # The same rule judges the explicit tests and the schema test's generated cases that lack the token.
        "missing-token-accepted",
        ("rfc7009",),
        tuple(
            Fails(template, "PIN-missing-token-as-invalid", "missing-token answered 200: another defensible reading")
            for template in (MISSING, EMPTY_TOKEN, SCHEMA)
        ),
    ),
]
WARNED = [pytest.param(row, id=row.bug) for row in WARNING_ROWS]


def _violations(run: SuiteRun, test_ids: tuple[str, ...] | list[str], level: str) -> set[tuple[str, str]]:
    """``(clause, title)`` of the ``revocation-violation`` properties of ``test_ids`` at ``level``."""
    found = set()
    for test_id in test_ids:
        for name, value in run.properties.get(test_id, []):
            entry = json.loads(value) if name == "revocation-violation" else None
            if entry is not None and entry["level"] == level:
                found.add((entry["clause"], entry.get("title", "")))
    return found


def _own_ids(test_id: str) -> list[str]:
    """The ids whose JUnit properties belong to ``test_id``: the test itself (every schema
    operation is a pytest item of its own)."""
    return [test_id]


def _canonical(test_id: str) -> str:
    """The id a row names for ``test_id``."""
    return test_id


def test_every_schema_and_protocol_bug_has_a_row():
    """A planted bug without a row is a rule nobody has shown the suite enforces."""
    rows = [row.bug for row in ROWS]
    assert len(rows) == len(set(rows)), "a bug has two rows"
    assert set(rows) | {row.bug for row in WARNING_ROWS} == set(BUGS) - SEMANTIC_BUGS
    assert set(BUGS) >= SEMANTIC_BUGS, "a semantic bug was renamed or removed; update SEMANTIC_BUGS"


def shipped_test_functions() -> dict[str, set[str]]:
    """``{module file: test function names}`` of the shipped suite, ``tests/contract/test_*.py``."""
    found: dict[str, set[str]] = {}
    for path in sorted(CONTRACT_SUITE.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
        }
        found[path.name] = names
    return found


def planted_test_functions() -> dict[str, str]:
    """``{test function: the table that plants a bug for it}`` over every planted table."""
    covered: dict[str, str] = {}
    for row in ROWS:
        for test_id in row.expected():
            covered.setdefault(function_of(test_id), f"test_schema_bugs.py ROWS[{row.bug}]")
    for warned in WARNING_ROWS:
        for test_id in warned.expected():
            covered.setdefault(function_of(test_id), f"test_schema_bugs.py WARNING_ROWS[{warned.bug}]")
    # The semantic table fails each property's test on its bug, and lets its examples twin fail with it.
    for prop in PROPERTIES:
        for name in (prop.test, f"{prop.test}_examples"):
            covered.setdefault(name, f"test_semantic_bugs.py P{prop.number}-{prop.bug}")
    for proof in VENDOR_PROOFS:
        covered.setdefault(function_of(proof[3]), f"test_vendor_contracts.py PROOFS[{proof[0]}-{proof[1]}]")
    for template in QUERY_TOKEN_TESTS:
        covered.setdefault(function_of(template), "test_query_token.py")
    return covered


def test_every_contract_test_has_a_planted_bug():
    """A check without a planted bug that fails it may never fail: every test function of the
    shipped suite (``tests/contract/test_*.py``) is listed in some planted table."""
    covered = planted_test_functions()
    lacking = [
        f"{module}::{name}"
        for module, names in shipped_test_functions().items()
        for name in sorted(names)
        if name not in covered
    ]
    assert not lacking, (
        "these checks of the shipped suite have no planted bug proving they can fail: "
        + ", ".join(lacking)
        + ". Add a bug to revocation_contracts/reference/bugs.py (and reference/app.py) that breaks"
        " exactly that rule, and a row naming the test to tests/planted/test_schema_bugs.py (schema and"
        " protocol tests) or test_semantic_bugs.py (semantic properties)."
    )


def test_the_coverage_check_sees_a_test_without_a_row(tmp_path, monkeypatch):
    """The coverage check names a new test function that no table lists."""
    suite = tmp_path / "contract"
    suite.mkdir()
    (suite / "test_protocol.py").write_text(
        "def test_unknown_token_answer(target):\n    pass\n\ndef test_brand_new_rule(target):\n    pass\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(f"{__name__}.CONTRACT_SUITE", suite)
    with pytest.raises(AssertionError, match=r"test_protocol\.py::test_brand_new_rule\b") as caught:
        test_every_contract_test_has_a_planted_bug()
    assert "test_unknown_token_answer" not in str(caught.value)


def test_schema_test_ids_name_the_operation():
    assert schema_test_ids("polar") == ("test_schema.py::test_schema_conformance[polar-POST:/v1/oauth2/revoke]",)
    # The path as the document writes it: the id does not change with --client-id or --path-param.
    assert schema_test_ids("github") == (
        "test_schema.py::test_schema_conformance[github-DELETE:/applications/{client_id}/token]",
    )


@pytest.mark.parametrize("planted", PLANTED)
def test_suite_fails_on_planted_bug(contract_suite, planted: Planted):
    run = contract_suite(planted.specs, bugs=[planted.bug], seed=SEED, select=MODULES)
    assert run.returncode == 1, f"the suite did not fail on {planted.bug}: {run.describe()}"
    assert not run.errors, f"setup/teardown errors are not a verdict: {sorted(run.errors)}\n{run.describe()}"
    expected, optional = planted.failing(), planted.optional()
    missing, extra = sorted(expected - optional - run.failed), sorted(run.failed - expected)
    assert not missing and not extra, (
        f"on {planted.bug} these listed tests did not fail: {missing}\n"
        f"and these unlisted tests failed: {extra}\n{run.describe()}"
    )
    for test_id, verdict in planted.expected().items():
        if test_id in optional and test_id not in run.failed:
            continue
        text = run.texts[test_id]
        # The test's own failure text names the clause and the title ...
        for part in filter(None, [f"[{verdict.clause}] {verdict.title}", verdict.detail]):
            assert part in text, f"{test_id} failed without showing {part!r}:\n{text[-4000:]}"
        # ... and its JUnit property records them as a failure (the report and the summary read it).
        recorded = _violations(run, _own_ids(test_id), "failure")
        assert (verdict.clause, verdict.title) in recorded, f"{test_id}: {sorted(recorded)}"
        if not test_id.startswith("test_schema.py::"):  # generated cases may find several things at once
            assert {clause for clause, _ in recorded} == {verdict.clause}, f"{test_id}: {sorted(recorded)}"
    # One root cause, one problem: the summary lists exactly the (contract, clause) the row declares.
    listed = run.problems()
    assert planted.problems() <= listed <= planted.problems(maybe=True), f"{planted.bug}: {sorted(listed)}"


def test_expected_failures_pass_on_faithful_server(contract_suite):
    """Every test the table expects to fail exists, runs, and passes without the bug."""
    specs = sorted({spec for row in ROWS for spec in row.specs} | {spec for row in WARNING_ROWS for spec in row.specs})
    run = contract_suite(specs, seed=SEED, select=MODULES)
    assert run.returncode == 0, run.describe()
    assert "revocation contract problems" not in run.output, "a faithful server earned a warning"
    expected = {test_id for row in ROWS for test_id in row.failing()}
    expected |= {test_id for row in WARNING_ROWS for test_id in row.expected()}
    not_passed = sorted(test_id for test_id in expected if run.outcomes.get(test_id) != "passed")
    assert not not_passed, f"not passed on the faithful servers: {not_passed}\n{run.describe()}"


@pytest.mark.parametrize("warned", WARNED)
def test_warning_bug_passes_with_its_clause(contract_suite, warned: Warned):
    """A broken SHOULD or pin is a warning: exit 0, nothing fails, exactly the listed tests warn,
    each with its clause and title in JUnit (a property, never a ``<failure>``), and the terminal
    summary's own section lists each of them."""
    run = contract_suite(warned.specs, bugs=[warned.bug], seed=SEED, select=MODULES)
    assert run.returncode == 0, run.describe()
    assert not run.failed and not run.errors, run.describe()
    expected = warned.expected()
    warned_ids = {_canonical(test_id) for test_id in run.properties if _violations(run, [test_id], "warning")}
    missing, extra = sorted(set(expected) - warned_ids), sorted(warned_ids - set(expected))
    assert not missing and not extra, f"listed tests that did not warn: {missing}; unlisted that did: {extra}"
    summary = run.output.partition("revocation contract problems")[2]
    assert summary, run.describe()
    assert not run.problems("failure"), run.describe()
    assert run.problems("warning") == Planted(warned.bug, warned.specs, warned.warns).problems(), run.describe()
    for test_id, verdict in expected.items():
        assert run.outcomes.get(test_id) == "passed", f"{test_id}: {run.outcomes.get(test_id)}\n{run.describe()}"
        own = _own_ids(test_id)
        assert _violations(run, own, "warning") == {(verdict.clause, verdict.title)}, [
            run.properties.get(i) for i in own
        ]
        # Each warned test is named by its problem (the first few of its tests) or its own JUnit system-out.
        shown = [i for i in own if i.partition("::")[2] in summary or (verdict.clause in run.system_out.get(i, ""))]
        assert shown, f"{test_id} is neither in the problems summary nor in its system-out:\n{summary[-3000:]}"


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


def test_row_templates_name_real_modules():
    """A row's template names a module of the shipped suite (a typo would expect a test that never runs)."""
    shipped = shipped_test_functions()
    for row in [*ROWS, *WARNING_ROWS]:
        for entry in row.fails if isinstance(row, Planted) else row.warns:
            if entry.template != SCHEMA:
                module = entry.template.partition("::")[0]
                assert function_of(entry.template) in shipped.get(module, set()), entry.template
    assert "test_schema_conformance" in shipped["test_schema.py"], "schema_test_ids names a test that is gone"
