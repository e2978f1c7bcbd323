"""Known vendor deviations, as data: a baseline turns listed contract failures into strict xfails.

Why data and not skips in the tests: a contract says what a correct server does, and it is
enforced as written unless the user asks otherwise. A vendor's real server may break a few
clauses on purpose or by accident (docs/contracts.md lists Polar's under OBS-polar-deviations);
a run against it should still be green for everything else and still
say, test by test, where it deviates. ``--baseline polar`` (a bundled file in ``baselines/``)
or ``--baseline path/to/file.yaml`` marks each listed test ``xfail(strict=True)``:

- a listed deviation is reported as an expected failure, with the reason and its reference;
- a deviation that disappears is an XPASS, which strict xfail turns into a failure, so the
  file has to be corrected and stays true (the pytest-xfail-strict habit in STYLE.md).

A deviation the contract already tolerates (it allows the vendor's answer) lists no tests and
says why under ``tolerated``; it is kept so the file mirrors the vendor's documented list.

File format (YAML)::

    contract: polar                  # the contract the tests must belong to
    description: one line            # optional
    deviations:
      - id: hint-outside-enum-answers-401
        reason: what the server does instead of what the contract says
        reference: where the deviation is recorded (a clause id of docs/contracts.md, an issue, ...)
        tests:                       # test ids without directories; '*' matches anything
          - test_protocol.py::test_unsupported_hint[polar]
        # or, instead of tests:  tolerated: why no test fails on it

Patterns are matched against a test's id with its directories removed (so the same file
serves ``tests/contract`` in the repository and the suite installed from the wheel), and only
against tests of the baseline's contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

BASELINE_SUFFIXES = (".yaml", ".yml")
TOP_KEYS = {"contract": True, "description": False, "deviations": True}
DEVIATION_KEYS = {"id": True, "reason": True, "reference": True, "tests": False, "tolerated": False}


class BaselineError(ValueError):
    """A baseline that cannot be found or is malformed; the message is one line."""


@dataclass(frozen=True)
class Deviation:
    """One known way the vendor's server departs from the contract."""

    id: str
    reason: str
    reference: str
    tests: tuple[str, ...]
    tolerated: str | None = None

    @cached_property
    def _patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(".*".join(re.escape(part) for part in test.split("*"))) for test in self.tests)

    def matches(self, short_id: str) -> bool:
        return any(pattern.fullmatch(short_id) for pattern in self._patterns)

    def xfail_reason(self, baseline: Baseline) -> str:
        return (
            f"known deviation {self.id} ({baseline.name}): {self.reason} (see {self.reference}); "
            f"if this test passes, the deviation is gone: remove it from the baseline"
        )


@dataclass(frozen=True)
class Baseline:
    """The known deviations of one vendor server from one contract."""

    name: str
    contract: str
    description: str
    deviations: tuple[Deviation, ...]

    def deviation_for(self, contract: str, short_id: str) -> Deviation | None:
        """The deviation a test of ``contract`` is expected to fail on, if any."""
        if contract != self.contract:
            return None
        return next((deviation for deviation in self.deviations if deviation.matches(short_id)), None)


def short_test_id(nodeid: str) -> str:
    """``tests/contract/test_protocol.py::test_x[polar-text/plain]`` -> ``test_protocol.py::test_x[...]``."""
    path, separator, rest = nodeid.partition("::")
    return path.rsplit("/", 1)[-1] + separator + rest


def bundled_baselines_dir() -> Path:
    return Path(str(resources.files("revocation_contracts.reporting") / "baselines"))


def bundled_baseline_names() -> list[str]:
    return sorted(path.stem for path in bundled_baselines_dir().glob("*.yaml"))


def load_baseline(name_or_path: str) -> Baseline:
    """A bundled baseline by name (``polar``) or a YAML file by path, validated."""
    bundled = bundled_baselines_dir() / f"{name_or_path}.yaml"
    if "/" not in name_or_path and "\\" not in name_or_path and bundled.is_file():
        path, name = bundled, name_or_path
    else:
        path, name = Path(name_or_path), name_or_path
        if path.suffix not in BASELINE_SUFFIXES or not path.is_file():
            known = ", ".join(bundled_baseline_names()) or "none"
            raise BaselineError(
                f"no baseline {name_or_path!r}: give a bundled name ({known}) or the path of a .yaml baseline file"
            )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BaselineError(f"baseline {name}: cannot read it: {first_line}") from None
    return parse_baseline(data, name)


def parse_baseline(data: Any, name: str) -> Baseline:
    """Validate the YAML structure; every problem is one line naming the baseline and the entry."""
    _check_keys(data, TOP_KEYS, f"baseline {name}")
    contract = _text(data, "contract", f"baseline {name}")
    description = _text(data, "description", f"baseline {name}") if "description" in data else ""
    entries = data["deviations"]
    if not isinstance(entries, list) or not entries:
        raise BaselineError(f"baseline {name}: 'deviations' must be a non-empty list")
    deviations: list[Deviation] = []
    for index, entry in enumerate(entries):
        where = f"baseline {name}, deviation {index + 1}"
        _check_keys(entry, DEVIATION_KEYS, where)
        tests = entry.get("tests", [])
        if not isinstance(tests, list) or not all(isinstance(test, str) and test.strip() for test in tests):
            raise BaselineError(f"{where}: 'tests' must be a list of test id patterns")
        tolerated = _text(entry, "tolerated", where) if "tolerated" in entry else None
        if bool(tests) == bool(tolerated):
            raise BaselineError(f"{where}: give either 'tests' (the tests it fails) or 'tolerated' (why none fails)")
        for test in tests:
            if "::" not in test or "/" in test.partition("::")[0]:
                raise BaselineError(f"{where}: test pattern {test!r} must look like test_module.py::test_name[...]")
        deviation = Deviation(
            id=_text(entry, "id", where),
            reason=_text(entry, "reason", where),
            reference=_text(entry, "reference", where),
            tests=tuple(test.strip() for test in tests),
            tolerated=tolerated,
        )
        if any(existing.id == deviation.id for existing in deviations):
            raise BaselineError(f"{where}: duplicate id {deviation.id!r}")
        deviations.append(deviation)
    return Baseline(name=name, contract=contract, description=description, deviations=tuple(deviations))


def _check_keys(data: Any, keys: dict[str, bool], where: str) -> None:
    if not isinstance(data, dict):
        raise BaselineError(f"{where}: expected a mapping with keys {', '.join(keys)}")
    unknown = sorted(str(key) for key in data if key not in keys)
    if unknown:
        raise BaselineError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(keys)}")
    missing = [key for key, required in keys.items() if required and key not in data]
    if missing:
        raise BaselineError(f"{where}: missing key(s) {', '.join(missing)}")


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BaselineError(f"{where}: {key!r} must be a non-empty string")
    return " ".join(value.split())


def expected_failures(baselines: tuple[Baseline, ...], contract: str | None, nodeid: str) -> list[str]:
    """The reasons a test is a known deviation, one per baseline that lists it (at most one each):
    the plugin marks the test ``xfail(strict=True)`` with each."""
    if contract is None:
        return []
    short_id = short_test_id(nodeid)
    reasons = []
    for baseline in baselines:
        deviation = baseline.deviation_for(contract, short_id)
        if deviation is not None:
            reasons.append(deviation.xfail_reason(baseline))
    return reasons
