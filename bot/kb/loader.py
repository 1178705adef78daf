"""Reads policies_kb/ into validated models. All or nothing: one bad file fails the load."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple, Type

import yaml
from pydantic import BaseModel, ValidationError

from bot.kb.apostille_schema import ApostilleFile
from bot.kb.categories_schema import CategoriesFile
from bot.kb.contacts_schema import Contacts, HallsFile
from bot.kb.errors import PolicyFileInvalid
from bot.kb.schema import KbFiles, Service

# file name (relative to the kb directory) -> model of its whole content
SINGLE_FILES: Dict[str, Type[BaseModel]] = {
    "halls.yml": HallsFile,
    "contacts.yml": Contacts,
    "apostille.yml": ApostilleFile,
    "categories.yml": CategoriesFile,
}
SERVICES_DIR = "services"
# Files with their own loader, read after the knowledge base (booking.yml: bot.kb.booking; questions.yml:
# bot.kb.questions).
SEPARATE_FILES = ("booking.yml", "questions.yml")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (PyYAML keeps the last)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path, label: str) -> Any:
    """Parse one YAML file, turning every failure into PolicyFileInvalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyFileInvalid(label, "file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyFileInvalid(label, f"cannot be read as UTF-8 text ({exc})") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyFileInvalid(label, f"is not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise PolicyFileInvalid(label, "must contain a mapping at the top level")
    return data


def _entry_and_field(data: Dict[str, Any], loc: Tuple[Any, ...]) -> Tuple[str | None, str]:
    """Name the entry (an item with an id, or the file's top-level id) and the field path."""
    entry = data.get("id") if isinstance(data.get("id"), str) else None
    node: Any = data
    parts: List[str] = []
    for step in loc:
        if step == "__root__":
            continue
        if isinstance(step, int):
            parts[-1:] = [f"{parts[-1]}[{step}]"] if parts else [f"[{step}]"]
        else:
            parts.append(str(step))
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            entry = node["id"]
    return entry, ".".join(parts) or "(top level)"


def parse_model(model: Type[BaseModel], data: Dict[str, Any], label: str) -> BaseModel:
    """Validate ``data`` against ``model``; the first error names file, entry and field."""
    try:
        return model.parse_obj(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        entry, field = _entry_and_field(data, tuple(first["loc"]))
        more = len(exc.errors()) - 1
        problem = first["msg"] + (f" (and {more} more problem(s) in this file)" if more else "")
        raise PolicyFileInvalid(label, problem, entry=entry, field=field) from None


def load_files(kb_dir: Path) -> KbFiles:
    """Load and validate every file of the knowledge base, or raise PolicyFileInvalid."""
    if not kb_dir.is_dir():
        raise PolicyFileInvalid(str(kb_dir), "knowledge-base directory does not exist")
    parsed: Dict[str, Any] = {}
    for name, model in SINGLE_FILES.items():
        parsed[name] = parse_model(model, read_yaml(kb_dir / name, name), name)

    services: Dict[str, Service] = {}
    service_files = sorted((kb_dir / SERVICES_DIR).glob("*.yml"))
    if not service_files:
        raise PolicyFileInvalid(SERVICES_DIR + "/", "no service files (*.yml) found")
    for path in service_files:
        label = f"{SERVICES_DIR}/{path.name}"
        service = parse_model(Service, read_yaml(path, label), label)
        if service.id != path.stem:
            raise PolicyFileInvalid(label, f"id '{service.id}' must match the file name '{path.stem}'",
                                    entry=service.id, field="id")
        services[service.id] = service

    unexpected = sorted(
        p.name for p in kb_dir.glob("*.y*ml") if p.name not in SINGLE_FILES and p.name not in SEPARATE_FILES
    )
    if unexpected:
        raise PolicyFileInvalid(unexpected[0], "is not a known knowledge-base file "
                                f"(expected {', '.join([*SINGLE_FILES, *SEPARATE_FILES])} or services/*.yml)")

    return KbFiles(
        services=services,
        halls=parsed["halls.yml"],
        contacts=parsed["contacts.yml"],
        apostille=parsed["apostille.yml"],
        categories=parsed["categories.yml"],
    )
