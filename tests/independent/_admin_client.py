"""Minimal admin-API client shared by token_command.py and probe_command.py.

Deliberately built on a raw socket: the suite starts these commands hundreds of times per run,
and importing urllib.request / http.client costs more than the whole request.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any


class AdminError(Exception):
    pass


def call(action: str, payload: dict[str, Any]) -> Any:
    """POST ``payload`` as JSON to ``$INDIE_ADMIN_URL/<action>`` and return the decoded answer."""
    base = os.environ.get("INDIE_ADMIN_URL", "")
    if not base.startswith("http://"):
        raise AdminError("INDIE_ADMIN_URL must be set to http://HOST:PORT/PREFIX")
    hostport, _, prefix = base[len("http://") :].partition("/")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise AdminError(f"cannot parse INDIE_ADMIN_URL {base!r}")
    path = "/" + "/".join(p for p in (prefix.strip("/"), action) if p)
    body = json.dumps(payload).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=10) as sock:
            sock.sendall(head + body)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    except OSError as exc:
        raise AdminError(f"{type(exc).__name__}: {exc}") from exc
    raw = b"".join(chunks)
    header, sep, content = raw.partition(b"\r\n\r\n")
    status_line = header.split(b"\r\n", 1)[0].split()
    if not sep or len(status_line) < 2 or status_line[1] != b"200":
        raise AdminError(f"admin API answered {header[:80]!r}")
    try:
        return json.loads(content)
    except ValueError as exc:
        raise AdminError("admin API answered with invalid JSON") from exc
