"""Rasa NLU components that bound what the pipeline reads and catch input no classifier should guess at.

InputLimit runs first: no component sees more than MAX_CHARS characters of a message (the channels
already refuse longer messages; this holds for every other way in, such as Rasa's HTTP API). InputGuard
runs last: Chinese text becomes `chinese_message`, and empty, binary or overly long text becomes
`unreadable_input`, whatever DIET predicted. The rule itself is the pure function
bot.domain.input_check.classify.
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
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.domain.input_check import MAX_CHARS, InputKind, classify

TRUNCATED = "etown_truncated"  # set on a message whose text InputLimit cut to MAX_CHARS

INTENT_FOR = {
    InputKind.CHINESE: "chinese_message",
    InputKind.EMPTY: "unreadable_input",
    InputKind.UNREADABLE: "unreadable_input",
    InputKind.TOO_LONG: "unreadable_input",
}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class InputLimit(GraphComponent):
    """First in the pipeline: a text longer than MAX_CHARS is cut there (and marked), so the cost of
    tokenizing, featurizing and classifying one message is bounded whatever was sent."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "InputLimit":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and len(text) > MAX_CHARS:
                message.set(TEXT, text[:MAX_CHARS])
                message.set(TRUNCATED, True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data


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
            kind = InputKind.TOO_LONG if message.get(TRUNCATED) else classify(message.get(TEXT))
            intent = INTENT_FOR.get(kind)
            if intent:
                message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 1.0}], add_to_output=True)
        return messages
