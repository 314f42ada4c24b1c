"""Grounded replies: retrieval, a delimited prompt, a streamed LLM answer, and guards before speech."""
