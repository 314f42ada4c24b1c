"""Speech: sentence-streamed text to audio chunks, behind one Synthesizer interface."""
