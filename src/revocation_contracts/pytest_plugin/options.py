"""The suite's command-line options, their environment and ini twins, and how a value is read.

Why here and not in the plugin: the plugin module holds hooks only (STYLE.md habit 2). Every
option is declared once in ``OPTIONS`` and gets three spellings: ``--flag``, the environment
variable ``REVOKE_*`` and the ini key ``revoke_*``. Precedence is command line, then
environment, then ini. Values are parsed by a ``type=`` function (``parsers.py``) when pytest
parses the command line, so a malformed value is a one-line usage error before any test runs;
the environment and ini spellings go through the same functions (``raw_value``). The resolved
settings of a session are ``settings.py``'s.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from revocation_contracts.model.contract import BUNDLED_NAMES
from revocation_contracts.pytest_plugin.parsers import (
    BUG_LIST,
    parse_baseline,
    parse_bool,
    parse_bug,
    parse_command,
    parse_families,
    parse_grant,
    parse_path,
    parse_path_param,
    parse_positive_float,
    parse_positive_int,
    parse_rate,
    parse_report_path,
    parse_resource_url,
    parse_spec,
    parse_url,
    parse_url_or_path,
)

GROUP = "revocation-contracts"


@dataclass(frozen=True)
class Option:
    flag: str
    help: str
    parse: Callable[[str], Any] | None = None
    repeatable: bool = False
    is_flag: bool = False
    metavar: str | None = None
    secret: bool = False  # its value is never shown (the report's command line prints ***)

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
    Option("--client-secret", "client secret (never printed)", metavar="SECRET", secret=True),
    Option("--second-client-id", "a second registered client, for the cross-client checks", metavar="ID"),
    Option("--second-client-secret", "the second client's secret (never printed)", metavar="SECRET", secret=True),
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
    Option("--password", "the test user's password (never printed)", metavar="PASSWORD", secret=True),
    Option("--scope", "scope to ask for when minting, e.g. 'offline_access' for refresh tokens", metavar="SCOPE"),
    Option(
        "--refresh-token",
        "a refresh token of --client-id that --grant refresh_token exchanges for fresh access tokens (never printed)",
        metavar="TOKEN",
        secret=True,
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
        "to $REVOKE_CLIENT_ID (or a JSON array of up to $REVOKE_GRANT_COUNT grants)",
        parse_command,
        metavar="CMD",
    ),
    Option(
        "--probe-command",
        "shell command line (/bin/sh -c) exiting 0 if $REVOKE_TOKEN is still active, 1 if not "
        "(or printing active/inactive, one line per token of $REVOKE_TOKENS)",
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
        "semantic properties run at once against a remote target with the built-in token supply or a "
        "--token-command, and schema-test cases sent at once to a remote target (default: 4; 1 runs them one after "
        "another)",
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
        "an HTML page if PATH ends in .html, Markdown if it ends in .md (repeatable: each is written)",
        parse_report_path,
        repeatable=True,
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
        "--checks",
        "check families to run: schema, protocol, semantics, comma-separated (default: all three; a run "
        "that narrows them states its scope and does not count the others as missing)",
        parse_families,
        metavar="FAMILY[,FAMILY]",
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


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line saying what to do."""


def wants_bug_list(config: Any) -> bool:
    """Whether ``--reference-bug list`` (or ``REVOKE_REFERENCE_BUG=list``) asks for the planted bugs."""
    option = next(option for option in OPTIONS if option.flag == "--reference-bug")
    try:
        return BUG_LIST in (raw_value(config, option) or ())
    except SettingsError:
        return False


def raw_value(config: Any, option: Option) -> Any:
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
