"""Error bodies as data: which shapes a contract's errors take, and where their code lives.

Why data and not a list of formats: vendors answer errors in their own shapes (RFC 6749's
``{"error": ...}``, a vendor object with a ``key``, a HAL document, a ``message`` with no code at
all). A contract names them in ``x-revocation.errors.bodies``: each entry points at a schema
in the OpenAPI document's ``components``, lists the media types it travels in, and says which
member holds the error code (if any) and which holds the human message. The rules judge an
error answer against those entries (``rules/error_bodies.py``), and the reference server builds
its bodies from the same entries (``reference/error_bodies.py``), so neither needs to know any
vendor. This module only holds the description; it judges and builds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from revocation_contracts.model.pointer import resolve_ref


@dataclass(frozen=True)
class ErrorBody:
    """One shape an error answer may take (``x-revocation.errors.bodies[]``)."""

    schema_ref: str
    media_types: tuple[str, ...]
    clause: str
    code_field: str | None = None
    message_field: str | None = None
    schema: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    def describe(self) -> str:
        required = ", ".join(f'"{name}"' for name in self.schema.get("required", ()))
        return f"{' or '.join(self.media_types)} {{{required}{', ...' if required else '...'}}}"


def inline_refs(document: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """A copy of ``schema`` with every local ``$ref`` replaced by its target (bounded depth)."""
    if depth > 20:
        return {}
    if isinstance(schema, dict):
        if "$ref" in schema and isinstance(schema["$ref"], str):
            return inline_refs(document, resolve_ref(document, schema["$ref"]), depth + 1)
        return {key: inline_refs(document, value, depth + 1) for key, value in schema.items()}
    if isinstance(schema, list):
        return [inline_refs(document, item, depth + 1) for item in schema]
    return schema
