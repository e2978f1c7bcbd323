"""Repository-level pytest configuration: the project's own tests drive the suite with pytester."""

from __future__ import annotations

from typing import Any

import pytest

pytest_plugins = ["pytester"]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``-n``, keep the tests of one ``xdist_group`` on one worker and balance the rest.

    A few modules share a costly module fixture (a built wheel in a fresh virtualenv, one child
    suite run read by several tests). pytest-xdist sets a module fixture up once per worker
    that runs any of its tests, so split across two workers it is built twice. Marked with
    ``pytest.mark.xdist_group``, such a module's tests go to one worker; every other test is
    handed out as by the default ``--dist load``. (The hook is optional: without xdist it is
    never called.)
    """
    from xdist.scheduler import LoadGroupScheduling

    return LoadGroupScheduling(config, log)
