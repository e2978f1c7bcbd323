"""Masking by name in free text, and in pytest reports without losing their structure.

Explicit examples, one per spelling a secret takes in the suite's outputs; each was seen in
a real failure message (schemathesis' curl line, our curl line, a Python repr, a header).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from revocation_contracts import redact
from revocation_contracts.redact import MASK, Redactor, redact_report, redact_text

SECRET = "rc-secret-A-5f1c9e2b7d4a4c7e"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # schemathesis' curl line: form bodies verbatim
            "curl -X POST -d 'token_type_hint=access_token&client_id=rc-client-a&client_secret=s3cret' http://h/r",
            "curl -X POST -d 'token_type_hint=access_token&client_id=rc-client-a&client_secret=[REDACTED]' http://h/r",
        ),
        ("--data-raw 'token=at.Ab%2Bc%3D&x=1'", "--data-raw 'token=[REDACTED]&x=1'"),
        ("GET /revoke?token=abc HTTP/1.1", "GET /revoke?token=[REDACTED] HTTP/1.1"),
        ("access_token=abc&refresh_token=def", "access_token=[REDACTED]&refresh_token=[REDACTED]"),
        (
            '{"client_secret": "a\\"b", "token_type_hint": "access_token"}',
            '{"client_secret": "[REDACTED]", "token_type_hint": "access_token"}',
        ),
        ("{'token': 'at.x', 'client_id': 'a'}", "{'token': '[REDACTED]', 'client_id': 'a'}"),
        ("revoke(token='at.x', hint=None)", "revoke(token='[REDACTED]', hint=None)"),
        ("-H 'Authorization: Basic cmM6cw==' -H 'X-App-Id: app'", "-H 'Authorization: [REDACTED]' -H 'X-App-Id: app'"),
        ("-H 'X-App-Token: key-123'", "-H 'X-App-Token: [REDACTED]'"),
        ("{'Authorization': 'Basic cmM6cw==', 'Accept': '*/*'}", "{'Authorization': '[REDACTED]', 'Accept': '*/*'}"),
        ("Proxy-Authorization: Basic x\nnext", "Proxy-Authorization: [REDACTED]\nnext"),
        # Names that merely contain a sensitive one are left alone.
        ("token_type_hint=refresh_token&my_token_count=3", "token_type_hint=refresh_token&my_token_count=3"),
        ('WWW-Authenticate: Basic realm="x"', 'WWW-Authenticate: Basic realm="x"'),
        # Empty values hide nothing and matter for reproduction: they stay empty.
        ("-d 'token=&client_secret=s&x=1'", "-d 'token=&client_secret=[REDACTED]&x=1'"),
        ("""{"token": "", 'client_secret': ''}""", """{"token": "", 'client_secret': ''}"""),
        ("-d 'a=1&token=' 'http://h/r?x=1'", "-d 'a=1&token=' 'http://h/r?x=1'"),
        # Idempotent.
        ("client_secret=[REDACTED]", "client_secret=[REDACTED]"),
    ],
)
def test_redact_text_masks_values_by_name(text: str, expected: str) -> None:
    assert redact_text(text) == expected
    assert redact_text(expected) == expected


def test_redactor_masks_known_values_anywhere_and_fields_by_name() -> None:
    redactor = Redactor(SECRET, "short")
    assert redactor(f"echoed {SECRET}-wrong back") == f"echoed {MASK}-wrong back"
    assert redactor("short stays, values under 6 characters are not secrets") == (
        "short stays, values under 6 characters are not secrets"
    )
    assert redactor("client_secret=whatever") == "client_secret=[REDACTED]"


def _structured_failure(message: str) -> pytest.TestReport:
    """A real report with a structured longrepr, produced the way pytest produces one."""
    try:
        raise AssertionError(message)
    except AssertionError:
        info = pytest.ExceptionInfo.from_current()
    return pytest.TestReport(
        nodeid="test_x.py::test_x[polar]",
        location=("test_x.py", 1, "test_x[polar]"),
        keywords={},
        outcome="failed",
        longrepr=info.getrepr(),
        when="call",
        sections=[("Captured stdout call", f"printed {SECRET}")],
        user_properties=[("revocation-reproduce", f"curl -d 'client_secret={SECRET}'"), ("n", 3)],
    )


def test_redact_report_keeps_the_structured_longrepr(pytestconfig: pytest.Config) -> None:
    report = _structured_failure(f"got {SECRET}\nreproduce: curl -d 'token=at.x&client_secret=abc'")
    redact_report(report, Redactor(SECRET))
    crash = report.longrepr.reprcrash  # type: ignore[union-attr]
    assert crash is not None
    assert crash.message == f"AssertionError: got {MASK}\nreproduce: curl -d 'token={MASK}&client_secret={MASK}'"
    assert SECRET not in str(report.longrepr) and "at.x" not in str(report.longrepr)
    assert report.sections == [("Captured stdout call", f"printed {MASK}")]
    assert report.user_properties == [("revocation-reproduce", f"curl -d 'client_secret={MASK}'"), ("n", 3)]
    # Still serializable the way pytest-xdist sends it to the controller.
    data = pytestconfig.hook.pytest_report_to_serializable(config=pytestconfig, report=report)
    assert data["longrepr"]["reprcrash"]["message"].startswith("AssertionError: got [REDACTED]")
    assert SECRET not in repr(data)


@pytest.mark.parametrize(
    ("longrepr", "expected"),
    [
        (f"[XPASS(strict)] {SECRET}", f"[XPASS(strict)] {MASK}"),
        (("test_x.py", 3, f"Skipped: {SECRET}"), ("test_x.py", 3, f"Skipped: {MASK}")),
        (None, None),
    ],
)
def test_redact_report_handles_every_longrepr_shape(longrepr: object, expected: object) -> None:
    report = SimpleNamespace(longrepr=longrepr, sections=[], user_properties=[])
    redact_report(report, Redactor(SECRET))
    assert report.longrepr == expected


def test_redact_report_falls_back_to_text_for_unknown_longreprs() -> None:
    class Opaque:
        def __str__(self) -> str:
            return f"opaque {SECRET}"

    report = SimpleNamespace(longrepr=Opaque(), sections=[], user_properties=[])
    redact_report(report, Redactor(SECRET))
    assert report.longrepr == f"opaque {MASK}"


@pytest.mark.parametrize("order", ["short-first", "long-first"])
def test_a_secret_inside_another_is_never_cut(order: str) -> None:
    """Whichever was registered first, a value that contains another, or is contained in it,
    leaves no part of the longer one; values side by side are each masked."""
    redactor = Redactor(*(f"filler-value-{index:04d}" for index in range(100)))
    short, long = "inner-secret", "outer-inner-secret-outer"
    first, second = (short, long) if order == "short-first" else (long, short)
    redactor.add(first)
    assert redactor(f"x {first} y") == f"x {MASK} y"
    redactor.add(second)
    masked = redactor(f"a {long} b {short} c {short}{long}{short}")
    assert masked == f"a {MASK} b {MASK} c {MASK}{MASK}{MASK}"


def test_registered_values_are_never_compiled_into_a_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiling an alternation of thousands of minted tokens cost 1.7 s of a 20 s embedded run
    (issue 21): values are looked up by length, only their first characters are compiled."""
    compiled: list[str] = []
    real_compile = redact.re.compile
    monkeypatch.setattr(redact.re, "compile", lambda pattern, *a: compiled.append(pattern) or real_compile(pattern, *a))
    values = [f"rctoken{index:06d}value" for index in range(500)]
    redactor = Redactor(*values)
    assert redactor(f"one {values[7]} two") == f"one {MASK} two"
    assert not any(value in pattern for pattern in compiled for value in values)


def test_values_registered_while_reporting_are_masked_compiled_or_not() -> None:
    """A remote run registers every minted token while it reports: each is masked at once,
    before and after it joins the compiled pattern."""
    redactor = Redactor()
    values = [f"rc-token-{index:06d}-value" for index in range(1000)]
    for index, value in enumerate(values):
        redactor.add(value)
        if index % 3 == 0:
            assert redactor(f"report text with {value} in it") == f"report text with {MASK} in it"
    masked = redactor(" ".join(values))
    assert not any(value in masked for value in values)
