"""A by-hand check of ``relay.py`` (not part of the test run): delay, order, close, counts.

    python bench/_relay_check.py

Starts a loopback HTTP/1.1 server answering a 200 kB body, the relay in front of it with 25 ms
each way, and checks: a new connection's first request takes two RTTs (handshake + request),
a keep-alive request one RTT, the body arrives intact and in order, and the relay, stopped
by its pid, prints its counts (one connection, six requests on path /).
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

BODY = bytes(range(256)) * 800  # 200 kB, order-sensitive


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


def main() -> int:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    command = [sys.executable, str(Path(__file__).with_name("relay.py")), "--target", f"127.0.0.1:{server.server_port}"]
    relay = subprocess.Popen(
        [*command, "--delay-ms", "25", "--lifetime", "30"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert relay.stdout is not None
        line = relay.stdout.readline()
        port = int(line.split()[1].rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        started = time.monotonic()
        connection.request("GET", "/")
        first_body = connection.getresponse().read()
        first = time.monotonic() - started
        started = time.monotonic()
        bodies = []
        for _ in range(5):
            connection.request("GET", "/")
            bodies.append(connection.getresponse().read())
        keep_alive = (time.monotonic() - started) / 5
        connection.close()
    finally:
        os.kill(relay.pid, signal.SIGTERM)
        rest, _ = relay.communicate(timeout=10)
        server.shutdown()
    counts = json.loads(rest.strip().splitlines()[-1])
    print(f"first request {first * 1000:.0f} ms (expect ~100), keep-alive {keep_alive * 1000:.0f} ms (expect ~50)")
    print(json.dumps(counts))
    assert 0.095 <= first < 0.3, first
    assert 0.048 <= keep_alive < 0.15, keep_alive
    assert first_body == BODY and all(body == BODY for body in bodies)
    assert counts["connections"] == 1 and counts["requests_by_path"] == {"/": 6}, counts
    assert relay.returncode == 0
    print("relay ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
