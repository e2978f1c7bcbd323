"""The three vendor-shaped contracts (okta, google, github) and contracts from a path.

Each of the three differs from the first five in what its data says: okta's path parameter
with a value, google's public client with the token in the query string or the body and its
400 for an unknown token, github's path parameter bound to the client id, JSON body and the
other operations on its path. One planted bug per contract shows that the suite, reading only
that data, still catches a broken server; each bug's test is selected with ``-k`` so a child
run costs seconds. The twin run is a user's first step: every bundled contract copied to a
file under a name of its own, loaded with ``--spec PATH``, run embedded in one child process;
it proves the faithful servers pass those same tests and that no contract needs code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from revocation_contracts.model.contract import BUNDLED_NAMES, resolve_spec

from .conftest import SuiteRun, run_suite, schema_test_id

# (contract, planted bug, -k selection, the test that must fail, text its failure must show)
PROOFS = [
    (
        "okta",
        "no-cascade",
        "test_refresh_revocation_kills_grant_access_tokens",
        "test_semantics.py::test_refresh_revocation_kills_grant_access_tokens[okta]",
        "access token",
    ),
    (
        "google",
        "error-body-not-contract",
        "test_unknown_token_answer",
        "test_protocol.py::test_unknown_token_answer[google]",
        "DOC-google-error",
    ),
    (
        "google",
        "query-string-revokes",
        "test_undocumented_method_or_query_token_never_revokes",
        "test_semantics.py::test_undocumented_method_or_query_token_never_revokes[google]",
        "query",
    ),
    (
        "github",
        "cross-client-revokes",
        "test_foreign_token_stays_active",
        "test_semantics.py::test_foreign_token_stays_active[github]",
        "another client",
    ),
]
# What the faithful twin runs for every renamed copy: the schema test, the explicit tests the
# proofs above use, and the semantic tests they select.
FAITHFUL_SELECTION = " or ".join(
    [
        "test_schema_conformance",
        "test_unknown_token_answer",
        "test_missing_token_is_invalid_request",
        "test_client_authentication_is_enforced",
        *sorted({proof[2] for proof in PROOFS}),
    ]
)
MAX_EXAMPLES = "5"


def _run(workdir: Path, specs: list[str], select: str, *extra: str, bugs: tuple[str, ...] = ()) -> SuiteRun:
    """``run_suite`` under seed 0, selected with ``-k``."""
    return run_suite(workdir, specs, bugs=bugs, seed=0, select=select, extra=extra)


@pytest.mark.parametrize(("spec", "bug", "select", "test_id", "text"), PROOFS, ids=[f"{p[0]}-{p[1]}" for p in PROOFS])
def test_vendor_contract_catches_its_planted_bug(tmp_path, spec, bug, select, test_id, text):
    run = _run(tmp_path, [spec], select, "--max-examples", MAX_EXAMPLES, bugs=(bug,))
    assert run.returncode == 1, run.describe()
    assert run.outcomes.get(test_id) == "failed", f"{test_id}: {run.outcomes.get(test_id)}\n{run.describe()}"
    assert text in run.texts[test_id], run.texts[test_id][-3000:]


def test_every_bundled_contract_renamed_runs_from_a_path(tmp_path):
    """A copied file under a name of its own is a contract: no code change, one child run."""
    specs: list[str] = []
    for name in BUNDLED_NAMES:
        text = resolve_spec(name).read_text(encoding="utf-8")
        assert f"\n  name: {name}\n" in text
        copy = tmp_path / f"my-{name}.yaml"
        copy.write_text(text.replace(f"\n  name: {name}\n", f"\n  name: my-{name}\n", 1), encoding="utf-8")
        specs.append(str(copy))
    run = _run(tmp_path, specs, FAITHFUL_SELECTION, "--max-examples", MAX_EXAMPLES)
    assert run.returncode == 0, run.describe()
    for name in BUNDLED_NAMES:
        for test_id in (
            schema_test_id(f"my-{name}", name),
            f"test_protocol.py::test_unknown_token_answer[my-{name}]",
        ):
            assert run.outcomes.get(test_id) == "passed", f"{test_id}: {run.outcomes.get(test_id)}"
    for spec, _bug, _select, test_id, _text in PROOFS:
        mine = test_id.replace(f"[{spec}]", f"[my-{spec}]")
        assert run.outcomes.get(mine) == "passed", f"{mine}: {run.outcomes.get(mine)}"


def test_a_new_contract_runs_embedded_and_against_a_url(tmp_path, monkeypatch):
    """``revocation-contracts new`` writes a file ``--spec PATH`` runs, embedded and via --target-url."""
    from revocation_contracts.cli import main
    from revocation_contracts.model.contract import load_contract
    from revocation_contracts.reference.server import ReferenceServer
    from revocation_contracts.reference.store import DEFAULT_CLIENTS

    path = tmp_path / "my-idp.yaml"
    assert main(["new", "my-idp", "--from", "github", "--output", str(path)]) == 0
    assert main(["new", "my-idp", "--output", str(path)]) == 4, "an existing file is never overwritten"
    select = "test_unknown_token_answer or test_missing_token_is_invalid_request"
    embedded = _run(tmp_path, [str(path)], select)
    assert embedded.returncode == 0, embedded.describe()
    assert embedded.outcomes.get("test_protocol.py::test_unknown_token_answer[my-idp]") == "passed"
    client = DEFAULT_CLIENTS[0]
    with ReferenceServer(load_contract(str(path))) as server:
        remote = _run(
            tmp_path, [str(path)], select,
            "--target-url", server.base_url, "--client-id", client.client_id, "--client-secret", client.client_secret,
        )  # fmt: skip
    assert remote.returncode == 0, remote.describe()
    assert remote.outcomes.get("test_protocol.py::test_missing_token_is_invalid_request[my-idp]") == "passed"
