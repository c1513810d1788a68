"""Decode one video with PyAV into sampled frames and the audio window around each, or reject it.

Frame times are drawn uniformly in ``[start + window/2, end - window/2]`` with a generator seeded
from ``(seed, video_id)`` through a stable hash, so the audio window around every time lies inside
the clip. The frame kept for a time is the decoded frame nearest to it; the audio window (mono,
resampled) is centred on the sampled time itself.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image
from scipy.signal import resample_poly

log = logging.getLogger(__name__)

REJECT_CODES = (
    "missing",
    "zero_size",
    "unreadable",
    "truncated",
    "no_video",
    "no_audio",
    "too_short",
)
TRUNCATION_SLACK_S = 0.5  # decoded streams may end this much (or 10 %) before the declared end
TRUNCATION_SLACK_FRACTION = 0.1
SEEK_MARGIN_S = 0.5  # decode from this long before the first needed sample
SEEK_MIN_S = 1.0  # seek only when that is later than this
_ATTACHED_PIC = av.stream.Disposition.attached_pic  # cover art, not a video


class VideoRejectedError(Exception):
    """A video that cannot be ingested; ``reason`` is ``'<code>: <detail>'``."""

    def __init__(self, code: str, detail: str) -> None:
        if code not in REJECT_CODES:
            raise ValueError(f"unknown reject code {code!r}; expected one of {REJECT_CODES}")
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail

    @property
    def reason(self) -> str:
        """Stable code plus human-readable detail."""
        return f"{self.code}: {self.detail}"


@dataclass(frozen=True)
class IngestParams:
    """How frames and audio windows are sampled from each video."""

    frames_per_video: int = 10
    short_side: int = 128
    window_s: float = 3.75
    audio_rate: int = 22050
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("frames_per_video", "short_side", "audio_rate"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not self.window_s > 0:
            raise ValueError(f"window_s must be > 0, got {self.window_s}")

    @property
    def n_samples(self) -> int:
        """Samples per audio window: round(window_s * audio_rate)."""
        return round(self.window_s * self.audio_rate)


@dataclass
class DecodedVideo:
    """Sampled frames and audio of one video."""

    times: np.ndarray  # (K,) sampled times, s (file timeline); audio is centred on these
    frame_times: np.ndarray  # (K,) presentation times of the frames kept, s
    images: list[Image.Image]  # K RGB frames, short side resized
    audio: np.ndarray  # (K, n_samples) float32 mono windows centred on ``times``
    clip: tuple[float, float] = (math.nan, math.nan)  # (start, end) of the clip used, s


@dataclass
class AudioTrack:
    """The mono audio of one clip as decoded in an audio-only pass (see ``decode_track``)."""

    samples: np.ndarray  # (n,) float32 mono at ``rate``
    rate: int  # Hz
    t0: float  # time of samples[0] on the file's timeline, s (the frames' ``time_s`` timeline)
    error: str = ""  # decode error that ended the pass early ('' when it reached the end)


@dataclass
class _Grab:
    """What one decoding pass collected."""

    frames: list  # K av.VideoFrame (or None) nearest to each target
    frame_times: np.ndarray  # (K,) their times, s (NaN when none)
    video_end: float  # end of the last decoded video frame, s
    audio: np.ndarray  # (n,) float32 mono at the target rate
    audio_t0: float  # time of audio[0], s


def video_rng(seed: int, video_id: str) -> np.random.Generator:
    """Generator seeded by a stable hash (blake2b) of ``(seed, video_id)``."""
    digest = hashlib.blake2b(f"{seed}\x1f{video_id}".encode(), digest_size=8).digest()
    return np.random.default_rng(int.from_bytes(digest, "little"))


def sample_times(seed: int, video_id: str, n: int, low: float, high: float) -> np.ndarray:
    """``n`` sorted times uniform in ``[low, high]`` for this video and seed; (n,) float64."""
    if high < low:
        raise ValueError(f"empty sampling interval [{low}, {high}] for {video_id!r}")
    return np.sort(video_rng(seed, video_id).uniform(low, high, size=n))


def decode_video(
    path: str | Path, video_id: str, start: float, end: float, params: IngestParams
) -> DecodedVideo:
    """Sample frames and audio windows of one video; raise VideoRejectedError when it is unusable.

    ``start``/``end`` (seconds, NaN = file bound) restrict the clip used.
    """
    _check_file(Path(path))
    with _open(Path(path)) as container:
        try:
            times, grab, images, clip = _sample(container, Path(path), video_id, start, end, params)
        except av.FFmpegError as err:  # anything not classified more precisely below
            raise VideoRejectedError("unreadable", _av_message(err)) from err
    audio = cut_windows(grab.audio, grab.audio_t0, params.audio_rate, times, params.n_samples)
    return DecodedVideo(
        times=times, frame_times=grab.frame_times, images=images, audio=audio, clip=clip
    )


def decode_track(path: str | Path, start: float, end: float, rate: int | None = None) -> AudioTrack:
    """Mono audio of ``path`` from ``start`` to ``end`` s (file timeline) at ``rate`` Hz.

    The stream is decoded at its own rate (FFmpeg only downmixes to mono); another ``rate`` is
    then reached with ``scipy.signal.resample_poly`` over the whole track, which keeps sample m at
    ``t0 + m / rate`` exactly (FFmpeg's resampler shifts by a fraction of a sample) and is what
    ``soundsight.data.tracks.read_clip`` does, so a clip is the same whichever rate was stored.
    For a video that ``decode_video`` accepted (``DecodedVideo.clip`` gives the bounds): a decode
    error part-way is not a reject, since its frames and windows are good, but ends the track
    early and is named in ``AudioTrack.error``. This pass is separate from the windows' one so that
    those stay exactly as they were (same seek, same resampler state).
    """
    with _open(Path(path)) as container:
        if not container.streams.audio:
            raise VideoRejectedError("no_audio", "no audio stream")
        astream = container.streams.audio[0]
        native = int(astream.codec_context.sample_rate)
        if start - SEEK_MARGIN_S > SEEK_MIN_S:
            _seek(container, start - SEEK_MARGIN_S)
        audio, error = _AudioCollector(native), ""
        try:
            for packet in container.demux(astream):
                audio.add(packet.decode())
                if audio.end >= end:
                    break
            audio.flush()
        except av.FFmpegError as err:
            error = f"decode error after {max(audio.end, 0.0):.2f} s: {_av_message(err)}"
            log.warning("audio track of %s ends early: %s", path, error)
    samples = audio.samples()  # (n,) float32 at the native rate from audio.t0
    t0 = start if audio.t0 is None else audio.t0
    first = min(max(round((start - t0) * native), 0), len(samples))
    stop = max(min(round((end - t0) * native), len(samples)), first)
    samples, t0 = samples[first:stop], t0 + first / native
    if rate is None or rate == native:
        return AudioTrack(samples, native, t0, error)
    ratio = Fraction(int(rate), native)
    resampled = resample_poly(samples, ratio.numerator, ratio.denominator)  # (n * rate / native,)
    return AudioTrack(resampled.astype(np.float32), int(rate), t0, error)


def _sample(
    container, path: Path, video_id: str, start: float, end: float, params: IngestParams
) -> tuple[np.ndarray, _Grab, list[Image.Image], tuple[float, float]]:
    """Sampled times (K,), what decoding collected, the K resized frames, the clip's bounds."""
    vstream, astream = _streams(container)
    file_start, file_end = _declared_bounds(container, vstream, astream, path)
    low, high = _clip_bounds(file_start, file_end, start, end, params.window_s)
    half = params.window_s / 2
    n_times = params.frames_per_video
    times = sample_times(params.seed, video_id, n_times, low + half, high - half)  # (K,)
    need_from, need_to = times[0] - half, times[-1] + half
    if need_from - SEEK_MARGIN_S > SEEK_MIN_S:
        _seek(container, need_from - SEEK_MARGIN_S)
    grab = _decode_streams(container, vstream, astream, times, need_to, params.audio_rate)
    audio_end = grab.audio_t0 + len(grab.audio) / params.audio_rate
    duration = file_end - file_start
    check_extent("video", grab.video_end, file_end, need_to, duration)
    check_extent("audio", audio_end, file_end, need_to, duration)
    images = [resize_short_side(f.to_image(), params.short_side) for f in grab.frames]
    return times, grab, images, (low, high)


def _seek(container, t: float) -> None:
    """Seek to the keyframe at or before ``t`` seconds; decode from the start if that fails."""
    try:
        container.seek(int(t * av.time_base), backward=True)
    except av.FFmpegError as err:
        log.debug("seek to %.2f s failed (%s); decoding from the start", t, _av_message(err))


def check_extent(
    kind: str, decoded_end: float, declared_end: float, needed_end: float, duration: float
) -> None:
    """Reject as truncated when a stream decodes much less than declared (and needed)."""
    required = min(declared_end, needed_end)
    slack = max(TRUNCATION_SLACK_S, TRUNCATION_SLACK_FRACTION * duration)
    if decoded_end < required - slack:
        raise VideoRejectedError(
            "truncated",
            f"{kind} decodes to {max(decoded_end, 0.0):.2f} s of {declared_end:.2f} s declared",
        )


def cut_windows(
    audio: np.ndarray, audio_t0: float, rate: int, times: np.ndarray, n_samples: int
) -> np.ndarray:
    """Windows of ``n_samples`` whose sample ``n_samples // 2`` falls at each time; (K, n) f32.

    ``audio`` (n,) starts at ``audio_t0`` seconds. Parts outside it are zero.
    """
    out = np.zeros((len(times), n_samples), dtype=np.float32)  # (K, n_samples)
    for k, t in enumerate(times):
        first = round((t - audio_t0) * rate) - n_samples // 2
        lo, hi = max(first, 0), min(first + n_samples, len(audio))
        if hi > lo:
            out[k, lo - first : hi - first] = audio[lo:hi]
        if hi - lo < n_samples:
            log.debug("window at %.3f s zero-padded by %d samples", t, n_samples - (hi - lo))
    return out


def resize_short_side(image: Image.Image, short_side: int) -> Image.Image:
    """Bilinear (antialiased) resize so that the shorter side is ``short_side`` pixels."""
    width, height = image.size
    scale = short_side / min(width, height)
    if width <= height:
        size = (short_side, max(1, round(height * scale)))
    else:
        size = (max(1, round(width * scale)), short_side)
    return image.convert("RGB").resize(size, Image.Resampling.BILINEAR)


def mp4_truncation(path: Path) -> str | None:
    """Describe how an ISO-BMFF (mp4/mov) file is cut short, or None if it does not look cut.

    Walks the top-level boxes: a box running past the end of the file, or a file of complete
    boxes without a 'moov' index, is what an interrupted download or recording leaves.
    """
    size = path.stat().st_size
    kinds = []
    with open(path, "rb") as f:
        if f.read(8)[4:8] != b"ftyp":
            return None
        pos = 0
        while pos + 8 <= size:
            f.seek(pos)
            header = f.read(16)
            box_size, kind = int.from_bytes(header[:4], "big"), header[4:8].decode("latin-1")
            if box_size == 1 and len(header) == 16:
                box_size = int.from_bytes(header[8:16], "big")
            if box_size == 0:  # last box, runs to the end of the file
                box_size = size - pos
            if box_size < 8:
                return None  # corrupt rather than cut
            if pos + box_size > size:
                return f"mp4 box '{kind}' ends at byte {pos + box_size}, file has {size} bytes"
            kinds.append(kind)
            pos += box_size
    if "moov" not in kinds:
        return f"mp4 has no 'moov' index (boxes: {', '.join(kinds)})"
    return None


def _check_file(path: Path) -> None:
    """Reject a missing path, a non-file or an empty file."""
    if not path.exists():
        raise VideoRejectedError("missing", "file not found")
    if not path.is_file():
        raise VideoRejectedError("missing", "not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise VideoRejectedError("zero_size", "0 bytes")


def _open(path: Path) -> av.container.InputContainer:
    """Open a media file, rejecting it as truncated or unreadable on failure."""
    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, OSError) as err:
        message = _av_message(err)
        cut = mp4_truncation(path)
        if cut is not None:
            raise VideoRejectedError("truncated", f"{cut} ({message})") from err
        raise VideoRejectedError("unreadable", message) from err


def _av_message(err: Exception) -> str:
    """The error text of a PyAV/OS error, without errno and file name."""
    return getattr(err, "strerror", None) or str(err)


def _streams(container: av.container.InputContainer) -> tuple:
    """First real video stream and first audio stream; reject when one is missing."""
    videos = [s for s in container.streams.video if not s.disposition & _ATTACHED_PIC]
    if not videos:
        raise VideoRejectedError("no_video", "no video stream")
    if not container.streams.audio:
        raise VideoRejectedError("no_audio", "no audio stream")
    return videos[0], container.streams.audio[0]


def _declared_bounds(container, vstream, astream, path: Path) -> tuple[float, float]:
    """Interval (s) where both streams declare data; scans packets if a duration is unknown."""
    spans = [_stream_span(container, s) or _scan_span(path, s.index) for s in (vstream, astream)]
    return max(s[0] for s in spans), min(s[1] for s in spans)


def _stream_span(container, stream) -> tuple[float, float] | None:
    """(start, end) in seconds declared by a stream or, failing that, by the container."""
    tb = stream.time_base
    start = float(stream.start_time * tb) if stream.start_time is not None and tb else None
    if stream.duration and tb:
        begin = start if start is not None else 0.0
        return begin, begin + float(stream.duration * tb)
    if container.duration:
        begin = (container.start_time or 0) / av.time_base
        return (start if start is not None else begin), begin + container.duration / av.time_base
    return None


def _scan_span(path: Path, index: int) -> tuple[float, float]:
    """(start, end) in seconds of one stream's packets, read without decoding."""
    first, last = math.inf, -math.inf
    with av.open(str(path), metadata_errors="ignore") as container:
        stream = container.streams[index]
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            t = float(packet.pts * packet.time_base)
            first = min(first, t)
            last = max(last, t + float((packet.duration or 0) * packet.time_base))
    if first > last:
        raise VideoRejectedError("truncated", f"stream {index} has no timed packets")
    return first, last


def _clip_bounds(
    file_start: float, file_end: float, start: float, end: float, window_s: float
) -> tuple[float, float]:
    """Clip interval from the requested bounds (NaN = file bound); reject when too short."""
    low = file_start if _missing(start) else max(float(start), file_start)
    high = file_end if _missing(end) else min(float(end), file_end)
    if high - low < window_s:
        where = "" if _missing(start) and _missing(end) else f" (clip {low:.2f}-{high:.2f} s)"
        raise VideoRejectedError(
            "too_short", f"{max(high - low, 0.0):.2f} s < {window_s:.2f} s window{where}"
        )
    return low, high


def _missing(value: float | None) -> bool:
    """True for None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _decode_streams(container, vstream, astream, targets, need_to: float, rate: int) -> _Grab:
    """Decode both streams up to ``need_to``: nearest frame per target, all audio (mono, rate).

    Video packets after the last target are only timed, not decoded.
    """
    vstream.thread_type = "AUTO"
    nearest = _NearestFrames(targets)
    audio = _AudioCollector(rate)
    step = 1.0 / float(vstream.average_rate) if vstream.average_rate else 0.0
    video_end = -math.inf
    try:
        for packet in container.demux(vstream, astream):
            if packet.stream.index == vstream.index:
                video_end = max(video_end, _take_video(packet, nearest, step))
            else:
                audio.add(packet.decode())
            if video_end >= need_to and audio.end >= need_to:
                break
        audio.flush()
    except av.FFmpegError as err:
        done = max(video_end, audio.end)
        at = f" after {done:.2f} s" if math.isfinite(done) else ""
        raise VideoRejectedError("truncated", f"decode error{at}: {_av_message(err)}") from err
    if nearest.count == 0:
        raise VideoRejectedError("truncated", "no decodable video frame")
    if audio.t0 is None:
        raise VideoRejectedError("truncated", "no decodable audio")
    return _Grab(nearest.frames, nearest.times, video_end, audio.samples(), audio.t0)


def _take_video(packet: av.Packet, nearest: _NearestFrames, step: float) -> float:
    """Feed a video packet's frames to ``nearest``; return the latest time it reaches, s."""
    if nearest.passed:  # every target is behind: only time the packet
        if packet.pts is None:
            return -math.inf
        return float((packet.pts + (packet.duration or 0)) * packet.time_base)
    end = -math.inf
    for frame in packet.decode():
        end = max(end, nearest.add(frame, step) + step)
    return end


class _AudioCollector:
    """Resample decoded audio frames to mono float32 at ``rate`` and keep them."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        self.chunks: list[np.ndarray] = []  # (m,) float32 pieces
        self.n, self.t0 = 0, None

    @property
    def end(self) -> float:
        """Time just after the last sample kept, s (-inf before any)."""
        return -math.inf if self.t0 is None else self.t0 + self.n / self.rate

    def add(self, frames: list) -> None:
        """Resample and keep decoded frames."""
        for frame in frames:
            for out in self.resampler.resample(frame):
                if self.t0 is None:
                    self.t0 = _first_time(out, frame)
                self._keep(out)

    def flush(self) -> None:
        """Keep what the resampler still buffers."""
        for out in self.resampler.resample(None):
            self._keep(out)

    def samples(self) -> np.ndarray:
        """All samples kept; (n,) float32."""
        if not self.chunks:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(self.chunks).astype(np.float32, copy=False)

    def _keep(self, out: av.AudioFrame) -> None:
        self.chunks.append(out.to_ndarray().reshape(-1))  # (1, m) packed mono -> (m,)
        self.n += out.samples


def _first_time(out: av.AudioFrame, source: av.AudioFrame) -> float:
    """Time of the first resampled sample (resampler pts, else the source frame's)."""
    if out.time is not None:
        return float(out.time)
    return float(source.time) if source.time is not None else 0.0


class _NearestFrames:
    """Keep, for each target time, the decoded frame nearest to it (frames arrive in order)."""

    def __init__(self, targets: np.ndarray) -> None:
        self.targets = targets  # (K,)
        self.best = np.full(len(targets), np.inf)  # (K,) distances
        self.times = np.full(len(targets), np.nan)  # (K,)
        self.frames: list = [None] * len(targets)
        self.count, self.last = 0, None

    @property
    def passed(self) -> bool:
        """True once a frame at or after the last target has been seen."""
        return self.last is not None and self.last >= self.targets[-1]

    def add(self, frame: av.VideoFrame, step: float) -> float:
        """Consider one frame; return its time in seconds."""
        if frame.time is not None:
            t = float(frame.time)
        else:
            t = 0.0 if self.last is None else self.last + step
        self.count, self.last = self.count + 1, t
        dist = np.abs(self.targets - t)
        for k in np.flatnonzero(dist < self.best):
            self.best[k], self.times[k], self.frames[k] = dist[k], t, frame
        return t


def decode_frames_at(
    path: str | Path, times: np.ndarray, short_side: int
) -> tuple[list[Image.Image], np.ndarray]:
    """The decoded frame nearest each of ``times`` (s, sorted, file timeline), short side resized,
    and those frames' times (K,); video stream only (the teachers' frames, Aytar et al.).

    VideoRejectedError when the file cannot be decoded or holds no video frame."""
    targets = np.asarray(times, dtype=np.float64)  # (K,)
    if targets.ndim != 1 or not len(targets) or np.any(np.diff(targets) < 0):
        raise ValueError(f"times must be a non-empty sorted 1-D array, got {targets}")
    _check_file(Path(path))
    with _open(Path(path)) as container:
        vstream = container.streams.video[0]
        vstream.thread_type = "AUTO"
        nearest = _NearestFrames(targets)
        step = 1.0 / float(vstream.average_rate) if vstream.average_rate else 0.0
        try:
            for packet in container.demux(vstream):
                _take_video(packet, nearest, step)
                if nearest.passed:
                    break
        except av.FFmpegError as err:
            raise VideoRejectedError("unreadable", _av_message(err)) from err
        if nearest.count == 0:
            raise VideoRejectedError("truncated", "no decodable video frame")
        images = [resize_short_side(f.to_image(), short_side) for f in nearest.frames]
    return images, nearest.times
