"""A working ``--probe-command``: asks a revocation-contracts reference server whether a token works.

The contract suite runs it with ``REVOKE_TOKEN`` set to a token it minted and reads the exit
code (README, "Point it at your endpoint"): 0 = the token is still active, 1 = it is
inactive, anything else = the probe itself failed (a setup error, reported with stderr).

Batches: when the suite asks about several tokens at once, ``REVOKE_TOKENS`` holds them, one
per line; this command then prints one line per token, in order, ``active`` or ``inactive``,
and exits 0, which saves a process start per token. A command that ignores the variable and
answers ``REVOKE_TOKEN`` by its exit code is fine too.

This one calls the reference server's test-only introspection (``REFERENCE_URL``); a probe for
a real server would call its RFC 7662 introspection endpoint, or use the token (a protected API
call for an access token, a refresh grant for a refresh token) and map the answer the same way.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
from urllib.parse import urlsplit

ACTIVE, INACTIVE, PROBE_ERROR = 0, 1, 2
INTROSPECT_PATH = "/__revocation_contracts__/introspect"


def is_active(connection: http.client.HTTPConnection, path: str, token: str) -> bool:
    """The reference server's test-only introspection: ``{"active": true}`` for a live token
    (http.client, not urllib.request: the suite starts this command often)."""
    connection.request("POST", path, json.dumps({"token": token}), {"Content-Type": "application/json"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise OSError(f"introspection answered {response.status}")
    answer = json.loads(body)
    return isinstance(answer, dict) and answer.get("active") is True


def main() -> int:
    base_url = os.environ.get("REFERENCE_URL", "").rstrip("/")
    token = os.environ.get("REVOKE_TOKEN")
    batch = os.environ.get("REVOKE_TOKENS", "").split("\n")
    if not base_url or token is None:
        print("probe_command: set REFERENCE_URL; the suite sets REVOKE_TOKEN", file=sys.stderr)
        return PROBE_ERROR
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)  # one connection per run
    path = url.path + INTROSPECT_PATH
    try:
        if len(batch) > 1:
            print("\n".join("active" if is_active(connection, path, each) else "inactive" for each in batch))
            return ACTIVE
        return ACTIVE if is_active(connection, path, token) else INACTIVE
    except (OSError, ValueError, http.client.HTTPException) as exc:
        # Never print the token: the suite redacts what it knows, but a probe should not rely on it.
        print(f"probe_command: introspection at {base_url} failed: {exc}", file=sys.stderr)
        return PROBE_ERROR
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
