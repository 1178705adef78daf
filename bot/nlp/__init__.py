"""spaCy pipeline built from the knowledge base (no pretrained model is used)."""
