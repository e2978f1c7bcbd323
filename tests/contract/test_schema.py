"""Schema conformance: schemathesis generates valid and invalid requests from the bundled
document, in each of its phases (the document's examples, the coverage phase's deterministic
cases, Hypothesis fuzzing), and every answer is judged by schemathesis' built-in checks
(configured from the contract's ``x-revocation``), the OAuth checks in
``revocation_contracts.rules.checks``, and, for a case that is a situation an explicit test
judges (an undocumented media type, a missing or empty token, an empty hint), the same rule of
the engine that judges that test.

One test per API operation, with an id the suite chooses:
``test_schema_conformance[polar-POST:/v1/oauth2/revoke]`` (contract, operation's method, a colon,
its path; never a space), so ``--lf`` and ``--deselect`` name it like any other test."""

import pytest

from revocation_contracts.schema_run import run_schema_test


@pytest.mark.clause("vendor doc (OpenAPI document) and RFC 6749 section 5.2: schema conformance")
def test_schema_conformance(contract_schema, target):
    run_schema_test(contract_schema, target)
