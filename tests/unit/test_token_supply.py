"""The token-supply extension point: the suite asks the protocol, never the class.

``revocation_contracts.supply.tokens.TokenSupply`` declares every capability the engine asks
about, with defaults; a user's object with only ``mint`` and ``is_active`` gets them through
``as_token_supply``. Importing the public token-supply module loads no web server.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from revocation_contracts.supply.tokens import Grant, TokenSupply, TokenSupplyError, as_token_supply
from revocation_contracts.transport.client import Credentials

ROOT = Path(__file__).resolve().parents[2]
CLIENT = Credentials("client-a", "secret-a")


class Minimal:
    """A user's supply: only the two methods."""

    def __init__(self) -> None:
        self.probed: list[str] = []

    def mint(self, client: Credentials, token_types: tuple[str, ...] = ()) -> Grant:
        return Grant(client.client_id, {"access_token": "tok-1"})

    def is_active(self, token: str) -> bool:
        self.probed.append(token)
        return token == "tok-1"


def test_a_minimal_supply_gets_every_capability_with_its_default() -> None:
    inner = Minimal()
    supply = as_token_supply(inner)
    assert supply.mint(CLIENT).tokens == {"access_token": "tok-1"}
    assert supply.mint_fresh(CLIENT).tokens == {"access_token": "tok-1"}
    assert supply.can_probe and not supply.pins_values and not supply.grants_are_independent
    assert supply.leftovers() == []
    supply.close()
    answers = supply.probe_ahead(["tok-1", "tok-2"])
    assert inner.probed == [], "a default probe ahead is sent when its answer is read"
    assert [answer() for answer in answers] == [True, False]
    assert inner.probed == ["tok-1", "tok-2"]


def test_a_supply_without_pinning_refuses_pinned_values_as_a_setup_error() -> None:
    supply = as_token_supply(Minimal())
    try:
        supply.mint_pinned(CLIENT, ("access_token",), {"access_token": "x"})
    except TokenSupplyError:
        pass
    else:
        raise AssertionError("mint_pinned without pins_values must raise TokenSupplyError")


def test_a_subclass_is_used_as_it_is() -> None:
    class Mine(TokenSupply):
        def mint(self, client: Credentials, token_types: tuple[str, ...] = ()) -> Grant:
            return Grant(client.client_id, {})

        def is_active(self, token: str) -> bool:
            return False

    mine = Mine()
    assert as_token_supply(mine) is mine


def test_the_suites_supplies_declare_what_they_offer() -> None:
    from revocation_contracts.supply.builtin import BuiltinTokenSupply
    from revocation_contracts.supply.embedded import EmbeddedTokenSupply

    assert issubclass(BuiltinTokenSupply, TokenSupply) and issubclass(EmbeddedTokenSupply, TokenSupply)
    assert EmbeddedTokenSupply("http://127.0.0.1:1", None).pins_values  # type: ignore[arg-type]


def test_importing_the_public_token_supply_loads_no_web_server() -> None:
    code = (
        "import sys, revocation_contracts.supply.tokens, revocation_contracts.supply.builtin\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] in ('starlette', 'uvicorn'))\n"
        "loaded += [name for name in sys.modules if name.startswith('revocation_contracts.reference')]\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_engine_asks_the_supply_never_its_class() -> None:
    """No class check or attribute probe of a supply where the suite drives one."""
    places = [
        *sorted((ROOT / "src" / "revocation_contracts" / "semantics").glob("*.py")),
        ROOT / "src" / "revocation_contracts" / "target.py",
        *sorted((ROOT / "src" / "revocation_contracts" / "pytest_plugin").glob("*.py")),
        ROOT / "tests" / "contract" / "conftest.py",
    ]
    probe = re.compile(
        r"(isinstance\([^)]*(supply|tokens)\b|\w*TokenSupply\)|(getattr|hasattr)\([^)]*(supply|tokens)\b)"
    )
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in places
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if probe.search(line)
    ]
    assert not found, "\n".join(found)
