"""Schema conformance: schemathesis generates valid and invalid requests from the bundled
document, in each of its phases (the document's examples, the coverage phase's deterministic
cases, Hypothesis fuzzing), and every answer is judged by schemathesis' built-in checks
(configured from the contract's ``x-revocation``), the OAuth checks in
``revocation_contracts.rules.checks``, and, for a case that is a situation an explicit test
judges (an undocumented media type, a missing or empty token, an empty hint), the same rule of
the engine that judges that test.

One test per API operation, with an id the suite chooses:
``test_schema_conformance[polar-POST:/v1/oauth2/revoke]`` (contract, operation's method, a colon,
its path; never a space), so ``--lf`` and ``--deselect`` name it like any other test.

Against a remote target its cases go side by side first, under the same rule as the semantic
properties (``--semantic-workers``; never embedded, never in a pytest-xdist worker): see
``revocation_contracts.schema_run``."""

import pytest

from revocation_contracts.schema_run import run_schema_test
from revocation_contracts.semantics.side_by_side import side_by_side_wanted


@pytest.mark.clause("vendor doc (OpenAPI document) and RFC 6749 section 5.2: schema conformance")
def test_schema_conformance(contract_schema, target, revocation_settings, request):
    workers = revocation_settings.semantic_workers
    in_xdist_worker = hasattr(request.config, "workerinput")
    if not side_by_side_wanted(workers, target.embedded, in_xdist_worker):
        workers = 1
    run_schema_test(
        contract_schema, target, workers, lambda name, value: request.node.user_properties.append((name, value))
    )
