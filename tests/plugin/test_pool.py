"""The target pool hands ``--max-throttle-wait`` to every session it opens for a remote target.

The run's throttle budget (how long it may wait in all on 429/503 answers before it stops as
throttled, exit 8) is the user's: the target's session and the built-in token supply's session
both get it, not the transport's default of 60 s. Nothing is sent: the supply is captured.
"""

from __future__ import annotations

from typing import Any

import pytest

from revocation_contracts.pytest_plugin import pool as pool_module
from revocation_contracts.pytest_plugin.pool import TargetPool
from revocation_contracts.pytest_plugin.settings import Settings
from revocation_contracts.redact import Redactor
from revocation_contracts.transport.session import THROTTLE_BUDGET


def _budget(session: Any) -> float:
    return float(session.get_adapter("http://127.0.0.1/").breaker.throttle_budget)


@pytest.mark.parametrize("wait", [7.5, 240.0])
def test_remote_target_and_supply_sessions_get_the_runs_throttle_budget(monkeypatch, wait: float) -> None:
    captured: dict[str, Any] = {}

    def fake_build_supply(options, contract, base_url, metadata, session, timeout, redactor):
        captured["session"] = session
        return None

    monkeypatch.setattr(pool_module, "build_supply", fake_build_supply)
    settings = Settings(
        specs=("rfc7009",), target_url="http://127.0.0.1:9", endpoint_path=None, client_id="suite",
        client_secret="s3cret-for-pool", second_client_id=None, second_client_secret=None, max_examples=5,
        request_timeout=5, rate_limit=None, strict=False, reference_bugs=frozenset(),
        token_endpoint="/token", max_throttle_wait=wait,
    )  # fmt: skip
    assert wait != THROTTLE_BUDGET
    pool = TargetPool(settings, Redactor("s3cret-for-pool"))
    try:
        target = pool.get(settings.contracts()[0])
        assert _budget(target.session) == wait
        assert _budget(captured["session"]) == wait
    finally:
        pool.close()
        captured["session"].close()
