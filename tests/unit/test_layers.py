"""The package's layers, read from its imports: every import runs downward, none runs across.

Why a test and not a picture: a layer order that is only written down drifts the first time a
helper is needed "just here". This test reads every ``import`` in ``src/revocation_contracts``
(at module level, inside functions and under ``TYPE_CHECKING`` alike) and fails on any import
of a module in a higher layer or in another room of the same layer, naming the file and line.
There is no allow-list: a needed import upward means the code is in the wrong room.

The order, bottom to top (README, "How it is built"):

0. ``compat`` (the seams of the libraries we build on), ``lazy`` (PEP 562 lazy names) and
   ``redact`` (secret masking, which every layer needs and which needs nothing of ours);
1. ``model``: the contract as validated data;
2. ``transport``: bounded HTTP to a target, credentials on the wire, curl reproductions;
3. ``rules``: pure judgements of one answer, typed ``Violation``s;
4. ``reference``: the embedded reference servers and their planted bugs;
5. ``reporting``: reports and baselines built from violations (data in, text out);
6. ``supply``: live tokens (discovery, minting, probing, user commands);
7. ``target``: the endpoint under test, with its session and token supply;
8. ``semantics``: the revocation properties, run against a target; ``schema_run``: the schema
   test's driver, sending generated cases to a target (the verdicts stay in ``rules``);
9. ``pytest_plugin``: the composition root (hooks, options, fixtures, the pytest-facing parts);
10. ``cli`` and the package's ``__init__`` (the public face).

Inside one room (a package folder), modules may import each other, but never in a circle.

Below ``pytest_plugin`` nothing imports ``pytest`` or ``_pytest`` (issue 20): the lower layers
speak in the package's own outcomes (``rules/outcomes.py``: ``ContractFailure``,
``NotApplicable``, the warning sink) and data (a baseline's expected failures, a property's
declaration); the plugin alone turns them into pytest's skips, marks and parametrization.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "revocation_contracts"
SOURCE = Path(__file__).resolve().parents[2] / "src" / PACKAGE

LAYERS: tuple[tuple[str, ...], ...] = (
    ("compat", "lazy", "redact"),
    ("model",),
    ("transport",),
    ("rules",),
    ("reference",),
    ("reporting",),
    ("supply",),
    ("target",),
    ("semantics", "schema_run"),
    ("pytest_plugin",),
    ("cli", "__init__"),
)
LEVEL = {room: level for level, rooms in enumerate(LAYERS) for room in rooms}


def room_of(module: str) -> str:
    """The room of ``revocation_contracts.<room>[.rest]`` (``__init__`` for the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path, source: Path) -> str:
    relative = path.relative_to(source.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, source: Path) -> list[tuple[int, str]]:
    """Every module of the package that ``path`` imports, with the line, wherever the import is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(path, source)
    package_parts = here.split(".") if path.name == "__init__.py" else here.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == PACKAGE]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            # ``from revocation_contracts import redact`` names a module, not a package attribute.
            names = [f"{target}.{alias.name}" for alias in node.names]
            found += [(node.lineno, name if _is_module(name, source) else target) for name in names]
        elif isinstance(node, ast.Call) and _is_import_module_call(node):
            found.append((node.lineno, node.args[0].value))  # type: ignore[attr-defined]
    return found


def _is_import_module_call(node: ast.Call) -> bool:
    func = node.func
    named = (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id == "import_module"
    )
    return (
        named
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and node.args[0].value.startswith(PACKAGE)
    )


def _is_module(name: str, source: Path) -> bool:
    relative = Path(*name.split(".")[1:])
    return (source / relative).with_suffix(".py").exists() or (source / relative / "__init__.py").exists()


def layer_problems(source: Path) -> list[str]:
    """One line per import that runs upward or across, and per room missing from ``LAYERS``."""
    problems: list[str] = []
    for path in sorted(source.rglob("*.py")):
        here = module_name(path, source)
        room = room_of(here)
        if room not in LEVEL:
            problems.append(f"{path.relative_to(source.parent)}: room {room!r} has no layer in LAYERS")
            continue
        for line, imported in imports_of(path, source):
            other = room_of(imported)
            if other == room or other not in LEVEL:
                continue
            if LEVEL[other] > LEVEL[room]:
                problems.append(f"{path.relative_to(source.parent)}:{line}: imports {imported} (upward: {other})")
            elif LEVEL[other] == LEVEL[room]:
                problems.append(f"{path.relative_to(source.parent)}:{line}: imports {imported} (a peer: {other})")
    return problems


def import_circles(source: Path) -> list[list[str]]:
    """Circles among the package's modules (any import, wherever it stands)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(source.rglob("*.py")):
        here = module_name(path, source)
        targets = {name for _, name in imports_of(path, source) if name != here and _is_module(name, source)}
        graph[here] = targets
    circles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return circles


TEST_RUNNER = ("pytest", "_pytest")


def runner_imports(source: Path) -> list[str]:
    """One line per import of pytest in a module below ``pytest_plugin``, wherever it stands
    (module level, inside a function, under ``TYPE_CHECKING``, ``import_module("pytest")``)."""
    problems: list[str] = []
    for path in sorted(source.rglob("*.py")):
        room = room_of(module_name(path, source))
        if LEVEL.get(room, LEVEL["pytest_plugin"]) >= LEVEL["pytest_plugin"]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
            elif isinstance(node, ast.Call) and _names_a_module(node):
                names = [node.args[0].value]  # type: ignore[attr-defined]
            else:
                continue
            problems += [
                f"{path.relative_to(source.parent)}:{node.lineno}: imports {name} (below pytest_plugin)"
                for name in names
                if name.split(".")[0] in TEST_RUNNER
            ]
    return problems


def _names_a_module(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return (
        name in ("import_module", "__import__")
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def test_every_import_runs_downward() -> None:
    problems = layer_problems(SOURCE)
    assert not problems, "imports that run upward or across:\n" + "\n".join(problems)


def test_nothing_below_the_plugin_imports_pytest() -> None:
    problems = runner_imports(SOURCE)
    assert not problems, "pytest imported below the plugin:\n" + "\n".join(problems)


def test_no_import_circle() -> None:
    circles = import_circles(SOURCE)
    assert not circles, "import circles:\n" + "\n".join(" -> ".join(circle) for circle in circles)


@pytest.fixture
def planted_package(tmp_path: Path) -> Path:
    """A copy of a tiny package laid out in the real layers, for the twins below."""
    root = tmp_path / PACKAGE
    for room in ("model", "rules", "pytest_plugin"):
        (root / room).mkdir(parents=True)
        (root / room / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "redact.py").write_text("MASK = '***'\n")
    (root / "model" / "contract.py").write_text("from revocation_contracts import redact\n")
    (root / "rules" / "engine.py").write_text("from revocation_contracts.model.contract import *\n")
    (root / "pytest_plugin" / "hooks.py").write_text("from revocation_contracts.rules import engine\n")
    return root


def test_twin_a_faithful_layout_passes(planted_package: Path) -> None:
    assert layer_problems(planted_package) == []
    assert import_circles(planted_package) == []
    assert runner_imports(planted_package) == []


def test_twin_pytest_in_the_plugin_passes_and_below_it_is_named(planted_package: Path) -> None:
    (planted_package / "pytest_plugin" / "hooks.py").write_text("import pytest\nfrom _pytest import nodes\n")
    assert runner_imports(planted_package) == []
    (planted_package / "rules" / "engine.py").write_text(
        "from revocation_contracts.model.contract import *\n\n\ndef f():\n    import pytest\n"
    )
    (planted_package / "model" / "contract.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from _pytest.nodes import Item\n"
    )
    (planted_package / "redact.py").write_text("import importlib\nimportlib.import_module('pytest')\n")
    assert runner_imports(planted_package) == [
        "revocation_contracts/model/contract.py:3: imports _pytest.nodes (below pytest_plugin)",
        "revocation_contracts/redact.py:2: imports pytest (below pytest_plugin)",
        "revocation_contracts/rules/engine.py:5: imports pytest (below pytest_plugin)",
    ]


def test_twin_a_planted_upward_import_inside_a_function_is_named(planted_package: Path) -> None:
    (planted_package / "rules" / "engine.py").write_text(
        "from revocation_contracts.model.contract import *\n\n\ndef f():\n"
        "    from revocation_contracts.pytest_plugin.hooks import x\n"
    )
    assert layer_problems(planted_package) == [
        "revocation_contracts/rules/engine.py:5: imports revocation_contracts.pytest_plugin.hooks"
        " (upward: pytest_plugin)"
    ]


def test_twin_a_planted_type_checking_import_and_circle_are_named(planted_package: Path) -> None:
    (planted_package / "model" / "other.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from revocation_contracts.model import contract\n"
    )
    (planted_package / "model" / "contract.py").write_text("from revocation_contracts.model import other\n")
    (planted_package / "redact.py").write_text("from revocation_contracts.rules.engine import x\n")
    assert layer_problems(planted_package) == [
        "revocation_contracts/redact.py:1: imports revocation_contracts.rules.engine (upward: rules)"
    ]
    circles = import_circles(planted_package)
    assert [
        "revocation_contracts.model.contract",
        "revocation_contracts.model.other",
        "revocation_contracts.model.contract",
    ] in circles
