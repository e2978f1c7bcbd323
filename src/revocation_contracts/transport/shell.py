"""Reproduction commands that run: shell lines where every secret is a variable reference.

Why not ``curl.py``'s masked line: ``[REDACTED]`` cannot be pasted. A secret the user gave
(``--client-secret``, ``--password``, ...) is shown as the environment variable the suite
reads it from (``"$REVOKE_CLIENT_SECRET"``), so the line runs in the same CI job, where those
variables are set, and never shows the value. A token the suite minted is a variable the
reproduction's own mint step sets (``REVOKE_TOKEN_1=$(curl ... token endpoint ...)``). Values
the suite invented (an unknown token, a wrong secret, the empty token) have nothing to hide
and are shown as they were sent. Whatever else a known secret value the session holds would
still be masked by value (``Redactor.mask_values``) by whoever renders the line.

A ``References`` maps values to variable names; a line is built from words whose parts are
literal text or a ``Ref`` and quoted for ``sh``: a word without references in single quotes,
one with references in double quotes with ``$``, backquote, ``"`` and ``\\`` escaped in its
literal parts, so only the references expand.
"""

from __future__ import annotations

import base64
import binascii
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, quote_plus

from revocation_contracts.redact import MIN_SECRET_LENGTH

# Headers curl sets itself, or that only describe the transport: left out of the line.
TRANSPORT_HEADERS = ("content-length", "connection", "accept-encoding", "user-agent", "host")
# Reads one field of a JSON answer on stdin: how a mint step hands a token to the next steps.
JSON_FIELD = "python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])'"


@dataclass(frozen=True)
class Ref:
    """A reference to an environment variable, expanded by ``sh`` when the line runs."""

    name: str


Part = str | Ref


@dataclass(frozen=True)
class References:
    """Values shown as variable references: ``{value: variable name}``.

    A value at least ``MIN_SECRET_LENGTH`` long is replaced wherever it appears in a word (and
    in its percent-encoded forms inside a URL or a form); a shorter one only where it is a
    whole value (a form field, a header, HTTP Basic's id), so a short id never rewrites text
    that merely contains it."""

    by_value: Mapping[str, str] = field(default_factory=dict)

    def with_values(self, more: Mapping[str, str]) -> References:
        return References({**self.by_value, **{value: name for value, name in more.items() if value}})

    def whole(self, value: str) -> list[Part]:
        """``value`` as one reference if it is a referenced value, else its parts (``parts``)."""
        name = self.by_value.get(value)
        return [Ref(name)] if name and value else self.parts(value)

    def parts(self, text: str) -> list[Part]:
        """``text`` with every long referenced value (raw or percent-encoded) replaced by its reference."""
        forms: dict[str, str] = {}
        for value, name in self.by_value.items():
            if len(value) >= MIN_SECRET_LENGTH:
                for form in (value, quote_plus(value), quote(value, safe="")):
                    forms.setdefault(form, name)
        parts: list[Part] = [text]
        for form in sorted(forms, key=len, reverse=True):
            split: list[Part] = []
            for part in parts:
                if isinstance(part, Ref) or form not in part:
                    split.append(part)
                    continue
                pieces = part.split(form)
                for index, piece in enumerate(pieces):
                    if index:
                        split.append(Ref(forms[form]))
                    if piece:
                        split.append(piece)
            parts = split
        return [part for part in parts if part != ""]


def word(parts: list[Part]) -> str:
    """One shell word: single-quoted when nothing expands, else double-quoted with ``${NAME}``."""
    if not any(isinstance(part, Ref) for part in parts):
        return shlex.quote("".join(part for part in parts if isinstance(part, str)))
    out = []
    for part in parts:
        if isinstance(part, Ref):
            out.append("${" + part.name + "}")
        else:
            out.append("".join("\\" + char if char in '\\"$`' else char for char in part))
    return '"' + "".join(out) + '"'


def _basic(value: str) -> tuple[str, str] | None:
    """The ``(id, secret)`` of an HTTP Basic value (RFC 7617), or None."""
    if value[:6].lower() != "basic ":
        return None
    try:
        user, colon, secret = base64.b64decode(value[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return (user, secret) if colon else None


def _header(name: str, value: str) -> str:
    """The header's value, or "" for one curl sends itself (``Accept: */*`` included)."""
    if name.lower() in TRANSPORT_HEADERS or (name.lower() == "accept" and value == "*/*"):
        return ""
    return value


def curl_line(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | str | None,
    references: References,
    *,
    silent: bool = False,
) -> str:
    """``curl -X METHOD URL ...``: the request as sent, user secrets and minted tokens as references.

    HTTP Basic whose id or secret is referenced becomes ``-u "$ID:$SECRET"`` (curl builds the
    same header); a form field holding a referenced value goes through ``--data-urlencode``
    (curl encodes the expanded value), every other field as sent (``--data-raw``), in order.
    """
    words = ["curl", "-s"] if silent else ["curl"]
    words += ["-X", shlex.quote(method), word(references.parts(url))]
    media_type = ""
    for name, value in headers.items():
        if not _header(name, value):
            continue
        if name.lower() == "content-type":
            media_type = value
        if name.lower() == "authorization":
            pair = _basic(value)
            if pair is not None and any(part in references.by_value for part in pair if part):
                user, secret = pair
                words += ["-u", word([*references.whole(user), ":", *references.whole(secret)])]
                continue
        words += ["-H", word([f"{name}: ", *references.whole(value)])]
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if text:
        if "x-www-form-urlencoded" in media_type:
            words += _form_words(text, references)
        else:
            words += ["--data-raw", word(references.parts(text))]
    return " ".join(words)


def _form_words(text: str, references: References) -> list[str]:
    words: list[str] = []
    for raw in text.split("&"):
        pairs = parse_qsl(raw, keep_blank_values=True)
        name, value = pairs[0] if len(pairs) == 1 else ("", "")
        if pairs and references.whole(value) != [value] and value:
            words += ["--data-urlencode", word([f"{name}=", *references.whole(value)])]
        else:
            words += ["--data-raw", shlex.quote(raw)]
    return words


def shell_line(command: str, env: Mapping[str, list[Part]]) -> str:
    """``NAME="..." sh -c 'COMMAND'``: a user's command run as the suite ran it, with its env."""
    assignments = [f"{name}={word(parts)}" for name, parts in env.items()]
    return " ".join([*assignments, "sh", "-c", shlex.quote(command)])


def capture(variable: str, command: str) -> str:
    """``NAME=$(COMMAND)``: a step whose output the next steps read from ``$NAME``."""
    return f"{variable}=$({command})"


def json_field(source: str, key: str) -> str:
    """The ``key`` field of the JSON in ``$source``, printed (for ``capture``)."""
    return f'printf %s "${{{source}}}" | {JSON_FIELD} {shlex.quote(key)}'


@dataclass(frozen=True)
class HttpRecipe:
    """A request a token supply sends (a mint at the token endpoint, an introspection probe)."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | str | None = None

    def line(self, references: References) -> str:
        return curl_line(self.method, self.url, self.headers, self.body, references, silent=True)


@dataclass(frozen=True)
class ShellRecipe:
    """A user's command (``--token-command``, ``--probe-command``) and the variables it was run with."""

    command: str
    env: Mapping[str, str] = field(default_factory=dict)

    def line(self, references: References) -> str:
        return shell_line(self.command, {name: references.whole(value) for name, value in self.env.items()})


Recipe = HttpRecipe | ShellRecipe
