"""What a model expects as input (timm's ``pretrained_cfg`` idea), one frozen spec per stream.

Every registered model exposes ``model.input_spec``: an :class:`ImageSpec`,
:class:`SpectrogramSpec` or :class:`WaveformSpec` for a single-stream encoder, or a mapping
``{stream name: spec}`` for a multi-stream model (L3, AVE, AVOL: ``{"image": ..., "audio": ...}``).
Data transforms read their sizes and normalisation from it, so the numbers live here only:
:data:`IMAGENET_MEAN` / :data:`IMAGENET_STD` and the CaffeNet resize ratio (256 -> 227 crop).

>>> ImageSpec(227).resize_size
256
>>> ImageSpec(112).shape
(3, 112, 112)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Literal

import torch
from torch import Tensor

Modality = Literal["image", "spectrogram", "waveform"]

# The ImageNet statistics every image model of the project is normalised with (RGB, in [0, 1]).
# Kept as tuples of Python floats: each consumer builds its own float32/float64 array from them.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# CaffeNet resizes to 256 and crops 227; other input sizes keep the same ratio.
CAFFE_RESIZE, CAFFE_CROP = 256, 227


def caffe_resize_size(input_size: int) -> int:
    """Side resized to before the centre ``input_size`` crop: 256 for 227, same ratio otherwise."""
    return round(input_size * CAFFE_RESIZE / CAFFE_CROP)


@dataclass(frozen=True)
class InputSpec:
    """Base of the per-stream specs: ``modality`` and the per-example ``shape`` of the tensor."""

    modality: ClassVar[Modality]

    @property
    def shape(self) -> tuple[int, ...]:
        """Per-example shape of the model input (without the batch dimension)."""
        raise NotImplementedError

    def check(self, x: Tensor, stream: str = "input") -> None:
        """ValueError unless ``x`` is a batch (B, *shape) of this spec."""
        if x.ndim != len(self.shape) + 1 or tuple(x.shape[1:]) != self.shape:
            raise ValueError(
                f"{stream} of shape {tuple(x.shape)} does not fit the {self.modality} spec: "
                f"expected (B, {', '.join(map(str, self.shape))})"
            )

    def example(self, batch: int, seed: int = 0) -> Tensor:
        """A random float32 batch (batch, *shape) of the right shape (tests, shape checks)."""
        return torch.randn(batch, *self.shape, generator=torch.Generator().manual_seed(seed))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able fields, with the modality."""
        return {"modality": self.modality, **asdict(self)}


@dataclass(frozen=True)
class ImageSpec(InputSpec):
    """Square RGB crops of ``input_size`` px, normalised as ``(x / 255 - mean) / std``.

    ``resize_size``: the side the image is resized to before the centre crop (the training
    frames' short side; the probes' and unit views' square resize); default 256/227 of
    ``input_size`` (:func:`caffe_resize_size`).
    """

    modality: ClassVar[Modality] = "image"
    input_size: int
    resize_size: int = -1  # -1: caffe_resize_size(input_size), filled in by __post_init__
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD
    channels: int = 3

    def __post_init__(self) -> None:
        if self.resize_size == -1:
            object.__setattr__(self, "resize_size", caffe_resize_size(self.input_size))
        if self.input_size < 1 or self.resize_size < self.input_size:
            raise ValueError(
                f"need 1 <= input_size <= resize_size, got input_size={self.input_size}, "
                f"resize_size={self.resize_size}"
            )
        if not len(self.mean) == len(self.std) == self.channels:
            raise ValueError(f"mean and std need {self.channels} values (one per channel)")
        if any(s <= 0 for s in self.std):
            raise ValueError(f"std must be > 0, got {self.std}")

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.channels, self.input_size, self.input_size)


@dataclass(frozen=True)
class SpectrogramSpec(InputSpec):
    """(channels, n_freq, n_frames) spectrograms of ``duration_s`` s of audio at ``sample_rate``.

    ``scale`` names the magnitude compression (``log``: log(1 + |S|), ``db``, ``linear``);
    ``mean``/``std`` the normalisation applied after it (per spectrogram, scalar).
    E.g. L3-Net's audio subnetwork: 1 s at 48 kHz -> a (1, 257, 199) log spectrogram.
    """

    modality: ClassVar[Modality] = "spectrogram"
    sample_rate: int
    duration_s: float
    n_freq: int
    n_frames: int
    channels: int = 1
    scale: Literal["log", "db", "linear"] = "log"
    mean: float = 0.0
    std: float = 1.0

    def __post_init__(self) -> None:
        sizes = (self.sample_rate, self.n_freq, self.n_frames, self.channels)
        if min(sizes) < 1 or self.duration_s <= 0 or self.std <= 0:
            raise ValueError(f"spectrogram spec needs positive sizes, duration and std: {self}")

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.channels, self.n_freq, self.n_frames)


@dataclass(frozen=True)
class WaveformSpec(InputSpec):
    """(channels, num_samples) raw waveforms at ``sample_rate``, in [-1, 1] times ``scale``.

    E.g. SoundNet: mono 22.05 kHz, ``scale`` 256 (its [-256, 256] input range).
    """

    modality: ClassVar[Modality] = "waveform"
    sample_rate: int
    num_samples: int
    channels: int = 1
    scale: float = 1.0

    def __post_init__(self) -> None:
        if min(self.sample_rate, self.num_samples, self.channels) < 1 or self.scale <= 0:
            raise ValueError(f"waveform spec needs positive sizes and scale: {self}")

    @property
    def shape(self) -> tuple[int, int]:
        return (self.channels, self.num_samples)

    @property
    def duration_s(self) -> float:
        """Length of one example in seconds."""
        return self.num_samples / self.sample_rate


# What ``model.input_spec`` holds: one spec, or one per named stream of a multi-stream model.
ModelInputSpec = InputSpec | Mapping[str, InputSpec]


def image_spec(input_size: int | ImageSpec, resize_size: int | None = None) -> ImageSpec:
    """``input_size`` as an :class:`ImageSpec` (an int: ImageNet statistics, the 256/227 resize),
    with ``resize_size`` overriding its resize side when given."""
    if isinstance(input_size, ImageSpec):
        spec = input_size
        if resize_size is not None and int(resize_size) != spec.resize_size:
            spec = ImageSpec(spec.input_size, int(resize_size), spec.mean, spec.std, spec.channels)
        return spec
    resize = -1 if resize_size is None else int(resize_size)
    return ImageSpec(int(input_size), resize)


def example_inputs(spec: ModelInputSpec, batch: int, seed: int = 0) -> Tensor | dict[str, Tensor]:
    """A random batch for ``spec``: one tensor, or ``{stream: tensor}`` for a multi-stream spec."""
    if isinstance(spec, InputSpec):
        return spec.example(batch, seed)
    return {name: s.example(batch, seed + i) for i, (name, s) in enumerate(spec.items())}


def spec_to_dict(spec: ModelInputSpec) -> dict[str, Any]:
    """JSON-able form of a model's input spec (``{stream: {...}}`` for multi-stream models)."""
    if isinstance(spec, InputSpec):
        return spec.to_dict()
    return {name: s.to_dict() for name, s in spec.items()}


__all__ = [
    "CAFFE_CROP",
    "CAFFE_RESIZE",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "ImageSpec",
    "InputSpec",
    "Modality",
    "ModelInputSpec",
    "SpectrogramSpec",
    "WaveformSpec",
    "caffe_resize_size",
    "example_inputs",
    "image_spec",
    "spec_to_dict",
]
