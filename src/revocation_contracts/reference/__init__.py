"""Faithful reference implementations of every contract, served over loopback HTTP.

The names load on first use (PEP 562): the plugin imports ``reference.bugs`` to validate
``--reference-bug`` in every pytest run where the package is installed, and that must not
import the web server (uvicorn, Starlette) until an embedded server actually starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from revocation_contracts.reference.bugs import BUGS
    from revocation_contracts.reference.server import ReferenceServer
    from revocation_contracts.reference.store import DEFAULT_CLIENTS

__all__ = ["BUGS", "DEFAULT_CLIENTS", "ReferenceServer"]
_HOMES = {"BUGS": "bugs", "DEFAULT_CLIENTS": "store", "ReferenceServer": "server"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
