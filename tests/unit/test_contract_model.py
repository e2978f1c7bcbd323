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


# --- contracts as data: path parameters, public clients, error bodies -------------------------


def test_path_parameters_take_their_value_an_option_or_the_client_id():
    okta = load_contract("okta")
    assert okta.url_path() == "/oauth2/default/v1/revoke"
    assert okta.with_path_params({"authorizationServerId": "aus1"}).url_path() == "/oauth2/aus1/v1/revoke"
    assert okta.with_path_params({"other": "x"}) is okta
    github = load_contract("github")
    assert github.url_path("Iv1.abc/../x") == "/applications/Iv1.abc%2F..%2Fx/token"
    concrete = github.concrete("rc-client-a")
    assert list(concrete.document["paths"]) == ["/applications/rc-client-a/token"]
    assert set(concrete.document["paths"]["/applications/rc-client-a/token"]) == {"delete"}
    assert github.other_methods == ("POST", "PATCH")


def test_public_clients_and_unsent_assertion_methods():
    google = load_contract("google")
    assert google.client_auth.public and google.token_in == ("body", "query")
    assert not google.has_answer("bad-client")
    okta = load_contract("okta")
    assert okta.client_auth.methods == ("basic", "form-body")
    assert "private-key-jwt" in okta.client_auth.declared


def test_error_bodies_are_judged_by_their_schemas():
    from revocation_contracts.reference.error_bodies import build_error_body
    from revocation_contracts.rules.error_bodies import error_body_violation, error_code

    mollie = load_contract("mollie")
    hal = {"status": 422, "title": "Unprocessable Entity", "detail": "x"}
    assert error_body_violation(mollie, 422, "application/hal+json", hal) is None
    assert error_body_violation(mollie, 400, "application/json", {"error": "invalid_request"}) is None
    violation = error_body_violation(mollie, 400, "text/plain", None)
    assert violation is not None and violation[0] == "RFC6749-5.2"
    voucherify = load_contract("voucherify")
    body, media_type = build_error_body(voucherify, 401, "invalid_client", "no")
    assert media_type == "application/json" and body["key"] == "unauthorized" and body["code"] == 401
    assert error_code(voucherify, body) == "unauthorized"
    github = load_contract("github")
    body, _ = build_error_body(github, 422, "invalid_request", "Validation Failed")
    assert error_body_violation(github, 422, "application/json", body) is None
    assert error_code(github, body) is None


# --- load-time cross-checks: every mistake, one line each ---------------------------------------


def _copy(tmp_path, name, edit=lambda text: text, rename=True):
    text = resolve_spec(name).read_text(encoding="utf-8")
    if rename:
        text = text.replace(f"  name: {name}\n", "  name: mine\n", 1)
    path = tmp_path / f"{name}-copy.yaml"
    path.write_text(edit(text), encoding="utf-8")
    return str(path)


def _error(path):
    load_contract.cache_clear()
    with pytest.raises(ContractError) as info:
        load_contract(path)
    return str(info.value)


def test_a_copy_that_keeps_a_bundled_name_is_refused(tmp_path):
    path = _copy(tmp_path, "polar", lambda text: text.replace("title: Polar token", "title: My token"), rename=False)
    assert "is the name of a bundled contract" in _error(path)
    # An unchanged copy is the bundled contract itself: nothing to merge.
    assert load_contract(_copy(tmp_path, "auth0", rename=False)).name == "auth0"


def test_every_answer_status_must_be_documented(tmp_path):
    path = _copy(tmp_path, "auth0", lambda text: text.replace("status: [400, 401, 415]", "status: [400, 418]"))
    message = _error(path)
    assert "unsupported-media-type: status 418 is not a documented response of POST /oauth/revoke" in message


def test_security_must_agree_with_client_auth(tmp_path):
    path = _copy(tmp_path, "mollie", lambda text: text.replace("methods: [basic]", "methods: [json-body]"))
    assert "security scheme 'clientBasic' is HTTP Basic, but client-auth/methods lacks basic" in _error(path)


def test_every_error_is_listed_one_line_each_with_the_nearest_key(tmp_path):
    def edit(text):
        text = text.replace("    revoked:\n      status: [200]", "    revoked:\n      stauts: [200]", 1)
        return text.replace("token-field: token", "token-feild: token", 1)

    lines = _error(_copy(tmp_path, "polar", edit)).splitlines()
    assert any("unknown key 'stauts' (did you mean 'status'?)" in line for line in lines), lines
    assert any("unknown key 'token-feild' (did you mean 'token-field'?)" in line for line in lines), lines
    assert all(line.startswith("spec ") for line in lines) and len(lines) >= 3


def test_yaml_booleans_are_pointed_out(tmp_path):
    unquoted = 'refresh-revokes-access: "no"', "refresh-revokes-access: no"
    path = _copy(tmp_path, "auth0", lambda text: text.replace(*unquoted))
    message = _error(path)
    assert "x-revocation/tokens/refresh-revokes-access: got the boolean false" in message
    assert 'quote it, e.g. "no"' in message


def test_a_path_parameter_needs_a_value(tmp_path):
    entry = "      authorizationServerId:\n        value: default\n"
    path = _copy(tmp_path, "okta", lambda text: text.replace(entry, "      {}\n"))
    assert "{authorizationServerId} is in the path but has no entry" in _error(path)


def test_a_misspelt_path_params_key_is_named(tmp_path):
    path = _copy(tmp_path, "okta", lambda text: text.replace("    path-params:\n", "    x-path-params:\n"))
    message = _error(path)
    assert "unknown key 'x-path-params' (did you mean 'path-params'?)" in message


def test_x_revocation_schema_describes_every_key():
    import json
    from importlib import resources

    schema = json.loads(
        resources.files("revocation_contracts.model").joinpath("x_revocation.schema.json").read_text("utf-8")
    )
    missing = []

    def walk(node, where):
        if isinstance(node, dict):
            for name, child in node.get("properties", {}).items():
                if "description" not in child:
                    missing.append(f"{where}/{name}")
            for key, child in node.items():
                walk(child, f"{where}/{key}")
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{where}/{index}")

    walk(schema, "")
    assert not missing, f"properties without a description: {missing}"


def test_the_worked_example_in_the_docs_loads(tmp_path):
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "writing-contracts.md"
    example = re.search(r"```yaml\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    assert example is not None
    path = tmp_path / "example-idp.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    contract = load_contract(str(path))
    assert contract.name == "example-idp" and contract.url_path() == "/tenants/acme/oauth/revoke"
    documented = set(re.findall(r"^\| `([a-z-]+(?:\.[a-z*A-Z-]+)*)", page.read_text(encoding="utf-8"), re.M))
    extension = contract.document["x-revocation"]
    assert set(extension) <= {key.split(".")[0] for key in documented}


def test_every_token_supply_key_is_documented_and_the_example_block_builds_a_supply(tmp_path):
    """docs/writing-contracts.md lists every key of the ``token-supply`` schema, and the worked
    example's block gives a supply that mints by the password grant and probes as declared."""
    import json
    import re
    from pathlib import Path

    from revocation_contracts.redact import Redactor
    from revocation_contracts.supply.builtin import SupplyOptions, build_supply
    from revocation_contracts.supply.probing import IntrospectionProber, RefreshProber
    from revocation_contracts.transport.session import new_session

    root = Path(__file__).resolve().parents[2]
    schema = json.loads((root / "src/revocation_contracts/model/x_revocation.schema.json").read_text())

    def keys(node, prefix):
        """Every leaf key, dotted (``probes[].dead.status``)."""
        children = node.get("properties", {})
        for name, child in children.items():
            yield from keys(child, f"{prefix}.{name}")
        if "properties" in node.get("items", {}):
            yield from keys(node["items"], prefix + "[]")
        elif not children:
            yield prefix

    page = (root / "docs" / "writing-contracts.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(token-supply[^`]*)`", page, re.M))
    expected = set(keys(schema["properties"]["token-supply"], "token-supply"))
    assert expected <= documented, f"undocumented: {sorted(expected - documented)}"
    example = re.search(r"```yaml\n(.*?)```", page, re.S)
    assert example is not None
    path = tmp_path / "example-idp.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    contract = load_contract(str(path))
    base = "https://idp.example.com"
    options = SupplyOptions(username="user", password="pw")
    supply = build_supply(options, contract, base, None, new_session(), 5, Redactor())
    assert supply is not None and supply.probes is not None
    assert supply.minter.settings.endpoint == base + "/tenants/acme/oauth/token"  # type: ignore[attr-defined]
    assert supply.minter.settings.grant == "password"  # type: ignore[attr-defined]
    access, refresh = supply.probes.by_kind["access_token"], supply.probes.by_kind["refresh_token"]
    assert isinstance(access, IntrospectionProber) and access.endpoint == base + "/tenants/acme/oauth/introspect"
    assert isinstance(refresh, RefreshProber) and refresh.dead_statuses == {400}
    assert build_supply(SupplyOptions(), contract, base, None, new_session(), 5, Redactor()) is None


def test_new_writes_a_contract_that_loads(tmp_path, monkeypatch):
    from revocation_contracts.model.scaffold import new_contract

    monkeypatch.chdir(tmp_path)
    path = new_contract("my-idp", template="google")
    assert load_contract(str(path)).name == "my-idp"
    with pytest.raises(ContractError, match="already exists"):
        new_contract("my-idp", template="google")
    with pytest.raises(ContractError, match="bundled contract's name"):
        new_contract("okta")
    with pytest.raises(ContractError, match="lower-case"):
        new_contract("My IdP")


def test_reference_servers_follow_the_new_shapes():
    """Real loopback HTTP: google revokes a token sent in the query string; okta serves only its
    authorization server's path; github refuses a path naming another client than Basic proves."""
    import requests

    from revocation_contracts.reference.server import ReferenceServer
    from revocation_contracts.reference.store import DEFAULT_CLIENTS
    from revocation_contracts.transport.client import Credentials, RevocationClient

    first, second = (Credentials(client.client_id, client.client_secret) for client in DEFAULT_CLIENTS)
    with requests.Session() as session:
        with ReferenceServer(load_contract("google")) as server:
            grant = server.store.mint(first.client_id, ("access_token", "refresh_token"))
            response = session.post(
                server.base_url + "/revoke", params={"token": grant.tokens["access_token"]}, timeout=5
            )
            assert response.status_code == 200
            assert not server.store.is_active(grant.tokens["refresh_token"]), "access-revokes-refresh: must"
            unknown = session.post(server.base_url + "/revoke", data={"token": "nope-unknown"}, timeout=5)
            assert (unknown.status_code, unknown.json()["error"]) == (400, "invalid_token")
        with ReferenceServer(load_contract("okta")) as server:
            client = RevocationClient(server.contract, server.base_url, first, session=session)
            assert client.revoke("unknown-token")[1].status_code == 200
            other = session.post(server.base_url + "/oauth2/other/v1/revoke", data={"token": "x"}, timeout=5)
            assert other.status_code == 404
        with ReferenceServer(load_contract("github")) as server:
            client = RevocationClient(server.contract, server.base_url, first, session=session)
            request = client.build("unknown-token")
            assert request.url.endswith(f"/applications/{first.client_id}/token")
            assert client.send(request).status_code == 204
            mismatched = client.build("unknown-token", credentials=second)
            wrong_path = session.delete(request.url, headers=mismatched.headers, data=mismatched.body, timeout=5)
            assert wrong_path.status_code in (401, 404)
            assert session.post(request.url, headers=request.headers, data=request.body, timeout=5).status_code == 404


def test_a_warned_reading_needs_a_documented_status_of_its_own(tmp_path):
    warned = "- {status: [200], body: any, clause: PIN-missing-token-as-invalid}"
    undocumented = _copy(tmp_path, "rfc7009", lambda text: text.replace(warned, warned.replace("200", "202")))
    assert "missing-token/warned/0: status 202 is not a documented response of POST /revoke" in _error(undocumented)
    overlapping = _copy(tmp_path, "rfc7009", lambda text: text.replace(warned, warned.replace("[200]", "[400]")))
    assert "missing-token/warned/0: a warned status is already one of the answer's own statuses" in _error(overlapping)
    unnamed = _copy(tmp_path, "rfc7009", lambda text: text.replace(warned, "- {status: [200], clause: a reading}"))
    assert "warned" in _error(unnamed)


def test_rfc7009_reads_an_empty_token_as_missing_and_warns_on_200():
    rfc7009 = load_contract("rfc7009")
    assert rfc7009.empty_token == "missing"
    reading = rfc7009.warned_reading("missing-token", 200)
    assert reading is not None and reading.clause == "PIN-missing-token-as-invalid"
    assert rfc7009.warned_reading("missing-token", 500) is None
    assert rfc7009.warned_reading("unknown-token", 200) is None
    assert rfc7009.warned_reading("no-such-situation", 200) is None
