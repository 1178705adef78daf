"""One message must not take the service down: over-long messages are refused before NLU, in every
channel, on real servers over loopback, while another conversation goes on being answered.

(Latency under the flood is measured in bench/flood.py, not asserted here.)
"""
from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from bot.domain.inbound import MAX_REQUEST_BYTES
from bot.domain.input_check import MAX_CHARS
from tests.e2e.rest_support import e2e_dir, e2e_settings, model, say, servers, texts  # noqa: F401 - fixtures

# The Rasa process may grow a little while it answers (caches, buffers); the 72 KB message that
# brought it down used to add gigabytes.
MAX_GROWTH_MB = 150


def post(settings, sender: str, message: str) -> tuple:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"http://{settings.host}:{settings.rasa_port}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
    except (ConnectionError, urllib.error.URLError) as error:  # the server may close an over-size upload early
        return 413, str(error)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) in MB."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def rasa_pid(servers) -> int:
    return servers.named["rasa-0"].pid


def test_the_message_that_brought_the_service_down_gets_a_polite_answer(servers, e2e_settings):
    status, replies = post(e2e_settings, uuid.uuid4().hex, "how much " * 8000)  # 72 KB
    assert status == 413 and "too long" in replies[0]["text"]
    status, replies = post(e2e_settings, uuid.uuid4().hex, "how much " * 1000)  # 9 KB: under the cap
    assert status == 200 and "too long" in texts(replies) and f"{MAX_CHARS:,}" in texts(replies)


def test_a_flood_of_long_messages_leaves_memory_flat_and_others_answered(servers, e2e_settings):
    before = peak_rss_mb(rasa_pid(servers))
    megabyte = "a" * (1024 * 1024)
    hundred_kb = "how much is it " * (100 * 1024 // 15)
    sixty_kb = "how long does it take " * (60 * 1024 // 22)
    person = uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=20) as pool:
        flood = [pool.submit(post, e2e_settings, uuid.uuid4().hex, megabyte)]
        flood += [pool.submit(post, e2e_settings, uuid.uuid4().hex, hundred_kb) for _ in range(50)]
        flood += [pool.submit(post, e2e_settings, uuid.uuid4().hex, sixty_kb) for _ in range(50)]
        answer = texts(say(e2e_settings, person, "how much does a residence permit cost?"))  # meanwhile
        results = [f.result() for f in flood]
    assert "CNY" in answer and "1,000" in answer
    assert all(status == 413 for status, _ in results[:51])
    assert all(status == 200 and "too long" in texts(replies) for status, replies in results[51:])
    growth = peak_rss_mb(rasa_pid(servers)) - before
    assert growth < MAX_GROWTH_MB, f"the Rasa process grew by {growth:.0f} MB"
    # nothing of the flood was stored: the conversations of the refused messages do not exist
    assert "CNY" in texts(say(e2e_settings, person, "how much does a residence permit cost?"))


def test_over_long_socketio_messages_are_answered_to_that_socket_or_cut_off(servers, e2e_settings):
    import socketio

    async def run() -> tuple:
        received = asyncio.Queue()
        client = socketio.AsyncClient()
        client.on("bot_uttered", received.put)
        client.on("session_confirm", lambda *_: None)
        await client.connect(f"http://127.0.0.1:{e2e_settings.rasa_port}", transports=["polling"])
        try:
            session = uuid.uuid4().hex
            await client.emit("session_request", {"session_id": session})
            await client.emit("user_uttered", {"message": "how long " * 3000, "session_id": session})
            too_long = await asyncio.wait_for(received.get(), 60)
            # over the packet cap: the server drops this socket's packet unread
            await client.emit("user_uttered", {"message": "x" * (MAX_REQUEST_BYTES + 1), "session_id": session})
            await asyncio.sleep(2)
        finally:
            await client.disconnect()
        return too_long

    too_long = asyncio.run(run())
    assert "too long" in too_long["text"]
    assert "permits assistant" in texts(say(e2e_settings, uuid.uuid4().hex, "hello"))  # still answering
