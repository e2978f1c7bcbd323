"""The revocation-semantics properties, as one table: the ten of ``PROPERTIES``, and property 10
for contracts that document the token in the query string.

Why properties and not fixed scenarios: a revocation endpoint is stateful, and its bugs hide
in combinations (a refresh token revoked through HTTP Basic with a hint naming the other type;
a token whose base64 padding meets a form decoder). Each property is declared once, beside
its check (``declaration.Property``): property 1 in ``machine.py``, 2 and 4 in ``effects.py``
(a revocation takes effect), 3, 7, 10 and 11 in ``request_forms.py`` (whatever legal form the
request takes), 5, 6, 8 and 9 in ``boundaries.py`` (it touches and leaks nothing else). This
module only lists them: the planted-bug proofs, the docs' table of planted bugs
(``pytest_plugin/planted.py`` reads every ``Property`` here) and the contract suite's tests
start from it.
"""

from __future__ import annotations

from .boundaries import P5, P6, P8, P9
from .declaration import Property
from .effects import P2, P4
from .machine import P1
from .request_forms import P3, P7, P10, P11

PROPERTIES = (P1, P2, P3, P4, P5, P6, P7, P8, P9, P11)

# Property 10 binds only contracts whose document puts the token in the query string (none of
# the five the planted-bug table of PROPERTIES runs), so it stands beside them (request_forms.py).
ALL_PROPERTIES = (*PROPERTIES, P10)

__all__ = [
    "ALL_PROPERTIES",
    "P1",
    "P2",
    "P3",
    "P4",
    "P5",
    "P6",
    "P7",
    "P8",
    "P9",
    "P10",
    "P11",
    "PROPERTIES",
    "Property",
]
