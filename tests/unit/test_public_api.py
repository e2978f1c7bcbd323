"""The public API (``revocation_contracts.__all__``) is what a user's conftest needs, and only that."""

from __future__ import annotations

import subprocess
import sys

import revocation_contracts


def test_every_public_name_resolves() -> None:
    for name in revocation_contracts.__all__:
        assert getattr(revocation_contracts, name) is not None, name
    assert sorted(revocation_contracts.__all__) == sorted(set(revocation_contracts.__all__))


def test_what_a_conftest_needs_is_public() -> None:
    needed = {"Target", "Credentials", "TokenSupply", "Grant", "TokenSupplyError", "load_contract", "Contract"}
    assert needed <= set(revocation_contracts.__all__)


def test_test_doubles_stay_out_of_the_public_api() -> None:
    """The reference servers and planted bugs are the project's own proofs, importable from their module."""
    assert not {"BUGS", "DEFAULT_CLIENTS", "ReferenceServer"} & set(revocation_contracts.__all__)
    from revocation_contracts.reference import BUGS, DEFAULT_CLIENTS, ReferenceServer

    assert ReferenceServer.__module__ == "revocation_contracts.reference.server"
    assert "keeps-token" in BUGS and len(DEFAULT_CLIENTS) == 2, (sorted(BUGS), DEFAULT_CLIENTS)


def test_importing_the_package_is_cheap() -> None:
    """pytest imports the package in every run where it is installed: no HTTP client, no web server."""
    code = "import sys, revocation_contracts; print(sorted(m for m in sys.modules if m.startswith('revocation_'))); "
    code += "print(sorted({'uvicorn', 'starlette', 'requests', 'yaml'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.splitlines() == ["['revocation_contracts', 'revocation_contracts.lazy']", "[]"]
