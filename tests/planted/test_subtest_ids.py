"""The schema test is one pytest test per API operation, under an id the suite chooses (issue 20).

``test_schema_conformance[polar-POST:/v1/oauth2/revoke]``: the contract, a dash, the operation's
method, a colon and its documented path, never a space. A CI log must be greppable by that one
id wherever a reader meets it, so a run against a server with a planted schema bug must show it
in the terminal (the failure section's header and the short summary's ``FAILED`` line), in
JUnit XML, in ``--report`` and in pytest's last-failed cache, with and without pytest-xdist;
``--lf`` then reruns exactly that test. Its failure is the suite's compact violation text
(clause, expected, got, a curl line), with no exception-group traceback and no path inside
the installed packages. The passing operation of the same run is named the same way.
"""

from __future__ import annotations

import json
import re

import pytest

from .conftest import run_suite, schema_test_id

FAILING = schema_test_id("polar")
PASSING = schema_test_id("rfc7009")
# What a schemathesis sub-test or a raw exception group would print instead.
FOREIGN = ("[POST /", "label=", "SUBFAILED", "ExceptionGroup", "Traceback", "site-packages", "schemathesis/")


def _in_module(text: str) -> str:
    """``test_schema.py::...`` out of a path-qualified id (the path depends on the working directory)."""
    found = re.search(r"test_schema\.py::\S+", text)
    return found.group(0) if found else text


@pytest.mark.parametrize("workers", [0, 2], ids=["one-process", "xdist-2"])
def test_schema_test_ids_and_lf(tmp_path, workers):
    """``wrong-success-content-type`` fails polar's one operation (DOC-polar-success); rfc7009
    documents no success body, so its operation passes in the same run. Then ``--lf`` reruns
    the failing operation alone."""
    if workers:
        pytest.importorskip("xdist")
    cache = tmp_path / "cache"
    report = tmp_path / "report.html"
    parallel = ["-n", str(workers)] if workers else []
    run = run_suite(
        tmp_path,
        ["polar", "rfc7009"],
        bugs=["wrong-success-content-type"],
        seed=0,
        select="test_schema_conformance",
        extra=["-vv", "--report", str(report), *parallel],
        cache_dir=cache,
    )
    assert run.returncode == 1, run.describe()
    assert run.outcomes.get(FAILING) == "failed", f"{sorted(run.outcomes)}\n{run.describe()}"
    assert run.outcomes.get(PASSING) == "passed", f"{sorted(run.outcomes)}\n{run.describe()}"
    assert "[DOC-polar-success]" in run.texts[FAILING] and "curl -X POST" in run.texts[FAILING], run.texts[FAILING]
    assert not [test_id for test_id in run.outcomes if " " in test_id], sorted(run.outcomes)  # JUnit names
    lines = run.output.splitlines()
    summary = [line for line in lines if line.startswith("FAILED ")]
    assert len(summary) == 1 and re.fullmatch(rf"FAILED \S*{re.escape(FAILING)}( - .*)?", summary[0]), summary
    name = FAILING.partition("::")[2]
    assert [line for line in lines if line.startswith("_") and f" {name} " in line], run.describe()
    listed = {_in_module(line) for line in lines if "PASSED" in line or "FAILED" in line}
    assert {FAILING, PASSING} <= listed, listed
    assert not any(foreign in run.output for foreign in FOREIGN), run.describe()
    page = report.read_text(encoding="utf-8")
    assert f"<code>{FAILING}</code>" in page, page[-3000:]
    lastfailed = json.loads((cache / "v" / "cache" / "lastfailed").read_text(encoding="utf-8"))
    assert [_in_module(test_id) for test_id in lastfailed] == [FAILING], lastfailed

    again = run_suite(
        tmp_path, ["polar", "rfc7009"], bugs=["wrong-success-content-type"], seed=0, extra=["--lf"], cache_dir=cache
    )
    assert again.returncode == 1, again.describe()
    assert again.outcomes == {FAILING: "failed"}, f"{again.outcomes}\n{again.describe()}"
