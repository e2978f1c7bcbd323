"""Whether the options of one run fit together: one line saying what to add or drop.

Why apart from the parsers: each parser judges one value; these checks judge the values
together (credentials in pairs, a real server's options without a real server, a grant
without its user or seed, a path parameter no contract has, two contracts of one name).
They run in ``settings.resolve_settings`` before the session starts, in this order.
"""

from __future__ import annotations

from typing import Any

from revocation_contracts.model.contract import load_contract
from revocation_contracts.pytest_plugin.options import SettingsError
from revocation_contracts.supply import missing_for_grant


def check_combination(values: dict[str, Any], expanded: list[str]) -> None:
    """Raise ``SettingsError`` for the first combination of ``values`` that cannot run."""
    target_url, issuer = values["revoke_target_url"], values["revoke_issuer"]
    client_id, client_secret = values["revoke_client_id"], values["revoke_client_secret"]
    # Public clients (client-auth none) send no credentials; every other contract needs them.
    public_only = all(
        load_contract(spec).client_auth.public and not any(p.bind for p in load_contract(spec).path_params.values())
        for spec in expanded
    )
    if (target_url is not None or issuer is not None) and not (client_id and client_secret) and not public_only:
        given = "--target-url" if target_url is not None else "--issuer"
        raise SettingsError(
            f"{given} needs the client's credentials: pass --client-id and --client-secret "
            "(or set REVOKE_CLIENT_ID and REVOKE_CLIENT_SECRET)"
        )
    _check_supply_options(values, target_url, issuer)
    if bool(client_id) != bool(client_secret):
        raise SettingsError("--client-id and --client-secret go together: give both or neither")
    second_id, second_secret = values["revoke_second_client_id"], values["revoke_second_client_secret"]
    if bool(second_id) != bool(second_secret):
        raise SettingsError("--second-client-id and --second-client-secret go together: give both or neither")
    if values["revoke_reference_bug"] and (target_url is not None or issuer is not None):
        raise SettingsError("--reference-bug only applies to the embedded reference server; drop --target-url")
    path_params = tuple(values["revoke_path_param"] or ())
    for name, _ in path_params:
        if not any(name in load_contract(spec).path_params for spec in expanded):
            raise SettingsError(f"--path-param {name}: no selected contract has {{{name}}} in its path")
    names: dict[str, str] = {}
    for spec in expanded:
        name = load_contract(spec).name
        if name in names:
            raise SettingsError(f"--spec {spec} and --spec {names[name]} are both named {name!r}; names must be unique")
        names[name] = spec


def _check_supply_options(values: dict[str, Any], target_url: str | None, issuer: str | None) -> None:
    """The token-supply options fit together; one line saying what to add or drop."""
    if target_url is None and issuer is None:
        for name in ("token_endpoint", "introspection_endpoint", "resource_url", "token_command", "grant"):
            if values[f"revoke_{name}"]:
                flag = "--" + name.replace("_", "-")
                raise SettingsError(f"{flag} applies to a real server: give --target-url or --issuer as well")
    for name in ("token_endpoint", "introspection_endpoint", "resource_url"):
        value = values[f"revoke_{name}"]
        if value and value.startswith("/") and target_url is None:
            flag = "--" + name.replace("_", "-")
            raise SettingsError(f"{flag} {value} is a path: give --target-url to resolve it, or a full URL")
    grant, username, password = values["revoke_grant"], values["revoke_username"], values["revoke_password"]
    if bool(username) != bool(password):
        raise SettingsError("--username and --password go together: give both or neither")
    missing = missing_for_grant(grant, username=username, refresh_token=values["revoke_refresh_token"])
    if missing is not None:
        raise SettingsError(missing)
    if username and grant not in (None, "password"):
        raise SettingsError(f"--username and --password are for --grant password, not --grant {grant}")
    if values["revoke_probe_command"] and not (
        values["revoke_token_command"] or values["revoke_token_endpoint"] or issuer or target_url
    ):
        raise SettingsError("--probe-command needs a way to mint: the suite only probes tokens it minted itself")
