"""Faithful reference implementations of every contract, served over loopback HTTP.

The names load on first use (PEP 562): the plugin imports ``reference.bugs`` to validate
``--reference-bug`` in every pytest run where the package is installed, and that must not
import the web server (uvicorn, Starlette) until an embedded server actually starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revocation_contracts.lazy import lazy_getattr

if TYPE_CHECKING:
    from revocation_contracts.reference.bugs import BUGS
    from revocation_contracts.reference.server import ReferenceServer
    from revocation_contracts.reference.store import DEFAULT_CLIENTS

__all__ = ["BUGS", "DEFAULT_CLIENTS", "ReferenceServer"]
_HOMES = {"BUGS": "bugs", "DEFAULT_CLIENTS": "store", "ReferenceServer": "server"}


__getattr__ = lazy_getattr(__name__, _HOMES, globals())
