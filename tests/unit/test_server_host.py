"""The embedded reference servers in one child process (reference/host.py), bounded by it.

Why: in the suite's own interpreter they shared one core and the interpreter lock with the
client and Hypothesis (issue 21). These prove the servers really answer from another process,
that one child serves several contracts, that closing the host ends the child on its own (its
input ends; it is not killed), and that an order the child cannot carry out fails the start.
"""

from __future__ import annotations

import os

import pytest
import requests

from revocation_contracts.model.contract import load_contract
from revocation_contracts.pytest_plugin import pool
from revocation_contracts.pytest_plugin.settings import Settings
from revocation_contracts.redact import Redactor
from revocation_contracts.reference.host import HostedServer, ServerHost


def test_servers_answer_from_one_child_process_that_exits_when_closed() -> None:
    host = ServerHost()
    try:
        assert host.pid is not None and host.pid != os.getpid()
        servers = [host.serve(load_contract(name)) for name in ("rfc7009", "polar")]
        assert len({server.port for server in servers}) == 2
        for server in servers:
            answer = requests.post(f"{server.base_url}/__revocation_contracts__/grants", json={}, timeout=10)
            assert answer.status_code in (200, 201, 400)
        process = host._process
    finally:
        host.close()
    assert process is not None and process.returncode == 0, "ended by its input, not killed"
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{servers[0].base_url}/", timeout=5)


def test_an_order_the_child_cannot_carry_out_fails_the_start_and_closes_the_host() -> None:
    host = ServerHost()
    try:
        with pytest.raises(RuntimeError, match="did not start"):
            host.serve(load_contract("rfc7009"), frozenset({"no-such-bug"}))
        assert host.pid is None
    finally:
        host.close()


def test_the_pool_starts_embedded_servers_in_the_child_and_stops_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off by default (pool.SERVERS_IN_CHILD: slower on a loaded machine); the benchmark switches it on."""
    monkeypatch.setattr(pool, "SERVERS_IN_CHILD", True)
    settings = Settings(
        specs=("rfc7009",), target_url=None, endpoint_path=None, client_id=None, client_secret=None,
        second_client_id=None, second_client_secret=None, max_examples=5, request_timeout=5, rate_limit=None,
        strict=False, reference_bugs=frozenset(),
    )  # fmt: skip
    targets = pool.TargetPool(settings, Redactor())
    try:
        target = targets.get(settings.contracts()[0])
        assert isinstance(target.server, HostedServer)
        host = target.server.host
        assert target.tokens is not None and target.tokens.mint(target.credentials).tokens
    finally:
        targets.close()
    assert host.pid is None
