"""``revocation-contracts new NAME``: a starting contract file a wheel user can edit.

Why a command and not "copy a file from specs/": a user who installed the wheel has no
``specs/`` directory to copy from, and a copy that keeps its bundled name is refused (names are
unique). The command writes one of the bundled documents (RFC 7009's by default: the plainest)
under the new name, with a header saying what to edit and where every key is explained, and
loads the result once, so what it writes is a contract ``--spec PATH`` accepts.
"""

from __future__ import annotations

import re
from pathlib import Path

from revocation_contracts.model.contract import BUNDLED_NAMES, ContractError, load_contract, resolve_spec

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
DEFAULT_TEMPLATE = "rfc7009"
HEADER = """\
# {name}: a revocation contract, started from the bundled {template!r} contract by
# `revocation-contracts new`. Edit both halves to describe your endpoint:
#   - the OpenAPI part (paths, request body schema, responses, security) as your document says;
#   - x-revocation: which answer each situation gets, how credentials travel, error bodies, tokens.
# Every key is described in docs/writing-contracts.md and in the schema shipped with the package
# (revocation_contracts/model/x_revocation.schema.json). Run it:
#   revocation-contracts --spec {path}                                  # against its embedded server
#   revocation-contracts --spec {path} --target-url URL --client-id ID --client-secret SECRET
"""


def new_contract(name: str, output: str | None = None, template: str = DEFAULT_TEMPLATE) -> Path:
    """Write a contract called ``name`` (to ``output`` or ``./NAME.yaml``); ContractError if it cannot."""
    if not NAME.match(name):
        raise ContractError(f"contract name {name!r}: use lower-case letters, digits, '-' and '_', e.g. my-idp")
    if name in BUNDLED_NAMES:
        raise ContractError(f"{name!r} is a bundled contract's name; choose a name of your own")
    if template not in BUNDLED_NAMES:
        raise ContractError(f"--from {template!r}: start from one of {', '.join(BUNDLED_NAMES)}")
    path = Path(output or f"{name}.yaml")
    if path.exists():
        raise ContractError(f"{str(path)!r} already exists; pass another path with --output")
    text = resolve_spec(template).read_text(encoding="utf-8")
    marker = f"\n  name: {template}\n"
    if marker not in text:
        raise ContractError(f"the bundled {template!r} document has no x-revocation name line to replace")
    body = text.replace(marker, f"\n  name: {name}\n", 1)
    path.write_text(HEADER.format(name=name, template=template, path=path) + body, encoding="utf-8")
    try:
        load_contract(str(path))
    except ContractError:
        path.unlink()
        raise
    return path
