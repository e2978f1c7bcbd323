"""Discovery: an issuer URL is enough to find the revocation, token and introspection endpoints.

Why built in: real authorization servers publish where their endpoints are and how clients
authenticate at each (RFC 8414 section 2; OpenID Connect Discovery 1.0 section 3), so a user
should not have to copy URLs into options. ``discover`` fetches the issuer's metadata, RFC 8414
``/.well-known/oauth-authorization-server`` first (section 3: inserted between the host and
the issuer's path), then OpenID Connect's ``/.well-known/openid-configuration`` (appended to
the issuer). The document must be a JSON object whose ``issuer`` is the issuer asked for
(RFC 8414 section 3.3: "MUST be identical", so one server cannot speak for another), with
absolute http(s) endpoint URLs.

What the metadata decides:

- the revocation endpoint replaces the spec's path (``--target-url`` becomes optional);
- the token and introspection endpoints feed the built-in supply (``minting``, ``probing``);
- ``*_endpoint_auth_methods_supported`` (absent: ``client_secret_basic``, RFC 8414 section 2)
  decide which of the contract's client-auth methods the suite uses at each endpoint: a
  method the server does not offer is not tested (``narrow_contract``).

A failure is a ``DiscoveryError`` with one line: the setup exit code, never a traceback.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from revocation_contracts.model.contract import Contract
from revocation_contracts.supply.tokens import BuiltinSupplyError
from revocation_contracts.transport.bounded import OversizedAnswer
from revocation_contracts.transport.errors import explain_request_error
from revocation_contracts.transport.session import new_session

RFC8414_WELL_KNOWN = "/.well-known/oauth-authorization-server"
OIDC_WELL_KNOWN = "/.well-known/openid-configuration"
# RFC 8414 section 2 / RFC 7591 client authentication method names -> the suite's method names.
AUTH_METHOD_NAMES = {"client_secret_basic": "basic", "client_secret_post": "form-body"}
# Methods metadata can speak about; vendor methods (JSON bodies, key headers) are kept as they are.
STANDARD_METHODS = frozenset(AUTH_METHOD_NAMES.values())
DEFAULT_AUTH_METHODS = ("client_secret_basic",)
MAX_METADATA_BYTES = 1_000_000


class DiscoveryError(BuiltinSupplyError):
    """The issuer's metadata could not be fetched or is unusable; a setup problem."""

    def __init__(self, message: str, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


@dataclass(frozen=True)
class ServerMetadata:
    """What the suite uses from an authorization server's metadata document."""

    issuer: str
    source: str  # the URL the document came from
    revocation_endpoint: str | None
    token_endpoint: str | None
    introspection_endpoint: str | None
    revocation_auth_methods: tuple[str, ...]  # RFC names, e.g. client_secret_basic
    token_auth_methods: tuple[str, ...]
    introspection_auth_methods: tuple[str, ...]

    def suite_methods(self, endpoint: str) -> tuple[str, ...]:
        """The suite's names (basic, form-body) for the methods ``endpoint`` accepts."""
        names = getattr(self, f"{endpoint}_auth_methods")
        return tuple(AUTH_METHOD_NAMES[name] for name in names if name in AUTH_METHOD_NAMES)


def well_known_urls(issuer: str) -> list[str]:
    """Where the metadata may be: RFC 8414 section 3 first, then OpenID Connect Discovery 1.0."""
    parts = urlsplit(issuer.rstrip("/"))
    path = parts.path.rstrip("/")
    rfc8414 = urlunsplit((parts.scheme, parts.netloc, RFC8414_WELL_KNOWN + path, "", ""))
    oidc = issuer.rstrip("/") + OIDC_WELL_KNOWN
    return [rfc8414, oidc]


def discover(issuer: str, session: requests.Session, timeout: float) -> ServerMetadata:
    """Fetch and validate the issuer's metadata; ``DiscoveryError`` with one line if unusable."""
    answers: list[str] = []
    for url in well_known_urls(issuer):
        try:
            response = session.get(url, timeout=timeout, allow_redirects=False, headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise DiscoveryError(
                "--issuer: " + explain_request_error(exc, "GET", url, timeout).replace("--target-url", "--issuer"),
                unreachable=True,
            ) from None
        except OversizedAnswer:
            raise DiscoveryError(f"--issuer: GET {url} answered more than {MAX_METADATA_BYTES} bytes") from None
        if response.status_code == 404:
            answers.append(f"{url} answered 404")
            continue
        if response.status_code != 200:
            raise DiscoveryError(f"--issuer: GET {url} answered {response.status_code}, not the metadata document")
        if len(response.content) > MAX_METADATA_BYTES:
            raise DiscoveryError(f"--issuer: GET {url} answered more than {MAX_METADATA_BYTES} bytes")
        try:
            document = response.json()
        except ValueError:
            raise DiscoveryError(f"--issuer: GET {url} did not answer JSON (RFC 8414 section 3.2)") from None
        return parse_metadata(document, issuer, url)
    raise DiscoveryError(
        f"--issuer {issuer}: no metadata ({'; '.join(answers)}); check the issuer URL, or give "
        "--target-url with --token-endpoint and --introspection-endpoint"
    )


def parse_metadata(document: Any, issuer: str, source: str) -> ServerMetadata:
    """Validate a metadata document (RFC 8414 sections 2 and 3.3) into ``ServerMetadata``."""
    where = f"--issuer: the metadata at {source}"
    if not isinstance(document, dict):
        raise DiscoveryError(f"{where} is not a JSON object (RFC 8414 section 3.2)")
    if document.get("issuer") != issuer.rstrip("/") and document.get("issuer") != issuer:
        raise DiscoveryError(
            f"{where} names issuer {document.get('issuer')!r}, not {issuer!r} (RFC 8414 section 3.3: MUST be identical)"
        )

    def endpoint(name: str) -> str | None:
        value = document.get(name)
        if value is None:
            return None
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
            raise DiscoveryError(f"{where}: {name} {value!r} is not an absolute http(s) URL (RFC 8414 section 2)")
        return str(value)

    def methods(name: str) -> tuple[str, ...]:
        value = document.get(name)
        if value is None:
            return DEFAULT_AUTH_METHODS
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise DiscoveryError(f"{where}: {name} is not a list of strings (RFC 8414 section 2)")
        return tuple(value)

    token_methods = methods("token_endpoint_auth_methods_supported")
    # RFC 8414 section 2: revocation/introspection methods default to client_secret_basic when absent.
    return ServerMetadata(
        issuer=str(document["issuer"]),
        source=source,
        revocation_endpoint=endpoint("revocation_endpoint"),
        token_endpoint=endpoint("token_endpoint"),
        introspection_endpoint=endpoint("introspection_endpoint"),
        revocation_auth_methods=methods("revocation_endpoint_auth_methods_supported"),
        token_auth_methods=token_methods,
        introspection_auth_methods=methods("introspection_endpoint_auth_methods_supported"),
    )


def split_endpoint(url: str) -> tuple[str, str]:
    """A full endpoint URL as (base URL, path): the suite appends a contract's path to a base."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")), parts.path or "/"


def narrow_contract(contract: Contract, offered: tuple[str, ...] | None) -> Contract:
    """``contract`` using only the client-auth methods the server offers at its revocation endpoint.

    ``offered`` are the suite's names (``ServerMetadata.suite_methods``). Methods metadata cannot
    describe (a vendor's JSON body or key headers) stay. Raises ``DiscoveryError`` when nothing
    the contract documents is left.
    """
    if offered is None:
        return contract
    kept = tuple(m for m in contract.client_auth.methods if m not in STANDARD_METHODS or m in offered)
    if not kept:
        raise DiscoveryError(
            f"the server's revocation_endpoint_auth_methods_supported offers none of the {contract.name} "
            f"contract's client authentication methods ({', '.join(contract.client_auth.methods)})"
        )
    if kept == contract.client_auth.methods:
        return contract
    return dataclasses.replace(contract, client_auth=dataclasses.replace(contract.client_auth, methods=kept))


def apply_discovery(settings: Any, session: requests.Session | None = None) -> Any:
    """``settings`` with the issuer's metadata applied (a no-op without ``--issuer``).

    The metadata's revocation endpoint gives ``target_url`` and ``endpoint_path`` unless the
    user gave them (options win). Raises ``DiscoveryError`` with one line.
    """
    if settings.issuer is None or settings.metadata is not None:
        return settings
    with session or new_session(settings.rate_limit) as http:
        metadata = discover(settings.issuer, http, settings.request_timeout)
    target_url, endpoint_path = settings.target_url, settings.endpoint_path
    if metadata.revocation_endpoint is not None:
        base, path = split_endpoint(metadata.revocation_endpoint)
        if target_url is None:
            target_url = base
            endpoint_path = endpoint_path or path
        elif endpoint_path is None and base == target_url.rstrip("/"):
            endpoint_path = path
    elif target_url is None:
        raise DiscoveryError(
            f"--issuer: the metadata at {metadata.source} has no revocation_endpoint; give --target-url "
            "(and --endpoint-path)"
        )
    return dataclasses.replace(settings, metadata=metadata, target_url=target_url, endpoint_path=endpoint_path)
