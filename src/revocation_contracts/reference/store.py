"""The reference servers' clients and tokens, shared by every request thread.

Why a grant is the unit: RFC 7009 section 2 ties an access token to the refresh token it was
issued with ("the authorization server SHOULD also invalidate all access tokens based on the
same authorization grant"), and the over-revocation rule (docs/contracts.md) is about grants too.
So a grant holds one access and one refresh token, each with its own liveness.

Every method takes the store's lock: uvicorn answers on its event loop, the suite mints and
probes from the test thread, and pytest-xdist may run several suites against one process.
"""

from __future__ import annotations

import base64
import secrets
import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Client:
    """A registered confidential client (RFC 6749 section 2.1)."""

    client_id: str
    client_secret: str


@dataclass
class Grant:
    """One authorization grant: the tokens issued together, and which of them still work."""

    grant_id: str
    client_id: str
    tokens: dict[str, str]  # token type -> token value
    active: dict[str, bool] = field(default_factory=dict)


# Two clients are registered on every reference server: the suite's own (A) and a second one
# (B) for the cross-client rule. The secrets are long and distinctive so leak tests can grep.
DEFAULT_CLIENTS = (
    Client("rc-client-a", "rc-secret-A-5f1c9e2b7d4a4c7e"),
    Client("rc-client-b", "rc-secret-B-93b0e6c1a8f24d15"),
)


def new_token_value(prefix: str) -> str:
    """A fresh opaque token; base64 keeps '+', '/' and '=' in play, which form bodies must escape."""
    raw = base64.b64encode(secrets.token_bytes(25)).decode("ascii")
    return f"{prefix}.{raw}"


class TokenStore:
    """Thread-safe registry of clients and grants for one reference server."""

    def __init__(self, clients: tuple[Client, ...] = DEFAULT_CLIENTS) -> None:
        self._lock = threading.Lock()
        self._clients = {client.client_id: client for client in clients}
        self._grants: dict[str, Grant] = {}
        self._by_token: dict[str, tuple[str, str]] = {}  # token -> (grant id, token type)

    def authenticate(self, client_id: str | None, client_secret: str | None) -> Client | None:
        """The client these credentials prove, or None (RFC 6749 section 2.3.1)."""
        if client_id is None or client_secret is None:
            return None
        client = self._clients.get(client_id)
        if client is None or not secrets.compare_digest(client.client_secret, client_secret):
            return None
        return client

    def is_known_client(self, client_id: str | None) -> bool:
        return client_id is not None and client_id in self._clients

    def mint(self, client_id: str, token_types: tuple[str, ...], values: dict[str, str] | None = None) -> Grant:
        """Issue a new grant to a registered client; ``values`` pins token values (for tests)."""
        if client_id not in self._clients:
            raise KeyError(client_id)
        values = values or {}
        tokens = {kind: values.get(kind) or new_token_value(kind[0] + "t") for kind in token_types}
        with self._lock:
            clashes = [value for value in tokens.values() if value in self._by_token]
            if clashes:
                raise ValueError("token value already issued")
            grant = Grant(
                grant_id=secrets.token_hex(8),
                client_id=client_id,
                tokens=tokens,
                active=dict.fromkeys(tokens, True),
            )
            self._grants[grant.grant_id] = grant
            for kind, value in tokens.items():
                self._by_token[value] = (grant.grant_id, kind)
        return grant

    def find(self, token: str) -> tuple[Grant, str] | None:
        """The grant a token belongs to and its type, whether or not it is still active."""
        with self._lock:
            found = self._by_token.get(token)
            if found is None:
                return None
            grant_id, kind = found
            return self._grants[grant_id], kind

    def is_active(self, token: str) -> bool:
        with self._lock:
            found = self._by_token.get(token)
            if found is None:
                return False
            grant_id, kind = found
            return self._grants[grant_id].active[kind]

    def token_type(self, token: str) -> str | None:
        found = self.find(token)
        return found[1] if found else None

    def deactivate(self, grant_id: str, kinds: tuple[str, ...]) -> None:
        with self._lock:
            grant = self._grants[grant_id]
            for kind in kinds:
                if kind in grant.active:
                    grant.active[kind] = False

    def deactivate_client(self, client_id: str) -> None:
        """Kill every grant of a client; only planted bugs call this (over-revocation)."""
        with self._lock:
            for grant in self._grants.values():
                if grant.client_id == client_id:
                    grant.active = dict.fromkeys(grant.active, False)
