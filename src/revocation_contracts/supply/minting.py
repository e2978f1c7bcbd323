"""Minting at the token endpoint (RFC 6749): a fresh grant per request, no user script.

Why these grants: they are the ones a test harness can run without a browser.

- ``client_credentials`` (RFC 6749 section 4.4): the client alone gets an access token; the
  default when a token endpoint is known. Section 4.4.3: "A refresh token SHOULD NOT be
  included", so such grants carry access tokens only.
- ``password`` (section 4.3) with a test user (``--username``/``--password``): the server may
  add a refresh token (section 4.3.3), often only for a scope such as ``offline_access``
  (``--scope``). The only grant here that yields refresh tokens of fresh, independent grants.
- ``refresh_token`` (section 6) with a seed the user supplies (``--refresh-token``): each
  exchange gives a new access token. When the server rotates (section 6: "MAY issue a new
  refresh token", and then "MAY revoke the old"), the new refresh token becomes the seed.
  The refresh token stays with the suite as the seed, never handed to a property that would
  revoke it, so these grants carry access tokens only.

Client authentication at the token endpoint is HTTP Basic or the form body (RFC 6749 section
2.3.1), or a contract's vendor headers, as the metadata or the spec's ``token-supply`` block
says. An answer that is not a token (RFC 6749 section 5.2 error, non-JSON, no
``access_token``, a body past the transport's cap) is a ``TokenSupplyError`` with one line,
never a verdict on the contract: the token endpoint is not the endpoint under test.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from revocation_contracts.redact import Redactor
from revocation_contracts.supply.tokens import BuiltinSupplyError
from revocation_contracts.transport.bounded import OversizedAnswer
from revocation_contracts.transport.client import Credentials
from revocation_contracts.transport.errors import explain_request_error
from revocation_contracts.transport.shell import HttpRecipe

GRANTS = ("client_credentials", "password", "refresh_token")
MAX_ANSWER_BYTES = 1_000_000


def auth_parts(
    method: str, creds: Credentials, vendor_headers: tuple[str, str] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, form fields) carrying ``creds`` by ``method`` (RFC 6749 section 2.3.1)."""
    if method == "basic":
        encoded = base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode("ascii")
        return {"Authorization": f"Basic {encoded}"}, {}
    if method == "headers" and vendor_headers is not None:
        return {vendor_headers[0]: creds.client_id, vendor_headers[1]: creds.client_secret}, {}
    return {}, {"client_id": creds.client_id, "client_secret": creds.client_secret}


def oauth_error(response: requests.Response) -> str:
    """``error`` of an RFC 6749 section 5.2 answer, or a short description of the body."""
    if not response.content.strip():
        return "with an empty body"
    try:
        data = response.json()
    except ValueError:
        return "a body that is not JSON"
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return str(data["error"])[:80]
    return "a JSON body without an error code"


def refusal_hint(grant: str, status: int, error: str) -> str:
    """What to change when the token endpoint refuses the grant, as one clause naming the option.

    From the RFC 6749 section 5.2 ``error`` when there is one; a bare 400 or 403 (a server
    that wants a scope often says nothing more: an empty 403) gets the usual two causes.
    """
    if error == "invalid_client" or status == 401:
        return (
            "the token endpoint does not accept the client's credentials: check --client-id and --client-secret "
            "(and --second-client-id / --second-client-secret)"
        )
    if error == "invalid_scope":
        return "pass a scope the server grants this client with --scope"
    if error in ("unauthorized_client", "unsupported_grant_type"):
        return (
            f"this client may not use the {grant} grant: pass another --grant (password with --username and "
            "--password, refresh_token with --refresh-token) or mint with --token-command"
        )
    if error == "invalid_grant" and grant == "password":
        return "the server refused the test user: check --username and --password"
    if error == "invalid_grant" and grant == "refresh_token":
        return "the refresh token is not live: pass a fresh one with --refresh-token"
    return (
        f"the server may require a scope (pass --scope) or refuse this client the {grant} grant (pass --grant "
        "password with --username and --password, --grant refresh_token with --refresh-token, or --token-command)"
    )


def post_form(
    session: requests.Session, url: str, fields: dict[str, str], headers: dict[str, str], timeout: float, what: str
) -> requests.Response:
    """POST a form to an OAuth endpoint; an unreachable endpoint or an oversized answer is one
    ``TokenSupplyError`` line (the session's cap raises ``OversizedAnswer``, which is a verdict
    only for the endpoint under test)."""
    try:
        response = session.post(url, data=fields, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise BuiltinSupplyError(f"{what}: " + explain_request_error(exc, "POST", url, timeout)) from None
    except OversizedAnswer:
        raise oversized(what, "POST", url) from None
    if len(response.content) > MAX_ANSWER_BYTES:
        raise oversized(what, "POST", url)
    return response


def oversized(what: str, method: str, url: str) -> BuiltinSupplyError:
    """The one line for a supply endpoint whose answer is larger than any OAuth answer needs."""
    return BuiltinSupplyError(f"{what}: {method} {url} answered more than {MAX_ANSWER_BYTES} bytes")


@dataclass
class MintSettings:
    """How to mint: where, which grant, how the client authenticates, the grant's inputs."""

    endpoint: str
    grant: str = "client_credentials"
    auth_method: str = "basic"
    vendor_headers: tuple[str, str] | None = None
    username: str | None = None
    password: str | None = None
    scope: str | None = None
    refresh_token: str | None = None


class TokenEndpointMinter:
    """Mints one fresh grant per call at the token endpoint; registers every token for redaction."""

    def __init__(self, settings: MintSettings, session: requests.Session, timeout: float, redactor: Redactor) -> None:
        if settings.grant not in GRANTS:
            raise ValueError(f"unknown grant {settings.grant!r}")
        self.settings = settings
        self.session = session
        self.timeout = timeout
        self.redactor = redactor
        self._seed = settings.refresh_token
        self._seed_owner: str | None = None
        self._lock = threading.Lock()
        redactor.add(settings.password, settings.refresh_token)

    @property
    def what(self) -> str:
        return f"minting with --grant {self.settings.grant} at the token endpoint"

    def _grant_fields(self) -> dict[str, str]:
        settings = self.settings
        fields: dict[str, str] = {"grant_type": settings.grant}
        if settings.grant == "password":
            fields.update(username=settings.username or "", password=settings.password or "")
        if settings.scope:
            fields["scope"] = settings.scope
        return fields

    def recipe(self, client: Credentials) -> HttpRecipe | None:
        """The mint request as a reproduction shows it; None for a rotating ``--refresh-token``
        seed (its current value is not the one the user gave)."""
        if not self.independent:
            return None
        headers, auth_fields = auth_parts(self.settings.auth_method, client, self.settings.vendor_headers)
        headers["Accept"] = "application/json"
        body = urlencode({**self._grant_fields(), **auth_fields})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return HttpRecipe("POST", self.settings.endpoint, headers, body)

    def mint(self, client: Credentials) -> dict[str, str]:
        """A new grant for ``client``: {"access_token": ..., "refresh_token"?: ...}."""
        fields = self._grant_fields()
        if not self.independent:
            return self._mint_from_seed(client, fields)
        return self._exchange(client, fields)

    @property
    def independent(self) -> bool:
        """Whether each mint is a grant of its own, so several may be in flight at once.

        ``client_credentials`` and ``password`` grants are (RFC 6749 sections 4.4, 4.3); the
        ``refresh_token`` grant is not: a server that rotates (section 6) hands back the next
        seed, so those mints run one at a time, in order.
        """
        return self.settings.grant != "refresh_token"

    def _mint_from_seed(self, client: Credentials, fields: dict[str, str]) -> dict[str, str]:
        with self._lock:
            if self._seed_owner is not None and self._seed_owner != client.client_id:
                raise BuiltinSupplyError(
                    f"{self.what}: the --refresh-token seed belongs to {self._seed_owner!r}; "
                    f"it cannot mint for {client.client_id!r} (use --grant password or --token-command)"
                )
            self._seed_owner = client.client_id
            fields["refresh_token"] = self._seed or ""
            tokens = self._exchange(client, fields)
            rotated = tokens.pop("refresh_token", None)
            if rotated:
                self._seed = rotated
        return tokens

    def exchange_refresh(self, client: Credentials, refresh_token: str) -> requests.Response:
        """One ``refresh_token`` grant request (RFC 6749 section 6), for probing; the raw answer."""
        headers, fields = auth_parts(self.settings.auth_method, client, self.settings.vendor_headers)
        fields.update(grant_type="refresh_token", refresh_token=refresh_token)
        return post_form(self.session, self.settings.endpoint, fields, headers, self.timeout, "probing by refresh")

    def _exchange(self, client: Credentials, fields: dict[str, str]) -> dict[str, str]:
        url = self.settings.endpoint
        headers, auth_fields = auth_parts(self.settings.auth_method, client, self.settings.vendor_headers)
        headers["Accept"] = "application/json"
        response = post_form(self.session, url, {**fields, **auth_fields}, headers, self.timeout, self.what)
        status = response.status_code
        if status != 200:
            error = oauth_error(response)
            raise BuiltinSupplyError(
                f"{self.what}: POST {url} refused the grant for {client.client_id!r}: {status} "
                f"{error} (RFC 6749 section 5.2)",
                hint=refusal_hint(self.settings.grant, status, error),
            )
        try:
            data: Any = response.json()
        except ValueError:
            raise BuiltinSupplyError(f"{self.what}: POST {url} answered 200 with a body that is not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str) or not data["access_token"]:
            raise BuiltinSupplyError(
                f"{self.what}: POST {url} answered 200 without an access_token string (RFC 6749 section 5.1)"
            )
        tokens = {
            kind: data[kind]
            for kind in ("access_token", "refresh_token")
            if isinstance(data.get(kind), str) and data[kind]
        }
        self.redactor.add(*tokens.values())
        return tokens
