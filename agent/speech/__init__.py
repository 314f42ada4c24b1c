"""Speech: engines behind one SpeechEngine interface (agent.ports), streamed by agent.speech.stream."""
