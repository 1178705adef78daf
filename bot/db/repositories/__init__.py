"""Repositories: queries only, no business rules."""
