"""Rasa glue of the abuse limits: the chat channels' rate limits, and patches to Rasa 3.6 and
sanic-jwt that bot/rasa_cli.py installs (with the speed-ups) before Rasa starts."""
