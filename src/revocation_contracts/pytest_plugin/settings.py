"""The resolved settings of one pytest session: from the options' three spellings, checked, masked.

``resolve_settings`` reads every option of ``OPTIONS`` (command line, then environment, then
ini: ``options.raw_value``), checks that they fit together (``consistency.py``) and maps them
onto ``Settings``, which every other part of the plugin reads; ``Settings.secrets`` names what
the session's redactor masks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from revocation_contracts.model.contract import BUNDLED_NAMES, Contract, load_contract
from revocation_contracts.pytest_plugin.consistency import check_combination
from revocation_contracts.pytest_plugin.options import OPTIONS, raw_value
from revocation_contracts.reporting.baseline import Baseline
from revocation_contracts.supply import SupplyOptions


@dataclass(frozen=True, kw_only=True)
class Settings(SupplyOptions):
    """Resolved, validated settings for one pytest session.

    The options that shape a built-in token supply (``--token-command`` to ``--resource-url``)
    are inherited from ``SupplyOptions``, so the supply reads the settings themselves.
    """

    specs: tuple[str, ...]
    target_url: str | None
    endpoint_path: str | None
    client_id: str | None
    client_secret: str | None
    second_client_id: str | None
    second_client_secret: str | None
    max_examples: int
    request_timeout: float
    rate_limit: float | None
    strict: bool
    reference_bugs: frozenset[str]
    reports: tuple[str, ...] = ()
    max_throttle_wait: float = 60.0
    baselines: tuple[Baseline, ...] = ()
    dry_run: bool = False
    issuer: str | None = None
    # Filled in by discovery (supply/discovery.py) before collection, when --issuer is given.
    metadata: Any = None
    path_params: tuple[tuple[str, str], ...] = ()
    semantic_workers: int = 4
    # The check families selected by --checks; None: all, not narrowed.
    checks: tuple[str, ...] | None = None

    @property
    def embedded(self) -> bool:
        return self.target_url is None and self.issuer is None

    def contracts(self) -> list[Contract]:
        values = dict(self.path_params)
        contracts = [load_contract(spec).with_path(self.endpoint_path).with_path_params(values) for spec in self.specs]
        if self.metadata is None:
            return contracts
        from revocation_contracts.supply.discovery import narrow_contract

        offered = self.metadata.suite_methods("revocation")
        return [narrow_contract(contract, offered) for contract in contracts]

    def secrets(self) -> list[str]:
        """Every configured secret value, for redaction, with each client's HTTP Basic credentials."""
        from revocation_contracts.redact import basic_forms

        plain = (self.client_secret, self.second_client_secret, self.password, self.refresh_token)
        values = [value for value in plain if value]
        pairs = ((self.client_id, self.client_secret), (self.second_client_id, self.second_client_secret))
        for client_id, secret in pairs:
            if client_id is not None and secret:
                values.extend(sorted(basic_forms(client_id, secret)))
        return values


# The settings a reproduction command names by their environment variable instead of their value.
REFERENCED = (
    "client_id",
    "client_secret",
    "second_client_id",
    "second_client_secret",
    "username",
    "password",
    "refresh_token",
)


def references(settings: Settings) -> dict[str, str]:
    """``{value: "REVOKE_CLIENT_SECRET", ...}``: each credential the user gave, by the variable
    the suite reads it from (the option's ``env`` spelling), for ``Redactor.refer``."""
    found: dict[str, str] = {}
    for option in OPTIONS:
        name = option.dest.removeprefix("revoke_")
        value = getattr(settings, name, None) if name in REFERENCED else None
        if isinstance(value, str) and value:
            found.setdefault(value, option.env)
    return found


def resolve_settings(config: Any) -> Settings:
    """Settings from command line, environment and ini; raises SettingsError with one clear line."""
    values = {option.dest: raw_value(config, option) for option in OPTIONS}
    specs: list[str] = values["revoke_spec"] or ["all"]
    expanded: list[str] = []
    for spec in specs:
        for name in BUNDLED_NAMES if spec == "all" else (spec,):
            if name not in expanded:
                expanded.append(name)
    target_url, issuer = values["revoke_target_url"], values["revoke_issuer"]
    check_combination(values, expanded)
    path_params = tuple(values["revoke_path_param"] or ())
    return Settings(
        path_params=path_params,
        specs=tuple(expanded),
        target_url=target_url,
        endpoint_path=values["revoke_endpoint_path"],
        client_id=values["revoke_client_id"],
        client_secret=values["revoke_client_secret"],
        second_client_id=values["revoke_second_client_id"],
        second_client_secret=values["revoke_second_client_secret"],
        token_command=values["revoke_token_command"],
        probe_command=values["revoke_probe_command"],
        max_examples=values["revoke_max_examples"] or 50,
        request_timeout=values["revoke_request_timeout"] or 10.0,
        rate_limit=values["revoke_rate_limit"],
        strict=bool(values["revoke_strict_semantics"]),
        reference_bugs=frozenset(values["revoke_reference_bug"] or ()),
        reports=tuple(values["revoke_report"] or ()),
        max_throttle_wait=values["revoke_max_throttle_wait"] or 60.0,
        baselines=tuple(values["revoke_baseline"] or ()),
        dry_run=bool(values["revoke_dry_run"]),
        semantic_workers=values["revoke_semantic_workers"] or 4,
        checks=values["revoke_checks"],
        issuer=issuer,
        token_endpoint=values["revoke_token_endpoint"],
        introspection_endpoint=values["revoke_introspection_endpoint"],
        grant=values["revoke_grant"],
        username=values["revoke_username"],
        password=values["revoke_password"],
        scope=values["revoke_scope"],
        refresh_token=values["revoke_refresh_token"],
        resource_url=values["revoke_resource_url"],
    )
