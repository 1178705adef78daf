"""Beijing E-Town permits assistant: everything that is not Rasa glue."""
