"""Production mode settings: what is refused, and the Rasa endpoints rendered from the settings."""
from __future__ import annotations

import pytest

from bot.action_server import token_matches
from bot.config import ConfigurationError, Settings
from bot.domain.outage import english_hotline, no_answer_text, unavailable_text
from bot.ops import runner

SECRET = "s" * 40
TOKEN = "t" * 40
PG = "postgresql://etown:db-password@db.internal:5432/etown"


def production(**overrides) -> Settings:
    values = dict(env="production", database_url=PG, tracker_store_url=PG, lock_store_url="redis://redis:6379/1",
                  secret_key=SECRET, action_token=TOKEN, rasa_jwt_secret=SECRET[::-1], cors_origin="https://chat.example.org", rasa_replicas=2,
                  rasa_workers=2, action_host="0.0.0.0")
    values.update(overrides)
    return Settings(**values)


def test_complete_production_settings_are_accepted():
    settings = production()
    assert settings.production and settings.problems() == []
    settings.check()


@pytest.mark.parametrize("overrides, expected", [
    ({"database_url": "sqlite:///var/etown.db"}, "ETOWN_DATABASE_URL must be a PostgreSQL URL"),
    ({"tracker_store_url": "sqlite:///var/tracker.db"}, "ETOWN_TRACKER_STORE_URL must be a PostgreSQL URL"),
    ({"lock_store_url": None}, "ETOWN_LOCK_STORE_URL (Redis) is required"),
    ({"lock_store_url": "memcached://x"}, "must be a redis://"),
    ({"secret_key": None}, "ETOWN_SECRET_KEY must be set"),
    ({"secret_key": "short"}, "ETOWN_SECRET_KEY must be set"),
    ({"action_token": None}, "ETOWN_ACTION_TOKEN must be set"),
    ({"rasa_jwt_secret": None}, "ETOWN_RASA_JWT_SECRET must be set"),
    ({"cors_origin": "*"}, "ETOWN_CORS_ORIGIN must be the site's origin"),
    ({"log_level": "debug"}, "ETOWN_LOG_LEVEL=DEBUG"),
    ({"lock_store_key_prefix": "a:b"}, "letters and digits"),
])
def test_production_refuses_to_start_with_a_clear_message(overrides, expected):
    with pytest.raises(ConfigurationError) as raised:
        production(**overrides).check()
    assert expected in str(raised.value) and "production mode" in str(raised.value)


def test_several_replicas_need_the_lock_store_in_any_mode():
    assert Settings().problems() == []
    for settings in (Settings(rasa_replicas=2), Settings(rasa_workers=3)):
        assert any("shared lock store" in p for p in settings.problems())
    assert Settings(rasa_replicas=2, lock_store_url="redis://127.0.0.1:6379/0").problems() == []


def test_action_server_leaves_loopback_only_with_a_token():
    assert any("ETOWN_ACTION_TOKEN" in p for p in Settings(action_host="0.0.0.0").problems())
    assert Settings(action_host="0.0.0.0", action_token=TOKEN).problems() == []
    assert Settings(action_host="0.0.0.0", action_token=TOKEN).resolved_action_url.startswith("http://127.0.0.1:")


def test_start_refuses_production_on_sqlite_before_anything_runs(tmp_path):
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        runner.start(production(database_url="sqlite:///x.db"), tmp_path / "model.tar.gz", log_dir=tmp_path)
    assert not (tmp_path / "endpoints.yml").exists()


def test_replica_ports_and_health_urls_are_predictable():
    settings = Settings(rasa_port=7100, rasa_replicas=3, lock_store_url="redis://127.0.0.1:6379/0")
    assert settings.rasa_ports == [7100, 7101, 7102]
    urls = runner.health_urls(settings)
    assert list(urls) == ["mail", "actions", "rasa-0", "rasa-1", "rasa-2", "web"]  # development: the mail server too
    assert urls["rasa-2"] == "http://127.0.0.1:7102/"
    assert urls["mail"] == f"smtp://127.0.0.1:{settings.smtp_port}"
    assert "mail" not in runner.health_urls(Settings(mail_server=False))


def test_endpoints_name_the_lock_store_and_keep_secrets_in_the_environment(tmp_path):
    settings = production(lock_store_url="redis://:lock-password@redis:6380/3", lock_store_key_prefix="etownA")
    target = runner.write_endpoints(settings, tmp_path / "endpoints.yml")
    text = target.read_text()
    for secret in ("db-password", "lock-password", TOKEN):
        assert secret not in text
    config = runner.endpoints_config(settings)
    assert config["lock_store"] == {"type": "bot.rasa_lock_store.AtomicRedisLockStore", "url": "redis", "port": 6380, "db": 3, "key_prefix": "etownA",
                                    "password": "${ETOWN_LOCK_STORE_PASSWORD}"}
    assert config["tracker_store"]["password"] == "${ETOWN_TRACKER_STORE_PASSWORD}"
    assert config["action_endpoint"]["headers"] == {"Authorization": "Bearer ${ETOWN_ACTION_TOKEN}"}
    assert runner.secret_env(settings) == {"ETOWN_TRACKER_STORE_PASSWORD": "db-password",
                                           "ETOWN_LOCK_STORE_PASSWORD": "lock-password", "ETOWN_ACTION_TOKEN": TOKEN}


def test_rasa_reads_the_rendered_endpoints_with_the_secrets_from_its_environment(tmp_path, monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    settings = production(tracker_store_url=PG + "?options=-csearch_path%3Dtenant1")
    target = runner.write_endpoints(settings, tmp_path / "endpoints.yml")
    for name, value in runner.secret_env(settings).items():
        monkeypatch.setenv(name, value)
    action = read_endpoint_config(str(target), "action_endpoint")
    assert action.headers == {"Authorization": f"Bearer {TOKEN}"}
    assert action.kwargs["enable_selective_domain"] is True
    tracker = read_endpoint_config(str(target), "tracker_store")
    assert tracker.kwargs["password"] == "db-password"
    assert tracker.kwargs["query"] == {"options": "-csearch_path=tenant1"}
    lock = read_endpoint_config(str(target), "lock_store")
    assert lock.type == "bot.rasa_lock_store.AtomicRedisLockStore" and lock.url == "redis" and lock.kwargs["db"] == 1


def test_development_endpoints_have_no_lock_store_and_no_token():
    config = runner.endpoints_config(Settings())
    assert "lock_store" not in config and "headers" not in config["action_endpoint"]


def test_child_environment_carries_the_settings_and_drops_stale_ones(monkeypatch, tmp_path):
    settings = Settings(rasa_workers=2, action_workers=3, lock_store_url="redis://127.0.0.1:6379/0",
                        database_url=f"sqlite:///{tmp_path / 'etown.db'}")
    monkeypatch.setenv("ETOWN_ACTION_TOKEN", "stale-token-from-the-shell")  # the settings above did not set one
    env = runner.child_env(settings)
    assert env["SANIC_WORKERS"] == "2" and env["ACTION_SERVER_SANIC_WORKERS"] == "3"
    assert env["RASA_TELEMETRY_ENABLED"] == "false" and env["ETOWN_LOCK_STORE_URL"] == "redis://127.0.0.1:6379/0"
    assert "ETOWN_ACTION_TOKEN" not in env
    assert runner.child_env(production())["ETOWN_ACTION_TOKEN"] == TOKEN


def test_action_token_check():
    assert token_matches(f"Bearer {TOKEN}", TOKEN) and token_matches(f"bearer {TOKEN}", TOKEN)
    for header in (None, "", TOKEN, f"Basic {TOKEN}", "Bearer wrong", f"Bearer {TOKEN}x"):
        assert not token_matches(header, TOKEN)


def test_outage_messages_say_what_happened_and_what_to_do(kb):
    hotline = english_hotline(kb.files.contacts.hotlines)
    assert hotline is not None and "English" in hotline.languages
    text = unavailable_text(hotline)
    assert "temporarily unavailable" in text and "send it again" in text and hotline.name in text
    assert "try again" in no_answer_text(hotline) and hotline.name in no_answer_text(hotline)
    assert "contact the service hall" in no_answer_text(None)


def test_rasa_commands_hold_no_secret_and_the_environment_carries_it(tmp_path):
    settings = production(rasa_port=7200)
    found = runner.commands(settings, tmp_path / "model.tar.gz", tmp_path / "endpoints.yml")
    assert list(found) == ["actions", "rasa-0", "rasa-1", "web"]  # production starts no mail server
    for name in ("rasa-0", "rasa-1"):
        command = found[name]
        assert command[1:4] == ["-m", "bot.rasa_server", "run"]
        assert "--jwt-secret" not in command and SECRET[::-1] not in " ".join(command)
        assert command[-3:] == ["--enable-api", "--jwt-method", "HS256"]
    assert found["rasa-1"][found["rasa-1"].index("--port") + 1] == "7201"
    assert all(SECRET[::-1] not in " ".join(command) for command in found.values())
    assert runner.child_env(settings)["ETOWN_RASA_JWT_SECRET"] == SECRET[::-1]


def test_development_children_share_the_secret_file_the_web_app_reads(tmp_path):
    from bot.integrations.rasa_api import jwt_secret

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'etown.db'}")
    secret = runner.child_env(settings)["ETOWN_RASA_JWT_SECRET"]
    assert len(secret) >= 32 and secret == jwt_secret(settings)
    assert (tmp_path / "rasa_jwt.secret").exists()
