"""Measurement primitives for ``run.py``: timed suite runs, a counting server, the baselines.

Why subprocesses everywhere: every figure is about what a user waits for, and a user starts a
fresh interpreter. Each suite run is ``python -m pytest tests/contract ...`` in the
repository, timed from just before the process starts to just after it exits, with the
``_timing`` plugin stamping the phases in between. The suite grows (semantic tests are being
added) and every figure follows it, because nothing here lists tests.

Why a counting server in this process: to count requests without trusting the client, and
to compare clients fairly. ``counting_server`` starts the project's own ``ReferenceServer``
with an ASGI middleware in front of the app that counts requests and the time the app spent
on them. The suite (``--target-url``), the raw-HTTP floor and the schemathesis CLI then run
as separate processes against the same server, so none of them shares a GIL with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
PYTHON = sys.executable
SCHEMATHESIS = str(Path(PYTHON).with_name("schemathesis"))
SUITE_PATHS = ("tests/contract",)
SUITE_OPTIONS = ("-p", "no:cacheprovider", "-q")
SUITE_COMMAND = ("-m", "pytest", *SUITE_PATHS, *SUITE_OPTIONS)
RUN_TIMEOUT = 300.0
EXTRA_PYTHONPATH: list[str] = []


def use_repo(path: Path) -> None:
    """Benchmark another checkout: run its tests, import its ``src`` first (here and in children)."""
    global REPO
    REPO = path
    source = str(path / "src")
    EXTRA_PYTHONPATH.insert(0, source)
    sys.path.insert(0, source)


def child_env(extra: dict[str, str | None] | None = None) -> dict[str, str]:
    """The environment for a child process: ours, plus ``extra`` (None removes a variable)."""
    env = dict(os.environ)
    for name, value in (extra or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH), *EXTRA_PYTHONPATH, env.get("PYTHONPATH")]))
    return env


def median(values: Sequence[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


# -- timed suite runs ---------------------------------------------------------------------------


@dataclass
class SuiteRun:
    """One ``pytest tests/contract`` process: its wall time and what the timing plugin saw."""

    args: list[str]
    wall: float
    returncode: int
    cpu: float = 0.0
    load: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    collected: int = 0
    requests: int = 0
    servers: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""

    @property
    def valid(self) -> bool:
        """The suite ran: tests collected, exit 0 (passed) or 1 (failures). Exit 2-5 (interrupted,
        internal or usage error, nothing collected) or the suite's 6-8 (target problems) mean
        the figure measures something else, e.g. a tree broken mid-edit; it is kept out of medians."""
        return self.returncode in (0, 1) and self.collected > 0

    @property
    def detected(self) -> bool:
        """A contract failure was reported (exit code 1: tests failed)."""
        return self.returncode == 1 and bool(self.failed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "args": self.args,
            "wall_s": round(self.wall, 3),
            "cpu_s": round(self.cpu, 3),
            "loadavg_1m": round(self.load, 2),
            "returncode": self.returncode,
            "valid": self.valid,
            "phases_s": {name: round(value, 3) for name, value in self.phases.items()},
            "outcomes": self.outcomes,
            "failed": self.failed,
            "collected": self.collected,
            "requests": self.requests,
            "servers": self.servers,
            "summary": self.summary,
        }


def _phases(stamps: dict[str, float], started: float, ended: float) -> dict[str, float]:
    """Split the wall time at the plugin's stamps (seconds, relative to process start)."""
    rel = {name: value - started for name, value in stamps.items()}
    phases: dict[str, float] = {}
    if "session_start" in rel:
        phases["startup"] = rel["session_start"]
    if "collection_finish" in rel and "session_start" in rel:
        phases["collection"] = rel["collection_finish"] - rel["session_start"]
    if "session_finish" in rel and "collection_finish" in rel:
        phases["tests"] = rel["session_finish"] - rel["collection_finish"]
    elif "session_finish" in rel and "session_start" in rel:
        # pytest-xdist: the controller collects nothing; its "tests" include the workers' start-up.
        phases["tests"] = rel["session_finish"] - rel["session_start"]
    if "unconfigure_end" in rel and "session_finish" in rel:
        phases["teardown"] = rel["unconfigure_end"] - rel["session_finish"]
        phases["exit"] = (ended - started) - rel["unconfigure_end"]
    if "first_failure" in rel:
        phases["first_failure_at"] = rel["first_failure"]
    return phases


def run_suite(
    args: Sequence[str],
    *,
    env: dict[str, str | None] | None = None,
    paths: Sequence[str] = SUITE_PATHS,
    timeout: float = RUN_TIMEOUT,
) -> SuiteRun:
    """Run the contract suite once in a fresh interpreter and time it."""
    with tempfile.TemporaryDirectory(prefix="rc-bench-") as scratch:
        out = os.path.join(scratch, "timing.json")
        full_env = child_env(env)
        full_env["BENCH_TIMING_OUT"] = out
        command = [PYTHON, "-m", "pytest", *paths, *SUITE_OPTIONS, "-p", "_timing", *args]
        load = os.getloadavg()[0]
        cpu_before = _children_cpu()
        started = time.time()
        output, returncode = _run_bounded(command, full_env, timeout)
        ended = time.time()
        run = SuiteRun(args=list(args), wall=ended - started, returncode=returncode, load=load)
        run.cpu = _children_cpu() - cpu_before
        run.summary = _summary_line(output)
        if os.path.exists(out):
            with open(out, encoding="utf-8") as handle:
                main = json.load(handle)
            run.phases = _phases(main["stamps"], started, ended)
            run.outcomes, run.failed, run.collected = main["outcomes"], main["failed"], main["collected"]
            run.requests = main["requests"]
            run.servers = main.get("servers", [])
        for worker_file in Path(scratch).glob("timing.json.*"):
            worker = json.loads(worker_file.read_text(encoding="utf-8"))
            run.requests += worker["requests"]
            run.collected = max(run.collected, worker["collected"])
        if run.returncode not in (0, 1):
            last_lines = output.strip().splitlines()[-1:]
            run.summary = f"[exit {run.returncode}] {run.summary or (last_lines[0] if last_lines else '')}"
        return run


def _children_cpu() -> float:
    """User + system CPU seconds of every child this process has waited for (xdist workers too)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_bounded(
    command: Sequence[str], env: dict[str, str], timeout: float, cwd: Path | None = None
) -> tuple[str, int]:
    """Run a child in its own process group; kill the whole group on timeout or interruption."""
    process = subprocess.Popen(
        list(command),
        cwd=cwd or REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        output, _ = process.communicate()
        output += f"\n[bench] killed after {timeout:.0f} s"
    finally:
        if process.poll() is None:  # interrupted (Ctrl-C, SIGTERM): take the child's group down too
            _kill_group(process)
            process.wait()
    return output, process.returncode


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


SUMMARY = re.compile(r"^=*\s*(\d+ (passed|failed|error|errors|skipped).*?)\s*=*$")


def _summary_line(output: str) -> str:
    for line in reversed(output.strip().splitlines()):
        match = SUMMARY.match(line.strip())
        if match:
            return match.group(1)
    return ""


# -- the counting reference server -------------------------------------------------------------


class RequestCounter:
    """ASGI middleware: counts HTTP requests and the time the app spent answering them."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.busy = 0.0
        self.first: float | None = None
        self.last: float | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            end = time.monotonic()
            self.count += 1
            self.busy += end - start
            if self.first is None:
                self.first = start
            self.last = end

    def snapshot(self) -> dict[str, float]:
        window = (self.last - self.first) if self.first is not None and self.last is not None else 0.0
        return {"requests": self.count, "window_s": window, "server_busy_s": self.busy}


Wrapped = TypeVar("Wrapped")


@contextlib.contextmanager
def wrapped_server(contract_name: str, wrap: Callable[[Any, Any], Wrapped]) -> Iterator[tuple[Any, Wrapped]]:
    """The project's reference server for one contract, its app wrapped by ``wrap(app, contract)``
    (a counter in front); started, yielded with the wrapper, stopped on exit."""
    from revocation_contracts.model.contract import load_contract
    from revocation_contracts.reference import server as server_module

    contract = load_contract(contract_name)
    original = server_module.build_app
    wrappers: list[Wrapped] = []

    def wrapped_app(*args: Any, **kwargs: Any) -> Wrapped:
        wrappers.append(wrap(original(*args, **kwargs), contract))
        return wrappers[-1]

    server_module.build_app = wrapped_app
    try:
        server = server_module.ReferenceServer(contract)
    finally:
        server_module.build_app = original
    server.start()
    try:
        yield server, wrappers[0]
    finally:
        server.stop()


def counting_server(contract_name: str) -> contextlib.AbstractContextManager[tuple[Any, RequestCounter]]:
    """The project's reference server for one contract, with a request counter in front."""
    return wrapped_server(contract_name, lambda app, _contract: RequestCounter(app))


def target_args(server: Any) -> list[str]:
    """The suite's options for testing ``server`` as an external target (embedded credentials)."""
    from revocation_contracts.reference.store import DEFAULT_CLIENTS

    first, second = DEFAULT_CLIENTS[0], DEFAULT_CLIENTS[1]
    return [
        "--spec", server.contract.name, "--target-url", server.base_url,
        "--client-id", first.client_id, "--client-secret", first.client_secret,
        "--second-client-id", second.client_id, "--second-client-secret", second.client_secret,
    ]  # fmt: skip


# -- baselines: the raw-HTTP floor and the plain schemathesis CLI -------------------------------


def run_floor(base_url: str | None, contract_name: str, seconds: float, max_requests: int) -> dict[str, Any]:
    """The floor loop in a child process; ``base_url=None``: against a server inside that process."""
    command = [PYTHON, str(BENCH / "_floor.py"), "--contract", contract_name]
    command += ["--url", base_url] if base_url else ["--embedded"]
    command += ["--seconds", str(seconds), "--max-requests", str(max_requests)]
    done = subprocess.run(
        command, cwd=REPO, env=child_env(), capture_output=True, text=True, timeout=6 * seconds + 60, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def cli_auth_args(contract_name: str) -> list[str] | None:
    """How the plain CLI can carry the suite's credentials, or None when it cannot.

    Header-based credentials (HTTP Basic, Voucherify's key headers) go in with ``--auth`` or
    ``-H``. Body credentials (Polar's form fields, Auth0's JSON fields) are schema properties
    the CLI generates randomly; it has no option to pin them, so every positive example would
    be refused as a bad client and the comparison would mean nothing.
    """
    from revocation_contracts.model.contract import load_contract
    from revocation_contracts.reference.store import DEFAULT_CLIENTS

    contract = load_contract(contract_name)
    client = DEFAULT_CLIENTS[0]
    method = contract.client_auth.default_method
    if method == "basic":
        return ["--auth", f"{client.client_id}:{client.client_secret}"]
    if method == "headers":
        auth = contract.client_auth
        return ["-H", f"{auth.id_header}: {client.client_id}", "-H", f"{auth.secret_header}: {client.client_secret}"]
    return None


CASES = re.compile(r"(\d+) generated")
RESULT = re.compile(r"^=+\s*(.*?)\s*=+$")


def run_schemathesis_cli(contract_name: str, base_url: str, max_examples: int, workers: int = 1) -> dict[str, Any]:
    """``schemathesis run`` with all checks and the same example budget; cwd is a scratch dir
    so the CLI's ``.schemathesis/`` cache never lands in the repository."""
    from revocation_contracts.model.contract import resolve_spec

    auth = cli_auth_args(contract_name)
    if auth is None:
        return {"skipped": "credentials travel in the body; the plain CLI cannot inject them"}
    command = [SCHEMATHESIS, "run", str(resolve_spec(contract_name)), "--url", base_url, "--checks", "all"]
    command += ["--max-examples", str(max_examples), "--workers", str(workers), "--generation-database", "none"]
    command += ["--no-color", *auth]
    with tempfile.TemporaryDirectory(prefix="rc-bench-st-") as scratch:
        cpu_before = _children_cpu()
        started = time.time()
        output, returncode = _run_bounded(command, child_env(), RUN_TIMEOUT, cwd=Path(scratch))
        wall = time.time() - started
        cpu = _children_cpu() - cpu_before
    cases = CASES.search(output)
    results = [match.group(1) for line in output.splitlines() if (match := RESULT.match(line.strip()))]
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "returncode": returncode,
        "test_cases": int(cases.group(1)) if cases else None,
        "result": results[-1] if results else output.strip().splitlines()[-1:],
    }


def measure_against(contract_name: str, action: Any) -> dict[str, Any]:
    """Start a counting server, run ``action(server)``, and return its result with the count."""
    with counting_server(contract_name) as (server, counter):
        result = dict(action(server))
        # The server may still be answering the last request when the client exits.
        time.sleep(0.05)
        result["server"] = counter.snapshot()
    return result


def cpu_info() -> dict[str, Any]:
    model = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {"cores": os.cpu_count(), "usable_cores": affinity, "model": model}
