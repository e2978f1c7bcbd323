"""Load-time validation of a contract document: every mistake, one line each.

Why all errors at once: a user writing a contract from a copy fixes it in one pass when the
suite lists every problem, not the first one per run. Why the extra cross-checks: the JSON
Schema of ``x-revocation`` sees one half of the document; the mistakes that hurt are between
the halves (a status an answer allows but the OpenAPI part never documents, a ``security``
that names a scheme ``client-auth`` does not send, a path parameter with no value). And two
traps of YAML get named: an unknown key is reported with the nearest valid one (``stauts``:
did you mean ``status``?), and an unquoted ``no``/``yes``/``on``/``off`` that YAML 1.1 reads
as a boolean is pointed out instead of being reported as "False is not one of ...".

Why line numbers: a contract is a file someone edits, and "x-revocation/responses/revoked" is
a path they must then look up by hand. The loaded document has no positions, so the file is
composed once more (``yaml.compose``: nodes with marks) only when a problem is reported, and
each problem's leading path (``x-revocation/responses/revoked``, or the path of an OpenAPI
validation error) is mapped to the line of its deepest key found in the file. A YAML syntax
error names the file, line and column itself (``yaml_error_message``), not ``<unicode string>``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from typing import Any

import yaml

from revocation_contracts.model.pointer import resolve_ref

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
YAML_BOOLEAN_HINT = 'YAML reads an unquoted no/yes/on/off (and true/false) as a boolean: quote it, e.g. "no"'
PATH_PARAM = re.compile(r"{([^}]+)}")
# The path a problem line starts with: ``x-revocation/responses/revoked: ...``, ``client-auth/methods lists``.
LEADING_PATH = re.compile(r"^([A-Za-z0-9_.{}-]+(?:/[A-Za-z0-9_.{}-]+)*)[: ]")

LineOf = Callable[[Sequence[Any]], "int | None"]


class ContractError(Exception):
    """A contract could not be found, read or validated; the message says which and why."""


def validate_document(document: dict[str, Any], location: str, text: str | None = None) -> None:
    """Validate the OpenAPI document and its ``x-revocation`` extension, or raise ContractError.

    The message holds one line per problem found, each naming the file and, when ``text`` (the
    file's content) is given, the line the problem is on.
    """
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    prefix = f"spec {location!r}"
    try:
        validate(document)
    except OpenAPIValidationError as exc:
        line = line_finder(text)(list(getattr(exc, "path", ())))
        where = "/".join(str(part) for part in getattr(exc, "path", ()))
        message = exc.message.split("\n", 1)[0]  # the rest is the JSON Schema and the whole instance
        raise ContractError(
            f"{_at(prefix, line)}: is not a valid OpenAPI document: {where + ': ' if where else ''}{message}"
        ) from None
    extension = document.get("x-revocation")
    if extension is None:
        raise ContractError(f"{prefix} has no 'x-revocation' extension; see specs/rfc7009.yaml for one")
    problems = [f"x-revocation/{where}: {message}" for where, message in _boolean_keys(extension, [])]
    errors = sorted(_extension_validator().iter_errors(extension), key=lambda error: [str(p) for p in error.path])
    problems += [_describe(error) for error in errors]
    if not problems:
        problems = cross_check(document, extension)
    if problems:
        line_of = line_finder(text)
        raise ContractError(
            "\n".join(f"{_at(prefix, _problem_line(problem, line_of))}: {problem}" for problem in problems)
        )


def _at(prefix: str, line: int | None) -> str:
    return prefix if line is None else f"{prefix}, line {line}"


def _problem_line(problem: str, line_of: LineOf) -> int | None:
    """The line of the path a problem starts with; a bare ``client-auth/...`` is under x-revocation."""
    match = LEADING_PATH.match(problem)
    if match is None:
        return None
    parts = match.group(1).split("/")
    return line_of(parts) if parts[0] == "x-revocation" else line_of(["x-revocation", *parts])


def line_finder(text: str | None) -> LineOf:
    """``path parts -> 1-based line`` of the deepest key of the path found in ``text``; None when
    the text is unknown or does not compose. A key YAML reads as a boolean matches "True"/"False"."""
    if text is None:
        return lambda parts: None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        root = None
    if root is None:
        return lambda parts: None

    def line_of(parts: Sequence[Any]) -> int | None:
        node: yaml.Node = root
        line: int | None = None
        for part in parts:
            if isinstance(node, yaml.MappingNode):
                found = next(((key, value) for key, value in node.value if _key_matches(key, part)), None)
                if found is None:
                    break
                line, node = found[0].start_mark.line + 1, found[1]
            elif isinstance(node, yaml.SequenceNode) and str(part).isdigit() and int(part) < len(node.value):
                node = node.value[int(part)]
                line = node.start_mark.line + 1
            else:
                break
        return line

    return line_of


def _key_matches(key: yaml.Node, part: Any) -> bool:
    if not isinstance(key, yaml.ScalarNode):
        return False
    if key.tag.endswith(":bool"):
        value = yaml.constructor.SafeConstructor.bool_values.get(str(key.value).lower())
        return str(value) == str(part)
    return str(key.value) == str(part)


def yaml_error_message(location: str, error: yaml.YAMLError) -> str:
    """One line naming the file, line and column of a YAML/JSON syntax error (PyYAML's own
    message names ``<unicode string>`` and spans several lines)."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None)
    if mark is None or problem is None:
        return f"spec file {location!r} is not valid YAML/JSON: {' '.join(str(error).split())}"
    context = getattr(error, "context", None)
    context_mark = getattr(error, "context_mark", None)
    where = f" ({context} on line {context_mark.line + 1})" if context and context_mark is not None else ""
    return (
        f"spec file {location!r}, line {mark.line + 1}, column {mark.column + 1}: not valid YAML/JSON: {problem}{where}"
    )


def _boolean_keys(node: Any, path: list[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = [*path, str(key)]
            if isinstance(key, bool):
                found.append(("/".join(here), f"a key read as the boolean {str(key).lower()}; {YAML_BOOLEAN_HINT}"))
            found += _boolean_keys(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _boolean_keys(item, [*path, str(index)])
    return found


def _describe(error: Any) -> str:
    where = "/".join(str(part) for part in error.path) or "(top)"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = _known_keys(error.schema)
        lines = []
        for key in sorted(set(error.instance) - set(known), key=str):
            if isinstance(key, bool):
                continue  # reported by _boolean_keys
            nearest = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f" (did you mean {nearest[0]!r}?)" if nearest else f" (valid keys: {', '.join(known)})"
            lines.append(f"unknown key {key!r}{hint}")
        if lines:
            return f"x-revocation/{where}: " + "; ".join(lines)
    if isinstance(error.instance, bool):
        return f"x-revocation/{where}: got the boolean {str(error.instance).lower()}; {YAML_BOOLEAN_HINT}"
    return f"x-revocation/{where}: {error.message}"


def _known_keys(schema: dict[str, Any]) -> list[str]:
    known = list(schema.get("properties", {}))
    for pattern in schema.get("patternProperties", {}):
        match = re.fullmatch(r"\^\(([^()]*)\)\$", pattern)
        if match:
            known += match.group(1).split("|")
    return known


@cache
def _extension_validator() -> Any:
    from jsonschema import Draft202012Validator

    schema_text = resources.files("revocation_contracts.model").joinpath("x_revocation.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(schema_text))


def _documented(status: int, responses: dict[str, Any]) -> bool:
    return (
        str(status) in responses
        or f"{str(status)[0]}XX" in {str(key).upper() for key in responses}
        or ("default" in responses)
    )


def cross_check(document: dict[str, Any], extension: dict[str, Any]) -> list[str]:
    """Problems between the OpenAPI part and ``x-revocation``, one line each."""
    operation_ref = extension["operation"]
    path, method = operation_ref["path"], operation_ref["method"]
    operation = document.get("paths", {}).get(path, {}).get(method.lower())
    if not isinstance(operation, dict):
        return [f"x-revocation names {method} {path}, which the document's paths do not define"]
    problems = _check_path_params(document, operation_ref, operation)
    responses = operation.get("responses", {})
    for situation, answer in extension["responses"].items():
        readings = [(f"x-revocation/responses/{situation}", answer)] + [
            (f"x-revocation/responses/{situation}/warned/{index}", warned)
            for index, warned in enumerate(answer.get("warned", ()))
        ]
        for where, reading in readings:
            for status in reading["status"]:
                if not _documented(status, responses):
                    problems.append(
                        f"{where}: status {status} is not a documented response of {method} {path}; "
                        "add it under responses"
                    )
            if where != readings[0][0] and set(reading["status"]) & set(answer["status"]):
                problems.append(f"{where}: a warned status is already one of the answer's own statuses")
    methods = extension["client-auth"]["methods"]
    sendable = [name for name in methods if name not in ("private-key-jwt", "client-secret-jwt")]
    if not sendable:
        problems.append("x-revocation/client-auth/methods: list at least one method the suite can send")
    public = sendable == ["none"]
    if not public and "bad-client" not in extension["responses"]:
        problems.append("x-revocation/responses: 'bad-client' is required where clients authenticate")
    problems += _check_security(document, operation, extension["client-auth"])
    for index, entry in enumerate(extension["errors"]["bodies"]):
        try:
            resolve_ref(document, entry["schema"])
        except (KeyError, TypeError):
            problems.append(f"x-revocation/errors/bodies/{index}/schema: {entry['schema']!r} is not in the document")
    return problems


def _check_path_params(document: dict[str, Any], operation_ref: dict[str, Any], operation: dict[str, Any]) -> list[str]:
    in_path = PATH_PARAM.findall(operation_ref["path"])
    declared = operation_ref.get("path-params", {})
    problems = [
        f"x-revocation/operation/path-params: {{{name}}} is in the path but has no entry "
        "(give it a value, or bind: client-id)"
        for name in in_path
        if name not in declared
    ]
    problems += [
        f"x-revocation/operation/path-params/{name}: the path {operation_ref['path']} has no {{{name}}}"
        for name in declared
        if name not in in_path
    ]
    item = document["paths"][operation_ref["path"]]
    documented = {
        param.get("name")
        for param in [*item.get("parameters", []), *operation.get("parameters", [])]
        if isinstance(param, dict) and param.get("in") == "path"
    }
    problems += [
        f"x-revocation/operation/path-params/{name}: the OpenAPI operation declares no path parameter {name!r}"
        for name in in_path
        if name not in documented
    ]
    return problems


def _check_security(document: dict[str, Any], operation: dict[str, Any], auth: dict[str, Any]) -> list[str]:
    """``security`` and ``client-auth`` describe the same credentials (RFC 6749 section 2.3)."""
    requirements = operation.get("security", document.get("security", []))
    schemes = document.get("components", {}).get("securitySchemes", {})
    methods = set(auth["methods"])
    headers = auth.get("headers", {})
    problems: list[str] = []
    named: set[str] = set()
    for requirement in requirements:
        if not requirement and not methods & {"form-body", "json-body", "none"}:
            problems.append(
                "security allows a request without credentials ({}), but client-auth lists no body method or none"
            )
        for name in requirement:
            scheme = schemes.get(name, {})
            kind = (scheme.get("type"), str(scheme.get("scheme", "")).lower(), scheme.get("in"))
            if kind[:2] == ("http", "basic"):
                named.add("basic")
                if "basic" not in methods:
                    problems.append(f"security scheme {name!r} is HTTP Basic, but client-auth/methods lacks basic")
            elif kind[0] == "apiKey" and kind[2] == "header":
                named.add("headers")
                if "headers" not in methods or scheme.get("name") not in headers.values():
                    problems.append(
                        f"security scheme {name!r} is the header {scheme.get('name')!r}, but client-auth/headers "
                        "does not name it"
                    )
            else:
                problems.append(
                    f"security scheme {name!r} ({kind[0]}) is not a way client-auth sends credentials "
                    "(basic, headers, a body method, or none)"
                )
    for method in ("basic", "headers"):
        if method in methods and method not in named:
            problems.append(f"client-auth/methods lists {method}, but the operation's security has no such scheme")
    return problems
