"""Where live tokens come from, and how the suite asks whether one still works.

Why an interface: semantic checks need a fresh grant and a liveness probe, and the way to
get both differs by target (CONTRACTS.md, "Token supply and probes"):

- the embedded reference servers answer namespaced test-only endpoints;
- any other target mints at its token endpoint and probes by introspection, the refresh
  grant or a protected resource, found by discovery or given as options (``builtin.py``,
  ``discovery.py``, ``minting.py``, ``probing.py``), or through the user's shell commands
  ``--token-command`` / ``--probe-command`` (``commands.py``).

A supply that fails raises ``TokenSupplyError``, which the suite reports as a setup error
(secrets redacted), never as a contract failure and never as a pass. The suite only revokes
tokens it minted itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import requests

from revocation_contracts.reference.app import TEST_PREFIX
from revocation_contracts.transport.client import Credentials


class TokenSupplyError(Exception):
    """Minting or probing failed; a setup problem, not a verdict on the contract."""

    hint = "check --token-command / --probe-command by running them by hand"


class BuiltinSupplyError(TokenSupplyError):
    """The built-in supply failed: discovery, the token endpoint, or a probe endpoint."""

    hint = (
        "check the server's endpoints and the options that name them (--issuer, --token-endpoint, "
        "--introspection-endpoint, --resource-url, --grant)"
    )


@dataclass(frozen=True)
class Grant:
    """Tokens issued together to one client (token type -> value)."""

    client_id: str
    tokens: dict[str, str]

    def __repr__(self) -> str:
        return f"Grant(client_id={self.client_id!r}, tokens=[{', '.join(self.tokens)}: REDACTED])"


class TokenSupply(Protocol):
    """Mints grants and probes tokens for one target."""

    def mint(self, client: Credentials, token_types: tuple[str, ...] = ()) -> Grant: ...

    def is_active(self, token: str) -> bool: ...


class EmbeddedTokenSupply:
    """Mints and probes through the reference server's test-only endpoints."""

    def __init__(self, base_url: str, session: requests.Session) -> None:
        self.base_url = base_url
        self.session = session

    def mint(
        self, client: Credentials, token_types: tuple[str, ...] = (), values: dict[str, str] | None = None
    ) -> Grant:
        payload: dict[str, object] = {"client_id": client.client_id}
        if token_types:
            payload["token_types"] = list(token_types)
        if values:
            payload["values"] = values
        response = self.session.post(f"{self.base_url}{TEST_PREFIX}/grants", json=payload, timeout=10)
        if response.status_code != 200:
            raise TokenSupplyError(f"the reference server refused to mint a grant ({response.status_code})")
        data = response.json()
        tokens = {kind: value for kind, value in data.items() if kind in ("access_token", "refresh_token")}
        return Grant(client.client_id, tokens)

    def is_active(self, token: str) -> bool:
        response = self.session.post(f"{self.base_url}{TEST_PREFIX}/introspect", json={"token": token}, timeout=10)
        if response.status_code != 200:
            raise TokenSupplyError(f"the reference server could not probe a token ({response.status_code})")
        return bool(response.json()["active"])
