"""Bad JWTs of any kind get 401 on Rasa's HTTP API, never 500.

Rasa's API authenticates with sanic-jwt, which turns only some of PyJWT's errors into "not
authenticated": a token whose header names another algorithm (alg "none", RS256...) raises
PyJWT's InvalidAlgorithmError, which nothing catches (HTTP 500 and an ERROR trace); an Authorization
header that is not "Bearer <token>" gives 400. Here every token that cannot be verified is a
DecodeError (sanic-jwt: not authenticated, Rasa: 401), and a malformed header counts as no token
(401). A correctly signed token whose "user" is not an object gets no role (Rasa: 403), where Rasa
failed on it with 500. Verification itself is unchanged: same secret, same algorithm, same claims.
"""
from __future__ import annotations

_installed = False


def install() -> None:
    """Patch sanic-jwt's Authentication as described above (idempotent)."""
    global _installed
    if _installed:
        return
    import jwt
    from sanic_jwt import exceptions
    from sanic_jwt.authentication import Authentication

    # what sanic-jwt's _verify already answers with "not authenticated"
    handled = (jwt.exceptions.DecodeError, jwt.exceptions.ExpiredSignatureError, jwt.exceptions.InvalidIssuerError,
               jwt.exceptions.ImmatureSignatureError, jwt.exceptions.InvalidIssuedAtError,
               jwt.exceptions.InvalidAudienceError, exceptions.InvalidVerificationError,
               exceptions.InvalidCustomClaimError)
    decode, get_token, extract_payload = Authentication._decode, Authentication._get_token, \
        Authentication.extract_payload

    async def _decode(self, token, verify=True, inline_claims=None):
        try:
            return await decode(self, token, verify=verify, inline_claims=inline_claims)
        except handled:
            raise
        except (jwt.exceptions.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise jwt.exceptions.DecodeError(f"Invalid token ({type(exc).__name__}).") from None

    def _get_token(self, request, refresh_token=False):
        try:
            return get_token(self, request, refresh_token=refresh_token)
        except exceptions.InvalidAuthorizationHeader:
            raise exceptions.MissingAuthorizationHeader() from None

    async def _extract_payload(self, request, verify=True, *args, **kwargs):
        payload = await extract_payload(self, request, verify, *args, **kwargs)
        if isinstance(payload, dict) and "user" in payload and not isinstance(payload["user"], dict):
            payload = {**payload, "user": {}}
        return payload

    Authentication._decode = _decode
    Authentication._get_token = _get_token
    Authentication.extract_payload = _extract_payload
    _installed = True
