"""Reproduction commands: a curl line for any request the suite sent, with secrets masked.

Why our own renderer for the explicit and semantic tests: those requests are built by
``client.py``, not by schemathesis, and their bodies are often forms, which schemathesis'
curl output would print verbatim. The command keeps everything needed to replay the request
except the secrets, which the reader substitutes (``[REDACTED]`` marks each one).
"""

from __future__ import annotations

import shlex
from typing import Any

from revocation_contracts.redact import Redactor, redact_body, redact_headers


def as_curl(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | str | None,
    redactor: Redactor | None = None,
    extra_sensitive_headers: frozenset[str] = frozenset(),
) -> str:
    """``curl -X METHOD URL -H ... --data-raw ...`` with sensitive headers and fields masked."""
    media_type = next((value for name, value in headers.items() if name.lower() == "content-type"), "")
    parts = ["curl", "-X", method, url]
    for name, value in redact_headers(headers, extra_sensitive_headers).items():
        if name.lower() in ("content-length", "connection", "accept-encoding", "accept", "user-agent"):
            continue
        parts += ["-H", f"{name}: {value}"]
    shown = redact_body(body, media_type)
    if shown:
        parts += ["--data-raw", shown]
    command = " ".join(shlex.quote(part) for part in parts)
    return redactor(command) if redactor else command


def curl_for_response(response: Any, redactor: Redactor | None = None, sensitive: frozenset[str] = frozenset()) -> str:
    """The curl command for the request behind a ``requests.Response``."""
    request = response.request
    return as_curl(request.method, request.url, dict(request.headers), request.body, redactor, sensitive)
