"""Build Hypothesis' Unicode tables in a short-lived child process, once per storage directory.

Why: the first time a test on a machine draws text, Hypothesis builds its Unicode tables
(which characters each category and each codec holds) and caches them in its storage
directory. Building them peaks at about 200 MB in the process that draws, which took a
first run of the suite over 300 MB whatever the target answered (a second run stays near
120 MB). A child process that draws one text leaves the cache behind and takes its peak with
it, so the run itself never holds the tables' build.

Only for the storage directory the suite names itself (``activation.hypothesis_home``): a
directory the user chose through ``HYPOTHESIS_STORAGE_DIRECTORY`` is theirs, and is left as
Hypothesis would leave it. Best effort: when the child fails or is slow, the run builds the
tables itself, as it always did. Only public Hypothesis API runs in the child (``@given``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from revocation_contracts.pytest_plugin.activation import HYPOTHESIS_STORAGE_ENV, hypothesis_home

# The mark this module leaves beside Hypothesis' caches once they are built.
WARM_MARK = "revocation-contracts-warm"
WARM_TIMEOUT = 120.0
WARM_UP = """
from hypothesis import given, settings, strategies as st
@settings(max_examples=1, database=None)
@given(st.text())
def warm(text):
    pass
warm()
"""


def warm_unicode_tables() -> bool:
    """Build the tables apart unless built already; whether the storage is warm afterwards."""
    storage = os.environ.get(HYPOTHESIS_STORAGE_ENV)
    if storage is None or storage != hypothesis_home():
        return False
    mark = Path(storage) / WARM_MARK
    if mark.exists():
        return True
    try:
        subprocess.run(
            [sys.executable, "-c", WARM_UP],
            env=os.environ.copy(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=WARM_TIMEOUT,
            check=True,
        )
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
    except (OSError, subprocess.SubprocessError):
        return False
    return True
