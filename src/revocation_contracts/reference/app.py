"""One faithful revocation endpoint per contract, built from the contract's data.

Why one generic app and not eight: the contracts describe endpoints that differ only in
data (path, method, how credentials travel, which status each situation gets, error body
format, which tokens cascade). Reading all of that from the ``Contract`` keeps the reference
honest: whatever the suite expects, the reference was built from the same document.

The order of the handler's steps is the order a careful server follows: method (RFC 7009
2.1), media type, body parsing, client authentication (RFC 6749 2.3), required fields, hint
(RFC 7009 2.1), lookup, revocation with cascade (RFC 7009 2). Planted bugs (``bugs.py``) are
switches at exactly those steps, each breaking one rule.

Test-only endpoints live under ``/__revocation_contracts__/`` so they can never collide with a
contract path: ``POST .../grants`` mints a grant, ``POST .../introspect`` says whether a token
is active. A real deployment has neither; the suite uses them only against this server.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from revocation_contracts.model.contract import Answer, Contract
from revocation_contracts.reference.error_bodies import build_error_body
from revocation_contracts.reference.store import DEFAULT_CLIENTS, Client, TokenStore

TEST_PREFIX = "/__revocation_contracts__"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
BASIC_CHALLENGE = 'Basic realm="revocation-contracts", charset="UTF-8"'


class NotFound(Exception):
    """The request names a path this endpoint does not serve."""


class Reject(Exception):
    """Stop handling and answer ``situation`` as the contract says."""

    def __init__(self, situation: str, error: str, description: str, *, basic_used: bool = False) -> None:
        super().__init__(description)
        self.situation = situation
        self.error = error
        self.description = description
        self.basic_used = basic_used


class RevocationEndpoint:
    """The revocation handler for one contract, with its store and planted bugs."""

    def __init__(self, contract: Contract, store: TokenStore, bugs: frozenset[str]) -> None:
        self.contract = contract
        self.store = store
        self.bugs = bugs

    async def handle(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except Reject as reject:
            return self._error(reject)
        except NotFound:
            return Response(status_code=404)

    async def _handle(self, request: Request) -> Response:
        contract = self.contract
        if request.method in contract.other_methods:
            # The vendor's other operations on this path (a token check, a reset) are not this
            # server's: it knows no token for them, the answer a vendor gives an invalid token.
            body, media_type = build_error_body(contract, 404, "invalid_request", "not implemented by the reference")
            return Response(json.dumps(body), status_code=404, media_type=media_type)
        if request.method != contract.method and "accepts-undocumented-method" not in self.bugs:
            if "query-string-revokes" in self.bugs and contract.token_field in request.query_params:
                self._revoke_value(request.query_params[contract.token_field], client=None)
            status = _preferred_status(contract.answer("undocumented-method"), "undocumented-method")
            if "other-method-404" in self.bugs:
                return Response(status_code=404)
            return Response(status_code=status, headers={"Allow": contract.method})
        raw = await request.body()
        if not raw and "server-error-on-empty-body" in self.bugs:
            raise RuntimeError("planted bug: empty body")
        params = self._parse_body(request, raw)
        in_query = "query" in contract.token_in and "query-string-ignored" not in self.bugs
        in_query = in_query or "query-token-merged" in self.bugs
        if in_query and contract.token_field in request.query_params:
            params.setdefault(contract.token_field, request.query_params[contract.token_field])
        self._check_fixed_path_params(request)
        client = self._authenticate(request, params)
        token = params.get(contract.token_field)
        # RFC 6749 3.2: an empty value is an omitted parameter, unless the contract reads it as an unknown token.
        missing = token is None or (token == "" and contract.empty_token != "unknown")
        if missing and "missing-token-accepted" not in self.bugs:
            raise Reject("missing-token", "invalid_request", f"the {contract.token_field} parameter is required")
        self._check_hint(params)
        token = token or ""
        if "no-percent-decode" in self.bugs:
            token = _undecoded_field(raw, contract.token_field) or token
        revoked = self._revoke(token, client, hint=params.get(contract.hint.field) if contract.hint else None)
        answer = contract.answer("revoked" if revoked else "unknown-token")
        response = self._success(answer, revoked)
        if "echoes-token" in self.bugs:
            # Only visible ASCII: a generated token with a control character (CR, LF, NUL) in a
            # header would break HTTP itself, and the bug is an echo, not a broken answer.
            response.headers["X-Revoked-Token"] = "".join(c if " " <= c <= "~" else "?" for c in token)
        return response

    # -- parsing -----------------------------------------------------------------------------

    def _parse_body(self, request: Request, raw: bytes) -> dict[str, str]:
        """Body parameters, percent-decoded for forms (RFC 6749 appendix B); strings only."""
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not raw and not media_type:
            return {}
        documented = self.contract.media_types
        if "second-media-type-refused" in self.bugs and media_type in documented[1:]:
            raise Reject("unsupported-media-type", "invalid_request", "unsupported media type")
        if media_type not in documented:
            if "accepts-undocumented-media-type" in self.bugs:
                media_type = "application/x-www-form-urlencoded"
            elif media_type == "application/json" and "accepts-json-body" in self.bugs:
                pass  # read as JSON below, as frameworks that parse JSON as well as forms do
            elif "server-error-on-undocumented-media-type" in self.bugs:
                raise RuntimeError("planted bug: undocumented media type")
            else:
                raise Reject("unsupported-media-type", "invalid_request", "unsupported media type")
        if media_type == "application/json":
            try:
                data = json.loads(raw or b"null")
            except (ValueError, UnicodeDecodeError):
                raise Reject("missing-token", "invalid_request", "the body is not valid JSON") from None
            if not isinstance(data, dict):
                if "server-error-on-non-object-json" in self.bugs:
                    raise RuntimeError("planted bug: non-object JSON")
                raise Reject("missing-token", "invalid_request", "the body must be a JSON object")
            known = self._known_fields()
            if any(not isinstance(data[name], str) for name in known if data.get(name) is not None):
                raise Reject("missing-token", "invalid_request", "every parameter must be a string")
            # The rules: unknown extra fields are ignored, whatever their type.
            return {name: data[name] for name in known if isinstance(data.get(name), str)}
        try:
            text = raw.decode("utf-8")
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise Reject("missing-token", "invalid_request", "the body is not valid form data") from None
        known = self._known_fields()
        params: dict[str, str] = {}
        for key, value in pairs:
            if key not in known:
                continue  # The rules: unknown extra fields are ignored, even repeated ones
            if key in params:
                # RFC 6749 3.1: "Request and response parameters MUST NOT be included more than once."
                raise Reject("missing-token", "invalid_request", f"parameter {key} repeated")
            params[key] = value
        return params

    def _known_fields(self) -> frozenset[str]:
        contract = self.contract
        names = {contract.token_field}
        if contract.hint is not None:
            names.add(contract.hint.field)
        if contract.client_auth.in_body:
            names |= {contract.client_auth.id_field, contract.client_auth.secret_field}
        return frozenset(names)

    # -- client authentication ---------------------------------------------------------------

    def _check_fixed_path_params(self, request: Request) -> None:
        """A fixed path parameter with another value names another endpoint: 404, no body due."""
        for param in self.contract.path_params.values():
            if param.bind is None and request.path_params.get(param.name) != param.value:
                raise NotFound()

    def _authenticate(self, request: Request, params: dict[str, str]) -> Client | None:
        """The authenticated client, per the contract's methods (RFC 6749 2.3.1); None for a public one."""
        auth = self.contract.client_auth
        if auth.public:
            return None
        header = request.headers.get("authorization", "")
        basic_used = "basic" in auth.methods and header[:6].lower() == "basic "
        client_id: str | None = None
        client_secret: str | None = None
        if basic_used:
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
                client_id, _, client_secret = decoded.partition(":")
            except (binascii.Error, UnicodeDecodeError):
                client_id = client_secret = None
        elif "headers" in auth.methods:
            client_id = request.headers.get(auth.id_header or "")
            client_secret = request.headers.get(auth.secret_header or "")
        elif auth.in_body:
            client_id = params.get(auth.id_field)
            client_secret = params.get(auth.secret_field)
        client = self.store.authenticate(client_id, client_secret)
        if basic_used and "basic-auth-refused" in self.bugs:
            client = None
        if client is None and "ignores-client-auth" in self.bugs:
            client = DEFAULT_CLIENTS[0]
        bound = [param.name for param in self.contract.path_params.values() if param.bind == "client-id"]
        if client is not None and any(request.path_params.get(name) != client.client_id for name in bound):
            client = None  # the path names another client than the credentials prove
        if client is None:
            description = "client authentication failed"
            if "echoes-secret" in self.bugs and client_secret:
                description += f" for secret {client_secret}"
            raise Reject(
                "bad-client-basic" if basic_used else "bad-client", "invalid_client", description, basic_used=basic_used
            )
        return client

    def _check_hint(self, params: dict[str, str]) -> None:
        hint_rule = self.contract.hint
        if hint_rule is None:
            return
        hint = params.get(hint_rule.field)
        if hint == "" and "empty-hint-server-error" in self.bugs:
            raise RuntimeError("planted bug: empty hint")
        if hint is None:
            if hint_rule.required:
                raise Reject("missing-token", "invalid_request", f"the {hint_rule.field} parameter is required")
            return
        rejects = hint_rule.unknown_value == "reject" or "unsupported-hint-401" in self.bugs
        if (
            hint not in hint_rule.values
            and rejects
            and "hint-not-validated" not in self.bugs
            and "unknown-hint-ignored" not in self.bugs
        ):
            raise Reject("unsupported-hint", "unsupported_token_type", "the token type hint is not supported")

    # -- revocation --------------------------------------------------------------------------

    def _revoke(self, token: str, client: Client | None, hint: str | None) -> bool:
        """Revoke ``token`` if this client owns it; True when the revoked answer is due."""
        found = self.store.find(token)
        if found is None:
            return False
        grant, kind = found
        if "hint-restricts-search" in self.bugs and hint in ("access_token", "refresh_token") and hint != kind:
            return False
        known_hints = self.contract.hint.values if self.contract.hint else ()
        if "unknown-hint-ignored" in self.bugs and hint and hint not in known_hints:
            return False  # the lookup is gated by the hint, and no token type has this name
        # A public client's endpoint takes possession of the token as the authority (RFC 6749 2.1).
        owner_matches = self.contract.client_auth.public or (client is not None and grant.client_id == client.client_id)
        if not owner_matches and "cross-client-revokes" not in self.bugs:
            return False
        if kind not in self.contract.tokens.revocable or not grant.active[kind]:
            if not grant.active.get(kind, False) and "second-revoke-error" in self.bugs:
                raise RuntimeError("planted bug: second revocation")
            return False
        self._revoke_value(token, client)
        return True

    def _revoke_value(self, token: str, client: Client | None) -> None:
        found = self.store.find(token)
        if found is None:
            return
        grant, kind = found
        if "keeps-token" in self.bugs:
            return
        if "revokes-all-grants" in self.bugs:
            self.store.deactivate_client(grant.client_id)
            return
        kinds = [kind]
        rules = self.contract.tokens
        if kind == "refresh_token" and rules.refresh_revokes_access != "no" and "no-cascade" not in self.bugs:
            kinds.append("access_token")
        if kind == "access_token" and rules.access_revokes_refresh == "must":
            kinds.append("refresh_token")
        self.store.deactivate(grant.grant_id, tuple(kinds))

    # -- answers -----------------------------------------------------------------------------

    def _success(self, answer: Answer, revoked: bool) -> Response:
        status = min(answer.statuses)
        if status >= 400 and answer.body == "error":
            # A 4xx answer to an unknown token (RFC 7009 leaves it to the vendor): the contract's error body.
            raise Reject("revoked" if revoked else "unknown-token", answer.error or "invalid_request", "invalid token")
        if "wrong-success-status" in self.bugs and revoked:
            status = 202
        # A 204 carries no body (RFC 9110 section 15.3.5): these two bugs cannot apply to it, and
        # sending one anyway breaks HTTP framing (the connection resets), not the contract.
        if "success-body-not-contract" in self.bugs and status != 204:
            return JSONResponse({"revoked": revoked}, status_code=status)
        if "wrong-success-content-type" in self.bugs and status != 204:
            return Response("{}", status_code=status, media_type="text/html")
        if answer.body == "empty-object":
            return JSONResponse({}, status_code=status)
        return Response(status_code=status)

    def _error(self, reject: Reject) -> Response:
        contract = self.contract
        status = _preferred_status(contract.answer(reject.situation), reject.situation)
        if reject.situation == "missing-token" and "error-code-wrong-status" in self.bugs:
            status = 401
        if reject.situation == "unsupported-hint" and "unsupported-hint-401" in self.bugs:
            status = 401
        bare = "missing-token-bare-422" in self.bugs and reject.situation == "missing-token"
        bare = bare and 422 in contract.answer("missing-token").statuses
        if bare:
            status = 422  # allowed; the body below is what breaks the document
        headers: dict[str, str] = {}
        unchallenged = "no-challenge-without-basic" in self.bugs and not reject.basic_used
        if status == 401 and "basic" in contract.client_auth.methods and "no-www-authenticate" not in self.bugs:
            headers["WWW-Authenticate"] = BASIC_CHALLENGE
            if unchallenged:
                del headers["WWW-Authenticate"]
            if "www-authenticate-bearer" in self.bugs:
                headers["WWW-Authenticate"] = 'Bearer realm="revocation-contracts"'
        if "error-body-not-contract" in self.bugs:
            return Response(reject.description, status_code=status, headers=headers, media_type="text/plain")
        if reject.situation == "undocumented-method":
            return Response(status_code=status, headers=headers)
        answer = contract.answer(reject.situation)
        body, media_type = build_error_body(contract, status, answer.error or reject.error, reject.description)
        if bare:  # only the code and message members, not the others the document's 422 body requires
            named = {field for entry in contract.error_bodies for field in (entry.code_field, entry.message_field)}
            body = {name: value for name, value in body.items() if name in named}
        return Response(json.dumps(body), status_code=status, headers=headers, media_type=media_type)


# Where a contract allows several statuses, the reference answers the most specific one.
PREFERRED_STATUS = {
    "unsupported-media-type": 415,
    "undocumented-method": 405,
    "bad-client": 401,
    "bad-client-basic": 401,
}


def _preferred_status(answer: Answer, situation: str) -> int:
    preferred = PREFERRED_STATUS.get(situation)
    return preferred if preferred in answer.statuses else min(answer.statuses)


def _undecoded_field(raw: bytes, name: str) -> str | None:
    """A planted bug's form reader: splits on '&' and '=' but never percent-decodes."""
    for part in raw.decode("utf-8", "replace").split("&"):
        key, _, value = part.partition("=")
        if key == name:
            return value
    return None


def build_app(contract: Contract, store: TokenStore, bugs: frozenset[str] = frozenset()) -> Starlette:
    """The ASGI app: the contract's endpoint plus the namespaced test-only endpoints."""
    endpoint = RevocationEndpoint(contract, store, bugs)

    async def mint(request: Request) -> Response:
        data = await request.json()
        client_id = data.get("client_id")
        types = tuple(data.get("token_types") or contract.tokens.types)
        try:
            grant = store.mint(client_id, types, values=data.get("values"))
        except KeyError:
            return JSONResponse({"error": "unknown client"}, status_code=400)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse({"grant_id": grant.grant_id, **grant.tokens})

    async def introspect(request: Request) -> Response:
        data = await request.json()
        token = data.get("token", "")
        return JSONResponse({"active": store.is_active(token), "token_type": store.token_type(token)})

    routes = [
        Route(contract.path, endpoint.handle, methods=ALL_METHODS),
        Route(f"{TEST_PREFIX}/grants", mint, methods=["POST"]),
        Route(f"{TEST_PREFIX}/introspect", introspect, methods=["POST"]),
    ]
    return Starlette(routes=routes)
