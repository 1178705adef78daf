"""The pipeline's own bound: InputLimit cuts what the components read, InputGuard labels it."""
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.domain.input_check import MAX_CHARS
from bot.nlu_guard import TRUNCATED, InputGuard, InputLimit


def test_no_component_after_the_limit_reads_more_than_max_chars_and_the_guard_knows_it_was_cut():
    long, short = Message({TEXT: "how much " * 8000}), Message({TEXT: "how much is it?"})
    InputLimit().process([long, short])
    assert len(long.get(TEXT)) == MAX_CHARS and long.get(TRUNCATED)
    assert short.get(TEXT) == "how much is it?" and not short.get(TRUNCATED)
    InputGuard().process([long, short])
    assert long.get(INTENT)["name"] == "unreadable_input" and short.get(INTENT) is None


def test_training_examples_are_bounded_the_same_way():
    data = TrainingData([Message({TEXT: "x" * (MAX_CHARS + 5), INTENT: "greet"})])
    InputLimit().process_training_data(data)
    assert len(data.training_examples[0].get(TEXT)) == MAX_CHARS
