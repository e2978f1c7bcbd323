"""The parsers of the suite's option values: text in, a typed value or one usage line out.

Why apart from the options table (``options.py``): each parser is a ``type=`` function pytest
calls when it parses the command line, and the environment and ini spellings go through the
same functions, so a malformed value is a one-line usage error before any test runs, however
it was given.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from revocation_contracts.model.contract import ContractError, load_contract
from revocation_contracts.reference.bugs import validate_bug_names
from revocation_contracts.reporting.baseline import Baseline, BaselineError, load_baseline
from revocation_contracts.reporting.coverage import FAMILIES


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


def parse_families(value: str) -> tuple[str, ...]:
    """``FAMILY[,FAMILY]``: the check families to run (schema, protocol, semantics), in that order."""
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [name for name in names if name not in FAMILIES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"{value!r} names no check family of {', '.join(FAMILIES)} (e.g. --checks schema,protocol)"
        )
    return tuple(family for family in FAMILIES if family in names)
