"""Where live tokens come from, and how the suite asks whether one still works.

Why an interface: semantic checks need a fresh grant and a liveness probe, and the way to
get both differs by target (the project's rules for token supply and probes):

- the embedded reference servers answer namespaced test-only endpoints (``embedded.py``,
  which this module never imports: the public API must not load the reference server);
- any other target mints at its token endpoint and probes by introspection, the refresh
  grant or a protected resource, found by discovery or given as options (``builtin.py``,
  ``discovery.py``, ``minting.py``, ``probing.py``), or through the user's shell commands
  ``--token-command`` / ``--probe-command`` (``commands.py``).

``TokenSupply`` declares every capability the suite asks a supply about, with defaults, so
the suite asks the supply and never checks its class; a user's supply (an overridden
``token_supply`` fixture) needs only ``mint`` and ``is_active``.

A supply that fails raises ``TokenSupplyError``, which the suite reports as a setup error
(secrets redacted), never as a contract failure and never as a pass. The suite only revokes
tokens it minted itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from revocation_contracts.transport.client import Credentials
from revocation_contracts.transport.shell import Recipe


class TokenSupplyError(Exception):
    """Minting or probing failed; a setup problem, not a verdict on the contract.

    ``hint``: what the user should change, as one clause naming the option; a class default,
    or the raiser's own when the answer tells more (a refused grant: ``minting.refusal_hint``).
    """

    hint = "check --token-command / --probe-command by running them by hand"

    def __init__(self, *args: object, hint: str | None = None) -> None:
        super().__init__(*args)
        if hint is not None:
            self.hint = hint


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


class MintsAndProbes(Protocol):
    """The least a user's supply must do: mint a grant and say whether a token still works."""

    def mint(self, client: Credentials, token_types: tuple[str, ...] = ()) -> Grant: ...

    def is_active(self, token: str) -> bool: ...


class TokenSupply:
    """Mints grants and probes tokens for one target; every capability the suite asks about.

    Why a base class with defaults: the suite's engine asks a supply what it can do (probe at
    all, pin token values, mint grants independently, probe several tokens at once, hand back
    the tokens it left alive, close) and must never ask which class it is. A subclass
    implements ``mint`` and ``is_active``; each capability defaults to what a plain supply
    does (no pinning, one grant after another, one probe at a time, nothing to clean up).
    A user's object that only has ``mint`` and ``is_active`` (``MintsAndProbes``) gets these
    defaults through ``as_token_supply``.
    """

    # Where the grants come from, in words ("" when unknown): two supplies that say the same
    # mint alike, so the gate before the tests (pytest_plugin/supply_gate.py) mints once for both.
    describe = ""

    def mint(self, client: Credentials, token_types: tuple[str, ...] = ()) -> Grant:
        raise NotImplementedError

    def is_active(self, token: str) -> bool:
        raise NotImplementedError

    @property
    def can_probe(self) -> bool:
        """Whether ``is_active`` can answer at all (the semantic tests skip when it cannot)."""
        return True

    @property
    def pins_values(self) -> bool:
        """Whether ``mint_pinned`` mints tokens with chosen values (the embedded servers)."""
        return False

    def mint_pinned(self, client: Credentials, token_types: tuple[str, ...], values: dict[str, str]) -> Grant:
        """A grant whose tokens have ``values`` (by token type), where ``pins_values``."""
        raise TokenSupplyError("this token supply cannot mint tokens with chosen values")

    def mint_fresh(self, client: Credentials, token_types: tuple[str, ...] = ()) -> Grant:
        """A grant minted now, never one minted ahead (a property confirming a failure alone)."""
        return self.mint(client, token_types)

    @property
    def grants_are_independent(self) -> bool:
        """Whether grants may be minted independently of each other, so properties may run side
        by side; not for a supply whose mints depend on each other or that may not reenter."""
        return False

    def probe_ahead(self, tokens: Sequence[str]) -> list[Callable[[], bool]]:
        """One answer per token, to be read in order; by default each is the probe itself,
        sent when it is read (a property that stops at its first verdict sends no more)."""
        return [partial(self.is_active, token) for token in tokens]

    def mint_recipe(self, client: Credentials) -> Recipe | None:
        """How a grant for ``client`` is minted, as a failure's reproduction shows it: the request
        to the token endpoint or the user's command (``transport/shell.py``); by default None
        (the reproduction then names the grant without a command)."""
        return None

    def probe_recipe(self, token: str) -> Recipe | None:
        """How ``token`` (one this supply minted) is probed, as a reproduction shows it; by default None."""
        return None

    def leftovers(self) -> list[tuple[Credentials, str, str]]:
        """(client, token type, value) of every live token this supply minted on the target and
        the suite should revoke at the end of the session; by default none."""
        return []

    def close(self) -> None:
        """Release what the supply holds at the end of the session; by default nothing."""


class _Adapted(TokenSupply):
    """A user's ``MintsAndProbes`` with the base class's defaults for every capability."""

    def __init__(self, inner: MintsAndProbes) -> None:
        self.inner = inner

    def mint(self, client: Credentials, token_types: tuple[str, ...] = ()) -> Grant:
        return self.inner.mint(client, token_types)

    def is_active(self, token: str) -> bool:
        return self.inner.is_active(token)


def as_token_supply(supply: TokenSupply | MintsAndProbes) -> TokenSupply:
    """``supply`` itself when it is a ``TokenSupply``, else wrapped with the defaults."""
    return supply if isinstance(supply, TokenSupply) else _Adapted(supply)
