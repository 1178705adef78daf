"""A Rasa NLU component that catches input no classifier should guess at.

It runs last in the pipeline: Chinese text becomes `chinese_message`, and empty, binary
or overly long text becomes `unreadable_input`, whatever DIET predicted. The rule itself is
the pure function bot.domain.input_check.classify.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.domain.input_check import InputKind, classify

INTENT_FOR = {
    InputKind.CHINESE: "chinese_message",
    InputKind.EMPTY: "unreadable_input",
    InputKind.UNREADABLE: "unreadable_input",
    InputKind.TOO_LONG: "unreadable_input",
}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class InputGuard(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> List[type]:
        return [IntentClassifier]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "InputGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = INTENT_FOR.get(classify(message.get(TEXT)))
            if intent:
                message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 1.0}], add_to_output=True)
        return messages
