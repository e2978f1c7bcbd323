"""Progress on long runs (issue 18): a line when a contract's phase starts, with its number of
checks; requests sent per contract and the whole run's time in a section of their own; ``-q``
stays quiet. Child runs of the contract suite against the embedded servers, a few tests each."""

from __future__ import annotations

import re

import pytest

from revocation_contracts.pytest_plugin.progress import SECTION, phase_of

from .loopback import CONTRACT_SUITE

SELECTION = ("-k", "test_unknown_token_answer or test_revoked_token_answer or schema")


def run(pytester: pytest.Pytester, *extra: str) -> pytest.RunResult:
    return pytester.runpytest(
        str(CONTRACT_SUITE), "-p", "no:cacheprovider", "--spec", "rfc7009", "--spec", "polar", "--max-examples", "2",
        *SELECTION, *extra,
    )  # fmt: skip


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "xdist"])
def test_phase_lines_request_counts_and_the_whole_time(pytester: pytest.Pytester, workers: tuple[str, ...]) -> None:
    result = run(pytester, *workers)
    assert result.ret == 0, result.stdout.str()[-3000:]
    out = result.stdout.str()
    for contract in ("polar", "rfc7009"):
        assert f"\n{contract}: protocol (2 checks)\n" in out
        assert f"\n{contract}: schema (1 check)\n" in out
        sent = re.search(rf"^{contract}: (\d+) requests to the endpoint, (\d+) to the token supply$", out, re.M)
        assert sent is not None, out[-2000:]
        assert int(sent[1]) > 2  # the schema test alone sends several
    assert ": semantics (" not in out  # no semantic test selected: no phase line for it
    result.stdout.fnmatch_lines(
        [f"*{SECTION}*", "whole run: *s, the checks before the tests and the leftover revocation included"]
    )


def test_quiet_run_shows_no_progress(pytester: pytest.Pytester) -> None:
    result = run(pytester, "-q")
    assert result.ret == 0
    out = result.stdout.str()
    assert "protocol (" not in out and SECTION not in out and "whole run" not in out


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        ("tests/contract/test_protocol.py::test_unknown_token_answer[polar]", ("polar", "protocol")),
        ("tests/contract/test_protocol.py::test_client_auth[rfc7009-wrong-secret]", ("rfc7009", "protocol")),
        ("tests/contract/test_schema.py::test_schema_conformance[polar-POST:/v1/oauth2/revoke]", ("polar", "schema")),
        # A user's contract whose name extends another's: the longest name that fits wins.
        ("suite/test_semantics.py::test_revoked_token_is_dead[polar-eu]", ("polar-eu", "semantics")),
        ("test_semantics.py::test_revoked_token_is_dead[polar-eu-2]", ("polar-eu", "semantics")),
        ("tests/test_other.py::test_x[polar]", None),
        ("tests/contract/test_protocol.py::test_unknown_token_answer[okta]", None),
        ("tests/contract/test_protocol.py::test_without_params", None),
    ],
)
def test_phase_of_a_test_id(nodeid: str, expected: tuple[str, str] | None) -> None:
    assert phase_of(nodeid, ["polar", "polar-eu", "rfc7009"]) == expected
