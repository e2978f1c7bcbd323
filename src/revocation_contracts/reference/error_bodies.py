"""The reference servers' error bodies, built from the contract's own description of them.

Why from the contract's data (``model/errors.py``): the reference must answer in exactly the
shape the suite judges (``rules/error_bodies.py``), for every contract, without knowing any
vendor; building a body from the same ``x-revocation.errors.bodies`` entries keeps the two
from drifting.
"""

from __future__ import annotations

import http
from typing import Any

from revocation_contracts.model.contract import Contract


def build_error_body(contract: Contract, status: int, code: str, message: str) -> tuple[dict[str, Any], str]:
    """A body of the contract's first error shape documented for ``status`` (reference servers).

    Required members are filled by type: the code member gets the vendor's code (``errors.codes``
    maps an OAuth code to it), the message member the message, other strings the status phrase,
    integers the status.
    """
    documented = contract.documented_content(status)
    entry = next(
        (item for item in contract.error_bodies if any(media in documented for media in item.media_types)),
        contract.error_bodies[0],
    )
    media_type = next((media for media in entry.media_types if media in documented), entry.media_types[0])
    properties = entry.schema.get("properties", {})
    names = list(dict.fromkeys([*entry.schema.get("required", ()), entry.code_field, entry.message_field]))
    phrase = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {}
    for name in names:
        if name is None:
            continue
        kind = properties.get(name, {}).get("type", "string")
        if name == entry.code_field:
            body[name] = contract.error_codes.get(code, code)
        elif name == entry.message_field:
            body[name] = message
        elif kind == "integer":
            body[name] = status
        elif kind == "object":
            body[name] = {}
        elif kind == "array":
            body[name] = []
        else:
            body[name] = phrase
    return body, media_type
