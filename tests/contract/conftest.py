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
round trips overlap the schema and protocol tests' too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from revocation_contracts.model.contract import contract_of
from revocation_contracts.semantics import PROPERTIES, Property, SemanticRun, flush_secrets
from revocation_contracts.semantics.properties import P10
from revocation_contracts.semantics.side_by_side import SideBySide, side_by_side_applies, side_by_side_wanted
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


@pytest.fixture
def token_supply(target: Any) -> TokenSupply:
    """Where live tokens come from: the embedded server's, the built-in supply (token endpoint,
    introspection), or --token-command/--probe-command.

    Skips, saying which option enables the semantic tests, when the target has none.
    """
    if target.tokens is None:
        pytest.skip(NO_SUPPLY)
    if not target.tokens.can_probe:
        pytest.skip(NO_PROBE)
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
    built = [run for run in runs.values() if isinstance(run, SemanticRun)]
    for run in built:
        if run.side_by_side is not None:
            run.side_by_side.close()
    flush_secrets(built)


@pytest.fixture
def semantic_run(
    target: Any,
    token_supply: TokenSupply,
    revocation_settings: Any,
    semantic_runs: dict[str, SemanticRun | BaseException],
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
            run.side_by_side = SideBySide(run, workers)
            run.side_by_side.start(selected_tests(request.session.items, name))
    cached = semantic_runs[name]
    if isinstance(cached, BaseException):
        raise cached
    return cached


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
    (property, explicit case or None); the drawn-plans tests first, the longest chains."""
    by_name = {name: prop for prop in (*PROPERTIES, P10) for name in (prop.test, f"{prop.test}_examples")}
    drawn: list[tuple[Property, str | None]] = []
    explicit: list[tuple[Property, str | None]] = []
    for item in items:
        name = getattr(item, "originalname", "")
        callspec = getattr(item, "callspec", None)
        prop = by_name.get(name)
        if prop is None or callspec is None or "semantic_run" not in getattr(item, "fixturenames", ()):
            continue
        bound = contract_of(item)
        if bound is None or bound.name != contract:
            continue
        if name == prop.test:
            drawn.append((prop, None))
        else:
            explicit.append((prop, callspec.params.get("case")))
    return drawn + explicit


def _in_xdist_worker(request: pytest.FixtureRequest) -> bool:
    return hasattr(request.config, "workerinput")
