"""Probing: is a token the suite minted still alive? Three standard ways to ask, and a command.

Why several: servers differ in what they expose, and a probe that lies makes "a revoked
token is dead" pass for any server. Each prober answers ``True`` (alive), ``False`` (dead) or
raises ``TokenSupplyError`` (the probe itself failed: a setup problem, never a verdict).

- ``IntrospectionProber``, RFC 7662 section 2.2: ``"active": true`` or ``false``, asked as the
  client the token was issued to (section 2.1 lets a server refuse, or answer inactive, to
  anyone else). Some servers' introspection only knows access tokens; see ``Probes``.
- ``RefreshProber``, RFC 6749 section 6 and 5.2: a refresh grant succeeds for a live refresh
  token; a dead one is refused with ``invalid_grant``. A success issues new tokens, which the
  supply keeps so they are redacted and revoked at the end; on a server that rotates, it also
  consumes the probed token, so this probe suits tokens probed once (the usual "is it dead
  now?"); introspection is preferred when the server has it.
- ``ResourceProber``, RFC 6750 section 3.1: a protected resource answers 401
  ``invalid_token`` to a dead access token; 2xx (or 403, insufficient scope) means alive.
- ``CommandProber``: the user's ``--probe-command`` (``commands.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import requests

from revocation_contracts.supply.minting import auth_parts, oauth_error, oversized, post_form
from revocation_contracts.supply.tokens import BuiltinSupplyError
from revocation_contracts.transport.bounded import OversizedAnswer
from revocation_contracts.transport.client import Credentials
from revocation_contracts.transport.errors import explain_request_error
from revocation_contracts.transport.shell import HttpRecipe, Recipe


class Prober(Protocol):
    def is_active(self, token: str, kind: str, owner: Credentials) -> bool: ...

    def recipe(self, token: str, kind: str, owner: Credentials) -> Recipe | None:
        """The probe as a reproduction shows it (``transport/shell.py``); None if none can be shown."""


@dataclass
class IntrospectionProber:
    """RFC 7662 introspection, form body with ``token`` and ``token_type_hint``."""

    endpoint: str
    auth_method: str
    session: requests.Session
    timeout: float
    vendor_headers: tuple[str, str] | None = None

    def recipe(self, token: str, kind: str, owner: Credentials) -> Recipe | None:
        headers, fields = auth_parts(self.auth_method, owner, self.vendor_headers)
        headers.update({"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"})
        body = urlencode({**fields, "token": token, "token_type_hint": kind})
        return HttpRecipe("POST", self.endpoint, headers, body)

    def is_active(self, token: str, kind: str, owner: Credentials) -> bool:
        headers, fields = auth_parts(self.auth_method, owner, self.vendor_headers)
        headers["Accept"] = "application/json"
        fields.update(token=token, token_type_hint=kind)
        what = "probing by introspection"
        response = post_form(self.session, self.endpoint, fields, headers, self.timeout, what)
        if response.status_code != 200:
            raise BuiltinSupplyError(
                f"{what}: POST {self.endpoint} refused: {response.status_code} {oauth_error(response)} "
                "(RFC 7662 section 2.3)"
            )
        try:
            data: Any = response.json()
        except ValueError:
            raise BuiltinSupplyError(
                f"{what}: POST {self.endpoint} answered 200 with a body that is not JSON"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("active"), bool):
            raise BuiltinSupplyError(
                f"{what}: POST {self.endpoint} answered 200 without a boolean 'active' (RFC 7662 section 2.2)"
            )
        return bool(data["active"])


@dataclass
class RefreshProber:
    """A refresh grant at the token endpoint: 200 alive, ``invalid_grant`` dead."""

    exchange: Callable[[Credentials, str], requests.Response]
    endpoint: str
    keep: Callable[[Credentials, dict[str, str]], None]  # tokens a successful probe issued
    dead_statuses: frozenset[int] = frozenset({400, 401, 403})
    dead_error: str = "invalid_grant"

    def recipe(self, token: str, kind: str, owner: Credentials) -> Recipe | None:
        return None  # a refresh grant that succeeds issues (and may rotate) tokens: not a probe to paste

    def is_active(self, token: str, kind: str, owner: Credentials) -> bool:
        what = "probing by the refresh grant"
        response = self.exchange(owner, token)
        if response.status_code == 200:
            try:
                data: Any = response.json()
            except ValueError:
                data = {}
            if isinstance(data, dict):
                self.keep(owner, {k: v for k, v in data.items() if k in ("access_token", "refresh_token") and v})
            return True
        error = oauth_error(response)
        if response.status_code in self.dead_statuses and error == self.dead_error:
            return False
        raise BuiltinSupplyError(
            f"{what}: POST {self.endpoint} answered {response.status_code} {error}, "
            f"neither a token (alive) nor {self.dead_error} (dead)"
        )


@dataclass
class ResourceProber:
    """A protected resource called with the access token as a Bearer token (RFC 6750)."""

    url: str
    session: requests.Session
    timeout: float
    method: str = "GET"
    dead_statuses: frozenset[int] = frozenset({401})

    def recipe(self, token: str, kind: str, owner: Credentials) -> Recipe | None:
        return HttpRecipe(self.method, self.url, {"Authorization": f"Bearer {token}"})

    def is_active(self, token: str, kind: str, owner: Credentials) -> bool:
        what = "probing the protected resource"
        try:
            response = self.session.request(
                self.method,
                self.url,
                headers={"Authorization": f"Bearer {token}"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise BuiltinSupplyError(
                f"{what}: " + explain_request_error(exc, self.method, self.url, self.timeout)
            ) from None
        except OversizedAnswer:
            raise oversized(what, self.method, self.url) from None
        status = response.status_code
        response.close()
        if status in self.dead_statuses:
            return False
        if 200 <= status < 300 or status == 403:
            return True
        raise BuiltinSupplyError(
            f"{what}: {self.method} {self.url} answered {status}, neither 2xx (alive) nor 401 (dead)"
        )


class Probes:
    """One prober per token type; for refresh tokens, a fallback when introspection only knows access tokens.

    A server's introspection may answer ``active: false`` for every refresh token (RFC 7662
    section 2.2 lets it keep token types to itself). The first refresh token probed is always
    a fresh one (the smoke check's), so when introspection calls it dead and a refresh prober
    is at hand, the suite asks that one; if it says alive, refresh tokens are probed by the
    refresh grant from then on.
    """

    def __init__(self, by_kind: dict[str, Prober], refresh_fallback: Prober | None = None) -> None:
        self.by_kind = dict(by_kind)
        self.refresh_fallback = refresh_fallback
        self._refresh_checked = False

    def kinds(self) -> tuple[str, ...]:
        return tuple(self.by_kind)

    def is_active(self, token: str, kind: str, owner: Credentials) -> bool:
        prober = self.by_kind.get(kind)
        if prober is None:
            raise BuiltinSupplyError(f"no probe for a {kind}: give --probe-command, or an introspection endpoint")
        active = prober.is_active(token, kind, owner)
        if kind == "refresh_token" and not self._refresh_checked:
            self._refresh_checked = True
            if not active and self.refresh_fallback is not None and self.refresh_fallback.is_active(token, kind, owner):
                self.by_kind[kind] = self.refresh_fallback
                return True
        return active
