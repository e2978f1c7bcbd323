"""An OAuth face for a reference server: a token endpoint and RFC 7662 introspection.

Why: the built-in token supply mints at an OAuth token endpoint and probes by introspection,
and the reference servers only have their namespaced test-only endpoints, so without this the
built-in supply could run against Authlib (rfc7009) alone. ``bench/remote.py`` puts this app
in front of each contract's reference server, on the same store, so the built-in supply and
the command path run against the same five servers, through the same relay (issue 12); the
side-by-side tests (``test_side_by_side.py``) put it in front of servers with planted bugs.

- ``POST /bench-oauth/token`` (RFC 6749 section 3.2): any grant type the suite sends
  (``password`` in the benchmark, so a grant carries every token type the contract has); the
  client authenticates with HTTP Basic or in the body (section 2.3.1). Token values are
  escape-free, as the suite pins them against the embedded servers (``semantics/run.py``).
- ``POST /bench-oauth/introspect`` (RFC 7662 section 2): ``{"active": ...}`` for the client
  the token was issued to; any other client's token is inactive (section 2.1 allows that).

Not a server to test: no refusal here is judged by the suite, only the contract's endpoint is.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PREFIX = "/bench-oauth"
TOKEN_PATH, INTROSPECT_PATH = f"{PREFIX}/token", f"{PREFIX}/introspect"


async def _form(request: Request) -> dict[str, str]:
    """The form body (Starlette's ``request.form()`` needs python-multipart, not a dependency)."""
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))


def _client(request: Request, form: dict[str, str], store: Any) -> Any:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return store.authenticate(unquote_plus(client_id), unquote_plus(secret))
    return store.authenticate(form.get("client_id"), form.get("client_secret"))


def oauth_front(contract: Any, store: Any) -> Starlette:
    """The two endpoints over ``store`` (a ``TokenStore``) for ``contract``'s token types."""
    types = tuple(contract.tokens.types)

    async def token(request: Request) -> Response:
        form = await _form(request)
        client = _client(request, form, store)
        if client is None:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        values = {kind: f"rc-{secrets.token_urlsafe(18)}" for kind in types}
        grant = store.mint(client.client_id, types, values=values)
        return JSONResponse({**grant.tokens, "token_type": "Bearer", "expires_in": 3600})

    async def introspect(request: Request) -> Response:
        form = await _form(request)
        client = _client(request, form, store)
        if client is None:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        found = store.find(form.get("token", ""))
        active = bool(found) and found[0].client_id == client.client_id and store.is_active(form["token"])
        return JSONResponse({"active": active})

    return Starlette(
        routes=[Route(TOKEN_PATH, token, methods=["POST"]), Route(INTROSPECT_PATH, introspect, methods=["POST"])]
    )


def with_oauth_front(contract: Any) -> Any:
    """A ``ReferenceServer`` ``front``: the OAuth face on the server's store, the app behind it."""
    return lambda app, store: WithOAuthFront(app, oauth_front(contract, store))


class WithOAuthFront:
    """ASGI: requests under ``PREFIX`` go to the OAuth front, everything else to the reference app."""

    def __init__(self, app: Any, front: Starlette | None = None) -> None:
        self.app = app
        self.front = front  # set once the server (and so its store) exists

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.front is not None and scope["type"] == "http" and scope.get("path", "").startswith(PREFIX + "/"):
            await self.front(scope, receive, send)
        else:
            await self.app(scope, receive, send)
