"""Probe command for the independent server: are the tokens still active?

One token (``$REVOKE_TOKEN``, and ``$REVOKE_TOKENS`` absent or the same single token): exit 0
active, 1 inactive (revoked, or never issued), 2 probe error. Several (``$REVOKE_TOKENS``,
one per line, a batch): one line per token in order, ``active`` or ``inactive``, exit 0; exit
2 on any error. Finds the server through $INDIE_ADMIN_URL.
"""

from __future__ import annotations

import os
import sys

from _admin_client import AdminError, call


def active(token: str) -> bool | None:
    """Whether the server calls ``token`` active; None (after a message) when the probe fails."""
    try:
        answer = call("active", {"token": token})
    except AdminError as exc:
        print(f"probe_command: {exc}", file=sys.stderr)
        return None
    verdict = answer.get("active") if isinstance(answer, dict) else None
    if not isinstance(verdict, bool):
        print("probe_command: malformed admin answer", file=sys.stderr)
        return None
    return verdict


def main() -> int:
    batch = os.environ.get("REVOKE_TOKENS", "").split("\n")
    if len(batch) > 1:
        verdicts = [active(token) for token in batch]
        if None in verdicts:
            return 2
        print("\n".join("active" if verdict else "inactive" for verdict in verdicts))
        return 0
    token = os.environ.get("REVOKE_TOKEN")
    if token is None:
        print("probe_command: REVOKE_TOKEN must be set", file=sys.stderr)
        return 2
    verdict = active(token)
    if verdict is None:
        return 2
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
