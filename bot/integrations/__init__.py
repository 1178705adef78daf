"""Outbound adapters: each a class, with a local implementation chosen once when wiring."""
