"""One line for any failed request: what went wrong and what to check.

Why in the transport layer: the pytest plugin's run status, the preflight, discovery and the
token supply's endpoints (minting, introspection, a protected resource) all explain a request
that got no usable answer, and they must say it the same way. The supply sends its requests
from worker threads too (``supply/overlap.py``), so this lives at the bottom, imported once
with the transport, and never imported from inside a function (issue 17: no thread imports).
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError

from revocation_contracts.transport.bounded import TargetCutOff

__all__ = ["causes", "explain_request_error", "first_cause"]


def causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps: causes, contexts, urllib3 reasons, args."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [getattr(current, "reason", None), current.__cause__, current.__context__, *current.args]
        todo.extend(item for item in linked if isinstance(item, BaseException))


def first_cause(exc: BaseException, kind: type[BaseException]) -> Any:
    return next((cause for cause in causes(exc) if isinstance(cause, kind)), None)


def explain_request_error(exc: BaseException, method: str, url: str, timeout: float | None = None) -> str:
    """One line naming what went wrong with a request and what to check, for any requests error."""
    where = f"{method} {url}"
    host = urlsplit(url).hostname or url
    if first_cause(exc, NameResolutionError) is not None or first_cause(exc, socket.gaierror) is not None:
        return (
            f"DNS failure: cannot resolve host {host!r} ({where}); "
            "check the host name in --target-url and this runner's DNS"
        )
    if isinstance(exc, requests.exceptions.Timeout) or first_cause(exc, TimeoutError) is not None:
        within = f" within {timeout:g}s" if timeout else ""
        return (
            f"timeout: no answer from {where}{within}; check that the target is reachable from this runner "
            "(firewall, VPN, proxy) or raise --request-timeout"
        )
    if isinstance(exc, requests.exceptions.SSLError) or first_cause(exc, ssl.SSLError) is not None:
        verify = first_cause(exc, ssl.SSLCertVerificationError)
        tls = first_cause(exc, ssl.SSLError)
        reason = (verify and verify.verify_message) or (tls and (tls.reason or tls.strerror)) or "handshake failed"
        return (
            f"TLS error talking to {where}: {reason}; check the scheme (http:// or https://) in --target-url "
            "and the server certificate (set REQUESTS_CA_BUNDLE for a private CA)"
        )
    if first_cause(exc, http.client.BadStatusLine) is not None:
        return (
            f"{where} answered with bytes that are not HTTP; check the scheme (http:// or https://) and the port "
            "in --target-url"
        )
    cut = first_cause(exc, TargetCutOff)
    if cut is not None or first_cause(exc, ConnectionResetError) is not None:
        return (
            f"the connection to {where} was cut before the answer was complete; check the target's logs "
            "and any proxy between this runner and the target"
        )
    if first_cause(exc, ConnectionRefusedError) is not None:
        return f"connection refused by {host} ({where}); check that the server is running and the port in --target-url"
    reason = first_cause(exc, OSError)
    detail = f": {reason.strerror or reason}" if isinstance(reason, OSError) and reason is not exc else ""
    return (
        f"cannot reach {where}{detail}; check --target-url, and the proxy and firewall between this runner "
        "and the target"
    )
