"""Revocation semantics (RFC 7009 sections 2.1 and 2.2, CONTRACTS.md): stateful property tests
that mint tokens, revoke them through drawn requests and probe whether they still work.

One test per property, each with an explicit-examples twin that records regressions. They need
a token supply (embedded reference servers, or --token-command and --probe-command) and are
skipped, saying how to enable them, without one. The property bodies and strategies live in
``revocation_contracts.semantics``; ``PROPERTIES`` there maps each to its planted bug.
"""

import pytest

from revocation_contracts.semantics import verify, verify_example
from revocation_contracts.semantics.properties import P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11

pytestmark = pytest.mark.semantic


@pytest.mark.clause(P1.clause)
def test_revoked_token_is_dead(semantic_run, request):
    """RFC 7009 2.1: "the token cannot be used again after the revocation" - a state machine
    mints grants, revokes tokens through drawn documented variants and re-probes the dead."""
    verify(semantic_run, P1, request)


@pytest.mark.clause(P1.clause)
@pytest.mark.parametrize("case", list(P1.examples))
def test_revoked_token_is_dead_examples(semantic_run, request, case):
    verify_example(semantic_run, P1, case, request)


@pytest.mark.clause(P2.clause)
def test_revoking_again_or_unknown_answers_per_contract(semantic_run, request):
    """RFC 7009 2.2: an already revoked or unknown token gets the contract's unknown-token
    answer (200, 204, or Voucherify's 404), never a 5xx."""
    verify(semantic_run, P2, request)


@pytest.mark.clause(P2.clause)
@pytest.mark.parametrize("case", list(P2.examples))
def test_revoking_again_or_unknown_answers_per_contract_examples(semantic_run, request, case):
    verify_example(semantic_run, P2, case, request)


@pytest.mark.clause(P3.clause)
def test_wrong_hint_still_revokes(semantic_run, request):
    """RFC 7009 2.1: with a token_type_hint naming the other type the server MUST still find
    and revoke the token (contracts with a hint field)."""
    verify(semantic_run, P3, request)


@pytest.mark.clause(P3.clause)
@pytest.mark.parametrize("case", list(P3.examples))
def test_wrong_hint_still_revokes_examples(semantic_run, request, case):
    verify_example(semantic_run, P3, case, request)


@pytest.mark.clause(P4.clause)
def test_refresh_revocation_kills_grant_access_tokens(semantic_run, request):
    """RFC 7009 2.1: revoking a refresh token invalidates its grant's access tokens; a must for
    Polar and Mollie, a SHOULD (warning; --strict-semantics fails) for RFC 7009."""
    verify(semantic_run, P4, request)


@pytest.mark.clause(P4.clause)
@pytest.mark.parametrize("case", list(P4.examples))
def test_refresh_revocation_kills_grant_access_tokens_examples(semantic_run, request, case):
    verify_example(semantic_run, P4, case, request)


@pytest.mark.clause(P5.clause)
def test_foreign_token_stays_active(semantic_run, request):
    """RFC 7009 2.1: a token of one client, sent with another client's valid credentials, stays
    active and gets the contract's foreign-token answer (needs --second-client-*)."""
    verify(semantic_run, P5, request)


@pytest.mark.clause(P5.clause)
@pytest.mark.parametrize("case", list(P5.examples))
def test_foreign_token_stays_active_examples(semantic_run, request, case):
    verify_example(semantic_run, P5, case, request)


@pytest.mark.clause(P6.clause)
def test_no_over_revocation(semantic_run, request):
    """CONTRACTS.md: revoking one grant's token leaves the client's other grants active."""
    verify(semantic_run, P6, request)


@pytest.mark.clause(P6.clause)
@pytest.mark.parametrize("case", list(P6.examples))
def test_no_over_revocation_examples(semantic_run, request, case):
    verify_example(semantic_run, P6, case, request)


@pytest.mark.clause(P7.clause)
def test_tokens_needing_form_escapes_are_revoked(semantic_run, request):
    """RFC 6749 appendix B: tokens with '+', '/', '=' or '%' are revoked through every
    documented media type (embedded: pinned values; commands: tokens as they come)."""
    verify(semantic_run, P7, request)


@pytest.mark.clause(P7.clause)
@pytest.mark.parametrize("case", list(P7.examples))
def test_tokens_needing_form_escapes_are_revoked_examples(semantic_run, request, case):
    verify_example(semantic_run, P7, case, request)


@pytest.mark.clause(P8.clause)
def test_undocumented_method_or_query_token_never_revokes(semantic_run, request):
    """Another method never revokes, with the token in its query string or its body (failure,
    PIN-method-refused); a token only in the query string of the documented method should not
    (a warning, PIN-query-token); never a 5xx (RFC 6749 5.2)."""
    verify(semantic_run, P8, request)


@pytest.mark.clause(P8.clause)
@pytest.mark.parametrize("case", list(P8.examples))
def test_undocumented_method_or_query_token_never_revokes_examples(semantic_run, request, case):
    verify_example(semantic_run, P8, case, request)


@pytest.mark.clause(P9.clause)
def test_nothing_echoed(semantic_run, request):
    """CONTRACTS.md: no response contains the client secret or the token sent for revocation
    (checked on every response of every semantic test; here on a drawn mix of requests)."""
    verify(semantic_run, P9, request)


@pytest.mark.clause(P9.clause)
@pytest.mark.parametrize("case", list(P9.examples))
def test_nothing_echoed_examples(semantic_run, request, case):
    verify_example(semantic_run, P9, case, request)


@pytest.mark.clause(P10.clause)
def test_documented_query_token_revokes(semantic_run, request):
    """Where the contract documents the token in the query string (google: DOC-google-token-in-query),
    a revocation sent that way revokes: the revoked answer, then the probe says dead."""
    verify(semantic_run, P10, request)


@pytest.mark.clause(P10.clause)
@pytest.mark.parametrize("case", list(P10.examples))
def test_documented_query_token_revokes_examples(semantic_run, request, case):
    verify_example(semantic_run, P10, case, request)


@pytest.mark.clause(P11.clause)
def test_unknown_hint_revokes_or_is_refused(semantic_run, request):
    """RFC 7009 2.1 and 2.2.1: a live token sent with a token_type_hint no server knows is
    revoked (the search extends past the hint), or the hint is refused with the contract's
    unsupported-hint answer and the token stays active; a success that leaves it active fails."""
    verify(semantic_run, P11, request)


@pytest.mark.clause(P11.clause)
@pytest.mark.parametrize("case", list(P11.examples))
def test_unknown_hint_revokes_or_is_refused_examples(semantic_run, request, case):
    verify_example(semantic_run, P11, case, request)
