"""Probe command for the independent server: is $REVOKE_TOKEN still active?

Exit 0: active; 1: inactive (revoked, or never issued); 2: probe error.
Finds the server through $INDIE_ADMIN_URL.
"""

from __future__ import annotations

import os
import sys

from _admin_client import AdminError, call


def main() -> int:
    token = os.environ.get("REVOKE_TOKEN")
    if token is None:
        print("probe_command: REVOKE_TOKEN must be set", file=sys.stderr)
        return 2
    try:
        answer = call("active", {"token": token})
    except AdminError as exc:
        print(f"probe_command: {exc}", file=sys.stderr)
        return 2
    active = answer.get("active") if isinstance(answer, dict) else None
    if not isinstance(active, bool):
        print("probe_command: malformed admin answer", file=sys.stderr)
        return 2
    return 0 if active else 1


if __name__ == "__main__":
    sys.exit(main())
