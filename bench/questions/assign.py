"""Give new questions an id and a split, without touching the ones that already have them.

Usage: python bench/questions/assign.py [en.yml zh.yml ...]   (default: both files)

A question without an ``id`` gets the next free one (``en-NNN`` / ``zh-NNN`` from the file
name). A question without a ``split`` goes to ``held_out`` while its topic's held-out share is
below 40 %, otherwise to ``dev``; ties are broken by a random draw with a fixed seed, so the
result is the same on every run. The topic is the service (or ``hall``, ``apostille``,
``categories``, ``contacts``, ``calendar``) of the first expected fact, or ``none``.

The file is rewritten in a fixed key order; comments are not kept (write notes in ``note``).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
HELD_OUT_SHARE = 0.4
SEED = 20261204
KEY_ORDER = ("id", "split", "source", "paraphrased", "question", "expect", "expect_all", "kind", "note")


def topic_of(entry: dict) -> str:
    """The stratum of a question: the namespace of its first expected fact id, or 'none'."""
    if entry.get("expect") == "none":
        return "none"
    ids = entry.get("expect") or [i for group in entry.get("expect_all") or [] for i in group]
    return str(ids[0]).split(".")[0] if ids else "none"


def ordered(entry: dict) -> dict:
    out = {k: entry[k] for k in KEY_ORDER if k in entry}
    out.update({k: v for k, v in entry.items() if k not in out})
    out.setdefault("paraphrased", False)
    out.setdefault("kind", "knowledge")
    return {k: out[k] for k in (*KEY_ORDER, *out) if k in out}


def assign(entries: list[dict], prefix: str, rng: random.Random) -> int:
    """Fill in missing ids and splits in place; return how many entries changed."""
    used = {e["id"] for e in entries if e.get("id")}
    number = max((int(i.split("-")[1]) for i in used), default=0)
    changed = 0
    for e in entries:
        if not e.get("id"):
            number += 1
            e["id"] = f"{prefix}-{number:03d}"
            changed += 1
    pending = [e for e in entries if e.get("split") not in ("dev", "held_out")]
    rng.shuffle(pending)
    for e in pending:
        same = [o for o in entries if o.get("split") in ("dev", "held_out") and topic_of(o) == topic_of(e)]
        held = sum(1 for o in same if o["split"] == "held_out")
        share = held / len(same) if same else 0.0
        if share < HELD_OUT_SHARE - 1e-9:
            e["split"] = "held_out"
        elif share > HELD_OUT_SHARE + 1e-9:
            e["split"] = "dev"
        else:
            e["split"] = "held_out" if rng.random() < HELD_OUT_SHARE else "dev"
        changed += 1
    return changed


def _represent_list(dumper: yaml.SafeDumper, data: list):
    """Flow style for lists of scalars (fact ids), block style otherwise."""
    flow = all(not isinstance(item, (list, dict)) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def dump(entries: list[dict], path: Path) -> None:
    class _Dumper(yaml.SafeDumper):
        pass

    _Dumper.add_representer(list, _represent_list)
    text = yaml.dump(
        [ordered(e) for e in entries],
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100000,
        default_flow_style=False,
    )
    path.write_text(text.replace("\n- id:", "\n\n- id:"), encoding="utf-8")


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [HERE / "en.yml", HERE / "zh.yml"]
    for path in paths:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        rng = random.Random(f"{SEED}:{path.stem}")
        changed = assign(entries, path.stem, rng)
        dump(entries, path)
        print(f"{path.name}: {len(entries)} questions, {changed} ids/splits assigned")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
