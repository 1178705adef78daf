"""Validate the real-question sets (en.yml, zh.yml) against the knowledge base and print counts.

Usage: python bench/questions/check.py [--kb PATH_TO_policies_kb]

Checks: every entry has the required keys and allowed values; ids are unique and carry the
file's prefix; every fact id names something that exists in policies_kb/ (service and topic,
material, deadline, hall, apostille country, category, contact, calendar), or is listed under
"ids of facts still to be added" in README.md. Exits with status 1 when anything is wrong.
Standard library and PyYAML only.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_KB = HERE.parent.parent / "policies_kb"
FILES = ("en.yml", "zh.yml")
REQUIRED = ("id", "split", "source", "paraphrased", "question", "kind")
SPLITS = ("dev", "held_out")
KINDS = ("knowledge", "checklist", "estimate", "case_status", "booking", "handoff", "chitchat")
TOPICS = (
    "summary", "for_whom", "steps", "materials", "processing_time", "fees", "validity",
    "deadlines", "eligibility", "halls", "online_systems", "where_note", "complex_cases",
)
PENDING_HEADING = "ids of facts still to be added"


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _empty(value) -> bool:
    return value is None or value == [] or value == {} or value == ""


class KnowledgeBase:
    """The ids that exist in policies_kb/, as needed to resolve fact ids."""

    def __init__(self, kb: Path) -> None:
        self.services = {}
        for path in sorted((kb / "services").glob("*.yml")):
            data = _load(path)
            self.services[data["id"]] = data
        self.halls = {h["id"] for h in _load(kb / "halls.yml")["halls"]}
        apostille = _load(kb / "apostille.yml")
        self.countries = {str(c["id"]) for c in apostille["countries"]}
        self.categories = {str(c["id"]) for c in _load(kb / "categories.yml")["categories"]}
        contacts = _load(kb / "contacts.yml")
        self.contacts = {c["id"] for c in contacts.get("hotlines", []) + contacts.get("online_systems", [])}

    def problem(self, fact_id: str) -> str | None:
        """None when the id resolves, otherwise why it does not."""
        head, _, rest = fact_id.partition(".")
        if not rest:
            return "no topic"
        if head == "hall":
            return None if rest in self.halls else f"unknown hall {rest!r}"
        if head == "apostille":
            return None if rest == "rule" or rest in self.countries else f"unknown country {rest!r}"
        if head == "categories":
            return None if rest in self.categories else f"unknown category {rest!r}"
        if head == "contacts":
            return None if rest in self.contacts else f"unknown contact {rest!r}"
        if head == "calendar":
            return None if rest == "holidays" else f"unknown calendar fact {rest!r}"
        service = self.services.get(head)
        if service is None:
            return f"unknown service {head!r}"
        topic, _, sub = rest.partition(".")
        if topic not in TOPICS:
            return f"unknown topic {topic!r}"
        if topic not in service or _empty(service[topic]):
            return f"{head} has no {topic} in the knowledge base"
        if not sub:
            return None
        if topic == "materials":
            ids = {m["id"] for m in service["materials"]}
        elif topic == "deadlines":
            ids = {d["id"] for d in service["deadlines"]}
        else:
            return f"{topic} takes no sub-id"
        return None if sub in ids else f"{head} has no {topic[:-1] if topic.endswith('s') else topic} {sub!r}"


def pending_ids(readme: Path) -> set[str]:
    """Backticked fact ids listed in README.md under the 'still to be added' heading."""
    if not readme.exists():
        return set()
    ids: set[str] = set()
    inside = False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            inside = PENDING_HEADING in line.lower()
            continue
        if inside:
            ids.update(re.findall(r"`([a-z0-9_]+(?:\.[A-Za-z0-9_]+)+)`", line))
    return ids


def fact_ids(entry: dict) -> list[str]:
    if "expect_all" in entry:
        return [i for group in entry["expect_all"] for i in group]
    return [] if entry.get("expect") == "none" else list(entry.get("expect") or [])


def check_entry(entry, where: str, prefix: str, kb: KnowledgeBase, pending: set[str]) -> list[str]:
    errors = []
    if not isinstance(entry, dict):
        return [f"{where}: not a mapping"]
    for key in REQUIRED:
        if key not in entry:
            errors.append(f"{where}: missing {key!r}")
    if ("expect" in entry) == ("expect_all" in entry):
        errors.append(f"{where}: needs exactly one of 'expect' and 'expect_all'")
    if not str(entry.get("id", "")).startswith(prefix + "-"):
        errors.append(f"{where}: id should start with {prefix}-")
    if entry.get("split") not in SPLITS:
        errors.append(f"{where}: split must be one of {SPLITS}")
    if entry.get("kind") not in KINDS:
        errors.append(f"{where}: kind must be one of {KINDS}")
    if not isinstance(entry.get("paraphrased"), bool):
        errors.append(f"{where}: paraphrased must be true or false")
    if not str(entry.get("source", "")).startswith(("http://", "https://")):
        errors.append(f"{where}: source must be the page's address")
    if not isinstance(entry.get("question"), str) or not entry["question"].strip():
        errors.append(f"{where}: empty question")
    if "expect" in entry:
        value = entry["expect"]
        if value != "none" and (not isinstance(value, list) or not value):
            errors.append(f"{where}: expect must be 'none' or a non-empty list")
    if "expect_all" in entry:
        groups = entry["expect_all"]
        if not isinstance(groups, list) or len(groups) < 2 or any(not isinstance(g, list) or not g for g in groups):
            errors.append(f"{where}: expect_all must be a list of at least two non-empty lists")
    for fact in fact_ids(entry):
        if not isinstance(fact, str):
            errors.append(f"{where}: fact id {fact!r} is not a string")
            continue
        if fact in pending:
            continue
        why = kb.problem(fact)
        if why:
            errors.append(f"{where}: {fact}: {why}")
    return errors


def counts_table(rows: dict[str, list[dict]]) -> str:
    lines = [
        "| language | split | questions | expect: none | paraphrased |",
        "|---|---|---:|---:|---:|",
    ]
    for lang, entries in rows.items():
        for split in (*SPLITS, "all"):
            chosen = [e for e in entries if split == "all" or e.get("split") == split]
            none = sum(1 for e in chosen if e.get("expect") == "none")
            para = sum(1 for e in chosen if e.get("paraphrased"))
            lines.append(f"| {lang} | {split} | {len(chosen)} | {none} | {para} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=DEFAULT_KB, help="the policies_kb folder")
    args = parser.parse_args(argv)

    kb = KnowledgeBase(args.kb)
    pending = pending_ids(HERE / "README.md")
    errors: list[str] = []
    for fact in sorted(pending):
        if kb.problem(fact) is None:
            errors.append(f"README.md: {fact} is listed as still to be added but already exists")

    rows: dict[str, list[dict]] = {}
    seen: Counter = Counter()
    for name in FILES:
        entries = _load(HERE / name) or []
        if not isinstance(entries, list):
            errors.append(f"{name}: must be a YAML list")
            continue
        prefix = name.split(".")[0]
        rows[prefix] = entries
        for n, entry in enumerate(entries, 1):
            where = f"{name}#{n} {entry.get('id', '?') if isinstance(entry, dict) else '?'}"
            errors.extend(check_entry(entry, where, prefix, kb, pending))
            if isinstance(entry, dict):
                seen[entry.get("id")] += 1
    errors.extend(f"duplicate id {i}" for i, c in seen.items() if c > 1)

    print(counts_table(rows))
    topics: Counter = Counter()
    held: Counter = Counter()
    for entries in rows.values():
        for e in entries:
            t = "none" if e.get("expect") == "none" else fact_ids(e)[0].split(".")[0] if fact_ids(e) else "none"
            topics[t] += 1
            held[t] += e.get("split") == "held_out"
    print("\nheld-out share by topic: " + ", ".join(f"{t} {held[t]}/{n}" for t, n in topics.most_common()))
    if errors:
        print(f"\n{len(errors)} problem(s):", file=sys.stderr)
        for line in errors:
            print("  " + line, file=sys.stderr)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
