"""A real third-party OAuth 2.0 authorization server on loopback: Authlib on Flask, served by werkzeug.

Why Authlib and not another embedded reference server: the built-in token supply (discovery,
minting, introspection) must be proven against code this project did not write, the way a user
meets it. Everything protocol-shaped here is Authlib's own: the token endpoint and its grants
(``authlib.oauth2.rfc6749.grants``), client authentication (``client_secret_basic`` and
``client_secret_post``), RFC 7009 revocation (``authlib.oauth2.rfc7009.RevocationEndpoint``),
RFC 7662 introspection (``authlib.oauth2.rfc7662.IntrospectionEndpoint``) and the RFC 8414
metadata document (``authlib.oauth2.rfc8414.AuthorizationServerMetadata``, validated). What
this module adds is only what Authlib leaves to the application: an in-memory store of two
confidential clients, one test user and the issued tokens.

Run as a program it binds 127.0.0.1 on a free port, prints ``listening <issuer URL>`` on one
line, serves for at most ``--lifetime`` seconds and exits; tests start it in a subprocess and
stop it by its pid (``AuthlibServer``). Options:

- ``--rotate-refresh``: the refresh grant issues a new refresh token and revokes the old one;
- ``--introspect-access-only``: introspection only knows access tokens (a refresh token is
  ``{"active": false}``), as some servers do;
- ``--no-metadata``: no ``/.well-known`` documents (for ``--token-endpoint`` and friends).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLIENTS = {
    # client id: (secret, token endpoint auth method)
    "authlib-client-a": ("authlib-secret-a-7Hq2", "client_secret_basic"),
    "authlib-client-b": ("authlib-secret-b-9Xw4", "client_secret_post"),
}
USER = ("alice", "alice-password-3Kp8")
SCOPES = ("read", "offline_access")
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
DEFAULT_LIFETIME = 300.0


@dataclass
class Client:
    """A confidential client (Authlib's ``ClientMixin`` contract, in memory)."""

    client_id: str
    client_secret: str
    auth_method: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        return " ".join(part for part in scope.split() if part in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # Both methods at every endpoint: the metadata advertises both (RFC 8414 section 2).
        return method in AUTH_METHODS

    def check_token_endpoint_auth_method(self, method: str) -> bool:  # Authlib < 1.3
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("client_credentials", "password", "refresh_token")


@dataclass
class User:
    name: str

    def get_user_id(self) -> str:
        return self.name


@dataclass
class Token:
    """One grant's tokens (Authlib's ``TokenMixin`` contract): an access token, maybe a refresh token."""

    client_id: str
    user: str | None
    scope: str
    access_token: str
    refresh_token: str | None
    expires_in: int
    issued_at: float = field(default_factory=time.time)
    access_revoked: bool = False
    refresh_revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.access_revoked

    def get_client_id(self) -> str:
        return self.client_id


@dataclass
class Issued:
    """One token of a grant, as introspection sees it (RFC 7662 section 2.2: ``active``)."""

    record: Token
    kind: str

    def is_expired(self) -> bool:
        return self.kind == "access_token" and self.record.is_expired()

    def is_revoked(self) -> bool:
        return self.record.refresh_revoked if self.kind == "refresh_token" else self.record.access_revoked


class Store:
    """Clients, the user and issued tokens; one lock, werkzeug serves in threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clients = {cid: Client(cid, secret, method) for cid, (secret, method) in CLIENTS.items()}
        self.by_access: dict[str, Token] = {}
        self.by_refresh: dict[str, Token] = {}

    def save(self, token: dict[str, Any], request: Any) -> None:
        user = getattr(request, "user", None)
        record = Token(
            client_id=request.client.get_client_id(),
            user=user.get_user_id() if user is not None else None,
            scope=token.get("scope", ""),
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token"),
            expires_in=int(token.get("expires_in", 3600)),
        )
        with self.lock:
            self.by_access[record.access_token] = record
            if record.refresh_token:
                self.by_refresh[record.refresh_token] = record

    def find(self, value: str, hint: str | None) -> tuple[Token, str] | None:
        """The grant holding ``value`` and which of its tokens it is, whatever the hint says.

        RFC 7009 section 2.1: "If the server is unable to locate the token using the given
        hint, it MUST extend its search across all of its supported token types."
        """
        with self.lock:
            order = ("refresh_token", "access_token") if hint == "refresh_token" else ("access_token", "refresh_token")
            for kind in order:
                record = (self.by_access if kind == "access_token" else self.by_refresh).get(value)
                if record is not None:
                    return record, kind
        return None


def create_app(options: argparse.Namespace) -> Any:
    """The Flask application: Authlib's authorization server and its endpoints, on a store."""
    from authlib.integrations.flask_oauth2 import AuthorizationServer
    from authlib.oauth2.rfc6749 import grants
    from authlib.oauth2.rfc7009 import RevocationEndpoint
    from authlib.oauth2.rfc7662 import IntrospectionEndpoint
    from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
    from flask import Flask, jsonify, request

    store = Store()
    app = Flask("authlib_server")
    app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
    server = AuthorizationServer(app, query_client=store.clients.get, save_token=store.save)

    class ClientCredentialsGrant(grants.ClientCredentialsGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    class PasswordGrant(grants.ResourceOwnerPasswordCredentialsGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

        def authenticate_user(self, username: str, password: str) -> User | None:
            return User(username) if (username, password) == USER else None

    class RefreshTokenGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
        INCLUDE_NEW_REFRESH_TOKEN = options.rotate_refresh

        def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
            found = store.find(refresh_token, "refresh_token")
            if found is None or found[1] != "refresh_token":
                return None
            record = found[0]
            return None if record.refresh_revoked else record

        def authenticate_user(self, credential: Token) -> User | None:
            return User(credential.user) if credential.user else None

        def revoke_old_credential(self, credential: Token) -> None:
            if options.rotate_refresh:
                credential.refresh_revoked = True
                credential.access_revoked = True

    class Revocation(RevocationEndpoint):
        CLIENT_AUTH_METHODS = AUTH_METHODS

        def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
            found = store.find(token_string, token_type_hint)
            return found[0] if found else None

        def revoke_token(self, token: Token, request: Any) -> None:
            # A refresh token takes its grant's access token with it (RFC 7009 section 2.1, SHOULD).
            found = store.find(request.form.get("token", ""), None)
            token.access_revoked = True
            if found is not None and found[1] == "refresh_token":
                token.refresh_revoked = True

    class Introspection(IntrospectionEndpoint):
        CLIENT_AUTH_METHODS = AUTH_METHODS

        def query_token(self, token_string: str, token_type_hint: str | None) -> Issued | None:
            found = store.find(token_string, token_type_hint)
            if found is None:
                return None
            if found[1] == "refresh_token" and options.introspect_access_only:
                return None
            return Issued(*found)

        def check_permission(self, token: Issued, client: Client, request: Any) -> bool:
            # Only the client the token was issued to may introspect it.
            return token.record.check_client(client)

        def introspect_token(self, token: Issued) -> dict[str, Any]:
            record = token.record
            return {
                "active": True,
                "client_id": record.client_id,
                "token_type": "Bearer" if token.kind == "access_token" else "refresh_token",
                "scope": record.scope,
                "username": record.user,
                "exp": int(record.issued_at + record.expires_in),
                "iat": int(record.issued_at),
            }

    server.register_grant(ClientCredentialsGrant)
    server.register_grant(PasswordGrant)
    server.register_grant(RefreshTokenGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)

    @app.post("/oauth/token")
    def issue_token() -> Any:
        return server.create_token_response()

    @app.post("/oauth/revoke")
    def revoke() -> Any:
        return server.create_endpoint_response(Revocation.ENDPOINT_NAME)

    @app.post("/oauth/introspect")
    def introspect() -> Any:
        return server.create_endpoint_response(Introspection.ENDPOINT_NAME)

    @app.get("/api/me")
    def me() -> Any:
        """A protected resource: 200 for a live access token, 401 otherwise (RFC 6750 section 3.1)."""
        header = request.headers.get("Authorization", "")
        found = store.find(header.removeprefix("Bearer "), "access_token") if header.startswith("Bearer ") else None
        if found is None or found[1] != "access_token" or found[0].access_revoked or found[0].is_expired():
            return jsonify(error="invalid_token"), 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        return jsonify(client_id=found[0].client_id, user=found[0].user)

    if not options.no_metadata:

        def metadata() -> Any:
            issuer = request.host_url.rstrip("/")
            document = AuthorizationServerMetadata(
                {
                    "issuer": issuer,
                    "token_endpoint": f"{issuer}/oauth/token",
                    "revocation_endpoint": f"{issuer}/oauth/revoke",
                    "introspection_endpoint": f"{issuer}/oauth/introspect",
                    "grant_types_supported": ["client_credentials", "password", "refresh_token"],
                    # REQUIRED by RFC 8414 section 2; there is no authorization endpoint, so "none".
                    "response_types_supported": ["none"],
                    "scopes_supported": list(SCOPES),
                    "token_endpoint_auth_methods_supported": AUTH_METHODS,
                    "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
                    "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
                }
            )
            document.validate()
            return jsonify(dict(document))

        app.add_url_rule("/.well-known/oauth-authorization-server", "metadata", metadata)

    return app


def serve(argv: list[str] | None = None) -> None:
    """Bind 127.0.0.1 on a free port, print the issuer URL, serve until the lifetime ends."""
    from werkzeug.serving import make_server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifetime", type=float, default=DEFAULT_LIFETIME)
    parser.add_argument("--rotate-refresh", action="store_true")
    parser.add_argument("--introspect-access-only", action="store_true")
    parser.add_argument("--no-metadata", action="store_true")
    options = parser.parse_args(argv)
    httpd = make_server("127.0.0.1", 0, create_app(options), threaded=True)
    timer = threading.Timer(options.lifetime, httpd.shutdown)
    timer.daemon = True
    timer.start()
    print(f"listening http://127.0.0.1:{httpd.server_port}", flush=True)
    httpd.serve_forever()


class AuthlibServer:
    """The server above in a subprocess: started, its URL read, stopped by its own pid."""

    def __init__(self, *flags: str, lifetime: float = DEFAULT_LIFETIME) -> None:
        self.flags = flags
        self.lifetime = lifetime
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self, timeout: float = 30.0) -> AuthlibServer:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--lifetime", str(self.lifetime), *self.flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        deadline = time.monotonic() + timeout
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("listening ") or time.monotonic() > deadline:
            self.stop()
            raise RuntimeError(f"the Authlib server did not start (printed {line!r})")
        self.url = line.split()[1]
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    def __enter__(self) -> AuthlibServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    serve()
