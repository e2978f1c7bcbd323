"""Contract tests for OAuth 2.0 token-revocation endpoints (RFC 7009 and four vendors).

The public API is what a user's ``conftest.py`` needs to extend the suite the
pytest-httpserver way: the contract model (``load_contract``, ``Contract``), the endpoint
under test (``Target``, ``Credentials``) and the token supply (``TokenSupply``, ``Grant``,
``CommandTokenSupply``, ``TokenSupplyError``) that an overridden ``token_supply`` fixture
returns. Everything else is private to the package and may change; the reference servers and
their planted bugs are the project's own test doubles and stay in ``revocation_contracts.reference``.

Why the names load lazily (PEP 562): pytest imports this package in every run of every
project where it is installed (the ``pytest11`` entry point), and ``Target`` needs the HTTP
client; an unrelated project's test run must not pay for it, nor load a web server.

PYTEST_DONT_REWRITE: this module holds no assertions. The ``revocation-contracts`` console
script imports it before pytest starts; pytest then marks the package for assertion
rewriting (it provides a ``pytest11`` plugin) and, without this opt-out, warns on every run
that it was imported too early. The package's other modules are rewritten as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revocation_contracts.lazy import lazy_getattr

if TYPE_CHECKING:
    from revocation_contracts.model.contract import BUNDLED_NAMES, Contract, ContractError, load_contract
    from revocation_contracts.supply.builtin import CommandTokenSupply
    from revocation_contracts.supply.tokens import Grant, TokenSupply, TokenSupplyError
    from revocation_contracts.target import Target
    from revocation_contracts.transport.client import Credentials

__all__ = [
    "BUNDLED_NAMES",
    "CommandTokenSupply",
    "Contract",
    "ContractError",
    "Credentials",
    "Grant",
    "Target",
    "TokenSupply",
    "TokenSupplyError",
    "load_contract",
]
_HOMES = {
    "BUNDLED_NAMES": "model.contract",
    "Contract": "model.contract",
    "ContractError": "model.contract",
    "load_contract": "model.contract",
    "CommandTokenSupply": "supply.builtin",
    "Grant": "supply.tokens",
    "TokenSupply": "supply.tokens",
    "TokenSupplyError": "supply.tokens",
    "Target": "target",
    "Credentials": "transport.client",
}


__getattr__ = lazy_getattr(__name__, _HOMES, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
