"""Rasa SDK actions: thin adapters over bot.services, one module per feature."""
