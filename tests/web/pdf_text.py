"""The text of a reportlab PDF, read with the standard library only (no PDF package in the venv)."""
from __future__ import annotations

import base64
import re
import zlib

_STREAM = re.compile(rb"/Filter\s*(?P<dict>\[[^\]]*\]|/\w+)[^>]*>>\s*stream\r?\n(?P<data>.*?)\s*endstream", re.S)
_STRING = re.compile(rb"\((?P<s>(?:\\.|[^\\)])*)\)")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def pdf_text(content: bytes) -> str:
    """Every literal string drawn in the page streams, joined by spaces (CID-font text comes out garbled)."""
    parts = []
    for match in _STREAM.finditer(content):
        data = _decode(match.group("dict"), match.group("data"))
        if data is None:
            continue
        for text_object in re.findall(rb"BT(.*?)ET", data, re.S):
            parts += [_unescape(s.group("s")) for s in _STRING.finditer(text_object)]
    return " ".join(p.decode("cp1252", errors="replace") for p in parts)


def squeeze(text: str) -> str:
    """Text without white space: lines wrapped by the PDF layout still match."""
    return re.sub(r"\s+", "", text)


def _decode(header: bytes, data: bytes):
    try:
        if b"ASCII85Decode" in header:
            data = base64.a85decode(data.strip().removesuffix(b"~>"), adobe=False)
        if b"FlateDecode" in header:
            data = zlib.decompress(data)
    except (ValueError, zlib.error):
        return None
    return data


def _unescape(raw: bytes) -> bytes:
    def one(match) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8) & 0xFF])
        return _ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)
