"""Fixtures of the contract suite's semantic tests: the token supply and the semantic run.

Small and overridable, the pytest-httpserver way: a user with another way to mint and probe
tokens overrides ``token_supply`` and returns any object with ``mint(client, token_types)``
(a ``revocation_contracts.Grant``) and ``is_active(token)``. The override goes in this
directory's conftest (pytest prefers the closest definition; one in a directory above loses
to this one). The suite asks a supply only what ``revocation_contracts.TokenSupply``
declares; an object with just the two methods gets its defaults (no pinned values, one grant
after another, one probe at a time, nothing left to revoke), and a subclass of
``TokenSupply`` may offer more. ``tests/supply/test_user_supply.py`` runs the semantic tests
with such a minimal supply.

Each contract's ``SemanticRun`` lives for the whole session in ``semantic_runs``, not in a
session-scoped fixture parametrized by contract: pytest interleaves the contracts' tests and
would tear such a fixture down and build it again at every switch.

Against a remote target with the built-in supply, a contract's property tests start together
as soon as its semantic run exists (``revocation_contracts.semantics.side_by_side``), and
``_semantic_head_start`` builds that run at the contract's first test, so the properties'
round trips overlap the schema and protocol tests' too. That scheduler is held here
(``semantic_side_by_side``), never by the run.

Each semantic test names its property explicitly (``@drawn_plans(P5)``, ``@explicit_plans(P5)``:
the marker ``revocation_property``); ``semantic_verdict`` and ``selected_tests`` read it there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

import pytest

from revocation_contracts.pytest_plugin.names import contract_of
from revocation_contracts.rules.outcomes import NO_TOKEN_SUPPLY, NotApplicable
from revocation_contracts.semantics import Property, SemanticRun, SideBySide, flush_secrets, property_of, verify
from revocation_contracts.semantics.declaration import MARKER
from revocation_contracts.semantics.side_by_side import side_by_side_applies, side_by_side_wanted
from revocation_contracts.supply.tokens import TokenSupply

NO_SUPPLY = (
    "revocation semantics need live tokens: pass --issuer URL (or --token-endpoint URL), or the shell "
    "command lines --token-command CMD and --probe-command CMD, or drop --target-url to use the embedded "
    "reference server"
)
NO_PROBE = (
    "revocation semantics need to know whether a token still works: pass --introspection-endpoint URL, "
    "--resource-url URL, or --probe-command CMD (exit 0 = active, 1 = inactive for the token in $REVOKE_TOKEN)"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(prop): the revocation-semantics property a test checks")


@pytest.fixture
def token_supply(target: Any) -> TokenSupply:
    """Where live tokens come from: the embedded server's, the built-in supply (token endpoint,
    introspection), or --token-command/--probe-command.

    Skips, saying which option enables the semantic tests, when the target has none: a check
    that applies but could not run (``NotApplicable`` with its cause, for the coverage summary).
    """
    if target.tokens is None:
        raise NotApplicable(NO_SUPPLY, NO_TOKEN_SUPPLY)
    if not target.tokens.can_probe:
        raise NotApplicable(NO_PROBE, NO_TOKEN_SUPPLY)
    supply: TokenSupply = target.tokens
    return supply


@pytest.fixture(scope="session")
def semantic_runs() -> Iterator[dict[str, SemanticRun | BaseException]]:
    """Every contract's semantic run (or the setup error its smoke check raised), by name.

    At the end of the session every token the runs minted is registered with the redactor,
    before the terminal summary and reports are written.
    """
    runs: dict[str, SemanticRun | BaseException] = {}
    yield runs
    flush_secrets([run for run in runs.values() if isinstance(run, SemanticRun)])


@pytest.fixture(scope="session")
def semantic_side_by_side(semantic_runs: dict[str, Any]) -> Iterator[dict[str, SideBySide]]:
    """The contracts whose property tests run side by side, with their scheduler, by name.

    Closed at the end of the session, before ``semantic_runs`` registers the tokens their
    threads minted (this fixture depends on that one, so pytest tears it down first)."""
    schedulers: dict[str, SideBySide] = {}
    yield schedulers
    for scheduler in schedulers.values():
        scheduler.close()


@pytest.fixture
def semantic_run(
    target: Any,
    token_supply: TokenSupply,
    revocation_settings: Any,
    semantic_runs: dict[str, SemanticRun | BaseException],
    semantic_side_by_side: dict[str, SideBySide],
    request: pytest.FixtureRequest,
) -> SemanticRun:
    """This contract's semantic run; built once, after checking that a fresh token probes active.

    A probe that calls a new token inactive would make "a revoked token is dead" pass for any
    server, so it is a setup error (a ``TokenSupplyError``), never a pass; it is raised again
    for every semantic test of the contract without running the commands again.

    Where the properties may run side by side, the session's property tests of this contract
    start here, all of them, and each collects its outcome when pytest runs it.
    """
    name = target.contract.name
    if name not in semantic_runs:
        run = SemanticRun(
            target,
            token_supply,
            strict=revocation_settings.strict,
            max_examples=revocation_settings.max_examples,
        )
        try:
            run.smoke_check()
        except Exception as error:
            semantic_runs[name] = error
            raise
        semantic_runs[name] = run
        workers = revocation_settings.semantic_workers
        if side_by_side_applies(run, workers, in_xdist_worker=_in_xdist_worker(request)):
            scheduler = semantic_side_by_side[name] = SideBySide(run, workers)
            scheduler.start(selected_tests(request.session.items, name))
    cached = semantic_runs[name]
    if isinstance(cached, BaseException):
        raise cached
    return cached


@pytest.fixture
def semantic_verdict(
    semantic_run: SemanticRun,
    semantic_side_by_side: dict[str, SideBySide],
    request: pytest.FixtureRequest,
) -> Callable[..., None]:
    """This test's property, judged: call it (``case``: the explicit plan of a twin test) and it
    runs the property against the target, or replays the outcome of its side-by-side run; a
    failure, skip or setup error is raised, warnings and notes are recorded on the test."""
    prop = property_of(request.node)
    if prop is None:
        raise TypeError(f"{request.node.name} is not marked with its property (@drawn_plans(P1), @explicit_plans(P1))")
    return partial(
        verify,
        semantic_run,
        prop,
        notes=request.node.user_properties,
        side_by_side=semantic_side_by_side.get(semantic_run.contract.name),
    )


@pytest.fixture(scope="session")
def semantic_head_starts() -> set[str]:
    """The contracts whose semantic run a head start was tried for (once each)."""
    return set()


@pytest.fixture(autouse=True)
def _semantic_head_start(
    request: pytest.FixtureRequest,
    revocation_settings: Any,
    semantic_runs: dict[str, Any],
    semantic_head_starts: set[str],
) -> None:
    """Against a remote target, build the contract's semantic run at its first test of any kind.

    The run starts its property tests side by side (``semantic_run``), so their round trips
    overlap the schema and protocol tests'. Nothing is judged here: a skip or setup error of
    the semantic run is the semantic tests' to report, each raising it again."""
    settings = revocation_settings
    wanted = side_by_side_wanted(settings.semantic_workers, settings.embedded, _in_xdist_worker(request))
    if not wanted or "target" not in request.fixturenames:
        return
    name = request.getfixturevalue("contract").name
    if name in semantic_head_starts or name in semantic_runs:
        return
    semantic_head_starts.add(name)
    if not selected_tests(request.session.items, name):
        return
    with contextlib.suppress(Exception, pytest.skip.Exception):
        request.getfixturevalue("semantic_run")


def selected_tests(items: Iterable[Any], contract: str) -> list[tuple[Property, str | None]]:
    """The session's property tests of ``contract`` (after ``-k``, ``--lf``, deselection), as
    (property, explicit case or None); the drawn-plans tests first, the longest chains. A test's
    property is the one it is marked with; a twin test is the one parametrized by ``case``."""
    drawn: list[tuple[Property, str | None]] = []
    explicit: list[tuple[Property, str | None]] = []
    for item in items:
        prop = property_of(item)
        callspec = getattr(item, "callspec", None)
        if prop is None or callspec is None or "semantic_run" not in getattr(item, "fixturenames", ()):
            continue
        bound = contract_of(item)
        if bound is None or bound.name != contract:
            continue
        if "case" in callspec.params:
            explicit.append((prop, callspec.params["case"]))
        else:
            drawn.append((prop, None))
    return drawn + explicit


def _in_xdist_worker(request: pytest.FixtureRequest) -> bool:
    return hasattr(request.config, "workerinput")
