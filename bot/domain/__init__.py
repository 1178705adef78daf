"""Pure business rules: no I/O, no Rasa, no database."""
