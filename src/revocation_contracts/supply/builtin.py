"""The token supply of a target that is not embedded: composed from options, metadata and the spec.

Why composed: a grant comes from one place (a ``--token-command`` or the token endpoint) and
liveness from another (a ``--probe-command``, introspection, the refresh grant, a protected
resource), and every server offers a different pair. ``build_supply`` picks, per target:

1. where grants come from: ``--token-command``, else the token endpoint (``--token-endpoint``,
   else the issuer's metadata, else the spec's ``x-revocation`` ``token-supply.mint``);
2. how tokens are probed, per token type: ``--probe-command`` for all; else introspection
   (``--introspection-endpoint``, metadata, the spec's block), ``--resource-url`` (or the
   block's ``resource`` probe) for access tokens, the refresh grant for refresh tokens.

The user's options beat the metadata, which beats the spec's block; a vendor's supply is data
in its spec (Voucherify, Polar, Auth0 and Mollie declare one), never a name in this code.

``BuiltinTokenSupply`` remembers, for every token it minted, its type and the client it was
issued to: a probe asks as that client (RFC 7662 section 2.1), and at the end of the session
the target revokes what it minted and never saw dead (``leftovers``): at the token endpoint or
by a ``--token-command`` alike, since the command mints a fresh grant for the suite alone, and
a live token left on someone's server is the suite's litter either way. Nothing else is ever
revoked: a token the suite did not mint has no owner here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

import requests

from revocation_contracts.model.contract import Contract
from revocation_contracts.redact import Redactor
from revocation_contracts.supply import SupplyOptions, missing_for_grant
from revocation_contracts.supply.batches import GrantBatches
from revocation_contracts.supply.commands import CommandMinter, CommandProber
from revocation_contracts.supply.discovery import ServerMetadata
from revocation_contracts.supply.minting import MintSettings, TokenEndpointMinter
from revocation_contracts.supply.overlap import MintAhead, Overlap
from revocation_contracts.supply.probing import IntrospectionProber, Prober, Probes, RefreshProber, ResourceProber
from revocation_contracts.supply.tokens import Grant, TokenSupply, TokenSupplyError
from revocation_contracts.transport.client import Credentials
from revocation_contracts.transport.session import tolerate_transient
from revocation_contracts.transport.shell import Recipe

TOKEN_KINDS = ("access_token", "refresh_token")


class Minter(Protocol):
    def mint(self, client: Credentials) -> dict[str, str]: ...

    def recipe(self, client: Credentials) -> Recipe | None: ...


class BuiltinTokenSupply(TokenSupply):
    """Mints with a ``Minter`` and probes with ``Probes``; knows the owner of every token it minted."""

    def __init__(
        self,
        minter: Minter,
        probes: Probes | None,
        redactor: Redactor,
        describe: str = "",
    ) -> None:
        self.minter = minter
        self.probes = probes
        self.redactor = redactor
        self.describe = describe
        self._lock = threading.Lock()
        self._owners: dict[str, tuple[Credentials, str]] = {}
        self._dead: set[str] = set()
        # Overlapped round trips (overlap.py): set by ``build_supply`` for HTTP minters and probes.
        self._overlap: Overlap | None = None
        self._ahead: MintAhead[dict[str, str]] | None = None
        self._probe_side_by_side = False
        # A --token-command mints in batches (batches.py); mint_fresh still runs it for one grant.
        self._batches = GrantBatches(minter.mint_batch, self._accept) if isinstance(minter, CommandMinter) else None

    @property
    def can_probe(self) -> bool:
        return self.probes is not None

    def overlap(self, *, mint_ahead: bool, probe_side_by_side: bool) -> None:
        """Overlap this supply's round trips: mint grants ahead, probe several tokens at once."""
        if not (mint_ahead or probe_side_by_side):
            return
        self._overlap = Overlap()
        self._ahead = MintAhead(self._mint_now, self._overlap) if mint_ahead else None
        self._probe_side_by_side = probe_side_by_side

    def mint(self, client: Credentials, token_types: tuple[str, ...] = ()) -> Grant:
        if self._ahead is not None:
            tokens = self._ahead.take(client)
        elif self._batches is not None:
            tokens = self._batches.take(client)
        else:
            tokens = self._mint_now(client)
        return Grant(client.client_id, tokens)

    def mint_fresh(self, client: Credentials, token_types: tuple[str, ...] = ()) -> Grant:
        """A grant minted now, never one minted ahead (a property confirming a failure alone)."""
        return Grant(client.client_id, self._mint_now(client))

    @property
    def grants_are_independent(self) -> bool:
        """Whether grants are minted independently of each other (``client_credentials`` or
        ``password`` at a token endpoint, minted ahead; a ``--token-command``, which mints a
        fresh grant per grant asked), so properties may run side by side.

        Not for a ``--refresh-token`` seed (each mint rotates the one before). A user's
        commands need not be reentrant: they run one at a time (``commands.py``)."""
        return self._ahead is not None or self._batches is not None

    def _mint_now(self, client: Credentials) -> dict[str, str]:
        return self._accept(client, self.minter.mint(client))

    def _accept(self, client: Credentials, tokens: dict[str, str]) -> dict[str, str]:
        """A minted grant's tokens, kept as this supply's own (owner, redaction, leftovers)."""
        if self.probes is not None:
            # A token type nothing can probe would only produce unjudgeable properties.
            tokens = {kind: value for kind, value in tokens.items() if kind in self.probes.kinds()} or tokens
        self.keep(client, tokens)
        return tokens

    def keep(self, client: Credentials, tokens: dict[str, str]) -> None:
        """Remember tokens issued to ``client`` (minted, or issued by a refresh probe)."""
        values = [value for value in tokens.values() if isinstance(value, str)]
        self.redactor.add(*values)
        with self._lock:
            for kind, value in tokens.items():
                self._owners.setdefault(value, (client, kind))

    def mint_recipe(self, client: Credentials) -> Recipe | None:
        return self.minter.recipe(client)

    def probe_recipe(self, token: str) -> Recipe | None:
        owner, kind = self._owners.get(token, (None, ""))
        prober = self.probes.by_kind.get(kind) if self.probes is not None else None
        return prober.recipe(token, kind, owner) if prober is not None and owner is not None else None

    def is_active(self, token: str) -> bool:
        if self.probes is None:
            raise TokenSupplyError("no --probe-command: the suite cannot tell whether a token is still active")
        owner, kind = self._owners.get(token, (None, ""))
        if owner is None:
            prober = self.probes.by_kind.get("access_token")
            if not isinstance(prober, CommandProber):
                raise TokenSupplyError("the suite only probes tokens it minted itself")
            return prober.is_active(token)
        active = self.probes.is_active(token, kind, owner)
        if not active:
            with self._lock:
                self._dead.add(token)
        return active

    def probe_ahead(self, tokens: Sequence[str]) -> list[Callable[[], bool]]:
        """One answer per token, to be read in order; sent side by side when the supply overlaps.

        A ``--probe-command`` is asked about them all in one run (``REVOKE_TOKENS``, a batch,
        ``commands.py``; a command that answers one token at a time is run once per token).
        Otherwise, without overlap, each answer is the probe itself, run when it is read, so
        the caller sees exactly the sequential behaviour (a property that stops at the first
        verdict sends no further probe)."""
        batch = self._batch_prober()
        if batch is not None and len(tokens) >= 2:
            answers = batch.are_active(list(tokens))
            with self._lock:
                self._dead.update(token for token, active in zip(tokens, answers, strict=True) if not active)
            return [partial(bool, active) for active in answers]
        if self._overlap is None or not self._probe_side_by_side or len(tokens) < 2:
            return [partial(self.is_active, token) for token in tokens]
        return [self._overlap.submit(partial(self.is_active, token)).result for token in tokens]

    def _batch_prober(self) -> CommandProber | None:
        """The ``--probe-command`` when it probes every token type (it may answer in batches)."""
        probers = list(self.probes.by_kind.values()) if self.probes is not None else []
        first = probers[0] if probers else None
        if isinstance(first, CommandProber) and all(prober is first for prober in probers):
            return first
        return None

    def leftovers(self) -> list[tuple[Credentials, str, str]]:
        """(client, token type, value) of every token minted here and never probed dead.

        Grants minted ahead and never handed out are waited for first: they are ours too."""
        self._wait_for_grants_ahead()
        with self._lock:
            return [(owner, kind, value) for value, (owner, kind) in self._owners.items() if value not in self._dead]

    def _wait_for_grants_ahead(self) -> None:
        """Every mint still in flight is answered (``keep`` records what it minted)."""
        if self._ahead is not None:
            for _ in self._ahead.drain():
                pass

    def close(self) -> None:
        """Stop the overlap's workers (grants still in flight are waited for, never abandoned)."""
        self._wait_for_grants_ahead()
        if self._overlap is not None:
            self._overlap.close()


class CommandTokenSupply(BuiltinTokenSupply):
    """``--token-command`` and ``--probe-command`` alone (shell command lines, ``commands.py``)."""

    def __init__(self, token_command: str, probe_command: str | None, redact: Redactor) -> None:
        probes = None
        minter = CommandMinter(token_command, redact)
        if probe_command is not None:
            prober = CommandProber(probe_command, redact, lock=minter.lock)
            probes = Probes(dict.fromkeys(TOKEN_KINDS, prober))
        super().__init__(minter, probes, redact)
        self.token_command = token_command
        self.probe_command = probe_command
        self.redact = redact


def resolve_url(value: str, base_url: str) -> str:
    """An option or spec value that is a full URL, or a path on the target's base URL."""
    return value if value.startswith(("http://", "https://")) else base_url.rstrip("/") + value


def supply_block(contract: Contract) -> dict[str, Any]:
    """The spec's ``x-revocation`` ``token-supply`` block (validated with the spec), or ``{}``."""
    block = contract.document.get("x-revocation", {}).get("token-supply")
    return block if isinstance(block, dict) else {}


def _pick(methods: tuple[str, ...], default: str = "basic") -> str:
    """Basic first (RFC 6749 section 2.3.1: servers MUST support it), else what is offered."""
    return default if not methods or default in methods else methods[0]


@dataclass(frozen=True)
class MintSource:
    """Where the built-in supply mints at a token endpoint, as whom, with which grant.

    The one place that decides it: the real run (``build_supply``) and ``--dry-run``'s plan
    read the same answer, so the plan cannot promise another supply than the run builds."""

    endpoint: str | None  # None: the issuer's metadata names it, not fetched yet (a dry run)
    client_auth: str
    grant: str

    def lacks_seed(self, options: SupplyOptions) -> bool:
        """The grant needs what the user did not give: a ``--refresh-token`` seed for the
        refresh grant, the test user (``--username``) for the password grant."""
        return missing_for_grant(self.grant, username=options.username, refresh_token=options.refresh_token) is not None


def mint_grant(options: SupplyOptions, contract: Contract) -> str:
    """``--grant``, else what ``--username`` / ``--refresh-token`` imply, else the spec's
    ``token-supply.mint`` grant, else ``client_credentials``."""
    implied = "password" if options.username else "refresh_token" if options.refresh_token else None
    return options.grant or implied or supply_block(contract).get("mint", {}).get("grant") or "client_credentials"


def mint_source(
    options: SupplyOptions,
    contract: Contract,
    base_url: str,
    metadata: ServerMetadata | None,
    *,
    metadata_pending: bool = False,
) -> MintSource | None:
    """The token endpoint to mint at (``--token-endpoint``, else the issuer's metadata, else the
    spec's ``token-supply.mint``), or None when there is none. ``metadata_pending``: an
    ``--issuer`` whose metadata is not fetched (a dry run sends nothing)."""
    grant = mint_grant(options, contract)
    mint_block = supply_block(contract).get("mint", {})
    if options.token_endpoint:
        auth = _pick(metadata.suite_methods("token")) if metadata else "basic"
        return MintSource(resolve_url(options.token_endpoint, base_url), auth, grant)
    if metadata is not None and metadata.token_endpoint:
        return MintSource(metadata.token_endpoint, _pick(metadata.suite_methods("token")), grant)
    if metadata_pending:
        return MintSource(None, "basic", grant)
    if mint_block.get("endpoint"):
        return MintSource(resolve_url(mint_block["endpoint"], base_url), mint_block.get("client-auth", "basic"), grant)
    return None


def build_supply(
    options: SupplyOptions,
    contract: Contract,
    base_url: str,
    metadata: ServerMetadata | None,
    session: requests.Session,
    timeout: float,
    redactor: Redactor,
) -> BuiltinTokenSupply | None:
    """The target's supply, or None when nothing can mint (the semantic tests then skip).

    ``session`` is the supply's own (``target.py`` opens one for it): its transient failures
    (a 5xx, a reset connection) are sent again, bounded, before they are a setup error
    (``transport/session.py`` ``tolerate_transient``); the token endpoint is not under test."""
    tolerate_transient(session)
    block = supply_block(contract)
    auth = contract.client_auth
    vendor_headers = (auth.id_header, auth.secret_header) if auth.id_header and auth.secret_header else None

    source = mint_source(options, contract, base_url, metadata)
    grant = mint_grant(options, contract)
    endpoint_minter = (
        TokenEndpointMinter(
            MintSettings(
                endpoint=source.endpoint,
                grant=grant,
                auth_method=source.client_auth,
                vendor_headers=vendor_headers,
                username=options.username,
                password=options.password,
                scope=options.scope,
                refresh_token=options.refresh_token,
            ),
            session,
            timeout,
            redactor,
        )
        if source is not None and source.endpoint
        else None
    )
    # The user's two commands never run beside each other (commands.py): one lock for both.
    command_lock = threading.Lock()
    minter: Minter | None = (
        CommandMinter(options.token_command, redactor, lock=command_lock) if options.token_command else endpoint_minter
    )
    if minter is None:
        return None
    if not options.token_command and source is not None and source.lacks_seed(options):
        return None  # a spec's mint needs the user's seed (--refresh-token) or test user (--username)

    endpoint = endpoint_minter.settings.endpoint if endpoint_minter is not None else ""
    supply = BuiltinTokenSupply(minter, None, redactor, describe=_describe(options, grant, endpoint))
    supply.probes = _probes(
        options, block, base_url, metadata, endpoint_minter, supply, session, timeout, vendor_headers, command_lock
    )
    # Round trips overlap only on the built-in paths: a user's command never runs beside itself
    # (it batches instead, commands.py), and a refresh-token seed mints one grant at a time.
    supply.overlap(
        mint_ahead=minter is endpoint_minter and endpoint_minter is not None and endpoint_minter.independent,
        probe_side_by_side=supply.probes is not None and not options.probe_command,
    )
    return supply


def _probes(
    options: SupplyOptions,
    block: dict[str, Any],
    base_url: str,
    metadata: ServerMetadata | None,
    endpoint_minter: TokenEndpointMinter | None,
    supply: BuiltinTokenSupply,
    session: requests.Session,
    timeout: float,
    vendor_headers: tuple[str, str] | None,
    command_lock: threading.Lock,
) -> Probes | None:
    if options.probe_command:
        prober = CommandProber(options.probe_command, supply.redactor, lock=command_lock)
        return Probes(dict.fromkeys(TOKEN_KINDS, prober))
    by_kind: dict[str, Prober] = {}
    declared = {kind: probe for probe in block.get("probes", []) for kind in probe.get("token-types", TOKEN_KINDS)}

    introspection: Prober | None = None
    if options.introspection_endpoint or (metadata and metadata.introspection_endpoint):
        url = resolve_url(options.introspection_endpoint or metadata.introspection_endpoint, base_url)  # type: ignore[union-attr, arg-type]
        methods = metadata.suite_methods("introspection") if metadata else ()
        introspection = IntrospectionProber(url, _pick(methods), session, timeout, vendor_headers)
    refresh: Prober | None = None
    if endpoint_minter is not None:
        refresh = RefreshProber(endpoint_minter.exchange_refresh, endpoint_minter.settings.endpoint, supply.keep)

    for kind in TOKEN_KINDS:
        spec = declared.get(kind)
        if introspection is not None:
            by_kind[kind] = introspection
        elif spec is not None:
            by_kind[kind] = _declared_prober(spec, base_url, session, timeout, vendor_headers, endpoint_minter, supply)
        elif kind == "refresh_token" and refresh is not None:
            by_kind[kind] = refresh
    if options.resource_url:
        by_kind["access_token"] = ResourceProber(resolve_url(options.resource_url, base_url), session, timeout)
    if not by_kind:
        return None
    fallback = refresh if isinstance(by_kind.get("refresh_token"), IntrospectionProber) else None
    return Probes(by_kind, refresh_fallback=fallback)


def _declared_prober(
    spec: dict[str, Any],
    base_url: str,
    session: requests.Session,
    timeout: float,
    vendor_headers: tuple[str, str] | None,
    endpoint_minter: TokenEndpointMinter | None,
    supply: BuiltinTokenSupply,
) -> Prober:
    """A prober from one entry of the spec's ``token-supply.probes`` (schema: x_revocation.schema.json)."""
    url = resolve_url(spec["endpoint"], base_url)
    dead = spec.get("dead", {})
    kind = spec["kind"]
    if kind == "introspection":
        return IntrospectionProber(url, spec.get("client-auth", "basic"), session, timeout, vendor_headers)
    if kind == "resource":
        return ResourceProber(
            url, session, timeout, method=spec.get("method", "GET"), dead_statuses=frozenset(dead.get("status", [401]))
        )
    auth_method = spec.get("client-auth", "basic")
    minter = TokenEndpointMinter(
        MintSettings(endpoint=url, grant="refresh_token", auth_method=auth_method, vendor_headers=vendor_headers),
        session,
        timeout,
        supply.redactor,
    )
    return RefreshProber(
        minter.exchange_refresh,
        url,
        supply.keep,
        dead_statuses=frozenset(dead.get("status", [400, 401, 403])),
        dead_error=dead.get("error", "invalid_grant"),
    )


def _describe(options: SupplyOptions, grant: str, endpoint: str) -> str:
    """Where the grants come from, in words; two targets whose supplies say the same mint alike."""
    if options.token_command:
        return f"minted by --token-command {options.token_command!r}"
    return f"minted at {endpoint} with the {grant} grant"
