"""Whole audio tracks of a shard's ingested videos, and the reader that cuts any clip from them.

The per-frame windows of ``audio.npy`` fit Owens et al. only (3.75 s at ``ingest.audio_rate``);
other papers need other clips (1 s at 48 kHz for L3 / AVE spectrograms, >= 10 s of raw waveform at
22,050 Hz for SoundNet). So ingest also keeps each video's mono track, once, and a paper cuts its
own clips with :func:`read_clip` (or :class:`ShardTracks` for many clips). In a shard::

    tracks.npy   int16 (n_total,): every ingested video's track, concatenated in frames.csv order
    tracks.csv   video_id, rate, t0_s, duration_s, n_samples, offset, n_clipped, error

Samples are the decoded float audio (mono downmix, at the track's native rate unless
``ingest.track_rate`` says otherwise) as ``round(x * 32767)`` clipped to int16: half the disk of
float32, quantisation error <= 1.5e-5, below AAC's own. ``n_clipped`` counts samples the clip to
int16 changed (decoded AAC can overshoot 1.0 a little). ``t0_s`` is the time of sample 0 on the
file's timeline, the one of frames.csv's ``time_s``, so a frame's window is
``read_clip(shard, video, time_s - window_s / 2, window_s, rate)``. The track covers the clip
that ingest used (the manifest's ``start``..``end``, else the whole file); ``error`` names a
decode error that ended it early ('' otherwise). A flat ``.npy`` rather than an ``.npz`` keyed by
video: it memory-maps, so cutting a clip reads only that clip's bytes.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.signal import resample_poly

from soundsight.data.decode import AudioTrack
from soundsight.data.npyfile import NpyAppender, load_npy_mmap

TRACK_COLUMNS = [
    "video_id",
    "rate",
    "t0_s",
    "duration_s",
    "n_samples",
    "offset",
    "n_clipped",
    "error",
]
INT16_SCALE = 32767.0
TRACKS_NPY, TRACKS_CSV = "tracks.npy", "tracks.csv"
_POLY_HALF_TAPS = 10  # resample_poly's default filter half-length, in units of max(up, down)


class TrackWriter(NpyAppender):
    """Append each ingested video's track to ``tracks.npy``; ``table()`` is its tracks.csv."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "<i2")
        self.rows: list[dict] = []

    def add(self, video_id: str, track: AudioTrack) -> None:
        """Quantise one track to int16 and append it."""
        scaled = np.rint(track.samples.astype(np.float64) * INT16_SCALE)  # (n,)
        quantised = np.clip(scaled, -32768, 32767)
        self.rows.append(
            {
                "video_id": video_id,
                "rate": int(track.rate),
                "t0_s": float(track.t0),
                "duration_s": len(track.samples) / track.rate,
                "n_samples": len(track.samples),
                "offset": self.n_rows,
                "n_clipped": int(np.count_nonzero(quantised != scaled)),
                "error": track.error,
            }
        )
        self.append(quantised.astype("<i2"))

    def table(self) -> pd.DataFrame:
        """The tracks.csv rows written so far."""
        return pd.DataFrame(self.rows, columns=TRACK_COLUMNS)


def read_tracks_table(shard_dir: str | Path) -> pd.DataFrame:
    """A shard's tracks.csv (video ids as text, ``error`` '' when none)."""
    return pd.read_csv(
        Path(shard_dir) / TRACKS_CSV,
        dtype={"video_id": str, "error": str},
        keep_default_na=False,
    )


class ShardTracks:
    """The tracks of one shard, memory-mapped: cut many clips without re-reading the table."""

    def __init__(self, shard_dir: str | Path) -> None:
        self.shard_dir = Path(shard_dir)
        self.table = read_tracks_table(self.shard_dir).set_index("video_id", drop=False)
        self.samples = load_npy_mmap(self.shard_dir / TRACKS_NPY)  # (n_total,) int16

    def track(self, video_id: str) -> tuple[np.ndarray, int, float]:
        """``(samples (n,) int16 view, rate, t0_s)`` of one video; KeyError if not in the shard."""
        if video_id not in self.table.index:
            raise KeyError(f"video {video_id!r} has no track in shard {self.shard_dir}")
        row = self.table.loc[video_id]
        offset, n = int(row["offset"]), int(row["n_samples"])
        return self.samples[offset : offset + n], int(row["rate"]), float(row["t0_s"])

    def clip(self, video_id: str, start_s: float, duration_s: float, rate: int) -> np.ndarray:
        """``round(duration_s * rate)`` samples from ``start_s`` (file timeline) at ``rate`` Hz.

        The clip is the track resampled as a whole to ``rate`` (``resample_poly``, zero beyond the
        track) and cut at sample ``round((start_s - t0_s) * rate)``, as ingest cuts the windows;
        only the clip and the filter's reach are read. Parts outside the track are zero.
        Returns (n,) float32 in [-1, 1].
        """
        samples, track_rate, t0 = self.track(video_id)
        n_out = round(duration_s * rate)
        if n_out < 0:
            raise ValueError(f"duration_s must be >= 0, got {duration_s}")
        first = round((start_s - t0) * rate)  # on the grid t0 + m / rate
        return resampled_span(samples, track_rate, rate, first, n_out)


def read_clip(
    shard_dir: str | Path, video_id: str, start_s: float, duration_s: float, rate: int
) -> np.ndarray:
    """One clip of one video's track, (n,) float32; see :meth:`ShardTracks.clip`."""
    return ShardTracks(shard_dir).clip(video_id, start_s, duration_s, rate)


def resampled_span(
    samples: np.ndarray, track_rate: int, rate: int, first: int, n_out: int
) -> np.ndarray:
    """Samples ``first .. first + n_out - 1`` of ``samples`` resampled to ``rate``; (n_out,) f32.

    Equal (to float rounding) to ``resample_poly(whole, up, down)[first : first + n_out]``, with
    the whole track zero-padded as far as needed, but reads only the span the filter reaches:
    output sample m lies at input position m * down / up, and a block that starts at input
    q * down starts at output q * up, so the block's filter taps line up with the whole's.
    """
    ratio = Fraction(int(rate), int(track_rate))
    up, down = ratio.numerator, ratio.denominator
    if up == down == 1:
        return _zero_padded(samples, first, first + n_out)
    reach = math.ceil(_POLY_HALF_TAPS * max(up, down) / up) + 1  # input samples either side
    q = math.floor((first * down / up - reach) / down)  # block index of the span's start
    stop_in = math.ceil((first + n_out) * down / up) + reach
    block = _zero_padded(samples, q * down, stop_in)  # (stop_in - q * down,)
    out = resample_poly(block, up, down)  # output sample j <-> whole's q * up + j
    lo = first - q * up
    return np.ascontiguousarray(out[lo : lo + n_out], dtype=np.float32)


def _zero_padded(samples: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``samples[lo:hi]`` as float32 / INT16_SCALE, zero where outside ``samples``; (hi-lo,)."""
    out = np.zeros(max(hi - lo, 0), dtype=np.float32)
    a, b = max(lo, 0), min(hi, len(samples))
    if b > a:
        out[a - lo : b - lo] = np.asarray(samples[a:b], dtype=np.float32) / np.float32(INT16_SCALE)
    return out
