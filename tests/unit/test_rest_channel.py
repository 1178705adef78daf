"""The REST channel (bot/rasa_channels.py) on a real Sanic server: failures get clear answers, never silence."""
from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from sanic import Sanic
from sqlalchemy.exc import OperationalError

from bot.domain.outage import english_hotline
from bot.rasa_channels import RestInput
from tests.e2e.production_support import free_port



@pytest.fixture(scope="module")
def event_loop():
    # One loop for the module: Sanic prepares its request handling once per process, so the module
    # shares one server (each test sets the message handler it needs).
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def hotline(kb):
    return english_hotline(kb.files.contacts.hotlines)


@pytest.fixture(scope="module")
async def channel(hotline):
    """A Sanic app with only the channel's blueprint; ``channel["handler"]`` stands for Rasa."""
    state = {}

    async def on_new_message(message):
        return await state["handler"](message)

    app = Sanic("channel_test", configure_logging=False)
    app.blueprint(RestInput(hotline).blueprint(on_new_message), url_prefix="/webhooks/rest")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    state["url"] = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    state["app"] = app
    yield state
    await server.close()


def use(channel, handler) -> str:
    """Make ``handler`` the channel's message handler; the webhook URL."""
    channel["handler"] = handler
    return channel["url"]


async def post(url, **kwargs):
    async with aiohttp.ClientSession() as session:
        async with session.post(url, **kwargs) as response:
            return response.status, response.headers, await response.json(content_type=None)


async def test_a_normal_turn_returns_the_bot_messages(channel, hotline):
    async def handler(message):
        await message.output_channel.send_text_message(message.sender_id, f"echo of {len(message.text)} chars")

    url = use(channel, handler)
    status, _, body = await post(url, json={"sender": "u1", "message": "hello"})
    assert status == 200 and body == [{"recipient_id": "u1", "text": "echo of 5 chars"}]


async def test_a_store_outage_is_a_clear_503_and_the_text_is_not_logged(channel, hotline, caplog):
    async def handler(message):
        await message.output_channel.send_text_message(message.sender_id, "half a turn")
        raise OperationalError("INSERT INTO events ...", {"data": "my passport C01X00T47"}, Exception("refused"))

    url = use(channel, handler)
    with caplog.at_level(logging.INFO):
        status, headers, body = await post(url, json={"sender": "u2", "message": "my passport C01X00T47"})
    assert status == 503 and headers["Retry-After"] == "30"
    assert len(body) == 1 and body[0]["recipient_id"] == "u2"
    assert "temporarily unavailable" in body[0]["text"] and hotline.number in body[0]["text"]
    assert "half a turn" not in str(body)  # the turn was not stored: no partial answer
    assert "C01X00T47" not in caplog.text and "OperationalError" in caplog.text


async def test_a_tracker_store_failure_hidden_by_rasa_is_a_503_too(channel, hotline):
    from bot.rasa_tracker_store import noting_failures

    async def handler(message):
        try:  # what Rasa's FailSafeTrackerStore does: swallow the error, go on with a new conversation
            with noting_failures():
                raise OperationalError("SELECT ...", {}, Exception("connection refused"))
        except OperationalError:
            pass
        await message.output_channel.send_text_message(message.sender_id, "Hello! How can I help?")

    url = use(channel, handler)
    status, _, body = await post(url, json={"sender": "u4", "message": "yes"})
    assert status == 503 and "temporarily unavailable" in body[0]["text"] and "Hello" not in str(body)


async def test_a_turn_without_any_reply_gets_an_apology_and_a_suggestion(channel, hotline):
    async def handler(message):
        return None  # what Rasa does when a custom action fails: logs it, carries on, says nothing

    url = use(channel, handler)
    status, _, body = await post(url, json={"sender": "u3", "message": "fees?"})
    assert status == 200 and "Sorry" in body[0]["text"] and "try again" in body[0]["text"]
    assert hotline.name in body[0]["text"]


@pytest.mark.parametrize("payload", [
    {"data": b"not json"}, {"json": ["a", "list"]}, {"json": {"message": "no sender"}},
    {"json": {"sender": "", "message": "x"}}, {"json": {"sender": "x" * 256, "message": "x"}},
    {"json": {"sender": 42, "message": "x"}}, {"json": {"sender": "u", "message": {"nested": 1}}},
])
async def test_malformed_requests_are_refused_without_reaching_rasa(channel, hotline, payload):
    calls = []

    async def handler(message):
        calls.append(message)

    url = use(channel, handler)
    status, _, body = await post(url, headers={"Content-Type": "application/json"}, **payload)
    assert status == 400 and "error" in body and not calls


@pytest.mark.parametrize("body", [b'{"sender": "u", "message": null}', b'{"sender": "u", "message": 12}',
                                  b'{"sender": "u", "message": "half a pair \\ud800"}'])
async def test_a_message_that_is_not_valid_text_is_a_400_without_reaching_rasa(channel, body):
    calls = []

    async def handler(message):
        calls.append(message)

    url = use(channel, handler)
    status, _, answer = await post(url, data=body, headers={"Content-Type": "application/json"})
    assert status == 400 and "valid Unicode" in answer["error"] and not calls


@pytest.mark.parametrize("text, words", [("how much " * 3000, "too long"), ("居留许可多少钱？" * 400, "太长")])
async def test_an_over_long_message_is_answered_politely_and_never_reaches_nlu(channel, text, words):
    calls = []

    async def handler(message):
        calls.append(message)

    url = use(channel, handler)
    status, _, answer = await post(url, json={"sender": "u5", "message": text})
    assert status == 200 and not calls
    assert len(answer) == 1 and answer[0]["recipient_id"] == "u5" and words in answer[0]["text"]


async def test_a_body_over_the_cap_is_refused_unread_with_a_polite_413(channel):
    from bot.domain.inbound import MAX_REQUEST_BYTES
    from bot.rasa_channels import cap_request_size

    calls = []

    async def handler(message):
        calls.append(message)

    url = use(channel, handler)
    await cap_request_size(channel["app"], None)  # the before_server_start listener, as `rasa run` calls it
    status, _, answer = await post(url, json={"sender": "u6", "message": "x" * (MAX_REQUEST_BYTES + 1)})
    assert status == 413 and "too long" in answer[0]["text"] and not calls
    status, _, answer = await post(url, json={"sender": "u6", "message": "x" * 2100})
    assert status == 200 and "too long" in answer[0]["text"] and not calls  # under the cap, over the limit
    status, _, answer = await post(url, json={"sender": "u6", "message": "hello"})
    assert status == 200 and len(calls) == 1  # ordinary messages still pass
