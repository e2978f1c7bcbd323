"""What a run covered, per contract: what ran, what does not apply, what could not run and why.

Why a model of its own: a green run is only worth what it ran. A skipped test used to mean
either "this check cannot apply to this contract" (no hint field, public clients: nothing to
do) or "this check applies but could not run here" (no token supply, throttled, blocked by an
earlier failure: missing coverage), and a reader could not tell noise from a hole. Now the
first kind is never collected (the plugin records why, at collection) and the second is what
a skipped or errored contract test means; this object keeps both apart, per contract, for
the terminal's "revocation coverage" section, the JUnit XML (one testsuite property) and the
report, which all render the same data. ``incomplete`` is what exit code 9 is made of.

Pure data, no pytest: the plugin (``pytest_plugin/coverage.py``) fills it from collection and
from test reports, under pytest-xdist in the controller.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from revocation_contracts.rules.outcomes import BLOCKED, NO_TOKEN_SUPPLY, NOT_RUN, SUPPLY_LACKS

# Causes a check that applies could not run for, beside ``NotApplicable``'s: the run status's
# problems (pytest_plugin/names.py spells them the same way).
THROTTLED, TOKEN_SUPPLY_FAILED, TARGET = "throttled", "token-supply", "target"
CAUSE_LABELS = {
    NO_TOKEN_SUPPLY: "no token supply",
    SUPPLY_LACKS: "the token supply or clients lack what they need",
    THROTTLED: "throttled (429/503)",
    TOKEN_SUPPLY_FAILED: "the token supply failed",
    TARGET: "the target stopped answering",
    BLOCKED: "blocked by an earlier failure",
    NOT_RUN: "skipped",
}
# Causes that have an exit code of their own (8, 7, 6) or come with a failure (1): a run whose
# only holes are these is not "incomplete" (9); those codes already say more.
_OWN_EXIT = frozenset({THROTTLED, TOKEN_SUPPLY_FAILED, TARGET, BLOCKED})
FAMILIES = ("schema", "protocol", "semantics")
RAN = ("passed", "failed", "warned", "xfailed", "error")


@dataclass
class ContractCoverage:
    """One contract's checks: counts of those that ran, reasons of those that did not."""

    ran: Counter[str] = field(default_factory=Counter)  # outcome -> checks ("passed", "failed", ...)
    not_applicable: dict[str, str] = field(default_factory=dict)  # check -> why it never applies
    not_run: dict[str, Counter[str]] = field(default_factory=dict)  # cause -> reason -> checks

    @property
    def checks_ran(self) -> int:
        return sum(self.ran.values())

    def could_not_run(self) -> int:
        return sum(sum(reasons.values()) for reasons in self.not_run.values())

    def lines(self) -> list[str]:
        """Three lines at most: ran, does not apply, could not run (grouped by cause)."""
        counts = ", ".join(f"{self.ran[outcome]} {outcome}" for outcome in RAN if self.ran[outcome])
        lines = [f"{_checks(self.checks_ran)} ran" + (f" ({counts})" if counts else "")]
        if self.not_applicable:
            reasons = "; ".join(dict.fromkeys(self.not_applicable.values()))
            lines.append(f"does not apply: {_checks(len(self.not_applicable))} ({reasons})")
        if self.not_run:
            groups = [
                f"{CAUSE_LABELS.get(cause, cause)}: {sum(reasons.values())} ({'; '.join(reasons)})"
                for cause, reasons in sorted(self.not_run.items())
            ]
            lines.append(f"could not run: {_checks(self.could_not_run())}: " + " | ".join(groups))
        return lines


def _checks(count: int) -> str:
    return f"{count} check" if count == 1 else f"{count} checks"


@dataclass
class Coverage:
    """The run's coverage by contract, and its scope (the check families selected)."""

    scope: tuple[str, ...] = FAMILIES
    narrowed: bool = False  # the user selected the families (``--checks``)
    contracts: dict[str, ContractCoverage] = field(default_factory=dict)

    def of(self, contract: str) -> ContractCoverage:
        return self.contracts.setdefault(contract, ContractCoverage())

    def does_not_apply(self, contract: str, check: str, reason: str) -> None:
        """A check never collected for ``contract`` (the same check seen twice counts once)."""
        self.of(contract).not_applicable.setdefault(check, reason)

    def outcome(self, contract: str, outcome: str) -> None:
        """A check that ran: passed, failed, warned (passed with warnings), xfailed or error."""
        self.of(contract).ran[outcome] += 1

    def could_not_run(self, contract: str, cause: str, reason: str) -> None:
        self.of(contract).not_run.setdefault(cause, Counter())[reason] += 1

    @property
    def incomplete(self) -> bool:
        """Checks that apply could not run for a reason no other exit code states (exit 9)."""
        return any(cause not in _OWN_EXIT for cov in self.contracts.values() for cause in cov.not_run)

    def lines(self) -> list[str]:
        """The terminal's "revocation coverage" section."""
        label = ", ".join(self.scope)
        lines = [f"scope: {label} (--checks)" if self.narrowed else f"scope: {label} (all check families)"]
        for name, cov in self.contracts.items():
            lines.append(f"{name}: " + cov.lines()[0])
            lines.extend(f"  {line}" for line in cov.lines()[1:])
        return lines

    def to_json(self) -> str:
        """The same facts as data (JUnit's ``revocation-coverage`` property, the report)."""
        data = {
            "scope": list(self.scope),
            "narrowed": self.narrowed,
            "contracts": {
                name: {
                    "ran": dict(cov.ran),
                    "does_not_apply": cov.not_applicable,
                    "could_not_run": {cause: dict(reasons) for cause, reasons in cov.not_run.items()},
                }
                for name, cov in self.contracts.items()
            },
        }
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Coverage:
        data = json.loads(text)
        coverage = cls(tuple(data["scope"]), bool(data["narrowed"]))
        for name, entry in data["contracts"].items():
            cov = coverage.of(name)
            cov.ran.update(entry["ran"])
            cov.not_applicable.update(entry["does_not_apply"])
            cov.not_run.update({cause: Counter(reasons) for cause, reasons in entry["could_not_run"].items()})
        return coverage
