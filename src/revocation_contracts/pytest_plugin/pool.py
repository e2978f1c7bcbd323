"""Each contract's target, built once per pytest session and closed at its end.

Why a pool: the suite runs many tests against each contract, and starting a reference server
or opening a session per test would dominate the run time. ``TargetPool`` builds each
contract's target once per pytest session (starting its embedded reference server when no
``--target-url`` is given) and closes them all at the end. It lives with the plugin because it
reads the run's ``Settings``; ``target.py`` keeps the plain ``Target``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from revocation_contracts.model.contract import Contract
from revocation_contracts.pytest_plugin.settings import Settings
from revocation_contracts.redact import Redactor
from revocation_contracts.reference.host import HostedServer, ServerHost
from revocation_contracts.reference.server import ReferenceServer
from revocation_contracts.reference.store import DEFAULT_CLIENTS
from revocation_contracts.supply.builtin import build_supply
from revocation_contracts.supply.embedded import EmbeddedTokenSupply
from revocation_contracts.target import Target
from revocation_contracts.transport.client import Credentials
from revocation_contracts.transport.session import new_session, requests_sent

# At most this many left-behind tokens are revoked per target at the end of a session.
MAX_LEFTOVERS = 2000
# Left-behind tokens revoked at once: as many as the target session's adapter keeps connections
# alive (16). Nothing else is in flight by then, and during the tests up to 14 requests are (four
# properties, six supply workers, four schema cases), so the tail asks no more of the target than
# the run did; at 150 ms RTT the few hundred bystander tokens took 7.5 s with 8 (issue 21).
LEFTOVER_WORKERS = 16
# True runs the embedded servers in one child process (reference/host.py: their CPU on another
# core). Off by default: on a loaded machine every request then waits for the child to be
# scheduled, and the default run was slower (72-75 s against 48-64 s at load 13, issue 21); the
# benchmark measures both (``python bench/run.py --servers-in-child``).
SERVERS_IN_CHILD = False


class TargetPool:
    """Builds each contract's target once per session; closes servers and sessions at the end."""

    def __init__(self, settings: Settings, redactor: Redactor) -> None:
        self.settings = settings
        self.redactor = redactor
        self._targets: dict[str, Target] = {}
        self._supply_sessions: dict[str, requests.Session] = {}
        self._leftovers_revoked = False
        self._host: ServerHost | None = None

    def get(self, contract: Contract) -> Target:
        if contract.name not in self._targets:
            self._targets[contract.name] = self._build(contract)
        return self._targets[contract.name]

    def _build(self, contract: Contract) -> Target:
        settings = self.settings
        session = new_session(settings.rate_limit, settings.max_throttle_wait)
        if settings.embedded:
            server = self._start_server(contract)
            supply_session = self._supply_sessions[contract.name] = new_session()
            first, other = DEFAULT_CLIENTS[0], DEFAULT_CLIENTS[1]
            self.redactor.add_basic(first.client_id, first.client_secret)
            self.redactor.add_basic(other.client_id, other.client_secret)
            return Target(
                contract=contract,
                base_url=server.base_url,
                credentials=Credentials(first.client_id, first.client_secret),
                second_credentials=Credentials(other.client_id, other.client_secret),
                session=session,
                timeout=settings.request_timeout,
                redactor=self.redactor,
                tokens=EmbeddedTokenSupply(server.base_url, supply_session),
                server=server,
            )
        # Without credentials every selected contract is a public client's (consistency.py checked it).
        assert settings.target_url
        second = (
            Credentials(settings.second_client_id, settings.second_client_secret)
            if settings.second_client_id and settings.second_client_secret
            else None
        )
        supply_session = self._supply_sessions[contract.name] = new_session(
            settings.rate_limit, settings.max_throttle_wait
        )
        tokens = build_supply(
            settings,  # a SupplyOptions
            contract,
            settings.target_url,
            settings.metadata,
            supply_session,
            settings.request_timeout,
            self.redactor,
        )
        metadata = settings.metadata
        return Target(
            contract=contract,
            base_url=settings.target_url,
            credentials=Credentials(settings.client_id or "", settings.client_secret or ""),
            second_credentials=second,
            session=session,
            timeout=settings.request_timeout,
            redactor=self.redactor,
            tokens=tokens,
            auth_methods_offered=metadata.suite_methods("revocation") if metadata is not None else None,
        )

    def request_counts(self) -> dict[str, tuple[int, int]]:
        """Per contract: requests sent to the endpoint under test, and to the token supply's."""
        return {
            name: (requests_sent(target.session), requests_sent(self._supply_sessions[name]))
            if name in self._supply_sessions
            else (requests_sent(target.session), 0)
            for name, target in self._targets.items()
        }

    def _start_server(self, contract: Contract) -> ReferenceServer | HostedServer:
        if not SERVERS_IN_CHILD:
            return ReferenceServer(contract, self.settings.reference_bugs).start()
        if self._host is None:
            self._host = ServerHost()
        return self._host.serve(contract, self.settings.reference_bugs)

    def revoke_leftovers(self, announce: Callable[[int], None] | None = None) -> int:
        """Revoke the live tokens the supply minted (token endpoint or ``--token-command``) and the
        tests left behind: only ours, never one the suite did not mint.

        Gently and bounded: through the target's own session (its ``--rate-limit`` spaces every
        request, 429/503 waits are bounded, the breaker applies), at most ``MAX_LEFTOVERS`` per
        target, best effort; the first request that fails to get an answer, or is throttled past
        its retries, stops the rest. The revocations are independent, so ``LEFTOVER_WORKERS`` go
        out at once on the target's keep-alive session (a few hundred one after the other cost a
        round trip each: bench/README.md).

        Once per session (the plugin calls it at session finish, before the summary, and
        ``close`` after); ``announce`` hears how many tokens are about to be revoked.
        """
        if self._leftovers_revoked:
            return 0
        self._leftovers_revoked = True
        jobs: list[tuple[Target, Credentials, str, str | None]] = []
        for target in self._targets.values():
            supply = target.tokens
            if supply is None:
                continue
            hints = target.contract.hint.values if target.contract.hint else ()
            for owner, kind, value in supply.leftovers()[:MAX_LEFTOVERS]:
                jobs.append((target, owner, value, kind if kind in hints else None))
        if not jobs:
            return 0
        if announce is not None:
            announce(len(jobs))
        stop = threading.Event()

        def revoke(job: tuple[Target, Credentials, str, str | None]) -> bool:
            target, owner, value, hint = job
            if stop.is_set():
                return False
            try:
                target.client(owner).revoke(value, hint=hint)
            except Exception:
                stop.set()
                return False
            return True

        with ThreadPoolExecutor(min(LEFTOVER_WORKERS, len(jobs)), thread_name_prefix="revocation-contracts") as pool:
            return sum(pool.map(revoke, jobs))

    def close(self) -> None:
        self.revoke_leftovers()
        for target in self._targets.values():
            if target.tokens is not None:
                target.tokens.close()
        servers = [target.server for target in self._targets.values() if target.server is not None]
        # Ask every server to exit first, then wait: they wind down in parallel (bench/README.md).
        for server in servers:
            server.request_stop()
        for target in self._targets.values():
            target.session.close()
        for session in self._supply_sessions.values():
            session.close()
        for server in servers:
            server.stop()
        if self._host is not None:
            self._host.close()
            self._host = None
        self._targets.clear()
