"""A user's own token supply, in a conftest, drives the semantic tests (the documented extension).

Why a child run: the claim is about the suite as a user runs it. The user's supply here is a
plain class with only ``mint`` and ``is_active`` (no base class, none of the optional
capabilities of ``revocation_contracts.TokenSupply``), talking to the embedded reference
server's test-only endpoints; the suite must ask it only what the protocol declares and fill
in the rest with the defaults, and every semantic test must pass on the faithful server.

The fixture goes where pytest looks first, the conftest beside the suite's test modules
(pytest prefers the closest definition of a fixture, so one in a directory above the suite
would lose to the suite's own ``token_supply``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.planted.conftest import CONTRACT_SUITE, run_suite

USER_FIXTURE = '''

# -- the user's own token supply ----------------------------------------------------------------
import requests as _requests

from revocation_contracts import Grant as _Grant

_PREFIX = "/__revocation_contracts__"


class MySupply:
    """Only ``mint`` and ``is_active``: the least a supply must do."""

    def __init__(self, base_url, log):
        self.base_url = base_url
        self.log = log

    def mint(self, client, token_types=()):
        body = {"client_id": client.client_id, "token_types": list(token_types)}
        data = _requests.post(self.base_url + _PREFIX + "/grants", json=body, timeout=10).json()
        with open(self.log, "a") as log:
            log.write("minted\\n")
        kinds = ("access_token", "refresh_token")
        return _Grant(client.client_id, {kind: value for kind, value in data.items() if kind in kinds})

    def is_active(self, token):
        answer = _requests.post(self.base_url + _PREFIX + "/introspect", json={"token": token}, timeout=10)
        return bool(answer.json()["active"])


@pytest.fixture
def token_supply(target):
    return MySupply(target.base_url, LOG)
'''


def user_suite(tmp_path: Path, fixture: str) -> tuple[Path, Path]:
    """A copy of the suite's semantic tests whose conftest ends with the user's ``fixture``."""
    suite = tmp_path / "suite"
    suite.mkdir()
    shutil.copy(CONTRACT_SUITE / "test_semantics.py", suite)
    log = tmp_path / "mints.log"
    conftest = (CONTRACT_SUITE / "conftest.py").read_text(encoding="utf-8")
    (suite / "conftest.py").write_text(conftest + f"\nLOG = {str(log)!r}\n" + fixture, encoding="utf-8")
    return suite, log


@pytest.mark.parametrize("spec", ["rfc7009"])
def test_a_user_supply_with_only_mint_and_is_active_passes_the_semantic_tests(tmp_path: Path, spec: str) -> None:
    suite, log = user_suite(tmp_path, USER_FIXTURE)

    run = run_suite(tmp_path / "work", [spec], seed=1, paths=[suite])

    assert run.returncode == 0, run.output[-4000:]
    assert run.with_outcome("passed"), run.output[-4000:]
    assert not run.failed and not run.with_outcome("error"), run.output[-4000:]
    assert log.read_text(encoding="utf-8").count("minted") > 10, "the user's supply minted nothing"


def test_twin_the_users_probe_is_the_one_asked(tmp_path: Path) -> None:
    """A user's probe that calls every token active fails "a revoked token is dead": the suite
    asked the user's ``is_active``, not a probe of its own."""
    lying = USER_FIXTURE.replace('return bool(answer.json()["active"])', "return bool(answer.json()) or True")
    assert lying != USER_FIXTURE
    suite, _ = user_suite(tmp_path, lying)

    run = run_suite(tmp_path / "work", ["rfc7009"], seed=1, paths=[suite], select="test_revoked_token_is_dead")

    assert run.returncode == 1, run.output[-4000:]
    assert "test_semantics.py::test_revoked_token_is_dead[rfc7009]" in run.failed, run.output[-4000:]
