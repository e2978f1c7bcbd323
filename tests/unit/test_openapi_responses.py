"""openapi-core judges explicit answers against the contract's OpenAPI document (rules/openapi_responses.py).

Real loopback servers: the faithful reference servers (no problem found, including Mollie's
``application/hal+json`` errors, which openapi-core only reads once the ``+json`` type is
registered as JSON) and one with planted bugs (a plain-text error body, a success body the
document forbids), whose answers must each come back as a problem naming what is wrong, and
a canned answer only the document forbids, judged by the explicit tests' ``check_answer``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator

import pytest

from revocation_contracts.model.contract import load_contract
from revocation_contracts.reference import DEFAULT_CLIENTS, ReferenceServer
from revocation_contracts.rules.openapi_responses import response_problems
from revocation_contracts.rules.verdict import ContractFailure, check_answer
from revocation_contracts.transport.client import Credentials, RevocationClient
from tests.plugin.loopback import CannedServer

CLIENT = Credentials(DEFAULT_CLIENTS[0].client_id, DEFAULT_CLIENTS[0].client_secret)
SITUATIONS = {
    "unknown-token": {"token": "rc-unknown-token-0001"},
    "missing-token": {"token": None},
    "bad-client": {"token": "rc-unknown-token-0002", "credentials": Credentials(CLIENT.client_id, "wrong-secret")},
    "undocumented-method": {"token": "rc-unknown-token-0003", "method": "GET"},
}


@pytest.fixture(scope="module", params=["polar", "mollie"])
def faithful(request: pytest.FixtureRequest) -> Iterator[RevocationClient]:
    contract = load_contract(request.param)
    with ReferenceServer(contract) as server:
        yield RevocationClient(contract, server.base_url, CLIENT)


@pytest.fixture(scope="module")
def broken() -> Iterator[RevocationClient]:
    contract = load_contract("polar")
    with ReferenceServer(contract, frozenset({"error-body-not-contract", "success-body-not-contract"})) as server:
        yield RevocationClient(contract, server.base_url, CLIENT)


@pytest.mark.parametrize("situation", sorted(SITUATIONS))
def test_faithful_answers_conform(faithful: RevocationClient, situation: str) -> None:
    _, response = faithful.revoke(**SITUATIONS[situation])
    assert response_problems(faithful.contract, response) == []


def test_a_plain_text_error_is_not_the_documented_media_type(broken: RevocationClient) -> None:
    _, response = broken.revoke(None)
    (problem,) = response_problems(broken.contract, response)
    assert (problem.operation, problem.status) == ("POST /v1/oauth2/revoke", 400)
    assert problem.problem.startswith("media type 'text/plain")
    assert "(application/json)" in problem.problem


def test_a_success_body_the_document_forbids(broken: RevocationClient) -> None:
    _, response = broken.revoke("rc-unknown-token-0004")
    (problem,) = response_problems(broken.contract, response)
    assert problem.status == 200 and "'maxProperties' rule" in problem.problem
    assert CLIENT.client_secret not in str(problem)


@pytest.fixture
def voucherify_error_with_numeric_key() -> Iterator[CannedServer]:
    body = json.dumps({"code": 400, "message": "token is required", "key": 5}).encode()
    server = CannedServer(400, {"Content-Type": "application/json"}, body)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_explicit_judgement_fails_what_the_document_forbids(voucherify_error_with_numeric_key: CannedServer) -> None:
    """Voucherify's error ``key`` is a string in its document. openapi-core finds it; check_answer (every
    explicit answer) fails it once, under the most specific clause: the error-format rule now reads
    the same schema (model/errors.py), so DOC-openapi is only consulted when that rule is silent."""
    server = voucherify_error_with_numeric_key
    contract = load_contract("voucherify")
    _, response = RevocationClient(contract, server.base_url, CLIENT).revoke(None)
    (problem,) = response_problems(contract, response)
    assert problem.problem.startswith("key: fails the document's 'type' rule")
    with pytest.raises(ContractFailure) as failure:
        check_answer(contract, "missing-token", response)
    message = str(failure.value)
    assert message.startswith(("[DOC-voucherify-error-format]", "[DOC-openapi]")), message
    assert message.count("\n[") == 0  # one root cause, one failure
    assert "reproduce: curl -X POST" in message and CLIENT.client_secret not in message


@pytest.fixture
def canned() -> Iterator[Callable[[int, str, bytes], CannedServer]]:
    """Loopback servers that answer every request with one canned answer, stopped at the end."""
    running: list[tuple[CannedServer, threading.Thread]] = []

    def start(status: int, media_type: str, body: bytes) -> CannedServer:
        server = CannedServer(status, {"Content-Type": media_type}, body)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        running.append((server, thread))
        return server

    yield start
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize(("spec", "status"), [("voucherify", 415), ("polar", 400)])
def test_a_framework_refusal_of_an_undocumented_media_type_is_not_judged_by_the_document(
    canned: Callable[[int, str, bytes], CannedServer], spec: str, status: int
) -> None:
    """CONTRACTS.md (undocumented media types): the body of such a refusal is not judged; a
    framework's plain-text 400/415 is not the document's JSON error, and must not fail DOC-openapi."""
    server = canned(status, "text/plain", b"Unsupported Media Type")
    contract = load_contract(spec)
    _, response = RevocationClient(contract, server.base_url, CLIENT).revoke(
        "rc-unknown-token-0005", media_type="text/plain", raw_body=b"token=rc-unknown-token-0005"
    )
    assert response_problems(contract, response), "the document does describe this status with a JSON body"
    check_answer(contract, "unsupported-media-type", response)  # no failure


def test_an_accepted_undocumented_media_type_is_judged_by_the_document(
    canned: Callable[[int, str, bytes], CannedServer],
) -> None:
    """A 2xx to an undocumented media type is judged as usual: Polar's success is JSON ``{}``."""
    server = canned(200, "text/html", b"ok")
    contract = load_contract("polar")
    _, response = RevocationClient(contract, server.base_url, CLIENT).revoke(
        "rc-unknown-token-0006", media_type="text/plain", raw_body=b"token=rc-unknown-token-0006"
    )
    with pytest.raises(ContractFailure, match=r"\[DOC-openapi\]"):
        check_answer(contract, "unsupported-media-type", response)
