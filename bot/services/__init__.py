"""Use cases. Each takes a unit of work (or the knowledge base) and returns dataclasses."""
