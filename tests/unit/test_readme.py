"""The README's promises stay true: its options table lists exactly the options that exist."""

import re
from pathlib import Path

from revocation_contracts.pytest_plugin.options import OPTIONS

README = Path(__file__).resolve().parents[2] / "README.md"


def _table_rows() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- options-table", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(--[a-z-]+)[^`]*` \| `([A-Z_]+)` \|", section, flags=re.MULTILINE)
    return dict(rows)


def test_every_option_is_in_the_readme_table_with_its_environment_variable():
    rows = _table_rows()
    assert {option.flag: option.env for option in OPTIONS} == rows


def test_readme_names_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "pytest tests/contract --spec all" in text
    assert 'pip install -q -e ".[dev]" && .venv/bin/pytest -n 2' in text
