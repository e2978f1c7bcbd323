"""The benchmark's printed table, rendered from the results dictionary ``run.py`` writes as JSON.

Kept apart from the measuring so that the table can be re-rendered from a saved JSON file
(``python bench/_report.py bench/results.json``) after the fact, e.g. to compare two runs
side by side without measuring again.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}{unit}"
    return f"{value}{unit}"


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(header[i]), *(len(row[i]) for row in cells)]) for i in range(len(header))]
    line = "  ".join(name.ljust(widths[i]) for i, name in enumerate(header)).rstrip()
    out = ["", title, line, "-" * len(line)]
    out += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells]
    return out


def _suite_row(entry: dict[str, Any]) -> list[str]:
    """wall, cpu, startup, tests, teardown+exit, requests, samples, outcome of a summarized probe."""
    if "skipped" in entry:
        return ["skipped", "", "", "", "", "", "", "0", entry["skipped"] or ""]
    phases = entry["phases_s"]
    tail = None
    if phases.get("teardown") is not None and phases.get("exit") is not None:
        tail = phases["teardown"] + phases["exit"]
    count = str(entry["n"]) + (f" (+{len(entry['invalid'])} invalid)" if entry.get("invalid") else "")
    return [
        _fmt(entry["wall_s"], " s"),
        _fmt(entry.get("wall_min_s"), " s"),
        _fmt(entry["cpu_s"], " s"),
        _fmt(phases.get("startup"), " s"),
        _fmt(phases.get("tests"), " s"),
        _fmt(tail, " s"),
        _fmt(entry["requests"]),
        count,
        entry["summary"],
    ]


SUITE_HEADER = ["wall", "best", "cpu", "startup", "tests", "teardown+exit", "requests", "n", "outcome"]
VARIANTS = {
    "cold": "cold (no bytecode at all)",
    "as_configured": "this environment",
    "warm": "warm (bytecode cached)",
}


def _default_lines(default: dict[str, Any]) -> list[str]:
    rows = [[label, *_suite_row(default[key])] for key, label in VARIANTS.items() if key in default]
    lines = _table("Default run: all five contracts, embedded servers", ["variant", *SUITE_HEADER], rows)
    lines.append(f"(this environment: PYTHONDONTWRITEBYTECODE={default.get('PYTHONDONTWRITEBYTECODE')!r})")
    return lines


def _per_contract_lines(per: dict[str, Any]) -> list[str]:
    rows = []
    for name, entry in per.items():
        row = _suite_row(entry)
        rows.append([name, *row[:7], _fmt(entry.get("requests_per_s")), *row[7:]])
    header = ["contract", *SUITE_HEADER[:7], "req/s in tests", *SUITE_HEADER[7:]]
    return _table("Per contract (--spec NAME), embedded server", header, rows)


def _throughput_lines(tp: dict[str, Any]) -> list[str]:
    rows, notes = [], []
    for mode, label in (("target_url", "--target-url"), ("embedded", "embedded")):
        entry = tp.get(mode, {})
        if "suite_rps" not in entry:
            continue
        floor = entry["floor_rps"]
        rows += [
            [
                label,
                f"suite ({entry['suite_outcome']})",
                _fmt(entry["suite_rps"]),
                _fmt(entry["ratio_to_requests_floor"]),
            ],
            [label, "floor: requests.Session keep-alive loop", _fmt(floor["requests.Session"]), "1.00"],
            [label, "floor: http.client persistent connection", _fmt(floor["http.client"]), "-"],
            [label, "floor: suite transport (GentleAdapter) loop", _fmt(floor["suite-transport"]), "-"],
        ]
        busy = _fmt((entry["server_busy_fraction_during_suite"] or 0) * 100)
        notes.append(
            f"{label}: the suite sent {entry['suite_requests']} requests in {entry['suite_window_s']} s between its "
            f"first and last (process wall {entry['suite_wall_s']} s); the server's handler was busy {busy} % of that"
        )
    title = f"Throughput against one {tp['contract']} reference server (requests/s, counted by the server)"
    return [*_table(title, ["mode", "client", "req/s", "ratio to floor"], rows), *notes]


CLI_LABELS = {"schemathesis": "schemathesis run (CLI)", "ours_schema_test": "ours: schema test only"}


def _cli_lines(cli: dict[str, Any]) -> list[str]:
    rows = []
    for contract, tools in cli.items():
        if not isinstance(tools, dict) or contract in ("not_compared",):
            continue
        for tool, label in CLI_LABELS.items():
            entry = tools.get(tool)
            if entry is None:
                continue
            if "skipped" in entry:
                rows.append([contract, label, "skipped", "", "", "", entry["skipped"] or ""])
                continue
            wall, cpu = _fmt(entry["wall_s"], " s"), _fmt(entry["cpu_s"], " s")
            rows.append([contract, label, wall, cpu, _fmt(entry["requests"]), _fmt(entry["rps"]), str(entry["result"])])
    title = f"Plain schemathesis CLI vs ours (--max-examples {cli['budget_max_examples']}, same counting server)"
    lines = _table(title, ["contract", "tool", "wall", "cpu", "requests", "req/s", "result"], rows)
    lines.append("not compared: " + "; ".join(f"{name}: {why}" for name, why in cli["not_compared"].items()))
    return lines


def _scaling_lines(cells: list[dict[str, Any]]) -> list[str]:
    rows = []
    for cell in cells:
        workers = str(cell["workers"]) if cell["workers"] else "none"
        rows.append([str(cell["max_examples"]), workers, *_suite_row(cell)])
    return _table("Scaling: the default run by --max-examples and -n workers", ["max-ex", "-n", *SUITE_HEADER], rows)


def _failure_lines(failures: dict[str, Any]) -> list[str]:
    rows = []
    for bug, entry in failures["time_to_first_failure"].items():
        if "skipped" in entry:
            rows.append([bug, "skipped", "", "", "", "", entry["skipped"] or ""])
            continue
        caught = "yes" if entry["detected"] else "NO"
        first = (entry["first_failed_test"] or ["-"])[0]
        timing = [_fmt(entry[key], " s") for key in ("wall_to_exit_s", "cpu_s", "startup_s", "first_failure_at_s")]
        rows.append([bug, *timing, caught, first])
    header = ["planted bug", "wall to exit", "cpu", "startup", "1st failure at", "caught", "first failing test"]
    lines = _table("Time to first failure: -x, all contracts, embedded servers, one planted bug", header, rows)
    missed = [bug for bug, entry in failures["sweep"].items() if not entry["detected"]]
    lines.append(
        f"median wall to exit over these runs: {_fmt(failures['median_wall_to_exit_s'], ' s')}; faults caught: "
        f"{failures['faults_caught']}/{failures['faults_run']} planted bugs in {failures['sweep_wall_s']:.1f} s "
        f"of -x runs = {_fmt(failures['faults_per_second'])} faults/s"
    )
    if missed:
        lines.append(f"not caught: {', '.join(missed)}")
    if failures["sweep_skipped_over_budget"]:
        lines.append(f"not run (budget): {', '.join(failures['sweep_skipped_over_budget'])}")
    if failures["baseline_failures_deselected"]:
        lines.append(f"deselected (failing without any bug): {', '.join(failures['baseline_failures_deselected'])}")
    return lines


def _profile_lines(profile: dict[str, Any]) -> list[str]:
    if "skipped" in profile:
        return ["", f"Profile: skipped ({profile['skipped']})"]
    total = profile["main_thread_total_s"] or 1.0
    rows = [
        [_fmt(value, " s"), f"{100 * value / total:.1f} %", name] for name, value in profile["main_thread_s"].items()
    ]
    title = f"Profile of the default run, main thread (py-spy, {profile['sample_rate_hz']} Hz, wall incl. waiting)"
    lines = _table(title, ["time", "share", "where"], rows)
    rows = []
    for module, categories in profile.get("main_thread_by_part_s", {}).items():
        top = ", ".join(f"{name} {value:.2f} s" for name, value in list(categories.items())[:3])
        rows.append([_fmt(sum(categories.values()), " s"), module, top])
    lines += _table("Main thread by part of the run (top three categories each)", ["time", "part", "mostly"], rows)
    rows = [[_fmt(value, " s"), name] for name, value in profile["server_threads_s"].items()]
    lines += _table("Reference server threads, summed over contracts", ["time", "doing"], rows)
    return lines


def render(results: dict[str, Any]) -> str:
    env, plan = results["environment"], results["plan"]
    lines = [
        f"revocation-contracts benchmark: {env['cores']} cores ({env['model']}), Python {env['python']}; "
        f"medians of up to {plan['runs']} sample(s){' (quick)' if plan['quick'] else ''}; "
        f"load average {env['loadavg_start'][0]:.1f} at start, {env['loadavg_end'][0]:.1f} at end"
    ]
    if env["loadavg_start"][0] > env["cores"] / 2 or env["loadavg_end"][0] > env["cores"] / 2:
        lines.append("WARNING: the machine was busy with other work; wall times are inflated, CPU times less so")
    default = results.get("default_run", {})
    if default:
        lines += _default_lines(default)
    if "per_contract" in results:
        lines += _per_contract_lines(results["per_contract"])
    if "throughput" in results:
        lines += _throughput_lines(results["throughput"])
    if "schemathesis_cli" in results:
        lines += _cli_lines(results["schemathesis_cli"])
    if "scaling" in results:
        lines += _scaling_lines(results["scaling"])
    if "failures" in results:
        lines += _failure_lines(results["failures"])
    if "profile" in results:
        lines += _profile_lines(results["profile"])
    checks = results.get("targets")
    if checks:

        def verdict(met: bool | None) -> str:
            return "-" if met is None else "met" if met else "MISSED"

        rows = [
            [
                name,
                f"{check['op']} {check['target']}",
                _fmt(check["value"]),
                verdict(check["met"]),
                _fmt(check["best"]),
                verdict(check["met_by_best"]),
            ]
            for name, check in checks.items()
        ]
        header = ["target", "goal", "median", "verdict", "best sample", "verdict (best)"]
        lines += _table("Targets (2-core machine)", header, rows)
    if plan["skipped"]:
        lines += ["", "Skipped probes: " + "; ".join(f"{key} ({why})" for key, why in plan["skipped"].items())]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results.json").read_text())))
