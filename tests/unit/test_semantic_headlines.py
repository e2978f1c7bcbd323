"""A semantic failure's headline says what happened, not only the claim it breaks.

The planted-bug table (``tests/planted/test_semantic_bugs.py``) proves each property fails on
its bug; these tests pin the failures no planted bug produces, each answer a real server has
given: another client's revocation refused with an undocumented 403 (the token stayed active,
so a headline "... stays active" read as if it had died), and a live token with an unknown
hint refused the way the real Polar refuses it (401), or refused correctly but revoked anyway.
A reference server with a small ASGI front that rewrites those answers plays the server; each
property body runs on one explicit plan, in this process.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.redact import Redactor
from revocation_contracts.reference import DEFAULT_CLIENTS, ReferenceServer
from revocation_contracts.reference.app import TEST_PREFIX
from revocation_contracts.semantics import SemanticFailure, SemanticRun
from revocation_contracts.semantics.properties import P5, P11
from revocation_contracts.supply.embedded import EmbeddedTokenSupply
from revocation_contracts.target import Target
from revocation_contracts.transport.client import Credentials
from revocation_contracts.transport.session import new_session

FIRST, SECOND = DEFAULT_CLIENTS
UNKNOWN_HINT = b"token_type_hint=rc_unknown_hint_xyz"
# (status, JSON body, forward the request to the reference first): the front's answer, or None.
Rewrite = Callable[[dict[str, Any], bytes], tuple[int, dict[str, str], bool] | None]


class Front:
    """ASGI: the reference app, except where ``rewrite`` answers a revocation itself."""

    def __init__(self, app: Any, rewrite: Rewrite) -> None:
        self.app = app
        self.rewrite = rewrite

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(TEST_PREFIX):
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        answer = self.rewrite(scope, body)
        if answer is None:
            await self.app(scope, replay, send)
            return
        status, payload, forward = answer
        if forward:  # the reference revokes (hint removed), its answer is dropped

            async def ignore(message: dict[str, Any]) -> None:
                return None

            stripped = body.replace(b"&" + UNKNOWN_HINT, b"").replace(UNKNOWN_HINT, b"")

            async def replay_stripped() -> dict[str, Any]:
                return {"type": "http.request", "body": stripped, "more_body": False}

            await self.app(scope, replay_stripped, ignore)
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
        )
        await send({"type": "http.response.body", "body": json.dumps(payload).encode()})


def _second_client(scope: dict[str, Any], body: bytes) -> bool:
    headers = dict(scope["headers"])
    basic = base64.b64encode(f"{SECOND.client_id}:{SECOND.client_secret}".encode())
    return f"client_id={SECOND.client_id}".encode() in body or basic in headers.get(b"authorization", b"")


@contextmanager
def semantic_run(contract_name: str, rewrite: Rewrite) -> Iterator[SemanticRun]:
    contract = load_contract(contract_name)
    with ReferenceServer(contract, front=lambda app, store: Front(app, rewrite)) as server:
        target = Target(
            contract=contract,
            base_url=server.base_url,
            credentials=Credentials(FIRST.client_id, FIRST.client_secret),
            second_credentials=Credentials(SECOND.client_id, SECOND.client_secret),
            session=new_session(),
            timeout=10.0,
            redactor=Redactor(),
            tokens=EmbeddedTokenSupply(server.base_url, new_session()),
            server=server,
        )
        assert target.tokens is not None
        yield SemanticRun(target, target.tokens, strict=False, max_examples=1)


def _headline(failure: pytest.ExceptionInfo[SemanticFailure]) -> str:
    return failure.value.violations[0].title


def test_foreign_revocation_refused_with_an_undocumented_403_says_so_and_that_the_token_lived():
    def forbidden(scope: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bool] | None:
        return (403, {"error": "forbidden"}, False) if _second_client(scope, body) else None

    with semantic_run("rfc7009", forbidden) as run, pytest.raises(SemanticFailure) as failure:
        run.explicit(P5.body, P5.examples["b-revokes-a-refresh"](run.contract))
    headline = _headline(failure)
    assert headline.startswith(
        "another client's revocation of g1.refresh_token answered 403, "
        "neither the contract's unknown-token answer nor a documented refusal (200 or 400)"
    ), headline
    assert "g1.refresh_token stayed active (property 5:" in headline, headline
    assert failure.value.violations[0].clause == "RFC7009-2.1"


def _unknown_hint_answered(status: int, error: str, *, revoked: bool) -> Any:
    """A server that answers a revocation carrying the unknown hint ``status`` with ``error``,
    revoking the token or not; every other request goes to the reference as usual."""

    def answer(scope: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bool] | None:
        return (status, {"error": error}, revoked) if UNKNOWN_HINT in body else None

    return answer


def test_unknown_hint_refused_with_another_status_names_it_and_the_token_state():
    """The real Polar answers a hint outside its enum 401 (OBS-polar-deviations)."""

    with (
        semantic_run("polar", _unknown_hint_answered(401, "invalid_client", revoked=False)) as run,
        pytest.raises(SemanticFailure) as failure,
    ):
        run.explicit(P11.body, P11.examples["first-type-unknown-hint"](run.contract))
    headline = _headline(failure)
    assert headline.startswith("a revocation hinted 'rc_unknown_hint_xyz' answered 401, not the contract's")
    assert "'unsupported-hint' answer" in headline and "g1.access_token stayed active (property 11:" in headline


def test_unknown_hint_refused_as_unsupported_but_revoked_anyway_fails():
    refused_yet_revoked = _unknown_hint_answered(400, "unsupported_token_type", revoked=True)
    with semantic_run("rfc7009", refused_yet_revoked) as run, pytest.raises(SemanticFailure) as failure:
        run.explicit(P11.body, P11.examples["first-type-unknown-hint"](run.contract))
    headline = _headline(failure)
    assert headline.startswith("g1.access_token inactive after a revocation hinted 'rc_unknown_hint_xyz' was refused")


def test_unknown_hint_refused_as_unsupported_with_the_token_alive_passes():
    refused = _unknown_hint_answered(400, "unsupported_token_type", revoked=False)

    with semantic_run("rfc7009", refused) as run:
        plan = P11.examples["first-type-unknown-hint"](run.contract)
        run.explicit(P11.body, plan)
        run.explicit(P11.body, dataclasses.replace(plan, kind="refresh_token"))
