"""Issue 21's four figures beside their targets, from one command: ``python bench/run.py``.

1. the embedded default run, all eight contracts, whole process (``pytest tests/contract --spec all``);
2. one contract through ``--token-command``/``--probe-command`` on loopback, no delay (polar on a
   conforming reference server);
3. one contract at 150 ms RTT with the built-in supply (rfc7009 through ``bench/relay.py``);
4. the project's own tests (``pytest -n 2 -p no:cacheprovider``).

Why figures 2 and 3 run ``bench/remote.py`` as a child: that script owns the relay, the counting
server and the command path's measuring, and is tuned by other work; this module only reads its
JSON (``--json`` on stdout, both figures from one run, when the script has it; else one run per
figure, read from the ``--out`` file it always wrote), so
both can change without the other.

Why figure 4 is opt-in (``--with-project-tests``): it takes minutes and both cores. Without the
flag the last measured value is printed with its date and commit, from ``PROJECT_TESTS``, which
the flag rewrites.

Why CPU time beside wall time: the machine is shared, so wall time moves with the load average
(printed at the start and end of each figure); the CPU seconds of the child (user + system) move
much less and are what an A/B comparison should use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _measure as m

REMOTE = m.BENCH / "remote.py"
PROJECT_TESTS = m.BENCH / "project_tests.json"
PROJECT_TESTS_COMMAND = ("-m", "pytest", "-n", "2", "-p", "no:cacheprovider")
TARGETS_S = {"embedded": 10.0, "embedded_child": 10.0, "command": 30.0, "far": 30.0, "project": 480.0}
LABELS = {
    "embedded": "1. embedded default run, all eight contracts, whole process",
    "embedded_child": "1b. the same, reference servers in one child process (-p _servers_in_child)",
    "command": "2. polar via --token-command/--probe-command, loopback, no delay",
    "far": "3. rfc7009 at 150 ms RTT, built-in supply (loopback relay)",
    "project": "4. the project's tests, pytest -n 2 -p no:cacheprovider",
}
REMOTE_FIGURES = {
    "command": ["--specs", "polar", "--rtt-ms", "0", "--modes", "command", "--no-cli"],
    "far": ["--specs", "rfc7009", "--rtt-ms", "150", "--modes", "builtin", "--no-cli"],
}


def _loads() -> float:
    return round(os.getloadavg()[0], 2)


def embedded(samples: int, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Figure 1: ``samples`` runs of the default embedded run; the median wall and CPU."""
    runs = []
    for _ in range(samples):
        before = _loads()
        run = m.run_suite(["--spec", "all", *extra])
        runs.append({"wall_s": round(run.wall, 2), "cpu_s": round(run.cpu, 2), "load": [before, _loads()]})
        runs[-1]["summary"], runs[-1]["returncode"] = run.summary, run.returncode
        m_log(f"figure 1 sample: wall {run.wall:.1f} s, CPU {run.cpu:.1f} s, {run.summary}")
    return {
        "wall_s": m.median([run["wall_s"] for run in runs]),
        "cpu_s": m.median([run["cpu_s"] for run in runs]),
        "load": [runs[0]["load"][0], runs[-1]["load"][1]],
        "summary": runs[-1]["summary"],
        "ok": all(run["returncode"] == 0 for run in runs),
        "samples": runs,
    }


def _remote_accepts_json() -> bool:
    helped = subprocess.run([m.PYTHON, str(REMOTE), "--help"], capture_output=True, text=True, timeout=60)
    return "--json" in helped.stdout


REMOTE_KEYS = {("polar", "suite-command"): "command", ("rfc7009", "suite-builtin"): "far"}


def _from_figure(row: dict[str, Any], cpu: float | None) -> dict[str, Any]:
    """One row of ``bench/remote.py --json`` in this table's shape."""
    requests = row.get("requests", {})
    detail = f"{requests.get('endpoint', 0)} endpoint requests, {requests.get('mints', 0)} mints, "
    detail += f"{requests.get('probes', 0)} probes"
    if row.get("command_processes") is not None:
        detail += f", {row['command_processes']} command processes"
    return {
        "wall_s": row["seconds"],
        "cpu_s": cpu,
        "load": [row["load_before"][0], row["load_after"][0]],
        "summary": f"{row.get('summary', '')}; {detail}",
        "ok": row.get("returncode") == 0,
        "run": row,
    }


def remote_figures(keys: set[str], timeout: float = 1800.0) -> dict[str, dict[str, Any]]:
    """Figures 2 and 3 from one ``bench/remote.py --json`` run (it measures both); the CPU is both's."""
    if not _remote_accepts_json():
        return {key: remote(key) for key in sorted(keys)}
    cpu_before = m._children_cpu()
    command = [m.PYTHON, str(REMOTE), "--json"]
    process = subprocess.run(command, cwd=m.REPO, env=m.child_env(), capture_output=True, text=True, timeout=timeout)
    cpu = round(m._children_cpu() - cpu_before, 2)
    try:
        rows = json.loads(process.stdout)["figures"]
    except (ValueError, KeyError):
        tail = (process.stderr or process.stdout).strip().splitlines()[-1:]
        return {key: {"error": f"bench/remote.py --json exit {process.returncode}: {' '.join(tail)}"} for key in keys}
    found = {REMOTE_KEYS.get((row["contract"], row["mode"])): row for row in rows}
    results = {
        key: _from_figure(found[key], None) if key in found else {"error": "not in bench/remote.py --json"}
        for key in keys
    }
    for result in results.values():
        if "summary" in result:
            result["summary"] += f"; CPU of figures 2 and 3 together {cpu:.1f} s"
    return results


def remote(figure: str, timeout: float = 900.0) -> dict[str, Any]:
    """Figure 2 or 3 from a ``bench/remote.py`` without ``--json``: one run, read back from ``--out``."""
    before = _loads()
    cpu_before = m._children_cpu()
    with tempfile.TemporaryDirectory(prefix="rc-bench-fig-") as scratch:
        out = Path(scratch) / "remote.json"
        command = [m.PYTHON, str(REMOTE), *REMOTE_FIGURES[figure], "--out", str(out)]
        as_json = False  # this path is for a bench/remote.py without --json (remote_figures)
        process = subprocess.run(
            command, cwd=m.REPO, env=m.child_env(), capture_output=True, text=True, timeout=timeout
        )
        try:
            saved = json.loads(process.stdout) if as_json else json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            tail = (process.stderr or process.stdout).strip().splitlines()[-1:]
            return {"error": f"bench/remote.py exit {process.returncode}: {' '.join(tail)}", "load": [before, _loads()]}
    runs = [run for run in saved.get("runs", []) if "wall_s" in run and not run["contract"].startswith("all ")]
    if not runs:
        return {"error": "bench/remote.py measured nothing", "load": [before, _loads()]}
    run = runs[0]
    requests = run.get("requests", {})
    detail = f"{requests.get('endpoint', 0)} endpoint requests, {requests.get('mints', 0)} mints, "
    detail += f"{requests.get('probes', 0)} probes"
    return {
        "wall_s": run["wall_s"],
        "cpu_s": round(m._children_cpu() - cpu_before, 2),
        "load": [before, _loads()],
        "summary": f"{run.get('summary', '')}; {detail}",
        "ok": run.get("returncode") == 0,
        "run": run,
    }


def _commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=m.REPO, capture_output=True, text=True)
    return head.stdout.strip() or "unknown"


def project_tests(measure: bool, timeout: float = 1800.0) -> dict[str, Any]:
    """Figure 4: measured now (``measure``), else the last value recorded in ``PROJECT_TESTS``."""
    if not measure:
        if not PROJECT_TESTS.exists():
            return {"error": "never measured here: run with --with-project-tests"}
        recorded = json.loads(PROJECT_TESTS.read_text(encoding="utf-8"))
        return {**recorded, "recorded": True}
    before = _loads()
    cpu_before = m._children_cpu()
    started = time.monotonic()
    env = m.child_env({"PYTHONDONTWRITEBYTECODE": None})
    output, returncode = m._run_bounded([m.PYTHON, *PROJECT_TESTS_COMMAND], env, timeout)
    result = {
        "wall_s": round(time.monotonic() - started, 1),
        "cpu_s": round(m._children_cpu() - cpu_before, 1),
        "load": [before, _loads()],
        "summary": m._summary_line(output),
        "ok": returncode == 0,
        "date": time.strftime("%Y-%m-%d"),
        "commit": _commit(),
        "source": "python bench/run.py --with-project-tests",
    }
    PROJECT_TESTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def m_log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure_all(samples: int, with_project_tests: bool, skip: set[str], child: bool = False) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    if child:
        m_log(f"measuring {LABELS['embedded_child']} ...")
        figures["embedded_child"] = embedded(samples, ("-p", "_servers_in_child"))
    for key in ("embedded", "command", "far"):
        if key in skip:
            figures[key] = {"error": "not measured (--skip)"}
    if "embedded" not in skip:
        m_log(f"measuring {LABELS['embedded']} ...")
        figures["embedded"] = embedded(samples)
    wanted = {"command", "far"} - skip
    if wanted:
        m_log("measuring figures 2 and 3 (bench/remote.py) ...")
        figures.update(remote_figures(wanted))
    if with_project_tests:
        m_log(f"measuring {LABELS['project']} (minutes) ...")
    figures["project"] = project_tests(with_project_tests)
    return figures


def render(figures: dict[str, Any], environment: dict[str, Any]) -> str:
    """The four figures as a Markdown table, with the machine, the load and the commit above it."""
    lines = [
        f"machine: {environment['cores']} cores ({environment['usable_cores']} usable), {environment['model']}; "
        f"Python {environment['python']}",
        f"commit {environment['commit']}; load average (1 min) {environment['load_start']} at the start, "
        f"{environment['load_end']} at the end",
        "",
        "| figure | wall | CPU (user+sys) | target | met | load 1 min | outcome |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, label in LABELS.items():
        if key not in figures:
            continue
        figure = figures[key]
        target = f"< {TARGETS_S[key]:g} s" if key != "project" else "< 8 min"
        if "error" in figure:
            lines.append(f"| {label} | - | - | {target} | - | - | {figure['error']} |")
            continue
        met = "yes" if figure["wall_s"] < TARGETS_S[key] else "**no**"
        load = "{} -> {}".format(*figure["load"]) if figure.get("load") else "-"
        outcome = figure.get("summary", "")
        if figure.get("recorded"):
            outcome = f"last measured {figure['date']} at {figure['commit']} ({figure['source']}); {outcome}"
        cpu = f"{figure['cpu_s']:.1f} s" if figure.get("cpu_s") is not None else "-"
        lines.append(f"| {label} | {figure['wall_s']:.1f} s | {cpu} | {target} | {met} | {load} | {outcome} |")
    return "\n".join(lines)
