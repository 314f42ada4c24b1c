"""Local servers that speak the real protocols (platforms, renderers, an OpenAI-compatible LLM, speech), for
the tests and the benchmarks alike. Nothing in agent/ or connectors/ imports this package."""
