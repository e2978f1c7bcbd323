"""The pytest plugin's entry point: options always, everything else only when a run asks.

Registered through the ``pytest11`` entry point, so it is loaded into every pytest run of
every project where the package is installed. It therefore does two things only: it adds the
suite's options (so ``--help`` lists them and a command line using them parses), and, in
``pytest_configure``, it decides whether this run asked for the contract suite
(``activation.py``: a suite option given, ``REVOKE_SPEC``/``revoke_spec`` set, or the shipped
suite collected). Only then does it resolve the settings and register the suite's machinery
(``suite.py``: markers, fixtures, the ``contract`` parametrization, preflight, run status,
reporting). pytest-xdist does the same with ``-n``.

Importing this module stays cheap and loads no web server and no schemathesis: the options
import the contract model and the planted-bug names, nothing else; the rest is imported when
a run asks for it.
"""

from __future__ import annotations

import importlib

import pytest

from revocation_contracts.pytest_plugin.activation import keep_hypothesis_out_of_cwd, why_active
from revocation_contracts.pytest_plugin.options import add_options, wants_bug_list
from revocation_contracts.pytest_plugin.warmup import warm_unicode_tables


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """``--reference-bug list``: print the planted bugs and stop, like ``--markers`` (no session).

    Only in a run that asks for the suite: ``REVOKE_REFERENCE_BUG=list`` alone leaves another
    project's run alone, as every ``REVOKE_*`` variable but ``REVOKE_SPEC`` does.
    """
    if not wants_bug_list(config) or why_active(config) is None:
        return None
    from revocation_contracts.pytest_plugin.planted import print_bug_list

    return print_bug_list()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Start the suite's machinery when this run asked for it; otherwise leave the run alone."""
    if why_active(config) is None:
        return
    keep_hypothesis_out_of_cwd()
    if not hasattr(config, "workerinput"):  # xdist workers start after the controller warmed it
        warm_unicode_tables()
    # Through sys.modules, not a package attribute: pytester's in-process runs drop the modules a
    # run imported, and the suite's stash keys must be those of the module registered below.
    suite = importlib.import_module("revocation_contracts.pytest_plugin.suite")
    suite.start(config)
    config.pluginmanager.register(suite, suite.PLUGIN_NAME)
