"""Finding the questions inside a long message (bot/domain/answering/questions.py)."""
from bot.domain.answering.questions import MAX_QUESTIONS, background, is_question, split_questions

STORY = ("I arrived in Beijing last week on a Z visa and my company is slow with the paperwork. My passport "
         "expires next year, which worries me a bit. How long is the residence permit valid? And what does it cost?")


def test_a_short_message_is_one_question_whatever_its_shape():
    assert split_questions("residence permit fee") == ["residence permit fee"]
    assert split_questions("") == []


def test_the_questions_of_a_long_message_are_found_in_order():
    assert split_questions(STORY) == ["How long is the residence permit valid?", "And what does it cost?"]
    assert background(STORY, split_questions(STORY)).startswith("I arrived in Beijing")


def test_questions_without_a_question_mark_and_in_chinese_count():
    assert is_question("I would like to know the fee for the work permit")
    assert is_question("please tell me where the E-Town hall is")
    assert is_question("居留许可办理需要多久")
    assert not is_question("My company is in E-Town.")


def test_at_most_a_few_questions_and_a_long_message_without_one_stays_whole():
    many = " ".join(f"What about point {n}?" for n in range(6)) + " " + "x" * 200
    assert len(split_questions(many)) == MAX_QUESTIONS
    story = "I moved to Beijing. " * 12
    assert split_questions(story) == [story.strip()]
