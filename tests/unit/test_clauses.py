"""The clause registry and its documentation stay in step, and no message cites a file users lack."""

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


def test_no_shipped_file_cites_contracts_md():
    """Users do not have CONTRACTS.md (the project's internal ground truth): nothing the package
    prints or ships names it, docstrings included (the contract suite's docstrings are printed
    by ``--dry-run`` and ship in the wheel). What a user reads cites docs/contracts.md instead."""
    shipped = [
        *(REPO / "src").rglob("*.py"),
        *(REPO / "src").rglob("*.json"),
        *(REPO / "src").rglob("*.yaml"),
        *(REPO / "specs").iterdir(),
        *(REPO / "tests" / "contract").glob("*.py"),
        *(REPO / "examples").rglob("*.*"),
        *(REPO / "docs").glob("*.md"),
        REPO / "README.md",
    ]
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for path in shipped
        if path.is_file() and path.suffix in {".py", ".json", ".yaml", ".yml", ".md"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "CONTRACTS.md" in line
    ]
    assert not offenders, "\n".join(offenders)


def test_every_warned_reading_of_every_bundled_contract_cites_a_registered_clause():
    for name in BUNDLED_NAMES:
        contract = load_contract(name)
        for situation, answer in contract.answers.items():
            for reading in answer.warned:
                assert reading.clause in registered(contract), (name, situation, reading.clause)
