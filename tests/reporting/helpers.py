"""What the reporting tests share: running the suite, a Polar emulator, an HTML validator.

The emulator stands for the real Polar server: a faithful reference server behind a small
proxy that answers the way CONTRACTS.md says the real server deviates, so the bundled
baseline is exercised against the behaviour it describes, not against a planted bug that
merely fails the same test.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACT_SUITE = REPO_ROOT / "tests" / "contract"
POLAR_HINTS = ("access_token", "refresh_token")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}


def run_suite(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The contract suite in a fresh interpreter, the way a user runs it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("REVOKE_", "PYTEST_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class PolarAsDeployed:
    """A proxy in front of a faithful polar reference server that shows the real server's deviations.

    CONTRACTS.md (polar, known deviations [obs]): a hint outside the enum answers 401; an
    unknown client in the body answers 400. Everything else is forwarded unchanged.
    """

    def __init__(self, upstream: str, known_clients: tuple[str, ...]) -> None:
        target = urlsplit(upstream)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                deviation = proxy.deviation(self.command, self.path, self.headers.get("Content-Type", ""), body)
                if deviation is not None:
                    self._answer(*deviation)
                    return
                connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=10)
                headers = {name: value for name, value in self.headers.items() if name.lower() != "connection"}
                connection.request(self.command, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                data = response.read()
                relayed = [(name, value) for name, value in response.getheaders() if name.lower() not in HOP_BY_HOP]
                connection.close()
                self._answer(response.status, relayed, data)

            def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

        self.known_clients = known_clients
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def deviation(
        self, method: str, path: str, media_type: str, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes] | None:
        if method != "POST" or urlsplit(path).path != "/v1/oauth2/revoke" or "x-www-form-urlencoded" not in media_type:
            return None
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        hint = form.get("token_type_hint")
        if hint is not None and hint not in POLAR_HINTS:
            error = {"error": "invalid_client", "error_description": "Client authentication failed."}
            challenge = [("WWW-Authenticate", 'Basic realm="polar"')]
            return 401, [("Content-Type", "application/json"), *challenge], json.dumps(error).encode()
        client_id = form.get("client_id")
        if client_id is not None and client_id not in self.known_clients:
            error = {"error": "invalid_client", "error_description": "Client authentication failed."}
            return 400, [("Content-Type", "application/json")], json.dumps(error).encode()
        return None

    def start(self) -> PolarAsDeployed:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# The only links out of the page a reader may follow (never loaded): a clause's RFC section at
# rfc-editor.org and its heading in the rule documentation (docs/contracts.md, relative).
OUTBOUND = re.compile(
    r"^(https://www\.rfc-editor\.org/rfc/rfc\d+#(section|appendix)-[\w.]+|[\w./-]*docs/contracts\.md#[\w-]+)$"
)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.fragment_links: list[str] = []
        self.text: list[str] = []
        self.in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "action", "srcset"):
            value = values.get(name) or ""
            if value and not value.startswith("#") and not (tag == "a" and name == "href" and OUTBOUND.match(value)):
                self.problems.append(f"<{tag} {name}={value!r}> loads or links an external resource")
        if tag in ("link", "iframe", "object", "embed", "img"):
            self.problems.append(f"<{tag}> has no place in a self-contained report")
        if tag in ("script", "style"):
            self.in_code = True  # its text is no part of what a reader sees
        if values.get("id"):
            self.ids.append(values["id"] or "")
        if tag == "a" and (values.get("href") or "").startswith("#"):
            self.fragment_links.append((values["href"] or "")[1:])
        if any(name.startswith("on") for name in values):
            self.problems.append(f"<{tag}> carries an event handler")
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.in_code = False
        if tag in VOID_ELEMENTS:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.in_code:
            self.text.append(data)


def html_problems(document: str) -> list[str]:
    """Well-formedness and self-containment problems of an HTML page (empty list: none)."""
    checker = _Checker()
    checker.feed(document)
    checker.close()
    problems = list(checker.problems)
    if not document.lstrip().lower().startswith("<!doctype html>"):
        problems.append("no <!DOCTYPE html>")
    if checker.stack:
        problems.append(f"unclosed elements: {checker.stack}")
    duplicates = sorted({value for value in checker.ids if checker.ids.count(value) > 1})
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    dangling = sorted(set(checker.fragment_links) - set(checker.ids))
    if dangling:
        problems.append(f"links to missing anchors: {dangling}")
    import html5lib  # a dev dependency: the WHATWG parser, strict mode

    try:
        html5lib.HTMLParser(strict=True).parse(document)
    except Exception as exc:  # html5lib raises ParseError subclasses of Exception
        problems.append(f"html5lib: {exc}")
    return problems


def visible_text(document: str) -> str:
    checker = _Checker()
    checker.feed(document)
    return " ".join(" ".join(checker.text).split())
