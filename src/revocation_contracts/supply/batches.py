"""Grants from a ``--token-command`` in batches: one process start for several mints (issue 21).

Why: each run of the user's command starts a process (about 0.1 s here), and a semantic run
mints a few hundred grants, so one at a time the process starts alone cost most of a run on
loopback. A command that mints several grants per run (``REVOKE_GRANT_COUNT``, ``commands.py``)
pays once per batch; one that prints a single grant is asked again when its grant is used.

Per client, the first run asks for one grant (a command that fails costs one run, as
before), each later run for twice as many as the last, up to ``MAX_BATCH``: a short run
mints little it never uses, a long one starts few processes. The command never runs beside
itself (one run at a time, under a lock: a user's script need not be reentrant). Every grant
is handed to ``accept`` as soon as its batch arrives, so grants never handed out are still
the suite's own tokens, revoked at the end with the rest (``BuiltinTokenSupply.leftovers``).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from revocation_contracts.supply.commands import MAX_BATCH
from revocation_contracts.transport.client import Credentials

Tokens = dict[str, str]


class GrantBatches:
    """Per client, grants minted in one run of the command and handed out one at a time, in order."""

    def __init__(
        self,
        mint_batch: Callable[[Credentials, int], list[Tokens]],
        accept: Callable[[Credentials, Tokens], Tokens],
        most: int = MAX_BATCH,
    ) -> None:
        self._mint_batch = mint_batch
        self._accept = accept
        self.most = most
        self._ready: dict[Credentials, deque[Tokens]] = {}
        self._next: dict[Credentials, int] = {}
        self._lock = threading.Lock()
        self.runs = 0

    def take(self, client: Credentials) -> Tokens:
        """The oldest grant minted for ``client`` and not yet handed out (a new batch when none is)."""
        with self._lock:
            ready = self._ready.setdefault(client, deque())
            if not ready:
                count = self._next.get(client, 1)
                self.runs += 1
                ready.extend(self._accept(client, tokens) for tokens in self._mint_batch(client, count))
                self._next[client] = min(count * 2, self.most)
            return ready.popleft()
