"""A revocation contract: one OpenAPI document plus its ``x-revocation`` extension.

Why a contract is data and not code: the engine (checks, reference servers, semantic
properties) reads every promise a contract makes from this model, so a sixth vendor is a new
YAML file, not a new module. The OpenAPI part says what schemathesis can check on its own
(request schema, statuses, response schemas); ``x-revocation`` says what it cannot: which
answer each situation deserves, how credentials travel, which token types die together.

Both halves are validated on load: the OpenAPI document by openapi-spec-validator, the
extension by the JSON Schema shipped beside this module. A broken document is a usage error
with one line saying what is wrong, never a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

BUNDLED_NAMES = ("polar", "voucherify", "mollie", "auth0", "rfc7009")

ANSWER_NAMES = (
    "revoked",
    "unknown-token",
    "foreign-token",
    "missing-token",
    "missing-client",
    "unsupported-hint",
    "bad-client",
    "bad-client-basic",
    "unsupported-media-type",
    "undocumented-method",
)


class ContractError(Exception):
    """A contract could not be found, read or validated; the message says which and why."""


@dataclass(frozen=True)
class Answer:
    """What the endpoint must answer in one situation, and the clause that says so."""

    statuses: frozenset[int]
    clause: str
    body: str = "any"
    error: str | None = None
    www_authenticate: str | None = None

    def describe(self) -> str:
        statuses = " or ".join(str(status) for status in sorted(self.statuses))
        error = f" with error {self.error!r}" if self.error else ""
        return f"{statuses}{error}"


@dataclass(frozen=True)
class HintRule:
    """How ``token_type_hint`` (RFC 7009 section 2.1) is named, constrained and treated."""

    field: str
    required: bool
    values: tuple[str, ...]
    unknown_value: str  # "ignore", "reject" or "ignore-or-reject"


@dataclass(frozen=True)
class ClientAuth:
    """How the client authenticates (RFC 6749 section 2.3, or a vendor's own headers)."""

    methods: tuple[str, ...]
    id_field: str = "client_id"
    secret_field: str = "client_secret"
    id_header: str | None = None
    secret_header: str | None = None

    @property
    def default_method(self) -> str:
        return self.methods[0]

    @property
    def in_body(self) -> bool:
        return any(method.endswith("-body") for method in self.methods)


@dataclass(frozen=True)
class TokenRules:
    """Which token types exist, which the endpoint revokes, and how grants cascade (RFC 7009 section 2)."""

    types: tuple[str, ...]
    revocable: tuple[str, ...]
    refresh_revokes_access: str  # "must", "should" or "no"
    access_revokes_refresh: str  # "must", "may" or "no"


@dataclass(frozen=True)
class Contract:
    """Everything the suite knows about one revocation endpoint's contract."""

    name: str
    title: str
    source: str
    path: str
    method: str
    media_types: tuple[str, ...]
    token_field: str
    empty_token: str  # "unknown", "missing" or "either"
    hint: HintRule | None
    client_auth: ClientAuth
    answers: dict[str, Answer]
    error_format: str
    error_statuses: dict[str, frozenset[int]]
    tokens: TokenRules
    document: dict[str, Any] = field(repr=False, compare=False, hash=False)
    location: str = ""
    deviations: tuple[dict[str, str], ...] = ()

    def answer(self, situation: str) -> Answer:
        """The expected answer for a situation; client-auth variants fall back to ``bad-client``."""
        if situation in self.answers:
            return self.answers[situation]
        if situation in ("bad-client-basic", "missing-client"):
            return self.answers["bad-client"]
        raise KeyError(f"contract {self.name!r} says nothing about {situation!r}")

    def has_answer(self, situation: str) -> bool:
        return situation in self.answers

    def statuses_for_error(self, error_code: str) -> frozenset[int]:
        """The statuses an OAuth error code may carry here (RFC 6749 section 5.2)."""
        return self.error_statuses.get(error_code, self.error_statuses.get("*", frozenset({400})))

    @property
    def success_statuses(self) -> frozenset[int]:
        return self.answers["revoked"].statuses | self.answers["unknown-token"].statuses

    def with_path(self, path: str | None) -> Contract:
        """This contract with its endpoint moved (``--endpoint-path``); the document follows."""
        if not path or path == self.path:
            return self
        document = json.loads(json.dumps(self.document))
        document["paths"] = {path: document["paths"].pop(self.path)}
        document["x-revocation"]["operation"]["path"] = path
        return contract_from_document(document, self.location)


def bundled_specs_dir() -> Path:
    """Where the five bundled documents live: inside the wheel, or ``specs/`` in a checkout."""
    packaged = Path(__file__).resolve().parents[1] / "specs"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "specs"


def resolve_spec(name_or_path: str) -> Path:
    """Map ``--spec`` to a file: a bundled name, or a path to the user's own document."""
    if name_or_path in BUNDLED_NAMES:
        return bundled_specs_dir() / f"{name_or_path}.yaml"
    path = Path(name_or_path).expanduser()
    looks_like_path = path.suffix in {".yaml", ".yml", ".json"} or "/" in name_or_path
    if not looks_like_path:
        known = ", ".join(BUNDLED_NAMES)
        raise ContractError(f"unknown spec {name_or_path!r}: use one of {known}, 'all', or a path to an OpenAPI file")
    if not path.is_file():
        raise ContractError(f"spec file {name_or_path!r} does not exist or is not a file")
    return path


@cache
def load_contract(name_or_path: str) -> Contract:
    """Load and validate one contract; cached, since a session asks for each one many times."""
    path = resolve_spec(name_or_path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContractError(f"cannot read spec file {str(path)!r}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ContractError(f"spec file {str(path)!r} is not valid YAML/JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ContractError(f"spec file {str(path)!r} does not hold an OpenAPI document (an object)")
    validate_document(document, str(path))
    return contract_from_document(document, str(path))


def validate_document(document: dict[str, Any], location: str) -> None:
    """Validate the OpenAPI document and its ``x-revocation`` extension, or raise ContractError."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(document)
    except OpenAPIValidationError as exc:
        raise ContractError(f"spec {location!r} is not a valid OpenAPI document: {exc.message}") from None
    extension = document.get("x-revocation")
    if extension is None:
        raise ContractError(f"spec {location!r} has no 'x-revocation' extension; see specs/rfc7009.yaml for one")
    errors = sorted(_extension_validator().iter_errors(extension), key=lambda error: list(error.path))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.path) or "(top)"
        raise ContractError(f"spec {location!r}: x-revocation/{where}: {first.message}")
    operation = extension["operation"]
    operations = document.get("paths", {}).get(operation["path"], {})
    if operation["method"].lower() not in operations:
        raise ContractError(
            f"spec {location!r}: x-revocation names {operation['method']} {operation['path']}, "
            "which the document's paths do not define"
        )


@cache
def _extension_validator() -> Any:
    from jsonschema import Draft202012Validator

    schema_text = resources.files("revocation_contracts.model").joinpath("x_revocation.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(schema_text))


def contract_from_document(document: dict[str, Any], location: str) -> Contract:
    extension = document["x-revocation"]
    request = extension["request"]
    hint = request.get("hint")
    auth = extension["client-auth"]
    headers = auth.get("headers", {})
    tokens = extension["tokens"]
    errors = extension["errors"]
    return Contract(
        name=extension["name"],
        title=extension["title"],
        source=extension["source"],
        path=extension["operation"]["path"],
        method=extension["operation"]["method"],
        media_types=tuple(request["media-types"]),
        token_field=request["token-field"],
        empty_token=request.get("empty-token", "either"),
        hint=HintRule(
            field=hint["field"],
            required=hint["required"],
            values=tuple(hint["values"]),
            unknown_value=hint["unknown-value"],
        )
        if hint
        else None,
        client_auth=ClientAuth(
            methods=tuple(auth["methods"]),
            id_field=auth.get("id-field", "client_id"),
            secret_field=auth.get("secret-field", "client_secret"),
            id_header=headers.get("client-id"),
            secret_header=headers.get("client-secret"),
        ),
        answers={
            name: Answer(
                statuses=frozenset(answer["status"]),
                clause=answer["clause"],
                body=answer.get("body", "any"),
                error=answer.get("error"),
                www_authenticate=answer.get("www-authenticate"),
            )
            for name, answer in extension["responses"].items()
        },
        error_format=errors["format"],
        error_statuses={code: frozenset(statuses) for code, statuses in errors["statuses"].items()},
        tokens=TokenRules(
            types=tuple(tokens["types"]),
            revocable=tuple(tokens["revocable"]),
            refresh_revokes_access=tokens["refresh-revokes-access"],
            access_revokes_refresh=tokens["access-revokes-refresh"],
        ),
        document=document,
        location=location,
        deviations=tuple(extension.get("deviations", ())),
    )
