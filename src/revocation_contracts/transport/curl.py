"""Reproduction commands: a curl line for any request the suite sent.

``reproduction`` is the line a failure prints: it runs as is (``shell.py``: the user's secrets
are references to the variables the suite reads them from, values the suite invented are shown
as sent), and every other secret value the session knows is masked. ``as_curl`` is the fully
masked line (``--dry-run``'s preview), where every credential field or header reads ``[REDACTED]``.

Why our own renderer for the explicit and semantic tests: those requests are built by
``client.py``, not by schemathesis, and their bodies are often forms, which schemathesis'
curl output would print verbatim. The command keeps everything needed to replay the request
except the secrets, which the reader substitutes (``[REDACTED]`` marks each one).
"""

from __future__ import annotations

import shlex
from typing import Any

from revocation_contracts.redact import Redactor, redact_body, redact_headers
from revocation_contracts.transport.shell import References, curl_line


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


def reproduction(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | str | None,
    redactor: Redactor | None,
    references: References | None = None,
) -> str:
    """The runnable curl line: the user's secrets as ``"$REVOKE_..."`` references (the
    redactor's ``references``, plus ``references``), any other known secret value masked."""
    if redactor is None:
        # Nothing tells the user's secrets from invented values: mask every credential by name.
        return as_curl(method, url, headers, body)
    known = References(dict(redactor.references))
    if references is not None:
        known = known.with_values(references.by_value)
    return redactor.mask_values(curl_line(method, url, headers, body, known))


def curl_for_response(response: Any, redactor: Redactor | None = None) -> str:
    """The runnable curl command for the request behind a ``requests.Response``."""
    request = response.request
    return reproduction(request.method, request.url, dict(request.headers), request.body, redactor)
