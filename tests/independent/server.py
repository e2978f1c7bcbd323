"""A clean-room token-revocation server for the five bundled contracts.

Written from ``CONTRACTS.md`` and the vendor seed documents only, on the standard library's
``http.server`` (the project's reference servers use Starlette + uvicorn). One
:class:`IndieServer` serves one contract on 127.0.0.1 and a free port, plus a small admin API
under :data:`ADMIN_PREFIX` used by ``token_command.py`` / ``probe_command.py``.

Where the contract allows several answers this server deliberately picks the less obvious one
(see the module-level ``CHOICES`` notes in each handler).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit

CLIENTS: dict[str, str] = {
    "indie-client-1": "s3cr3t-Indie-One-7c1f9e0a4b2d48e6a9f03b5c71d2e8aa",
    "indie-client-2": "s3cr3t-Indie-Two-0d9b5a77e2c34f1b86a4c0e3f95b1d2c",
}
CLIENT_1, CLIENT_2 = list(CLIENTS)

ADMIN_PREFIX = "/_indie/"
RFC7009_PATH = "/oauth2/revoke"
CONTRACT_NAMES = ("polar", "voucherify", "mollie", "auth0", "rfc7009")
MAX_BODY = 1 << 20
# The revocation parameters an empty value may be omitted from (the other reading).
_PARAMETER_NAMES = ("token", "access_token", "token_type_hint")

FORM = "application/x-www-form-urlencoded"
JSON_MT = "application/json"
# The readings a server may take where the project's rules allow several answers (IndieServer).
OWN, OTHER, FRAMEWORK = "own", "other", "framework"
READINGS = (OWN, OTHER, FRAMEWORK)


# --------------------------------------------------------------------------------------------
# Token store
# --------------------------------------------------------------------------------------------

REVOKED, UNKNOWN, FOREIGN = "revoked", "unknown", "foreign"


@dataclass
class _Token:
    value: str
    kind: str  # "access" | "refresh"
    client_id: str
    grant_id: str
    active: bool = True


@dataclass
class TokenStore:
    """Thread-safe grant/token bookkeeping."""

    break_revocation: bool = False  # negative control: revocation "succeeds" but changes nothing
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _tokens: dict[str, _Token] = field(default_factory=dict)
    _grants: dict[str, list[str]] = field(default_factory=dict)

    @staticmethod
    def _opaque(prefix: str) -> str:
        # Standard base64 (not url-safe) so tokens carry '+', '/' and often '=' padding.
        for _ in range(50):
            raw = base64.b64encode(os.urandom(secrets.choice((31, 32, 34, 35)))).decode()
            if "+" in raw or "/" in raw:
                return prefix + raw
        return prefix + "+/" + raw

    @staticmethod
    def _jwt_like(client_id: str) -> str:
        def seg(obj: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

        head = seg({"alg": "HS256", "typ": "JWT"})
        body = seg({"sub": client_id + "@clients", "jti": uuid.uuid4().hex})
        sig = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
        return f"{head}.{body}.{sig}"

    def mint(self, client_id: str, *, refresh: bool, jwt_access: bool = False, prefix: str = "") -> dict[str, str]:
        grant = uuid.uuid4().hex
        access = self._jwt_like(client_id) if jwt_access else self._opaque(prefix + "at_")
        out = {"access_token": access}
        with self._lock:
            self._tokens[access] = _Token(access, "access", client_id, grant)
            self._grants[grant] = [access]
            if refresh:
                ref = self._opaque(prefix + "rt_")
                self._tokens[ref] = _Token(ref, "refresh", client_id, grant)
                self._grants[grant].append(ref)
                out["refresh_token"] = ref
        return out

    def add_access(self, refresh_token: str, client_id: str, *, jwt_access: bool = False) -> str | None:
        """Issue another access token in the grant of a live refresh token (refresh grant)."""
        with self._lock:
            tok = self._tokens.get(refresh_token)
            if tok is None or not tok.active or tok.kind != "refresh" or tok.client_id != client_id:
                return None
            access = self._jwt_like(client_id) if jwt_access else self._opaque("at_")
            self._tokens[access] = _Token(access, "access", client_id, tok.grant_id)
            self._grants[tok.grant_id].append(access)
            return access

    def is_active(self, token: str) -> bool:
        with self._lock:
            tok = self._tokens.get(token)
            return bool(tok and tok.active)

    def lookup(self, token: str) -> _Token | None:
        with self._lock:
            return self._tokens.get(token)

    def revoke(
        self,
        token: str,
        client_id: str,
        *,
        cascade: Callable[[_Token, _Token], bool],
        kinds: tuple[str, ...] = ("access", "refresh"),
    ) -> str:
        """Revoke ``token`` for ``client_id``.

        ``cascade(revoked, other)`` says whether ``other`` (same grant) dies with ``revoked``.
        Returns REVOKED, UNKNOWN (not found, not revocable here, or already inactive) or FOREIGN.
        """
        with self._lock:
            tok = self._tokens.get(token)
            if tok is None or tok.kind not in kinds:
                return UNKNOWN
            if tok.client_id != client_id:
                return FOREIGN
            if not tok.active:
                return UNKNOWN
            if self.break_revocation:
                return REVOKED
            tok.active = False
            for other_value in self._grants[tok.grant_id]:
                other = self._tokens[other_value]
                if other is not tok and cascade(tok, other):
                    other.active = False
            return REVOKED


def whole_grant(_revoked: _Token, _other: _Token) -> bool:
    return True


def refresh_to_access(revoked: _Token, other: _Token) -> bool:
    return revoked.kind == "refresh" and other.kind == "access"


def no_cascade(_revoked: _Token, _other: _Token) -> bool:
    return False


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


MALFORMED = ("", "")  # Basic credentials that could not be decoded; "" is never a client id


class BadFraming(Exception):
    """The request body could not be read (bad Content-Length / chunking / too large)."""


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: Message
    body: bytes

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)

    @property
    def media_type(self) -> str | None:
        raw = self.header("Content-Type")
        if raw is None:
            return None
        return raw.split(";", 1)[0].strip().lower()

    def form(self) -> list[tuple[str, str]]:
        text = self.body.decode("utf-8", errors="replace")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")

    def json(self) -> Any:
        """Parsed JSON body; raises ValueError when it is not valid JSON."""
        return json.loads(self.body.decode("utf-8"))

    def basic(self) -> tuple[str, str] | None:
        """``None`` when no Basic credentials were sent, else (client_id, secret).

        Malformed Basic credentials come back as ``("", "")``, which never authenticate.
        """
        raw = self.header("Authorization")
        if raw is None:
            return None
        scheme, _, param = raw.strip().partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(param.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return MALFORMED
        if ":" not in decoded:
            return MALFORMED
        cid, _, secret = decoded.partition(":")
        # RFC 6749 2.3.1: both parts are form-urlencoded before Basic encoding.
        return unquote_plus(cid), unquote_plus(secret)

    def body_is_empty_untyped(self) -> bool:
        return self.media_type is None and not self.body


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def json_response(
    status: int, obj: Any, headers: dict[str, str] | None = None, content_type: str = JSON_MT
) -> Response:
    return Response(status, json.dumps(obj).encode(), content_type, dict(headers or {}))


def oauth_error(
    status: int, error: str, description: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    body: dict[str, str] = {"error": error}
    if description:
        body["error_description"] = description
    return json_response(status, body, headers)


def authenticate(client_id: Any, secret: Any) -> bool:
    if not isinstance(client_id, str) or not isinstance(secret, str):
        return False
    expected = CLIENTS.get(client_id)
    if expected is None:
        # Still spend a comparison so unknown ids and bad secrets look alike.
        hmac.compare_digest(secret.encode("utf-8", "replace"), b"x" * 48)
        return False
    return hmac.compare_digest(secret.encode("utf-8", "replace"), expected.encode())


def first(pairs: list[tuple[str, str]], name: str) -> str | None:
    for key, value in pairs:
        if key == name:
            return value
    return None


# --------------------------------------------------------------------------------------------
# Contract handlers
# --------------------------------------------------------------------------------------------


class Contract:
    name: str
    path: str
    method: str
    refresh_tokens = True
    jwt_access = False

    def __init__(self, store: TokenStore) -> None:
        self.store = store

    def routes(self) -> dict[str, Callable[[Request], Response]]:
        return {self.path: self.revoke_endpoint}

    def revoke_endpoint(self, req: Request) -> Response:
        if req.method != self.method:
            return self.wrong_method(req)
        return self.revoke(req)

    def wrong_method(self, req: Request) -> Response:
        resp = oauth_error(405, "invalid_request", "method not allowed")
        resp.headers["Allow"] = self.method
        return resp

    def revoke(self, req: Request) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def not_found(self, req: Request) -> Response:
        return oauth_error(404, "not_found", "no such resource")

    def unreadable(self) -> Response:
        """The body could not be read (bad Content-Length, chunking, or too large)."""
        return oauth_error(400, "invalid_request", "unreadable request body")

    def mint(self, client_id: str) -> dict[str, str]:
        return self.store.mint(
            client_id, refresh=self.refresh_tokens, jwt_access=self.jwt_access, prefix=self.name[:3] + "_"
        )


class Polar(Contract):
    """POST /v1/oauth2/revoke, form body, body credentials or HTTP Basic."""

    name, path, method = "polar", "/v1/oauth2/revoke", "POST"
    HINTS = ("access_token", "refresh_token")

    def routes(self) -> dict[str, Callable[[Request], Response]]:
        return {self.path: self.revoke_endpoint, "/v1/oauth2/introspect": self.introspect}

    def _client(self, req: Request, pairs: list[tuple[str, str]]) -> str | Response:
        basic = req.basic()
        if basic is not None:
            if not authenticate(*basic):
                return oauth_error(
                    401, "invalid_client", "client authentication failed", {"WWW-Authenticate": 'Basic realm="polar"'}
                )
            return basic[0]
        cid, secret = first(pairs, "client_id"), first(pairs, "client_secret")
        if not authenticate(cid, secret):
            # CHOICE: bad or missing body credentials answer 400 invalid_client (CONTRACTS.md: "400
            # is also allowed when the credentials came in the body"); no WWW-Authenticate, since
            # Basic was not used.
            return oauth_error(400, "invalid_client", "client authentication failed")
        assert cid is not None
        return cid

    def _form(self, req: Request) -> list[tuple[str, str]] | Response:
        if req.media_type == FORM or req.body_is_empty_untyped():
            return req.form()
        return oauth_error(400, "invalid_request", "body must be application/x-www-form-urlencoded")

    def revoke(self, req: Request) -> Response:
        basic = req.basic()
        if basic is not None:
            client = self._client(req, [])
            if isinstance(client, Response):
                return client
            pairs = self._form(req)
            if isinstance(pairs, Response):
                return pairs
        else:
            pairs = self._form(req)
            if isinstance(pairs, Response):
                return pairs
            client = self._client(req, pairs)
            if isinstance(client, Response):
                return client
        token = first(pairs, "token")
        if token is None:
            return oauth_error(400, "invalid_request", "the token parameter is required")
        hint = first(pairs, "token_type_hint")
        if hint is not None and hint not in self.HINTS:
            return oauth_error(400, "unsupported_token_type", "token_type_hint is not supported")
        # CHOICE: one row holds both tokens; revoking either kills the whole grant.
        result = self.store.revoke(token, client, cascade=whole_grant)
        if result == FOREIGN:
            # CHOICE: a documented 4xx (RFC 6749 5.2 invalid_grant: "issued to another client").
            return oauth_error(400, "invalid_grant", "the token was not issued to this client")
        return json_response(200, {})

    def introspect(self, req: Request) -> Response:
        if req.method != "POST":
            return self.wrong_method(req)
        pairs = self._form(req)
        if isinstance(pairs, Response):
            return pairs
        client = self._client(req, pairs)
        if isinstance(client, Response):
            return client
        tok = self.store.lookup(first(pairs, "token") or "")
        active = bool(tok and tok.active and tok.client_id == client)
        return json_response(200, {"active": active})


class Voucherify(Contract):
    """POST /v1/oauth/token/revoke, application keys in X-App-Id / X-App-Token."""

    name, path, method = "voucherify", "/v1/oauth/token/revoke", "POST"
    refresh_tokens = False

    def routes(self) -> dict[str, Callable[[Request], Response]]:
        return {
            self.path: self.revoke_endpoint,
            "/v1/oauth/token": self.token,
            "/v1/oauth/introspect": self.introspect,
        }

    @staticmethod
    def error(
        status: int, key: str, message: str, details: str | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        body: dict[str, Any] = {"code": status, "key": key, "message": message}
        if details:
            body["details"] = details
        body["request_id"] = "v-" + uuid.uuid4().hex[:20]
        return json_response(status, body, headers)

    def wrong_method(self, req: Request) -> Response:
        return self.error(405, "method_not_allowed", "Method not allowed", headers={"Allow": "POST"})

    def not_found(self, req: Request) -> Response:
        return self.error(404, "not_found", "Resource not found", "Cannot find the requested resource")

    def unreadable(self) -> Response:
        return self.error(400, "invalid_payload", "Invalid payload", "The request body could not be read")

    def _app(self, req: Request) -> str | Response:
        app_id, app_token = req.header("X-App-Id"), req.header("X-App-Token")
        if not authenticate(app_id, app_token):
            return self.error(401, "unauthorized", "Unauthorized", "Invalid application keys")
        assert app_id is not None
        return app_id

    def _form(self, req: Request) -> list[tuple[str, str]] | Response:
        if req.media_type == FORM or req.body_is_empty_untyped():
            return req.form()
        # CHOICE: 400 rather than the catalogue's 415.
        return self.error(
            400, "invalid_content_type", "Invalid content type", "Send the request as application/x-www-form-urlencoded"
        )

    def revoke(self, req: Request) -> Response:
        app = self._app(req)
        if isinstance(app, Response):
            return app
        pairs = self._form(req)
        if isinstance(pairs, Response):
            return pairs
        token = first(pairs, "access_token")
        if token is None:
            return self.error(400, "missing_param", "Missing parameter", "access_token is required")
        # CHOICE: an empty access_token is a present-but-unknown token -> 404.
        result = self.store.revoke(token, app, cascade=no_cascade, kinds=("access",))
        if result == REVOKED:
            return Response(204)
        # CHOICE: a Voucherify error body rather than an empty 404.
        return self.error(404, "not_found", "Resource not found", "Cannot find an active OAuth token")

    def token(self, req: Request) -> Response:
        if req.method != "POST":
            return self.wrong_method(req)
        app = self._app(req)
        if isinstance(app, Response):
            return app
        pairs = self._form(req)
        if isinstance(pairs, Response):
            return pairs
        if first(pairs, "grant_type") != "client_credentials":
            return self.error(400, "invalid_grant_type", "Invalid grant type")
        minted = self.mint(app)
        return json_response(
            200, {"access_token": minted["access_token"], "token_type": "bearer", "expires_in": 900, "scope": ""}
        )

    def introspect(self, req: Request) -> Response:
        if req.method != "POST":
            return self.wrong_method(req)
        app = self._app(req)
        if isinstance(app, Response):
            return app
        pairs = self._form(req)
        if isinstance(pairs, Response):
            return pairs
        value = first(pairs, "token") or first(pairs, "access_token") or ""
        tok = self.store.lookup(value)
        return json_response(200, {"active": bool(tok and tok.active and tok.client_id == app)})


class Mollie(Contract):
    """DELETE /oauth2/tokens, HTTP Basic, JSON or form body with token + token_type_hint."""

    name, path, method = "mollie", "/oauth2/tokens", "DELETE"
    HINTS = ("access_token", "refresh_token")
    # CHOICE: an empty token counts as a missing field (422). CONTRACTS.md leaves this open for
    # Mollie (it pins "empty token: 200" for Polar only).
    EMPTY_TOKEN_IS_MISSING = True
    CHALLENGE: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Basic realm="Mollie Connect"'}

    def revoke(self, req: Request) -> Response:
        basic = req.basic()
        if basic is None or not authenticate(*basic):
            return oauth_error(401, "invalid_client", "client authentication failed", dict(self.CHALLENGE))
        client = basic[0]
        media = req.media_type
        fields: dict[str, Any]
        if media == JSON_MT:
            try:
                parsed = req.json()
            except ValueError:
                return oauth_error(400, "invalid_request", "the body is not valid JSON")
            if not isinstance(parsed, dict):
                return oauth_error(422, "invalid_request", "the body must be a JSON object")
            fields = parsed
        elif media == FORM or req.body_is_empty_untyped():
            fields = dict(reversed(req.form()))  # first occurrence wins
        else:
            return oauth_error(400, "invalid_request", "unsupported content type")
        token, hint = fields.get("token"), fields.get("token_type_hint")
        # CHOICE: a missing, empty or non-string field is 422; a hint outside the enum is 400.
        if not isinstance(token, str) or (self.EMPTY_TOKEN_IS_MISSING and not token) or not isinstance(hint, str):
            return oauth_error(422, "invalid_request", "token and token_type_hint are required")
        if hint not in self.HINTS:
            return oauth_error(400, "unsupported_token_type", "token_type_hint must be access_token or refresh_token")
        # Refresh -> every access token of the grant (documented); access -> nothing else.
        result = self.store.revoke(token, client, cascade=refresh_to_access)
        if result == FOREIGN:
            return oauth_error(400, "invalid_grant", "the token was not issued to this client")
        return Response(204)


class Auth0(Contract):
    """POST /oauth/revoke, JSON or form body with client_id, client_secret, token."""

    name, path, method = "auth0", "/oauth/revoke", "POST"
    jwt_access = True

    def routes(self) -> dict[str, Callable[[Request], Response]]:
        return {self.path: self.revoke_endpoint, "/oauth/token": self.token}

    def _fields(self, req: Request) -> dict[str, Any] | Response:
        media = req.media_type
        if media == JSON_MT:
            try:
                parsed = req.json()
            except ValueError:
                return oauth_error(400, "invalid_request", "Invalid JSON body")
            if not isinstance(parsed, dict):
                return oauth_error(400, "invalid_request", "The body must be a JSON object")
            return parsed
        if media == FORM or req.body_is_empty_untyped():
            return dict(reversed(req.form()))
        return oauth_error(400, "invalid_request", "Unsupported content type")

    def _client(self, fields: dict[str, Any]) -> str | Response:
        cid, secret = fields.get("client_id"), fields.get("client_secret")
        if not isinstance(cid, str) or not cid:
            # CHOICE: a missing client_id answers 401 (400 also allowed).
            return oauth_error(401, "invalid_client", "Missing or invalid client_id")
        if not authenticate(cid, secret):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        return cid

    def revoke(self, req: Request) -> Response:
        fields = self._fields(req)
        if isinstance(fields, Response):
            return fields
        client = self._client(fields)
        if isinstance(client, Response):
            return client
        token = fields.get("token")
        if token is None:
            return oauth_error(400, "invalid_request", "Missing required parameter: token")
        if not isinstance(token, str):
            return oauth_error(400, "invalid_request", "Invalid parameter: token must be a string")
        # Only refresh tokens are revocable; access tokens are JWTs living until they expire.
        # Unknown and foreign tokens answer the same 200.
        self.store.revoke(token, client, cascade=no_cascade, kinds=("refresh",))
        # CHOICE: a short text body instead of an empty one.
        return Response(200, b"OK", "text/plain; charset=utf-8")

    def token(self, req: Request) -> Response:
        if req.method != "POST":
            return self.wrong_method(req)
        fields = self._fields(req)
        if isinstance(fields, Response):
            return fields
        client = self._client(fields)
        if isinstance(client, Response):
            return client
        if fields.get("grant_type") != "refresh_token":
            return oauth_error(400, "unsupported_grant_type", "Only refresh_token is supported here")
        refresh = fields.get("refresh_token")
        if not isinstance(refresh, str):
            return oauth_error(400, "invalid_request", "Missing required parameter: refresh_token")
        access = self.store.add_access(refresh, client, jwt_access=True)
        if access is None:
            return oauth_error(403, "invalid_grant", "Unknown or invalid refresh token.")
        return json_response(200, {"access_token": access, "token_type": "Bearer", "expires_in": 86400})


class Rfc7009(Contract):
    """POST {path} (default here: /oauth2/revoke), RFC 7009."""

    name, path, method = "rfc7009", RFC7009_PATH, "POST"
    HINTS = ("access_token", "refresh_token")
    PARAMS = ("token", "token_type_hint", "client_id", "client_secret")
    CHALLENGE: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Basic realm="indie", charset="UTF-8"'}
    # CHOICE: RFC 6749 3.2 "Parameters sent without a value MUST be treated as if they were omitted
    # from the request" (oauthlib's revocation endpoint likewise refuses an empty token): an empty
    # token is a missing token -> 400 invalid_request.
    EMPTY_PARAMS_ARE_OMITTED = True
    # CHOICE: RFC 6749 2.3 "The client MUST NOT use more than one authentication method in each
    # request"; 5.2 makes "includes multiple credentials" an invalid_request.
    REJECT_MULTIPLE_AUTH_METHODS = True
    # CHOICE: reject an unknown token_type_hint with 400 unsupported_token_type (CONTRACTS.md:
    # "an unknown value is ignored, or rejected with 400 unsupported_token_type").
    REJECT_UNKNOWN_HINTS = True
    # The framework reading: RFC 7009 2.2 "the client submitted an invalid token": an absent token
    # is read as an invalid one and answered 200 (a warning, PIN-missing-token-as-invalid).
    MISSING_TOKEN_IS_INVALID = False

    def wrong_method(self, req: Request) -> Response:
        # CHOICE: 400 (as oauthlib does) rather than 405.
        return oauth_error(400, "invalid_request", "only POST is supported")

    def revoke(self, req: Request) -> Response:
        basic = req.basic()
        if basic is not None and not authenticate(*basic):
            return oauth_error(401, "invalid_client", "client authentication failed", dict(self.CHALLENGE))
        if not (req.media_type == FORM or req.body_is_empty_untyped()):
            return oauth_error(400, "invalid_request", "body must be application/x-www-form-urlencoded")
        # Unknown extra fields are ignored entirely (CONTRACTS.md), repeated or not.
        pairs = [(k, v) for k, v in req.form() if k in self.PARAMS]
        names = [k for k, _ in pairs]
        if len(names) != len(set(names)):
            # RFC 6749 3.2 / 5.2: a parameter MUST NOT be repeated -> invalid_request.
            return oauth_error(400, "invalid_request", "a parameter is repeated")
        params = dict(pairs)
        if self.EMPTY_PARAMS_ARE_OMITTED:
            params = {k: v for k, v in params.items() if v != ""}
        if basic is not None:
            if self.REJECT_MULTIPLE_AUTH_METHODS and "client_secret" in params:
                # RFC 6749 2.3: a client MUST NOT use more than one authentication method.
                return oauth_error(400, "invalid_request", "more than one client authentication method")
            client = basic[0]
        else:
            cid, secret = params.get("client_id"), params.get("client_secret")
            if cid is None and secret is None:
                return oauth_error(401, "invalid_client", "client authentication required", dict(self.CHALLENGE))
            if not authenticate(cid, secret):
                # CHOICE: body credentials -> 400 invalid_client (401 also allowed).
                return oauth_error(400, "invalid_client", "client authentication failed")
            assert cid is not None
            client = cid
        token = params.get("token")
        if token is None:
            if self.MISSING_TOKEN_IS_INVALID:
                return Response(200, b"revocation processed\n", "text/plain; charset=utf-8")
            return oauth_error(400, "invalid_request", "the token parameter is required")
        hint = params.get("token_type_hint") or None
        if self.REJECT_UNKNOWN_HINTS and hint is not None and hint not in self.HINTS:
            return oauth_error(400, "unsupported_token_type", "token_type_hint is not supported")
        # CHOICE: refresh -> access (SHOULD) and access -> refresh (MAY): the whole grant dies.
        result = self.store.revoke(token, client, cascade=whole_grant)
        if result == FOREIGN:
            # CHOICE: RFC 7009 2.1 "the request is refused": 400 invalid_grant.
            return oauth_error(400, "invalid_grant", "the token was not issued to this client")
        # CHOICE: the body is ignored by clients; send a short plain-text note.
        return Response(200, b"revocation processed\n", "text/plain; charset=utf-8")


CONTRACTS: dict[str, type[Contract]] = {c.name: c for c in (Polar, Voucherify, Mollie, Auth0, Rfc7009)}


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "indie-revoke/1.0"
    sys_version = ""
    timeout = 15  # idle keep-alive connections do not pin handler threads forever
    server: _IndieHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        # Every method (PATCH, TRACE, PROPFIND, ...) is routed through one dispatcher instead of
        # the stdlib's 501 for unknown methods.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def _read_body(self) -> bytes:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks: list[bytes] = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError as exc:
                    raise BadFraming from exc
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if size < 0 or total > MAX_BODY:
                    raise BadFraming
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError as exc:
            raise BadFraming from exc
        if n < 0 or n > MAX_BODY:
            raise BadFraming
        data = self.rfile.read(n)
        if len(data) != n:
            raise BadFraming
        return data

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        try:
            body = self._read_body()
        except BadFraming:
            self.close_connection = True
            self._send(self.server.unreadable())
            return
        req = Request(self.command, split.path, split.query, self.headers, body)
        self._send(self.server.app(req))

    def _send(self, resp: Response) -> None:
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        if resp.status in (204, 304):
            self.end_headers()
            return
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)


class _IndieHTTPServer(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    app: Callable[[Request], Response]
    unreadable: Callable[[], Response]

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return  # the client went away; nothing to report
        super().handle_error(request, client_address)


class IndieServer:
    """One contract, one port. Use as a context manager or call start()/stop()."""

    def __init__(self, contract: str, *, break_revocation: bool = False, reading: str = OWN) -> None:
        if reading not in READINGS:
            raise ValueError(f"unknown reading {reading!r}; known: {', '.join(READINGS)}")
        self.reading = reading
        self.store = TokenStore(break_revocation=break_revocation)
        self.contract = CONTRACTS[contract](self.store)
        if reading == FRAMEWORK and isinstance(self.contract, Rfc7009):
            self.contract.MISSING_TOKEN_IS_INVALID = True
        self._routes = self.contract.routes()
        self._httpd = _IndieHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.app = self.app
        self._httpd.unreadable = self.contract.unreadable
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def admin_url(self) -> str:
        return self.base_url + ADMIN_PREFIX.rstrip("/")

    def app(self, req: Request) -> Response:
        if req.path.startswith(ADMIN_PREFIX):
            return self.admin(req)
        handler = self._routes.get(req.path)
        if handler is None:
            return self.contract.not_found(req)
        if self.reading == OTHER and req.path == self.contract.path:
            return self._other_reading(req, handler)
        if self.reading == FRAMEWORK and req.path == self.contract.path and req.method == self.contract.method:
            return self._framework_reading(req, handler)
        return handler(req)

    # Where the project's rules allow two answers, the other reading (``reading=OTHER``):
    # - another method is a routing miss, 404 (PIN-method-405 makes that a warning, not a failure);
    # - a body in an undocumented media type is read as a form anyway (lenient; PIN-media-type),
    #   except for Voucherify, whose document refuses it;
    # - an empty parameter is an omitted one (RFC 6749 3.2), except Polar's pinned empty token;
    # - a 401 to a request without an Authorization header carries no challenge (RFC9110-15.5.2).
    LENIENT_MEDIA_TYPES: ClassVar[tuple[str, ...]] = (FORM, JSON_MT)

    def _other_reading(self, req: Request, handler: Callable[[Request], Response]) -> Response:
        if req.method != self.contract.method:
            return self.contract.not_found(req)  # the contract's own 404 (Voucherify's error body)
        # Voucherify's own document refuses another media type (400/415): no second reading there.
        lenient = self.contract.name != "voucherify"
        if lenient and req.media_type is not None and req.media_type not in self.LENIENT_MEDIA_TYPES:
            req = self._with_body(req, req.body, FORM)
        if req.media_type == FORM:
            keep_empty_token = self.contract.name == "polar"  # Polar pins an empty token: 200 {}
            pairs = [
                (name, value)
                for name, value in req.form()
                if value != "" or (keep_empty_token and name == "token") or name not in _PARAMETER_NAMES
            ]
            req = self._with_body(req, urlencode(pairs).encode("ascii"), FORM)
        response = handler(req)
        if response.status == 401 and req.header("Authorization") is None:
            response.headers = {k: v for k, v in response.headers.items() if k.lower() != "www-authenticate"}
        return response

    # The framework reading (``reading=FRAMEWORK``): what a web framework in front of the OAuth code
    # does, each a reading the project's rules allow:
    # - query and body parameters are merged: a token only in the query string of the documented
    #   method revokes (a warning, PIN-query-token), except where the contract documents it;
    # - a form-only contract parses a JSON object body as well (a warning, PIN-media-type), except
    #   Voucherify, whose document refuses other media types;
    # - any other undocumented media type is refused by the framework with an HTML 400 page, before
    #   the OAuth layer: the status of such a refusal is judged, its body is not;
    # - RFC 7009 reads an absent token as an invalid one: 200 (a warning, PIN-missing-token-as-invalid).
    HTML_REFUSAL = b"<!doctype html><html><body><h1>400 Bad Request</h1><p>Unsupported media type.</p></body></html>"

    def _framework_reading(self, req: Request, handler: Callable[[Request], Response]) -> Response:
        contract = self.contract
        documented = (FORM, JSON_MT) if isinstance(contract, (Mollie, Auth0)) else (FORM,)
        media = req.media_type
        json_too = contract.name != "voucherify"
        if media is not None and media not in documented and not (json_too and media == JSON_MT):
            return Response(400, self.HTML_REFUSAL, "text/html; charset=utf-8")
        token_field = "access_token" if contract.name == "voucherify" else "token"
        from_query = first(parse_qsl(req.query, keep_blank_values=True), token_field)
        if media == JSON_MT:
            try:
                parsed = req.json()
            except ValueError:
                return handler(req)  # the contract's own refusal
            if not isinstance(parsed, dict):
                return handler(req)
            if from_query is not None:
                parsed.setdefault(token_field, from_query)
            if JSON_MT in documented:
                return handler(self._with_body(req, json.dumps(parsed).encode("utf-8"), JSON_MT))
            # Parsed JSON handed on as the form the OAuth layer reads: its string members.
            pairs = [(name, value) for name, value in parsed.items() if isinstance(value, str)]
            return handler(self._with_body(req, urlencode(pairs).encode("utf-8"), FORM))
        if from_query is not None and first(req.form(), token_field) is None:
            extra = urlencode([(token_field, from_query)]).encode("ascii")
            return handler(self._with_body(req, req.body + b"&" + extra if req.body else extra, FORM))
        return handler(req)

    @staticmethod
    def _with_body(req: Request, body: bytes, media_type: str) -> Request:
        headers = Message()
        for name, value in req.headers.items():
            if name.lower() not in ("content-type", "content-length"):
                headers[name] = value
        headers["Content-Type"] = media_type
        return Request(req.method, req.path, req.query, headers, body)

    def admin(self, req: Request) -> Response:
        if req.method != "POST":
            return json_response(405, {"error": "method_not_allowed"}, {"Allow": "POST"})
        try:
            payload = req.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return json_response(400, {"error": "expected a JSON object"})
        action = req.path[len(ADMIN_PREFIX) :]
        if action == "mint":
            client_id = payload.get("client_id")
            if client_id not in CLIENTS:
                return json_response(400, {"error": "unknown client_id"})
            return json_response(200, self.contract.mint(client_id))
        if action == "active":
            token = payload.get("token")
            if not isinstance(token, str):
                return json_response(400, {"error": "token must be a string"})
            return json_response(200, {"active": self.store.is_active(token)})
        return json_response(404, {"error": "no such admin action"})

    def start(self) -> IndieServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"indie-{self.contract.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> IndieServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:  # pragma: no cover - manual use
    import argparse
    import time

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("contract", choices=CONTRACT_NAMES)
    parser.add_argument("--break-revocation", action="store_true")
    args = parser.parse_args()
    with IndieServer(args.contract, break_revocation=args.break_revocation) as srv:
        print(json.dumps({"base_url": srv.base_url, "admin_url": srv.admin_url}), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover
    main()
