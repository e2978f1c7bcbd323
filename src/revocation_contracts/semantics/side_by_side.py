"""Semantic properties side by side: a remote target's independent chains, overlapped (issue 12).

Why: each property is a chain of round trips that depend on each other (mint, probe alive,
revoke, probe dead, each answer deciding the next step), so against a target 50 ms away one
contract's properties cost about 30 s one after the other, however fast the suite is. The
chains of *different* properties share nothing: each mints its own grants, and
``client_credentials`` and ``password`` grants are independent of each other (RFC 6749
sections 4.4 and 4.3). So, against such a target, a contract's selected property tests start
together on a few threads as soon as its semantic run exists, while the main thread goes on
with the schema and protocol tests; each property test then collects its own outcome.

Nothing runs in a thread before the main thread has done every import and compile the
threads need (``warm.py``): a thread that imports while another parses can crash the run.

Nothing that is checked changes: every property, every example, the same Hypothesis seeds;
each test gets exactly its own verdict (failure, skip, setup error, warnings, report notes),
raised or recorded when pytest runs that test, in pytest's order. Each property runs in a
``SemanticRun.fork`` with its own request trail, so a failure shows its own sequence only.

One thing does change: tokens of different properties are alive at the same moment. A server
that over-revokes (property 6) would then also kill the tokens another property is watching
and fail (or skip: nothing left to revoke) that property for a cause that is not its own. So
any outcome but a pass or a setup error seen side by side is confirmed alone: after every
property of the contract has finished, that test runs again in the main thread with grants
minted for it, never minted ahead. Its verdict is the test's verdict; a failure that does
not come back alone is recorded as a note on the test.

When: a supply with independent grants (``grants_are_independent``: the built-in supply's
``client_credentials`` or ``password`` grants, or a ``--token-command``), more than one worker
(``--semantic-workers``, default 4), and not inside a pytest-xdist worker (the workers
already overlap the tests, and each would run every property of its contract). Never against
the embedded reference servers: there the suite is CPU-bound under one interpreter lock and
the planted-bug proofs rely on one property's traffic at a time. Never with a
``--refresh-token`` seed (each mint rotates the one before). A user's commands still run one
at a time (a script need not be reentrant): the properties' probes wait for each other and go
in one run of the probe command, their grants come in batches (``supply/commands.py``).

Who holds it: whoever starts the tests (the contract suite's ``semantic_run`` fixture) keeps
the ``SideBySide`` and hands it to ``verify``; the harness (``SemanticRun``) knows nothing of
it, and the properties know nothing of either.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from revocation_contracts.rules.outcomes import NOTE_PROPERTY, collect_warning, collecting
from revocation_contracts.rules.violation import Violation

from .declaration import Property, run_property
from .run import SETUP_ERRORS, SemanticRun, flush_secrets
from .warm import warm_up

# Recorded on every test whose property ran side by side (JUnit ``<property>``).
SIDE_BY_SIDE_PROPERTY = "revocation-side-by-side"

Key = tuple[int, str | None]  # (property number, explicit case or None for drawn plans)


def side_by_side_wanted(workers: int, embedded: bool, in_xdist_worker: bool) -> bool:
    """Whether a session's properties may run at once, before its supply is known."""
    return workers > 1 and not embedded and not in_xdist_worker


def side_by_side_applies(run: SemanticRun, workers: int, in_xdist_worker: bool) -> bool:
    """Whether ``run``'s properties run at once (see the module's "When")."""
    return run.supply.grants_are_independent and side_by_side_wanted(workers, run.target.embedded, in_xdist_worker)


@dataclass
class Finished:
    """What one property test produced in its thread: its error (or None), warnings and notes."""

    fork: SemanticRun
    error: BaseException | None = None
    warnings: list[Violation] = field(default_factory=list)
    notes: list[tuple[str, object]] = field(default_factory=list)


class SideBySide:
    """The property tests of one contract's semantic run, started together on a few threads."""

    def __init__(self, run: SemanticRun, workers: int) -> None:
        self.run = run
        self.workers = workers
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix=f"revocation-contracts-{run.contract.name}")
        self._jobs: dict[Key, tuple[Property, Future[Finished]]] = {}

    def start(self, tests: list[tuple[Property, str | None]]) -> None:
        """Start every listed property test (in order: the pool takes them first come first served).

        The main thread first imports, compiles and caches what the threads will need
        (``warm.py``): no thread imports or parses while another may (issue 17)."""
        warm_up(self.run, tests)
        for prop, case in tests:
            key = (prop.number, case)
            if key not in self._jobs:
                fork = self.run.fork()
                self._jobs[key] = (prop, self._executor.submit(_in_thread, fork, prop, case, self.run.strict))

    def take(self, prop: Property, case: str | None) -> _Outcome | None:
        """The started test's outcome, waited for; None if this test was not started here."""
        job = self._jobs.pop((prop.number, case), None)
        if job is None:
            return None
        return _Outcome(self, prop, case, job[1].result())

    def wait_all(self) -> None:
        """Wait until no property of this contract is running (before confirming one alone)."""
        wait([future for _, future in self._jobs.values()])

    def close(self) -> None:
        """End the run: properties not started are dropped, running ones stop at their next example."""
        self.run.cancelled.set()
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._jobs.clear()


@dataclass
class _Outcome:
    side_by_side: SideBySide
    prop: Property
    case: str | None
    finished: Finished

    def replay(self, notes: list[tuple[str, object]]) -> None:
        """Give the running test its verdict: the thread's, or, for a failure, the one alone."""
        __tracebackhide__ = True
        finished = self.finished
        flush_secrets([finished.fork])
        notes.append((SIDE_BY_SIDE_PROPERTY, f"ran with up to {self.side_by_side.workers} properties at once"))
        if finished.error is not None and not isinstance(finished.error, SETUP_ERRORS):
            self._confirm_alone(finished.error, notes)
            return
        notes.extend(finished.notes)
        for warning in finished.warnings:
            collect_warning(warning)  # strictness was applied in the thread, with the same setting
        if finished.error is not None:
            raise finished.error

    def _confirm_alone(self, error: BaseException, notes: list[tuple[str, object]]) -> None:
        __tracebackhide__ = True
        self.side_by_side.wait_all()
        alone = self.side_by_side.run.fork(fresh_mints=True)
        try:
            run_property(alone, self.prop, self.case, notes)
        finally:
            flush_secrets([alone])
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        notes.append(
            (
                NOTE_PROPERTY,
                "did not pass while other properties ran beside it, and passed when run again alone "
                f"(its first run said: {alone.redactor(first_line)})",
            )
        )


def _in_thread(fork: SemanticRun, prop: Property, case: str | None, strict: bool) -> Finished:
    finished = Finished(fork)
    with collecting(strict) as sink:
        try:
            run_property(fork, prop, case, finished.notes)
        except BaseException as error:  # a skip, a failure or a setup error: the test's to raise
            finished.error = error
    finished.warnings = list(sink.warnings)
    return finished


def verify(
    run: SemanticRun,
    prop: Property,
    case: str | None = None,
    *,
    notes: list[tuple[str, object]],
    side_by_side: SideBySide | None = None,
) -> None:
    """One property test: ``prop`` on drawn plans, or with ``case`` on that named explicit plan
    (its regression twin), against ``run``'s target; or, where ``side_by_side`` started that
    test already, its outcome replayed. Notes for the report go to ``notes`` (the test's
    ``user_properties``)."""
    __tracebackhide__ = True
    started = side_by_side.take(prop, case) if side_by_side is not None else None
    if started is None:
        run_property(run, prop, case, notes)
    else:
        started.replay(notes)
