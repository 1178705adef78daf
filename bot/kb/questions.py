"""Loads policies_kb/questions.yml: questions people ask, by the id of the fact unit that answers them.

The file is optional. Its ids are checked against the units by `python -m bot kb check`
(bot.domain.answering.units.unknown_example_ids); a malformed file fails all or nothing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

from bot.kb.errors import PolicyFileInvalid
from bot.kb.loader import read_yaml

QUESTIONS_FILE = "questions.yml"


def load_examples(kb_dir: Path) -> Dict[str, List[str]]:
    """{unit id: [question, ...]}; {} when the file does not exist."""
    path = kb_dir / QUESTIONS_FILE
    if not path.is_file():
        return {}
    data = read_yaml(path, QUESTIONS_FILE)
    if not isinstance(data, dict) or not isinstance(data.get("questions"), dict):
        raise PolicyFileInvalid(QUESTIONS_FILE, "expected a mapping 'questions: {unit id: [question, ...]}'")
    examples: Dict[str, List[str]] = {}
    for unit_id, asked in data["questions"].items():
        if not isinstance(asked, list) or not asked or not all(isinstance(q, str) and q.strip() for q in asked):
            raise PolicyFileInvalid(QUESTIONS_FILE, "needs a non-empty list of questions", entry=str(unit_id))
        examples[str(unit_id)] = [q.strip() for q in asked]
    return examples
