"""The suite against a "remote" target: a reference server behind a delaying relay (issue 12).

One command measures, for each contract and each round-trip time (RTT 0, 50 and 150 ms by
default), the contract suite run as a user runs it against a remote server (``--target-url``
with the command-path token supply), and plain ``schemathesis run`` on the same document
through the same relay::

    python bench/remote.py --quick                  # rfc7009 at 0 and 50 ms: about 5 minutes
    python bench/remote.py                          # five contracts x 0/50/150 ms: about an hour
    python bench/remote.py --specs rfc7009 polar --rtt-ms 0 50 --out /tmp/remote.json

Topology: a ``ReferenceServer`` thread in this process, with an ASGI counter in front that
counts requests by path (the contract's endpoint, the test-only mint and introspection
endpoints under ``/__revocation_contracts__/``); ``bench/relay.py`` as a child process in
front of it; the suite (or the CLI) as another child, pointed at the relay. The token and
probe commands are ``examples/token_command.py`` and ``examples/probe_command.py``, told the
relay's URL, so every mint and probe pays the RTT too, as it would against a real remote.

Per run it reports wall time, requests to the endpoint, mints, probes, the connections the
relay saw, the sequential floor (every request back to back: requests x RTT) and the ratio
of the wall time to it; "all five" is the sum of the per-contract runs (the suite tests one
``--target-url`` per session). It also times the command path's subprocess cost (one mint and
one probe command run directly, at RTT 0). Everything goes to ``bench/remote_results.json``
with the CPU model, the load average before and after each run, and the versions.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import _measure as m

sys.path.insert(0, str(m.REPO))
from tests.supply.oauth_front import INTROSPECT_PATH, TOKEN_PATH, WithOAuthFront, oauth_front

RELAY = m.BENCH / "relay.py"
EXAMPLES = m.REPO / "examples"
ALL_SPECS = ("rfc7009", "polar", "auth0", "mollie", "voucherify")
RELAY_LIFETIME = 3600.0
BUILTIN_OPTIONS = ("--issuer", "--token-endpoint")
MINTS, PROBES = "grants", "introspect"
BUDGET_EXAMPLES = 50  # the suite's default --max-examples, as bench/run.py passes to the CLI


# -- the counting server ------------------------------------------------------------------------


class PathCounter:
    """ASGI middleware: counts requests by kind (endpoint, mint, probe, other)."""

    def __init__(self, app: Any, endpoint: str) -> None:
        self.app = app
        self.endpoint = endpoint
        self.counts: Counter[str] = Counter()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path = scope.get("path", "")
            if path == self.endpoint:
                self.counts["endpoint"] += 1
            elif path.endswith(f"/{MINTS}") or path == TOKEN_PATH:
                self.counts["mints"] += 1
            elif path.endswith(f"/{PROBES}"):
                self.counts["probes"] += 1
            else:
                self.counts["other"] += 1
        await self.app(scope, receive, send)

    def snapshot(self) -> dict[str, int]:
        return {kind: self.counts[kind] for kind in ("endpoint", "mints", "probes", "other")}


@contextlib.contextmanager
def counting_server(contract_name: str) -> Iterator[tuple[Any, PathCounter]]:
    """The contract's reference server (``_measure``'s) with a by-path counter in front, and the
    project's OAuth face (``tests/supply/oauth_front.py``) on the server's own store."""

    def wrap(app: Any, contract: Any) -> PathCounter:
        return PathCounter(WithOAuthFront(app), contract.path)

    with m.wrapped_server(contract_name, wrap) as (server, counter):
        counter.app.front = oauth_front(server.contract, server.store)
        yield server, counter


# -- the relay, as a child process stopped by its pid -------------------------------------------

PORT_LINE = re.compile(r"^relay 127\.0\.0\.1:(\d+) ")


@contextlib.contextmanager
def relay(target_port: int, rtt_ms: float, counts: dict[str, Any]) -> Iterator[str]:
    """Start ``relay.py`` in front of ``target_port``; yield its URL; on exit fill ``counts``."""
    command = [m.PYTHON, str(RELAY), "--listen-port", "0", "--target", f"127.0.0.1:{target_port}"]
    command += ["--delay-ms", str(rtt_ms / 2), "--lifetime", str(RELAY_LIFETIME)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert process.stdout is not None
        match = PORT_LINE.match(process.stdout.readline())
        if not match:
            raise RuntimeError("the relay did not print its port")
        yield f"http://127.0.0.1:{match.group(1)}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            rest, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            rest, _ = process.communicate()
        with contextlib.suppress(ValueError, IndexError):
            counts.update(json.loads(rest.strip().splitlines()[-1]))


# -- one measured run ---------------------------------------------------------------------------


def credentials() -> list[str]:
    from revocation_contracts.reference.store import DEFAULT_CLIENTS

    first, second = DEFAULT_CLIENTS[0], DEFAULT_CLIENTS[1]
    return [
        "--client-id", first.client_id, "--client-secret", first.client_secret,
        "--second-client-id", second.client_id, "--second-client-secret", second.client_secret,
    ]  # fmt: skip


def command_supply(tally: Path | None = None) -> list[str]:
    """The example commands; with ``tally``, each run first appends one byte to a file there
    (``token``/``probe``), so the process starts are counted, not guessed from requests (a
    batch mints or probes several per process, issue 21)."""
    token, probe = f"{m.PYTHON} {EXAMPLES / 'token_command.py'}", f"{m.PYTHON} {EXAMPLES / 'probe_command.py'}"
    if tally is not None:
        token = f"printf . >> {tally / 'token'}; {token}"
        probe = f"printf . >> {tally / 'probe'}; {probe}"
    return ["--token-command", token, "--probe-command", probe]


def processes(tally: Path) -> dict[str, int]:
    """Runs of the token and probe commands counted in ``tally`` (see ``command_supply``)."""
    counted = {kind: (tally / kind).stat().st_size if (tally / kind).exists() else 0 for kind in ("token", "probe")}
    return {**counted, "total": counted["token"] + counted["probe"]}


def builtin_supply() -> list[str]:
    """The built-in supply against the reference server's OAuth face (``tests/supply/oauth_front.py``).

    The password grant, so each grant carries every token type the contract has."""
    return [
        "--token-endpoint", TOKEN_PATH, "--introspection-endpoint", INTROSPECT_PATH,
        "--grant", "password", "--username", "bench-user", "--password", "bench-password",
    ]  # fmt: skip


def builtin_available() -> bool:
    """Whether this checkout's suite has a built-in token supply (``--issuer``/``--token-endpoint``)."""
    options = m.REPO / "src" / "revocation_contracts" / "pytest_plugin" / "options.py"
    text = options.read_text() if options.exists() else ""
    return all(f'"{name}"' in text for name in BUILTIN_OPTIONS)


def floor(counts: dict[str, int], rtt_ms: float) -> float:
    return sum(counts.values()) * rtt_ms / 1000.0


# -- the built-in supply beside the command path, against Authlib ------------------------------
#
# The reference server's test-only mint and introspection are not OAuth endpoints, so the
# built-in supply (which mints at a token endpoint and probes by RFC 7662) is measured against
# the project's Authlib server (tests/libraries/authlib_server.py), through the same relay, both
# ways: built in, and with the curl commands a user would write for the same endpoints.

AUTHLIB_PATHS = {"/oauth/revoke": "endpoint", "/oauth/token": "mints", "/oauth/introspect": "probes"}


def authlib_args(relay_url: str, mode: str) -> list[str]:
    from tests.libraries.authlib_server import CLIENTS, USER

    (first, (first_secret, _)), (second, (second_secret, _)) = CLIENTS.items()
    args = ["--target-url", relay_url, "--endpoint-path", "/oauth/revoke"]
    args += ["--client-id", first, "--client-secret", first_secret]
    args += ["--second-client-id", second, "--second-client-secret", second_secret]
    user = f"-d grant_type=password -d username={USER[0]} -d password={USER[1]} -d scope=offline_access"
    if mode == "authlib-builtin":
        args += ["--token-endpoint", "/oauth/token", "--introspection-endpoint", "/oauth/introspect"]
        return [*args, "--grant", "password", "--username", USER[0], "--password", USER[1], "--scope", "offline_access"]
    # The first client authenticates with HTTP Basic, the second in the body (client_secret_post);
    # introspection answers only the owning client, so the probe tries both.
    basic, post = f"-u {first}:{first_secret}", f"-d client_id={second} -d client_secret={second_secret}"
    token = (
        f'case "$REVOKE_CLIENT_ID" in {first}) AUTH="{basic}";; *) AUTH="{post}";; esac; '
        f"curl -sf $AUTH {user} {relay_url}/oauth/token"
    )
    probe = (
        f'for AUTH in "{basic}" "{post}"; do curl -sf $AUTH -d "token=$REVOKE_TOKEN" '
        f"{relay_url}/oauth/introspect | grep -Eq '\"active\": ?true' && exit 0; done; exit 1"
    )
    return [*args, "--token-command", token, "--probe-command", probe]


def measure_authlib(
    rtt_ms: float, mode: str, extra: list[str], timeout: float, prefix: list[str] | None = None
) -> dict[str, Any]:
    """One suite run (``--spec rfc7009``) against Authlib behind a relay; counts from the relay.

    ``prefix``: a command the suite runs under (``py-spy record ... --``, for ``--profile``)."""
    from tests.libraries.authlib_server import AuthlibServer

    relay_counts: dict[str, Any] = {}
    load_before = os.getloadavg()
    with AuthlibServer(lifetime=RELAY_LIFETIME) as server:
        port = int(server.url.rsplit(":", 1)[1].split("/")[0])
        with relay(port, rtt_ms, relay_counts) as url:
            command = [*(prefix or []), m.PYTHON, *m.SUITE_COMMAND, "--spec", "rfc7009"]
            command += [*authlib_args(url, mode), *extra]
            started = time.monotonic()
            output, returncode = m._run_bounded(command, m.child_env(), timeout)
            wall = time.monotonic() - started
    counts = {"endpoint": 0, "mints": 0, "probes": 0, "other": 0}
    for path, n in relay_counts.get("requests_by_path", {}).items():
        counts[AUTHLIB_PATHS.get(path, "other")] += n
    summary = m._summary_line(output)
    return row("rfc7009 (Authlib)", rtt_ms, mode, wall, returncode, summary, counts, load_before, relay_counts, output)


def profile_remote(contract: str, rtt_ms: float, extra: list[str], timeout: float, keep: Path) -> dict[str, Any]:
    """The built-in supply's run of ``contract`` at ``rtt_ms`` under ``py-spy record -f raw``.

    Every thread is sampled (``--threads --idle``), so the main thread's time blocked on a
    socket, on an overlapped mint or probe, or on the end-of-session revocations is counted
    where it is spent; the raw stacks are kept in ``keep`` for a closer look."""
    import _profile

    py_spy = str(Path(m.PYTHON).with_name("py-spy"))
    if not Path(py_spy).exists():
        return {"skipped": "py-spy is not installed (pip install -e '.[dev]')"}
    prefix = [py_spy, "record", "-o", str(keep), "-f", "raw", "-r", str(_profile.REMOTE_RATE)]
    prefix += ["--threads", "--idle", "--nonblocking", "--"]
    run = measure(contract, rtt_ms, "suite-builtin", extra, timeout, prefix=prefix)
    if not keep.exists():
        return {"skipped": f"py-spy wrote nothing: {' '.join(run.get('tail', []))}", "run": run}
    result = _profile.parse_raw(keep.read_text(encoding="utf-8", errors="replace"), rate=_profile.REMOTE_RATE)
    return {**result, "run": run, "raw": str(keep)}


def row(
    contract: str,
    rtt_ms: float,
    mode: str,
    wall: float,
    returncode: int | None,
    summary: str,
    counts: dict[str, int],
    load_before: tuple[float, float, float],
    relay_counts: dict[str, Any] | None = None,
    output: str = "",
) -> dict[str, Any]:
    sequential = floor(counts, rtt_ms)
    return {
        "mode": mode,
        "contract": contract,
        "rtt_ms": rtt_ms,
        "wall_s": round(wall, 2),
        "returncode": returncode,
        "summary": summary,
        "requests": counts,
        "round_trips": sum(counts.values()),
        "relay": relay_counts or {},
        "floor_s": round(sequential, 2),
        "ratio_to_floor": round(wall / sequential, 2) if sequential else None,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "tail": output.strip().splitlines()[-3:] if returncode not in (0, None) else [],
    }


def measure(
    contract_name: str, rtt_ms: float, mode: str, extra: list[str], timeout: float, prefix: list[str] | None = None
) -> dict[str, Any]:
    """One run of ``mode`` ("suite-builtin", "suite-command", "schemathesis") against the reference
    server, via a relay; ``prefix``: a command the suite runs under (py-spy, for ``--profile``)."""
    relay_counts: dict[str, Any] = {}
    load_before = os.getloadavg()
    tally = Path(tempfile.mkdtemp(prefix="remote-commands-")) if mode == "suite-command" else None
    with counting_server(contract_name) as (server, counter), relay(server.port, rtt_ms, relay_counts) as url:
        started = time.monotonic()
        if mode == "schemathesis":
            outcome = m.run_schemathesis_cli(contract_name, url, BUDGET_EXAMPLES)
            output, returncode = str(outcome.get("result")), outcome.get("returncode")
            if "skipped" in outcome:
                return {"mode": mode, "contract": contract_name, "rtt_ms": rtt_ms, "skipped": outcome["skipped"]}
        else:
            supply = builtin_supply() if mode == "suite-builtin" else command_supply(tally)
            command = [*(prefix or []), m.PYTHON, *m.SUITE_COMMAND, "--spec", contract_name, "--target-url", url]
            command += credentials()
            command += [*supply, *extra]
            output, returncode = m._run_bounded(command, m.child_env({"REFERENCE_URL": url}), timeout)
        wall = time.monotonic() - started
        time.sleep(0.05)  # the server may still be answering the last request
        counts = counter.snapshot()
    summary = m._summary_line(output) if mode != "schemathesis" else output
    result = row(contract_name, rtt_ms, mode, wall, returncode, summary, counts, load_before, relay_counts, output)
    if tally is not None:
        result["command_processes"] = processes(tally)
        shutil.rmtree(tally, ignore_errors=True)
    return result


def subprocess_cost(samples: int = 10) -> dict[str, Any]:
    """Wall seconds of one mint and one probe command run directly at RTT 0 (the process cost)."""
    with counting_server("rfc7009") as (server, _):
        env = m.child_env({"REFERENCE_URL": server.base_url, "REVOKE_CLIENT_ID": "rc-client-a"})
        times: dict[str, list[float]] = {"mint": [], "probe": []}
        for _ in range(samples):
            started = time.monotonic()
            minted = subprocess.run(
                [m.PYTHON, str(EXAMPLES / "token_command.py")], env=env, capture_output=True, text=True, timeout=30
            )
            times["mint"].append(time.monotonic() - started)
            token = json.loads(minted.stdout).get("access_token") or json.loads(minted.stdout).get("refresh_token")
            started = time.monotonic()
            subprocess.run(
                [m.PYTHON, str(EXAMPLES / "probe_command.py")],
                env={**env, "REVOKE_TOKEN": token},
                capture_output=True,
                timeout=30,
            )
            times["probe"].append(time.monotonic() - started)
    return {kind: {"median_ms": round(1000 * (m.median(v) or 0), 1), "samples": len(v)} for kind, v in times.items()}


# -- reporting ----------------------------------------------------------------------------------


def totals(runs: list[dict[str, Any]], specs: list[str], rtts: list[float], mode: str) -> list[dict[str, Any]]:
    """'All five': per RTT, the sum over contracts of one mode (only when every contract ran)."""
    rows = []
    for rtt in rtts:
        chosen = [r for r in runs if r["mode"] == mode and r["rtt_ms"] == rtt and "wall_s" in r]
        if len(chosen) != len(specs) or len(specs) < 2:
            continue
        counts = Counter[str]()
        for r in chosen:
            counts.update(r["requests"])
        wall = sum(r["wall_s"] for r in chosen)
        sequential = floor(dict(counts), rtt)
        rows.append(
            {
                "mode": mode,
                "contract": f"all {len(specs)}",
                "rtt_ms": rtt,
                "wall_s": round(wall, 2),
                "requests": dict(counts),
                "round_trips": sum(counts.values()),
                "floor_s": round(sequential, 2),
                "ratio_to_floor": round(wall / sequential, 2) if sequential else None,
                "summary": "sum of the per-contract runs",
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    header = (
        "| contract | RTT ms | mode | wall s | endpoint | mints | probes | floor s | wall/floor | load 1m | result |"
    )
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for r in rows:
        if "skipped" in r:
            lines.append(f"| {r['contract']} | {r['rtt_ms']:g} | {r['mode']} | skipped: {r['skipped']} |||||||")
            continue
        c = r["requests"]
        ratio = "-" if r["ratio_to_floor"] is None else f"{r['ratio_to_floor']:.1f}x"
        load = f"{r['load_before'][0]:.1f}->{r['load_after'][0]:.1f}" if "load_before" in r else ""
        lines.append(
            f"| {r['contract']} | {r['rtt_ms']:g} | {r['mode']} | {r['wall_s']:.1f} | {c['endpoint']} | "
            f"{c['mints']} | {c['probes']} | {r['floor_s']:.1f} | {ratio} | {load} | {r['summary']} |"
        )
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    def version(name: str) -> str | None:
        with contextlib.suppress(metadata.PackageNotFoundError):
            return metadata.version(name)
        return None

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=m.REPO, capture_output=True, text=True)
    return {
        "cpu": m.cpu_info(),
        "python": platform.python_version(),
        "schemathesis": version("schemathesis"),
        "pytest": version("pytest"),
        "hypothesis": version("hypothesis"),
        "commit": commit.stdout.strip(),
    }


MODES = {"builtin": "suite-builtin", "command": "suite-command", "schemathesis": "schemathesis"}

# Issue 21's two remote figures: (name, contract, RTT ms, mode, target seconds).
FIGURES = (
    (
        "command path: polar via --token-command/--probe-command, loopback, no delay",
        "polar",
        0.0,
        "suite-command",
        30.0,
    ),
    ("far target: rfc7009 at 150 ms RTT, built-in supply", "rfc7009", 150.0, "suite-builtin", 30.0),
)


def figure(name: str, run: dict[str, Any], target: float) -> dict[str, Any]:
    """One figure for ``--json`` / ``--figures``: seconds, requests, command processes, target, load."""
    return {
        "figure": name,
        "contract": run["contract"],
        "rtt_ms": run["rtt_ms"],
        "mode": run["mode"],
        "seconds": run["wall_s"],
        "target_s": target,
        "met": run["returncode"] == 0 and run["wall_s"] < target,
        "returncode": run["returncode"],
        "summary": run["summary"],
        "requests": run["requests"],
        "endpoint_requests": run["requests"]["endpoint"],
        "command_processes": run.get("command_processes", {}).get("total"),
        "load_before": run["load_before"],
        "load_after": run["load_after"],
    }


def figures_main(args: argparse.Namespace) -> int:
    """Figures 2 and 3 of issue 21, beside their targets: a table, or JSON on stdout (``--json``,
    for ``bench/run.py``); progress goes to stderr either way."""
    results: dict[str, Any] = {"environment": environment(), "load_start": [round(x, 2) for x in os.getloadavg()]}
    rows = []
    for name, contract, rtt, mode, target in FIGURES:
        print(f"{name} ...", file=sys.stderr, flush=True)
        run = measure(contract, rtt, mode, args.suite_args, args.timeout)
        rows.append(figure(name, run, target))
        print(
            "  " + json.dumps({k: rows[-1][k] for k in ("seconds", "requests", "command_processes")}), file=sys.stderr
        )
    results["figures"] = rows
    results["load_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    env, cpu = results["environment"], results["environment"]["cpu"]
    print(f"CPU: {cpu['model']} ({cpu['usable_cores']} usable cores); commit {env['commit']}; Python {env['python']}")
    print("| figure | seconds | target | endpoint requests | command processes | load 1m | result |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        verdict = "met" if r["met"] else "NOT met"
        procs = "-" if r["command_processes"] is None else r["command_processes"]
        load = f"{r['load_before'][0]:.1f}->{r['load_after'][0]:.1f}"
        print(
            f"| {r['figure']} | {r['seconds']:.1f} | < {r['target_s']:g} s ({verdict}) | {r['endpoint_requests']} "
            f"| {procs} | {load} | {r['summary']} |"
        )
    return 0


def side_by_side(runs: list[dict[str, Any]]) -> str:
    """The issue's table: per contract and RTT, the built-in supply, the command path, plain CLI."""
    cells: dict[tuple[str, float], dict[str, dict[str, Any]]] = {}
    for r in runs:
        if "wall_s" in r:
            cells.setdefault((r["contract"], r["rtt_ms"]), {})[r["mode"]] = r

    def suite(r: dict[str, Any] | None) -> str:
        if r is None:
            return "- | - | - | - | - | -"
        c, ratio = r["requests"], "-" if r["ratio_to_floor"] is None else f"{r['ratio_to_floor']:.1f}x"
        failed = "" if r.get("returncode") in (0, None) else f" (exit {r['returncode']})"
        return (
            f"{r['wall_s']:.1f}{failed} | {c['endpoint']} | {c['mints']} | {c['probes']} | {r['floor_s']:.1f} | {ratio}"
        )

    header = (
        "| contract | RTT ms | built-in: wall s | endpoint | mints | probes | floor s | wall/floor "
        "| command: wall s | endpoint | mints | probes | floor s | wall/floor "
        "| schemathesis run: wall s | requests | load 1m |"
    )
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    order = {name: i for i, name in enumerate(ALL_SPECS)}
    for (contract, rtt), modes in sorted(cells.items(), key=lambda kv: (kv[0][1], order.get(kv[0][0], 99), kv[0][0])):
        cli = modes.get("schemathesis")
        cli_cell = f"{cli['wall_s']:.1f} | {cli['round_trips']}" if cli else "- | -"
        loads = [f"{r['load_before'][0]:.1f}->{r['load_after'][0]:.1f}" for r in modes.values() if "load_before" in r]
        lines.append(
            f"| {contract} | {rtt:g} | {suite(modes.get('suite-builtin'))} | {suite(modes.get('suite-command'))} "
            f"| {cli_cell} | {', '.join(loads)} |"
        )
    return "\n".join(lines)


def report(paths: list[Path]) -> int:
    """Re-print the tables of saved results (several files: their runs merged, e.g. parallel halves)."""
    runs: list[dict[str, Any]] = []
    for path in paths:
        saved = json.loads(path.read_text())
        cpu = saved["environment"]["cpu"]
        commit, load = saved["environment"]["commit"], f"{saved['load_start'][0]:.1f} -> {saved['load_end'][0]:.1f}"
        print(f"{path}: CPU {cpu['model']} ({cpu['usable_cores']} usable cores), commit {commit}, load {load}")
        runs += [r for r in saved["runs"] if not str(r.get("contract", "")).startswith("all ")]
    specs = sorted({r["contract"] for r in runs if r["contract"] in ALL_SPECS})
    rtts = sorted({r["rtt_ms"] for r in runs})
    for mode in MODES.values():
        runs += totals(runs, specs, rtts, mode)
    print(side_by_side(runs))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", nargs="+", default=list(ALL_SPECS), choices=ALL_SPECS)
    parser.add_argument("--rtt-ms", nargs="+", type=float, default=[0.0, 50.0, 150.0])
    parser.add_argument("--quick", action="store_true", help="rfc7009 only, at RTT 0 and 50 ms")
    parser.add_argument(
        "--modes", nargs="+", choices=tuple(MODES), default=list(MODES),
        help="built-in supply, command path, plain schemathesis run (default: all three)",
    )  # fmt: skip
    parser.add_argument("--no-cli", action="store_true", help="skip plain schemathesis run")
    parser.add_argument(
        "--authlib", choices=("with", "without", "only"), default="without",
        help="also the built-in supply beside curl commands against Authlib (rfc7009)",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per suite run before it is killed")
    parser.add_argument("--out", type=Path, default=m.BENCH / "remote_results.json")
    parser.add_argument("--builtin-only", action="store_true", help="of the Authlib pair, only the built-in supply")
    parser.add_argument(
        "--profile", type=float, metavar="RTT_MS",
        help="instead of the table: the built-in supply's run of the first --specs at this RTT under py-spy",
    )  # fmt: skip
    parser.add_argument("--report", type=Path, nargs="+", metavar="JSON", help="re-print saved results, merged")
    parser.add_argument("--repo", type=Path, help="benchmark another checkout (its src/ first), for before/after")
    parser.add_argument(
        "--figures", action="store_true",
        help="only issue 21's two figures (command path at RTT 0, rfc7009 at 150 ms) beside their targets",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="--figures as JSON on stdout (for bench/run.py)")
    parser.add_argument("suite_args", nargs="*", help="extra suite options after --, e.g. -- -n 4")
    args = parser.parse_args(argv)
    if args.report:
        return report(args.report)
    if args.repo:
        m.use_repo(args.repo.resolve())
    if args.figures or args.json:
        return figures_main(args)
    if args.quick:
        args.specs, args.rtt_ms = ["rfc7009"], [0.0, 50.0]
    chosen = [mode for mode in args.modes if not (mode == "schemathesis" and args.no_cli)]
    if not builtin_available():
        chosen = [mode for mode in chosen if mode != "builtin"]
    modes = [] if args.authlib == "only" else [MODES[mode] for mode in chosen]
    authlib_modes = ["authlib-command", "authlib-builtin"] if builtin_available() and args.authlib != "without" else []
    authlib_modes = [mode for mode in authlib_modes if mode == "authlib-builtin" or not args.builtin_only]

    results: dict[str, Any] = {"environment": environment(), "load_start": list(os.getloadavg())}
    if args.profile is not None:
        return profile_main(args, results)
    results["builtin_supply"] = builtin_available()
    results["suite_args"] = args.suite_args
    timing_commands = "suite-command" in modes
    if timing_commands:
        print("timing the command path's subprocesses ...", file=sys.stderr, flush=True)
    results["command_subprocess_cost"] = subprocess_cost() if timing_commands else None
    runs: list[dict[str, Any]] = []
    for rtt in args.rtt_ms:
        for name in args.specs:
            for mode in modes:
                print(f"{name} at RTT {rtt:g} ms, {mode} ...", file=sys.stderr, flush=True)
                runs.append(measure(name, rtt, mode, args.suite_args, args.timeout))
                brief = {k: runs[-1].get(k) for k in ("wall_s", "requests", "summary")}
                print("  " + json.dumps(brief), file=sys.stderr, flush=True)
        for mode in authlib_modes:
            print(f"Authlib at RTT {rtt:g} ms, {mode} ...", file=sys.stderr, flush=True)
            runs.append(measure_authlib(rtt, mode, args.suite_args, args.timeout))
            brief = {k: runs[-1].get(k) for k in ("wall_s", "requests", "summary")}
            print("  " + json.dumps(brief), file=sys.stderr, flush=True)
    for mode in modes:
        runs += totals(runs, args.specs, args.rtt_ms, mode)
    results["runs"] = runs
    results["load_end"] = list(os.getloadavg())
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    cpu = results["environment"]["cpu"]
    print(f"CPU: {cpu['model']} ({cpu['usable_cores']} usable cores); load {results['load_start'][0]:.1f} -> "
          f"{results['load_end'][0]:.1f}; subprocess per mint/probe: "
          f"{(results['command_subprocess_cost'] or {}).get('mint')}/"
          f"{(results['command_subprocess_cost'] or {}).get('probe')}")  # fmt: skip
    print(side_by_side(runs))
    print()
    print(table(runs))
    print(f"written to {args.out}")
    return 0


def profile_main(args: argparse.Namespace, results: dict[str, Any]) -> int:
    import _profile

    keep = args.out.with_name("remote_profile.txt")
    contract = args.specs[0]
    print(f"{contract} at RTT {args.profile:g} ms, suite-builtin, under py-spy ...", file=sys.stderr, flush=True)
    profile = profile_remote(contract, args.profile, args.suite_args, args.timeout, keep)
    results["profile"] = profile
    results["load_end"] = list(os.getloadavg())
    out = args.out.with_name("remote_profile.json")
    out.write_text(json.dumps(results, indent=2) + "\n")
    cpu = results["environment"]["cpu"]
    print(f"CPU: {cpu['model']}; load {results['load_start'][0]:.1f} -> {results['load_end'][0]:.1f}")
    if "run" in profile:
        print(table([profile["run"]]))
    print(_profile.render(profile))
    for part, seconds in profile.get("main_thread_by_part_s", {}).items():
        top = ", ".join(f"{name} {value:.1f} s" for name, value in list(seconds.items())[:4])
        print(f"  {sum(seconds.values()):7.1f} s  {part}: {top}")
    print("Main thread, innermost frames:")
    for name, value in list(profile.get("top_leaf_s", {}).items())[:12]:
        print(f"  {value:7.1f} s  {name}")
    print(f"written to {out} (raw stacks: {keep})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
