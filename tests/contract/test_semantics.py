"""Revocation semantics (RFC 7009 sections 2.1 and 2.2, the project's rules): stateful property tests
that mint tokens, revoke them through drawn requests and probe whether they still work.

One test per property, each with an explicit-examples twin that records regressions. They need
a token supply (embedded reference servers, or --token-command and --probe-command) and are
skipped, saying how to enable them, without one. Each property is declared once in
``revocation_contracts.semantics`` (its claim, check, plans, examples and planted bug); each test
here is marked with it (``@drawn_plans(P1)``, ``@explicit_plans(P1)``: its clause, and for the twin
one test per named example), and ``semantic_verdict`` (conftest.py) judges that property.
"""

import pytest

from revocation_contracts.pytest_plugin.properties import drawn_plans, explicit_plans
from revocation_contracts.semantics.properties import P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11

pytestmark = pytest.mark.semantic


@drawn_plans(P1)
def test_revoked_token_is_dead(semantic_verdict):
    """RFC 7009 2.1: "the token cannot be used again after the revocation" - a state machine
    mints grants, revokes tokens through drawn documented variants and re-probes the dead."""
    semantic_verdict()


@explicit_plans(P1)
def test_revoked_token_is_dead_examples(semantic_verdict, case):
    semantic_verdict(case)


@drawn_plans(P2)
def test_revoking_again_or_unknown_answers_per_contract(semantic_verdict):
    """RFC 7009 2.2: an already revoked or unknown token gets the contract's unknown-token
    answer (200, 204, or Voucherify's 404), never a 5xx."""
    semantic_verdict()


@explicit_plans(P2)
def test_revoking_again_or_unknown_answers_per_contract_examples(semantic_verdict, case):
    semantic_verdict(case)


@drawn_plans(P3)
def test_wrong_hint_still_revokes(semantic_verdict):
    """RFC 7009 2.1: with a token_type_hint naming the other type the server MUST still find
    and revoke the token (contracts with a hint field)."""
    semantic_verdict()


@explicit_plans(P3)
def test_wrong_hint_still_revokes_examples(semantic_verdict, case):
    semantic_verdict(case)


@drawn_plans(P4)
def test_refresh_revocation_kills_grant_access_tokens(semantic_verdict):
    """RFC 7009 2.1: revoking a refresh token invalidates its grant's access tokens; a must for
    Polar and Mollie, a SHOULD (warning; --strict-semantics fails) for RFC 7009."""
    semantic_verdict()


@explicit_plans(P4)
def test_refresh_revocation_kills_grant_access_tokens_examples(semantic_verdict, case):
    semantic_verdict(case)


@drawn_plans(P5)
def test_foreign_token_stays_active(semantic_verdict):
    """RFC 7009 2.1: a token of one client, sent with another client's valid credentials, stays
    active and gets the contract's foreign-token answer (needs --second-client-*)."""
    semantic_verdict()


@explicit_plans(P5)
def test_foreign_token_stays_active_examples(semantic_verdict, case):
    semantic_verdict(case)


@drawn_plans(P6)
def test_no_over_revocation(semantic_verdict):
    """The rules (docs/contracts.md): revoking one grant's token leaves the client's other grants active."""
    semantic_verdict()


@explicit_plans(P6)
def test_no_over_revocation_examples(semantic_verdict, case):
    semantic_verdict(case)


@drawn_plans(P7)
def test_tokens_needing_form_escapes_are_revoked(semantic_verdict):
    """RFC 6749 appendix B: tokens with '+', '/', '=' or '%' are revoked through every
    documented media type (embedded: pinned values; commands: tokens as they come)."""
    semantic_verdict()


@explicit_plans(P7)
def test_tokens_needing_form_escapes_are_revoked_examples(semantic_verdict, case):
    semantic_verdict(case)


@drawn_plans(P8)
def test_undocumented_method_or_query_token_never_revokes(semantic_verdict):
    """Another method never revokes, with the token in its query string or its body (failure,
    PIN-method-refused); a token only in the query string of the documented method should not
    (a warning, PIN-query-token); never a 5xx (RFC 6749 5.2)."""
    semantic_verdict()


@explicit_plans(P8)
def test_undocumented_method_or_query_token_never_revokes_examples(semantic_verdict, case):
    semantic_verdict(case)


@drawn_plans(P9)
def test_nothing_echoed(semantic_verdict):
    """The rules (docs/contracts.md): no response contains the client secret or the token sent for revocation
    (checked on every response of every semantic test; here on a drawn mix of requests)."""
    semantic_verdict()


@explicit_plans(P9)
def test_nothing_echoed_examples(semantic_verdict, case):
    semantic_verdict(case)


@drawn_plans(P10)
def test_documented_query_token_revokes(semantic_verdict):
    """Where the contract documents the token in the query string (google: DOC-google-token-in-query),
    a revocation sent that way revokes: the revoked answer, then the probe says dead."""
    semantic_verdict()


@explicit_plans(P10)
def test_documented_query_token_revokes_examples(semantic_verdict, case):
    semantic_verdict(case)


@drawn_plans(P11)
def test_unknown_hint_revokes_or_is_refused(semantic_verdict):
    """RFC 7009 2.1 and 2.2.1: a live token sent with a token_type_hint no server knows is
    revoked (the search extends past the hint), or the hint is refused with the contract's
    unsupported-hint answer and the token stays active; a success that leaves it active fails."""
    semantic_verdict()


@explicit_plans(P11)
def test_unknown_hint_revokes_or_is_refused_examples(semantic_verdict, case):
    semantic_verdict(case)
