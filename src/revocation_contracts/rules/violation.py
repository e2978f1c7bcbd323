"""What every rule reads (one response view) and what it returns (typed violations).

Why one view: the same rule judges a response schemathesis received, one an explicit test
sent with ``requests`` and one a semantic property sent in a sequence. Each adapter turns
its response into a ``ResponseView`` once, and the rules in ``engine.py`` never know which
library carried the bytes.

Why a typed ``Violation`` and not a message: the terminal summary, JUnit XML and the
conformance report all need the clause, the level, what was expected and what came back.
They read it from this dataclass, serialized as JSON into a test report's
``user_properties`` (``to_json``/``from_json``), which pytest-xdist carries from its
workers to the controller unchanged. The message a user reads is rendered from it
(``render``), never parsed back.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from revocation_contracts.rules.clauses import CLAUSES

Level = Literal["failure", "warning"]
FAILURE: Level = "failure"
WARNING: Level = "warning"
BODY_PREVIEW = 300


@dataclass(frozen=True)
class RequestView:
    """The request behind a response: enough to judge echoes and to print a curl line."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return _lookup(self.headers, name)


@dataclass(frozen=True)
class ResponseView:
    """One response as the rules see it: status, headers, body bytes, media type, the request."""

    status: int
    headers: dict[str, str]
    body: bytes
    request: RequestView

    @property
    def media_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def header(self, name: str) -> str | None:
        return _lookup(self.headers, name)

    def json(self) -> Any:
        return parse_json(self.body)

    def describe(self) -> str:
        """``401 (application/json) '{"error": ...}'``: the status, media type and a body preview."""
        media = self.header("content-type") or "no content type"
        text = self.body[:BODY_PREVIEW].decode("utf-8", "replace")
        return f"{self.status} ({media}) {text!r}" if text else f"{self.status} ({media}), empty body"


def _lookup(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _as_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    return body if isinstance(body, bytes) else str(body).encode("utf-8")


def _flat(headers: Any) -> dict[str, str]:
    """Headers as ``{name: value}``; schemathesis keeps a list per name, requests a string."""
    flat: dict[str, str] = {}
    for name, value in headers.items():
        flat[str(name)] = ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
    return flat


def view_of(response: Any) -> ResponseView:
    """The view of a ``requests.Response`` or a schemathesis ``Response`` (both carry ``.request``)."""
    request = response.request
    status = getattr(response, "status_code", 0)
    return ResponseView(
        status=int(status),
        headers=_flat(response.headers),
        body=_as_bytes(response.content),
        request=RequestView(
            method=str(request.method),
            url=str(request.url),
            headers=_flat(request.headers),
            body=_as_bytes(request.body),
        ),
    )


def parse_json(content: bytes | None) -> Any:
    """The JSON value of a body, or None when it is empty or not JSON."""
    try:
        return json.loads(content or b"")
    except ValueError:
        return None


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """The ``(client_id, secret)`` of an HTTP Basic ``Authorization`` value (RFC 7617), the one
    decoder every rule uses; None when the header is not Basic, ``("", "")`` when it is
    Basic but does not decode."""
    header = authorization or ""
    if header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ("", "")
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


@dataclass(frozen=True)
class Violation:
    """One broken rule: the clause id, failure or warning, expected versus actual, a curl line."""

    clause: str
    level: Level
    title: str
    expected: str
    actual: str
    # The commands that reproduce it, one per line, runnable as they are: the user's secrets as
    # ``"$REVOKE_..."`` references, minted tokens by the step that minted them (``transport/shell.py``).
    reproduce: str = ""
    sequence: str = ""  # the request sequence of a semantic example, already masked
    rerun: str = ""  # the command that reruns the test with the same seed and options
    # The root cause, where the title alone would split it (``reporting/problems.py`` groups by
    # it): the rule's own finding without where it was met (a property's "the answer to a request
    # about g1.access_token repeats a secret" is the rule's "Credential echoed"), and that finding's
    # clause where this verdict cites the property's (property 11 failing on a 401 is the
    # unsupported-hint answer's RFC7009-2.2.1, the clause test_unsupported_hint fails under).
    symptom: str = ""
    cause_clause: str = ""

    # Copies go through ``dataclasses.replace``, never field by field: a field added later is
    # carried by every copy (rebuilt by hand in five places, the copies had begun to differ).

    def with_level(self, level: Level) -> Violation:
        return replace(self, level=level)

    def with_reproduction(self, reproduce: str) -> Violation:
        return replace(self, reproduce=reproduce)

    def with_sequence(self, sequence: str, commands: str = "") -> Violation:
        """With a semantic example's sequence and its commands (the reproduction), both masked."""
        return replace(self, sequence=sequence, reproduce=commands or self.reproduce)

    def with_rerun(self, rerun: str) -> Violation:
        return replace(self, rerun=rerun)

    def commands(self) -> list[str]:
        """Every command line it prints (reproduction and rerun): what report masking keeps."""
        return [line for line in (*self.reproduce.splitlines(), self.rerun) if line.strip()]

    def caused_by(self, finding: Violation) -> Violation:
        """This verdict, grouped with the rule's ``finding`` it reports (one root cause, one problem)."""
        return replace(self, symptom=finding.problem_symptom, cause_clause=finding.problem_clause)

    def with_symptom(self, symptom: str) -> Violation:
        return replace(self, symptom=symptom)

    @property
    def problem_clause(self) -> str:
        """The clause of the root cause: the finding's where this verdict reports one, else its own."""
        return self.cause_clause or self.clause

    @property
    def problem_symptom(self) -> str:
        """What broke, without where it was seen: the symptom given, else the title minus its
        trailing parenthesised notes ("(--strict-semantics)", "(property 9: ...)")."""
        return self.symptom or symptom_of(self.title)

    @property
    def rendered_expected(self) -> str:
        return _one_line(self.expected)

    @property
    def rendered_actual(self) -> str:
        return _one_line(self.actual)

    def problem_headline(self) -> str:
        """``[PIN-no-echo] Credential echoed``: the problem this verdict belongs to."""
        return f"[{self.problem_clause}] {self.problem_symptom}"

    def as_strict_failure(self, note: str) -> Violation:
        """This warning as a failure (``--strict-semantics``), its title saying why."""
        return replace(self, level=FAILURE, title=f"{self.title} ({note})")

    def redacted(self, mask: Callable[[str], str], reproduce: str) -> Violation:
        """Expected and actual masked by ``mask``, with a reproduction that is already masked."""
        return replace(self, expected=mask(self.expected), actual=mask(self.actual), reproduce=reproduce)

    @property
    def clause_text(self) -> str:
        known = CLAUSES.get(self.clause)
        return known.text if known else ""

    def headline(self) -> str:
        return f"[{self.clause}] {self.title}"

    def named_headline(self) -> str:
        """The headline, led by the problem's name where the title does not say it (the name the
        summary lists it under): ``[PIN-no-echo] Credential echoed: the answer to a request about
        g1.access_token repeats a secret (property 9: ...)``."""
        if (self.problem_clause, self.problem_symptom) == (self.clause, symptom_of(self.title)):
            return self.headline()
        own = self.title if self.problem_clause == self.clause else self.headline()
        return f"{self.problem_headline()}: {own}"

    def render(self) -> str:
        """The compact text a user reads, a few lines: its headline naming its problem, expected,
        got, then the reproduction (curl lines, or a semantic example's request sequence) and the
        command that reruns the test."""
        lines = [self.named_headline()]
        lines += [f"  expected: {self.rendered_expected}", f"  got:      {self.rendered_actual}"]
        if self.sequence:
            # A sequence shows its commands step by step (``semantics/trail.py``).
            lines += ["  request sequence (secrets as $REVOKE_* variables or redacted):", self.sequence]
        elif self.reproduce:
            lines += [f"  reproduce: {line}" for line in self.reproduce.splitlines()]
        if self.rerun:
            lines.append(f"  rerun: {self.rerun}")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Violation | None:
        try:
            data = json.loads(text)
            return cls(**data)
        except (ValueError, TypeError):
            return None


# A title's parenthesised note ("(--strict-semantics)", "(token in the body)", "(property 9: ...)")
# names where or how it was seen, not what broke.
_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
LINE_LIMIT = 400


def symptom_of(title: str) -> str:
    """``title`` without its trailing parenthesised notes (never empty)."""
    while True:
        shorter = _NOTE.sub("", title)
        if shorter == title or not shorter:
            return title
        title = shorter


def _one_line(text: str) -> str:
    """A field on one line: what a schemathesis message spreads over several, joined, and bounded."""
    joined = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return joined if len(joined) <= LINE_LIMIT else joined[: LINE_LIMIT - 1] + "\u2026"


def render_all(violations: list[Violation]) -> str:
    return "\n".join(violation.render() for violation in violations)
