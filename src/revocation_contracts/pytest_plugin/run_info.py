"""The facts a report opens with: how the run was started, with what, against what, by which versions.

Why here: they are read from pytest (its invocation arguments, Hypothesis' ``--hypothesis-seed``)
and from the process (the ``REVOKE_*`` environment, installed versions); ``reporting/page.py``
only receives them, masked and formatted, as a ``RunInfo``.

Masking happens twice, as everywhere else: by position (the value of every option declared
``secret`` in ``options.OPTIONS``, in either spelling ``--client-secret X`` or
``--client-secret=X``, and its ``REVOKE_*`` variable, show ``***``) and by value (the session's
redactor, which also masks a secret that appears inside another value, such as a
``--token-command`` line).
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from revocation_contracts.model.contract import ContractError, load_contract
from revocation_contracts.pytest_plugin.names import CONSOLE_SCRIPT, console_script_ran
from revocation_contracts.pytest_plugin.options import OPTIONS
from revocation_contracts.reporting.page import RunInfo
from revocation_contracts.rules.clauses import registered

HIDDEN = "***"
DISTRIBUTIONS = ("revocation-contracts", "pytest", "schemathesis", "hypothesis")
# The rule documentation of a source checkout (absent from a wheel): src/revocation_contracts/../../docs.
RULES_DOC = Path(__file__).resolve().parents[3] / "docs" / "contracts.md"
HEADING = re.compile(r"^#{2,4} (\S+)\s*$", re.MULTILINE)


def masked_arguments(arguments: Sequence[str]) -> str:
    """``arguments`` as a shell line, the value of every secret option shown as ``***`` (unquoted)."""
    secret_flags = {option.flag for option in OPTIONS if option.secret}
    shown: list[str] = []
    hide_next = False
    for argument in arguments:
        flag, equals, _ = argument.partition("=")
        if hide_next:
            shown.append(HIDDEN)
        elif equals and flag in secret_flags:
            shown.append(f"{flag}={HIDDEN}")
        else:
            shown.append(shlex.quote(argument))
        hide_next = not hide_next and argument in secret_flags
    return " ".join(shown)


def command_line(config: Any, redact: Callable[[str], str]) -> str:
    """The command as the user typed it: the console script's own arguments, else pytest's."""
    if console_script_ran():
        program, arguments = CONSOLE_SCRIPT, sys.argv[1:]
    else:
        program, arguments = "pytest", list(config.invocation_params.args)
    return redact(f"{program} {masked_arguments(arguments)}".strip())


def environment(redact: Callable[[str], str], environ: Any = os.environ) -> str:
    """The suite's variables the run read (``REVOKE_*``), secret ones as ``***``."""
    secret_names = {option.env for option in OPTIONS if option.secret}
    known = {option.env for option in OPTIONS}
    shown = [
        f"{name}={HIDDEN if name in secret_names else shlex.quote(environ[name])}"
        for name in sorted(environ)
        if name in known and environ[name] != ""
    ]
    return redact(" ".join(shown))


def versions() -> str:
    found = [f"python {platform.python_version()}"]
    for name in DISTRIBUTIONS:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def seed(config: Any) -> str:
    given = config.getoption("hypothesis_seed", default=None)
    if given is not None:
        return f"{given} (repeat the run's generated cases with --hypothesis-seed={given})"
    return "random: not pinned (pass --hypothesis-seed=N to repeat a run's generated cases)"


def rules_doc(report: Path) -> tuple[str, frozenset[str]]:
    """Where ``docs/contracts.md`` is relative to ``report``, and the clause ids it has headings for.

    Only a source checkout has the file (the wheel ships no docs): elsewhere ("", nothing) and
    the page's own clause statements are what the reader gets."""
    if not RULES_DOC.is_file():
        return "", frozenset()
    documented = frozenset(HEADING.findall(RULES_DOC.read_text(encoding="utf-8")))
    return Path(os.path.relpath(RULES_DOC, report.parent)).as_posix(), documented


def clause_texts(specs: Sequence[str]) -> dict[str, str]:
    """Every clause the run's contracts can cite, with its statement (shared and contract-specific)."""
    texts: dict[str, str] = {}
    for spec in specs:
        try:
            clauses = registered(load_contract(spec))
        except ContractError:  # a contract that does not load already ended the run with its own message
            continue
        texts.update({clause.id: clause.text for clause in clauses.values()})
    return texts


def run_info(
    config: Any,
    settings: Any,
    redact: Callable[[str], str],
    *,
    target: str,
    started: float,
    exitstatus: int,
    report: Path,
) -> RunInfo:
    docs, documented = rules_doc(report)
    return RunInfo(
        command=command_line(config, redact),
        environment=environment(redact),
        target=target,
        seed=seed(config),
        versions=versions(),
        duration=f"{time.time() - started:.1f} s",
        exitstatus=str(exitstatus),
        generated=time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime()),
        contracts=tuple(settings.specs),
        bugs=", ".join(sorted(settings.reference_bugs)),
        baselines=", ".join(baseline.name for baseline in settings.baselines) or "none",
        strict="yes" if settings.strict else "no",
        clause_texts=clause_texts(settings.specs),
        docs=docs,
        documented=documented,
    )
