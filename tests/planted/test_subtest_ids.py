"""Schemathesis' per-operation sub-tests are reported under one id without a space (issue 8).

Schemathesis names the sub-test of each API operation ``<test id>[POST /v1/oauth2/revoke]``;
the suite reports it as ``<test id>[POST:/v1/oauth2/revoke]`` (``pytest_plugin/subtest_ids.py``).
A CI log must be greppable by that one id wherever a reader meets it, so a run against a
server with a planted schema bug must show it in the terminal (the failure section's header
and the short summary's ``SUBFAILED`` line), in JUnit XML, in ``--report`` and in pytest's
last-failed cache; the passing sub-tests of the same run (listed with ``-vv``, which ``-q`` halves) are named the
same way. One cheap child run (``-k test_schema_conformance``). Under pytest-xdist, where the
controller renames what the workers send, ``tests/plugin/test_xdist.py`` checks the ids of
its whole-suite run.
"""

from __future__ import annotations

import json
import re

from .conftest import run_suite

FAILING = "test_schema.py::test_schema_conformance[polar][POST:/v1/oauth2/revoke]"
PASSING = "test_schema.py::test_schema_conformance[rfc7009][POST:/revoke]"
# schemathesis' own forms: a sub-test id or a sub-test label with a space.
SPACED = ("[POST /", "label='POST /")


def _in_module(text: str) -> str:
    """``test_schema.py::...`` out of a path-qualified id (the path depends on the working directory)."""
    found = re.search(r"test_schema\.py::\S+", text)
    return found.group(0) if found else text


def test_subtests_have_one_id_without_a_space(tmp_path):
    """``wrong-success-content-type`` fails polar's one operation (DOC-polar-success); rfc7009
    documents no success body, so its operation passes in the same run."""
    cache = tmp_path / "cache"
    report = tmp_path / "report.html"
    run = run_suite(
        tmp_path,
        ["polar", "rfc7009"],
        bugs=["wrong-success-content-type"],
        seed=0,
        select="test_schema_conformance",
        extra=["-vv", "--report", str(report)],
        cache_dir=cache,
    )
    assert run.returncode == 1, run.describe()
    assert run.outcomes.get(FAILING) == "failed", f"{sorted(run.outcomes)}\n{run.describe()}"
    assert "DOC-polar-success" in run.texts[FAILING], run.texts[FAILING]
    assert run.outcomes.get(PASSING) == "passed", f"{sorted(run.outcomes)}\n{run.describe()}"
    assert not [test_id for test_id in run.outcomes if " " in test_id], sorted(run.outcomes)  # JUnit names
    lines = run.output.splitlines()
    summary = [line for line in lines if line.startswith("SUBFAILED ")]
    assert len(summary) == 1 and re.fullmatch(rf"SUBFAILED \S*{re.escape(FAILING)}( - .*)?", summary[0]), summary
    name = FAILING.partition("::")[2]
    headers = [line for line in lines if line.startswith("_") and f" {name} " in line]
    assert headers and "(label='POST:/v1/oauth2/revoke')" in headers[0], run.describe()
    listed = {_in_module(line): line.split()[1] for line in lines if " SUBPASSED" in line or " SUBFAILED" in line}
    assert listed.get(FAILING) == "SUBFAILED" and listed.get(PASSING) == "SUBPASSED", listed
    assert not any(spaced in run.output for spaced in SPACED), run.describe()
    page = report.read_text(encoding="utf-8")
    assert f"<code>{FAILING}</code>" in page, page[-3000:]
    assert not any(spaced in page for spaced in SPACED)
    lastfailed = json.loads((cache / "v" / "cache" / "lastfailed").read_text(encoding="utf-8"))
    assert [_in_module(test_id) for test_id in lastfailed] == [FAILING], lastfailed
