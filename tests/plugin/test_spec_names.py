"""Two ``--spec`` documents carrying one contract name are refused at load time (issue 11).

A copied contract file that keeps its bundled ``name`` would otherwise be merged with the
original silently: both runs' results would land under one name in reports, JUnit and
baselines. The check lives in the options (``_settings``), so the refusal is a usage error
(exit 4) on one line, before any server starts or any request is sent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from revocation_contracts.model.contract import bundled_specs_dir

from .loopback import assert_one_clear_line

USAGE_ERROR = 4


def _copy(source: str, to: Path, name: str | None = None) -> Path:
    document = yaml.safe_load((bundled_specs_dir() / f"{source}.yaml").read_text(encoding="utf-8"))
    if name is not None:
        document["x-revocation"]["name"] = name
    to.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return to


def _refused(result: pytest.RunResult, first: str, second: str, name: str) -> None:
    assert result.ret == USAGE_ERROR, result.stdout.str() + result.stderr.str()
    line = f"--spec {second} and --spec {first} are both named {name!r}; names must be unique"
    result.stderr.fnmatch_lines([f"ERROR: revocation-contracts: {line}"])
    assert_one_clear_line(result)
    result.stdout.no_fnmatch_line("*passed*")


def test_two_paths_with_one_name_are_refused(uses_target: pytest.Pytester) -> None:
    first = _copy("mollie", uses_target.path / "first.yaml", name="mine")
    second = _copy("polar", uses_target.path / "second.yaml", name="mine")
    result = uses_target.runpytest("--spec", str(first), "--spec", str(second))
    _refused(result, str(first), str(second), "mine")


def test_a_copy_that_keeps_a_bundled_name_is_refused(uses_target: pytest.Pytester) -> None:
    """Refused as the option is parsed, whether or not the bundled contract is selected too."""
    copy = _copy("polar", uses_target.path / "copy.yaml")
    for args in (["--spec", "polar", "--spec", str(copy)], ["--spec", str(copy)]):
        result = uses_target.runpytest(*args)
        assert result.ret == USAGE_ERROR, result.stdout.str() + result.stderr.str()
        result.stderr.fnmatch_lines(
            [
                f"*argument --spec: spec '{copy}', line *: x-revocation/name 'polar' is the name of a bundled "
                "contract; give your copy a name of its own"
            ]
        )
        assert_one_clear_line(result)


def test_renamed_copies_run_side_by_side(uses_target: pytest.Pytester) -> None:
    """The faithful side: distinct names pass the check (read back from the dry-run plan)."""
    first = _copy("polar", uses_target.path / "first.yaml", name="polar-copy")
    result = uses_target.runpytest("--spec", "polar", "--spec", str(first), "--dry-run")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert "both named" not in result.stdout.str() + result.stderr.str()
