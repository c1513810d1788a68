"""Writing small mp4 videos (h264 + aac) with PyAV.

Shared by the world generator (which writes raw videos) and by tests that need small videos.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

_LAYOUTS = {1: "mono", 2: "stereo"}


def write_mp4(
    path: str | Path,
    frames: np.ndarray,
    fps: int,
    audio: np.ndarray | None,
    audio_rate: int = 22050,
    crf: int = 23,
    *,
    faststart: bool = False,
    gop: int | None = None,
) -> None:
    """Write ``frames`` (T, H, W, 3) uint8 and ``audio`` in [-1, 1] as an h264/aac mp4.

    ``audio`` is mono ``(n,)`` or ``(channels, n)`` with 1 or 2 channels; ``None`` writes a
    video-only file. H and W must be even (yuv420p). Audio and video packets are interleaved in
    time; ``faststart`` puts the index (moov) before the media data, as web videos usually do;
    ``gop`` sets the keyframe interval in frames (encoder default when None).
    """
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f"frames must be (T, H, W, 3) uint8, got {frames.shape} {frames.dtype}")
    _, height, width, _ = frames.shape
    if height % 2 or width % 2:
        raise ValueError(f"frame size must be even for yuv420p, got {width}x{height}")
    planar = None if audio is None else _planar_audio(audio)  # (C, n) float32
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), mode="w", format="mp4", options=options) as container:
        vstream = container.add_stream("libx264", rate=fps)
        vstream.width, vstream.height = width, height
        vstream.pix_fmt = "yuv420p"
        # one encoder thread: libx264's threaded encoding is not bit-reproducible under load
        vstream.options = {"crf": str(crf), "preset": "veryfast", "threads": "1"}
        if gop is not None:
            vstream.codec_context.gop_size = gop
        audio_enc = None
        if planar is not None:
            astream = container.add_stream("aac", rate=audio_rate)
            astream.layout = _LAYOUTS[planar.shape[0]]
            audio_enc = _AudioEncoder(container, astream, planar, audio_rate)
        for i, frame in enumerate(frames):  # (H, W, 3) per step
            for packet in vstream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
            if audio_enc is not None:  # keep audio in step with video for interleaving
                audio_enc.encode_until(round((i + 1) * audio_rate / fps))
        for packet in vstream.encode():
            container.mux(packet)
        if audio_enc is not None:
            audio_enc.finish()


def _planar_audio(audio: np.ndarray) -> np.ndarray:
    """Return ``audio`` as clipped planar float32 ``(C, n)``; raise on a bad shape."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 1:
        audio = audio[None, :]
    if audio.ndim != 2 or audio.shape[0] not in _LAYOUTS:
        raise ValueError(f"audio must be (n,) or (channels<=2, n), got shape {audio.shape}")
    return np.ascontiguousarray(np.clip(audio, -1.0, 1.0))


class _AudioEncoder:
    """Encode planar audio (C, n) in chunks of the encoder's frame size, on demand."""

    def __init__(self, container, astream, planar: np.ndarray, rate: int) -> None:
        self.container, self.astream, self.planar, self.rate = container, astream, planar, rate
        self.layout = _LAYOUTS[planar.shape[0]]
        self.chunk = astream.codec_context.frame_size or 1024
        self.pos = 0

    def encode_until(self, stop: int) -> None:
        """Encode whole chunks while the next chunk starts before sample ``stop``."""
        n = self.planar.shape[1]
        while self.pos < min(stop, n):
            piece = self.planar[:, self.pos : self.pos + self.chunk]  # (C, <=chunk) planar
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(piece), format="fltp", layout=self.layout
            )
            frame.sample_rate = self.rate
            frame.pts = self.pos
            frame.time_base = Fraction(1, self.rate)
            for packet in self.astream.encode(frame):
                self.container.mux(packet)
            self.pos += piece.shape[1]

    def finish(self) -> None:
        """Encode the remaining samples and flush the encoder."""
        self.encode_until(self.planar.shape[1])
        for packet in self.astream.encode():
            self.container.mux(packet)
