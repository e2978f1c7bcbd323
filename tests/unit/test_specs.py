"""The bundled contract documents in specs/: valid, focused on one operation, and consistent.

Each document is an OpenAPI 3.1 description of one revocation endpoint plus ``x-revocation``.
These tests keep the two halves in step (every status an answer allows is a documented response),
pin the normalizations the vendors' published documents needed, and keep the YAML clean. No network.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from revocation_contracts.model.contract import BUNDLED_NAMES, ContractError, bundled_specs_dir, load_contract

REPO_ROOT = Path(__file__).resolve().parents[2]
SPECS_DIR = REPO_ROOT / "specs"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# Statuses an x-revocation answer allows that the document does not yet list as a response.
# Keep this empty for every vendor spec; an entry here is a known gap to fix in the spec.
KNOWN_UNDOCUMENTED: dict[str, set[tuple[str, int]]] = {}
# Other operations a vendor has on the revocation path (declared, never probed).
OTHER_OPERATIONS = {"github": {"post", "patch"}}
# Specs that do not pass yamllint yet (line-length); remove once fixed.
KNOWN_YAMLLINT_FAILURES: set[str] = set()


def _raw(name: str) -> dict[str, Any]:
    document = yaml.safe_load((SPECS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _operation(document: dict[str, Any]) -> dict[str, Any]:
    operation = document["x-revocation"]["operation"]
    result: dict[str, Any] = document["paths"][operation["path"]][operation["method"].lower()]
    return result


def _is_documented(status: int, responses: dict[str, Any]) -> bool:
    """Whether ``responses`` covers ``status``: exactly, by an ``NXX`` range, or by ``default``."""
    return (
        str(status) in responses
        or f"{str(status)[0]}XX" in {key.upper() for key in responses}
        or ("default" in responses)
    )


def test_specs_dir_holds_exactly_the_bundled_contracts() -> None:
    assert sorted(path.stem for path in SPECS_DIR.glob("*.yaml")) == sorted(BUNDLED_NAMES)
    # Installed from a wheel the loader reads the packaged copies; they must be the same files.
    for name in BUNDLED_NAMES:
        packaged = bundled_specs_dir() / f"{name}.yaml"
        assert packaged.read_bytes() == (SPECS_DIR / f"{name}.yaml").read_bytes()


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_load_contract_validates_both_halves(name: str) -> None:
    contract = load_contract(name)
    assert contract.name == name
    assert contract.path.startswith("/")
    assert contract.document["openapi"] == "3.1.0"


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_openapi_core_accepts_the_document(name: str) -> None:
    from openapi_core import OpenAPI

    document = _raw(name)
    OpenAPI.from_dict(document)


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_paths_hold_only_the_revocation_operation(name: str) -> None:
    document = _raw(name)
    operation = document["x-revocation"]["operation"]
    assert list(document["paths"]) == [operation["path"]]
    methods = HTTP_METHODS & set(document["paths"][operation["path"]])
    assert methods == {operation["method"].lower()} | OTHER_OPERATIONS.get(name, set())


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_every_answer_status_is_a_documented_response(name: str) -> None:
    document = _raw(name)
    responses = _operation(document)["responses"]
    undocumented = {
        (situation, status)
        for situation, answer in document["x-revocation"]["responses"].items()
        for status in answer["status"]
        if not _is_documented(status, responses)
    }
    assert undocumented <= KNOWN_UNDOCUMENTED.get(name, set()), (
        f"{name}: x-revocation answers allow statuses the operation does not document: {sorted(undocumented)}"
    )


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_every_spec_documents_405_and_503_with_retry_after(name: str) -> None:
    responses = _operation(_raw(name))["responses"]
    assert "405" in responses
    if name in ("okta", "google"):
        pytest.skip(f"the {name} document says nothing of a 503; the contract adds none")
    assert "Retry-After" in responses["503"].get("headers", {})


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_request_media_types_match_the_request_body(name: str) -> None:
    document = _raw(name)
    declared = set(_operation(document)["requestBody"]["content"])
    assert declared == set(document["x-revocation"]["request"]["media-types"])


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_basic_answer_only_where_basic_is_a_method(name: str) -> None:
    contract = load_contract(name)
    if "basic" in contract.client_auth.methods:
        answer = contract.answer("bad-client-basic")
        # A Basic challenge comes with a 401 only (GitHub promises neither: a pinned deviation).
        assert answer.www_authenticate == "Basic" or name == "github"
        assert answer.statuses == {401} or answer.www_authenticate is None
    else:
        assert not contract.has_answer("bad-client-basic")


@pytest.mark.parametrize("name", [name for name in BUNDLED_NAMES if name != "rfc7009"])
def test_vendor_specs_record_their_deviations(name: str) -> None:
    deviations = load_contract(name).deviations
    assert deviations, f"{name} departs from the vendor's document but records no deviations"
    for deviation in deviations:
        assert deviation["what"].strip() and deviation["why"].strip()


def test_mollie_path_is_not_doubled() -> None:
    document = _raw("mollie")
    assert document["servers"] == [{"url": "https://api.mollie.com"}]
    for path, item in document["paths"].items():
        assert "oauth2/oauth2" not in path
        assert "servers" not in item
        for method in HTTP_METHODS & set(item):
            assert "servers" not in item[method]
    assert load_contract("mollie").path == "/oauth2/tokens"
    whats = " ".join(deviation["what"] for deviation in load_contract("mollie").deviations)
    assert "path-level server" in whats


def test_mollie_drops_header_parameters_and_requires_basic() -> None:
    document = _raw("mollie")
    operation = _operation(document)
    names = {parameter["name"].lower() for parameter in operation.get("parameters", [])}
    assert not names & {"authorization", "content-type"}
    assert operation["security"] == [{"clientBasic": []}]
    assert document["components"]["securitySchemes"]["clientBasic"] == {
        **document["components"]["securitySchemes"]["clientBasic"],
        "type": "http",
        "scheme": "basic",
    }
    schema = document["components"]["schemas"]["RevokeTokensRequest"]
    assert set(schema["required"]) == {"token", "token_type_hint"}
    assert schema["properties"]["token_type_hint"]["enum"] == ["access_token", "refresh_token"]
    for status in ("400", "401", "422"):
        assert set(operation["responses"][status]["content"]) == {"application/json", "application/hal+json"}


def test_polar_credentials_are_optional_in_the_schema_and_basic_is_optional() -> None:
    document = _raw("polar")
    schema = document["components"]["schemas"]["RevokeTokenRequest"]
    assert schema["required"] == ["token"]
    hint = schema["properties"]["token_type_hint"]
    assert hint == {**hint, "type": "string", "enum": ["access_token", "refresh_token"]}
    assert "anyOf" not in hint
    assert _operation(document)["security"] == [{}, {"clientBasic": []}]
    assert "WWW-Authenticate" in _operation(document)["responses"]["401"]["headers"]


def test_auth0_client_secret_is_optional_in_the_schema() -> None:
    document = _raw("auth0")
    assert _operation(document)["security"] == []
    schema = document["components"]["schemas"]["RevokeRefreshTokenRequest"]
    assert set(schema["required"]) == {"client_id", "token"}


def test_voucherify_security_needs_both_application_keys() -> None:
    document = _raw("voucherify")
    assert _operation(document)["security"] == [{"X-App-Id": [], "X-App-Token": []}]
    headers = document["x-revocation"]["client-auth"]["headers"]
    assert headers == {"client-id": "X-App-Id", "client-secret": "X-App-Token"}


# What schemathesis' response checks must accept (ok=True) or refuse for each contract's answers.
RESPONSE_CASES = [
    ("polar", 200, "application/json", b"{}", True),
    ("polar", 200, "application/json", b'{"revoked": true}', False),
    ("polar", 400, "application/json", b'{"error": "invalid_request"}', True),
    ("polar", 401, "application/json", b'{"detail": "nope"}', False),
    ("voucherify", 204, None, b"", True),
    ("voucherify", 404, None, b"", True),
    ("voucherify", 404, "application/json", b'{"code": 404, "key": "not_found", "message": "Not found"}', True),
    ("voucherify", 401, "application/json", b'{"code": 401, "key": "unauthorized", "message": "Unauthorized"}', True),
    ("voucherify", 400, "application/json", b'{"error": "invalid_request"}', False),
    ("mollie", 204, None, b"", True),
    ("mollie", 401, "application/json", b'{"error": "invalid_client"}', True),
    ("mollie", 422, "application/hal+json", b'{"status": 422, "title": "Unprocessable Entity", "detail": "x"}', True),
    ("mollie", 400, "application/hal+json", b'{"error": "invalid_request"}', False),
    ("auth0", 200, None, b"", True),
    ("auth0", 200, "text/plain", b"OK", True),
    ("auth0", 401, "application/json", b'{"error": "invalid_client", "error_description": "x"}', True),
    ("auth0", 400, "application/json", b"not json", False),
]


@pytest.mark.parametrize(("name", "status", "content_type", "body", "ok"), RESPONSE_CASES)
def test_schemathesis_response_validation(
    name: str, status: int, content_type: str | None, body: bytes, ok: bool
) -> None:
    import requests
    import schemathesis

    document = copy.deepcopy(load_contract(name).document)
    schema = schemathesis.openapi.from_dict(document)
    contract = load_contract(name)
    operation = schema[contract.path][contract.method]
    request = requests.Request(contract.method, "http://127.0.0.1" + contract.path).prepare()
    headers = {"content-type": [content_type]} if content_type else {}
    response = schemathesis.Response(
        status_code=status, headers=headers, content=body, request=request, elapsed=0.01, verify=True
    )
    if ok:
        operation.validate_response(response)
    else:
        with pytest.raises(AssertionError):
            operation.validate_response(response)


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_spec_passes_yamllint(name: str) -> None:
    if name in KNOWN_YAMLLINT_FAILURES:
        pytest.xfail(f"{name}.yaml has lines over 120 characters; wrap them and drop it from KNOWN_YAMLLINT_FAILURES")
    result = subprocess.run(
        [sys.executable, "-m", "yamllint", "-f", "parsable", "-c", ".yamllint", f"specs/{name}.yaml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- broken documents: one line, no traceback ---------------------------------------------------


def _write(tmp_path: Path, document: dict[str, Any]) -> str:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return str(path)


def _assert_one_line(exc: pytest.ExceptionInfo[ContractError], *fragments: str) -> None:
    message = str(exc.value)
    assert "\n" not in message
    for fragment in fragments:
        assert re.search(fragment, message), message


def test_document_without_x_revocation_is_refused(tmp_path: Path) -> None:
    document = _raw("polar")
    del document["x-revocation"]
    with pytest.raises(ContractError) as exc:
        load_contract(_write(tmp_path, document))
    _assert_one_line(exc, "has no 'x-revocation' extension")


def test_bad_x_revocation_field_is_refused(tmp_path: Path) -> None:
    document = _raw("polar")
    document["x-revocation"]["tokens"]["refresh-revokes-access"] = "sometimes"
    with pytest.raises(ContractError) as exc:
        load_contract(_write(tmp_path, document))
    _assert_one_line(exc, r"x-revocation/tokens/refresh-revokes-access", "sometimes")


def test_unknown_answer_name_is_refused(tmp_path: Path) -> None:
    document = _raw("mollie")
    document["x-revocation"]["responses"]["token-expired"] = {"status": [204], "clause": "made up"}
    with pytest.raises(ContractError) as exc:
        load_contract(_write(tmp_path, document))
    _assert_one_line(exc, "x-revocation/responses", "token-expired")


def test_operation_missing_from_paths_is_refused(tmp_path: Path) -> None:
    document = _raw("auth0")
    document["x-revocation"]["operation"]["method"] = "PUT"
    with pytest.raises(ContractError) as exc:
        load_contract(_write(tmp_path, document))
    _assert_one_line(exc, "PUT /oauth/revoke")


# --- spec errors name the file and the line ------------------------------------------------------


def _line_of(text: str, needle: str) -> int:
    """1-based number of the first line of ``text`` containing ``needle``."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def _edited(tmp_path: Path, name: str, old: str, new: str, suffix: str = ".yaml") -> tuple[str, str]:
    """A copy of a bundled spec renamed ``mine`` with one edit: (path, its text)."""
    text = (SPECS_DIR / f"{name}.yaml").read_text(encoding="utf-8").replace(f"\n  name: {name}\n", "\n  name: mine\n")
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / f"mine{suffix}"
    path.write_text(text, encoding="utf-8")
    return str(path), text


def test_yaml_syntax_error_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("openapi: 3.0.3\ninfo:\n  title: x\n  version: [1\npaths: {}\n", encoding="utf-8")
    with pytest.raises(ContractError) as exc:
        load_contract(str(path))
    _assert_one_line(exc, re.escape(f"spec file {str(path)!r}, line 5, column "), "not valid YAML/JSON")
    assert "<unicode string>" not in str(exc.value)


def test_validation_error_names_the_file_and_the_line_of_the_key(tmp_path: Path) -> None:
    path, text = _edited(tmp_path, "polar", "refresh-revokes-access: must", "refresh-revokes-access: sometimes")
    with pytest.raises(ContractError) as exc:
        load_contract(path)
    line = _line_of(text, "refresh-revokes-access: sometimes")
    _assert_one_line(exc, re.escape(f"spec {path!r}, line {line}: x-revocation/tokens/refresh-revokes-access: "))


def test_every_problem_has_its_own_line_number(tmp_path: Path) -> None:
    """Several mistakes, each reported on the line of its own key (the unknown keys' mapping)."""
    path, text = _edited(tmp_path, "polar", "    token-field: token\n", "    token-feild: token\n")
    text = text.replace("refresh-revokes-access: must", "refresh-revokes-access: sometimes", 1)
    Path(path).write_text(text, encoding="utf-8")
    with pytest.raises(ContractError) as exc:
        load_contract(path)
    lines = str(exc.value).splitlines()
    assert f"spec {path!r}, line {_line_of(text, '  request:')}: x-revocation/request: " in "\n".join(lines), lines
    tokens = f"spec {path!r}, line {_line_of(text, 'refresh-revokes-access: sometimes')}: x-revocation/tokens/"
    assert any(line.startswith(tokens) for line in lines), lines


def test_cross_check_error_names_the_line(tmp_path: Path) -> None:
    path, text = _edited(tmp_path, "auth0", "method: POST", "method: PUT")
    with pytest.raises(ContractError) as exc:
        load_contract(path)
    line = _line_of(text, "method: PUT")
    _assert_one_line(exc, re.escape(f"spec {path!r}, line "), "PUT /oauth/revoke")
    assert int(re.search(r", line (\d+):", str(exc.value)).group(1)) <= line  # type: ignore[union-attr]


def test_openapi_error_names_the_line(tmp_path: Path) -> None:
    path, text = _edited(tmp_path, "rfc7009", "  title:", "  tittle:")
    with pytest.raises(ContractError) as exc:
        load_contract(path)
    _assert_one_line(exc, re.escape(f"spec {path!r}, line {_line_of(text, 'info:')}: is not a valid OpenAPI document"))


def test_json_spec_errors_name_the_line(tmp_path: Path) -> None:
    import json

    document = _raw("polar")
    document["x-revocation"]["name"] = "mine"
    document["x-revocation"]["tokens"]["refresh-revokes-access"] = "sometimes"
    text = json.dumps(document, indent=2)
    path = tmp_path / "mine.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContractError) as exc:
        load_contract(str(path))
    line = _line_of(text, '"refresh-revokes-access": "sometimes"')
    _assert_one_line(exc, re.escape(f"spec {str(path)!r}, line {line}: x-revocation/tokens/refresh-revokes-access"))
