"""Named failures of the knowledge base."""
from __future__ import annotations


class PolicyFileInvalid(Exception):
    """A policies_kb/ file is missing, unreadable or does not match the schema.

    The message names the file, the entry and the field, so an editor can fix it.
    """

    def __init__(self, file: str, problem: str, entry: str | None = None, field: str | None = None):
        self.file = file
        self.entry = entry
        self.field = field
        self.problem = problem
        where = file
        if entry:
            where += f", entry '{entry}'"
        if field:
            where += f", field '{field}'"
        super().__init__(f"{where}: {problem}")


class KnowledgeBaseNotLoaded(Exception):
    """The database holds no knowledge base yet (run `python -m bot kb load`)."""
