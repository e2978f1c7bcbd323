"""The one command that reruns a test exactly: same options, same Hypothesis seed, that test only.

Why the seed is chosen here when none was given: a failure found under a random seed may not
come back on the next run, so a rerun line without one would not reproduce it. So every run
that asks for the suite runs under a seed: the user's ``--hypothesis-seed``, else one picked
now and set as if it had been given (before Hypothesis' own ``pytest_configure`` reads it; the
plugin's hook is ``tryfirst``). Under pytest-xdist the controller hands its seed to every
worker (``workerinput``), so every process draws the same examples and prints the same line.

Which command: ``revocation-contracts`` when the console script ran (its own arguments, the test
selected with ``-k``, since the script always passes the installed suite's folder), else
``pytest`` with its arguments and the test's node id, relative to where pytest ran. The
arguments are the caller's, minus what selected other tests (paths, ``-k``, ``-m``, ``--lf``,
...) and ``-n``; a credential given on the command line becomes the reference to the variable
the suite reads it from (``"$REVOKE_CLIENT_SECRET"``), so the line runs where that is set.
"""

from __future__ import annotations

import os
import random
import shlex
import sys
from pathlib import Path
from typing import Any

from revocation_contracts.pytest_plugin.names import CONSOLE_SCRIPT, console_script_ran
from revocation_contracts.pytest_plugin.options import OPTIONS
from revocation_contracts.pytest_plugin.settings import REFERENCED

SEED_OPTION = "hypothesis_seed"
SEED_FLAG = "--hypothesis-seed"
WORKER_SEED = "revocation_contracts_seed"
# Options (with a value) that select tests or processes: a rerun selects its one test alone.
SELECTING = ("-k", "-m", "-n", "--numprocesses", "--dist", "--deselect", "--maxprocesses", SEED_FLAG)
SELECTING_FLAGS = ("--lf", "--last-failed", "--ff", "--failed-first", "--sw", "--stepwise", "--nf", "--new-first")
REFERENCED_FLAGS = {option.flag: option.env for option in OPTIONS if option.dest.removeprefix("revoke_") in REFERENCED}


def choose_seed(config: Any) -> int:
    """The run's Hypothesis seed: given, handed down by the xdist controller, or picked now."""
    given = config.getoption(SEED_OPTION, default=None)
    worker = getattr(config, "workerinput", None)
    if given is None and isinstance(worker, dict) and worker.get(WORKER_SEED) is not None:
        given = worker[WORKER_SEED]
    if given is None:
        given = random.SystemRandom().randrange(1, 100_000)
    try:
        seed = int(given)
    except (TypeError, ValueError):
        return 0  # Hypothesis accepts any text as a seed; such a run keeps its own
    setattr(config.option, SEED_OPTION, str(seed))
    return seed


def rerun_command(config: Any, nodeid: str, name: str) -> str:
    """The shell line that reruns the test ``nodeid`` (pytest's id) named ``name``."""
    seed = f"{SEED_FLAG}={getattr(config.option, SEED_OPTION, None)}"
    if console_script_ran():
        words = [CONSOLE_SCRIPT, *_kept(sys.argv[1:], ()), seed, "-k", shlex.quote(name)]
        return " ".join(words)
    args = [str(arg) for arg in config.invocation_params.args]
    words = ["pytest", *_kept(args, tuple(str(arg) for arg in config.args)), seed, shlex.quote(_node(config, nodeid))]
    return " ".join(words)


def _node(config: Any, nodeid: str) -> str:
    """``nodeid`` (relative to pytest's rootdir) relative to the directory pytest ran in."""
    path, sep, rest = nodeid.partition("::")
    relative = os.path.relpath(Path(config.rootpath) / path, Path(config.invocation_params.dir))
    return f"{relative}{sep}{rest}"


def _kept(args: list[str], positional: tuple[str, ...]) -> list[str]:
    """The caller's arguments, shell-quoted, minus test selection; credentials as references."""
    kept: list[str] = []
    skip_value = False
    for index, arg in enumerate(args):
        if skip_value:
            skip_value = False
            continue
        flag, equals, _ = arg.partition("=")
        if arg in SELECTING or (equals and flag in SELECTING) or any(arg.startswith(f) for f in ("-n", "-k", "-m")):
            skip_value = arg in SELECTING
            continue
        if arg in SELECTING_FLAGS or arg in positional or (not arg.startswith("-") and _is_path(arg, args, index)):
            continue
        if flag in REFERENCED_FLAGS and equals:
            kept.append(f'{flag}="${REFERENCED_FLAGS[flag]}"')
        elif arg in REFERENCED_FLAGS and index + 1 < len(args):
            kept += [arg, f'"${REFERENCED_FLAGS[arg]}"']
            skip_value = True
        else:
            kept.append(shlex.quote(arg))
    return kept


def _is_path(arg: str, args: list[str], index: int) -> bool:
    """A positional argument (a test path or node id), not the value of the option before it."""
    before = args[index - 1] if index else ""
    takes_value = before.startswith("-") and "=" not in before and not _is_switch(before)
    return not takes_value and ("::" in arg or os.path.exists(arg.split("::")[0]))


def _is_switch(flag: str) -> bool:
    return any(option.flag == flag and option.is_flag for option in OPTIONS) or flag in (
        "-q",
        "-v",
        "-x",
        "-s",
        "-ra",
        "-rA",
        "--strict-markers",
    )
