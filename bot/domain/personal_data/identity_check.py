"""Whether an answer at the passport question proves identity. Pure.

The whole passport number proves it; the last four characters prove it only together with the
applicant's family name. Anything else is NotAnAnswer, answered without counting as an attempt.
"""
from __future__ import annotations

from bot.domain.identity import InvalidPassport, family_name_matches
from bot.domain.personal_data.extraction import LAST_FOUR_WITH_NAME, IdentityAnswer, read_identity_answer
from bot.domain.verification import CaseHasher


class NotAnAnswer(InvalidPassport):
    """The message is not a passport answer that can be checked (``answer.kind`` says what it is:
    stop, help, a question, the wrong shape, the last four without the family name). Not counted."""

    def __init__(self, answer: IdentityAnswer):
        self.answer = answer
        super().__init__(f"not a passport answer: {answer.kind}")


def identity_answer(passport_input) -> IdentityAnswer:
    """The checkable answer in ``passport_input`` (text or an IdentityAnswer); NotAnAnswer otherwise."""
    answer = passport_input if isinstance(passport_input, IdentityAnswer) else read_identity_answer(passport_input)
    if not answer.is_answer:
        raise NotAnAnswer(answer)
    return answer


def identity_matches(hasher: CaseHasher, key: str, passport_hmac: str, last4_hmac: str, applicant_name: str,
                     answer: IdentityAnswer) -> bool:
    """The whole number matches, or the last four and the family name both do (both always computed)."""
    passport_ok = hasher.matches(key, passport_hmac, last4_hmac, answer.value)
    name_ok = family_name_matches(applicant_name, answer.family_name)
    return passport_ok and (answer.kind != LAST_FOUR_WITH_NAME or name_ok)
