"""Configuration of the embedded procedural world (AmbientWorld)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from soundsight.world.compose import NuisanceRanges


@dataclass(frozen=True)
class WorldConfig:
    """All knobs of the world generator; defaults are sized for the laptop run.

    Every random choice derives from ``seed`` and the index of the item being generated, so
    the output does not depend on ``n_workers``.
    """

    seed: int = 0
    # videos
    n_videos: int = 240
    duration_s: float = 8.0
    fps: int = 10
    width: int = 128
    height: int = 128
    audio_rate: int = 22050
    n_bad_videos: int = 4
    crf: int = 23
    # composition of a video
    max_objects: int = 4
    p_offscreen: float = 0.3  # probability of one off-screen audible source
    p_onscreen_silent: float = 0.2  # probability that a visible sound-making object is silent
    p_music: float = 0.15  # probability of music added over the video
    p_silent_video: float = 0.08  # probability that the whole video has only quiet ambience
    p_silent_interval: float = 0.15  # probability of a silent interval inside a video
    # visual nuisance ranges (never change the sound or the masks; docs/world.md "Nuisances")
    look_gain: tuple[float, float] = (0.65, 1.25)  # global brightness at a clip's start
    look_contrast: tuple[float, float] = (0.8, 1.15)
    look_hue: float = 0.35  # hue rotation in [-look_hue, look_hue] radians (YIQ)
    look_saturation: tuple[float, float] = (0.7, 1.2)
    look_noise: float = 0.03  # pixel noise std in [0, look_noise]
    background_hue: float = 0.0  # background-only hue rotation in [-b, b] radians; 0 = off
    camera_zoom: tuple[float, float] = (0.72, 1.0)  # camera crop of the canvas: videos, VOC
    sun_camera_zoom: tuple[float, float] = (0.72, 1.0)  # ... and of the mini-SUN397 stills
    # mini-VOC2007
    voc_n_train: int = 200
    voc_n_val: int = 200
    voc_n_test: int = 200
    voc_image_size: int = 128
    # mini-SUN397
    sun_per_class_train: int = 20
    sun_per_class_test: int = 10
    sun_per_class_extra: int = 10  # pool = train + test + extra images per class
    sun_n_partitions: int = 3
    sun_image_size: int = 128
    # mini-ESC-50 (docs/world.md "Sound sets"): 5 folds x sources x takes per class
    esc50_sources_per_fold: int = 1
    esc50_takes: int = 2  # clips cut from one source recording (they share its fold)
    esc50_duration_s: float = 5.0
    esc50_rate: int = 44100
    # mini-DCASE 2013 scenes: clips per world scene in each of dev and test
    dcase_clips_per_class: int = 2
    dcase_duration_s: float = 30.0
    dcase_rate: int = 44100
    dcase_events_per_min: float = 12.0  # sound events of the scene's sound makers
    # AudioSet-style segment lists: fraction of the corpus's videos in eval_segments.csv
    audioset_eval_fraction: float = 0.3
    # Kinetics-Sounds-style labelled clips: fraction of the labelled clips in the val split
    kinetics_val_fraction: float = 0.3
    # localisation set (frames + 1 s audio + sounding-object points)
    loc_n_frames: int = 60
    loc_p_two_sources: float = 0.3  # frames with two visible sound makers, one of them silent
    loc_p_offcentre: float = 0.7  # frames whose sounding object must not cover the centre
    loc_image_size: int = 128
    # output
    jpeg_quality: int = 90
    n_workers: int = 2
    scenes: tuple[str, ...] = field(default_factory=tuple)  # empty = all registered scenes
    # relative weight of each scene (absent scenes weigh 1); empty = uniform over ``scenes``
    scene_weights: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Validate ranges; raise ValueError naming the offending field."""
        _check(self.n_videos >= 0, "n_videos must be >= 0")
        _check(self.duration_s >= 1.0, "duration_s must be >= 1 s")
        _check(self.fps >= 1, "fps must be >= 1")
        for name in ("width", "height", "voc_image_size", "sun_image_size", "loc_image_size"):
            value = getattr(self, name)
            _check(value >= 32 and value % 2 == 0, f"{name} must be even and >= 32, got {value}")
        _check(self.audio_rate >= 8000, "audio_rate must be >= 8000")
        _check(self.n_bad_videos >= 0, "n_bad_videos must be >= 0")
        _check(1 <= self.max_objects <= 8, "max_objects must be in [1, 8]")
        for name in (
            "p_offscreen",
            "p_onscreen_silent",
            "p_music",
            "p_silent_video",
            "p_silent_interval",
        ):
            value = getattr(self, name)
            _check(0.0 <= value <= 1.0, f"{name} must be a probability, got {value}")
        _check(self.sun_n_partitions >= 1, "sun_n_partitions must be >= 1")
        _check(self.sun_per_class_train >= 1, "sun_per_class_train must be >= 1")
        _check(self.sun_per_class_test >= 1, "sun_per_class_test must be >= 1")
        _check(self.sun_per_class_extra >= 0, "sun_per_class_extra must be >= 0")
        for name in ("esc50_sources_per_fold", "esc50_takes", "dcase_clips_per_class"):
            _check(getattr(self, name) >= 1, f"{name} must be >= 1")
        _check(self.esc50_takes <= 26, "esc50_takes must be <= 26 (takes are named A..Z)")
        _check(self.dcase_clips_per_class <= 99, "dcase_clips_per_class must be <= 99 (NN)")
        for name in ("esc50_duration_s", "dcase_duration_s"):
            _check(getattr(self, name) >= 1.0, f"{name} must be >= 1 s")
        for name in ("esc50_rate", "dcase_rate"):
            _check(
                getattr(self, name) >= 16000,
                f"{name} must be >= 16000 (the generators reach 8 kHz)",
            )
        _check(self.dcase_events_per_min >= 0, "dcase_events_per_min must be >= 0")
        _check(self.loc_n_frames >= 1, "loc_n_frames must be >= 1")
        for name in (
            "audioset_eval_fraction",
            "kinetics_val_fraction",
            "loc_p_two_sources",
            "loc_p_offcentre",
        ):
            value = getattr(self, name)
            _check(0.0 <= value <= 1.0, f"{name} must be a fraction, got {value}")
        _check(1 <= self.jpeg_quality <= 100, "jpeg_quality must be in [1, 100]")
        _check(self.n_workers >= 1, "n_workers must be >= 1")
        for name in ("look_gain", "look_contrast", "look_saturation"):
            lo, hi = getattr(self, name)
            _check(0.0 < lo <= hi, f"{name} must be a range 0 < lo <= hi, got {(lo, hi)}")
        for name in ("camera_zoom", "sun_camera_zoom"):
            lo, hi = getattr(self, name)
            _check(0.1 <= lo <= hi <= 1.0, f"{name} must be a range in [0.1, 1], got {(lo, hi)}")
        for name in ("look_hue", "look_noise", "background_hue"):
            _check(getattr(self, name) >= 0.0, f"{name} must be >= 0")
        for name, weight in self.scene_weights.items():
            _check(weight >= 0, f"scene_weights[{name!r}] must be >= 0, got {weight}")

    def nuisances(self, zoom: tuple[float, float] | None = None) -> NuisanceRanges:
        """The visual nuisance ranges of this world (``zoom``: a camera range other than
        ``camera_zoom``, e.g. ``sun_camera_zoom``)."""
        return NuisanceRanges(
            gain=self.look_gain,
            contrast=self.look_contrast,
            hue=self.look_hue,
            saturation=self.look_saturation,
            noise=self.look_noise,
            zoom=self.camera_zoom if zoom is None else zoom,
            background_hue=self.background_hue,
        )

    @property
    def n_frames(self) -> int:
        """Frames per video."""
        return int(round(self.duration_s * self.fps))

    @property
    def n_samples(self) -> int:
        """Audio samples per video."""
        return int(round(self.duration_s * self.audio_rate))

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict of the config."""
        out = dataclasses.asdict(self)
        out["scenes"] = list(self.scenes)
        out.update({name: list(getattr(self, name)) for name in _RANGES})
        out["scene_weights"] = dict(self.scene_weights)
        return out

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> WorldConfig:
        """Build from a (YAML/JSON) dict; unknown keys raise a clear error."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown world config keys: {unknown}; known: {sorted(known)}")
        values = dict(values)
        if values.get("audio_rate", 0) is None:  # null: the default (the workflow passes its own)
            del values["audio_rate"]
        if "scenes" in values:
            values["scenes"] = tuple(values["scenes"] or ())
        for name in _RANGES:
            if name in values:
                lo, hi = values[name]
                values[name] = (float(lo), float(hi))
        if "scene_weights" in values:
            values["scene_weights"] = {str(k): float(v) for k, v in values["scene_weights"].items()}
        return cls(**values)


_RANGES = ("look_gain", "look_contrast", "look_saturation", "camera_zoom", "sun_camera_zoom")


def _check(ok: bool, message: str) -> None:
    """Raise ValueError(message) unless ok."""
    if not ok:
        raise ValueError(f"WorldConfig: {message}")
