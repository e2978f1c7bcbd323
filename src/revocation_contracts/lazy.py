"""Names that load on first use (PEP 562), for the package's ``__init__`` modules.

Why it sits in the bottom layer: the package's public face (``revocation_contracts``) and the
reference servers (``revocation_contracts.reference``) both defer their imports this way, and
the reference layer may not import the package's top to get the helper.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_getattr(package: str, homes: dict[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A PEP 562 module ``__getattr__`` for ``package``: each name of ``homes`` is imported from
    its submodule on first use, then kept in ``namespace``."""

    def lazy(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{homes[name]}"), name)
        namespace[name] = value
        return value

    return lazy
