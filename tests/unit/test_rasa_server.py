"""bot/rasa_server.py: `rasa run` with the JWT secret added inside the process, never on its command line."""
import pytest

from bot import rasa_server
from bot.rasa_server import SecretOnCommandLine, rasa_arguments

SECRET = "j" * 40


def test_the_secret_is_appended_to_rasa_run_arguments():
    argv = ["run", "--model", "m.tar.gz", "--enable-api", "--jwt-method", "HS256"]
    assert rasa_arguments(argv, SECRET) == [*argv, "--jwt-secret", SECRET]


@pytest.mark.parametrize("argv", [["run", "--jwt-secret", "x" * 40], ["run", "--jwt-secret=" + "x" * 40]])
def test_a_secret_on_the_command_line_is_refused(argv):
    with pytest.raises(SecretOnCommandLine, match="ETOWN_RASA_JWT_SECRET"):
        rasa_arguments(argv, SECRET)


@pytest.mark.parametrize("argv", [[], ["train"], ["shell", "--model", "m"]])
def test_only_rasa_run_is_started(argv):
    with pytest.raises(SystemExit, match="usage"):
        rasa_arguments(argv, SECRET)


def test_main_hands_rasa_the_secret_from_the_environment_after_the_speed_ups(monkeypatch):
    import rasa.__main__
    import sys

    from bot import rasa_speedups
    from bot.config import get_settings

    seen = {}
    monkeypatch.setattr(rasa_speedups, "install", lambda: seen.setdefault("installed_before_rasa", "argv" not in seen))
    monkeypatch.setenv("ETOWN_RASA_JWT_SECRET", SECRET)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(rasa.__main__, "main", lambda: seen.setdefault("argv", list(sys.argv)))
    get_settings.cache_clear()
    try:
        rasa_server.main(["run", "--port", "5999"])
    finally:
        get_settings.cache_clear()
    assert seen["argv"] == ["rasa", "run", "--port", "5999", "--jwt-secret", SECRET]
    assert seen["installed_before_rasa"] is True


def test_main_stops_with_a_clear_message_without_a_secret_in_production(monkeypatch):
    from bot.config import get_settings

    monkeypatch.delenv("ETOWN_RASA_JWT_SECRET", raising=False)
    monkeypatch.setenv("ETOWN_ENV", "production")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match="cannot start.*ETOWN_RASA_JWT_SECRET"):
            rasa_server.main(["run"])
    finally:
        get_settings.cache_clear()
