"""``--dry-run``: what the suite would send, to which URL, as whom; and nothing is sent.

Why it is built from the collected tests: the plan must be the run, exactly, after
``--spec``, ``-k``, ``-m`` and every other plugin had their say. So the plugin lets pytest
collect, builds the plan from the items that survived, prints it, and deselects every item:
no fixture runs, so no embedded server starts, no token command runs and no request leaves
the process (the preflight probe is skipped too).

Per contract the plan names the endpoint (method and full URL), the media types, how the
client authenticates (with the secret masked), where tokens come from, the pacing, and the
kinds of requests: the schemathesis phases that generate requests from the OpenAPI document,
and each explicit test with the first line of its docstring (the rule it sends a request
for). Every line goes through the session's redactor before it is printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from revocation_contracts.model.contract import Contract
from revocation_contracts.pytest_plugin.names import SCHEMA_FIXTURE, contract_of
from revocation_contracts.pytest_plugin.settings import Settings
from revocation_contracts.redact import MASK, Redactor
from revocation_contracts.transport.session import MAX_RETRIES, MAX_WAIT

DOC_WIDTH = 100


def _credentials(contract: Contract, client_id: str) -> str:
    """How the client authenticates, once per documented method; the secret is never shown."""
    auth = contract.client_auth
    shapes = {
        "basic": "HTTP Basic (the Authorization header carries id and secret)",
        "form-body": f"form body (fields {auth.id_field} and {auth.secret_field})",
        "json-body": f"JSON body (fields {auth.id_field} and {auth.secret_field})",
        "headers": f"headers {auth.id_header} and {auth.secret_header}",
    }
    described = [shapes.get(method, method) for method in auth.methods]
    first, *others = described
    return f"client {client_id!r}, secret {MASK}, by {first}" + "".join(f"; or by {shape}" for shape in others)


def _tokens(settings: Settings, contract: Contract) -> str:
    if settings.embedded:
        return "minted and probed through the embedded server's test-only endpoints"
    if settings.token_command:
        probe = f", probed by --probe-command {settings.probe_command!r}" if settings.probe_command else ""
        return f"minted by --token-command {settings.token_command!r}{probe}"
    from revocation_contracts.supply.builtin import mint_source, supply_block

    pending = settings.issuer is not None and settings.metadata is None
    source = mint_source(settings, contract, settings.target_url or "", settings.metadata, metadata_pending=pending)
    if source is not None and not source.lacks_seed(settings):
        where = source.endpoint or "the token endpoint in the issuer's metadata"
        command = f"--probe-command {settings.probe_command!r}" if settings.probe_command else None
        declared = "the probes of the spec's token-supply block" if supply_block(contract).get("probes") else None
        given = command or settings.resource_url or settings.introspection_endpoint
        probe = given or ("introspection (metadata)" if settings.issuer else declared or "the refresh grant")
        return f"minted at {where} with the {source.grant} grant, probed by {probe}"
    return "none: the semantic checks are skipped (give --token-command and --probe-command)"


def _pacing(settings: Settings) -> str:
    rate = f"at most {settings.rate_limit:g} requests/s" if settings.rate_limit else "no rate limit"
    return (
        f"{rate}; timeout {settings.request_timeout:g}s per request; 429/503 retried up to {MAX_RETRIES} times "
        f"(Retry-After honoured, at most {MAX_WAIT:g}s)"
    )


def _phases(contract: Contract, settings: Settings) -> str:
    from revocation_contracts.rules.schema_suite import build_config

    project = build_config(contract, settings.max_examples, None).projects.default
    phases = project.phases
    names = [name for name in ("examples", "coverage", "fuzzing", "stateful") if phases.get_by_name(name=name).enabled]
    modes = " and ".join(f"{mode.value}" for mode in project.generation.modes)
    return (
        f"generated from the OpenAPI document by schemathesis: phases {', '.join(names)}; {modes} data; "
        f"up to {settings.max_examples} examples per phase, credentials injected as above"
    )


def _docline(item: Any) -> str:
    """The first paragraph of the test's docstring, shortened: the rule it sends requests for."""
    doc = getattr(getattr(item, "obj", None), "__doc__", None) or ""
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    return paragraph if len(paragraph) <= DOC_WIDTH else paragraph[: DOC_WIDTH - 3].rstrip() + "..."


def _variant(item: Any, contract: Contract) -> str:
    """The item's parameters other than the contract, e.g. ``PUT`` for ``[rfc7009-PUT]``."""
    name = str(item.name)
    original = str(getattr(item, "originalname", name))
    inner = name[len(original) :].strip("[]") if name.startswith(original) else ""
    for piece in (f"{contract.name}-", f"-{contract.name}", contract.name):
        if inner.startswith(piece) or inner.endswith(piece):
            inner = inner[len(piece) :] if inner.startswith(piece) else inner[: -len(piece)]
            break
    return inner


def _endpoint(contract: Contract, settings: Settings) -> str:
    if settings.target_url is None and settings.issuer is not None:
        return (
            f"{contract.method} the revocation_endpoint named by {settings.issuer}'s metadata "
            "(RFC 8414 discovery, not sent in a dry run)"
        )
    path = contract.url_path(_client_id(settings))
    if settings.target_url is None:
        return (
            f"{contract.method} http://127.0.0.1:<port chosen at start>{path} "
            "(embedded reference server, loopback only)"
        )
    return f"{contract.method} {settings.target_url}{path}"


def _client_id(settings: Settings) -> str:
    if settings.client_id:
        return settings.client_id
    from revocation_contracts.reference.store import DEFAULT_CLIENTS

    return DEFAULT_CLIENTS[0].client_id


def _second_client(settings: Settings) -> str:
    if settings.embedded:
        return "the embedded server's second client (cross-client checks)"
    if settings.second_client_id:
        return f"client {settings.second_client_id!r} (cross-client checks)"
    return "none: the cross-client checks are skipped (give --second-client-id and --second-client-secret)"


def _tests(items: Sequence[Any], contract: Contract, with_doc: bool = True) -> list[str]:
    """One line per test function, in file order: its variants and the rule it sends requests for."""
    grouped: dict[str, tuple[list[str], str]] = {}
    ordered = sorted(items, key=lambda item: (str(item.path), item.location[1] or 0))
    for item in ordered:
        key = f"{item.path.name}::{getattr(item, 'originalname', item.name)}"
        variants, doc = grouped.setdefault(key, ([], _docline(item) if with_doc else ""))
        variant = _variant(item, contract)
        if variant:
            variants.append(variant)
    lines = []
    for key, (variants, doc) in grouped.items():
        shown = f" [{', '.join(variants)}]" if variants else ""
        lines.append(f"    {key}{shown}" + (f": {doc}" if doc else ""))
    return lines


def plan(items: Sequence[Any], settings: Settings, redactor: Redactor) -> list[str]:
    """The dry-run plan for the collected ``items``, secrets masked, one string per line."""
    lines = ["revocation-contracts dry run: the plan below was not sent; nothing left this process."]
    by_contract: dict[str, list[Any]] = {}
    contracts: dict[str, Contract] = {}
    others: list[Any] = []
    for item in items:
        contract = contract_of(item)
        if contract is None:
            others.append(item)
            continue
        contracts.setdefault(contract.name, contract)
        by_contract.setdefault(contract.name, []).append(item)
    for name, contract_items in by_contract.items():
        contract = contracts[name]
        schema_items = [item for item in contract_items if SCHEMA_FIXTURE in getattr(item, "fixturenames", ())]
        explicit = [item for item in contract_items if item not in schema_items]
        lines += [
            "",
            f"{name}: {contract.title}",
            f"  endpoint:      {_endpoint(contract, settings)}",
            f"  media types:   {', '.join(contract.media_types)}",
            f"  credentials:   {_credentials(contract, _client_id(settings))}",
            f"  second client: {_second_client(settings)}",
            f"  tokens:        {_tokens(settings, contract)}",
            f"  pacing:        {_pacing(settings)}",
        ]
        if schema_items:
            lines.append(f"  schema tests ({len(schema_items)}): {_phases(contract, settings)}")
            lines += _tests(schema_items, contract, with_doc=False)
        if explicit:
            lines.append(f"  explicit tests ({len(explicit)}): one deliberate request (or a few) each")
            lines += _tests(explicit, contract)
    if others:
        lines += ["", f"other tests ({len(others)}), not bound to a contract:"]
        lines += [f"    {item.nodeid}" for item in others]
    lines += [
        "",
        f"{len(items)} test(s) planned for {len(by_contract)} contract(s); all deselected, no request sent "
        "(drop --dry-run to run them).",
    ]
    return [redactor(line) for line in lines]
