"""RulePolicy's rule matching without repeated work (installed by bot.rasa_speedups).

For every prediction Rasa 3.6's RulePolicy filters all its rule keys (JSON texts of the rules'
states) against every state of the conversation, newest first: for each key and each turn it
parses the key's JSON again, and it keeps going back through the whole conversation although a
rule is only a few turns long and every rule is trivially satisfied beyond its own length. Here
each key is parsed once; the rules are indexed by the previous action and intent their newest
state requires, so only those that can match the newest conversation state are tested; and the
walk stops as soon as no rule is left or every remaining rule is shorter than the turns checked. The keys found are the same (unit-tested against
RulePolicy._get_possible_keys).
"""
from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache
from typing import Dict, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

# Rasa's own, kept for the tests that compare with it.
RASA_GET_POSSIBLE_KEYS = RulePolicy._get_possible_keys


@lru_cache(maxsize=8192)
def rule_key_to_state(rule_key: Text) -> List[Dict]:
    """RulePolicy._rule_key_to_state, parsed once per key (callers only read the states)."""
    return json.loads(rule_key)


@lru_cache(maxsize=8192)
def reversed_rule_states(rule_key: Text) -> Tuple[Dict, ...]:
    return tuple(reversed(rule_key_to_state(rule_key)))


Rule = Tuple[Text, Tuple[Dict, ...]]  # a key and its states, newest first


def _required(sub_state: Optional[Dict], name: Text) -> Optional[Text]:
    """The value a rule state requires for ``name`` (None: it requires no particular value)."""
    value = (sub_state or {}).get(name)
    if not value or value == SHOULD_NOT_BE_SET or not isinstance(value, str):
        return None
    return value


class _Index:
    """A lookup's rules grouped by what their newest state requires of the newest conversation
    state: no previous action (a conversation start), or a previous action and maybe an intent.
    Only rules that could pass the first test are tested; the test itself is unchanged."""

    def __init__(self, lookup: Dict[Text, Text]) -> None:
        self.lookup = lookup  # held, so the id this index is cached under stays this lookup's
        self.size = len(lookup)
        self.starts: List[Rule] = []
        self.by_action: Dict[Text, Dict[Optional[Text], List[Rule]]] = defaultdict(lambda: defaultdict(list))
        self.others: List[Rule] = []
        for key in lookup:
            rule = reversed_rule_states(key)
            newest = rule[0]
            previous = newest.get(PREVIOUS_ACTION)
            if not previous:
                self.starts.append((key, rule))
            elif _required(previous, ACTION_NAME) and set(previous) == {ACTION_NAME}:
                intent = _required(newest.get(USER), INTENT)
                self.by_action[previous[ACTION_NAME]][intent].append((key, rule))
            else:
                self.others.append((key, rule))

    def candidates(self, state: Dict) -> List[Rule]:
        previous = state.get(PREVIOUS_ACTION)
        if not previous:
            return self.starts  # a rule with a previous action cannot match a conversation start
        by_intent = self.by_action.get(previous.get(ACTION_NAME), {})
        intent = (state.get(USER) or {}).get(INTENT)
        return [*by_intent.get(None, ()), *(by_intent.get(intent, ()) if intent else ()), *self.others]


_indexes: Dict[int, _Index] = {}


def _index(lookup: Dict[Text, Text]) -> _Index:
    index = _indexes.get(id(lookup))
    if index is None or index.lookup is not lookup or index.size != len(lookup):
        index = _indexes[id(lookup)] = _Index(lookup)
    return index


def get_possible_keys(self, lookup: Dict[Text, Text], states: List[Dict]) -> Set[Text]:
    """RulePolicy._get_possible_keys: the keys whose rule matches the conversation's states.

    Per turn the same test as RulePolicy._is_rule_applicable: a rule shorter than the turns seen so
    far applies; a conversation-start state matches only a conversation-start rule state;
    otherwise the rule state's features must be in the conversation state."""
    if not states:
        return set(lookup)
    possible = None
    for turn, state in enumerate(reversed(states)):
        if turn == 0:
            possible = _index(lookup).candidates(state)
        if not possible or all(turn >= len(rule) for _, rule in possible):
            break
        current_previous_action = state.get(PREVIOUS_ACTION)
        kept = []
        for key, rule in possible:
            if turn >= len(rule):
                kept.append((key, rule))
                continue
            rule_previous_action = rule[turn].get(PREVIOUS_ACTION)
            if not rule_previous_action and not current_previous_action:
                kept.append((key, rule))
            elif rule_previous_action and current_previous_action and self._does_rule_match_state(rule[turn], state):
                kept.append((key, rule))
        possible = kept
    return {key for key, _ in possible}


def install() -> None:
    RulePolicy._rule_key_to_state = staticmethod(rule_key_to_state)
    RulePolicy._get_possible_keys = get_possible_keys
