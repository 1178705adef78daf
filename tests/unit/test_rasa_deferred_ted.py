"""TED is computed only when its prediction could be chosen; the ensemble's choice never changes."""
import itertools

import pytest
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.events import ActionExecuted, SlotSet

from bot import rasa_deferred_ted
from bot.rasa_deferred_ted import DeferredPrediction, cannot_win, pick_best_policy

ORIGINAL_PICK = DefaultPolicyPredictionEnsemble.__dict__["_pick_best_policy"].__func__
if getattr(ORIGINAL_PICK, "__name__", "") == "pick":  # installed by another test's server start-up
    ORIGINAL_PICK = ORIGINAL_PICK.__closure__[0].cell_contents


def ted(probabilities, priority=1):
    """A deferred TED prediction that records whether it was computed."""
    calls = []

    def compute():
        calls.append(1)
        return PolicyPrediction(list(probabilities), "TEDPolicy", priority, diagnostic_data={"d": 1})

    return DeferredPrediction(compute, "TEDPolicy", priority), calls


def rule(probabilities, priority=6, **kwargs):
    return PolicyPrediction(list(probabilities), "RulePolicy", priority, **kwargs)


def memo(probabilities, priority=3, **kwargs):
    return PolicyPrediction(list(probabilities), "MemoizationPolicy", priority, **kwargs)


def chosen(prediction):
    return (prediction.policy_name, prediction.probabilities, [str(e) for e in prediction.events])


def test_a_rule_at_full_confidence_wins_without_computing_ted():
    deferred, calls = ted([0.1, 0.9])
    best = pick_best_policy(ORIGINAL_PICK)([rule([1.0, 0.0]), memo([0.0, 0.0]), deferred])
    assert best.policy_name == "RulePolicy" and calls == []


def test_a_core_fallback_leaves_the_choice_to_ted():
    deferred, calls = ted([0.1, 0.9])
    best = pick_best_policy(ORIGINAL_PICK)([rule([0.3, 0.0]), memo([0.0, 0.0]), deferred])
    assert best.policy_name == "TEDPolicy" and best.probabilities == [0.1, 0.9] and calls == [1]


PROBABILITIES = [[0.0, 0.0], [1.0, 0.0], [0.3, 0.0], [0.2, 0.7]]
TED_PROBABILITIES = [[0.1, 0.9], [1.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize("rule_p,memo_p,ted_p,no_user,rule_events",
                         itertools.product(PROBABILITIES, PROBABILITIES, TED_PROBABILITIES, (False, True),
                                           ([], [SlotSet("x", 1)])))
def test_the_choice_is_the_ensembles_own_in_every_case(rule_p, memo_p, ted_p, no_user, rule_events):
    computed = PolicyPrediction(list(ted_p), "TEDPolicy", 1)
    expected = ORIGINAL_PICK([rule(rule_p, is_no_user_prediction=no_user, events=list(rule_events)),
                              memo(memo_p), computed])
    deferred, _ = ted(ted_p)
    best = pick_best_policy(ORIGINAL_PICK)([rule(rule_p, is_no_user_prediction=no_user, events=list(rule_events)),
                                            memo(memo_p), deferred])
    assert chosen(best) == chosen(expected)


def test_reading_a_deferred_prediction_computes_it_once_and_writes_go_to_it():
    deferred, calls = ted([0.4, 0.6])
    assert deferred.max_confidence == 0.6 and deferred.diagnostic_data == {"d": 1}
    deferred.probabilities[0] = 0.0  # what the ensemble does to a rejected action
    assert deferred.probabilities == [0.0, 0.6] and calls == [1]
    assert deferred.events == [] and not deferred.is_end_to_end_prediction and not deferred.is_no_user_prediction


def test_an_end_to_end_or_no_user_prediction_elsewhere_rules_ted_out():
    deferred, _ = ted([1.0, 0.0])
    assert cannot_win(deferred, [rule([0.0, 0.0], is_no_user_prediction=True)])
    assert cannot_win(deferred, [rule([0.0, 0.0], is_end_to_end_prediction=True)])
    assert not cannot_win(deferred, [rule([0.3, 0.0]), memo([0.9, 0.0])])
    assert not cannot_win(deferred, [PolicyPrediction([1.0, 0.0], "Same", 1)])  # equal priority: order decides


def test_the_ensemble_still_rejects_an_action_across_deferred_predictions(monkeypatch):
    """_best_policy_prediction zeroes a rejected action in every prediction, TED's included."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecutionRejected
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_yaml("actions: [action_a]")
    index = domain.index_for_action("action_a")
    size = len(domain.action_names_or_texts)
    probabilities = [0.0] * size
    probabilities[index] = 0.9
    deferred, calls = ted(probabilities)
    tracker = DialogueStateTracker.from_events("s", [ActionExecuted("action_listen"),
                                                     ActionExecutionRejected("action_a")])
    monkeypatch.setattr(DefaultPolicyPredictionEnsemble, "_pick_best_policy",
                        staticmethod(pick_best_policy(ORIGINAL_PICK)))
    rule_p = [0.0] * size
    rule_p[0] = 0.3
    best = DefaultPolicyPredictionEnsemble._best_policy_prediction([rule(rule_p), deferred], tracker, domain)
    assert calls == [1] and best.probabilities[index] == 0.0


def test_install_defers_a_trained_intent_ted_and_keeps_an_end_to_end_one(monkeypatch):
    from rasa.core.policies.ted_policy import TEDPolicy

    original = TEDPolicy.__dict__["predict_action_probabilities"]
    monkeypatch.setattr(TEDPolicy, "predict_action_probabilities", original)
    monkeypatch.setattr(DefaultPolicyPredictionEnsemble, "_pick_best_policy",
                        DefaultPolicyPredictionEnsemble.__dict__["_pick_best_policy"])
    rasa_deferred_ted.install()
    rasa_deferred_ted.install()  # idempotent
    assert TEDPolicy.predict_action_probabilities.deferred

    class FakeTED:
        model = object()
        fake_features = {}
        priority = 1

    result = TEDPolicy.predict_action_probabilities(FakeTED(), None, None)
    assert isinstance(result, DeferredPrediction) and result.policy_name == "FakeTED"
    FakeTED.fake_features = {"text": []}
    monkeypatch.setattr(TEDPolicy, "predict_action_probabilities",
                        rasa_deferred_ted.deferred_predict(lambda self, *a, **k: "computed now"))
    assert TEDPolicy.predict_action_probabilities(FakeTED(), None, None) == "computed now"
