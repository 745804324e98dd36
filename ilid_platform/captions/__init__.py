"""Five-field ILID captions from an LLM (Ollama) or offline rules, with ILID's filters."""
