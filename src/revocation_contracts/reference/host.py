"""The embedded reference servers in one child process, so that their work runs on another core.

Why a child process: in one interpreter the suite's client, Hypothesis' generation, the
reporting and every reference server share one core and the interpreter lock, while the
machines the suite runs on have two or more. The servers answer over loopback HTTP anyway, so
nothing but the port needs to cross; in a child, their CPU (uvicorn, Starlette, the store) and
their thread switches leave the suite's process (issue 21).

Why one child for every contract, started on the first: a child pays an interpreter start and
the imports of uvicorn and Starlette once; the servers of later contracts start in its
threads in milliseconds, as ``ReferenceServer`` always did.

How it is bounded: the child reads its orders (a contract and its planted bugs, pickled, one
per line) from its standard input and exits when that input ends, which happens when the
suite closes the host or dies, however it dies; ``close`` waits ``STOP_TIMEOUT`` and then
kills the child by its pid. Each order is answered within ``START_TIMEOUT`` or the host is
closed and the start fails.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import pickle
import select
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from revocation_contracts.model.contract import Contract

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# The package's parent directory, so the child imports this very copy of the package.
_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])


class HostedServer:
    """A reference server running in a ``ServerHost``'s child; it stops when the host closes."""

    def __init__(self, host: ServerHost, contract: Contract, port: int) -> None:
        self.host = host
        self.contract = contract
        self.port = port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request_stop(self) -> None:
        """Nothing to do per server: the host stops all of its servers at once (``ServerHost.close``)."""

    def stop(self) -> None:
        self.host.close()


class ServerHost:
    """One child process serving reference servers; ``serve`` starts one, ``close`` ends them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_SOURCE_ROOT, env.get("PYTHONPATH")]))
        self._process: subprocess.Popen[str] | None = subprocess.Popen(
            [sys.executable, "-m", "revocation_contracts.reference.host"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def serve(self, contract: Contract, bugs: frozenset[str] = frozenset()) -> HostedServer:
        """Start ``contract``'s reference server (with ``bugs`` planted) in the child; its port."""
        with self._lock:
            process = self._process
            if process is None or process.stdin is None or process.stdout is None:
                raise RuntimeError("the reference server host is closed")
            order = base64.b64encode(pickle.dumps((contract, frozenset(bugs)))).decode("ascii")
            try:
                process.stdin.write(order + "\n")
                process.stdin.flush()
                line = _read_line(process.stdout, START_TIMEOUT)
            except OSError as exc:
                line = json.dumps({"error": f"the host process ended ({exc})"})
        answer = json.loads(line) if line else {"error": f"no answer within {START_TIMEOUT:g} s"}
        if "port" not in answer:
            self.close()
            raise RuntimeError(f"the {contract.name} reference server did not start: {answer.get('error')}")
        return HostedServer(self, contract, int(answer["port"]))

    def close(self) -> None:
        """End the child's input (it stops its servers and exits); kill it by pid if it lingers."""
        with self._lock:
            process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
        if process.stdout is not None:
            process.stdout.close()


def _read_line(stream: IO[str], timeout: float) -> str:
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else ""


def main() -> None:
    """The child: start a server per order on standard input; at its end, stop them all and exit."""
    from revocation_contracts.reference.server import ReferenceServer

    servers: list[ReferenceServer] = []
    for line in sys.stdin:
        try:
            contract, bugs = pickle.loads(base64.b64decode(line))
            servers.append(ReferenceServer(contract, bugs).start())
            answer: dict[str, object] = {"port": servers[-1].port}
        except Exception as exc:  # reported to the parent, which fails the start
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
    for server in servers:
        server.request_stop()
    for server in servers:
        server.stop()


if __name__ == "__main__":
    main()
