"""The embedded reference servers' token supply: mint and probe at their test-only endpoints.

Why apart from ``tokens.py``: it needs the reference app's namespace (``TEST_PREFIX``), and
importing the public token-supply API must not load the reference server (Starlette).
Only ``target.py`` builds one, for a target with an embedded server.
"""

from __future__ import annotations

import requests

from revocation_contracts.reference.app import TEST_PREFIX
from revocation_contracts.supply.tokens import Grant, TokenSupply, TokenSupplyError
from revocation_contracts.transport.client import Credentials


class EmbeddedTokenSupply(TokenSupply):
    """Mints and probes through the reference server's test-only endpoints.

    It pins token values (``pins_values``): the suite mints escape-free values so that a
    server mishandling ``+ / = %`` fails only the property about form decoding."""

    def __init__(self, base_url: str, session: requests.Session) -> None:
        self.base_url = base_url
        self.session = session

    @property
    def pins_values(self) -> bool:
        return True

    def mint_pinned(self, client: Credentials, token_types: tuple[str, ...], values: dict[str, str]) -> Grant:
        return self.mint(client, token_types, values=values)

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
