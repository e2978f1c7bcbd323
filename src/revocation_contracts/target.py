"""The endpoint under test: where it is, who the suite is there, and how it gets tokens.

Plain data: a ``Target`` is built by whoever runs the suite (the pytest plugin's
``TargetPool``, ``pytest_plugin/pool.py``, once per contract and session) and knows nothing
of pytest or of the options it was built from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests

from revocation_contracts.model.contract import Contract
from revocation_contracts.redact import Redactor
from revocation_contracts.reference.host import HostedServer
from revocation_contracts.reference.server import ReferenceServer
from revocation_contracts.supply.tokens import Grant, TokenSupply
from revocation_contracts.transport.client import Credentials, RevocationClient
from revocation_contracts.transport.shell import References, capture, json_field


@dataclass
class Target:
    """One contract's endpoint, as the tests see it."""

    contract: Contract
    base_url: str
    credentials: Credentials
    second_credentials: Credentials | None
    session: requests.Session
    timeout: float
    redactor: Redactor
    tokens: TokenSupply | None = None
    server: ReferenceServer | HostedServer | None = field(default=None, repr=False)
    # The client-auth methods the server's metadata offers at the revocation endpoint (suite
    # names: basic, form-body); None when there is no metadata. The contract is already
    # narrowed to them (supply/discovery.py ``narrow_contract``), so untested methods are absent.
    auth_methods_offered: tuple[str, ...] | None = None

    @property
    def url(self) -> str:
        """The endpoint's URL, its path parameters filled in (bound ones with our client id)."""
        return self.base_url + self.contract.url_path(self.credentials.client_id)

    @property
    def embedded(self) -> bool:
        return self.server is not None

    def client(self, credentials: Credentials | None = None) -> RevocationClient:
        """A request builder for this target, authenticated as ``credentials`` (default: ours)."""
        return RevocationClient(
            self.contract, self.base_url, credentials or self.credentials, session=self.session, timeout=self.timeout
        )

    def mint_prelude(self, grant: Grant, client: Credentials, label: str = "g1") -> tuple[list[str], References]:
        """The commands that mint a grant like ``grant`` (``TokenSupply.mint_recipe``), each token
        into a variable (``$REVOKE_G1_ACCESS_TOKEN``), and those variables by token value, for a
        reproduction that revokes a minted token (``verdict.located``). Without a recipe, no
        command and no variable: the token stays masked (registered here, since a supply such as
        the embedded servers' does not register what it mints)."""
        self.redactor.add(*grant.tokens.values())
        recipe = self.tokens.mint_recipe(client) if self.tokens is not None else None
        if recipe is None:
            return [], References()
        grant_variable = f"REVOKE_{label.upper()}"
        names = {value: f"{grant_variable}_{kind.upper()}" for kind, value in grant.tokens.items()}
        known = References(dict(self.redactor.references))
        steps = [capture(grant_variable, recipe.line(known))]
        steps += [capture(names[value], json_field(grant_variable, kind)) for kind, value in grant.tokens.items()]
        return steps, References(names)

    def sensitive_headers(self) -> frozenset[str]:
        auth = self.contract.client_auth
        return frozenset(name for name in (auth.secret_header,) if name)
