"""Repository-level pytest configuration: the project's own tests drive the suite with pytester."""

from __future__ import annotations

from typing import Any

import pytest

pytest_plugins = ["pytester"]
# The workerinput key that tells an xdist worker the controller schedules by ``xdist_group``.
GROUPED = "revocation-contracts-loadgroup"


def pytest_configure(config: pytest.Config) -> None:
    """Under ``-n``, keep the tests of one ``xdist_group`` on one worker and balance the rest.

    A few modules share a costly module fixture (a built wheel in a fresh virtualenv, one child
    suite run read by several tests). pytest-xdist sets a module fixture up once per worker
    that runs any of its tests, so split across two workers it is built twice. Marked with
    ``pytest.mark.xdist_group``, such a module's tests go to one worker; every other test is
    handed out as by xdist's default ``--dist load``. That is xdist's ``loadgroup`` mode, made
    the default here: the controller schedules by group, and each worker (which parses only the
    command line, where ``-n 2`` names no mode) is told in its ``workerinput`` to tag its tests
    with their group. Without xdist there is no ``dist`` and nothing changes.
    """
    if getattr(config.option, "dist", None) == "load":
        config.option.dist = "loadgroup"
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and workerinput.get(GROUPED):
        config.option.loadgroup = True


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Tell each xdist worker whether the controller schedules by ``xdist_group``."""
    node.workerinput[GROUPED] = node.config.option.dist == "loadgroup"
