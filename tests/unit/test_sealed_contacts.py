"""The call-back contact sealed at rest: the vault's cipher bound to a purpose, and how staff see it."""
import pytest

from bot.services import vault
from bot.services.handoff import CONTACT_PURPOSE
from bot.services.handoff_views import UNREADABLE, open_contact

KEY = b"unit-test-secret-key-0123456789abcdef"
OTHER_KEY = b"another-secret-key-0123456789abcdefgh"


def test_a_sealed_value_opens_with_its_key_and_purpose_and_hides_the_plain_text():
    token = vault.seal(KEY, CONTACT_PURPOSE, "lena@example.com")
    assert "lena" not in token and "example" not in token
    assert vault.is_sealed(token) and not vault.is_sealed("lena@example.com") and not vault.is_sealed("+8613812345678")
    assert vault.unseal(KEY, CONTACT_PURPOSE, token) == "lena@example.com"
    assert vault.seal(KEY, CONTACT_PURPOSE, "lena@example.com") != token  # a fresh IV each time


@pytest.mark.parametrize("key, purpose, damage", [
    (OTHER_KEY, CONTACT_PURPOSE, lambda t: t),  # another secret key
    (KEY, "pending_inputs", lambda t: t),  # sealed for something else
    (KEY, CONTACT_PURPOSE, lambda t: t[:-4] + "AAAA"),  # damaged
    (KEY, CONTACT_PURPOSE, lambda t: "lena@example.com"),  # never sealed
    (KEY, CONTACT_PURPOSE, lambda t: "gAAAAA€"),  # not even ASCII
])
def test_a_value_that_does_not_open_raises_unreadable(key, purpose, damage):
    token = damage(vault.seal(KEY, CONTACT_PURPOSE, "lena@example.com"))
    with pytest.raises(vault.Unreadable):
        vault.unseal(key, purpose, token)


def test_a_sealed_contact_of_the_longest_allowed_length_fits_its_column():
    assert len(vault.seal(KEY, CONTACT_PURPOSE, "x" * 240 + "@example.com")) <= 512


def test_staff_see_the_contact_whole_masked_or_unreadable_never_an_error():
    token = vault.seal(KEY, CONTACT_PURPOSE, "+8613812345678")
    assert open_contact(KEY, token, whole=True) == "+8613812345678"
    assert open_contact(KEY, token, whole=False) == "+86•••••5678"
    assert open_contact(OTHER_KEY, token, whole=True) == UNREADABLE
    assert open_contact(KEY, "garbage", whole=False) == UNREADABLE
    assert open_contact(KEY, None, whole=True) is None
