"""Fact-level answers: the question's facts found by meaning in the live knowledge base, and said."""
