"""The session stand-ins of the schema test's side-by-side pass (``transport/deferred.py``).

A schemathesis ``Case.call`` on a ``Capture`` sends nothing and yields exactly the arguments it
would pass to ``Session.request``; on a ``Replay`` it gets the answer already received, and only
for that very request (another one raises, and the schema test falls back to sending one case
at a time)."""

from __future__ import annotations

import pytest
import requests
import schemathesis

from revocation_contracts.transport import deferred

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/revoke": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {"type": "object", "properties": {"token": {"type": "string"}}}
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def case(token: str) -> schemathesis.Case:
    schema = schemathesis.openapi.from_dict(DOCUMENT)
    return schema["/revoke"]["POST"].Case(body={"token": token}, media_type="application/x-www-form-urlencoded")


def answer(status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = b"{}"
    response.headers["Content-Type"] = "application/json"
    response.request = requests.Request("POST", "http://127.0.0.1:9/revoke").prepare()
    return response


def captured(one: schemathesis.Case, headers: dict[str, str]) -> dict[str, object]:
    with pytest.raises(deferred.Captured) as raised:
        one.call(base_url="http://127.0.0.1:9", session=deferred.Capture(headers))
    return raised.value.kwargs


def test_capture_sends_nothing_and_holds_what_the_library_would_send() -> None:
    kwargs = captured(case("abc"), {"Accept-Encoding": "gzip"})
    assert kwargs["method"] == "POST" and kwargs["url"] == "http://127.0.0.1:9/revoke"
    assert kwargs["headers"]["Accept-Encoding"] == "gzip", "the session's headers are part of the request"
    assert "abc" in str(kwargs.get("data")), kwargs


def test_replay_answers_the_captured_request_only() -> None:
    one = case("abc")
    kwargs = captured(one, {})
    response = one.call(base_url="http://127.0.0.1:9", session=deferred.Replay({}, kwargs, answer(200)))
    assert response.status_code == 200
    other = case("xyz")
    with pytest.raises(deferred.ReplayMismatch):
        other.call(base_url="http://127.0.0.1:9", session=deferred.Replay({}, kwargs, answer(200)))


def test_stand_ins_do_not_fit_a_session_with_auth() -> None:
    session = requests.Session()
    assert deferred.stand_ins_fit(session)
    session.auth = ("id", "secret")
    assert not deferred.stand_ins_fit(session)
