"""The contract model: spec resolution, answer fallbacks, endpoint override."""

import pytest

from revocation_contracts.model.contract import BUNDLED_NAMES, ContractError, load_contract, resolve_spec


def test_bundled_names_resolve_to_files():
    for name in BUNDLED_NAMES:
        assert resolve_spec(name).is_file()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nope", "unknown spec 'nope'"),
        ("missing/file.yaml", "does not exist"),
    ],
)
def test_bad_spec_names_are_one_line_errors(value, message):
    with pytest.raises(ContractError, match=message) as info:
        resolve_spec(value)
    assert "\n" not in str(info.value)


def test_client_auth_variants_fall_back_to_bad_client():
    contract = load_contract("voucherify")
    assert not contract.has_answer("bad-client-basic")
    assert contract.answer("bad-client-basic") == contract.answer("bad-client")
    assert contract.answer("missing-client") == contract.answer("bad-client")


def test_auth0_missing_client_may_be_400_or_401():
    assert load_contract("auth0").answer("missing-client").statuses == {400, 401}


def test_endpoint_path_override_moves_the_document_too():
    contract = load_contract("rfc7009")
    moved = contract.with_path("/oauth2/revoke")
    assert moved.path == "/oauth2/revoke"
    assert list(moved.document["paths"]) == ["/oauth2/revoke"]
    assert contract.path == "/revoke", "the cached original must not change"
    assert contract.with_path(None) is contract


def test_error_status_per_code_uses_the_wildcard():
    contract = load_contract("polar")
    assert contract.statuses_for_error("invalid_client") == {400, 401}
    assert contract.statuses_for_error("invalid_request") == {400}


def test_user_spec_file_loads(tmp_path):
    source = resolve_spec("rfc7009").read_text(encoding="utf-8")
    copy = tmp_path / "mine.yaml"
    copy.write_text(source.replace("name: rfc7009", "name: mine"), encoding="utf-8")
    assert load_contract(str(copy)).name == "mine"
