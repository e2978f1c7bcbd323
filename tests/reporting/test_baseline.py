"""Baselines of known vendor deviations: used only when asked, and kept true by strict xfail.

The bundled Polar baseline is run against a server that behaves as CONTRACTS.md says the real
Polar server does (``PolarAsDeployed``): the listed deviation becomes an expected failure and
the tolerated one passes. Against the faithful reference server the same baseline fails the
run (the deviation disappeared, XPASS(strict)), and without ``--baseline`` the contract is
enforced as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from revocation_contracts.model.contract import BUNDLED_NAMES, load_contract
from revocation_contracts.reference import DEFAULT_CLIENTS, ReferenceServer
from revocation_contracts.reporting.baseline import (
    BaselineError,
    bundled_baseline_names,
    bundled_baselines_dir,
    load_baseline,
    parse_baseline,
    short_test_id,
)
from tests.reporting.helpers import CONTRACT_SUITE, REPO_ROOT, PolarAsDeployed

PROTOCOL = str(CONTRACT_SUITE / "test_protocol.py")
SELECT = ["-k", "test_unsupported_hint or test_client_authentication_is_enforced"]
HINT_TEST = "test_protocol.py::test_unsupported_hint[polar]"

VALID = {
    "contract": "polar",
    "deviations": [{"id": "d", "reason": "r", "reference": "x", "tests": ["test_a.py::test_b[polar]"]}],
}


def _with(**changes: object) -> dict[str, object]:
    entry = {**VALID["deviations"][0], **changes}  # type: ignore[index]
    return {**VALID, "deviations": [{key: value for key, value in entry.items() if value is not None}]}


def test_bundled_polar_baseline_lists_every_deviation_in_contracts_md() -> None:
    baseline = load_baseline("polar")
    assert baseline.contract == "polar"
    assert [deviation.id for deviation in baseline.deviations] == [
        "hint-outside-enum-answers-401",
        "wrong-hint-not-widened",
        "foreign-token-answers-invalid-grant",
        "unknown-client-in-body-answers-400",
    ]
    # The shipped documentation of the clause every deviation cites names each of the four.
    docs = " ".join((REPO_ROOT / "docs" / "contracts.md").read_text(encoding="utf-8").split())
    section = docs.partition("### OBS-polar-deviations")[2].partition("###")[0]
    assert "outside the enum answers 401" in section, section
    assert "a hint naming the wrong type is not widened" in section, section
    assert "a foreign token answers 400 `invalid_grant`" in section, section
    assert "unknown `client_id` in the body answers 400" in section, section
    for deviation in baseline.deviations:
        assert deviation.reference.startswith("OBS-polar-deviations")


def test_bundled_baselines_are_named_after_bundled_contracts_and_ship_in_the_package() -> None:
    assert bundled_baseline_names() == ["polar"]
    assert set(bundled_baseline_names()) <= set(BUNDLED_NAMES)
    assert bundled_baselines_dir().parent.parent.name == "revocation_contracts"


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        ("tests/contract/test_protocol.py::test_unsupported_hint[polar]", HINT_TEST),
        (
            "revocation_contracts/contract_suite/test_protocol.py::test_x[polar-multipart/form-data; boundary=x]",
            "test_protocol.py::test_x[polar-multipart/form-data; boundary=x]",
        ),
        ("test_protocol.py::test_x", "test_protocol.py::test_x"),
    ],
)
def test_short_test_id_drops_directories_only(nodeid: str, expected: str) -> None:
    assert short_test_id(nodeid) == expected


def test_patterns_match_whole_ids_with_star_as_the_only_wildcard() -> None:
    baseline = load_baseline("polar")
    assert baseline.deviation_for("polar", HINT_TEST) is not None
    assert baseline.deviation_for("mollie", "test_protocol.py::test_unsupported_hint[mollie]") is None
    assert baseline.deviation_for("polar", HINT_TEST + "x") is None
    wrong_hint = baseline.deviation_for("polar", "test_semantics.py::test_wrong_hint_still_revokes[polar]")
    assert wrong_hint is not None and wrong_hint.id == "wrong-hint-not-widened"
    examples = "test_semantics.py::test_wrong_hint_still_revokes_examples[polar-access-hinted-as-refresh]"
    assert baseline.deviation_for("polar", examples) is wrong_hint
    # '[' is literal, not a character class as in fnmatch.
    assert baseline.deviation_for("polar", "test_protocol.py::test_unsupported_hintp") is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a mapping"),
        ({**VALID, "owner": "me"}, "unknown key(s) owner"),
        ({"deviations": VALID["deviations"]}, "missing key(s) contract"),
        ({**VALID, "deviations": []}, "'deviations' must be a non-empty list"),
        (_with(why="typo"), "deviation 1: unknown key(s) why"),
        (_with(reason=None), "deviation 1: missing key(s) reason"),
        (_with(reason=""), "'reason' must be a non-empty string"),
        (_with(tests="test_a.py::test_b"), "'tests' must be a list of test id patterns"),
        (_with(tests=[], tolerated=None), "give either 'tests'"),
        (_with(tolerated="allowed anyway"), "give either 'tests'"),
        (_with(tests=["tests/contract/test_a.py::test_b"]), "must look like test_module.py::test_name"),
        (_with(tests=["test_b"]), "must look like test_module.py::test_name"),
        (
            {**VALID, "deviations": VALID["deviations"] * 2},  # type: ignore[operator]
            "deviation 2: duplicate id 'd'",
        ),
    ],
)
def test_malformed_baselines_are_refused_in_one_line(data: object, message: str) -> None:
    with pytest.raises(BaselineError) as caught:
        parse_baseline(data, "mine.yaml")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_baseline_path_must_exist_and_parse(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match=r"no baseline 'voucherify': give a bundled name \(polar\)"):
        load_baseline("voucherify")
    broken = tmp_path / "broken.yaml"
    broken.write_text("contract: [polar\n", encoding="utf-8")
    with pytest.raises(BaselineError, match="cannot read it"):
        load_baseline(str(broken))
    good = tmp_path / "good.yml"
    good.write_text(yaml.safe_dump(VALID), encoding="utf-8")
    assert load_baseline(str(good)).deviations[0].tests == ("test_a.py::test_b[polar]",)


@pytest.mark.parametrize("value", ["voucherify", "missing.yaml"])
def test_bad_baseline_option_is_a_usage_error(pytester: pytest.Pytester, value: str) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider", "--baseline", value)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*argument --baseline: no baseline '{value}': give a bundled name (polar)*"])


def test_malformed_baseline_in_the_environment_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.path.joinpath("mine.yaml").write_text("contract: polar\nowner: me\n", encoding="utf-8")
    monkeypatch.setenv("REVOKE_BASELINE", "mine.yaml")
    result = pytester.runpytest("-p", "no:cacheprovider", "--spec", "polar")  # --spec: the run asks for the suite
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*REVOKE_BASELINE: baseline mine.yaml: unknown key(s) owner; allowed:*"])


@pytest.fixture(scope="module")
def faithful() -> Iterator[ReferenceServer]:
    with ReferenceServer(load_contract("polar")) as server:
        yield server


@pytest.fixture(scope="module")
def as_deployed(faithful: ReferenceServer) -> Iterator[PolarAsDeployed]:
    proxy = PolarAsDeployed(faithful.base_url, tuple(client.client_id for client in DEFAULT_CLIENTS)).start()
    yield proxy
    proxy.stop()


def _run(pytester: pytest.Pytester, base_url: str, *extra: str) -> pytest.RunResult:
    client = DEFAULT_CLIENTS[0]
    return pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "-rA",
        PROTOCOL,
        *SELECT,
        "--spec=polar",
        f"--target-url={base_url}",
        f"--client-id={client.client_id}",
        f"--client-secret={client.client_secret}",
        *extra,
    )


def test_listed_deviation_is_an_expected_failure(pytester: pytest.Pytester, as_deployed: PolarAsDeployed) -> None:
    result = _run(pytester, as_deployed.base_url, "--baseline=polar")
    result.assert_outcomes(passed=3, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            # The tolerated deviation (unknown client in the body answers 400) passes as written.
            "PASSED *test_client_authentication_is_enforced[[]polar-unknown-client[]]",
            "XFAIL *test_protocol.py::test_unsupported_hint[[]polar[]] - known deviation "
            "hint-outside-enum-answers-401 (polar): a token_type_hint outside the enum answers 401*",
        ]
    )


def test_deviation_that_disappeared_fails_the_run(pytester: pytest.Pytester, faithful: ReferenceServer) -> None:
    result = _run(pytester, faithful.base_url, "--baseline=polar")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        ["*[[]XPASS(strict)[]] known deviation hint-outside-enum-answers-401 (polar)*remove it from the baseline*"]
    )


def test_without_baseline_the_contract_is_enforced_as_written(
    pytester: pytest.Pytester, as_deployed: PolarAsDeployed
) -> None:
    result = _run(pytester, as_deployed.base_url)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*[[]DOC-polar-hint-enum[]] Wrong answer to unsupported-hint*",
            "*expected: status 400 with error 'unsupported_token_type'*",
        ]
    )


def test_semantic_deviation_is_an_expected_failure(pytester: pytest.Pytester) -> None:
    """The real server does not widen a wrong hint; the planted ``hint-restricts-search`` does the same."""
    semantics = CONTRACT_SUITE / "test_semantics.py"
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        f"{semantics}::test_wrong_hint_still_revokes",
        f"{semantics}::test_wrong_hint_still_revokes_examples",
        "--spec=polar",
        "--reference-bug=hint-restricts-search",
        "--baseline=polar",
    )
    result.assert_outcomes(xfailed=3)
