"""Real OAuth servers outside Python's ecosystem, from npm, on loopback: oidc-provider and @jmondi/oauth2-server.

Why: the suite has been proven against servers this project wrote and against two Python
libraries (Authlib, oauthlib). Two JavaScript servers, written by people who never saw this
suite, show whether it judges fairly code from another ecosystem, with other HTTP stacks.

- **oidc-provider** (panva), the OpenID Certified JavaScript server: discovery, the token
  endpoint (``client_credentials``), RFC 7009 revocation and RFC 7662 introspection, all its
  own; ``oidc_provider_server.mjs`` is configuration only.
- **@jmondi/oauth2-server** (TypeScript): the token endpoint (``client_credentials``,
  ``password``, ``refresh_token``), ``revoke()`` and ``introspect()`` and the HTTP glue of its
  ``vanilla`` adapter are the library's; ``jmondi_server.mjs`` adds what it leaves to its user,
  in-memory repositories, as its own in-memory test repository writes them.

Both are installed from this folder's ``package.json`` and ``package-lock.json`` (exact
versions) with ``npm ci``: by ``.ci/run``, or here when ``node_modules`` is missing (under a
file lock, so two xdist workers do not install at once). The only network is the npm registry
at install time; at run time each server binds 127.0.0.1 on a port the kernel picks, prints
``listening <URL>``, exits by itself after its lifetime, and is stopped by its own pid.
Without node and npm the tests are skipped, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
INSTALL_TIMEOUT = 300.0
STARTUP_TIMEOUT = 30.0

# (client id, secret, token endpoint auth method); the first authenticates with HTTP Basic, the
# second with the form body, so both of RFC 6749 section 2.3.1's methods meet the server.
OIDC_CLIENTS = (
    ("oidc-client-a", "oidc-secret-a-4Rt9", "client_secret_basic"),
    ("oidc-client-b", "oidc-secret-b-8Lm3", "client_secret_post"),
)
JMONDI_CLIENTS = (
    ("jmondi-client-a", "jmondi-secret-a-2Vn6", "client_secret_basic"),
    ("jmondi-client-b", "jmondi-secret-b-5Qz1", "client_secret_post"),
)
JMONDI_USER = ("alice", "alice-password-6Jd4")


def require_node() -> None:
    """Skip (fail under CI=true) when node or npm is not installed."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        message = f"{' and '.join(missing)} not installed: the third-party JavaScript servers cannot run"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def ensure_installed() -> None:
    """``npm ci`` in this folder unless its lockfile's packages are already there."""
    require_node()
    marker = HERE / "node_modules" / ".package-lock.json"
    with open(HERE / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and marker.stat().st_mtime >= (HERE / "package-lock.json").stat().st_mtime:
            return
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"npm ci in {HERE} failed ({result.returncode}):\n{result.stderr[-3000:]}")


class NodeServer:
    """One of this folder's ``.mjs`` servers in a subprocess: started, its URL read, stopped by its pid."""

    def __init__(self, script: str, config: dict[str, object], lifetime: float) -> None:
        self.script = HERE / script
        self.config = config
        self.lifetime = lifetime
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> NodeServer:
        ensure_installed()
        env = {**os.environ, "THIRDPARTY_CONFIG": json.dumps(self.config)}
        self.process = subprocess.Popen(
            ["node", str(self.script), str(self.lifetime)],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], STARTUP_TIMEOUT)
        line = self.process.stdout.readline() if ready else ""
        if not line.startswith("listening http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"{self.script.name} did not start (printed {line!r})")
        self.url = line.split()[1]
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    def __enter__(self) -> NodeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def oidc_provider(lifetime: float) -> NodeServer:
    return NodeServer("oidc_provider_server.mjs", {"clients": OIDC_CLIENTS}, lifetime)


def jmondi(lifetime: float) -> NodeServer:
    return NodeServer("jmondi_server.mjs", {"clients": JMONDI_CLIENTS, "user": JMONDI_USER}, lifetime)
