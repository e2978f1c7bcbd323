"""Contract tests for OAuth 2.0 token-revocation endpoints (RFC 7009 and four vendors).

The public API is small on purpose: load a contract, start a reference server for it, and
the pytest plugin (registered through the ``pytest11`` entry point) does the rest. Everything
else is private to the package and may change.
"""

from revocation_contracts.model.contract import BUNDLED_NAMES, Contract, ContractError, load_contract
from revocation_contracts.reference import BUGS, DEFAULT_CLIENTS, ReferenceServer

__all__ = ["BUGS", "BUNDLED_NAMES", "DEFAULT_CLIENTS", "Contract", "ContractError", "ReferenceServer", "load_contract"]
