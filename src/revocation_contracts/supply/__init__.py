"""Token supply: where live tokens come from and how the suite asks whether one still works.

``SupplyOptions`` lives here, not in ``builtin.py``, because ``Settings`` (the plugin's
options, imported into every pytest run where the package is installed) extends it: this
module imports nothing, while ``builtin.py`` brings requests, which an inert plugin must
never load (issue 8). The embedded servers' supply (``embedded.py``) is the one module here
that loads the reference server's Starlette app; only ``target.py`` imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SupplyOptions", "missing_for_grant"]


@dataclass(frozen=True)
class SupplyOptions:
    """The options that shape a built-in supply; ``Settings`` (pytest_plugin/options.py)
    extends it, so one list of fields serves both."""

    token_command: str | None = None
    probe_command: str | None = None
    token_endpoint: str | None = None
    introspection_endpoint: str | None = None
    grant: str | None = None
    username: str | None = None
    password: str | None = None
    scope: str | None = None
    refresh_token: str | None = None
    resource_url: str | None = None


def missing_for_grant(grant: str | None, *, username: str | None, refresh_token: str | None) -> str | None:
    """What a grant needs that the options lack, as the line a user reads; None when nothing.

    The one statement of the rule (RFC 6749 section 4.3: the password grant needs the resource
    owner's credentials; section 6: the refresh grant needs a refresh token): the options check
    refuses ``--grant`` without it, and the built-in supply (and ``--dry-run``'s plan) mint
    nothing for a spec's grant without it."""
    if grant == "password" and not username:
        return "--grant password needs the test user: pass --username and --password"
    if grant == "refresh_token" and not refresh_token:
        return "--grant refresh_token needs a seed: pass --refresh-token"
    return None
