"""The one JSON-reference resolver (model/pointer.py): a prefix, not characters; RFC 6901 escapes."""

from __future__ import annotations

import pytest

from revocation_contracts.model.pointer import reference_tokens, resolve_pointer, resolve_ref, resolve_schema

DOCUMENT = {
    "": {"a": {"why": "the empty key, then a"}},
    "a": {"why": "the top-level a"},
    "paths": {"/revoke": {"why": "a key with a slash"}, "~x": {"why": "a key with a tilde"}},
    "components": {"schemas": {"Error": {"type": "object"}, "Alias": {"$ref": "#/components/schemas/Error"}}},
}


def test_only_the_prefix_is_removed_never_more_characters() -> None:
    """``lstrip("#/")`` made ``#//a`` the top-level ``a``; the pointer names the key ``""`` first."""
    assert reference_tokens("#//a") == ["", "a"]
    assert resolve_ref(DOCUMENT, "#//a") == {"why": "the empty key, then a"}
    assert "#//a".lstrip("#/") == "a", "the drifted resolver's reading, for contrast"


def test_escapes_are_decoded_tilde_one_before_tilde_zero() -> None:
    assert resolve_ref(DOCUMENT, "#/paths/~1revoke") == {"why": "a key with a slash"}
    assert resolve_ref(DOCUMENT, "#/paths/~0x") == {"why": "a key with a tilde"}
    assert reference_tokens("#/~01") == ["~1"]  # not "/": RFC 6901 section 4's order


def test_the_whole_document_and_missing_targets() -> None:
    assert resolve_pointer(DOCUMENT, "#") is DOCUMENT
    with pytest.raises(KeyError):
        resolve_ref(DOCUMENT, "#/components/schemas/Missing")
    with pytest.raises(KeyError):
        resolve_ref(DOCUMENT, "#/components/schemas/Error/type")  # a string, not an object


def test_schema_references_are_followed_through_a_chain() -> None:
    assert resolve_schema(DOCUMENT, {"$ref": "#/components/schemas/Alias"}) == {"type": "object"}
    assert resolve_schema(DOCUMENT, {"type": "string"}) == {"type": "string"}
    looping = {"x": {"$ref": "#/x"}}
    assert resolve_schema(looping, {"$ref": "#/x"}) == {"$ref": "#/x"}  # a circle ends, unresolved
