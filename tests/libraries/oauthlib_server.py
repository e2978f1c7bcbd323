"""A token-revocation endpoint built on oauthlib, served by a real WSGI server on loopback.

Why: the suite is proven against servers this project wrote; a real OAuth library shows
whether it judges fairly what others wrote. Everything RFC 7009 asks of the endpoint is
oauthlib's ``RevocationEndpoint`` (method, query string, missing token, client
authentication, hints, the status codes and error bodies); this file only adds what oauthlib
leaves to its user, the way an application using it would:

- a minimal ``RequestValidator``: two registered clients, authenticated by HTTP Basic
  (``client_secret_basic``, percent-decoded as RFC 6749 section 2.3.1 says) or by
  ``client_id``/``client_secret`` in the form body, and a token store to revoke from;
- a WSGI app that hands oauthlib the URI, method, body (decoded as UTF-8 with replacement,
  as werkzeug's ``get_data(as_text=True)`` does) and headers, and returns its answer as is;
- werkzeug's threaded development server on 127.0.0.1, port chosen by the kernel.

Run as a script it prints ``PORT <n>`` once listening and exits after ``--lifetime`` seconds
at the latest, so a test that loses track of it cannot leave it running; the test stops it
by its pid (``tests/libraries/test_oauthlib.py``).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import sys
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote
from wsgiref.util import request_uri

from oauthlib.oauth2 import RequestValidator, RevocationEndpoint
from werkzeug.serving import make_server

REVOKE_PATH = "/revoke"
CLIENTS = {"oauthlib-client-a": "oauthlib-secret-a-5c1e", "oauthlib-client-b": "oauthlib-secret-b-77d0"}
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 503: "Service Unavailable"}


class MinimalValidator(RequestValidator):  # type: ignore[misc]
    """The parts of ``RequestValidator`` the revocation endpoint calls, and nothing more."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}  # token -> client id
        self.lock = threading.Lock()

    def client_authentication_required(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        return True  # confidential clients only (RFC 7009 section 2.1)

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        client_id, secret = _basic_credentials(request.headers.get("Authorization", ""))
        if client_id is None:
            client_id, secret = request.client_id, request.client_secret
        if client_id is None or CLIENTS.get(client_id) != secret:
            return False
        request.client_id = client_id
        return True

    def authenticate_client_id(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        return False  # no public clients

    def revoke_token(self, token: str, token_type_hint: str | None, request: Any, *args: Any, **kwargs: Any) -> None:
        with self.lock:
            if self.tokens.get(token) == request.client_id:
                del self.tokens[token]


def _basic_credentials(header: str) -> tuple[str | None, str | None]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, colon, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if colon else (None, None)


def build_app(endpoint: RevocationEndpoint) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != REVOKE_PATH:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else ""
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items() if key[:5] == "HTTP_"}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        answer_headers, answer_body, status = endpoint.create_revocation_response(
            request_uri(environ), http_method=environ["REQUEST_METHOD"], body=body, headers=headers
        )
        start_response(f"{status} {REASONS.get(status, 'Status')}", list(answer_headers.items()))
        return [answer_body.encode("utf-8")] if answer_body else []

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifetime", type=float, default=600.0, help="exit after this many seconds at the latest")
    args = parser.parse_args(argv)
    endpoint = RevocationEndpoint(MinimalValidator())
    server = make_server("127.0.0.1", 0, build_app(endpoint), threaded=True)
    timer = threading.Timer(args.lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    sys.stdout.write(f"PORT {server.server_port}\n")
    sys.stdout.flush()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
