"""Run the project's contract suite against an independently written server.

The server in ``server.py`` was written from the project's rules alone, on ``http.server`` rather than
Starlette/uvicorn, and deliberately takes the less obvious answer wherever the contract allows a
choice. The suite must pass it for every contract and every seed (no false positives): every
semantic property that applies runs and passes, and each reading earns exactly its warnings. It
must fail it once a revoked token is left alive (negative control), on property 1 alone.

Each test starts its own server and runs the suite in a subprocess against it, so pytest-xdist
spreads the runs over its workers (a shared fixture would start every run once per worker).
Each run uses ``--max-examples`` from ``$INDIE_MAX_EXAMPLES`` (default 2) to keep the module
short; raise it for a thorough run. ``$INDIE_SEEDS`` (1 to 5, default 1) is how many seeds each
reading of each contract runs under: the default run proves the three readings under one seed
each, ``INDIE_SEEDS=5`` is the five-seed sweep. The planted-bug runs stop at the first failure (``-x``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from revocation_contracts.semantics import PROPERTIES
from tests.independent.server import (
    CLIENT_1,
    CLIENT_2,
    CLIENTS,
    CONTRACT_NAMES,
    FRAMEWORK,
    OTHER,
    OWN,
    RFC7009_PATH,
    IndieServer,
)
from tests.planted.conftest import SuiteRun, parse_junit, parse_properties
from tests.planted.test_faithful_seeds import applies

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# The first seed of each list is the default run's; INDIE_SEEDS=5 runs all five.
OWN_READING_SEEDS = (20240611, 7, 2024, 31337, 4_000_000_007)
OTHER_READING_SEEDS = (3141592653, 11, 4096, 65537, 2_718_281_828)
FRAMEWORK_READING_SEEDS = (1618033988, 13, 8192, 524287, 1_414_213_562)
SEED_COUNT = max(1, min(5, int(os.environ.get("INDIE_SEEDS", "1"))))
# Contracts run with the planted bug (a revoked token stays active). Both pass cleanly without it,
# so the failure can only come from the bug.
NEGATIVE = ("polar", "voucherify")
RUN_TIMEOUT = 600
MAX_EXAMPLES = os.environ.get("INDIE_MAX_EXAMPLES", "2")


@dataclass(frozen=True)
class Job:
    contract: str
    seed: int
    broken: bool = False
    reading: str = OWN  # OTHER: the other answer wherever the rules allow two; FRAMEWORK: see server.py

    @property
    def id(self) -> str:
        suffix = ("-broken" if self.broken else "") + ("" if self.reading == OWN else f"-{self.reading}-reading")
        return f"{self.contract}-seed{self.seed}{suffix}"


# Each contract: the server's own choices, the other reading (empty parameters omitted, no
# challenge without Basic, 404 for other methods, lenient media types), and the framework reading
# (query and body merged, JSON parsed besides forms, an HTML 400 for other media types, RFC 7009's
# absent token answered 200), each under its seeds.
JOBS = (
    [Job(c, seed) for c in CONTRACT_NAMES for seed in OWN_READING_SEEDS[:SEED_COUNT]]
    + [Job(c, seed, reading=OTHER) for c in CONTRACT_NAMES for seed in OTHER_READING_SEEDS[:SEED_COUNT]]
    + [Job(c, seed, reading=FRAMEWORK) for c in CONTRACT_NAMES for seed in FRAMEWORK_READING_SEEDS[:SEED_COUNT]]
    + [Job(c, OWN_READING_SEEDS[0], broken=True) for c in NEGATIVE]
)
# The warnings each reading earns, exactly (clause ids over the whole run): a reading the rules
# allow is a pass or a warning, never a failure, and a warning nobody expects is a regression.
# Own choices: rfc7009 answers another method 400 (as oauthlib does). Other reading: 404 for other
# methods, a body of another media type read as a form (not on Voucherify, whose document refuses
# it), and a 401 without a challenge where the client sent no Authorization header (a 401 to body
# credentials: Mollie has no other way in, rfc7009's server answers 401 to absent credentials).
# Framework reading: a token only in the query string revokes (PIN-query-token), a form-only
# contract accepts the JSON probe (PIN-media-type; not Voucherify), rfc7009 answers 200 to an absent
# token (PIN-missing-token-as-invalid); its HTML 400 refusals of other media types earn nothing.
_METHOD, _MEDIA, _CHALLENGE = "PIN-method-405", "PIN-media-type", "RFC9110-15.5.2"
_QUERY, _ABSENT = "PIN-query-token", "PIN-missing-token-as-invalid"
EXPECTED_WARNINGS: dict[tuple[str, str], frozenset[str]] = {
    (reading, contract): frozenset(clauses)
    for reading, contract, clauses in (
        (OWN, "polar", ()),
        (OWN, "voucherify", ()),
        (OWN, "mollie", ()),
        (OWN, "auth0", ()),
        (OWN, "rfc7009", (_METHOD,)),
        (OTHER, "polar", (_METHOD, _MEDIA)),
        (OTHER, "voucherify", (_METHOD,)),
        (OTHER, "mollie", (_METHOD, _MEDIA, _CHALLENGE)),
        (OTHER, "auth0", (_METHOD, _MEDIA)),
        (OTHER, "rfc7009", (_METHOD, _MEDIA, _CHALLENGE)),
        (FRAMEWORK, "polar", (_QUERY, _MEDIA)),
        (FRAMEWORK, "voucherify", (_QUERY,)),
        (FRAMEWORK, "mollie", (_QUERY,)),
        (FRAMEWORK, "auth0", (_QUERY,)),
        (FRAMEWORK, "rfc7009", (_METHOD, _QUERY, _MEDIA, _ABSENT)),
    )
}


@dataclass
class Outcome:
    returncode: int
    output: str
    run: SuiteRun | None = None

    def tail(self, lines: int = 80) -> str:
        return "\n".join(self.output.splitlines()[-lines:])

    def digest(self) -> str:
        """The suite's verdict lines: failing test ids, schemathesis findings, and the answers."""
        keep = ("FAILED", "SUBFAILED", "ERROR", "- ST", "Expected", "[4", "[5", "`{", "curl", "expected:", "got:")
        lines = [line.strip(" |") for line in self.output.splitlines()]
        picked = [line for line in lines if line.lstrip().startswith(keep)]
        return "\n".join(dict.fromkeys(picked)) or self.tail()

    def warnings(self) -> set[str]:
        """Clause ids of every warning the run recorded (JUnit ``revocation-violation`` properties)."""
        assert self.run is not None
        return {
            json.loads(value)["clause"]
            for properties in self.run.properties.values()
            for name, value in properties
            if name == "revocation-violation" and json.loads(value)["level"] == "warning"
        }


def _command(job: Job, server: IndieServer, junit: Path) -> list[str]:
    py = sys.executable
    cmd = [
        py,
        "-m",
        "pytest",
        str(REPO / "tests" / "contract"),
        "--spec",
        job.contract,
        "--target-url",
        server.base_url,
        "--client-id",
        CLIENT_1,
        "--client-secret",
        CLIENTS[CLIENT_1],
        "--second-client-id",
        CLIENT_2,
        "--second-client-secret",
        CLIENTS[CLIENT_2],
        "--token-command",
        f"{py} {HERE / 'token_command.py'}",
        "--probe-command",
        f"{py} {HERE / 'probe_command.py'}",
        "--hypothesis-seed",
        str(job.seed),
        "--max-examples",
        MAX_EXAMPLES,
        "-p",
        "no:cacheprovider",
        "-q",
        f"--junitxml={junit}",
    ]
    if job.broken:
        cmd.append("-x")
    if job.contract == "rfc7009":
        cmd += ["--endpoint-path", RFC7009_PATH]
    return cmd


def _run(job: Job, server: IndieServer, workdir: Path) -> Outcome:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REVOKE_", "PYTEST_"))}
    env["INDIE_ADMIN_URL"] = server.admin_url
    junit = workdir / "junit.xml"
    try:
        proc = subprocess.run(
            _command(job, server, junit),
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode(errors="replace")
        return Outcome(-1, out + f"\n[timed out after {RUN_TIMEOUT}s]")
    if not junit.is_file():
        return Outcome(proc.returncode, proc.stdout + "\n[no JUnit report written]")
    outcomes, texts = parse_junit(junit)
    run = SuiteRun(proc.returncode, proc.stdout, outcomes, texts, parse_properties(junit))
    return Outcome(proc.returncode, proc.stdout, run)


def run_job(job: Job, workdir: Path) -> Outcome:
    """The suite against a fresh independent server for ``job``, stopped when the run ends."""
    with IndieServer(job.contract, break_revocation=job.broken, reading=job.reading) as server:
        return _run(job, server, workdir)


@pytest.mark.parametrize("job", [j for j in JOBS if not j.broken], ids=lambda j: j.id)
def test_contract_suite_passes_independent_server(job: Job, tmp_path: Path) -> None:
    """Exit 0 is not enough (a run whose tests all skipped exits 0 too): every semantic property
    that applies to the contract ran and passed, and the run's warnings are exactly the reading's."""
    outcome = run_job(job, tmp_path)
    code = outcome.returncode
    assert code == 0, (
        f"contract suite failed against the independent {job.contract} server "
        f"(seed {job.seed}, exit {code}):\n{outcome.digest()}"
    )
    run = outcome.run
    assert run is not None, outcome.tail()
    assert not run.failed and not run.errors, f"failed: {sorted(run.failed)}; errors: {sorted(run.errors)}"
    for prop in PROPERTIES:
        test_id = f"test_semantics.py::{prop.test}[{job.contract}]"
        if applies(prop, job.contract):
            assert run.outcomes.get(test_id) == "passed", (
                f"{test_id}: {run.outcomes.get(test_id)}\n{run.texts.get(test_id)}"
            )
    unknown = f"test_protocol.py::test_unknown_token_answer[{job.contract}]"
    assert run.outcomes.get(unknown) == "passed", f"{unknown}: {run.outcomes.get(unknown)}"
    # The schema test ran (its id names the operation, with rfc7009's --endpoint-path here).
    schema = [
        test_id
        for test_id in run.passed
        if test_id.startswith(f"test_schema.py::test_schema_conformance[{job.contract}")
    ]
    assert schema, f"the schema test did not run and pass: {sorted(run.outcomes)}"
    expected = EXPECTED_WARNINGS[(job.reading, job.contract)]
    assert outcome.warnings() == expected, (
        f"{job.reading} reading of {job.contract}: warnings {sorted(outcome.warnings())}, expected {sorted(expected)}"
    )


@pytest.mark.parametrize("job", [j for j in JOBS if j.broken], ids=lambda j: j.id)
def test_contract_suite_catches_planted_bug(job: Job, tmp_path: Path) -> None:
    """A revoked token that stays active fails property 1 (the run stops there, ``-x``) and nothing else."""
    outcome = run_job(job, tmp_path)
    code = outcome.returncode
    assert code == 1, (
        f"a revoked token that stays active went unnoticed for {job.contract} (exit {code}):\n{outcome.tail()}"
    )
    run = outcome.run
    assert run is not None, outcome.tail()
    dead = next(prop for prop in PROPERTIES if prop.number == 1)
    test_id = f"test_semantics.py::{dead.test}[{job.contract}]"
    assert run.failed == {test_id}, f"expected only {test_id} to fail, got {sorted(run.failed)}\n{outcome.digest()}"
    assert re.search(r"\bproperty 1\b", run.texts[test_id]), run.texts[test_id][-3000:]


def test_tokens_need_percent_decoding() -> None:
    """The server's tokens exercise form decoding: '+', '/' and '=' all occur."""
    with IndieServer("polar") as server:
        seen = "".join(v for _ in range(40) for v in server.contract.mint(CLIENT_1).values())
    assert {"+", "/", "="} <= set(seen)
