"""Secrets never leave the suite: redaction of known values and of credential-bearing fields.

Why two mechanisms: some secrets are known by value (the configured client secrets, every
token the suite minted) and can be replaced wherever they appear, in any text. Others are
only known by position (an ``Authorization`` header, an ``X-App-Token`` header, a
``client_secret`` or ``token`` field in a form or JSON body) and must be masked by name,
because generated test data may put arbitrary values there. Schemathesis masks headers and
JSON bodies in its own output but writes form bodies verbatim; ``redact_body`` closes that for
bodies we render, and ``redact_text`` for text someone else rendered (schemathesis' curl line
``-d 'token=...&client_secret=...'``, a ``'client_secret': '...'`` repr, an ``Authorization:``
line). ``redact_report`` applies both to a pytest report in place, keeping its structure, so
the terminal, JUnit XML and the conformance report all read the same masked text.

A secret known by value is masked in every spelling the suite may send it in, because a
server (or a library rendering the request) may repeat any of them: ``secret_forms`` gives
the raw value, its percent-encoded forms (``quote``, ``quote_plus``, lower-case hex) and its
JSON-escaped forms; ``basic_forms`` the HTTP Basic ``base64(id:secret)`` the suite sends in
``Authorization`` (RFC 7617), also with RFC 6749 section 2.3.1's form-encoded id and secret.
The echo rule (``rules/checks.py``) looks for the same forms in every answer.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode

MASK = "[REDACTED]"
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-app-token"})
SENSITIVE_FIELDS = frozenset(
    {"client_secret", "token", "access_token", "refresh_token", "password", "assertion", "client_assertion"}
)
# Values shorter than this are left alone: masking "a" everywhere would destroy every message.
MIN_SECRET_LENGTH = 6


_PERCENT = re.compile(r"%[0-9A-F]{2}")


def secret_forms(value: str) -> set[str]:
    """Every spelling of ``value`` the suite may send or print: raw, percent-encoded, JSON-escaped.

    Forms shorter than ``MIN_SECRET_LENGTH`` are left out (see there).
    """
    if not value:
        return set()
    encoded = {quote(value, safe=""), quote(value), quote_plus(value)}
    lower_hex = {_PERCENT.sub(lambda match: match.group(0).lower(), form) for form in encoded}
    escaped = {json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    return {form for form in {value, *encoded, *lower_hex, *escaped} if len(form) >= MIN_SECRET_LENGTH}


def basic_forms(client_id: str, client_secret: str) -> set[str]:
    """The ``Authorization: Basic`` credentials for this pair, as sent (with and without padding).

    Both the plain ``id:secret`` (what most clients send) and RFC 6749 section 2.3.1's
    form-encoded id and secret, each base64-encoded.
    """
    forms: set[str] = set()
    for user, password in ((client_id, client_secret), (quote_plus(client_id), quote_plus(client_secret))):
        for charset in ("utf-8", "latin-1"):
            try:
                token = base64.b64encode(f"{user}:{password}".encode(charset)).decode("ascii")
            except UnicodeEncodeError:
                continue
            forms |= {token, token.rstrip("=")}
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


class Redactor:
    """Replaces every registered secret value with ``[REDACTED]``; thread-safe, callable.

    Why no regular expression of the values: a run registers thousands of token values (every
    minted token, raw and percent-encoded), and compiling their alternation cost seconds of the
    main thread (recompiled per report, issue 12; compiled once, still 1.7 s of a 20 s embedded
    run for 10,000 forms, issue 21), because ``re`` parses a pattern in Python. So
    values are kept in sets by length, and a text is scanned only at the characters a value
    can start with (one small character class): at each such position the longest value that
    is there is masked, and the scan goes on after it. That is what the alternation of all
    values, longest first, did (leftmost match, longest alternative first), so a longer secret
    is never cut by a shorter one inside it; ``add`` costs the new values only.
    """

    def __init__(self, *values: str) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._by_length: dict[int, set[str]] = {}
        self._lengths: tuple[int, ...] = ()  # longest first
        self._first_chars: set[str] = set()
        self._starts: re.Pattern[str] | None = None
        # Secrets the user gave, by value: the environment variable each is read from, so a
        # reproduction command names the variable instead (``transport/shell.py``).
        self.references: dict[str, str] = {}
        self.add(*values)

    def refer(self, value: str | None, variable: str) -> None:
        """Show ``value`` (a setting the user gave) as ``$variable`` in reproduction commands.

        Masking is unchanged: a secret is registered (``add``) on its own, an id is not."""
        if value:
            with self._lock:
                self.references[value] = variable

    def add(self, *values: str | None) -> None:
        """Register values, in every form (``secret_forms``); cheap: nothing is compiled but a class."""
        forms = {form for value in values if value and len(value) >= MIN_SECRET_LENGTH for form in secret_forms(value)}
        with self._lock:
            fresh = forms - self._values
            if not fresh:
                return
            self._values |= fresh
            for form in fresh:
                self._by_length.setdefault(len(form), set()).add(form)
            self._lengths = tuple(sorted(self._by_length, reverse=True))
            firsts = {form[0] for form in fresh} - self._first_chars
            if firsts:
                self._first_chars |= firsts
                chars = "".join(re.escape(char) for char in sorted(self._first_chars))
                self._starts = re.compile(f"[{chars}]")

    def add_basic(self, client_id: str | None, client_secret: str | None) -> None:
        """Register a client's HTTP Basic credentials (``basic_forms``) beside its secret."""
        if client_id is not None and client_secret:
            self.add(client_secret, *basic_forms(client_id, client_secret))

    def _mask_values(self, text: str) -> str:
        with self._lock:
            starts, lengths, by_length = self._starts, self._lengths, self._by_length
        if starts is None:
            return text
        parts: list[str] = []
        done = 0  # text[:done] is in parts
        found = starts.search(text)
        while found is not None:
            at = found.start()
            for length in lengths:
                if text[at : at + length] in by_length[length]:
                    parts += (text[done:at], MASK)
                    done = at + length
                    break
            found = starts.search(text, max(done, at + 1))
        if not parts:
            return text
        parts.append(text[done:])
        return "".join(parts)

    def __call__(self, text: str) -> str:
        """``text`` with every known value and every credential-bearing field or header masked."""
        return redact_text(self.mask_values(text)) if text else text

    def mask_values(self, text: str) -> str:
        """``text`` with every known value masked, fields and headers left as they are: for a
        reproduction command, whose secrets are variable references (``transport/shell.py``)
        and whose other values were invented by the suite."""
        if not text:
            return text
        return self._mask_values(text)


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


def _text_patterns(fields: Iterable[str], headers: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    names = "|".join(re.escape(name) for name in sorted(fields, key=len, reverse=True))
    header_names = "|".join(re.escape(name) for name in sorted(headers, key=len, reverse=True))
    return (
        # 'client_secret': '...' / "token": "..." (JSON, Python reprs); the key is kept.
        re.compile(rf"""(?P<key>(?P<q>["'])(?:{names})(?P=q)\s*:\s*)(?P<v>["'])(?:\\.|(?!(?P=v)).)+(?P=v)""", re.I),
        # token=... in a form body, a query string or a keyword repr (token='...'); a quoted value must
        # end its token, so an empty value at the end of a shell-quoted body (-d 'token=' 'http://...')
        # does not swallow the next argument.
        re.compile(rf"""(?P<key>(?<![\w-])(?:{names})=)(?:'[^'\n]+'(?![\w/])|"[^"\n]+"(?![\w/])|[^&\s'"]+)""", re.I),
        # Authorization: Basic ..., -H 'X-App-Token: ...', {'Authorization': '...'}: to the end of the value.
        re.compile(rf"""(?P<key>(?<![\w-])(?:{header_names})["']?\s*:\s*["']?)[^'"\r\n]+""", re.I),
    )


_PATTERNS = _text_patterns(SENSITIVE_FIELDS, SENSITIVE_HEADERS)


def redact_text(text: str) -> str:
    """Free text with the values of sensitive fields and headers masked, whatever their value.

    Covers the spellings the suite's outputs contain: form and query strings (``token=...``),
    JSON and Python reprs (``"client_secret": "..."``), header lines and reprs
    (``Authorization: Basic ...``). Keys stay readable; only values become ``[REDACTED]``.
    Empty values stay empty: they hide nothing, and ``token=`` versus ``token=[REDACTED]`` is
    often the difference a reproduction needs.
    """
    for pattern in _PATTERNS:
        text = pattern.sub(_keep_key, text)
    return text


def _keep_key(match: re.Match[str]) -> str:
    value = match.group(0)[len(match.group("key")) :]
    quote = value[:1] if value[:1] in ("'", '"') and len(value) > 1 and value[-1:] == value[:1] else ""
    return f"{match.group('key')}{quote}{MASK}{quote}"


def keeping(redact: Callable[[str], str], commands: Iterable[str]) -> Callable[[str], str]:
    """``redact``, except that the exact ``commands`` (reproduction lines the suite rendered) are
    masked by value only (``Redactor.mask_values``): their secrets are already variable
    references, and masking ``token=...`` by name would hide the invented values they need.
    Only the exact lines are kept; every other character of a text is masked as before. Inside
    a JSON object (a violation's user property) the same holds for each string it holds."""
    kept = sorted({command for command in commands if command.strip()}, key=len, reverse=True)
    values_only = getattr(redact, "mask_values", None)
    if not kept or values_only is None:
        return redact
    pattern = re.compile("|".join(re.escape(command) for command in kept))

    def text_of(text: str) -> str:
        out, end = [], 0
        for match in pattern.finditer(text):
            out += [redact(text[end : match.start()]), values_only(match.group(0))]
            end = match.end()
        return "".join(out) + redact(text[end:]) if out else redact(text)

    def masked(text: str) -> str:
        if text.startswith("{"):
            try:
                data = json.loads(text)
            except ValueError:
                return text_of(text)
            if isinstance(data, dict):
                return json.dumps(_map_strings(data, text_of), sort_keys=True)
        return text_of(text)

    return masked


def _map_strings(data: Any, function: Callable[[str], str]) -> Any:
    if isinstance(data, str):
        return function(data)
    if isinstance(data, dict):
        return {key: _map_strings(value, function) for key, value in data.items()}
    if isinstance(data, list):
        return [_map_strings(item, function) for item in data]
    return data


def redact_report(report: Any, redact: Callable[[str], str], commands: Iterable[str] = ()) -> None:
    """Mask secrets in a pytest report in place: longrepr (keeping its structure), sections, properties.

    Keeping the structured longrepr (instead of replacing it by its text) keeps what readers
    of the report rely on: the crash message JUnit uses as ``message=``, colours in the
    terminal, and the structured form pytest-xdist sends from workers to the controller.
    ``commands``: the report's reproduction lines, masked by value only (``keeping``).
    """
    redact = keeping(redact, commands)
    longrepr = report.longrepr
    if isinstance(longrepr, str):
        report.longrepr = redact(longrepr)
    elif isinstance(longrepr, tuple):
        report.longrepr = tuple(redact(part) if isinstance(part, str) else part for part in longrepr)
    elif longrepr is not None and not (dataclasses.is_dataclass(longrepr) and _redact_fields(longrepr, redact, set())):
        report.longrepr = redact(str(longrepr))
    report.sections = [(title, redact(content)) for title, content in report.sections]
    if hasattr(report, "user_properties"):  # a CollectReport has none
        report.user_properties = [
            (name, redact(value) if isinstance(value, str) else value) for name, value in report.user_properties
        ]


def _redact_fields(node: Any, redact: Callable[[str], str], seen: set[int]) -> bool:
    """Redact every string reachable through a dataclass tree; False if a field cannot be set."""
    if id(node) in seen:
        return True
    seen.add(id(node))
    for field in dataclasses.fields(node):
        try:
            setattr(node, field.name, _redacted(getattr(node, field.name), redact, seen))
        except (AttributeError, dataclasses.FrozenInstanceError, TypeError):
            return False
    return True


def _redacted(value: Any, redact: Callable[[str], str], seen: set[int]) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(item, redact, seen) for item in value]
    if isinstance(value, tuple):
        return tuple(_redacted(item, redact, seen) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and not _redact_fields(value, redact, seen):
        raise TypeError(f"cannot redact {type(value).__name__} in place")
    return value
