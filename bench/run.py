"""Benchmark the contract suite: issue 21's four figures by default; in detail, wall time,
throughput against the raw-HTTP floor and the plain schemathesis CLI, scaling, time to first
failure and faults caught per second.

From the repository root::

    python bench/run.py [--with-project-tests] [--samples N]      # the four figures (figures.py)
    python bench/run.py --detail [--quick] [--runs N] [--out bench/results.json]

The detailed run prints a table and writes every sample, the medians and the machine's details as JSON.
``bench/README.md`` says what each figure means and what the profile found.

Why a script and not a timed test: timings on a shared 2-core machine are noisy, so they are
medians reported beside the targets, never a pass/fail gate in the default pytest run
(``bench/`` is outside ``testpaths``).

Why probes and a time budget: the suite grows (semantic tests are being added), and a fixed
"N runs of everything" plan would grow with it past any reasonable benchmark time. Every
measurement is a ``Probe``. Pass 1 takes one sample of each, in priority order; pass 2 takes
more samples, round-robin (so background load drifts over all figures alike), while the
budget lasts. A probe that cannot fit is reported as skipped, never silently dropped.
Nothing here lists tests, only the three headline planted bugs and the three contracts the
plain CLI can authenticate to, so the figures follow the suite as it grows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _measure as m
import _report
from _measure import median

HEADLINE_BUGS = ("no-www-authenticate", "missing-token-accepted", "server-error-on-empty-body")
CLI_CONTRACTS = ("rfc7009", "mollie", "voucherify")
THROUGHPUT_CONTRACT = "rfc7009"
BUDGET_EXAMPLES = 50  # the suite's default --max-examples, passed explicitly wherever tools are compared
TARGETS = {
    "default_run_all_s": 30.0,
    "slowest_contract_s": 10.0,
    "throughput_ratio": 0.5,
    "time_to_first_failure_s": 3.0,
}
PACKAGES = ("pytest", "schemathesis", "hypothesis", "requests", "urllib3", "uvicorn", "starlette", "pytest-xdist")


@dataclass
class Probe:
    """One measurement, sampled once or more; ``guess`` estimates its first sample's cost."""

    key: str
    action: Callable[[], dict[str, Any]]
    guess: Callable[[], float]
    repeat: bool = True
    samples: list[dict[str, Any]] = field(default_factory=list)
    skipped: str | None = None

    @property
    def valid(self) -> list[dict[str, Any]]:
        """Samples that measured what they claim (see ``SuiteRun.valid``); baselines always are."""
        return [sample for sample in self.samples if sample.get("valid", True)]

    def estimate(self) -> float:
        if self.samples:
            return median([sample["elapsed_s"] - sample.get("warmup_s", 0.0) for sample in self.samples]) or 0.0
        return self.guess()

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        sample = self.action()
        sample["elapsed_s"] = round(time.monotonic() - started, 3)
        self.samples.append(sample)
        wall = sample.get("wall_s")
        detail = f"wall {wall:.2f} s" if isinstance(wall, float) else f"{sample['elapsed_s']:.2f} s"
        summary = sample.get("summary") or sample.get("result") or ""
        log(f"{self.key} #{len(self.samples)}: {detail} {summary}")
        return sample


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Bench:
    """Builds the probes for a plan and runs them within the time budget."""

    def __init__(self, args: argparse.Namespace, scratch: Path) -> None:
        self.quick = args.quick
        self.runs = args.runs or (1 if args.quick else 3)
        self.budget = args.budget or (110.0 if args.quick else 540.0)
        self.scratch = scratch
        self.started = time.monotonic()
        self.floor_seconds = 1.0 if self.quick else 2.0
        self.probes: dict[str, Probe] = {}
        self.warmed = False
        self.xdist = _installed("pytest-xdist")

    # -- cost guesses before a probe's first sample ------------------------------------------

    def default_wall(self) -> float:
        probe = self.probes.get("default/as_configured")
        return probe.estimate() if probe and probe.samples else 0.0

    def scaled(self, factor: float, floor: float = 0.0) -> Callable[[], float]:
        return lambda: max(self.default_wall() * factor, floor)

    # -- the probes ----------------------------------------------------------------------------

    def add(
        self, key: str, action: Callable[[], dict[str, Any]], guess: Callable[[], float], repeat: bool = True
    ) -> None:
        self.probes[key] = Probe(key, action, guess, repeat)

    def build(self, sections: set[str]) -> None:
        from revocation_contracts.reference.bugs import BUGS

        self.add("default/as_configured", partial(self.suite_sample, []), lambda: 0.0)
        if "per-contract" in sections and not self.quick:
            self.add_per_contract()
        if "failures" in sections:
            for bug in HEADLINE_BUGS:
                if bug in BUGS:
                    self.add(f"ttff/{bug}", partial(self.bug_run, bug), self.scaled(0.3, 4.0))
        if "throughput" in sections:
            floor_cost = 3 * self.floor_seconds + 3
            self.add("throughput/suite", self.throughput_suite, self.scaled(0.3, 5.0))
            self.add("throughput/floor", self.throughput_floor, lambda: floor_cost)
            self.add("throughput/embedded_suite", self.embedded_suite, self.scaled(0.3, 5.0))
            self.add("throughput/embedded_floor", self.embedded_floor, lambda: floor_cost)
        if "cli" in sections:
            for name in CLI_CONTRACTS[:1] if self.quick else CLI_CONTRACTS:
                if m.cli_auth_args(name) is None:
                    continue
                self.add(f"cli/{name}/schemathesis", partial(self.cli_sample, name), lambda: 5.0)
                self.add(f"cli/{name}/ours_schema_test", partial(self.ours_schema_sample, name), lambda: 6.0)
        if "per-contract" in sections and self.quick:
            self.add_per_contract()
        if "default" in sections:
            self.add("default/cold", self.cold_sample, self.scaled(1.3))
            self.add("default/warm", self.warm_sample, self.scaled(1.0))
        if "scaling" in sections:
            cells = [(10, 0), (200, 0)]
            if self.xdist:
                cells += [(BUDGET_EXAMPLES, 2)] if self.quick else [(BUDGET_EXAMPLES, 1), (BUDGET_EXAMPLES, 2)]
            for examples, workers in cells:
                args = ["--max-examples", str(examples)] + (["-n", str(workers)] if workers else [])
                factor = 0.5 + 0.5 * examples / BUDGET_EXAMPLES if not workers else 1.0
                self.add(f"scaling/{examples}/{workers}", partial(self.suite_sample, args), self.scaled(factor))
        if "failures" in sections and not self.quick:
            for bug in BUGS:
                if f"ttff/{bug}" not in self.probes:
                    self.add(f"sweep/{bug}", partial(self.bug_run, bug), self.scaled(0.3, 4.0), repeat=False)

    def add_per_contract(self) -> None:
        from revocation_contracts.model.contract import BUNDLED_NAMES

        for name in BUNDLED_NAMES:
            self.add(f"contract/{name}", partial(self.suite_sample, ["--spec", name]), self.scaled(0.3))

    def suite_sample(self, args: list[str]) -> dict[str, Any]:
        return m.run_suite(args).as_dict()

    def bug_run(self, bug: str) -> dict[str, Any]:
        deselect = [arg for nodeid in self.baseline_failures() for arg in ("--deselect", nodeid)]
        return m.run_suite(["-x", "--reference-bug", bug, *deselect]).as_dict()

    def baseline_failures(self) -> list[str]:
        """Tests failing in the clean default run (someone's work in progress): kept out of bug runs."""
        probe = self.probes["default/as_configured"]
        return sorted({nodeid for sample in probe.valid for nodeid in sample["failed"]})

    def throughput_suite(self) -> dict[str, Any]:
        def action(server: Any) -> dict[str, Any]:
            return m.run_suite(m.target_args(server)).as_dict()

        return m.measure_against(THROUGHPUT_CONTRACT, action)

    def throughput_floor(self) -> dict[str, Any]:
        return m.measure_against(
            THROUGHPUT_CONTRACT,
            lambda server: m.run_floor(server.base_url, THROUGHPUT_CONTRACT, self.floor_seconds, 50000),
        )

    def embedded_suite(self) -> dict[str, Any]:
        """The whole suite for one contract, embedded (semantic tests included), counted server-side."""
        sample = m.run_suite(["--spec", THROUGHPUT_CONTRACT], env={"BENCH_COUNT_SERVER": "1"}).as_dict()
        servers = sample["servers"]
        sample["server"] = servers[0] if servers else {"requests": 0, "window_s": 0.0, "server_busy_s": 0.0}
        return sample

    def embedded_floor(self) -> dict[str, Any]:
        return m.run_floor(None, THROUGHPUT_CONTRACT, self.floor_seconds, 50000)

    def cli_sample(self, name: str) -> dict[str, Any]:
        return m.measure_against(name, lambda server: m.run_schemathesis_cli(name, server.base_url, BUDGET_EXAMPLES))

    def ours_schema_sample(self, name: str) -> dict[str, Any]:
        schema_test = m.REPO / "tests" / "contract" / "test_schema.py"
        paths = [str(schema_test)] if schema_test.exists() else list(m.SUITE_PATHS)

        def action(server: Any) -> dict[str, Any]:
            args = [*m.target_args(server), "--max-examples", str(BUDGET_EXAMPLES)]
            return m.run_suite(args, paths=paths).as_dict()

        return m.measure_against(name, action)

    def warm_env(self) -> dict[str, str | None]:
        return {"PYTHONPYCACHEPREFIX": str(self.scratch / "warm-pycache"), "PYTHONDONTWRITEBYTECODE": None}

    def cold_sample(self) -> dict[str, Any]:
        """No bytecode at all: every module, stdlib included, compiles; plugin packages are rewritten.

        The first cold run writes its bytecode into the warm cache (that costs little beside
        compiling), so it doubles as the warm variant's warm-up; later ones write nothing.
        """
        if not self.warmed:
            self.warmed = True
            return m.run_suite([], env=self.warm_env()).as_dict()
        prefix = tempfile.mkdtemp(prefix="cold-", dir=self.scratch)
        try:
            return m.run_suite([], env={"PYTHONPYCACHEPREFIX": prefix, "PYTHONDONTWRITEBYTECODE": "1"}).as_dict()
        finally:
            shutil.rmtree(prefix, ignore_errors=True)

    def warm_sample(self) -> dict[str, Any]:
        """Bytecode and assertion-rewrite caches allowed and already filled (outside the tree)."""
        warmup = 0.0
        if not self.warmed:
            started = time.monotonic()
            m.run_suite([], env=self.warm_env())
            warmup = time.monotonic() - started
            self.warmed = True
        sample = m.run_suite([], env=self.warm_env()).as_dict()
        sample["warmup_s"] = round(warmup, 3)
        return sample

    # -- scheduling ----------------------------------------------------------------------------

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def estimate(self, probe: Probe) -> float:
        """A probe's cost: its own samples, else similar probes' (other contracts, other bugs), else its guess."""
        if probe.samples:
            return probe.estimate()
        kind = probe.key.split("/", 1)[0]
        alike = {"contract": ("contract/",), "ttff": ("ttff/", "sweep/"), "sweep": ("ttff/", "sweep/")}.get(kind, ())
        siblings = [other.estimate() for key, other in self.probes.items() if other.samples and key.startswith(alike)]
        return median(siblings) or probe.guess()

    def execute(self, between_passes: Callable[[], None] | None = None) -> None:
        for probe in self.probes.values():  # pass 1: one sample each, in priority order
            essential = probe.key == "default/as_configured"
            cost = self.estimate(probe)
            if not essential and self.elapsed() + cost > self.budget:
                probe.skipped = f"over the {self.budget:.0f} s budget (estimated {cost:.0f} s)"
                log(f"{probe.key}: skipped, {probe.skipped}")
                continue
            probe.run()
            if essential and self.baseline_failures():
                log(f"the clean default run fails {len(self.baseline_failures())} test(s): deselected in bug runs")
        if between_passes is not None:
            between_passes()
        for _ in range(1, self.runs):  # pass 2: more samples, round-robin, while the budget lasts
            for probe in self.probes.values():
                if probe.repeat and probe.samples and self.elapsed() + probe.estimate() <= self.budget:
                    probe.run()

    def samples(self, prefix: str) -> dict[str, Probe]:
        return {key[len(prefix) :]: probe for key, probe in self.probes.items() if key.startswith(prefix)}


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


# -- summaries ---------------------------------------------------------------------------------


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _count(value: float | None) -> int | None:
    return None if value is None else round(value)


def summarize(probe: Probe) -> dict[str, Any]:
    """Medians of a suite probe's samples (wall, CPU, phases, requests), plus the samples."""
    samples = probe.valid
    invalid = [sample["summary"] for sample in probe.samples if not sample.get("valid", True)]
    if not samples:
        reason = probe.skipped or (f"no valid run: {invalid[-1]}" if invalid else "not run")
        return {"skipped": reason, "invalid": invalid, "samples": probe.samples}
    phase_names = sorted({name for sample in samples for name in sample.get("phases_s", {})})
    result = {
        "n": len(samples),
        "invalid": invalid,
        "wall_s": _round(median([sample["wall_s"] for sample in samples])),
        "wall_min_s": _round(min(sample["wall_s"] for sample in samples)),
        "cpu_s": _round(median([sample["cpu_s"] for sample in samples])),
        "phases_s": {name: _round(median([s["phases_s"].get(name) for s in samples])) for name in phase_names},
        "requests": _count(median([sample["requests"] for sample in samples])),
        "collected": max(sample["collected"] for sample in samples),
        "returncodes": [sample["returncode"] for sample in samples],
        "summary": samples[-1]["summary"],
        "samples": probe.samples,
    }
    tests = result["phases_s"].get("tests")
    result["requests_per_s"] = _round(result["requests"] / tests, 1) if tests and result["requests"] else None
    return result


def _throughput_mode(suite: Probe | None, floor: Probe | None, note: str) -> dict[str, Any]:
    if suite is None or floor is None or not suite.valid or not floor.valid:
        return {"skipped": "not run"}

    def rate(server: dict[str, float]) -> float | None:
        return server["requests"] / server["window_s"] if server["window_s"] else None

    suite_samples = suite.valid
    suite_rps = median([rate(sample["server"]) for sample in suite_samples])
    floors = {
        client: _round(median([sample[client]["rps"] for sample in floor.samples]), 1)
        for client in ("requests.Session", "http.client", "suite-transport")
    }
    busy = median(
        [s["server"]["server_busy_s"] / s["server"]["window_s"] for s in suite_samples if s["server"]["window_s"]]
    )
    plain = floors["requests.Session"]
    best_suite = max((rate(sample["server"]) or 0.0 for sample in suite_samples), default=0.0)
    best_floor = max((sample["requests.Session"]["rps"] for sample in floor.valid), default=0.0)
    best_ratio = best_suite / best_floor if best_floor else None
    return {
        "suite_rps": _round(suite_rps, 1),
        "suite_requests": _count(median([sample["server"]["requests"] for sample in suite_samples])),
        "suite_window_s": _round(median([sample["server"]["window_s"] for sample in suite_samples])),
        "suite_wall_s": _round(median([sample["wall_s"] for sample in suite_samples])),
        "suite_outcome": suite_samples[-1]["summary"],
        "server_busy_fraction_during_suite": _round(busy),
        "floor_rps": floors,
        "ratio_to_requests_floor": _round(suite_rps / plain, 4) if suite_rps and plain else None,
        "ratio_best": _round(best_ratio, 4) if best_ratio else None,
        "note": note,
        "suite_samples": suite.samples,
        "floor_samples": floor.samples,
    }


def summarize_throughput(bench: Bench) -> dict[str, Any]:
    probes = bench.probes
    return {
        "contract": THROUGHPUT_CONTRACT,
        "target_url": _throughput_mode(
            probes.get("throughput/suite"),
            probes.get("throughput/floor"),
            "one reference server in the benchmark process; the suite (--target-url) and the floor loop are "
            "separate processes against that same server, counted server-side. Without --token-command the "
            "semantic tests skip, so the suite's requests here are the schema and protocol tests'.",
        ),
        "embedded": _throughput_mode(
            probes.get("throughput/embedded_suite"),
            probes.get("throughput/embedded_floor"),
            "the default mode: the server is a thread of the suite's own process (shared GIL), the whole suite for "
            "this contract including semantic tests, counted server-side; the floor loop runs against a "
            "reference server thread in its own process, the same topology.",
        ),
    }


def summarize_cli(bench: Bench) -> dict[str, Any]:
    results: dict[str, Any] = {"budget_max_examples": BUDGET_EXAMPLES}
    for key, probe in bench.samples("cli/").items():
        contract, tool = key.split("/")
        samples = probe.valid
        if not samples:
            results.setdefault(contract, {})[tool] = {"skipped": probe.skipped or "no valid run"}
            continue
        windows = [s["server"]["requests"] / s["server"]["window_s"] for s in samples if s["server"]["window_s"]]
        results.setdefault(contract, {})[tool] = {
            "wall_s": _round(median([s["wall_s"] for s in samples])),
            "cpu_s": _round(median([s["cpu_s"] for s in samples])),
            "requests": _count(median([s["server"]["requests"] for s in samples])),
            "rps": _round(median(windows), 1),
            "result": samples[-1].get("result") or samples[-1].get("summary"),
            "samples": samples,
        }
    results["not_compared"] = {
        name: "credentials travel in the request body; the plain CLI generates those fields and cannot pin them"
        for name in ("polar", "auth0")
    }
    return results


def summarize_failures(bench: Bench) -> dict[str, Any]:
    ttff: dict[str, Any] = {}
    for bug, probe in bench.samples("ttff/").items():
        samples = probe.valid
        if not samples:
            ttff[bug] = {"skipped": probe.skipped or "no valid run"}
            continue
        ttff[bug] = {
            "wall_to_exit_s": _round(median([s["wall_s"] for s in samples])),
            "wall_to_exit_best_s": _round(min(s["wall_s"] for s in samples)),
            "first_failure_at_s": _round(median([s["phases_s"].get("first_failure_at") for s in samples])),
            "startup_s": _round(median([s["phases_s"].get("startup") for s in samples])),
            "cpu_s": _round(median([s["cpu_s"] for s in samples])),
            "detected": all(s["returncode"] == 1 and s["failed"] for s in samples),
            "first_failed_test": samples[-1]["failed"][:1],
            "samples": samples,
        }
    sweep: dict[str, Any] = {}
    for prefix in ("ttff/", "sweep/"):
        for bug, probe in bench.samples(prefix).items():
            if probe.valid:
                first = probe.valid[0]
                caught = first["returncode"] == 1 and bool(first["failed"])
                sweep[bug] = {"wall_s": first["wall_s"], "detected": caught, "first_failed_test": first["failed"][:1]}
    skipped = [bug for bug, probe in bench.samples("sweep/").items() if not probe.valid]
    total = sum(entry["wall_s"] for entry in sweep.values())
    caught = sum(entry["detected"] for entry in sweep.values())
    walls = [s["wall_s"] for probe in bench.samples("ttff/").values() for s in probe.valid]
    return {
        "time_to_first_failure": ttff,
        "median_wall_to_exit_s": _round(median(walls)),
        "sweep": sweep,
        "sweep_skipped_over_budget": skipped,
        "faults_caught": caught,
        "faults_run": len(sweep),
        "sweep_wall_s": round(total, 3),
        "faults_per_second": _round(caught / total if total else None, 4),
        "baseline_failures_deselected": bench.baseline_failures(),
    }


def summarize_all(bench: Bench) -> dict[str, Any]:
    results: dict[str, Any] = {}
    results["default_run"] = {
        variant: summarize(bench.probes[f"default/{variant}"])
        for variant in ("cold", "as_configured", "warm")
        if f"default/{variant}" in bench.probes
    }
    results["default_run"]["PYTHONDONTWRITEBYTECODE"] = os.environ.get("PYTHONDONTWRITEBYTECODE")
    if any(key.startswith("contract/") for key in bench.probes):
        results["per_contract"] = {name: summarize(probe) for name, probe in bench.samples("contract/").items()}
    if "throughput/suite" in bench.probes:
        results["throughput"] = summarize_throughput(bench)
    if any(key.startswith("cli/") for key in bench.probes):
        results["schemathesis_cli"] = summarize_cli(bench)
    if any(key.startswith("scaling/") for key in bench.probes):
        cells = []
        for key, probe in bench.samples("scaling/").items():
            examples, workers = (int(part) for part in key.split("/"))
            cells.append({"max_examples": examples, "workers": workers, **summarize(probe)})
        default = results["default_run"]["as_configured"]
        cells.append({"max_examples": BUDGET_EXAMPLES, "workers": 0, **default, "note": "the default run"})
        results["scaling"] = sorted(cells, key=lambda cell: (cell["workers"], cell["max_examples"]))
    if any(key.startswith(("ttff/", "sweep/")) for key in bench.probes):
        results["failures"] = summarize_failures(bench)
    return results


def verdicts(results: dict[str, Any]) -> dict[str, Any]:
    """Each target against the median (the verdict) and against the best sample (what an
    uncontended machine gets; on a shared machine the two can differ by a factor of two)."""
    checks: dict[str, tuple[float, float | None, float, str]] = {}
    default = results.get("default_run", {}).get("as_configured", {})
    if default.get("wall_s") is not None:
        checks["default_run_all_s"] = (default["wall_s"], default["wall_min_s"], TARGETS["default_run_all_s"], "<")
    contracts = [entry for entry in results.get("per_contract", {}).values() if entry.get("wall_s") is not None]
    if contracts:
        slowest = max(entry["wall_s"] for entry in contracts)
        slowest_best = max(entry["wall_min_s"] for entry in contracts)
        checks["slowest_contract_s"] = (slowest, slowest_best, TARGETS["slowest_contract_s"], "<")
    for mode in ("target_url", "embedded"):
        entry = results.get("throughput", {}).get(mode, {})
        if entry.get("ratio_to_requests_floor") is not None:
            ratio, best = entry["ratio_to_requests_floor"], entry["ratio_best"]
            checks[f"throughput_ratio_{mode}"] = (ratio, best, TARGETS["throughput_ratio"], ">=")
    failures = results.get("failures", {})
    if failures.get("median_wall_to_exit_s") is not None:
        best = median([entry.get("wall_to_exit_best_s") for entry in failures["time_to_first_failure"].values()])
        checks["time_to_first_failure_s"] = (
            failures["median_wall_to_exit_s"],
            _round(best),
            TARGETS["time_to_first_failure_s"],
            "<",
        )

    def met(value: float | None, target: float, op: str) -> bool | None:
        if value is None:
            return None
        return value < target if op == "<" else value >= target

    return {
        name: {
            "value": value,
            "best": best,
            "target": target,
            "op": op,
            "met": met(value, target, op),
            "met_by_best": met(best, target, op),
        }
        for name, (value, best, target, op) in checks.items()
    }


def environment() -> dict[str, Any]:
    versions = {name: metadata.version(name) if _installed(name) else None for name in PACKAGES}
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=m.REPO, capture_output=True, text=True, timeout=10)
        commit = head.stdout.strip() or None
    except OSError:
        commit = None
    return {
        **m.cpu_info(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
        "git_head": commit,
        "loadavg_start": os.getloadavg(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    sections_all = ["default", "per-contract", "throughput", "cli", "scaling", "failures"]
    parser = argparse.ArgumentParser(description="Benchmark the revocation contract suite (see bench/README.md).")
    parser.add_argument("--quick", action="store_true", help="one sample per figure, fewer points (about 2 minutes)")
    parser.add_argument("--runs", type=int, help="samples per figure, median reported (default 3, quick 1)")
    parser.add_argument("--budget", type=float, help="seconds to spend on samples (default 540, quick 110)")
    parser.add_argument(
        "--out", type=Path, help="where to write the JSON (bench/results.json, figures: bench/figures.json)"
    )
    parser.add_argument(
        "--profile", dest="profile", action="store_true", default=None, help="profile, even over budget"
    )
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="skip the py-spy profile")
    parser.add_argument("--only", nargs="+", choices=sections_all, help="run only these sections")
    parser.add_argument("--repo", type=Path, help="benchmark another checkout (its src/ first on PYTHONPATH)")
    parser.add_argument("--detail", action="store_true", help="the detailed benchmark, not the four figures")
    parser.add_argument(
        "--with-project-tests", action="store_true", help="measure figure 4 (minutes), not the last recorded value"
    )
    parser.add_argument(
        "--servers-in-child", action="store_true", help="figure 1 also with the servers in a child process"
    )
    parser.add_argument("--samples", type=int, default=3, help="runs of figure 1, median reported (default 3)")
    parser.add_argument(
        "--skip", nargs="+", default=[], choices=("embedded", "command", "far"), help="figures to leave out"
    )
    args = parser.parse_args(argv)
    if not (args.detail or args.quick or args.only or args.runs or args.budget or args.profile):
        if args.repo:
            m.use_repo(args.repo.resolve())
        return four_figures(args)
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be at least 1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so children are killed on the way out
    if args.repo:
        m.use_repo(args.repo.resolve())
    sections = set(args.only or sections_all)
    results: dict[str, Any] = {"environment": environment(), "targets_definition": TARGETS}
    with tempfile.TemporaryDirectory(prefix="rc-bench-") as scratch:
        bench = Bench(args, Path(scratch))
        bench.build(sections)

        def profile() -> None:
            """After pass 1, so that repeats, not the profile, give way when time runs short."""
            affordable = bench.elapsed() + 1.5 * bench.default_wall() <= bench.budget
            if args.profile is True or (args.profile is None and not bench.quick and affordable):
                from _profile import profile_suite

                log("profiling the default run with py-spy")
                started = time.monotonic()
                results["profile"] = profile_suite([])
                results["profile"]["elapsed_s"] = round(time.monotonic() - started, 1)

        bench.execute(between_passes=profile)
        results["plan"] = {
            "quick": bench.quick,
            "runs": bench.runs,
            "budget_s": bench.budget,
            "samples": {key: len(probe.samples) for key, probe in bench.probes.items()},
            "skipped": {key: probe.skipped for key, probe in bench.probes.items() if probe.skipped},
        }
        results.update(summarize_all(bench))
    results["targets"] = verdicts(results)
    results["environment"]["loadavg_end"] = os.getloadavg()
    results["environment"]["bench_wall_s"] = round(bench.elapsed(), 1)
    table = _report.render(results)
    results["table"] = table.splitlines()
    args.out = args.out or Path("bench/results.json")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(table)
    print(f"\n(benchmark took {results['environment']['bench_wall_s']:.0f} s; JSON written to {args.out})")
    return 0


def four_figures(args: argparse.Namespace) -> int:
    """Issue 21's four figures beside their targets (``figures.py``), with machine, load and commit."""
    import figures

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    env = environment()
    measured = figures.measure_all(max(args.samples, 1), args.with_project_tests, set(args.skip), args.servers_in_child)
    env["commit"] = (env.get("git_head") or "unknown")[:7]
    env["load_start"] = round(env["loadavg_start"][0], 2)
    env["load_end"] = round(os.getloadavg()[0], 2)
    table = figures.render(measured, env)
    out = args.out or Path("bench/figures.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"environment": env, "figures": measured, "table": table.splitlines()}, indent=2) + "\n")
    print(table)
    print(f"\n(JSON written to {out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
