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


# Counts, names, exit codes and secret names the docs state, checked against the code.

ROOT = README.parent
CI = ROOT / "examples" / "ci"
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
CONTRACT_COUNT = re.compile(
    r"\b(" + "|".join(NUMBERS) + r")\b( bundled)? (contracts|specs|documents|reference servers)\b", re.IGNORECASE
)


def _current_state_texts() -> dict[str, str]:
    """The docs that describe the package as it is (README's dated measurements, under its
    "Speed" heading, and bench/README.md's labelled results describe runs of their day)."""
    readme = README.read_text(encoding="utf-8")
    before, speed = readme.split("\n## Speed\n", 1)
    after = speed.split("\n## ", 1)[1]
    from revocation_contracts.model import contract

    return {
        "README.md": before + after,
        "examples/ci/README.md": (CI / "README.md").read_text(encoding="utf-8"),
        "tox.ini": (ROOT / "tox.ini").read_text(encoding="utf-8"),
        "docs/writing-contracts.md": (ROOT / "docs" / "writing-contracts.md").read_text(encoding="utf-8"),
        "model/contract.py": Path(contract.__file__).read_text(encoding="utf-8"),
    }


def test_contract_counts_are_the_bundled_count():
    from revocation_contracts.model.contract import BUNDLED_NAMES

    wrong = [
        f"{name}: {match.group(0)!r}"
        for name, text in _current_state_texts().items()
        for match in CONTRACT_COUNT.finditer(text)
        if NUMBERS[match.group(1).lower()] != len(BUNDLED_NAMES)
    ]
    assert wrong == [], f"{len(BUNDLED_NAMES)} contracts ship"


def test_readme_contract_table_is_the_bundled_contracts():
    from revocation_contracts.model.contract import BUNDLED_NAMES

    text = README.read_text(encoding="utf-8").split("| contract | endpoint |", 1)[1].split("\n\n", 1)[0]
    assert re.findall(r"^\| `([a-z0-9_-]+)` \|", text, flags=re.MULTILINE) == list(BUNDLED_NAMES)


def _exit_codes() -> dict[int, str]:
    """Every exit code a run can end with, and a word its description must contain."""
    import pytest

    from revocation_contracts.cli import USAGE_ERROR
    from revocation_contracts.pytest_plugin.runstatus import (
        EXIT_INCOMPLETE,
        EXIT_TARGET,
        EXIT_THROTTLED,
        EXIT_TOKEN_SUPPLY,
    )

    return {
        int(pytest.ExitCode.OK): "passed",
        int(pytest.ExitCode.TESTS_FAILED): "contract",
        USAGE_ERROR: "usage error|bad options",
        EXIT_TARGET: "unreachable",
        EXIT_TOKEN_SUPPLY: "token supply",
        EXIT_THROTTLED: "throttled",
        EXIT_INCOMPLETE: "incomplete",
    }


def _check_codes(described: dict[int, str], where: str) -> None:
    expected = _exit_codes()
    assert set(described) == set(expected), where
    for code, words in expected.items():
        assert re.search(words, described[code]), f"{where}: exit {code} is described as {described[code]!r}"


def test_exit_codes_in_readme_are_the_codes_of_the_code():
    text = README.read_text(encoding="utf-8")
    paragraph = text.split("\nExit codes: ", 1)[1].split("Every failure prints", 1)[0]
    parts = re.split(r"; (?=\d )", " ".join(paragraph.split()))
    _check_codes({int(part[0]): part[2:] for part in parts}, "README.md")


def test_exit_codes_in_the_ci_docs_are_the_codes_of_the_code():
    import pytest

    text = (CI / "README.md").read_text(encoding="utf-8")
    table = text.split("## Exit codes", 1)[1].split("\n\n", 2)[1]
    rows = dict(re.findall(r"^\| (\d) \| ([^|]+) \|", table, flags=re.MULTILINE))
    _check_codes({int(code): meaning for code, meaning in rows.items()}, "examples/ci/README.md")
    pytests = {
        int(pytest.ExitCode.INTERRUPTED),
        int(pytest.ExitCode.INTERNAL_ERROR),
        int(pytest.ExitCode.NO_TESTS_COLLECTED),
    }
    assert f"{', '.join(str(code) for code in sorted(pytests)[:-1])} and {max(pytests)} are pytest's" in text
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        header = " ".join(
            line.lstrip("# ") for line in (CI / name).read_text(encoding="utf-8").splitlines() if line.startswith("#")
        )
        codes = header.split("Exit codes: ", 1)[1].split(". ", 1)[0]
        parts = re.split(r", (?=\d )", codes)
        _check_codes({int(part[0]): part[2:] for part in parts}, name)


def test_help_exit_codes_are_the_codes_of_the_code():
    from revocation_contracts.cli import EXIT_CODES

    _check_codes(EXIT_CODES, "revocation-contracts --help")


def _secret_references(text: str) -> dict[str, str]:
    """``{environment variable: secret or variable name}`` for each ``NAME: ${{ secrets.X }}``."""
    return dict(re.findall(r"^\s*(REVOKE_[A-Z_]+): \$\{\{ (?:secrets|vars)\.([A-Z_]+) \}\}", text, re.MULTILINE))


def test_secret_names_are_one_set():
    """README's CI snippet and the CI examples name each secret after the variable it fills,
    and every REVOKE_* name the docs mention is one the suite reads."""
    from revocation_contracts.pytest_plugin.options import OPTIONS

    readme = README.read_text(encoding="utf-8")
    github = (CI / "github-actions.yml").read_text(encoding="utf-8")
    for where, text in (("README.md", readme), ("github-actions.yml", github)):
        references = _secret_references(text)
        assert references, where
        assert {variable: variable for variable in references} == references, where
    assert set(_secret_references(readme)) <= set(_secret_references(github))
    from revocation_contracts.supply.commands import COMMAND_VARIABLES

    known = {option.env for option in OPTIONS} | set(COMMAND_VARIABLES)  # what the commands are told
    for path in (README, CI / "README.md", CI / "github-actions.yml", CI / "gitlab-ci.yml"):
        named = set(re.findall(r"\bREVOKE_[A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8")))
        assert named <= known, f"{path.name}: {sorted(named - known)}"


def test_installed_wheel_names_the_package_version():
    from importlib.metadata import version

    for path in (README, CI / "README.md", CI / "github-actions.yml", CI / "gitlab-ci.yml"):
        for found in re.findall(
            r"revocation_contracts-([0-9][^-]*)-py3-none-any\.whl", path.read_text(encoding="utf-8")
        ):
            assert found == version("revocation-contracts"), path.name
    assert "pip install revocation-contracts\n" not in README.read_text(encoding="utf-8")  # not on PyPI


def test_planted_bugs_doc_is_generated_from_the_bugs():
    """docs/planted-bugs.md's table is what the package generates from reference/bugs.py."""
    from revocation_contracts.pytest_plugin.planted import markdown_table

    text = (ROOT / "docs" / "planted-bugs.md").read_text(encoding="utf-8")
    table = text.split("-->\n", 1)[1].split("<!-- /planted-bugs -->", 1)[0]
    assert table == markdown_table(), (
        "docs/planted-bugs.md is behind reference/bugs.py: replace its table with the output of "
        "python -m revocation_contracts.pytest_plugin.planted"
    )
