"""What the channels refuse before NLU (bot/domain/inbound.py)."""
import pytest

from bot.domain.inbound import MAX_REQUEST_BYTES, Refusal, refusal, too_long_reply
from bot.domain.input_check import MAX_CHARS


@pytest.mark.parametrize("text, expected", [
    ("how much is a residence permit?", None), ("", None), ("a" * MAX_CHARS, None), ("居留许可多少钱", None),
    ("a" * (MAX_CHARS + 1), Refusal.TOO_LONG), (None, Refusal.NOT_TEXT), (42, Refusal.NOT_TEXT),
    ({"text": "x"}, Refusal.NOT_TEXT), ("broken \ud800 pair", Refusal.INVALID_UNICODE),
])
def test_refusal(text, expected):
    assert refusal(text) is expected


def test_the_longest_allowed_message_fits_the_byte_cap_even_as_json_escapes():
    assert MAX_CHARS * len("\\u4e2d") < MAX_REQUEST_BYTES


def test_the_polite_answer_follows_the_script_of_the_message():
    assert "too long" in too_long_reply("how much " * 1000) and f"{MAX_CHARS:,}" in too_long_reply("x")
    assert "太长" in too_long_reply("请问居留许可需要多少钱？" * 300)
