"""Schema conformance: schemathesis generates valid and invalid requests from the bundled
document and checks every answer with its built-in checks (configured from the contract's
``x-revocation``) plus the OAuth checks in ``revocation_contracts.rules.checks``."""

import pytest
import schemathesis

from revocation_contracts.rules.schema_suite import run_case

schema = schemathesis.pytest.from_fixture("contract_schema")


@pytest.mark.clause("vendor doc (OpenAPI document) and RFC 6749 section 5.2: schema conformance")
@schema.parametrize()
def test_schema_conformance(case, target):
    run_case(case, target)
