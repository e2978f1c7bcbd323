"""No vendor name in engine code: a contract is data (STYLE.md habit 5).

The engine may mention a vendor in prose (a docstring, a help text, a comment), never decide by
one: a string constant that *is* a bundled contract's name, or an identifier that contains one
(``VOUCHERIFY_KEYS``, ``if format == "voucherify"``), means a branch the data should carry.
Specs, baselines and tests are data and examples, so only ``src/`` is scanned.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from revocation_contracts.model.contract import BUNDLED_NAMES

SRC = Path(__file__).resolve().parents[2] / "src" / "revocation_contracts"
# Names that are also ordinary words or the RFC itself, not vendors.
NOT_VENDORS = {"rfc7009"}
VENDORS = sorted(set(BUNDLED_NAMES) - NOT_VENDORS)
# A vendor's clause id (DOC-polar-success, PIN-mollie-error-status) names its vendor: it is the
# contract's data (x-revocation.clauses), so no string the engine holds, docstrings aside, is one.
VENDOR_CLAUSE = re.compile(r"\b(?:DOC|OBS|PIN)-(?:" + "|".join(map(re.escape, VENDORS)) + r")-", re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (module, class, function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _findings(path: Path, root: Path = SRC) -> list[str]:
    """What in ``path`` decides by a vendor name, each as ``<path under root>:<line>: ...``."""
    where = path.relative_to(root)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower() in VENDORS:
            found.append(f"{where}:{node.lineno}: the string {node.value!r}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            for match in VENDOR_CLAUSE.finditer(node.value):
                found.append(f"{where}:{node.lineno}: the vendor clause id {match.group(0)}...")
        names = []
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            names.append(node.name)
        elif isinstance(node, ast.arg):
            names.append(node.arg)
        for name in names:
            if any(vendor in name.lower() for vendor in VENDORS):
                found.append(f"{where}:{node.lineno}: the identifier {name}")
    return found


def test_no_vendor_name_decides_anything_in_src():
    findings = [finding for path in sorted(SRC.rglob("*.py")) for finding in _findings(path)]
    assert not findings, "vendor names in engine code (move them to the contract's data):\n" + "\n".join(findings)


def test_the_scan_sees_a_vendor_branch(tmp_path):
    """The scan on a module of its own, written under ``tmp_path`` (never into ``src/``, where a
    parallel run or a wheel build would meet it)."""
    sample = tmp_path / "__probe_vendor_scan__.py"
    sample.write_text(
        '"""Docstrings may cite DOC-polar-success."""\n'
        'FORMAT = "x"\nif FORMAT == "voucherify":\n    MOLLIE_TITLES = {}\n'
        'ROWS = [("DOC-auth0-success", "Auth0 answers 200", "doc"), ("DOC-openapi", "generic", "doc")]\n',
        encoding="utf-8",
    )
    found = _findings(sample, root=tmp_path)
    assert len(found) == 3, found
    assert "the vendor clause id DOC-auth0-" in found[-1], found
