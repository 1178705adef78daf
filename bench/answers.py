"""Real questions (bench/questions/) through the fact-level answering: how many get a right fact.

For each question the answering service (bot/services/answering) picks the facts that answer it, or
declines. Outcomes:
- correct: a fact the question's label names is among the answer's facts (each part of a
  several-part question answered), or the label says "not in my sources" and the answer declines;
- wrong: a fact is stated as the answer but none of the labelled ones (or the question was not
  covered at all): the worst outcome;
- missed: the label names facts, but the answer declined (honest, but unhelpful).

--calibrate searches the decision thresholds on the "dev" split only and prints the best; the
figures for "held_out" are never used to choose anything. Writes bench/results/answers.json.

--assistant measures what the assistant answers: the trained model's intent and entities, then
bot.services.answering.answer_message (facts when sure, else the topic answer of a question intent,
else nothing stated). Writes bench/results/answers-assistant.json.

--baseline measures the topic-level answers instead (the trained Rasa model's intent and entities,
then bot.services.answers.answer_question, which prints a whole topic): a topic answer counts for
the facts it prints (all fees, the whole document list, ...), never for one document or deadline
asked by name. Writes bench/results/answers-baseline.json.

Usage: .venv/bin/python bench/answers.py [--calibrate | --assistant | --baseline] [--lang en|zh]
"""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.domain.answering.select import Weights  # noqa: E402
from bot.nlp.encoder import Encoder  # noqa: E402
from bot.nlp.pipeline import KbMatcher  # noqa: E402
from bot.services import knowledge  # noqa: E402
from bot.services.answering.answer import answer_message, find_facts  # noqa: E402
from bot.services.answering.index import FactIndexCache  # noqa: E402
from bot.kb.questions import load_examples  # noqa: E402
from bot.services.answers import QuestionContext  # noqa: E402
from bot.services.knowledge import LiveKnowledge  # noqa: E402


def load_questions(langs: List[str]) -> List[dict]:
    found = []
    for lang in langs:
        for entry in yaml.safe_load((ROOT / "bench" / "questions" / f"{lang}.yml").read_text()):
            found.append({**entry, "lang": lang})
    return found


def matches(expected: str, got: str) -> bool:
    return got == expected or got.startswith(expected + ".")


def outcome(entry: dict, answered_ids: List[str]) -> str:
    if entry.get("expect") == "none":
        return "correct" if not answered_ids else "wrong"
    parts = entry.get("expect_all") or [entry["expect"]]
    if not answered_ids:
        return "missed"
    if all(any(matches(e, g) for e in part for g in answered_ids) for part in parts):
        return "correct"
    if any(matches(e, g) for part in parts for e in part for g in answered_ids):
        return "partial"
    return "wrong"


def figures(rows: List[dict]) -> Dict:
    n = len(rows)
    count = {k: sum(1 for r in rows if r["outcome"] == k) for k in ("correct", "partial", "wrong", "missed")}
    declined_right = sum(1 for r in rows if r["outcome"] == "correct" and r["expect"] == "none")
    times = sorted(r["ms"] for r in rows)
    return {"questions": n, **{f"{k}_share": round(v / n, 3) if n else None for k, v in count.items()},
            "correctly_declined": declined_right, "p50_ms": times[len(times) // 2] if times else None,
            "p95_ms": times[int(len(times) * 0.95)] if times else None}


def run(live, index, encoder, questions, weights) -> List[dict]:
    rows = []
    for entry in questions:
        t0 = time.perf_counter()
        found = find_facts(live, index, encoder.encode, QuestionContext(intent=None, text=entry["question"]), weights)
        ms = round((time.perf_counter() - t0) * 1000, 1)
        ids = found.unit_ids()
        rows.append({"id": entry["id"], "lang": entry["lang"], "split": entry["split"], "ms": ms,
                     "expect": entry.get("expect") if entry.get("expect") == "none" else
                     (entry.get("expect_all") or entry.get("expect")),
                     "answered": ids, "outcome": outcome(entry, ids),
                     "top": [(s.unit.id, round(s.score, 3)) for _, c in found.parts for s in c.ranked[:3]]})
    return rows


# what a topic-level answer prints, as fact-unit id prefixes ({s}: the answer's service)
TOPIC_UNITS = {
    "materials": ["{s}.materials"], "processing_time": ["{s}.processing_time"], "fees": ["{s}.fees"],
    "validity": ["{s}.validity"], "deadlines": ["{s}.deadlines"],
    "eligibility": ["{s}.eligibility", "{s}.for_whom", "categories"],
    "where": ["{s}.halls", "{s}.online_systems", "{s}.where_note"],
    "overview": ["{s}.summary", "{s}.steps", "{s}.for_whom", "{s}.processing_time", "{s}.fees", "{s}.validity"],
    "hotlines": ["contacts"],
}


def topic_ids(live, a) -> List[str]:
    """The fact units an answer states: its own list (fact-level answers) or what its topic prints."""
    if a.fact_ids:
        return list(a.fact_ids)
    if a.topic == "apostille":
        return [f"apostille.{a.country_id}" if a.country_id else "apostille.rule"]
    if a.topic == "where" and not a.service_id:
        return [f"hall.{h}" for h in live.kb.halls if live.kb.halls[h].name in a.text[:200]]
    return [p.format(s=a.service_id) for p in TOPIC_UNITS.get(a.topic or "", [])] if a.service_id else []


def run_baseline(live, questions, index=None, encoder=None) -> List[dict]:
    import asyncio

    from rasa.core.agent import Agent

    from bot.config import Settings
    from bot.ops.training import ensure_model
    from bot.services.answers import UnknownQuestion, answer_question

    agent = Agent.load(str(ensure_model(Settings())))
    rows = []
    for entry in questions:
        t0 = time.perf_counter()
        parsed = asyncio.run(agent.parse_message(entry["question"]))
        intent = (parsed.get("intent") or {}).get("name")
        ctx = QuestionContext(intent, entry["question"], parsed.get("entities") or [])
        try:
            if index is not None:  # the assistant as it answers now (bot.services.answering.answer_message)
                reply = answer_message(live, index, encoder.encode, ctx)
            else:  # the topic-level answers alone
                reply = answer_question(live, ctx)
            ids = topic_ids(live, reply.answer) if reply else []
        except UnknownQuestion:
            ids = []  # a form, chit-chat or the fallback: no fact stated
        ms = round((time.perf_counter() - t0) * 1000, 1)
        rows.append({"id": entry["id"], "lang": entry["lang"], "split": entry["split"], "ms": ms, "intent": intent,
                     "expect": entry.get("expect") if entry.get("expect") == "none" else
                     (entry.get("expect_all") or entry.get("expect")), "answered": ids,
                     "outcome": outcome(entry, ids)})
    return rows


def report(rows: List[dict]) -> Dict:
    out = {}
    for lang in sorted({r["lang"] for r in rows}):
        for split in ("dev", "held_out"):
            part = [r for r in rows if r["lang"] == lang and r["split"] == split]
            if part:
                out[f"{lang}/{split}"] = figures(part)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--assistant", action="store_true")
    parser.add_argument("--lang", choices=["en", "zh"], action="append")
    args = parser.parse_args()
    kb = knowledge.check(ROOT / "policies_kb")
    live = LiveKnowledge(kb, KbMatcher(kb))
    questions = load_questions(args.lang or ["en", "zh"])
    if args.baseline:
        rows = run_baseline(live, questions)
        return write("answers-baseline", {"figures": report(rows), "questions": rows})
    encoder = Encoder.load()
    index = FactIndexCache(encoder, load_examples(ROOT / "policies_kb"), cache_dir=ROOT / "var" / "cache").get(kb)
    if args.assistant:
        rows = run_baseline(live, questions, index, encoder)
        return write("answers-assistant", {"figures": report(rows), "questions": rows})
    weights = Weights()
    if args.calibrate:
        dev = [q for q in questions if q["split"] == "dev"]
        best = None
        for answer_at, uncovered in itertools.product((0.6, 0.65, 0.7, 0.75), (0.0, 0.1, 0.2, 0.3)):
            trial = dataclasses.replace(weights, answer_at=answer_at, near_at=answer_at - 0.1, uncovered=uncovered)
            f = figures(run(live, index, encoder, dev, trial))
            print(f"answer_at={answer_at} uncovered={uncovered}: {f}")
            key = f["correct_share"] - 3 * f["wrong_share"]
            if best is None or key > best[0]:
                best = (key, trial)
        weights = best[1]
        print("chosen on dev:", weights)
    rows = run(live, index, encoder, questions, weights)
    return write("answers", {"weights": dataclasses.asdict(weights), "figures": report(rows), "questions": rows})


def write(name: str, result: Dict) -> int:
    for part, f in result["figures"].items():
        print(part, json.dumps(f))
    target = ROOT / "bench" / "results" / f"{name}.json"
    target.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
