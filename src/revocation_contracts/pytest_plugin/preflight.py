"""One request before the first test: is ``--target-url`` reachable, and is it the endpoint?

Why before the tests: against an unreachable or wrong target every test would fail the same
way, and a CI log of two hundred identical connection tracebacks hides the one fact that
matters. So when ``--target-url`` is given, the session starts with one request per
selected contract and, if that request cannot tell the endpoint is there, ends the session
with one line that says what went wrong and what to check, and exit code 6
(``runstatus.EXIT_TARGET``), distinct from contract failures (1).

The probe is the contract's documented method on the contract's path, with the documented
media type, an empty body and no credentials: harmless for any endpoint (it revokes
nothing, and sends no secret), and every contract answers it with a 4xx refusal. What it
classifies:

- DNS failure, connection refused, TLS error, timeout: the request never got an answer;
- 404: something answered, but the path is not an endpoint (wrong base URL or
  ``--endpoint-path``);
- 3xx: the suite does not follow redirects (a revocation request must not be replayed
  elsewhere), so the final URL must be given;
- 405 or 501: the server there does not take the documented method on this path, which a
  revocation endpoint always does; it is what a plain web server answers (``python -m
  http.server`` says 501, a static nginx 405), and every test would fail for that one reason;
- a 2xx with a web page (``text/html``, or a body that opens an HTML document): a static site
  or an application's catch-all page, not a revocation answer (RFC 7009 section 2.2 answers
  200 whose body the client ignores, and no revocation server renders a page for it).

Everything else means something that may be the endpoint answered, and the tests judge it:
any other 4xx, with or without a JSON error body (400 ``invalid_request``, 401
``invalid_client``, a framework's 403 or 415), a 2xx with an empty, JSON or short text body
(lenient servers read an empty token as an invalid one: RFC 7009 section 2.2), a 5xx (a
server error on an empty body is the tests' finding), 429 and 503 (the tests wait and retry).
The probe goes through the suite's bounded session (``transport/bounded.py``): one total
deadline, a capped body, no redirect followed, no cookie kept.
The embedded reference servers are never probed, and neither is anything in a ``--dry-run``.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

import requests

from revocation_contracts.model.contract import Contract
from revocation_contracts.pytest_plugin.runstatus import EXIT_TARGET, explain_request_error
from revocation_contracts.pytest_plugin.settings import Settings
from revocation_contracts.transport.bounded import OversizedAnswer
from revocation_contracts.transport.session import TargetThrottled, new_session

PREFIX = "revocation-contracts: "
USER_AGENT = "revocation-contracts (preflight)"
# The first bytes of an answer read to tell a web page (the transport caps the whole body anyway).
HEAD_BYTES = 512
HTML_OPENINGS = (b"<!doctype html", b"<html")


@dataclass(frozen=True)
class PreflightFailure:
    """The one line to end the session with, and the exit code."""

    message: str
    exit_code: int = EXIT_TARGET


def probe(
    contract: Contract,
    base_url: str,
    timeout: float,
    session: requests.Session,
    path_given: bool = False,
    client_id: str | None = None,
) -> PreflightFailure | None:
    """Send the probe for one contract; a PreflightFailure when the endpoint is not there."""
    method, url = contract.method, base_url + contract.url_path(client_id)
    headers = {"User-Agent": USER_AGENT, "Content-Type": contract.media_types[0]}
    try:
        response = session.request(method, url, headers=headers, data=b"", timeout=timeout, allow_redirects=False)
    except (TargetThrottled, OversizedAnswer):
        return None  # the endpoint is there; the tests wait and retry, or judge the answer
    except requests.RequestException as exc:
        return PreflightFailure(PREFIX + explain_request_error(exc, method, url, timeout))
    status = response.status_code
    head = response.content[:HEAD_BYTES]
    response.close()
    path_hint = (
        f"and --endpoint-path (given: {contract.path})"
        if path_given
        else f"or pass --endpoint-path if the endpoint is not at the spec's path {contract.path}"
    )
    if status == 404:
        return PreflightFailure(
            f"{PREFIX}{method} {url} answered 404: this is not the {contract.name} revocation endpoint; "
            f"check --target-url (the base URL, without the path) {path_hint}"
        )
    if 300 <= status < 400:
        location = response.headers.get("Location", "somewhere else")
        return PreflightFailure(
            f"{PREFIX}{method} {url} answered {status}, redirecting to {location}; the suite does not follow "
            "redirects: pass the final base URL as --target-url"
        )
    unlike = unlike_an_endpoint(method, status, response.headers.get("Content-Type", ""), head)
    if unlike is not None:
        return PreflightFailure(
            f"{PREFIX}{method} {url} answered {unlike}: this is not the {contract.name} revocation endpoint; "
            f"check --target-url (the authorization server's base URL, without the path) {path_hint}"
        )
    return None


def unlike_an_endpoint(method: str, status: int, media_type: str, head: bytes) -> str | None:
    """How the probe's answer shows that no revocation endpoint is there, or None when one may be.

    ``head``: the first bytes of the body. Only two answers are conclusive (module docstring):
    the documented method refused as such (405, 501), and a web page for a success.
    """
    if status in (405, 501):
        return f"{status} ({HTTPStatus(status).phrase}), the answer of a server that does not take {method} here"
    opening = head.lstrip()[:15].lower()
    if 200 <= status < 300 and (media_type.lower().startswith("text/html") or opening.startswith(HTML_OPENINGS)):
        return f"{status} with a web page (text/html), a static site's or an application's catch-all answer"
    return None


def run_preflight(settings: Settings) -> PreflightFailure | None:
    """Probe every selected contract's endpoint on the target; the first failure, if any."""
    if settings.target_url is None:
        return None
    seen: set[tuple[str, str]] = set()
    with new_session(retries=0) as session:
        for contract in settings.contracts():
            key = (contract.method, contract.url_path(settings.client_id))
            if key in seen:
                continue
            seen.add(key)
            path_given = settings.endpoint_path is not None
            failure = probe(
                contract, settings.target_url, settings.request_timeout, session, path_given, settings.client_id
            )
            if failure is not None:
                return failure
    return None
