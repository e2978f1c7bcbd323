"""Starting the hostile server of ``server.py``, and running the contract suite against it.

Why subprocesses: the server must misbehave at the socket level without sharing a process
(threads, memory) with the suite it attacks, and the suite must run as a user runs it, so
that its exit code, output, reports, wall time and peak memory are the ones a user meets.
Each child is waited for with ``os.wait4`` (its CPU time), its peak memory read by ``PeakMemory``,
and it is killed by its own pid past a hard bound.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

from revocation_contracts.pytest_plugin.warmup import WARM_UP

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CONTRACT_SUITE = REPO / "tests" / "contract"
SERVER_LIFETIME = 900.0
# A secret whose spellings all differ: a space and '+' (quote vs quote_plus), '/' (quote's
# safe character), '&' (form separator), '"' and a non-ASCII letter (JSON escapes).
SECRET = 'rc-hostile Secret/+&\u00e9"9f3a'
CLIENT_ID = "hostile-client"
HARD_BOUND = 150.0
# Hypothesis builds a Unicode table on its first run in a storage directory (about 200 MB, a
# few seconds) and caches it there; every child shares the repository's, as a user's runs do.
HYPOTHESIS_STORAGE = REPO / ".hypothesis"


def warm_hypothesis_storage() -> None:
    """Build Hypothesis' Unicode cache once, so that no measured child pays for it."""
    if (HYPOTHESIS_STORAGE / "unicode_data").is_dir():
        return
    env = {**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(HYPOTHESIS_STORAGE)}
    subprocess.run([sys.executable, "-c", WARM_UP], env=env, check=True, timeout=120)


def leak_forms(secret: str = SECRET, client_id: str = CLIENT_ID) -> dict[str, str]:
    """Every spelling of the secret a leak could take, named (written here, not imported from redact.py)."""
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode("ascii")
    return {
        "raw": secret,
        "basic-base64": basic,
        "basic-base64-unpadded": basic.rstrip("="),
        "percent": quote(secret, safe=""),
        "percent-plus": quote_plus(secret),
        "json": json.dumps(secret)[1:-1],
        "json-unicode": json.dumps(secret, ensure_ascii=False)[1:-1],
    }


def leaks_in(text: str) -> list[str]:
    return [name for name, form in leak_forms().items() if form in text]


@dataclass
class HostileServer:
    """A running ``server.py``: its two ports and where it records what it received."""

    port: int
    sink_port: int
    record_dir: Path
    process: subprocess.Popen[str]

    def url(self, run: str) -> str:
        return f"http://127.0.0.1:{self.port}/{run}"

    def received(self, port: int, run: str) -> list[str]:
        """Raw requests (head and body, latin-1) a port received for one run."""
        path = self.record_dir / f"{port}.log"
        if not path.exists():
            return []
        lines = [json.loads(line)["raw"] for line in path.read_text(encoding="utf-8").splitlines() if line]
        return [raw for raw in lines if f"/{run}/" in raw.split("\r\n", 1)[0]]


@dataclass
class ChildRun:
    returncode: int
    wall: float
    peak_rss_mb: float
    output: str
    junit: str
    report: str
    session_seconds: float
    cpu_seconds: float


class PeakMemory(threading.Thread):
    """The child's own peak resident memory, read from ``/proc/PID/status`` (``VmHWM``).

    Why not ``os.wait4``'s ``ru_maxrss``: Linux carries the parent's high-water mark over to a
    forked child at ``exec``, so inside a large test worker every child would report the
    worker's memory. ``VmHWM`` belongs to the program the child runs and only grows, so the
    last value read before it exits is its peak (to within one polling interval).
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.path = Path(f"/proc/{pid}/status")
        self.peak_kib = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self._read()
            self._done.wait(0.02)

    def _read(self) -> None:
        try:
            for line in self.path.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_kib = max(self.peak_kib, int(line.split()[1]))
        except (OSError, ValueError, IndexError):
            pass  # the child has exited or is exiting

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=1)


def run_suite(url: str, workdir: Path, *extra: str, first_run_in: Path | None = None) -> ChildRun:
    """The contract suite against ``url`` as a user runs it, with the hostile test's tight settings.

    ``first_run_in``: run as on a machine where the suite never ran, with the temporary
    directory (and so the suite's own Hypothesis storage) there and empty.
    """
    junit, report = workdir / "junit.xml", workdir / "report.md"
    output = workdir / "output.txt"
    command = [
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(CONTRACT_SUITE),
        "--spec", "rfc7009", "--target-url", url, "--client-id", CLIENT_ID, "--client-secret", SECRET,
        "--max-examples", "2", "--request-timeout", "1", "--max-throttle-wait", "2",
        "--junitxml", str(junit), "--report", str(report), *extra,
    ]  # fmt: skip
    env = {**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(HYPOTHESIS_STORAGE)}
    if first_run_in is not None:
        del env["HYPOTHESIS_STORAGE_DIRECTORY"]
        env["TMPDIR"] = str(first_run_in)
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_ADDOPTS", None)
    started = time.monotonic()
    with output.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, cwd=workdir, env=env, start_new_session=True
        )
        killer = threading.Timer(HARD_BOUND, lambda: os.killpg(process.pid, signal.SIGKILL))
        killer.start()
        watcher = PeakMemory(process.pid)
        watcher.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
            watcher.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    junit_text = junit.read_text(encoding="utf-8") if junit.exists() else ""
    return ChildRun(
        returncode=process.returncode,
        wall=wall,
        # Where /proc cannot be read, wait4's high-water mark: an upper bound (it may carry the
        # parent's over), so a run it clears is under the bound; never 0, which would clear anything.
        peak_rss_mb=(watcher.peak_kib or usage.ru_maxrss) / 1024,
        output=output.read_text(encoding="utf-8", errors="replace"),
        junit=junit_text,
        report=report.read_text(encoding="utf-8") if report.exists() else "",
        session_seconds=_junit_seconds(junit_text),
        cpu_seconds=usage.ru_utime + usage.ru_stime,
    )


def _junit_seconds(text: str) -> float:
    """The session's own duration (no interpreter start-up), from JUnit's testsuite ``time``."""
    import xml.etree.ElementTree as ElementTree

    if not text:
        return float("nan")
    root = ElementTree.fromstring(text)
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    return float(suite.get("time", "nan")) if suite is not None else float("nan")


def start_server(record_dir: Path) -> HostileServer:
    """Start ``server.py``; it prints its ports once it listens, and exits after SERVER_LIFETIME."""
    warm_hypothesis_storage()
    process = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), str(record_dir), str(SERVER_LIFETIME)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError("the hostile server did not start")
    port, sink_port = (int(part) for part in line.split())
    return HostileServer(port, sink_port, record_dir, process)


@contextmanager
def running_server(record_dir: Path) -> Iterator[HostileServer]:
    """``start_server`` for a ``with`` block: the server is killed by its pid when the block ends."""
    server = start_server(record_dir)
    try:
        yield server
    finally:
        server.process.kill()
        server.process.wait(timeout=10)
        if server.process.stdout is not None:
            server.process.stdout.close()
