"""Bad JWTs (bot/rasa/jwt_errors.py) on Rasa's own HTTP API (rasa.server.create_app) served on loopback: bad
JWTs of any kind get 401, never 500; good tokens still work."""
import asyncio
import base64
import json

import aiohttp
import jwt
import pytest
from sanic_jwt.authentication import Authentication

from bot.rasa import jwt_errors
from tests.e2e.production_support import free_port
from tests.security.abuse_support import sanic_touch_up

SECRET = "unit-test-jwt-secret-of-forty-characters!"
ADMIN = {"user": {"username": "staff", "role": "admin"}}


def b64(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


BAD_TOKENS = {
    "alg none": f'{b64({"alg": "none", "typ": "JWT"})}.{b64(ADMIN)}.',
    "alg RS256": f'{b64({"alg": "RS256", "typ": "JWT"})}.{b64(ADMIN)}.c2ln',
    "alg HS512": jwt.encode(ADMIN, SECRET, algorithm="HS512"),
    "wrong secret": jwt.encode(ADMIN, "another secret entirely, forty characters", algorithm="HS256"),
    "garbage": "garbage",
    "three dots": "a.b.c",
    "not base64": "é.é.é",
    "payload a list": f'{b64({"alg": "HS256"})}.{b64([1, 2])}.c2ln',
    "expired": jwt.encode({**ADMIN, "exp": 1}, SECRET, algorithm="HS256"),
}
BAD_HEADERS = ["Bearer", "Basic c3RhZmY6cHc=", "Bearer a b", "", "Token abc"]


@pytest.fixture(scope="module")
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
async def rasa_api():
    from rasa.server import create_app

    originals = {name: getattr(Authentication, name) for name in ("_decode", "_get_token", "extract_payload")}
    jwt_errors._installed = False
    jwt_errors.install()
    app = create_app(jwt_secret=SECRET, jwt_method="HS256")
    port = free_port()
    with sanic_touch_up():
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
        await server.startup()
        yield f"http://127.0.0.1:{port}"
        await server.close()
    for name, original in originals.items():
        setattr(Authentication, name, original)
    jwt_errors._installed = False


async def status_with(url, authorization):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url}/status", headers={"Authorization": authorization}) as response:
            return response.status, await response.json(content_type=None)


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
async def test_a_bad_token_is_401(rasa_api, kind):
    status, body = await status_with(rasa_api, f"Bearer {BAD_TOKENS[kind]}")
    assert status == 401 and body["reason"] == "NotAuthenticated"


@pytest.mark.parametrize("header", BAD_HEADERS)
async def test_a_malformed_authorization_header_is_401(rasa_api, header):
    status, body = await status_with(rasa_api, header)
    assert status == 401 and body["reason"] == "NotAuthenticated"


async def test_a_good_token_is_still_accepted(rasa_api):
    status, body = await status_with(rasa_api, f"Bearer {jwt.encode(ADMIN, SECRET, algorithm='HS256')}")
    assert status == 409 and "No agent loaded" in body["message"]  # authenticated: past the check, no model here


async def test_a_signed_token_whose_user_is_not_an_object_has_no_role(rasa_api):
    status, body = await status_with(rasa_api, f"Bearer {jwt.encode({'user': 'admin'}, SECRET, algorithm='HS256')}")
    assert status == 403 and body["reason"] == "NotAuthorized"
