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

Batches (issue 21): a process start costs about 0.1 s, and a semantic run mints and probes a
few hundred times, so a command may serve several at once; one that does not still works.

- The token command is told ``REVOKE_GRANT_COUNT=N``. It may print one JSON object (one
  grant: every command written for the one-grant rule) or a JSON array of 1 to N such
  objects, each a grant of its own, independent of the others.
- The probe command is told ``REVOKE_TOKENS`` (the tokens, one per line) beside
  ``REVOKE_TOKEN`` (the first). It may answer all of them on stdout, one line per token in
  order, each ``active`` or ``inactive``, and exit 0; or, as before, answer ``REVOKE_TOKEN``
  by its exit code and print no such lines. A command that answers one line for several
  tokens answered ``REVOKE_TOKEN`` alone: the rest are asked one at a time from then on.
  Any other number of answer lines is a probe error, never a guess.

Each batch is one run of the command, bounded like any other (timeout, output cap, process
group); a batch never holds more than ``MAX_BATCH`` tokens or ``MAX_TOKENS_CHARS`` characters.

One at a time: a user's script need not be reentrant, so a supply's two commands share one
lock and never run beside each other, even when semantic properties run side by side
(``semantics/side_by_side.py``). Probes asked for by several properties while the probe
command runs wait, and go together in its next run (``CommandProber.is_active``).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import IO

from revocation_contracts.redact import Redactor
from revocation_contracts.supply.tokens import TokenSupplyError
from revocation_contracts.transport.client import Credentials
from revocation_contracts.transport.shell import ShellRecipe

COMMAND_TIMEOUT = 30.0
MAX_OUTPUT = 1_000_000
# At most this many grants asked of one token-command run, tokens given to one probe run.
MAX_BATCH = 16
# REVOKE_TOKENS stays far below Linux's 128 kB limit on one environment string (E2BIG).
MAX_TOKENS_CHARS = 64_000
ACTIVE, INACTIVE = "active", "inactive"
# What the commands are told beside REVOKE_CLIENT_ID (README, "Point it at your endpoint").
GRANT_COUNT, TOKEN, TOKENS = "REVOKE_GRANT_COUNT", "REVOKE_TOKEN", "REVOKE_TOKENS"
COMMAND_VARIABLES = (GRANT_COUNT, TOKEN, TOKENS)
SHELL = "/bin/sh"
NOT_FOUND, NOT_EXECUTABLE = 127, 126
TOKEN_KINDS = ("access_token", "refresh_token")


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
    """``--token-command``: new grants for the client in ``$REVOKE_CLIENT_ID``, up to
    ``$REVOKE_GRANT_COUNT`` per run (one JSON object, or an array of them)."""

    option = "--token-command"

    def __init__(
        self, command: str, redact: Redactor, timeout: float | None = None, lock: threading.Lock | None = None
    ) -> None:
        self.command = command
        self.redact = redact
        self.timeout = timeout
        self.lock = lock or threading.Lock()  # shared with the probe command: one run at a time

    def recipe(self, client: Credentials) -> ShellRecipe:
        return ShellRecipe(self.command, {"REVOKE_CLIENT_ID": client.client_id})

    def mint(self, client: Credentials) -> dict[str, str]:
        """One new grant (a run asked for one)."""
        return self.mint_batch(client, 1)[0]

    def mint_batch(self, client: Credentials, count: int) -> list[dict[str, str]]:
        """1 to ``count`` new grants from one run of the command, each registered for redaction."""
        env = {"REVOKE_CLIENT_ID": client.client_id, GRANT_COUNT: str(count)}
        with self.lock:
            result = run_shell(self.command, env, self.option, self.timeout)
        if result.returncode != 0:
            raise TokenSupplyError(explain(self.option, result, f"exited with {result.returncode}", self.redact))
        try:
            data = json.loads(result.stdout)
        except ValueError:
            raise TokenSupplyError(explain(self.option, result, "did not print JSON", self.redact)) from None
        items = data if isinstance(data, list) else [data]
        if not items or not all(isinstance(item, dict) for item in items):
            raise TokenSupplyError(
                explain(
                    self.option, result, "did not print a JSON object (or an array of them, one per grant)", self.redact
                )
            )
        if len(items) > count:
            raise TokenSupplyError(
                explain(self.option, result, f"printed {len(items)} grants for REVOKE_GRANT_COUNT={count}", self.redact)
            )
        grants = [
            {kind: value for kind, value in item.items() if kind in TOKEN_KINDS and isinstance(value, str) and value}
            for item in items
        ]
        for tokens in grants:
            # Every grant's values are masked before any could be reported, even a malformed one's.
            self.redact.add(*tokens.values())
        if not all(grants):
            raise TokenSupplyError(
                explain(self.option, result, "printed no access_token or refresh_token string", self.redact)
            )
        return grants


class CommandProber:
    """``--probe-command``: exit 0 = ``$REVOKE_TOKEN`` active, 1 = inactive, else a probe error;
    or one ``active``/``inactive`` line per token of ``$REVOKE_TOKENS`` (a batch)."""

    option = "--probe-command"

    def __init__(
        self, command: str, redact: Redactor, timeout: float | None = None, lock: threading.Lock | None = None
    ) -> None:
        self.command = command
        self.redact = redact
        self.timeout = timeout
        self.lock = lock or threading.Lock()  # shared with the token command: one run at a time
        # Cleared when the command answers only ``$REVOKE_TOKEN`` of a batch.
        self.batches = True
        self._waiting: list[tuple[str, Future[bool]]] = []
        self._waiting_lock = threading.Lock()
        self._serving = False

    def recipe(self, token: str, kind: str = "", owner: Credentials | None = None) -> ShellRecipe:
        return ShellRecipe(self.command, {"REVOKE_TOKEN": token})

    def is_active(self, token: str, kind: str = "", owner: Credentials | None = None) -> bool:
        """Whether ``token`` is active; asked together with the probes other threads wait for.

        The first thread to ask serves: it runs the command for every token waiting, again
        and again until none is; a thread that asks meanwhile waits for its answer. Alone
        (one property at a time) that is one run per probe, as before. A failed run is the
        error of every probe it carried: each of them is a setup error, none a verdict."""
        answer: Future[bool] = Future()
        with self._waiting_lock:
            self._waiting.append((token, answer))
            serve, self._serving = not self._serving, True
        while serve:
            with self._waiting_lock:
                batch, self._waiting = self._waiting, []
                if not batch:
                    self._serving = serve = False
                    break
            try:
                answers = self.are_active([waiting for waiting, _ in batch])
            except BaseException as error:  # each waiting probe gets the run's error
                for _, future in batch:
                    future.set_exception(error)
            else:
                for (_, future), active in zip(batch, answers, strict=True):
                    future.set_result(active)
        return answer.result()

    def are_active(self, tokens: Sequence[str]) -> list[bool]:
        """One answer per token, in order: in batches when the command answers them, else one
        run per token."""
        answers: list[bool] = []
        rest = list(tokens)
        while rest:
            batch = _batch(rest) if self.batches else rest[:1]
            got = self._run(batch)
            answers += got
            rest = rest[len(got) :]
        return answers

    def _run(self, tokens: list[str]) -> list[bool]:
        """Answers for ``tokens`` (all of them, or the first alone for a one-token command)."""
        env = {TOKEN: tokens[0], TOKENS: "\n".join(tokens)}
        with self.lock:
            result = run_shell(self.command, env, self.option, self.timeout)
        lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        if lines and all(line in (ACTIVE, INACTIVE) for line in lines):
            if result.returncode != 0:
                raise TokenSupplyError(
                    explain(self.option, result, f"answered lines but exited with {result.returncode}", self.redact)
                )
            if len(lines) == len(tokens):
                return [line == ACTIVE for line in lines]
            if len(lines) != 1:
                raise TokenSupplyError(
                    explain(self.option, result, f"answered {len(lines)} lines for {len(tokens)} tokens", self.redact)
                )
            self.batches = False  # one answer: the command reads $REVOKE_TOKEN only
            return [lines[0] == ACTIVE]
        if result.returncode in (0, 1):
            self.batches = self.batches and len(tokens) == 1
            return [result.returncode == 0]
        raise TokenSupplyError(
            explain(self.option, result, f"exited with {result.returncode} (0 = active, 1 = inactive)", self.redact)
        )


def _batch(tokens: list[str]) -> list[str]:
    """The longest prefix of ``tokens`` one probe run may take (count, size, no newline inside)."""
    batch: list[str] = []
    size = 0
    for token in tokens[:MAX_BATCH]:
        size += len(token) + 1
        if "\n" in token or (batch and size > MAX_TOKENS_CHARS):
            break
        batch.append(token)
    return batch or tokens[:1]
