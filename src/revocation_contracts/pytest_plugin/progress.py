"""What a long run is doing: which contract and phase runs, requests sent, the whole run's time.

Why: against a remote server a run takes minutes, and pytest's file names and dots say
nothing of where it is (a single dot of a semantic test may take seconds of minting and
probing); its "in 11.50s" leaves out what runs before the session (discovery, the preflight
and the supply gate) and after the tests (the leftover tokens revoked). So, in the terminal:

- a line when a contract's phase starts, with its number of checks (``polar: semantics (24
  checks)``), written before pytest's own line for the test (``TerminalReporter.write_line``);
- ``revoking N leftover tokens...`` before the suite revokes what it minted and left alive;
- a summary section of its own: requests sent per contract (to the endpoint under test, and to
  the token supply's endpoints), the leftover revocation, and the time from the plugin's start
  to the summary, the setup checks and the leftover revocation included.

``-q`` keeps the run quiet: no phase line and no section. Under pytest-xdist the lines are
the controller's: it learns the collected tests from ``pytest_xdist_node_collection_finished``
and every test's start from ``pytest_runtest_logstart`` (both public hooks), and each worker
hands its request counts over in ``workeroutput`` (read in ``pytest_testnodedown``), the way
pytest-cov hands over its data.

A phase is the contract suite's module (``test_schema.py`` is ``schema``, and so on); the
contract is the leading part of the test id's parameters, matched against the selected
contracts (the id is all the controller has of a worker's test).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import pytest

PHASES = {"test_schema.py": "schema", "test_protocol.py": "protocol", "test_semantics.py": "semantics"}
WORKEROUTPUT_KEY = "revocation_contracts_requests"
SECTION = "revocation-contracts: requests and time"

# contract -> (requests to the endpoint under test, requests to the token supply's endpoints)
RequestCounts = dict[str, tuple[int, int]]


def phase_of(nodeid: str, contracts: Iterable[str]) -> tuple[str, str] | None:
    """(contract, phase) of a contract suite test id, or None for any other test."""
    path, _, rest = nodeid.partition("::")
    phase = PHASES.get(path.rsplit("/", 1)[-1])
    if phase is None or "[" not in rest:
        return None
    params = rest[rest.index("[") + 1 : rest.rindex("]")] if rest.endswith("]") else ""
    matching = [name for name in contracts if params == name or params.startswith(name + "-")]
    return (max(matching, key=len), phase) if matching else None


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


class Progress:
    """The plugin object: phase lines, the leftover line, the summary section (module docstring)."""

    def __init__(self, config: pytest.Config, contracts: list[str], counts: Callable[[], RequestCounts]) -> None:
        self.config = config
        self.contracts = contracts
        self.counts = counts
        self.started = time.monotonic()
        self.in_worker = hasattr(config, "workerinput")
        self.checks: Counter[tuple[str, str]] = Counter()
        self.phases: dict[str, tuple[str, str]] = {}
        self.begun: set[tuple[str, str]] = set()
        self.worker_counts: list[RequestCounts] = []
        self.leftovers: tuple[int, int, float] | None = None  # (found, revoked, seconds)
        self.collected = False

    @property
    def shows(self) -> bool:
        return not self.in_worker and self.config.get_verbosity() >= 0

    def _reporter(self) -> Any:
        return self.config.pluginmanager.get_plugin("terminalreporter") if self.shows else None

    def _collected(self, nodeids: Iterable[str]) -> None:
        if self.collected:
            return
        self.collected = True
        for nodeid in nodeids:
            found = phase_of(nodeid, self.contracts)
            if found is not None:
                self.phases[nodeid] = found
                self.checks[found] += 1

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._collected(item.nodeid for item in session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self._collected(ids)  # every worker collects the same tests: the first list is the run's

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        found = self.phases.get(nodeid)
        reporter = self._reporter()
        if found is None or found in self.begun or reporter is None:
            return
        self.begun.add(found)
        contract, phase = found
        self._write(reporter, f"{contract}: {phase} ({plural(self.checks[found], 'check')})", before_a_test=True)

    def _write(self, reporter: Any, line: str, before_a_test: bool = False) -> None:
        """``line`` on a line of its own, amid pytest's dots and file names."""
        if self.config.pluginmanager.has_plugin("dsession"):
            # pytest-xdist's controller writes the workers' dots on one line, and never ends it first.
            reporter.write(f"\n{line}\n")
        elif before_a_test and reporter.showfspath:
            # pytest starts the test's file name on a line of its own: end the line there, not here.
            reporter.ensure_newline()
            reporter.write(line)
        else:
            reporter.write_line(line)

    def announce_leftovers(self, count: int) -> None:
        """Before the suite revokes the tokens it minted and left alive (``TargetPool``)."""
        reporter = self._reporter()
        if reporter is not None and count:
            line = f"revocation-contracts: revoking {plural(count, 'leftover token')} the suite minted..."
            self._write(reporter, line)

    def revoked_leftovers(self, found: int, revoked: int, seconds: float) -> None:
        self.leftovers = (found, revoked, seconds)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """In a worker: hand this process's request counts to the controller (after the
        suite's own sessionfinish revoked the leftovers, whose requests count too)."""
        if self.in_worker:
            output = self.config.workeroutput  # type: ignore[attr-defined]
            output[WORKEROUTPUT_KEY] = {"requests": self.counts(), "leftovers": self.leftovers}

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        handed = getattr(node, "workeroutput", {}).get(WORKEROUTPUT_KEY)
        if not handed:
            return
        self.worker_counts.append({name: (pair[0], pair[1]) for name, pair in handed["requests"].items()})
        if handed["leftovers"]:
            found, revoked, seconds = handed["leftovers"]
            mine = self.leftovers or (0, 0, 0.0)
            self.leftovers = (mine[0] + found, mine[1] + revoked, max(mine[2], seconds))

    def requests(self) -> RequestCounts:
        """Requests per contract, this process's and every worker's."""
        total: dict[str, list[int]] = {}
        for counts in (self.counts(), *self.worker_counts):
            for name, (endpoint, supply) in counts.items():
                pair = total.setdefault(name, [0, 0])
                pair[0] += endpoint
                pair[1] += supply
        return {name: (pair[0], pair[1]) for name, pair in total.items()}

    def summary(self) -> list[str]:
        lines = []
        for name, (endpoint, supply) in sorted(self.requests().items()):
            line = f"{name}: {plural(endpoint, 'request')} to the endpoint"
            lines.append(line + (f", {supply} to the token supply" if supply else ""))
        if self.leftovers is not None and self.leftovers[0]:
            found, revoked, seconds = self.leftovers
            lines.append(f"leftover tokens: revoked {revoked} of {found} in {seconds:.1f}s")
        lines.append(
            f"whole run: {time.monotonic() - self.started:.1f}s, the checks before the tests and the leftover "
            "revocation included"
        )
        return lines

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.shows:
            return
        terminalreporter.section(SECTION)
        for line in self.summary():
            terminalreporter.write_line(line)
