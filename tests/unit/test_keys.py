"""The HMAC key: from the settings, or a private key file that survives restarts (development only)."""
import stat

import pytest

from bot.config import Settings
from bot.services.keys import SecretKeyMissing, case_hasher, key_file_path, secret_key


def test_a_configured_key_is_used(settings):
    configured = settings.copy(update={"secret_key": "s" * 40})
    assert secret_key(configured) == b"s" * 40
    assert not key_file_path(configured).exists()


def test_a_short_configured_key_is_refused(settings):
    with pytest.raises(SecretKeyMissing, match="at least 32"):
        secret_key(settings.copy(update={"secret_key": "short"}))


def test_without_a_key_one_is_created_next_to_the_database_and_kept(settings, tmp_path):
    first = secret_key(settings)
    path = key_file_path(settings)
    assert path == tmp_path / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = Settings(database_url=settings.database_url)  # a "restart"
    assert secret_key(again) == first and len(first) >= 32
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret-")] == []
    assert case_hasher(again).passport("E12345634") == case_hasher(settings).passport("E12345634")


def test_production_must_set_the_key(settings):
    with pytest.raises(SecretKeyMissing, match="ETOWN_SECRET_KEY"):
        secret_key(settings.copy(update={"env": "production"}))


def test_an_empty_key_file_is_an_error_not_a_weak_key(settings):
    path = key_file_path(settings)
    path.write_text("")
    with pytest.raises(SecretKeyMissing, match="delete it"):
        secret_key(settings)
