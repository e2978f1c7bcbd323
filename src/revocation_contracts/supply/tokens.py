"""Where live tokens come from, and how the suite asks whether one still works.

Why an interface: semantic checks need a fresh grant and a liveness probe, and the way to
get both differs by target (CONTRACTS.md, "Token supply and probes"):

- the embedded reference servers answer namespaced test-only endpoints;
- any other target is driven by two user commands: ``--token-command`` prints JSON
  ``{"access_token"?: str, "refresh_token"?: str}`` for a new grant issued to the client in
  ``$REVOKE_CLIENT_ID``; ``--probe-command`` exits 0 when ``$REVOKE_TOKEN`` is still active,
  1 when it is not, anything else is a probe error.

A command that fails, times out or prints something malformed raises ``TokenSupplyError``,
which the suite reports as a setup error with the command's stderr (secrets redacted), never
as a contract failure and never as a pass. The suite only revokes tokens it minted itself.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from dataclasses import dataclass
from typing import Protocol

import requests

from revocation_contracts.reference.app import TEST_PREFIX
from revocation_contracts.reporting.redact import Redactor
from revocation_contracts.transport.client import Credentials

COMMAND_TIMEOUT = 30.0


class TokenSupplyError(Exception):
    """Minting or probing failed; a setup problem, not a verdict on the contract."""


@dataclass(frozen=True)
class Grant:
    """Tokens issued together to one client (token type -> value)."""

    client_id: str
    tokens: dict[str, str]

    def __repr__(self) -> str:
        return f"Grant(client_id={self.client_id!r}, tokens=[{', '.join(self.tokens)}: REDACTED])"


class TokenSupply(Protocol):
    """Mints grants and probes tokens for one target."""

    def mint(self, client: Credentials, token_types: tuple[str, ...] = ()) -> Grant: ...

    def is_active(self, token: str) -> bool: ...


class EmbeddedTokenSupply:
    """Mints and probes through the reference server's test-only endpoints."""

    def __init__(self, base_url: str, session: requests.Session) -> None:
        self.base_url = base_url
        self.session = session

    def mint(
        self, client: Credentials, token_types: tuple[str, ...] = (), values: dict[str, str] | None = None
    ) -> Grant:
        payload: dict[str, object] = {"client_id": client.client_id}
        if token_types:
            payload["token_types"] = list(token_types)
        if values:
            payload["values"] = values
        response = self.session.post(f"{self.base_url}{TEST_PREFIX}/grants", json=payload, timeout=10)
        if response.status_code != 200:
            raise TokenSupplyError(f"the reference server refused to mint a grant ({response.status_code})")
        data = response.json()
        tokens = {kind: value for kind, value in data.items() if kind in ("access_token", "refresh_token")}
        return Grant(client.client_id, tokens)

    def is_active(self, token: str) -> bool:
        response = self.session.post(f"{self.base_url}{TEST_PREFIX}/introspect", json={"token": token}, timeout=10)
        if response.status_code != 200:
            raise TokenSupplyError(f"the reference server could not probe a token ({response.status_code})")
        return bool(response.json()["active"])


class CommandTokenSupply:
    """Mints and probes through the user's ``--token-command`` and ``--probe-command``."""

    def __init__(self, token_command: str, probe_command: str | None, redact: Redactor) -> None:
        self.token_command = token_command
        self.probe_command = probe_command
        self.redact = redact

    def mint(self, client: Credentials, token_types: tuple[str, ...] = ()) -> Grant:
        result = self._run(self.token_command, {"REVOKE_CLIENT_ID": client.client_id}, "--token-command")
        if result.returncode != 0:
            raise TokenSupplyError(self._explain("--token-command", result, f"exited with {result.returncode}"))
        try:
            data = json.loads(result.stdout)
        except ValueError:
            raise TokenSupplyError(self._explain("--token-command", result, "did not print JSON")) from None
        if not isinstance(data, dict):
            raise TokenSupplyError(self._explain("--token-command", result, "did not print a JSON object"))
        tokens = {
            kind: value
            for kind, value in data.items()
            if kind in ("access_token", "refresh_token") and isinstance(value, str) and value
        }
        if not tokens:
            raise TokenSupplyError(
                self._explain("--token-command", result, "printed no access_token or refresh_token string")
            )
        self.redact.add(*tokens.values())
        return Grant(client.client_id, tokens)

    def is_active(self, token: str) -> bool:
        if self.probe_command is None:
            raise TokenSupplyError("no --probe-command: the suite cannot tell whether a token is still active")
        result = self._run(self.probe_command, {"REVOKE_TOKEN": token}, "--probe-command")
        if result.returncode == 0:
            return True
        if result.returncode == 1:
            return False
        raise TokenSupplyError(
            self._explain("--probe-command", result, f"exited with {result.returncode} (0 = active, 1 = inactive)")
        )

    def _run(self, command: str, env: dict[str, str], option: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                shlex.split(command),
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            raise TokenSupplyError(f"{option}: command not found: {shlex.split(command)[0]}") from None
        except subprocess.TimeoutExpired:
            raise TokenSupplyError(f"{option} did not finish within {COMMAND_TIMEOUT:.0f}s") from None

    def _explain(self, option: str, result: subprocess.CompletedProcess[str], what: str) -> str:
        stderr = self.redact(result.stderr.strip())[-500:]
        return f"{option} {what}" + (f"; stderr: {stderr}" if stderr else "")
