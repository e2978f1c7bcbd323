"""A working ``--token-command``: mints a grant on a revocation-contracts reference server.

The contract suite runs it with ``REVOKE_CLIENT_ID`` set to the client the grant must be
issued to, and reads one JSON object from stdout: ``{"access_token"?: str, "refresh_token"?: str}``
(README, "Point it at your endpoint"). Any other exit code, or anything but that object,
is reported as a setup error with this command's stderr, never as a verdict on the endpoint.

Batches: the suite also sets ``REVOKE_GRANT_COUNT=N``; this command then mints N grants in
this one process and prints a JSON array of them, which saves N - 1 process starts. A
command that ignores the variable and prints one object is fine too.

This one asks the reference server's test-only endpoint (``REFERENCE_URL``, e.g.
``http://127.0.0.1:8000``); a command for a real server would run its OAuth flow instead
(client credentials, a refresh grant, a seeded test user) and print the same JSON.

    REFERENCE_URL=http://127.0.0.1:8000 pytest tests/contract --spec polar \\
        --target-url http://127.0.0.1:8000 --client-id rc-client-a --client-secret ... \\
        --token-command "python examples/token_command.py" --probe-command "python examples/probe_command.py"
"""

from __future__ import annotations

import http.client
import json
import os
import sys
from urllib.parse import urlsplit

GRANTS_PATH = "/__revocation_contracts__/grants"


def post_json(connection: http.client.HTTPConnection, path: str, payload: dict[str, str]) -> dict[str, str]:
    """POST ``payload`` as JSON on the open connection; the JSON answer (http.client, not
    urllib.request: the suite starts this command often, and urllib costs twice the import)."""
    connection.request("POST", path, json.dumps(payload), {"Content-Type": "application/json"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise OSError(f"{path} answered {response.status}")
    answer = json.loads(body)
    if not isinstance(answer, dict):
        raise ValueError(f"{path} answered JSON that is not an object")
    return answer


def main() -> int:
    base_url = os.environ.get("REFERENCE_URL", "").rstrip("/")
    client_id = os.environ.get("REVOKE_CLIENT_ID", "")
    count = os.environ.get("REVOKE_GRANT_COUNT", "1")
    if not base_url or not client_id or not count.isdigit() or int(count) < 1:
        print("token_command: set REFERENCE_URL; the suite sets REVOKE_CLIENT_ID, REVOKE_GRANT_COUNT", file=sys.stderr)
        return 2
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)  # one connection per run
    try:
        grants = []
        for _ in range(int(count)):
            grant = post_json(connection, url.path + GRANTS_PATH, {"client_id": client_id})
            grants.append({kind: grant[kind] for kind in ("access_token", "refresh_token") if kind in grant})
    except (OSError, ValueError, http.client.HTTPException) as exc:
        print(f"token_command: cannot mint a grant for {client_id} at {base_url}: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    json.dump(grants[0] if len(grants) == 1 else grants, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
