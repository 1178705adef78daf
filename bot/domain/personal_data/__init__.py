"""Personal data in free text: finding it to keep it out of storage, and finding the identifiers a
person gives inside a sentence. Pure."""
