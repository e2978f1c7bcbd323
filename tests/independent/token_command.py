"""Token command for the independent server: print new grants for $REVOKE_CLIENT_ID.

Finds the server through $INDIE_ADMIN_URL (e.g. http://127.0.0.1:PORT/_indie). Prints JSON
``{"access_token": ..., "refresh_token"?: ...}`` (Voucherify grants have no refresh token),
or, when the suite asks for several (``REVOKE_GRANT_COUNT=N``, N > 1), a JSON array of N such
grants, minted one after the other in this one process; exits 2 on any error.
"""

from __future__ import annotations

import json
import os
import sys

from _admin_client import AdminError, call


def main() -> int:
    client_id = os.environ.get("REVOKE_CLIENT_ID")
    if not client_id:
        print("token_command: REVOKE_CLIENT_ID must be set", file=sys.stderr)
        return 2
    count = os.environ.get("REVOKE_GRANT_COUNT", "1")
    if not count.isdigit() or int(count) < 1:
        print(f"token_command: REVOKE_GRANT_COUNT must be a positive integer, not {count!r}", file=sys.stderr)
        return 2
    grants = []
    for _ in range(int(count)):
        try:
            grant = call("mint", {"client_id": client_id})
        except AdminError as exc:
            print(f"token_command: {exc}", file=sys.stderr)
            return 2
        if not isinstance(grant, dict) or not isinstance(grant.get("access_token"), str):
            print("token_command: malformed admin answer", file=sys.stderr)
            return 2
        grants.append(grant)
    print(json.dumps(grants[0] if len(grants) == 1 else grants))
    return 0


if __name__ == "__main__":
    sys.exit(main())
