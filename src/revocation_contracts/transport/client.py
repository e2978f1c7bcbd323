"""Build and send revocation requests the way a contract says they are sent.

Why one builder: the schema tests, the protocol tests and the semantic properties all send
"the documented request", varied along one axis at a time (credentials method, media type,
HTTP method, hint, token in the query string). Building it in one place means every test
varies exactly one thing, and every failure can print the same redacted curl command.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests

from revocation_contracts.model.contract import Contract
from revocation_contracts.transport.session import new_session


@dataclass(frozen=True)
class Credentials:
    """A client's id and secret (RFC 6749 section 2.3.1)."""

    client_id: str
    client_secret: str

    def __repr__(self) -> str:  # never print the secret, even in a pytest assertion rewrite
        return f"Credentials(client_id={self.client_id!r}, client_secret='[REDACTED]')"


@dataclass(frozen=True)
class RevocationRequest:
    """One request to the revocation endpoint, before it is sent."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    query: dict[str, str] = field(default_factory=dict)

    @property
    def full_url(self) -> str:
        return f"{self.url}?{urlencode(self.query)}" if self.query else self.url


class RevocationClient:
    """Sends revocation requests for one contract to one target, over one keep-alive session."""

    def __init__(
        self,
        contract: Contract,
        base_url: str,
        credentials: Credentials | None,
        session: requests.Session | None = None,
        timeout: float = 10.0,
        send: Any = None,
    ) -> None:
        self.contract = contract
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.session = session or new_session()
        self.timeout = timeout
        # ``send`` lets the plugin route requests through its throttling/retry layer.
        self._send = send

    @property
    def url(self) -> str:
        """The endpoint's URL; path parameters bound to the client id take this client's."""
        return self.url_for(self.credentials)

    def url_for(self, credentials: Credentials | None) -> str:
        client_id = credentials.client_id if credentials is not None else None
        return self.base_url + self.contract.url_path(client_id)

    def build(
        self,
        token: str | None,
        *,
        hint: str | None = None,
        method: str | None = None,
        media_type: str | None = None,
        auth_method: str | None = None,
        credentials: Credentials | str | None = "default",
        extra: dict[str, Any] | None = None,
        token_in_query: bool = False,
        raw_body: bytes | None = None,
    ) -> RevocationRequest:
        """The documented request, with at most the named parts changed.

        ``credentials="default"`` uses this client's; ``None`` sends none at all.
        """
        contract = self.contract
        creds = self.credentials if credentials == "default" else credentials
        assert creds is None or isinstance(creds, Credentials)
        auth_method = auth_method or contract.client_auth.default_method
        media_type = media_type or _media_type_for(contract, auth_method)
        fields: dict[str, Any] = {}
        query: dict[str, str] = {}
        if token is not None:
            if token_in_query:
                query[contract.token_field] = token
            else:
                fields[contract.token_field] = token
        if hint is not None and contract.hint is not None:
            fields[contract.hint.field] = hint
        elif contract.hint is not None and contract.hint.required and token is not None:
            fields[contract.hint.field] = contract.hint.values[0]
        headers: dict[str, str] = {}
        if creds is not None:
            headers.update(credential_headers(contract, auth_method, creds))
            if auth_method.endswith("-body"):
                fields[contract.client_auth.id_field] = creds.client_id
                fields[contract.client_auth.secret_field] = creds.client_secret
        fields.update(extra or {})
        body = raw_body if raw_body is not None else encode_body(fields, media_type)
        if body is not None or raw_body is not None:
            headers["Content-Type"] = media_type
        # Without credentials the path still names this client (a bound path parameter).
        url = self.url_for(creds or self.credentials)
        return RevocationRequest(method=method or contract.method, url=url, headers=headers, body=body, query=query)

    def send(self, request: RevocationRequest) -> requests.Response:
        if self._send is not None:
            response: requests.Response = self._send(self.session, request, self.timeout)
            return response
        return self.session.request(
            request.method,
            request.url,
            params=request.query or None,
            headers=request.headers,
            data=request.body,
            timeout=self.timeout,
            allow_redirects=False,
        )

    def revoke(self, token: str | None, **changes: Any) -> tuple[RevocationRequest, requests.Response]:
        request = self.build(token, **changes)
        return request, self.send(request)


def _media_type_for(contract: Contract, auth_method: str) -> str:
    if auth_method == "json-body" and "application/json" in contract.media_types:
        return "application/json"
    if auth_method == "form-body" and "application/x-www-form-urlencoded" in contract.media_types:
        return "application/x-www-form-urlencoded"
    return contract.media_types[0]


def credential_headers(contract: Contract, auth_method: str, creds: Credentials) -> dict[str, str]:
    """Headers that carry credentials for header-based methods (Basic, vendor key headers)."""
    if auth_method == "basic":
        token = base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}
    if auth_method == "headers":
        auth = contract.client_auth
        return {
            auth.id_header or "X-Client-Id": creds.client_id,
            auth.secret_header or "X-Client-Secret": creds.client_secret,
        }
    return {}


def encode_body(fields: dict[str, Any], media_type: str) -> bytes | None:
    """Serialize body fields; forms are percent-encoded (RFC 6749 appendix B)."""
    if not fields:
        return None
    if media_type == "application/json":
        return json.dumps(fields).encode("utf-8")
    return urlencode(fields).encode("ascii")
