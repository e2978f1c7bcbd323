"""``-p _servers_in_child``: the embedded reference servers in one child process (reference/host.py).

Why a benchmark plugin and not an option: whether the child process pays off depends on the
machine's load (issue 21; see ``SERVERS_IN_CHILD`` in pytest_plugin/pool.py), so it is measured
beside the default, ``python bench/run.py --servers-in-child``, before it becomes one.
"""

from __future__ import annotations

from revocation_contracts.pytest_plugin import pool

pool.SERVERS_IN_CHILD = True
