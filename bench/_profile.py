"""Where the default run's time goes: py-spy samples of every thread, sorted into phases.

Why py-spy and not an in-process profiler: the embedded reference servers answer on their
own threads inside the pytest process, competing for the same GIL, and the interesting
question is how the wall time splits between pytest's startup, schemathesis' schema loading,
hypothesis' generation, the HTTP round trips and the servers' work. py-spy samples all
threads from outside (``--threads --idle``), so a main thread blocked on a socket shows up
as time spent waiting for HTTP, and the server threads show how busy they really were.

Each main-thread sample is assigned to the category of the innermost frame that matches a
rule in ``MAIN_RULES`` (outermost first, later matches override), so an import triggered
while loading a contract counts as an import, and an HTTP request sent by a check counts as
HTTP. Usable alone::

    python bench/_profile.py [pytest args...]      # e.g. --spec rfc7009
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import _measure
from _measure import PYTHON, SUITE_COMMAND

RATE = 200
# Remote runs last minutes and mostly wait: fewer samples keep py-spy's own CPU use small.
REMOTE_RATE = 50
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")

Rule = tuple[str, Callable[[str, str], bool]]

MAIN_RULES: tuple[Rule, ...] = (
    ("pytest startup: config, plugin discovery", lambda f, p: f == "_prepareconfig"),
    ("pytest collection", lambda f, p: f == "Session.perform_collect"),
    ("pytest teardown (other)", lambda f, p: f in ("Session._setupstate_teardown", "pytest_unconfigure")),
    ("imports: executing module bodies", lambda f, p: f == "<module>" and not p.endswith("__main__.py")),
    ("imports: compiling source to bytecode", lambda f, p: f.endswith("source_to_code")),
    ("imports: pytest assertion rewriting", lambda f, p: f == "_rewrite_test"),
    ("contract load (YAML + OpenAPI validation)", lambda f, p: f == "load_contract"),
    ("schemathesis schema load (from_dict + config)", lambda f, p: f == "load_schema"),
    ("reference servers: start", lambda f, p: f == "ReferenceServer.start"),
    ("reference servers: stop", lambda f, p: f == "ReferenceServer.stop"),
    ("generation: hypothesis + schemathesis strategies", lambda f, p: p.startswith("hypothesis/")),
    ("schema tests: case call/serialize (client side)", lambda f, p: f == "run_case"),
    ("response checks (schemathesis + OAuth)", lambda f, p: f == "run_checks" or f == "check_answer"),
    ("HTTP round trip (client stack + wait for server)", lambda f, p: f == "HTTPAdapter.send"),
    ("waiting on a mint or probe sent ahead (supply/overlap.py)", lambda f, p: f == "Future.result"),
    ("end-of-session revocation of leftover tokens", lambda f, p: f == "TargetPool.revoke_leftovers"),
    ("pytest session end: gc.collect() x5 (unraisableexception)", lambda f, p: f == "gc_collect_harder"),
)
EXPLICIT = "explicit tests (protocol/semantic), non-HTTP"
GENERATION = "generation: hypothesis + schemathesis strategies"
OTHER = "pytest runner, fixtures, reporting (other)"
NATIVE = "interpreter, no Python frame (start-up, final GC at exit)"


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for raw in stack.split(";"):
        match = FRAME.match(raw)
        if match:
            frames.append((match.group("func"), match.group("file")))
    return frames


def classify_main(frames: Sequence[tuple[str, str]]) -> str:
    if not frames:
        return NATIVE
    category = OTHER
    for func, path in frames:
        name = os.path.basename(path)
        if func.startswith("test_") and name.startswith("test_") and category != GENERATION:
            if name != "test_schema.py":
                category = EXPLICIT
            continue
        for label, rule in MAIN_RULES:
            if rule(func, path):
                category = label
    return category


def classify_server(frames: Sequence[tuple[str, str]]) -> str:
    if frames and frames[-1][0].endswith("Selector.select"):
        return "idle (event loop waiting for a request)"
    if any(path.endswith("reference/app.py") for _, path in frames):
        return "reference app handler (revocation logic)"
    return "uvicorn + starlette + asyncio"


PHASES: tuple[Rule, ...] = (
    ("schema tests (test_schema.py)", lambda f, p: p.endswith("schemathesis/pytest/lazy.py")),
    ("semantic tests (test_semantics.py)", lambda f, p: p.startswith("semantics/") or "/semantics/" in p),
    ("fixture setup", lambda f, p: f == "pytest_runtest_setup"),
    ("fixture teardown", lambda f, p: f == "pytest_runtest_teardown"),
    ("startup: config, plugins", lambda f, p: f == "_prepareconfig"),
    ("collection", lambda f, p: f == "Session.perform_collect"),
    ("session end (unconfigure: servers stop; cleanup: gc)", lambda f, p: f == "Config._ensure_unconfigure"),
)


def _test_module(frames: Sequence[tuple[str, str]]) -> str:
    """Which part of the run a sample belongs to: a test module, fixtures, startup, teardown."""
    for label, rule in PHASES:
        if any(rule(func, path) for func, path in frames):
            return label
    for _, path in frames:
        name = os.path.basename(path)
        if name.startswith("test_") and name.endswith(".py"):
            return name
    return "other (interpreter start and exit, top-level imports)"


def _unnamed_thread(frames: Sequence[tuple[str, str]]) -> str:
    """py-spy cannot always read a thread's name; tell the main thread from server threads."""
    if any(func == "Server.run" and "uvicorn" in path for func, path in frames):
        return "reference-(unnamed)"
    if any(func == "Thread._bootstrap" for func, _ in frames):
        return "other thread"
    return "MainThread"


def parse_raw(text: str, rate: int = RATE) -> dict[str, Any]:
    """Sort py-spy's collapsed stacks (``--threads``) into categories, in seconds."""
    main: Counter[str] = Counter()
    by_module: defaultdict[str, Counter[str]] = defaultdict(Counter)
    server: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    threads: defaultdict[str, int] = defaultdict(int)
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        thread, _, rest = stack.partition(";")
        frames = _frames(rest)
        thread_name = thread.split(": ", 1)[1] if ": " in thread else _unnamed_thread(frames)
        threads[thread_name] += count
        if thread_name.startswith("reference-"):
            server[classify_server(frames)] += count
        elif thread_name == "MainThread":
            category = classify_main(frames)
            main[category] += count
            by_module[_test_module(frames)][category] += count
            for func, path in {(f, p) for f, p in frames}:
                inclusive[f"{func} ({path})"] += count
            if frames:
                leaf[f"{frames[-1][0]} ({frames[-1][1]})"] += count

    def seconds(counter: Counter[str]) -> dict[str, float]:
        return {name: round(value / rate, 3) for name, value in counter.most_common()}

    return {
        "sample_rate_hz": rate,
        "main_thread_s": seconds(main),
        "main_thread_total_s": round(sum(main.values()) / rate, 3),
        "main_thread_by_part_s": {
            module: seconds(counter) for module, counter in sorted(by_module.items(), key=lambda item: -item[1].total())
        },
        "server_threads_s": seconds(server),
        "threads_s": {name: round(value / rate, 3) for name, value in sorted(threads.items())},
        "top_inclusive_s": dict(list(seconds(inclusive).items())[:40]),
        "top_leaf_s": dict(list(seconds(leaf).items())[:25]),
    }


def profile_suite(
    args: Sequence[str], env: dict[str, str | None] | None = None, keep: Path | None = None
) -> dict[str, Any]:
    """Run the suite under ``py-spy record`` and return the categorized breakdown."""
    py_spy = shutil.which("py-spy") or str(Path(PYTHON).with_name("py-spy"))
    if not Path(py_spy).exists():
        return {"skipped": "py-spy is not installed (pip install py-spy)"}
    with tempfile.TemporaryDirectory(prefix="rc-bench-prof-") as scratch:
        raw = Path(scratch) / "profile.txt"
        command = [
            py_spy,
            "record",
            "-o",
            str(raw),
            "-f",
            "raw",
            "-r",
            str(RATE),
            "--threads",
            "--idle",
            "--nonblocking",
            "--",
        ]
        command += [PYTHON, *SUITE_COMMAND, *args]
        done = subprocess.run(
            command, cwd=_measure.REPO, env=_measure.child_env(env), capture_output=True, text=True, timeout=600
        )
        if not raw.exists():
            return {"skipped": f"py-spy failed: {(done.stderr or done.stdout).strip()[-300:]}"}
        text = raw.read_text(encoding="utf-8", errors="replace")
        if keep is not None:
            keep.write_text(text, encoding="utf-8")
    result = parse_raw(text)
    result["args"] = list(args)
    return result


def render(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return f"profile skipped: {result['skipped']}"
    total = result["main_thread_total_s"] or 1.0
    lines = [f"Main thread ({result['main_thread_total_s']:.2f} s sampled at {result['sample_rate_hz']} Hz, wall):"]
    for name, value in result["main_thread_s"].items():
        lines.append(f"  {value:7.2f} s  {100 * value / total:5.1f} %  {name}")
    lines.append("Reference server threads (all contracts, summed):")
    for name, value in result["server_threads_s"].items():
        lines.append(f"  {value:7.2f} s  {name}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(profile_suite(sys.argv[1:])))
