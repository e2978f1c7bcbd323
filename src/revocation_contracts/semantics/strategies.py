"""Hypothesis strategies for revocation requests, drawn from the contract's own data.

Why from the contract: RFC 7009 section 2.1 leaves a client several legal ways to send the
same revocation (with or without ``token_type_hint``; HTTP Basic or credentials in the body,
RFC 6749 section 2.3.1), and vendors add their own (Voucherify's key headers, JSON bodies).
A property such as "a revoked token is dead" must hold for every documented way, so the
strategies draw among them instead of fixing one; a failing draw shrinks to the simplest
variant that still breaks the property.

Everything drawn here is a description (a ``Variant``, a method name, a token fragment), never
a token: tokens exist only once minted, so examples stay printable without leaking secrets.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from revocation_contracts.model.contract import Contract

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
BODY_MEDIA_TYPES = {"json-body": JSON, "form-body": FORM}
# The methods a client could mistake for the documented one (the project's rules: only the documented
# method works); the documented one itself is filtered out per contract.
CANDIDATE_METHODS = ("GET", "PUT", "PATCH", "DELETE", "POST")
# Characters an opaque token may carry that survive a form body untouched (RFC 3986 unreserved).
UNRESERVED = string.ascii_letters + string.digits + "-._~"
# Fragments form encoding must escape (RFC 6749 appendix B): base64's '+', '/', '=', a bare
# '%', and literal escape sequences that a server decoding twice would turn into other text.
ESCAPE_FRAGMENTS = ("+", "/", "=", "==", "%", "%%", "+/=", "%2B", "%2b", "%25", "%3D", "%20")
UNKNOWN_PREFIX = "rc-unknown-"

# A property's plan (a frozen dataclass describing one example), and a named explicit plan:
# a function of the contract, returning None where the example does not apply.
Plan = Any
Example = Callable[[Contract], Plan | None]


@dataclass(frozen=True)
class Variant:
    """How a revocation request is sent: the hint, the client-auth method, the media type."""

    hint: str | None
    auth_method: str
    media_type: str

    def describe(self) -> str:
        hint = f"hint {self.hint}" if self.hint else "no hint"
        return f"{hint}, {self.auth_method}, {self.media_type}"


def auth_media_pairs(contract: Contract) -> list[tuple[str, str]]:
    """Every documented (client-auth method, media type) pair; body credentials fix the media type."""
    pairs: list[tuple[str, str]] = []
    for method in contract.client_auth.methods:
        if method in BODY_MEDIA_TYPES:
            if BODY_MEDIA_TYPES[method] in contract.media_types:
                pairs.append((method, BODY_MEDIA_TYPES[method]))
        else:
            pairs.extend((method, media_type) for media_type in contract.media_types)
    return pairs


def hint_choices(contract: Contract, kind: str, mode: str) -> list[str | None]:
    """Hints to draw from: ``documented`` (none, or the token's own type), ``wrong`` or ``any``.

    RFC 7009 section 2.1 makes the hint optional; where a vendor requires it (Mollie), the
    documented request names the token's own type.
    """
    rule = contract.hint
    if rule is None:
        return [None]
    absent: list[str | None] = [] if rule.required else [None]
    if mode == "wrong":
        return [value for value in rule.values if value != kind]
    if mode == "any":
        return [*absent, *rule.values]
    own: list[str | None] = [kind] if kind in rule.values else [rule.values[0]] if rule.required else []
    return [*absent, *own] or [None]


def pair_variant(contract: Contract, kind: str, index: int) -> Variant:
    """The documented request sent through the ``index``-th (auth method, media type) pair."""
    auth_method, media_type = auth_media_pairs(contract)[index]
    return Variant(hint_choices(contract, kind, "documented")[0], auth_method, media_type)


def documented_variant(contract: Contract, kind: str) -> Variant:
    """The documented request in its plainest form: default auth method and media type."""
    auth_method, media_type = auth_media_pairs(contract)[0]
    hints = hint_choices(contract, kind, "documented")
    return Variant(hints[0], auth_method, media_type)


def variants(contract: Contract, kind: str, hints: str = "documented") -> st.SearchStrategy[Variant]:
    """Documented ways to send a revocation of a ``kind`` token, with hints chosen by ``hints``."""
    return st.builds(
        lambda pair, hint: Variant(hint, pair[0], pair[1]),
        st.sampled_from(auth_media_pairs(contract)),
        st.sampled_from(hint_choices(contract, kind, hints)),
    )


def unknown_tokens() -> st.SearchStrategy[str]:
    """Token-shaped values no server issued (RFC 7009 section 2.2: "an invalid token")."""
    return st.text(UNRESERVED + "+/=", min_size=6, max_size=32).map(lambda tail: UNKNOWN_PREFIX + tail)


def escaped_fragments() -> st.SearchStrategy[str]:
    """Token tails that contain at least one character form encoding must escape."""
    plain = st.text(UNRESERVED, max_size=6)
    return st.builds(
        lambda head, fragment, tail: head + fragment + tail,
        plain,
        st.sampled_from(ESCAPE_FRAGMENTS),
        st.text(UNRESERVED + "+/=%", max_size=6),
    )


def smuggled_requests(contract: Contract) -> st.SearchStrategy[tuple[str, bool]]:
    """(method, token in query) pairs that are not the documented request (RFC 7009 section 2.1).

    The contract's other declared operations on the path are the vendor's, never probed; where
    the vendor documents the token in the query string, the documented method with it there is
    a documented request, not a smuggled one.
    """
    methods = [method for method in CANDIDATE_METHODS if method not in (contract.method, *contract.other_methods)]
    choices = [(method, in_query) for method in methods for in_query in (False, True)]
    if "query" not in contract.token_in:
        choices.append((contract.method, True))
    return st.sampled_from(choices)


def needs_escaping(value: str) -> str:
    """The characters of ``value`` that form encoding must escape, in order of appearance."""
    seen = [char for char in value if char in "+/=%"]
    return "".join(dict.fromkeys(seen))


def percent_encode_all(value: str) -> str:
    """Every octet of ``value`` as ``%XX`` (RFC 3986 section 2.1): the same token once decoded."""
    return "".join(f"%{octet:02X}" for octet in value.encode("utf-8"))
