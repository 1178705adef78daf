"""Abuse limits of the chat channels on real Sanic servers over loopback: Rasa's own channel
registration and CORS set-up, our REST and socket.io channels, a stand-in agent that records what
reaches Rasa (no model needed). Rate limits per sender and per client address (HTTP 429 / a bot
message), shared by two replicas through Redis; the client address passed on as metadata
"client_ip" whatever the client sent; JSON only on the webhook; the socket.io Origin check."""
from __future__ import annotations

import asyncio
import json
import uuid

import aiohttp
import pytest
import socketio
from rasa.core.channels.channel import register
from rasa.server import configure_cors
from sanic import Sanic

from bot.config import Settings
from bot.rasa.rate_limits import ChatGate
from bot.rasa_channels import RestInput
from bot.rasa_socketio import SocketIOInput
from tests.e2e.production_support import PrivateRedis, free_port
from tests.security.abuse_support import sanic_touch_up

PAGE = "http://localhost:8000"  # the chat page's origin, allowed by the settings below


def chat_settings(**overrides) -> Settings:
    values = dict(rate_limit_per_sender="3/minute", rate_limit_per_address="6/minute", trusted_proxies="127.0.0.1",
                  cors_origin=PAGE, public_base_url=PAGE)
    return Settings(**{**values, **overrides})


class RecordingAgent:
    """Stands in for Rasa's agent: records each message that reaches it and answers "echo"."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_message(self, message):
        self.messages.append(message)
        await message.output_channel.send_text_message(message.sender_id, "echo")


async def start_rasa_like_server(settings: Settings, name: str):
    """A Sanic app with Rasa's CORS and our two channels registered as `rasa run` registers them."""
    gate = ChatGate.from_settings(settings)
    app = Sanic(name, configure_logging=False)
    configure_cors(app, settings.resolved_cors_origins)
    sio = SocketIOInput.from_credentials({"session_persistence": True})
    sio.client_manager, sio.gate, sio.allowed_origins = None, gate, settings.resolved_cors_origins
    app.ctx.agent = RecordingAgent()
    register([RestInput(None, gate), sio], app, route="/webhooks/")
    # a polling client's disconnect waits for its open long-poll to return (python-engineio: ping_timeout)
    sio.sio.eio.ping_interval, sio.sio.eio.ping_timeout = 1, 1
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()  # inside sanic_touch_up(): see there
    await server.before_start()  # the listeners `rasa run` triggers: Sanic-CORS installs its headers there
    return server, f"http://127.0.0.1:{port}", app.ctx.agent


@pytest.fixture(scope="module")
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
async def chat():
    with sanic_touch_up():
        server, url, agent = await start_rasa_like_server(chat_settings(), f"abuse_{uuid.uuid4().hex[:8]}")
        yield url, agent
        await server.close()


async def post(url, body, content_type="application/json", forwarded_for=None):
    headers = {"Content-Type": content_type}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}/webhooks/rest/webhook", data=data, headers=headers) as response:
            return response.status, response.headers, await response.json(content_type=None)


async def test_a_sender_over_its_limit_gets_a_polite_429(chat):
    url, agent = chat
    before = len(agent.messages)
    answers = [await post(url, {"sender": "fast-sender", "message": f"hi {i}"}, forwarded_for="203.0.113.1")
               for i in range(4)]
    assert [status for status, _, _ in answers] == [200, 200, 200, 429]
    status, headers, body = answers[-1]
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert body[0]["recipient_id"] == "fast-sender" and "wait" in body[0]["text"] and "seconds" in body[0]["text"]
    assert len(agent.messages) - before == 3  # the refused message never reached Rasa


async def test_an_address_over_its_limit_gets_429_whatever_senders_it_invents(chat):
    url, agent = chat
    statuses = [(await post(url, {"sender": uuid.uuid4().hex, "message": "hello"}, forwarded_for="203.0.113.2"))[0]
                for _ in range(7)]
    assert statuses == [200] * 6 + [429]
    status, _, _ = await post(url, {"sender": uuid.uuid4().hex, "message": "hello"}, forwarded_for="203.0.113.3")
    assert status == 200  # another client


async def test_the_client_address_reaches_rasa_as_client_ip_and_cannot_be_forged(chat):
    url, agent = chat
    status, _, _ = await post(url, {"sender": "forger", "message": "hello",
                                    "metadata": {"client_ip": "10.6.6.6", "page": "chat"}},
                              forwarded_for="198.51.100.66, 203.0.113.4")
    assert status == 200
    metadata = agent.messages[-1].metadata
    assert metadata == {"client_ip": "203.0.113.4", "page": "chat"}  # the right-most entry, added by the proxy
    await post(url, {"sender": "direct", "message": "hello", "metadata": {"client_ip": "10.6.6.6"}})
    assert agent.messages[-1].metadata == {"client_ip": "127.0.0.1"}  # no proxy header: the peer


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          "application/jsonp", ""])
async def test_only_json_bodies_are_accepted_on_the_webhook(chat, content_type):
    url, agent = chat
    before = len(agent.messages)
    body = json.dumps({"sender": uuid.uuid4().hex, "message": "hello"})
    status, _, answer = await post(url, body, content_type=content_type, forwarded_for="203.0.113.5")
    assert status == 415 and "application/json" in answer["error"] and len(agent.messages) == before
    status, _, _ = await post(url, body, content_type="application/json; charset=utf-8",
                              forwarded_for=f"198.51.100.{len(content_type)}")
    assert status == 200


async def polling_handshake(url, origin):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}) as response:
            return response.status, response.headers.getall("Access-Control-Allow-Origin", [])


async def test_socketio_refuses_other_origins_before_any_socket_exists(chat):
    url, _ = chat
    status, allowed = await polling_handshake(url, "http://evil.example")
    assert status == 400 and allowed == []
    status, allowed = await polling_handshake(url, PAGE)
    assert status == 200 and allowed == [PAGE]  # one CORS header, not one from engineio and one from Sanic-CORS
    for origin in ("http://evil.example", "null"):
        client = socketio.AsyncClient()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(url, headers={"Origin": origin}, transports=["polling"])
        async with aiohttp.ClientSession() as session:  # a websocket straight away: refused in the handshake
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket", headers={"Origin": origin})
        assert refused.value.status == 400
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket", headers={"Origin": PAGE}) as ws:
            assert (await ws.receive_str()).startswith("0{")  # engine.io's open packet: accepted


async def socket_conversation(url, messages, headers=None):
    """Send ``messages`` (dicts) on one socket of one session; the bot messages received."""
    received = asyncio.Queue()
    client = socketio.AsyncClient()
    client.on("bot_uttered", received.put)
    # polling: python-engineio's websocket client needs a newer aiohttp than Rasa's pins
    await client.connect(url, headers={"Origin": PAGE, **(headers or {})}, transports=["polling"])
    answers = []
    try:
        session = uuid.uuid4().hex
        await client.emit("session_request", {"session_id": session})
        for data in messages:
            await client.emit("user_uttered", {**data, "session_id": session})
            answers.append(await asyncio.wait_for(received.get(), 10))
    finally:
        await client.disconnect()
    return answers


async def test_socketio_messages_over_the_limit_get_a_polite_bot_message(chat):
    url, agent = chat
    before = len(agent.messages)
    answers = await socket_conversation(url, [{"message": f"hello {i}"} for i in range(4)],
                                        headers={"X-Forwarded-For": "203.0.113.6"})
    assert [a["text"] for a in answers[:3]] == ["echo"] * 3
    assert "wait" in answers[3]["text"] and "seconds" in answers[3]["text"]
    assert len(agent.messages) - before == 3


async def test_socketio_passes_the_client_address_and_drops_a_forged_one(chat):
    url, agent = chat
    await socket_conversation(url, [{"message": "hello", "metadata": {"client_ip": "10.6.6.6", "lang": "en"}}],
                              headers={"X-Forwarded-For": "203.0.113.7"})
    assert agent.messages[-1].metadata == {"client_ip": "203.0.113.7", "lang": "en"}
    await socket_conversation(url, [{"message": "hello", "metadata": json.dumps({"client_ip": "10.6.6.6"})}])
    assert agent.messages[-1].metadata == {"client_ip": "127.0.0.1"}


async def test_two_replicas_share_the_limits_through_redis(chat):
    redis = PrivateRedis()
    redis.start()
    servers = []
    try:  # (the chat fixture holds the Sanic set-up for these apps too)
        settings = chat_settings(lock_store_url=redis.url, lock_store_key_prefix=f"t{uuid.uuid4().hex[:8]}")
        for index in range(2):
            servers.append(await start_rasa_like_server(settings, f"replica_{index}_{uuid.uuid4().hex[:8]}"))
        urls = [url for _, url, _ in servers]
        statuses = [(await post(urls[i % 2], {"sender": "roaming", "message": "hi"}, forwarded_for="203.0.113.8"))[0]
                    for i in range(4)]
        assert statuses == [200, 200, 200, 429]  # the 4th, on the replica that saw only one of them
    finally:
        for server, _, _ in servers:
            await server.close()
        redis.stop()
