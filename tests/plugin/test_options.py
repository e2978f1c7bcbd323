"""Options, their environment and ini twins, and the usage errors a malformed one gives.

Every bad value is a usage error (exit 4) that names the option and what to give instead,
before any test runs or any request is sent. The settings a run resolved are read back from
its ``--dry-run`` plan, which sends nothing.
"""

from __future__ import annotations

import pytest

from .loopback import CREDENTIALS, assert_one_clear_line

USAGE_ERROR = 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--spec", "nope"], "*argument --spec: unknown spec 'nope': use one of polar*", id="unknown-spec"),
        pytest.param(
            ["--target-url", "ftp://example.com"],
            "*argument --target-url: 'ftp://example.com' is not an http(s) URL with a host*",
            id="not-http",
        ),
        pytest.param(
            ["--target-url", "https://example.com/revoke?x=1"],
            "*give a base URL without query string or fragment*",
            id="query-string",
        ),
        pytest.param(["--endpoint-path", "revoke"], "*'revoke' is not a URL path; it must start with '/'*", id="path"),
        pytest.param(["--rate-limit", "fast"], "*'fast' is not a rate like 5/s or 100/m*", id="rate"),
        pytest.param(["--request-timeout", "0"], "*'0' must be greater than 0*", id="timeout"),
        pytest.param(["--max-examples", "many"], "*'many' is not a whole number*", id="max-examples"),
        pytest.param(["--token-command", "   "], "*the command is empty*", id="token-command"),
        pytest.param(["--grant", "implicit"], "*'implicit' is not a grant the suite mints with*", id="grant"),
        pytest.param(
            ["--issuer", "auth.example.com"],
            "*argument --issuer: 'auth.example.com' is not an http(s) URL*",
            id="issuer",
        ),
    ],
)
def test_malformed_option_is_a_usage_error(uses_target: pytest.Pytester, args: list[str], message: str) -> None:
    result = uses_target.runpytest(*args)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert_one_clear_line(result)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--target-url", "https://auth.example.com"],
            "ERROR: revocation-contracts: --target-url needs the client's credentials: pass --client-id and "
            "--client-secret (or set REVOKE_CLIENT_ID and REVOKE_CLIENT_SECRET)",
            id="target-without-credentials",
        ),
        pytest.param(
            ["--client-id", "rc-client"],
            "ERROR: revocation-contracts: --client-id and --client-secret go together*",
            id="id-without-secret",
        ),
        pytest.param(
            ["--target-url", "https://auth.example.com", *CREDENTIALS, "--reference-bug", "echoes-secret"],
            "ERROR: revocation-contracts: --reference-bug only applies to the embedded reference server*",
            id="bug-with-target",
        ),
        pytest.param(
            ["--probe-command", "true"],
            "ERROR: revocation-contracts: --probe-command needs a way to mint*",
            id="probe-without-token-command",
        ),
        pytest.param(
            ["--issuer", "https://auth.example.com", *CREDENTIALS, "--grant", "password"],
            "ERROR: revocation-contracts: --grant password needs the test user: pass --username and --password",
            id="password-grant-without-user",
        ),
        pytest.param(
            ["--issuer", "https://auth.example.com", *CREDENTIALS, "--token-endpoint", "/oauth/token"],
            "ERROR: revocation-contracts: --token-endpoint /oauth/token is a path: give --target-url*",
            id="token-endpoint-path-without-target",
        ),
    ],
)
def test_inconsistent_settings_are_one_line(uses_target: pytest.Pytester, args: list[str], message: str) -> None:
    result = uses_target.runpytest(*args)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert_one_clear_line(result)


def test_missing_spec_file(uses_target: pytest.Pytester) -> None:
    result = uses_target.runpytest("--spec", "missing/contract.yaml")
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(["*spec file 'missing/contract.yaml' does not exist or is not a file*"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("openapi: [3.0\n", "*mine.yaml', line 2, column 1: not valid YAML/JSON*", id="not-yaml"),
        pytest.param("- just\n- a list\n", "*does not hold an OpenAPI document (an object)*", id="not-an-object"),
        pytest.param("openapi: 3.0.3\n", "*is not a valid OpenAPI document*", id="not-openapi"),
    ],
)
def test_unusable_spec_file(uses_target: pytest.Pytester, content: str, message: str) -> None:
    spec = uses_target.path / "mine.yaml"
    spec.write_text(content, encoding="utf-8")
    result = uses_target.runpytest("--spec", str(spec))
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert_one_clear_line(result)


def test_spec_that_is_a_directory(uses_target: pytest.Pytester) -> None:
    (uses_target.path / "specs.yaml").mkdir()
    result = uses_target.runpytest("--spec", "specs.yaml")
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(["*spec file 'specs.yaml' does not exist or is not a file*"])


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("REVOKE_SPEC", "nope", "ERROR: revocation-contracts: REVOKE_SPEC: unknown spec 'nope'*"),
        ("REVOKE_TARGET_URL", "ftp://x", "ERROR: revocation-contracts: REVOKE_TARGET_URL: 'ftp://x' is not an*"),
        ("REVOKE_RATE_LIMIT", "fast", "ERROR: revocation-contracts: REVOKE_RATE_LIMIT: 'fast' is not a rate*"),
        ("REVOKE_DRY_RUN", "maybe", "ERROR: revocation-contracts: REVOKE_DRY_RUN: 'maybe' is not a boolean*"),
    ],
)
def test_environment_twin_is_validated(
    uses_target: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    # Only REVOKE_SPEC asks for the suite; the other variables configure a run that asked.
    monkeypatch.setenv("REVOKE_SPEC", "rfc7009")
    monkeypatch.setenv(variable, value)
    result = uses_target.runpytest()
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert_one_clear_line(result)


def test_ini_twin_is_validated(uses_target: pytest.Pytester) -> None:
    uses_target.makeini("[pytest]\nrevoke_spec = nope\n")
    result = uses_target.runpytest()
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: revocation-contracts: ini revoke_spec: unknown spec 'nope'*"])


def _planned_contracts(result: pytest.RunResult) -> list[str]:
    return [line.split(":")[0] for line in result.outlines if line.split(":")[0] in _BUNDLED]


_BUNDLED = ("polar", "voucherify", "mollie", "auth0", "rfc7009")


def test_twins_take_effect(uses_target: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Environment and ini spellings configure the run like the flags do."""
    uses_target.makeini("[pytest]\nrevoke_spec =\n    rfc7009\n    voucherify\nrevoke_dry_run = true\n")
    result = uses_target.runpytest()
    assert result.ret == 0
    assert _planned_contracts(result) == ["rfc7009", "voucherify"]
    monkeypatch.setenv("REVOKE_SPEC", "mollie,auth0")
    monkeypatch.setenv("REVOKE_RATE_LIMIT", "30/m")
    result = uses_target.runpytest()
    assert _planned_contracts(result) == ["mollie", "auth0"]
    result.stdout.fnmatch_lines(["  pacing:        at most 0.5 requests/s*"])


def test_command_line_beats_environment_beats_ini(
    uses_target: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    uses_target.makepyfile(test_schema_like="def test_schema_like(contract_schema):\n    pass\n")
    uses_target.makeini("[pytest]\nrevoke_spec = polar\nrevoke_max_examples = 7\n")
    monkeypatch.setenv("REVOKE_SPEC", "mollie")
    monkeypatch.setenv("REVOKE_MAX_EXAMPLES", "9")
    result = uses_target.runpytest("--dry-run", "--spec", "rfc7009")
    assert _planned_contracts(result) == ["rfc7009"]
    result.stdout.fnmatch_lines(["*up to 9 examples per phase*"])
    monkeypatch.delenv("REVOKE_MAX_EXAMPLES")
    result = uses_target.runpytest("--dry-run")
    assert _planned_contracts(result) == ["mollie"]
    result.stdout.fnmatch_lines(["*up to 7 examples per phase*"])


def test_options_are_one_group_with_env_names(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "OAuth 2.0 token-revocation contract suite:",
            "*--dry-run*",
            "*[env REVOKE_DRY_RUN]*",
        ]
    )
    result.stdout.fnmatch_lines(["*revoke_dry_run (string):", "*ini twin of --dry-run"])


@pytest.mark.parametrize("spelling", ["option", "environment"])
def test_reference_bug_list_prints_the_planted_bugs_and_exits_0(
    uses_target: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    """``--reference-bug list`` stops before any session, like ``--markers``: no test runs."""
    from revocation_contracts.reference.bugs import BUGS

    if spelling == "environment":
        monkeypatch.setenv("REVOKE_REFERENCE_BUG", "list")
        monkeypatch.setenv("REVOKE_SPEC", "polar")  # the run asks for the suite
        result = uses_target.runpytest()
    else:
        result = uses_target.runpytest("--reference-bug", "list")
    assert result.ret == 0
    result.stdout.fnmatch_lines([f"{len(BUGS)} planted bugs *", "keeps-token * caught by test_semantics.py::*"])
    assert "passed" not in result.stdout.str()


def test_unknown_planted_bug_lists_the_known_ones(uses_target: pytest.Pytester) -> None:
    result = uses_target.runpytest("--reference-bug", "nope")
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown planted bug(s) nope; known: *"])


def test_reference_bug_list_in_the_environment_leaves_other_runs_alone(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVOKE_REFERENCE_BUG", "list")
    pytester.makepyfile(test_theirs="def test_theirs():\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*1 passed*"])
    assert "planted bugs" not in result.stdout.str()
