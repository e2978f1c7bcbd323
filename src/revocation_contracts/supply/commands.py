"""The user's ``--token-command`` and ``--probe-command``: shell command lines, run like a CI step.

Why a shell: users write these the way they write CI steps (``curl ... | jq -r .token``,
``$REVOKE_TOKEN`` in an argument), so each is run by ``/bin/sh -c`` with ``REVOKE_CLIENT_ID``
or ``REVOKE_TOKEN`` in its environment. The project's rules (README, "Options"): the token
command prints JSON ``{"access_token"?: str, "refresh_token"?: str}`` for a new grant issued
to ``$REVOKE_CLIENT_ID``; the probe command exits 0 when ``$REVOKE_TOKEN`` is still active,
1 when it is not, anything else is a probe error.

Every way a command can fail is a ``TokenSupplyError`` with one line and the command's
stderr, secrets masked: the shell cannot start, the command is not found (shell status 127)
or not executable (126), the environment is too large to pass (``E2BIG``), it runs past
``COMMAND_TIMEOUT`` (its whole process group is killed: a pipeline's children too, since the
command runs in a new session), it prints more than ``MAX_OUTPUT`` bytes, or prints no JSON.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import threading
from dataclasses import dataclass
from typing import IO

from revocation_contracts.redact import Redactor
from revocation_contracts.supply.tokens import TokenSupplyError
from revocation_contracts.transport.client import Credentials

COMMAND_TIMEOUT = 30.0
MAX_OUTPUT = 1_000_000
SHELL = "/bin/sh"
NOT_FOUND, NOT_EXECUTABLE = 127, 126


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    stdout: str
    stderr: str


def run_shell(command: str, env: dict[str, str], option: str, timeout: float | None = None) -> CommandResult:
    """Run ``command`` with ``/bin/sh -c`` in a new session; kill its process group on timeout."""
    timeout = COMMAND_TIMEOUT if timeout is None else timeout
    try:
        process = subprocess.Popen(
            [SHELL, "-c", command],
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        if exc.errno == errno.E2BIG:
            raise TokenSupplyError(
                f"{option}: the command line or its environment is too long to run (E2BIG)"
            ) from None
        raise TokenSupplyError(f"{option}: cannot start {SHELL}: {exc.strerror or exc}") from None
    outputs = [bytearray(), bytearray()]
    too_much = threading.Event()
    readers = [
        threading.Thread(target=_drain, args=(pipe, sink, process, too_much), daemon=True)
        for pipe, sink in zip((process.stdout, process.stderr), outputs, strict=True)
    ]
    for reader in readers:
        reader.start()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise TokenSupplyError(f"{option} did not finish within {timeout:g}s; its process group was killed") from None
    finally:
        for reader in readers:
            reader.join(timeout=5)
    if too_much.is_set():
        raise TokenSupplyError(f"{option} printed more than {MAX_OUTPUT} bytes; it should print one JSON object")
    stdout, stderr = (bytes(sink).decode("utf-8", "replace") for sink in outputs)
    return CommandResult(process.returncode, stdout, stderr)


def _drain(
    pipe: IO[bytes] | None, sink: bytearray, process: subprocess.Popen[bytes], too_much: threading.Event
) -> None:
    """Read one pipe to its end; past ``MAX_OUTPUT`` bytes, stop the command (the rest is discarded)."""
    if pipe is None:
        return
    with pipe:
        while chunk := pipe.read1(65536):  # type: ignore[attr-defined]
            if len(sink) + len(chunk) > MAX_OUTPUT:
                if not too_much.is_set():
                    too_much.set()
                    _kill_group(process, wait=False)
                continue
            sink.extend(chunk)


def _kill_group(process: subprocess.Popen[bytes], wait: bool = True) -> None:
    """Kill the command's whole process group (it leads a new session), then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if wait:
        process.wait()


def explain(option: str, result: CommandResult, what: str, redact: Redactor) -> str:
    """One line: which command, what went wrong, and the tail of its stderr, secrets masked."""
    stderr = " ".join(redact(result.stderr.strip()).split())[-500:]
    if result.returncode == NOT_FOUND:
        what = f"{what}: command not found"
    elif result.returncode == NOT_EXECUTABLE:
        what = f"{what}: permission denied (not executable)"
    return f"{option} {what}" + (f"; stderr: {stderr}" if stderr else "")


class CommandMinter:
    """``--token-command``: one new grant per run, for the client in ``$REVOKE_CLIENT_ID``."""

    option = "--token-command"

    def __init__(self, command: str, redact: Redactor, timeout: float | None = None) -> None:
        self.command = command
        self.redact = redact
        self.timeout = timeout

    def mint(self, client: Credentials) -> dict[str, str]:
        result = run_shell(self.command, {"REVOKE_CLIENT_ID": client.client_id}, self.option, self.timeout)
        if result.returncode != 0:
            raise TokenSupplyError(explain(self.option, result, f"exited with {result.returncode}", self.redact))
        try:
            data = json.loads(result.stdout)
        except ValueError:
            raise TokenSupplyError(explain(self.option, result, "did not print JSON", self.redact)) from None
        if not isinstance(data, dict):
            raise TokenSupplyError(explain(self.option, result, "did not print a JSON object", self.redact))
        tokens = {
            kind: value
            for kind, value in data.items()
            if kind in ("access_token", "refresh_token") and isinstance(value, str) and value
        }
        if not tokens:
            raise TokenSupplyError(
                explain(self.option, result, "printed no access_token or refresh_token string", self.redact)
            )
        self.redact.add(*tokens.values())
        return tokens


class CommandProber:
    """``--probe-command``: exit 0 = ``$REVOKE_TOKEN`` active, 1 = inactive, else a probe error."""

    option = "--probe-command"

    def __init__(self, command: str, redact: Redactor, timeout: float | None = None) -> None:
        self.command = command
        self.redact = redact
        self.timeout = timeout

    def is_active(self, token: str, kind: str = "", owner: Credentials | None = None) -> bool:
        result = run_shell(self.command, {"REVOKE_TOKEN": token}, self.option, self.timeout)
        if result.returncode == 0:
            return True
        if result.returncode == 1:
            return False
        raise TokenSupplyError(
            explain(self.option, result, f"exited with {result.returncode} (0 = active, 1 = inactive)", self.redact)
        )
