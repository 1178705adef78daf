import pytest

from bot.domain.input_check import MAX_CHARS, InputKind, classify


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t", "\u200b\u200b"])
def test_empty_messages(text):
    assert classify(text) is InputKind.EMPTY


@pytest.mark.parametrize("text", ["\x00\x01\x02\x03binary", "\ufffd\ufffd\ufffd\ufffd", "\x7f\x1b\x1b\x1b"])
def test_binary_or_broken_text_is_unreadable(text):
    assert classify(text) is InputKind.UNREADABLE


def test_very_long_text():
    assert classify("work permit " * 1000) is InputKind.TOO_LONG
    assert classify("a" * MAX_CHARS) is InputKind.OK


@pytest.mark.parametrize("text", ["工作许可需要什么材料？", "你好", "居留许可 fee 多少钱", "兩證聯辦"])
def test_chinese(text):
    assert classify(text) is InputKind.CHINESE


@pytest.mark.parametrize("text", [
    "What documents do I need?", "how much 💰 for RP??", "<script>alert(1)</script>",
    "'; DROP TABLE kb_entries; --", "My name is 李 and I need a work permit",
])
def test_ordinary_text_is_ok(text):
    assert classify(text) is InputKind.OK
