"""Fixtures of the hostile-target tests: one hostile server per module, stopped by its pid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import HostileServer, running_server


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    """The hostile server (``server.py``) for this module (and xdist worker); killed at the end."""
    with running_server(tmp_path_factory.mktemp("hostile-records")) as server:
        yield server
