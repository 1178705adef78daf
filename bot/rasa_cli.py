"""Rasa's command line with our Rasa speed-ups and abuse limits installed first:
``python -m bot.rasa_cli test core ...``.

The test conversations (scripts/test.sh) run through it, so they check the dialogue exactly as the
servers run it (bot/rasa_speedups.py; bot/rasa_server.py installs the same speed-ups for `rasa run`).
The abuse limits (bot/rasa/hardening.py: only offered payloads, 401 for bad JWTs, no ERROR logs for
button payloads) are installed the same way.
"""
from __future__ import annotations


def main() -> None:
    from bot import rasa_speedups
    from bot.rasa import hardening

    rasa_speedups.install()
    hardening.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
