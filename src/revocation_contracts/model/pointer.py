"""Local JSON references (``#/components/schemas/Error``): the one resolver every layer uses.

Why one: the model, its validation and the schema suite each resolved ``$ref`` themselves and
had drifted: one stripped the *characters* ``#`` and ``/`` from the left (``lstrip``), which
for ``#//a`` (the key ``""``, then ``a``) resolved ``a`` instead, and two never decoded the
RFC 6901 section 4 escapes (``~1`` is ``/``, ``~0`` is ``~``), so ``#/paths/~1revoke`` missed.
"""

from __future__ import annotations

from typing import Any

PREFIX = "#/"


def reference_tokens(ref: str) -> list[str]:
    """The keys of a local reference, in order (RFC 6901 section 4: ``~1`` before ``~0``).

    Only the prefix ``#/`` is removed, once; ``#`` alone is the whole document (no keys)."""
    if ref == "#":
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in ref.removeprefix(PREFIX).split("/")]


def resolve_pointer(document: Any, ref: str) -> Any:
    """The node ``ref`` points at; ``KeyError`` or ``TypeError`` when it points at nothing."""
    node: Any = document
    for key in reference_tokens(ref):
        node = node[key]
    return node


def resolve_ref(document: dict[str, Any], ref: str) -> dict[str, Any]:
    """The object a local ``#/...`` reference points at; ``KeyError`` when it is not an object."""
    node = resolve_pointer(document, ref)
    if not isinstance(node, dict):
        raise KeyError(ref)
    return node


def resolve_schema(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$ref`` followed (a chain of them too) to the schema it names."""
    seen: set[str] = set()
    while "$ref" in schema and schema["$ref"] not in seen:
        seen.add(schema["$ref"])
        schema = resolve_ref(document, schema["$ref"])
    return schema
