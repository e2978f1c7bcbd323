"""Run the project's contract suite against an independently written server.

The server in ``server.py`` was written from CONTRACTS.md alone, on ``http.server`` rather than
Starlette/uvicorn, and deliberately takes the less obvious answer wherever the contract allows a
choice. The suite must pass it for every contract and every seed (no false positives), and must
fail it once a revoked token is left alive (negative control).

Each test starts its own server and runs the suite in a subprocess against it, so pytest-xdist
spreads the runs over its workers (a shared fixture would start every run once per worker).
Each run uses ``--max-examples`` from ``$INDIE_MAX_EXAMPLES`` (default 2) to keep the module
short; raise it for a thorough run. ``$INDIE_SEEDS`` (1 to 5, default 1) is how many seeds each
reading of each contract runs under: the default run proves both readings under one seed each,
``INDIE_SEEDS=5`` is the five-seed sweep. The planted-bug runs stop at the first failure (``-x``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.independent.server import CLIENT_1, CLIENT_2, CLIENTS, CONTRACT_NAMES, RFC7009_PATH, IndieServer

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# The first seed of each list is the default run's; INDIE_SEEDS=5 runs all five.
OWN_READING_SEEDS = (20240611, 7, 2024, 31337, 4_000_000_007)
OTHER_READING_SEEDS = (3141592653, 11, 4096, 65537, 2_718_281_828)
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
    other_reading: bool = False  # the other answer wherever CONTRACTS.md allows two

    @property
    def id(self) -> str:
        suffix = ("-broken" if self.broken else "") + ("-other-reading" if self.other_reading else "")
        return f"{self.contract}-seed{self.seed}{suffix}"


# Each contract: the server's own choices, and the other reading (empty parameters omitted, no
# challenge without Basic, 404 for other methods, lenient media types), each under its seeds.
JOBS = (
    [Job(c, seed) for c in CONTRACT_NAMES for seed in OWN_READING_SEEDS[:SEED_COUNT]]
    + [Job(c, seed, other_reading=True) for c in CONTRACT_NAMES for seed in OTHER_READING_SEEDS[:SEED_COUNT]]
    + [Job(c, OWN_READING_SEEDS[0], broken=True) for c in NEGATIVE]
)


@dataclass
class Outcome:
    returncode: int
    output: str

    def tail(self, lines: int = 80) -> str:
        return "\n".join(self.output.splitlines()[-lines:])

    def digest(self) -> str:
        """The suite's verdict lines: failing test ids, schemathesis findings, and the answers."""
        keep = ("FAILED", "SUBFAILED", "ERROR", "- ST", "Expected", "[4", "[5", "`{", "curl", "expected:", "got:")
        lines = [line.strip(" |") for line in self.output.splitlines()]
        picked = [line for line in lines if line.lstrip().startswith(keep)]
        return "\n".join(dict.fromkeys(picked)) or self.tail()


def _command(job: Job, server: IndieServer) -> list[str]:
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
    ]
    if job.broken:
        cmd.append("-x")
    if job.contract == "rfc7009":
        cmd += ["--endpoint-path", RFC7009_PATH]
    return cmd


def _run(job: Job, server: IndieServer) -> Outcome:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REVOKE_", "PYTEST_"))}
    env["INDIE_ADMIN_URL"] = server.admin_url
    try:
        proc = subprocess.run(
            _command(job, server),
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
    return Outcome(proc.returncode, proc.stdout)


def run_job(job: Job) -> Outcome:
    """The suite against a fresh independent server for ``job``, stopped when the run ends."""
    with IndieServer(job.contract, break_revocation=job.broken, other_reading=job.other_reading) as server:
        return _run(job, server)


@pytest.mark.parametrize("job", [j for j in JOBS if not j.broken], ids=lambda j: j.id)
def test_contract_suite_passes_independent_server(job: Job) -> None:
    outcome = run_job(job)
    code = outcome.returncode
    assert code == 0, (
        f"contract suite failed against the independent {job.contract} server "
        f"(seed {job.seed}, exit {code}):\n{outcome.digest()}"
    )
    if job.other_reading:
        # The other reading earns warnings, never failures: 404 for other methods (PIN-method-405).
        assert "[PIN-method-405]" in outcome.output, outcome.tail()


@pytest.mark.parametrize("job", [j for j in JOBS if j.broken], ids=lambda j: j.id)
def test_contract_suite_catches_planted_bug(job: Job) -> None:
    outcome = run_job(job)
    code = outcome.returncode
    assert code == 1, (
        f"a revoked token that stays active went unnoticed for {job.contract} (exit {code}):\n{outcome.tail()}"
    )
    failed = [line for line in outcome.output.splitlines() if line.startswith(("FAILED", "SUBFAILED"))]
    assert failed, outcome.tail()
    assert all("test_semantics.py" in line for line in failed), (
        f"the planted bug should fail a semantic check, not: {failed}"
    )


def test_tokens_need_percent_decoding() -> None:
    """The server's tokens exercise form decoding: '+', '/' and '=' all occur."""
    with IndieServer("polar") as server:
        seen = "".join(v for _ in range(40) for v in server.contract.mint(CLIENT_1).values())
    assert {"+", "/", "="} <= set(seen)
