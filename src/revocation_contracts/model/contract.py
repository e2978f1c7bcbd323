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
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from revocation_contracts.model.errors import ErrorBody, inline_refs
from revocation_contracts.model.pointer import resolve_ref
from revocation_contracts.model.validation import HTTP_METHODS, line_finder, validate_document, yaml_error_message
from revocation_contracts.model.validation import ContractError as ContractError

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


# Client-authentication methods the suite can send, and those it never sends (it holds no key
# to sign an assertion with) but which a document may list (RFC 7523, OpenID Connect Core 9).
SENDABLE_METHODS = ("basic", "form-body", "json-body", "headers", "none")
UNSENT_METHODS = ("private-key-jwt", "client-secret-jwt")
# Body fields of the unsent methods; dropped from generated requests (RFC 7521 section 4.2).
ASSERTION_FIELDS = ("client_assertion", "client_assertion_type")


@dataclass(frozen=True)
class Answer:
    """What the endpoint must answer in one situation, and the clause that says so."""

    statuses: frozenset[int]
    clause: str
    body: str = "any"
    error: str | None = None
    www_authenticate: str | None = None
    # Other answers a second defensible reading of the RFCs gives: accepted, with a warning that
    # cites their own clause (e.g. rfc7009's 200 for a missing token, read as an invalid token).
    warned: tuple[Answer, ...] = ()

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
    """How the client authenticates (RFC 6749 section 2.3, or a vendor's own headers).

    ``methods`` are the ones the suite sends, in the document's order; ``declared`` also keeps
    the ones it never sends (signed assertions), so a document may list every method it has.
    ``none`` is a public client (RFC 6749 section 2.1): no credentials at all.
    """

    methods: tuple[str, ...]
    id_field: str = "client_id"
    secret_field: str = "client_secret"
    id_header: str | None = None
    secret_header: str | None = None
    declared: tuple[str, ...] = ()

    @property
    def public(self) -> bool:
        """Whether no sendable method carries credentials: possession of a token is the authority."""
        return self.methods == ("none",)

    @property
    def default_method(self) -> str:
        return self.methods[0]

    @property
    def in_body(self) -> bool:
        return any(method.endswith("-body") for method in self.methods)


@dataclass(frozen=True)
class PathParam:
    """A parameter of the documented path: a fixed value, or bound to the client id."""

    name: str
    value: str | None = None
    bind: str | None = None  # "client-id"


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
    error_bodies: tuple[ErrorBody, ...]
    error_statuses: dict[str, frozenset[int]]
    tokens: TokenRules
    document: dict[str, Any] = field(repr=False, compare=False, hash=False)
    location: str = ""
    deviations: tuple[dict[str, str], ...] = ()
    path_params: dict[str, PathParam] = field(default_factory=dict)
    token_in: tuple[str, ...] = ("body",)
    token_in_clause: str = ""  # the clause documenting the token in the query string, if any
    error_codes: dict[str, str] = field(default_factory=dict)
    clauses: dict[str, str] = field(default_factory=dict)

    @property
    def operation(self) -> dict[str, Any]:
        """The revocation operation of the OpenAPI document."""
        operation: dict[str, Any] = self.document["paths"][self.path][self.method.lower()]
        return operation

    @property
    def other_methods(self) -> tuple[str, ...]:
        """Other operations the document declares on the revocation path (e.g. a token check).

        They are the vendor's, not undocumented: the suite never probes them as such.
        """
        item = self.document["paths"].get(self.path, {})
        return tuple(method.upper() for method in item if method in HTTP_METHODS and method.upper() != self.method)

    def url_path(self, client_id: str | None = None) -> str:
        """The path to send to: every path parameter replaced by its value (RFC 6570 level 1)."""
        path = self.path
        for param in self.path_params.values():
            value = client_id if param.bind == "client-id" else param.value
            path = path.replace("{" + param.name + "}", quote(value or "", safe=""))
        return path

    def with_path_params(self, values: dict[str, str] | None) -> Contract:
        """This contract with path parameter values given by ``--path-param`` (they win).

        Names this path lacks are left alone: with several contracts selected, a value is for
        whichever of them has the parameter (the options check that one does).
        """
        mine = {name: value for name, value in (values or {}).items() if name in self.path_params}
        if not mine:
            return self
        params = dict(self.path_params)
        for name, value in mine.items():
            params[name] = PathParam(name, value=value)
        return replace(self, path_params=params)

    def concrete(self, client_id: str | None) -> Contract:
        """The contract as schemathesis sees it: the path filled in, only the revocation operation.

        Path values are the contract's (never generated), and the other operations on the same
        path are the vendor's business, not this endpoint's contract.
        """
        document = json.loads(json.dumps(self.document))
        operation = document["paths"][self.path][self.method.lower()]
        for holder in (operation, document["paths"][self.path]):
            parameters = [item for item in holder.get("parameters", []) if item.get("in") != "path"]
            if "parameters" in holder:
                holder["parameters"] = parameters
        path = self.url_path(client_id)
        document["paths"] = {path: {self.method.lower(): operation}}
        document["x-revocation"]["operation"] = {"path": path, "method": self.method}
        return replace(contract_from_document(document, self.location), document=document)

    def answer(self, situation: str) -> Answer:
        """The expected answer for a situation; client-auth variants fall back to ``bad-client``."""
        if situation in self.answers:
            return self.answers[situation]
        if situation in ("bad-client-basic", "missing-client"):
            return self.answers["bad-client"]
        raise KeyError(f"contract {self.name!r} says nothing about {situation!r}")

    def warned_reading(self, situation: str, status: int) -> Answer | None:
        """The warned reading of ``situation`` whose statuses include ``status``, if the contract has one."""
        try:
            answer = self.answer(situation)
        except KeyError:
            return None
        return next((reading for reading in answer.warned if status in reading.statuses), None)

    def has_answer(self, situation: str) -> bool:
        return situation in self.answers

    def documented_content(self, status: int) -> dict[str, Any]:
        """The OpenAPI response content (media type -> object) documented for ``status``."""
        responses = self.operation.get("responses", {})
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or {}
        if "$ref" in response:
            response = resolve_ref(self.document, response["$ref"])
        content = response.get("content", {})
        return content if isinstance(content, dict) else {}

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
        operation = document["x-revocation"]["operation"]
        declared = set(re.findall(r"{([^}]+)}", path))
        operation["path-params"] = {
            name: value for name, value in operation.get("path-params", {}).items() if name in declared
        }
        moved = contract_from_document(document, self.location)
        return replace(
            moved,
            path_params={
                **moved.path_params,
                **{name: param for name, param in self.path_params.items() if name in declared},
            },
        )


def bundled_specs_dir() -> Path:
    """Where the bundled documents live: inside the wheel, or ``specs/`` in a checkout."""
    packaged = Path(__file__).resolve().parents[1] / "specs"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "specs"


def _bundled_names() -> tuple[str, ...]:
    """Every document in the bundled specs directory: adding a file adds a contract.

    ``specs/ORDER`` (data, one name a line) fixes the order ``--spec all`` runs them in.
    """
    found = {path.stem for path in bundled_specs_dir().glob("*.yaml")}
    order_file = bundled_specs_dir() / "ORDER"
    lines = order_file.read_text(encoding="utf-8").splitlines() if order_file.is_file() else []
    listed = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    ordered = [name for name in listed if name in found]
    return tuple(ordered) + tuple(sorted(found - set(ordered)))


BUNDLED_NAMES = _bundled_names()


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
        text = path.read_text(encoding="utf-8")
        document = yaml.safe_load(text)
    except OSError as exc:
        raise ContractError(f"cannot read spec file {str(path)!r}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ContractError(yaml_error_message(str(path), exc)) from None
    if not isinstance(document, dict):
        raise ContractError(f"spec file {str(path)!r} does not hold an OpenAPI document (an object)")
    validate_document(document, str(path), text)
    contract = contract_from_document(document, str(path))
    bundled = bundled_specs_dir() / f"{contract.name}.yaml"
    if contract.name in BUNDLED_NAMES and path.read_bytes() != bundled.read_bytes():
        line = line_finder(text)(["x-revocation", "name"])
        raise ContractError(
            f"spec {str(path)!r}, line {line}: x-revocation/name {contract.name!r} is the name of a bundled contract; "
            "give your copy a name of its own"
        )
    return contract


def contract_from_document(document: dict[str, Any], location: str) -> Contract:
    extension = document["x-revocation"]
    request = extension["request"]
    hint = request.get("hint")
    auth = extension["client-auth"]
    headers = auth.get("headers", {})
    tokens = extension["tokens"]
    errors = extension["errors"]
    declared_methods = tuple(auth["methods"])
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
            methods=tuple(method for method in declared_methods if method in SENDABLE_METHODS),
            declared=declared_methods,
            id_field=auth.get("id-field", "client_id"),
            secret_field=auth.get("secret-field", "client_secret"),
            id_header=headers.get("client-id"),
            secret_header=headers.get("client-secret"),
        ),
        answers={name: _answer(answer) for name, answer in extension["responses"].items()},
        error_bodies=tuple(
            ErrorBody(
                schema_ref=entry["schema"],
                media_types=tuple(entry["media-types"]),
                clause=entry["clause"],
                code_field=entry.get("code-field"),
                message_field=entry.get("message-field"),
                schema=inline_refs(document, {"$ref": entry["schema"]}),
            )
            for entry in errors["bodies"]
        ),
        error_codes=dict(errors.get("codes", {})),
        path_params={
            name: PathParam(name, value=param.get("value"), bind=param.get("bind"))
            for name, param in extension["operation"].get("path-params", {}).items()
        },
        token_in=tuple(request.get("token-in", ("body",))),
        token_in_clause=request.get("token-in-clause", ""),
        clauses=dict(extension.get("clauses", {})),
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


def _answer(data: dict[str, Any]) -> Answer:
    """One ``x-revocation.responses`` entry (or one of its ``warned`` readings)."""
    return Answer(
        statuses=frozenset(data["status"]),
        clause=data["clause"],
        body=data.get("body", "any"),
        error=data.get("error"),
        www_authenticate=data.get("www-authenticate"),
        warned=tuple(_answer(reading) for reading in data.get("warned", ())),
    )
