"""Faithful reference implementations of every contract, served over loopback HTTP."""

from revocation_contracts.reference.bugs import BUGS
from revocation_contracts.reference.server import ReferenceServer
from revocation_contracts.reference.store import DEFAULT_CLIENTS

__all__ = ["BUGS", "DEFAULT_CLIENTS", "ReferenceServer"]
