"""Installs the abuse-limit patches into this Rasa process (bot/rasa_cli.py, before Rasa starts):
only offered payloads (payload_guard), 401 for any bad JWT (jwt_errors), button payloads without
ERROR logs (response_payloads). Each is unit-tested against Rasa's own behaviour."""
from __future__ import annotations


def install() -> None:
    """Install every patch (idempotent)."""
    from bot.rasa import jwt_errors, payload_guard, response_payloads

    payload_guard.install()
    jwt_errors.install()
    response_payloads.install()
