"""Fixtures of the hostile-target tests: one hostile server per module, stopped by its pid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import HostileServer, start_server


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    """The hostile server (``server.py``) for this module (and xdist worker); killed at the end."""
    server = start_server(tmp_path_factory.mktemp("hostile-records"))
    try:
        yield server
    finally:
        server.process.kill()
        server.process.wait(timeout=10)
        if server.process.stdout is not None:
            server.process.stdout.close()
