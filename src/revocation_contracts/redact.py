"""Secrets never leave the suite: redaction of known values and of credential-bearing fields.

Why two mechanisms: some secrets are known by value (the configured client secrets, every
token the suite minted) and can be replaced wherever they appear, in any text. Others are
only known by position (an ``Authorization`` header, an ``X-App-Token`` header, a
``client_secret`` or ``token`` field in a form or JSON body) and must be masked by name,
because generated test data may put arbitrary values there. Schemathesis masks headers and
JSON bodies in its own output but writes form bodies verbatim; ``redact_body`` closes that.
"""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import parse_qsl, urlencode

MASK = "[REDACTED]"
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-app-token"})
SENSITIVE_FIELDS = frozenset(
    {"client_secret", "token", "access_token", "refresh_token", "password", "assertion", "client_assertion"}
)
# Values shorter than this are left alone: masking "a" everywhere would destroy every message.
MIN_SECRET_LENGTH = 6


class Redactor:
    """Replaces every registered secret value with ``[REDACTED]``; thread-safe, callable."""

    def __init__(self, *values: str) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(*values)

    def add(self, *values: str | None) -> None:
        with self._lock:
            fresh = {value for value in values if value and len(value) >= MIN_SECRET_LENGTH} - self._values
            if fresh:
                self._values |= fresh
                ordered = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(value) for value in ordered))

    def __call__(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(MASK, text)


def redact_headers(headers: dict[str, str], extra_sensitive: frozenset[str] = frozenset()) -> dict[str, str]:
    sensitive = SENSITIVE_HEADERS | {name.lower() for name in extra_sensitive}
    return {name: (MASK if name.lower() in sensitive else value) for name, value in headers.items()}


def redact_body(body: bytes | str | None, media_type: str) -> str | None:
    """A body with every sensitive field masked, in its own media type; form bodies included."""
    if body is None:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if "json" in media_type:
        try:
            data = json.loads(text)
        except ValueError:
            return text
        return json.dumps(_mask_json(data))
    if "x-www-form-urlencoded" in media_type:
        pairs = parse_qsl(text, keep_blank_values=True)
        masked = [(key, MASK if key.lower() in SENSITIVE_FIELDS else value) for key, value in pairs]
        return urlencode(masked, safe="[]")
    return text


def _mask_json(data: object) -> object:
    if isinstance(data, dict):
        return {
            key: (MASK if str(key).lower() in SENSITIVE_FIELDS else _mask_json(value)) for key, value in data.items()
        }
    if isinstance(data, list):
        return [_mask_json(item) for item in data]
    return data
