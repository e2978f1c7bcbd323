"""The raw-HTTP floor: the documented revocation request, sent in a plain keep-alive loop.

Run as a subprocess by ``run.py`` (so the client never shares a GIL with the reference server,
exactly like the suite's own process in ``--target-url`` mode)::

    python bench/_floor.py --url http://127.0.0.1:PORT --contract rfc7009 --seconds 3 --max-requests 5000
    python bench/_floor.py --embedded --contract rfc7009    # server in this process, like the suite's

With ``--embedded`` the loop runs against a ``ReferenceServer`` thread in its own process,
sharing the GIL with it exactly as the suite shares it with its embedded servers; that is
the floor for the suite's default (embedded) mode.

The request is the one ``RevocationClient`` builds for an unknown token with the suite's
credentials (RFC 7009 2.2: answered as success), so every request does the same work on the
server as the suite's positive examples. Three clients are timed, each bounded by both a
request count and a time limit:

- ``requests.Session``: one ``requests.Session`` (keep-alive), the floor the issue asks for;
- ``http.client``: one persistent ``HTTPConnection``, the lowest-overhead stdlib client;
- ``suite-transport``: the suite's own ``new_session()`` (``GentleAdapter``), to show what
  the suite's transport layer costs on top of plain requests.

Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from revocation_contracts.model.contract import load_contract
from revocation_contracts.reference.store import DEFAULT_CLIENTS
from revocation_contracts.transport.client import Credentials, RevocationClient, RevocationRequest
from revocation_contracts.transport.session import new_session

UNKNOWN_TOKEN = "rc-bench-unknown-token-4b2e"
WARMUP = 30


def _timed_loop(
    send: Callable[[], int], expected: frozenset[int], seconds: float, max_requests: int
) -> dict[str, float]:
    for _ in range(WARMUP):
        send()
    count = 0
    unexpected = 0
    start = time.perf_counter()
    deadline = start + seconds
    while count < max_requests and time.perf_counter() < deadline:
        if send() not in expected:
            unexpected += 1
        count += 1
    elapsed = time.perf_counter() - start
    return {"requests": count, "seconds": elapsed, "rps": count / elapsed, "unexpected_statuses": unexpected}


def _requests_sender(session: requests.Session, request: RevocationRequest) -> Callable[[], int]:
    def send() -> int:
        response = session.request(
            request.method, request.full_url, headers=request.headers, data=request.body, timeout=10
        )
        return response.status_code

    return send


def _http_client_sender(request: RevocationRequest) -> Callable[[], int]:
    parts = urlsplit(request.full_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    target = parts.path + (f"?{parts.query}" if parts.query else "")

    def send() -> int:
        connection.request(request.method, target, body=request.body, headers=request.headers)
        response = connection.getresponse()
        response.read()
        return response.status

    return send


def measure(url: str, contract_name: str, seconds: float, max_requests: int) -> dict[str, object]:
    contract = load_contract(contract_name)
    client = DEFAULT_CLIENTS[0]
    builder = RevocationClient(contract, url, Credentials(client.client_id, client.client_secret))
    request = builder.build(UNKNOWN_TOKEN)
    expected = contract.answer("unknown-token").statuses
    results: dict[str, object] = {"contract": contract_name, "request": f"{request.method} {contract.path}"}
    with requests.Session() as plain:
        results["requests.Session"] = _timed_loop(_requests_sender(plain, request), expected, seconds, max_requests)
    results["http.client"] = _timed_loop(_http_client_sender(request), expected, seconds, max_requests)
    with new_session() as gentle:
        results["suite-transport"] = _timed_loop(_requests_sender(gentle, request), expected, seconds, max_requests)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="base URL of a running reference server")
    where.add_argument("--embedded", action="store_true", help="start the contract's reference server in-process")
    parser.add_argument("--contract", default="rfc7009")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--max-requests", type=int, default=5000)
    args = parser.parse_args()
    if args.url:
        print(json.dumps(measure(args.url, args.contract, args.seconds, args.max_requests)))
        return
    from revocation_contracts.reference.server import ReferenceServer

    with ReferenceServer(load_contract(args.contract)) as server:
        print(json.dumps(measure(server.base_url, args.contract, args.seconds, args.max_requests)))


if __name__ == "__main__":
    main()
