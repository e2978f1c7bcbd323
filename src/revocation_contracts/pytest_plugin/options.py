"""The suite's command-line options, their environment and ini twins, and their validation.

Why here and not in the plugin: the plugin module holds hooks only (STYLE.md habit 2). Every
option is declared once in ``OPTIONS`` and gets three spellings: ``--flag``, the environment
variable ``REVOKE_*`` and the ini key ``revoke_*``. Precedence is command line, then
environment, then ini. Values are parsed by a ``type=`` function when pytest parses the
command line, so a malformed value is a one-line usage error before any test runs; the
environment and ini spellings go through the same functions in ``resolve_settings``.
"""

from __future__ import annotations

import argparse
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from revocation_contracts.model.contract import BUNDLED_NAMES, Contract, ContractError, load_contract
from revocation_contracts.reference.bugs import validate_bug_names
from revocation_contracts.reporting.baseline import Baseline, BaselineError, load_baseline
from revocation_contracts.supply import SupplyOptions, missing_for_grant

GROUP = "revocation-contracts"


def parse_url(value: str) -> str:
    """An absolute http(s) URL with a host; the spec's path is appended to it."""
    parts = urlsplit(value)
    if parts.password is not None or parts.username is not None:
        # Credentials go in their own options (never printed); a URL is printed everywhere.
        raise argparse.ArgumentTypeError(
            "the URL holds a user name or password; drop it and pass --client-id and --client-secret"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL with a host, e.g. https://api.example.com")
    try:
        parts.port  # noqa: B018  (raises for a port that is not a number from 0 to 65535)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: the port must be a number from 1 to 65535") from None
    if parts.port == 0 or any(char.isspace() for char in value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a usable URL (port 0 or white space)")
    if parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(f"{value!r}: give a base URL without query string or fragment")
    return value.rstrip("/")


def parse_path(value: str) -> str:
    if not value.startswith("/") or " " in value:
        raise argparse.ArgumentTypeError(f"{value!r} is not a URL path; it must start with '/', e.g. /oauth/revoke")
    return value


def parse_command(value: str) -> str:
    """A shell command line, run by ``/bin/sh -c`` (pipes and ``$VARIABLES`` work)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("the command is empty")
    if "\0" in value:
        raise argparse.ArgumentTypeError("the command contains a NUL character")
    return value


def parse_url_or_path(value: str) -> str:
    """A full http(s) URL, or a path on --target-url (``/oauth/token``)."""
    if value.startswith("/"):
        return parse_path(value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        raise argparse.ArgumentTypeError(f"{value!r} is neither an http(s) URL nor a path starting with '/'")
    return value


GRANT_NAMES = ("client_credentials", "password", "refresh_token")


def parse_grant(value: str) -> str:
    if value not in GRANT_NAMES:
        raise argparse.ArgumentTypeError(f"{value!r} is not a grant the suite mints with: {', '.join(GRANT_NAMES)}")
    return value


def parse_resource_url(value: str) -> str:
    """A protected resource's full URL (a query string is allowed), or a path on --target-url."""
    if value.startswith("/"):
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is neither an http(s) URL nor a path starting with '/'")
    return value


def _positive_parser(convert: Callable[[str], Any], kind: str, too_small: str) -> Callable[[str], Any]:
    """A parser of positive numbers (``convert`` is int or float): each refusal one usage line."""

    def parse(value: str) -> Any:
        try:
            number = convert(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not {kind}") from None
        if isinstance(number, float) and not math.isfinite(number):
            raise argparse.ArgumentTypeError(f"{value!r} is not a finite number of seconds")
        if number <= 0:
            raise argparse.ArgumentTypeError(f"{value!r} {too_small}")
        return number

    return parse


parse_positive_int: Callable[[str], int] = _positive_parser(int, "a whole number", "must be at least 1")
parse_positive_float: Callable[[str], float] = _positive_parser(float, "a number", "must be greater than 0")


RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(s|sec|second|m|min|minute)\s*$")


def parse_rate(value: str) -> float:
    """``N/s`` or ``N/m`` into requests per second."""
    match = RATE.match(value)
    if not match or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a rate like 5/s or 100/m")
    per_second = float(match.group(1))
    return per_second / 60 if match.group(2).startswith("m") else per_second


def parse_spec(value: str) -> str:
    """A bundled name, 'all', or a readable OpenAPI file with an x-revocation extension."""
    if value == "all":
        return value
    try:
        load_contract(value)
    except ContractError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


PATH_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)=([^/?#\s]+)$")


def parse_path_param(value: str) -> tuple[str, str]:
    """``NAME=VALUE`` for a ``{NAME}`` in the contract's path (e.g. authorizationServerId=default)."""
    match = PATH_PARAM.match(value)
    if not match:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not NAME=VALUE (a path parameter, a value without '/'), e.g. authorizationServerId=default"
        )
    return match.group(1), match.group(2)


BUG_LIST = "list"


def parse_bug(value: str) -> str:
    """A planted bug's name, or ``list``: print them all and stop (``hooks.pytest_cmdline_main``)."""
    if value == BUG_LIST:
        return value
    try:
        validate_bug_names([value])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


REPORT_SUFFIXES = (".html", ".htm", ".md")


def parse_report_path(value: str) -> str:
    """Where the conformance report goes; its suffix picks the format (HTML or Markdown)."""
    if not value.lower().endswith(REPORT_SUFFIXES):
        raise argparse.ArgumentTypeError(f"{value!r}: the report path must end in .html (a web page) or .md (Markdown)")
    return value


def parse_baseline(value: str) -> Baseline:
    """A bundled baseline name (polar) or a baseline YAML file, loaded and validated."""
    try:
        return load_baseline(value)
    except BaselineError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise argparse.ArgumentTypeError(f"{value!r} is not a boolean (use true or false)")


@dataclass(frozen=True)
class Option:
    flag: str
    help: str
    parse: Callable[[str], Any] | None = None
    repeatable: bool = False
    is_flag: bool = False
    metavar: str | None = None

    @property
    def dest(self) -> str:
        return "revoke_" + self.flag.lstrip("-").replace("-", "_")

    @property
    def env(self) -> str:
        return "REVOKE_" + self.flag.lstrip("-").replace("-", "_").upper()


OPTIONS = (
    Option(
        "--spec",
        f"contract to check: a bundled name ({', '.join(BUNDLED_NAMES)}), all, "
        "or a path to an OpenAPI file with x-revocation (repeatable; default: all)",
        parse_spec,
        repeatable=True,
        metavar="NAME|PATH",
    ),
    Option(
        "--target-url",
        "base URL of the endpoint under test; the spec's path is appended "
        "(default: start the embedded reference server)",
        parse_url,
        metavar="URL",
    ),
    Option("--endpoint-path", "override the spec's revocation path, e.g. /oauth2/revoke", parse_path, metavar="PATH"),
    Option(
        "--path-param",
        "value of a {NAME} in the spec's path, e.g. authorizationServerId=default (repeatable; default: the spec's)",
        parse_path_param,
        repeatable=True,
        metavar="NAME=VALUE",
    ),
    Option("--client-id", "client id the suite authenticates with", metavar="ID"),
    Option("--client-secret", "client secret (never printed)", metavar="SECRET"),
    Option("--second-client-id", "a second registered client, for the cross-client checks", metavar="ID"),
    Option("--second-client-secret", "the second client's secret (never printed)", metavar="SECRET"),
    Option(
        "--issuer",
        "the authorization server's issuer URL: its RFC 8414 / OpenID Connect metadata gives the revocation, "
        "token and introspection endpoints (--target-url becomes optional)",
        parse_url,
        metavar="URL",
    ),
    Option(
        "--token-endpoint",
        "token endpoint (a URL, or a path on --target-url) for minting without metadata",
        parse_url_or_path,
        metavar="URL|PATH",
    ),
    Option(
        "--introspection-endpoint",
        "RFC 7662 introspection endpoint (a URL, or a path on --target-url) for probing without metadata",
        parse_url_or_path,
        metavar="URL|PATH",
    ),
    Option(
        "--grant",
        "how the suite mints at the token endpoint: client_credentials (default), password, refresh_token",
        parse_grant,
        metavar="NAME",
    ),
    Option("--username", "the test user of --grant password", metavar="USER"),
    Option("--password", "the test user's password (never printed)", metavar="PASSWORD"),
    Option("--scope", "scope to ask for when minting, e.g. 'offline_access' for refresh tokens", metavar="SCOPE"),
    Option(
        "--refresh-token",
        "a refresh token of --client-id that --grant refresh_token exchanges for fresh access tokens (never printed)",
        metavar="TOKEN",
    ),
    Option(
        "--resource-url",
        "a protected resource that answers 401 to a dead access token: probes access tokens",
        parse_resource_url,
        metavar="URL|PATH",
    ),
    Option(
        "--token-command",
        "shell command line (/bin/sh -c) printing JSON {access_token?, refresh_token?} for a new grant issued "
        "to $REVOKE_CLIENT_ID",
        parse_command,
        metavar="CMD",
    ),
    Option(
        "--probe-command",
        "shell command line (/bin/sh -c) exiting 0 if $REVOKE_TOKEN is still active, 1 if not",
        parse_command,
        metavar="CMD",
    ),
    Option("--max-examples", "generated examples per schema test phase (default: 50)", parse_positive_int, metavar="N"),
    Option(
        "--request-timeout",
        "seconds before a request to the target times out (default: 10)",
        parse_positive_float,
        metavar="S",
    ),
    Option(
        "--max-throttle-wait",
        "seconds the run may wait in all on 429/503 answers before it stops as throttled, exit 8 (default: 60)",
        parse_positive_float,
        metavar="S",
    ),
    Option(
        "--semantic-workers",
        "semantic properties run at once against a remote target with the built-in token supply "
        "(default: 4; 1 runs them one after another)",
        parse_positive_int,
        metavar="N",
    ),
    Option("--rate-limit", "at most this many requests to the target, e.g. 5/s or 100/m", parse_rate, metavar="N/s"),
    Option(
        "--strict-semantics",
        "fail on SHOULD clauses (e.g. RFC 7009 refresh cascade) instead of warning",
        parse_bool,
        is_flag=True,
    ),
    Option(
        "--reference-bug",
        "start the embedded reference server with this planted bug (for the project's own proofs that checks fire); "
        "'list' prints every planted bug, what it breaks and which check catches it",
        parse_bug,
        repeatable=True,
        metavar="NAME",
    ),
    Option(
        "--report",
        "write a conformance report (contracts x checks, clauses, reproduction commands) to PATH: "
        "an HTML page if PATH ends in .html, Markdown if it ends in .md",
        parse_report_path,
        metavar="PATH",
    ),
    Option(
        "--baseline",
        "known vendor deviations (a bundled name, e.g. polar, or a YAML file): listed tests become strict "
        "expected failures (repeatable; default: none, the contract is enforced as written)",
        parse_baseline,
        repeatable=True,
        metavar="NAME|PATH",
    ),
    Option(
        "--dry-run",
        "list, per contract, what the suite would send and to which URL (secrets redacted), then stop "
        "without sending anything",
        parse_bool,
        is_flag=True,
    ),
)


def add_options(parser: Any) -> None:
    """Register every option in one group, each with an ini twin (pytest-xdist style)."""
    group = parser.getgroup(GROUP, "OAuth 2.0 token-revocation contract suite")
    for option in OPTIONS:
        help_text = f"{option.help} [env {option.env}]"
        if option.is_flag:
            group.addoption(option.flag, action="store_true", default=None, dest=option.dest, help=help_text)
        else:
            group.addoption(
                option.flag,
                action="append" if option.repeatable else "store",
                type=option.parse,
                default=None,
                dest=option.dest,
                metavar=option.metavar,
                help=help_text,
            )
        parser.addini(
            option.dest, help=f"ini twin of {option.flag}", type="linelist" if option.repeatable else "string"
        )


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
    report: str | None = None
    max_throttle_wait: float = 60.0
    baselines: tuple[Baseline, ...] = ()
    dry_run: bool = False
    issuer: str | None = None
    # Filled in by discovery (supply/discovery.py) before collection, when --issuer is given.
    metadata: Any = None
    path_params: tuple[tuple[str, str], ...] = ()
    semantic_workers: int = 4

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


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line saying what to do."""


def wants_bug_list(config: Any) -> bool:
    """Whether ``--reference-bug list`` (or ``REVOKE_REFERENCE_BUG=list``) asks for the planted bugs."""
    option = next(option for option in OPTIONS if option.flag == "--reference-bug")
    try:
        return BUG_LIST in (_raw_value(config, option) or ())
    except SettingsError:
        return False


def _raw_value(config: Any, option: Option) -> Any:
    value = config.getoption(option.dest, default=None)
    if value is not None:
        return value
    env = os.environ.get(option.env)
    if env is not None and env != "":
        return _parse_text(option, env, source=option.env)
    try:
        ini = config.getini(option.dest)
    except ValueError:
        ini = None
    if ini:
        return _parse_text(option, ini, source=f"ini {option.dest}")
    return None


def _parse_text(option: Option, text: Any, source: str) -> Any:
    items: list[str]
    if option.repeatable:
        items = text if isinstance(text, list) else [part for part in re.split(r"[,\s]+", text) if part]
    else:
        items = [text]
    parse = option.parse or (lambda value: value)
    try:
        parsed = [parse(item) for item in items]
    except argparse.ArgumentTypeError as exc:
        raise SettingsError(f"{source}: {exc}") from None
    return parsed if option.repeatable else parsed[0]


def resolve_settings(config: Any) -> Settings:
    """Settings from command line, environment and ini; raises SettingsError with one clear line."""
    values = {option.dest: _raw_value(config, option) for option in OPTIONS}
    specs: list[str] = values["revoke_spec"] or ["all"]
    expanded: list[str] = []
    for spec in specs:
        for name in BUNDLED_NAMES if spec == "all" else (spec,):
            if name not in expanded:
                expanded.append(name)
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
    return Settings(
        path_params=path_params,
        specs=tuple(expanded),
        target_url=target_url,
        endpoint_path=values["revoke_endpoint_path"],
        client_id=client_id,
        client_secret=client_secret,
        second_client_id=second_id,
        second_client_secret=second_secret,
        token_command=values["revoke_token_command"],
        probe_command=values["revoke_probe_command"],
        max_examples=values["revoke_max_examples"] or 50,
        request_timeout=values["revoke_request_timeout"] or 10.0,
        rate_limit=values["revoke_rate_limit"],
        strict=bool(values["revoke_strict_semantics"]),
        reference_bugs=frozenset(values["revoke_reference_bug"] or ()),
        report=values["revoke_report"],
        max_throttle_wait=values["revoke_max_throttle_wait"] or 60.0,
        baselines=tuple(values["revoke_baseline"] or ()),
        dry_run=bool(values["revoke_dry_run"]),
        semantic_workers=values["revoke_semantic_workers"] or 4,
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
