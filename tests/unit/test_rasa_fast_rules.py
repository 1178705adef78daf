"""RulePolicy's rule matching, sped up, finds exactly the keys Rasa's own matching finds."""
import json
import random

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import RULE_ONLY_LOOPS, SHOULD_NOT_BE_SET  # noqa: F401 - Rasa's vocabulary

from bot import rasa_fast_rules

ACTIONS = ["action_listen", "action_answer_question", "checklist_form", "utter_greet", "action_book_appointment"]
INTENTS = ["greet", "ask_fees", "affirm", "deny", "stop"]
LOOPS = ["checklist_form", "booking_form", SHOULD_NOT_BE_SET]


def random_state(rng, start=False):
    """A state as Rasa's featurizer writes it (a dict of sub-states), sometimes a conversation start."""
    state = {}
    if not start:
        state["prev_action"] = {"action_name": rng.choice(ACTIONS)}
    if rng.random() < 0.6:
        state["user"] = {"intent": rng.choice(INTENTS)}
        if rng.random() < 0.3:
            state["user"]["entities"] = ("service",) if rng.random() < 0.5 else ("hall", "service")
    if rng.random() < 0.4:
        state["active_loop"] = {"name": rng.choice(LOOPS)}
    if rng.random() < 0.3:
        state["slots"] = {"handoff_path": (1.0,) if rng.random() < 0.5 else SHOULD_NOT_BE_SET}
    return state


def random_lookup(rng, size):
    lookup = {}
    for _ in range(size):
        length = rng.randint(1, 5)
        rule = [random_state(rng, start=(i == 0 and rng.random() < 0.2)) for i in range(length)]
        lookup[json.dumps(rule, sort_keys=True)] = rng.choice(ACTIONS)
    return lookup


def conversation(rng, length):
    return [random_state(rng, start=(i == 0)) for i in range(length)]


@pytest.mark.parametrize("seed", range(40))
def test_the_same_keys_as_rasas_matching(seed):
    rng = random.Random(seed)
    policy = RulePolicy.__new__(RulePolicy)  # the matching uses no trained state
    lookup = random_lookup(rng, rng.randint(1, 120))
    # rules whose states are the conversation's own: keys that must match, at every length
    states = conversation(rng, rng.randint(1, 40))
    for n in range(1, min(5, len(states)) + 1):
        lookup[json.dumps(states[-n:], sort_keys=True)] = "action_listen"
    expected = rasa_fast_rules.RASA_GET_POSSIBLE_KEYS(policy, lookup, states)
    assert rasa_fast_rules.get_possible_keys(policy, lookup, states) == expected
    assert expected  # the conversation's own recent states match


def test_no_rules_no_keys_and_no_states_every_key():
    policy = RulePolicy.__new__(RulePolicy)
    assert rasa_fast_rules.get_possible_keys(policy, {}, [{"prev_action": {"action_name": "action_listen"}}]) == set()
    lookup = {json.dumps([{"user": {"intent": "greet"}}]): "utter_greet"}
    assert rasa_fast_rules.get_possible_keys(policy, lookup, []) == set(lookup)


def test_rule_keys_are_parsed_once_into_the_same_states():
    key = json.dumps([{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}])
    first = rasa_fast_rules.rule_key_to_state(key)
    assert first == json.loads(key)
    assert rasa_fast_rules.rule_key_to_state(key) is first
