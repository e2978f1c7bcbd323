"""Cost of one mint and one probe: the built-in supply beside the shell-command path.

Why: before the built-in supply, every semantic run against a real server paid a subprocess
(and, in practice, a ``curl``) per mint and per probe, about 450 per run. This script measures
both paths against the same real server, Authlib on loopback (``tests/libraries/authlib_server.py``):

- built in: ``TokenEndpointMinter`` (``client_credentials``) and ``IntrospectionProber``, over
  one keep-alive session;
- commands: ``--token-command`` ``curl ... /oauth/token`` and ``--probe-command``
  ``curl ... /oauth/introspect | grep -q``, run by ``/bin/sh -c`` as the suite runs them.

It prints the median and 90th percentile wall time per operation (milliseconds) and the
ratio, and writes them to ``bench/supply_results.json``. A script, not a test: timings on a
shared machine are noisy.

    python bench/supply_cost.py            # 60 of each
    python bench/supply_cost.py --n 200
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from revocation_contracts.redact import Redactor  # noqa: E402
from revocation_contracts.supply.commands import CommandMinter, CommandProber  # noqa: E402
from revocation_contracts.supply.minting import MintSettings, TokenEndpointMinter  # noqa: E402
from revocation_contracts.supply.probing import IntrospectionProber  # noqa: E402
from revocation_contracts.transport.client import Credentials  # noqa: E402
from revocation_contracts.transport.session import new_session  # noqa: E402
from tests.libraries.authlib_server import CLIENTS, AuthlibServer  # noqa: E402


def timed(operation: Callable[[], object], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": statistics.median(ordered), "p90_ms": ordered[int(len(ordered) * 0.9) - 1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--out", default=str(REPO / "bench" / "supply_results.json"))
    args = parser.parse_args()
    (client_id, (secret, _)), _ = CLIENTS.items()
    client = Credentials(client_id, secret)
    with AuthlibServer(lifetime=600) as server:
        session = new_session()
        redactor = Redactor(secret)
        minter = TokenEndpointMinter(MintSettings(server.url + "/oauth/token"), session, 10, redactor)
        prober = IntrospectionProber(server.url + "/oauth/introspect", "basic", session, 10)
        token = minter.mint(client)["access_token"]
        curl = f"curl -s -u {client_id}:{secret}"
        command_minter = CommandMinter(f"{curl} -d grant_type=client_credentials {server.url}/oauth/token", redactor)
        command_prober = CommandProber(
            f'{curl} -d "token=$REVOKE_TOKEN" {server.url}/oauth/introspect | grep -q \'"active": true\'', redactor
        )
        assert prober.is_active(token, "access_token", client) and command_prober.is_active(token)
        results = {
            "built-in mint": summary(timed(lambda: minter.mint(client), args.n)),
            "built-in probe": summary(timed(lambda: prober.is_active(token, "access_token", client), args.n)),
            "command mint": summary(timed(lambda: command_minter.mint(client), args.n)),
            "command probe": summary(timed(lambda: command_prober.is_active(token), args.n)),
        }
        session.close()
    print(f"{'operation':<16} {'median ms':>10} {'p90 ms':>8}")
    for name, figures in results.items():
        print(f"{name:<16} {figures['median_ms']:>10.2f} {figures['p90_ms']:>8.2f}")
    for kind in ("mint", "probe"):
        ratio = results[f"command {kind}"]["median_ms"] / results[f"built-in {kind}"]["median_ms"]
        print(f"command / built-in, {kind}: {ratio:.1f}x")
    record = {"n": args.n, "load_average": os.getloadavg(), "results": results}
    Path(args.out).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
