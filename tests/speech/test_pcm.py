"""Reading what voice servers send: streamed WAV (header first, data length 0), whole WAV, bare PCM, silence."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from agent.audio import envelope
from agent.errors import RetryableError
from agent.speech.pcm import PcmReader, WavReader, is_silent, levels
from testkit.voice_server import tone, wav_file, wav_header


def _feed_in_pieces(reader: WavReader | PcmReader, data: bytes, size: int) -> bytes:
    return b"".join(reader.feed(data[i:i + size]) for i in range(0, len(data), size))


def test_streamed_wav_header_says_zero_bytes_yet_all_the_pcm_after_it_is_read() -> None:
    pcm = tone("streamed sentence", 32000)
    stream = wav_header(32000) + pcm
    assert struct.unpack_from("<I", stream, 40)[0] == 0  # the data length a streamed header carries

    for size in (1, 3, 7, 44, 45, 4096):  # header and samples cut anywhere
        reader = WavReader()
        assert _feed_in_pieces(reader, stream, size) == pcm, size
        assert reader.sample_rate == 32000


def test_no_pcm_comes_out_before_the_header_is_complete() -> None:
    reader = WavReader()

    assert reader.feed(wav_header(24000)[:30]) == b""
    assert not reader.started and reader.sample_rate == 0


def test_whole_wav_file_stops_at_its_data_length_and_skips_chunks_after_it() -> None:
    pcm = tone("whole file", 44100)
    trailing = b"LIST" + struct.pack("<I", 4) + b"INFO"

    assert WavReader().feed(wav_file(pcm, 44100) + trailing) == pcm


def test_a_chunk_before_data_is_skipped_and_stereo_is_mixed_down() -> None:
    left = np.full(100, 1000, dtype="<i2")
    right = np.full(100, 3000, dtype="<i2")
    frames = np.stack([left, right], axis=1).tobytes()
    fmt = struct.pack("<HHIIHH", 1, 2, 16000, 16000 * 4, 4, 16)
    extra = b"fact" + struct.pack("<I", 4) + b"\0\0\0\0"
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + extra + b"data" + struct.pack("<I", 0) + frames
    stream = b"RIFF" + struct.pack("<I", 0) + body

    out = _feed_in_pieces(WavReader(), stream, 5)

    assert np.frombuffer(out, dtype="<i2").tolist() == [2000] * 100


@pytest.mark.parametrize("stream", [b'{"message": "tts failed"}', b"RIFF\0\0\0\0WAVEdata\0\0\0\0"])
def test_an_answer_that_is_not_a_pcm_wav_is_refused(stream: bytes) -> None:
    with pytest.raises(RetryableError):
        WavReader().feed(stream)


def test_float_wav_is_refused_with_what_livehost_reads() -> None:
    fmt = struct.pack("<HHIIHH", 3, 1, 24000, 24000 * 4, 4, 32)
    stream = b"RIFF\0\0\0\0WAVEfmt " + struct.pack("<I", 16) + fmt + b"data\0\0\0\0"

    with pytest.raises(RetryableError, match="16-bit PCM"):
        WavReader().feed(stream)


def test_bare_pcm_carries_an_odd_byte_to_the_next_piece() -> None:
    pcm = tone("bare", 22050)
    reader = PcmReader(22050)

    assert _feed_in_pieces(reader, pcm, 3) == pcm


def test_zeros_and_a_whisper_are_silence_and_speech_is_not() -> None:
    assert is_silent(b"\0\0" * 32000)
    assert is_silent(b"")
    assert is_silent(np.full(1000, 40, dtype="<i2").tobytes())
    assert not is_silent(tone("words", 32000))


def test_mouth_levels_match_the_shared_envelope() -> None:
    for rate, text in ((32000, "a sentence"), (22050, "another one, longer than that"), (8000, "x")):
        pcm = tone(text, rate)[: -2 * 7]  # a last window that is not full
        assert levels(pcm, rate) == envelope(pcm, rate)
