"""The conformance report in a real browser: headless Chromium renders the synthetic suite's
report (every verdict state, planted secrets) and the test reads what it built and painted.

The synthetic suite is ``test_report.py``'s, plus one check that meets a throttled target
(``TargetThrottled``), so every state a reader can meet is on the page: pass, fail, warn,
skip, throttled (a skip saying so), xfail and XPASS(strict). The real suite's report gets
the same treatment in ``test_suite_outputs.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reporting.chromium import cell_states, render
from tests.reporting.helpers import visible_text
from tests.reporting.test_report import BASELINE, INI, PLANTED_SECRETS, SYNTHETIC

THROTTLED = """

@pytest.mark.clause("RFC 7009 section 2.2.1: 503 with Retry-After")
def test_throttled(contract):
    from revocation_contracts.transport.session import TargetThrottled
    raise TargetThrottled(503, 3)
"""


@pytest.fixture
def report(pytester: pytest.Pytester) -> Path:
    pytester.makeini(INI)
    pytester.makepyfile(test_synthetic=SYNTHETIC + THROTTLED)
    pytester.path.joinpath("baseline.yaml").write_text(BASELINE, encoding="utf-8")
    args = ["--spec", "polar", "--spec", "rfc7009", "--baseline", "baseline.yaml", "--report", "report.html"]
    pytester.runpytest("-p", "no:cacheprovider", *args)
    return pytester.path / "report.html"


def test_every_verdict_state_renders_in_chromium(report: Path, tmp_path: Path) -> None:
    rendering = render(report, tmp_path)
    states = cell_states(rendering.dom)
    assert {"pass", "fail", "warn", "skip", "xfail", "xpass"} <= set(states), states
    text = visible_text(rendering.dom)
    assert "Revocation contract conformance" in text
    assert "target throttled: the target kept answering 503" in text  # throttled is a skip that says so
    assert "RFC7009-2.1 the access token outlived its refresh token" in text  # the warning
    # Painted, not only parsed: each state's cell colour covers a cell on screen.
    assert rendering.width > 0 and {"pass", "fail", "warn", "skip", "xfail"} <= rendering.visible_states()
    for secret in PLANTED_SECRETS:
        assert secret not in rendering.dom
