"""Sentence encoder: all-MiniLM-L6-v2 run with numpy over its checked safetensors weights.

Nothing is loaded at import time: call Encoder.load() once (at wiring time) and share it.
"""
from bot.nlp.encoder.encoder import DIMENSION, MAX_WORD_PIECES, Encoder
from bot.nlp.encoder.errors import EncoderError, ModelFileMismatch, ModelNotInstalled

__all__ = [
    "DIMENSION",
    "MAX_WORD_PIECES",
    "Encoder",
    "EncoderError",
    "ModelFileMismatch",
    "ModelNotInstalled",
]
