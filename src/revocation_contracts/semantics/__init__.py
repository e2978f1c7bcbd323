"""Revocation semantics: stateful property tests that prove a revoked token is dead.

The schema and protocol tests judge single answers; these judge what an answer *did*. Each
property (RFC 7009 sections 2.1 and 2.2, CONTRACTS.md) mints its own tokens, revokes them
through drawn documented and undocumented requests, and asks a probe whether they still
work. Against the embedded reference servers the suite mints and probes itself; against any
other target it runs ``--token-command`` and ``--probe-command`` (CONTRACTS.md, "Token supply
and probes"). The contract suite's ``tests/contract/test_semantics.py`` runs one test per
property plus an explicit-examples twin; ``PROPERTIES`` lists them with the planted bug
(``reference/bugs.py``) that breaks each.
"""

from revocation_contracts.semantics.properties import PROPERTIES, Property, verify, verify_example
from revocation_contracts.semantics.run import SemanticRun, flush_secrets, setup_errors_surface
from revocation_contracts.semantics.trail import SemanticFailure, ShouldNotMet

__all__ = [
    "PROPERTIES",
    "Property",
    "SemanticFailure",
    "SemanticRun",
    "ShouldNotMet",
    "flush_secrets",
    "setup_errors_surface",
    "verify",
    "verify_example",
]
