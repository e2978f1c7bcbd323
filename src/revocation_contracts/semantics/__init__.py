"""Revocation semantics: stateful property tests that prove a revoked token is dead.

The schema and protocol tests judge single answers; these judge what an answer *did*. Each
property (RFC 7009 sections 2.1 and 2.2, the project's rules) mints its own tokens, revokes
them through drawn documented and undocumented requests, and asks a probe whether they still
work. Against the embedded reference servers the suite mints and probes itself; against any
other target it uses the built-in supply or runs ``--token-command`` and ``--probe-command``
(README). The contract suite's ``tests/contract/test_semantics.py`` runs one test
per property plus an explicit-examples twin, each marked with its ``Property``;
``PROPERTIES`` lists them with the planted bug (``reference/bugs.py``) that breaks each.

The modules, bottom to top: ``trail`` and ``strategies`` (records, drawn requests), ``run``
(the harness), ``declaration`` (what a property is, how one test runs), the properties
(``machine``, ``effects``, ``request_forms``, ``boundaries``; listed by ``properties``), and
``warm`` and ``side_by_side`` (the scheduler that runs a contract's tests at once, held by
whoever starts them).
"""

from revocation_contracts.semantics.declaration import Property, property_of
from revocation_contracts.semantics.properties import ALL_PROPERTIES, PROPERTIES
from revocation_contracts.semantics.run import SemanticRun, flush_secrets, setup_errors_surface
from revocation_contracts.semantics.side_by_side import SideBySide, verify
from revocation_contracts.semantics.trail import SemanticFailure, ShouldNotMet

__all__ = [
    "ALL_PROPERTIES",
    "PROPERTIES",
    "Property",
    "SemanticFailure",
    "SemanticRun",
    "ShouldNotMet",
    "SideBySide",
    "flush_secrets",
    "property_of",
    "setup_errors_surface",
    "verify",
]
