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

import json
import os
import sys
import urllib.error
import urllib.request

GRANTS_PATH = "/__revocation_contracts__/grants"


def mint(base_url: str, client_id: str) -> dict[str, str]:
    """One new grant for ``client_id`` from the reference server's test-only endpoint."""
    request = urllib.request.Request(
        base_url + GRANTS_PATH,
        data=json.dumps({"client_id": client_id}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        grant = json.load(response)
    return {kind: grant[kind] for kind in ("access_token", "refresh_token") if kind in grant}


def main() -> int:
    base_url = os.environ.get("REFERENCE_URL", "").rstrip("/")
    client_id = os.environ.get("REVOKE_CLIENT_ID", "")
    count = os.environ.get("REVOKE_GRANT_COUNT", "1")
    if not base_url or not client_id or not count.isdigit() or int(count) < 1:
        print(
            "token_command: set REFERENCE_URL; the suite sets REVOKE_CLIENT_ID (and REVOKE_GRANT_COUNT)",
            file=sys.stderr,
        )
        return 2
    try:
        grants = [mint(base_url, client_id) for _ in range(int(count))]
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"token_command: cannot mint a grant for {client_id} at {base_url}: {exc}", file=sys.stderr)
        return 1
    json.dump(grants[0] if len(grants) == 1 else grants, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
