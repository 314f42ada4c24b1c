"""PCM as voice servers send it: a WAV stream read as it arrives (also one whose header says its data is 0
bytes long, as a streamed WAV's does), bare 16-bit PCM, the mouth levels, and the silence a broken server
sends instead of speech."""

from __future__ import annotations

import struct

import numpy as np

from agent.audio import LEVEL_HZ
from agent.errors import RetryableError

_PCM = 1
_EXTENSIBLE = 0xFFFE
_STREAMING_SIZES = (0, 0xFFFFFFFF)  # a data chunk whose length was not known when the header was written
SILENT_PEAK = 64  # loudest sample (of 32767) in what counts as silence: about -54 dBFS


class WavReader:
    """Feed it a WAV stream piece by piece; it returns the 16-bit mono PCM each piece completes.

    A data chunk with a real length ends there (chunks after it are skipped); one of length 0 or 0xFFFFFFFF
    runs to the end of the stream. Several channels are mixed down to one. Only 16-bit PCM is accepted.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self.sample_rate = 0
        self.channels = 0
        self._in_data = False
        self._left: int | None = None  # data bytes still to come; None: to the end of the stream
        self._frame = b""  # an incomplete frame carried to the next piece

    def feed(self, piece: bytes) -> bytes:
        if self._in_data:
            return self._data(piece)
        self._buf.extend(piece)
        if not self._header():
            return b""
        rest = bytes(self._buf)
        self._buf.clear()
        return self._data(rest)

    def _header(self) -> bool:
        """Parse as far as the data chunk; True once there."""
        buf = self._buf
        if len(buf) < 12:
            return False
        if buf[:4] != b"RIFF" or buf[8:12] != b"WAVE":
            raise RetryableError("the voice server's answer is not a WAV stream")
        pos = 12
        while len(buf) >= pos + 8:
            cid = bytes(buf[pos:pos + 4])
            (size,) = struct.unpack_from("<I", buf, pos + 4)
            if cid == b"data":
                if not self.sample_rate:
                    raise RetryableError("the voice server's WAV has no format chunk before its data")
                self._in_data = True
                self._left = None if size in _STREAMING_SIZES else size
                del buf[:pos + 8]
                return True
            end = pos + 8 + size + (size & 1)
            if len(buf) < end:
                return False
            if cid == b"fmt ":
                tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", buf, pos + 8)
                if tag == _EXTENSIBLE and size >= 26:
                    (tag,) = struct.unpack_from("<H", buf, pos + 8 + 24)
                if tag != _PCM or bits != 16 or channels < 1 or rate <= 0:
                    raise RetryableError(f"the voice server sends {bits}-bit audio (format {tag}); livehost reads "
                                         "16-bit PCM WAV")
                self.sample_rate, self.channels = rate, channels
            pos = end
        return False

    def _data(self, piece: bytes) -> bytes:
        if self._left is not None:
            piece = piece[:self._left]
            self._left -= len(piece)
        data = self._frame + piece
        width = 2 * self.channels
        whole = len(data) - len(data) % width
        self._frame = data[whole:]
        return mono(data[:whole], self.channels)

    @property
    def started(self) -> bool:
        """True once the header has been read."""
        return self._in_data


class PcmReader:
    """Bare 16-bit mono PCM in pieces of any length: returns whole samples, carrying an odd byte over."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._odd = b""

    def feed(self, piece: bytes) -> bytes:
        data = self._odd + piece
        whole = len(data) - len(data) % 2
        self._odd = data[whole:]
        return data[:whole]


def mono(pcm: bytes, channels: int) -> bytes:
    if channels == 1:
        return pcm
    frames = np.frombuffer(pcm, dtype="<i2").reshape(-1, channels).astype(np.int32)
    return bytes(frames.mean(axis=1).astype("<i2").tobytes())


def is_silent(pcm: bytes, peak: int = SILENT_PEAK) -> bool:
    """No sample louder than ``peak``: what GPT-SoVITS sends (with HTTP 200) when its synthesis failed."""
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2")
    return samples.size == 0 or int(np.abs(samples.astype(np.int32)).max()) <= peak


def levels(pcm: bytes, sample_rate: int, hz: int = LEVEL_HZ) -> tuple[float, ...]:
    """The mouth curve, as :func:`agent.audio.envelope` computes it, at numpy speed (long clone sentences at
    44.1 kHz would otherwise cost milliseconds of first audio)."""
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float64)
    if samples.size == 0 or sample_rate <= 0:
        return ()
    win = max(1, sample_rate // hz)
    pad = (-samples.size) % win
    squares = np.concatenate([samples * samples, np.zeros(pad)]).reshape(-1, win).sum(axis=1)
    counts = np.full(squares.size, float(win))
    if pad:
        counts[-1] = win - pad
    rms = np.sqrt(squares / counts) / 32768.0
    return tuple(round(float(v), 3) for v in np.minimum(1.0, rms * 4.0))
