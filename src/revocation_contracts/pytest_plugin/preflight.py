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
  elsewhere), so the final URL must be given.

Anything else, including 429 and 503, means the endpoint is there: the tests take over.
The probe goes through the suite's bounded session (``transport/bounded.py``): one total
deadline, a capped body, no redirect followed, no cookie kept.
The embedded reference servers are never probed, and neither is anything in a ``--dry-run``.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from revocation_contracts.model.contract import Contract
from revocation_contracts.pytest_plugin.runstatus import EXIT_TARGET, explain_request_error
from revocation_contracts.pytest_plugin.settings import Settings
from revocation_contracts.transport.bounded import OversizedAnswer
from revocation_contracts.transport.session import TargetThrottled, new_session

PREFIX = "revocation-contracts: "
USER_AGENT = "revocation-contracts (preflight)"


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
    response.close()
    if status == 404:
        path_hint = (
            f"and --endpoint-path (given: {contract.path})"
            if path_given
            else f"or pass --endpoint-path if the endpoint is not at the spec's path {contract.path}"
        )
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
