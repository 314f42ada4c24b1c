"""The LLM: always reached through the OpenAI API; an embedded llama.cpp server is the offline default."""
