"""A loopback TCP relay that adds a one-way delay each direction: a "remote" target without root.

Why a relay and not ``tc netem``: ``tc`` needs root and changes the whole interface; this relay
needs nothing, touches only the connections made to it, and binds 127.0.0.1 only. Every chunk
read from one side is written to the other ``--delay-ms`` later, in the order it was read, so a
request/response exchange costs one round trip of ``2 x delay``. A new connection's first
bytes wait one extra round trip, standing in for the TCP handshake a real remote target costs
(``--no-connect-rtt`` turns that off). Bandwidth is not limited: latency is what the suite's
cost depends on (issue 12).

    python bench/relay.py --listen-port 0 --target 127.0.0.1:8000 --delay-ms 25
    # prints "relay 127.0.0.1:PORT -> 127.0.0.1:8000 delay 25 ms each way" and serves until
    # SIGTERM/SIGINT or --lifetime seconds (default 1800), then prints one JSON line of counts.

It is bounded in time (``--lifetime``) and stopped by its own pid (``kill PID``); on exit it
prints ``{"connections": N, "chunks_up": N, "bytes_up": N, ...}`` on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
CHUNK = 65536
DEFAULT_LIFETIME = 1800.0
# An HTTP/1.x request line at the start of a chunk or after a CRLF: counts requests by path. A
# request line split across two reads would be missed; requests this small arrive in one read.
REQUEST_LINE = re.compile(rb"(?:^|\r\n)[A-Z]{3,10} (/[^ ?\r\n]*)[^ \r\n]* HTTP/1\.[01]\r\n")


@dataclass
class Counts:
    connections: int = 0
    chunks_up: int = 0
    bytes_up: int = 0
    chunks_down: int = 0
    bytes_down: int = 0
    refused: int = 0
    requests_by_path: Counter[str] = field(default_factory=Counter)


class Relay:
    """Forward every connection to ``target``, delaying each chunk by ``delay`` seconds each way."""

    def __init__(self, target: tuple[str, int], delay: float, connect_rtt: bool = True) -> None:
        self.target = target
        self.delay = delay
        self.connect_rtt = connect_rtt
        self.counts = Counts()
        self.active: set[asyncio.Task[None]] = set()

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.counts.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self.active.add(task)
        try:
            await self._connect(client_reader, client_writer)
        except asyncio.CancelledError:  # the relay is stopping: drop the connection quietly
            client_writer.close()
        finally:
            if task is not None:
                self.active.discard(task)

    async def _connect(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self.counts.refused += 1
            client_writer.close()
            return
        # The handshake a remote peer would cost: the first request lands one RTT later.
        first_delay = 2 * self.delay if self.connect_rtt else 0.0
        await asyncio.gather(
            self._pipe(client_reader, upstream_writer, up=True, first_delay=first_delay),
            self._pipe(upstream_reader, client_writer, up=False, first_delay=0.0),
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, up: bool, first_delay: float
    ) -> None:
        """Read chunks as they come; a writer task releases each one ``delay`` after it arrived."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        sender = asyncio.create_task(self._release(queue, writer))
        loop = asyncio.get_running_loop()
        extra = first_delay
        try:
            while True:
                try:
                    data = await reader.read(CHUNK)
                except (ConnectionError, OSError):
                    data = b""
                if up:
                    for match in REQUEST_LINE.finditer(data):
                        self.counts.requests_by_path[match.group(1).decode("latin-1")] += 1
                    self.counts.chunks_up += bool(data)
                    self.counts.bytes_up += len(data)
                else:
                    self.counts.chunks_down += bool(data)
                    self.counts.bytes_down += len(data)
                await queue.put((loop.time() + self.delay + extra, data))
                extra = 0.0
                if not data:
                    break
        except asyncio.CancelledError:
            sender.cancel()
            raise
        finally:
            await asyncio.gather(sender, return_exceptions=True)

    @staticmethod
    async def _release(queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:  # the other side closed: pass the close on, in order
                    with contextlib.suppress(OSError):
                        if writer.can_write_eof():
                            writer.write_eof()
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()


async def serve(relay: Relay, port: int, lifetime: float, ready: asyncio.Future[int] | None = None) -> None:
    server = await asyncio.start_server(relay.handle, LOOPBACK, port)
    bound = server.sockets[0].getsockname()[1]
    if ready is not None:
        ready.set_result(bound)
    else:
        host, target_port = relay.target
        print(
            f"relay {LOOPBACK}:{bound} -> {host}:{target_port} delay {relay.delay * 1000:g} ms each way",
            flush=True,
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=lifetime)
    server.close()
    for task in list(relay.active):
        task.cancel()
    await asyncio.gather(*relay.active, return_exceptions=True)


def parse_target(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if host not in (LOOPBACK, "localhost") or not port.isdigit():
        raise argparse.ArgumentTypeError("--target must be 127.0.0.1:PORT (loopback only)")
    return LOOPBACK, int(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen-port", type=int, default=0, help="port on 127.0.0.1 (0: the kernel picks)")
    parser.add_argument("--target", type=parse_target, required=True, metavar="127.0.0.1:PORT")
    parser.add_argument("--delay-ms", type=float, default=25.0, help="one-way delay; RTT is twice this")
    parser.add_argument("--no-connect-rtt", action="store_true", help="do not charge a new connection one RTT")
    parser.add_argument("--lifetime", type=float, default=DEFAULT_LIFETIME, help="exit after this many seconds")
    args = parser.parse_args(argv)
    if args.delay_ms < 0 or args.lifetime <= 0:
        parser.error("--delay-ms must be >= 0 and --lifetime > 0")
    relay = Relay(args.target, args.delay_ms / 1000.0, connect_rtt=not args.no_connect_rtt)
    started = time.monotonic()
    asyncio.run(serve(relay, args.listen_port, args.lifetime))
    counts = {**vars(relay.counts), "requests_by_path": dict(relay.counts.requests_by_path)}
    print(json.dumps({**counts, "lifetime_s": round(time.monotonic() - started, 3)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
