"""Abuse limits of the chat channels: which typed "/intent" payloads are believed, and the answers to
a client that sends too fast. Pure."""
