"""The clause registry and its documentation stay in step, and no message cites a file users lack."""

import ast
import re
from pathlib import Path

from revocation_contracts.model.contract import ANSWER_NAMES, BUNDLED_NAMES, load_contract
from revocation_contracts.rules.clauses import CLAUSES, answer_clause, registered

REPO = Path(__file__).resolve().parents[2]
ID = re.compile(r"^(RFC\d+-[\dA-Z.]+|PIN-[a-z0-9-]+|DOC-[a-z0-9-]+|OBS-[a-z0-9]+-[a-z0-9-]+)$")


def test_every_registered_clause_is_documented_and_vice_versa():
    text = (REPO / "docs" / "contracts.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### (\S+)$", text, re.MULTILINE))
    # The registry's own clauses, and those each bundled contract declares in its x-revocation.clauses.
    known = set(CLAUSES).union(*(registered(load_contract(name)) for name in BUNDLED_NAMES))
    assert documented == known, (sorted(known - documented), sorted(documented - known))


def test_clause_ids_follow_the_scheme():
    for clause_id, clause in CLAUSES.items():
        assert ID.match(clause_id), clause_id
        assert clause.source == clause_id[:3].lower(), clause_id


def test_every_situation_of_every_bundled_contract_has_a_registered_clause():
    for name in BUNDLED_NAMES:
        contract = load_contract(name)
        for situation in ANSWER_NAMES:
            if contract.has_answer(situation) or situation in ("bad-client-basic", "missing-client"):
                assert answer_clause(contract, situation) in registered(contract), (name, situation)


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (module, class, function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def test_no_message_of_the_package_cites_contracts_md():
    """Users do not have CONTRACTS.md: no string the package can print names it (docstrings,
    read by maintainers, may); messages cite clause ids, explained in docs/contracts.md."""
    offenders = []
    for path in (REPO / "src").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and id(node) not in docstrings and "CONTRACTS.md" in node.value:
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value[:80]!r}")
    assert not offenders, "\n".join(offenders)


def test_every_warned_reading_of_every_bundled_contract_cites_a_registered_clause():
    for name in BUNDLED_NAMES:
        contract = load_contract(name)
        for situation, answer in contract.answers.items():
            for reading in answer.warned:
                assert reading.clause in registered(contract), (name, situation, reading.clause)
