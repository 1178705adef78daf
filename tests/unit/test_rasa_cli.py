"""`python -m bot.rasa_cli` is Rasa's command line with the servers' speed-ups installed first."""
import sys

from bot import rasa_cli, rasa_speedups
from bot.rasa import hardening


def test_the_speed_ups_are_installed_before_rasa_runs(monkeypatch):
    import rasa.__main__

    order = []
    monkeypatch.setattr(rasa_speedups, "install", lambda: order.append("install"))
    monkeypatch.setattr(hardening, "install", lambda: order.append("hardening"))
    monkeypatch.setattr(rasa.__main__, "main", lambda: order.append(("rasa", list(sys.argv))))
    monkeypatch.setattr(sys, "argv", ["bot.rasa_cli", "test", "core"])
    rasa_cli.main()
    assert order == ["install", "hardening", ("rasa", ["bot.rasa_cli", "test", "core"])]
