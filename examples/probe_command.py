"""A working ``--probe-command``: asks a revocation-contracts reference server whether a token works.

The contract suite runs it with ``REVOKE_TOKEN`` set to a token it minted and reads only the
exit code (README, "Point it at your endpoint"): 0 = the token is still active, 1 = it is
inactive, anything else = the probe itself failed (a setup error, reported with stderr).

This one calls the reference server's test-only introspection (``REFERENCE_URL``); a probe for
a real server would call its RFC 7662 introspection endpoint, or use the token (a protected API
call for an access token, a refresh grant for a refresh token) and map the answer the same way.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request

ACTIVE, INACTIVE, PROBE_ERROR = 0, 1, 2
INTROSPECT_PATH = "/__revocation_contracts__/introspect"


def main() -> int:
    base_url = os.environ.get("REFERENCE_URL", "").rstrip("/")
    token = os.environ.get("REVOKE_TOKEN")
    if not base_url or token is None:
        print("probe_command: set REFERENCE_URL; the suite sets REVOKE_TOKEN", file=sys.stderr)
        return PROBE_ERROR
    request = urllib.request.Request(
        base_url + INTROSPECT_PATH,
        data=json.dumps({"token": token}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        # Never print the token: the suite redacts what it knows, but a probe should not rely on it.
        print(f"probe_command: introspection at {base_url} failed: {exc}", file=sys.stderr)
        return PROBE_ERROR
    return ACTIVE if answer.get("active") is True else INACTIVE


if __name__ == "__main__":
    sys.exit(main())
