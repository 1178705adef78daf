"""TED runs only when its prediction could be chosen (installed by bot.rasa_speedups).

For every next-action prediction Rasa 3.6 runs all policies, then its ensemble picks one: the
highest confidence, ties going to the higher priority (RulePolicy 6, MemoizationPolicy 3, TED 1).
A rule or a memorised story predicts with confidence 1.0, and TED's confidences are softmax
probabilities, never above 1.0: whenever a rule or a story applies, TED cannot win, yet its
featurisation and TensorFlow inference were about a third of the Rasa server's CPU.

So TED's prediction is deferred: the policy returns a prediction that computes itself the first
time anything reads it, and the ensemble drops it unread when another eligible prediction has
confidence 1.0 and a higher priority. In every other case (no rule or story applies, a core
fallback at 0.3, an end-to-end model whose text predictions follow other rules) TED is computed
exactly as before and the ensemble's own choice runs unchanged.
"""
from __future__ import annotations

from typing import Callable, List

from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.nlu.constants import TEXT

_LAZY = ("probabilities", "optional_events", "diagnostic_data", "action_metadata")


class DeferredPrediction(PolicyPrediction):
    """A TED prediction computed on first read. Never a "no user" or end-to-end prediction and
    without mandatory events, as TED's own predictions are for a model trained without text."""

    def __init__(self, compute: Callable[[], PolicyPrediction], policy_name: str, policy_priority: int) -> None:
        object.__setattr__(self, "_compute", compute)
        object.__setattr__(self, "_computed", None)
        self.policy_name = policy_name
        self.policy_priority = policy_priority
        self.events = []
        self.is_end_to_end_prediction = False
        self.is_no_user_prediction = False
        self.hide_rule_turn = False

    @property
    def computed(self) -> bool:
        return self._computed is not None

    def _prediction(self) -> PolicyPrediction:
        if self._computed is None:
            object.__setattr__(self, "_computed", self._compute())
        return self._computed

    def __getattribute__(self, name: str):
        if name in _LAZY:
            return getattr(object.__getattribute__(self, "_prediction")(), name)
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value) -> None:
        if name in _LAZY:
            setattr(self._prediction(), name, value)
        else:
            object.__setattr__(self, name, value)


def cannot_win(deferred: DeferredPrediction, others: List[PolicyPrediction]) -> bool:
    """True when the ensemble's rules (see DefaultPolicyPredictionEnsemble) rule ``deferred`` out
    whatever its confidences are (they are at most 1.0)."""
    if any(p.is_no_user_prediction for p in others) or any(p.is_end_to_end_prediction for p in others):
        return True  # the deferred prediction is neither, so it is filtered out
    return any(p.max_confidence >= 1.0 and p.policy_priority > deferred.policy_priority for p in others)


def pick_best_policy(original: Callable[[List[PolicyPrediction]], PolicyPrediction]):
    """The ensemble's _pick_best_policy, given only the predictions that could win."""

    def pick(predictions: List[PolicyPrediction]) -> PolicyPrediction:
        decided = [p for p in predictions if not isinstance(p, DeferredPrediction)]
        kept = [p for p in predictions
                if not (isinstance(p, DeferredPrediction) and not p.computed and decided and cannot_win(p, decided))]
        return original(kept)

    return pick


def deferred_predict(original):
    """TEDPolicy.predict_action_probabilities returning a DeferredPrediction when that is exact."""

    def predict(self: TEDPolicy, tracker, domain, rule_only_data=None, precomputations=None,
                **kwargs) -> PolicyPrediction:
        def compute() -> PolicyPrediction:
            return original(self, tracker, domain, rule_only_data=rule_only_data,
                            precomputations=precomputations, **kwargs)

        if self.model is None or TEXT in self.fake_features:
            return compute()  # an untrained or end-to-end TED: computed now, as Rasa does
        return DeferredPrediction(compute, self.__class__.__name__, self.priority)

    predict.deferred = True
    return predict


def install() -> None:
    """Patch TEDPolicy and the default ensemble (idempotent)."""
    if getattr(TEDPolicy.predict_action_probabilities, "deferred", False):
        return
    TEDPolicy.predict_action_probabilities = deferred_predict(TEDPolicy.predict_action_probabilities)
    DefaultPolicyPredictionEnsemble._pick_best_policy = staticmethod(
        pick_best_policy(DefaultPolicyPredictionEnsemble._pick_best_policy))

