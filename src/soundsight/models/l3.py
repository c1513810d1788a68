"""Audio-visual correspondence networks: L3-Net (Arandjelović & Zisserman 2017) and AVE-Net /
AVOL-Net (Objects that Sound, 2018), width-scalable, behind the registry.

Both streams are VGG-style subnetworks (:class:`VGGSubnet`; channels at ``width=1``)::

    conv1_1, conv1_2 (64)  -> pool1 2x2/2 -> conv2_1, conv2_2 (128) -> pool2 2x2/2
    -> conv3_1, conv3_2 (256) -> pool3 2x2/2 -> conv4_1, conv4_2 (512) -> pool4 (global max)

every conv 3x3, padding 1, followed by BatchNorm and ReLU; conv1_1 has stride ``*_stride``.
The vision stream takes (B, 3, S, S) ImageNet-normalised crops (paper: S = 224), the audio
stream (B, 1, 257, T) dB spectrograms of 1 s at 48 kHz (:mod:`soundsight.audio.spectrogram`;
T = 199 for L3-Net, 200 for AVE/AVOL). Paper geometry: L3-Net vision stride 1 (conv4_2 28x28),
audio stride 2 (conv4_2 16x12, the 4x3 max-pool of the ESC probe); Objects that Sound uses
stride 2 in both first layers, so the vision conv4_2 (and AVOL's map) is 14x14 at 224 px.

Heads (``num_outputs`` K = 2 for the 2-way softmax of L3/AVE, 1 for AVOL's logistic loss; class
index 1 / a positive logit means "corresponds"):

- ``l3_net``: concat(vision pool4, audio pool4) (B, 1024) -> fc1 128 + ReLU -> head fc 2;
- ``ave_net``: per stream fc1 512->128 + ReLU -> fc2 128->128 -> L2-normalise; Euclidean
  distance (B, 1) -> head fc(1 -> 2), initialised so that a small distance means "corresponds";
- ``avol_net``: vision conv4_2 map (no pooling) -> conv5 1x1 128 + ReLU -> conv6 1x1 128 (the
  fully convolutional fc1/fc2, no normalisation), audio as AVE without the L2 norm; similarity =
  dot product at every position (B, 1, h, w) -> head = 1x1 conv calibration (a * s + b, a = 1,
  b = 0 at init) -> the logit map; the output is its max over positions (B, K), whose sigmoid is
  the max of the sigmoid localisation map (the sigmoid is monotone), trained with the logistic
  loss.

``width`` scales every channel and fc size (rounded, at least 4). Named layers for
``forward_intermediates`` are ``vision.<layer>`` / ``audio.<layer>`` (conv1_1 .. conv4_2, pool1
.. pool4, and ``conv4_2_pre``: conv4_2 after BatchNorm, before its ReLU, the L3 audio probe's
layer) plus each model's head layers (``fusion.fc1``; ``vision.embedding`` ...; ``distance``;
``similarity``, ``localisation``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from soundsight.audio.spectrogram import AVE_FRAMES, L3_FRAMES, SpectrogramFrontEnd

from .base import LayerGeometry, ReceptiveField, check_layer_names, init_module_, walk_geometry
from .input_spec import ImageSpec, InputSpec, SpectrogramSpec
from .registry import register_model

Inputs = Mapping[str, Tensor]  # {"image": (B, 3, S, S), "audio": (B, 1, F, T)}
Stage = Callable[[dict[str, Tensor]], Tensor]
STREAMS = {"vision": "image", "audio": "audio"}  # subnet name -> input stream name
BLOCKS = ((64, 2), (128, 2), (256, 2), (512, 2))  # (channels at width 1, convs) per block
SUBNET_LAYERS = (
    "conv1_1", "conv1_2", "pool1", "conv2_1", "conv2_2", "pool2", "conv3_1", "conv3_2",
    "pool3", "conv4_1", "conv4_2_pre", "conv4_2", "pool4",
)  # fmt: skip
EMBED = 128  # fc / embedding size at width 1 (L3 fusion fc1, AVE/AVOL embeddings)
MIN_CHANNELS = 4


def scaled(base: int, width: float) -> int:
    """``base * width`` rounded, at least :data:`MIN_CHANNELS`."""
    if not width > 0:
        raise ValueError(f"width must be > 0, got {width}")
    return max(MIN_CHANNELS, round(base * width))


def conv_bn(c_in: int, c_out: int, stride: int = 1) -> nn.Sequential:
    """3x3 conv (padding 1) -> BatchNorm (the ReLU is applied by the subnet)."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride, 1), nn.BatchNorm2d(c_out))


def _conv_side(n: int, stride: int) -> int:
    return (n + 2 - 3) // stride + 1


class VGGSubnet(nn.Module):
    """The vision or audio subnetwork: four conv blocks, max pools between them.

    ``stages(prefix, source)`` gives the per-layer stages for ``forward_intermediates``;
    ``shapes((H, W))`` the per-example shape of every layer (geometry only).
    """

    def __init__(self, in_channels: int, width: float, stride: int) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"first-layer stride must be 1 or 2, got {stride}")
        self.stride = int(stride)
        self.channels: dict[str, int] = {}
        c_in = in_channels
        for b, (base, n_convs) in enumerate(BLOCKS, start=1):
            c_out = scaled(base, width)
            for j in range(1, n_convs + 1):
                name = f"conv{b}_{j}"
                s = self.stride if (b, j) == (1, 1) else 1
                self.add_module(name, conv_bn(c_in, c_out, s))
                self.channels[name] = c_in = c_out
        self.out_channels = c_in
        self.pool = nn.MaxPool2d(2, 2)

    def stages(self, prefix: str, source: str) -> dict[str, Stage]:
        """``{prefix.layer: stage}`` in forward order, reading ``source`` (an input stream)."""
        p = prefix

        def conv(name: str, src: str) -> Stage:
            return lambda o: torch.relu(getattr(self, name)(o[src]))

        return {
            f"{p}.conv1_1": conv("conv1_1", source),  # (B, C1, H / s, W / s)
            f"{p}.conv1_2": conv("conv1_2", f"{p}.conv1_1"),
            f"{p}.pool1": lambda o: self.pool(o[f"{p}.conv1_2"]),
            f"{p}.conv2_1": conv("conv2_1", f"{p}.pool1"),  # (B, C2, ., .)
            f"{p}.conv2_2": conv("conv2_2", f"{p}.conv2_1"),
            f"{p}.pool2": lambda o: self.pool(o[f"{p}.conv2_2"]),
            f"{p}.conv3_1": conv("conv3_1", f"{p}.pool2"),  # (B, C3, ., .)
            f"{p}.conv3_2": conv("conv3_2", f"{p}.conv3_1"),
            f"{p}.pool3": lambda o: self.pool(o[f"{p}.conv3_2"]),
            f"{p}.conv4_1": conv("conv4_1", f"{p}.pool3"),  # (B, C4, ., .)
            f"{p}.conv4_2_pre": lambda o: self.conv4_2(o[f"{p}.conv4_1"]),  # BN out, no ReLU
            f"{p}.conv4_2": lambda o: torch.relu(o[f"{p}.conv4_2_pre"]),
            f"{p}.pool4": lambda o: o[f"{p}.conv4_2"].amax(dim=(2, 3)),  # (B, C4) global max
        }

    def shapes(self, size: tuple[int, int], prefix: str) -> dict[str, tuple[int, ...]]:
        """Per-example shape of every layer for an (H, W) input."""
        h, w = _conv_side(size[0], self.stride), _conv_side(size[1], self.stride)
        out: dict[str, tuple[int, ...]] = {}
        for b in range(1, 5):
            c = self.channels[f"conv{b}_1"]
            for j in (1, 2):
                out[f"{prefix}.conv{b}_{j}"] = (c, h, w)
            if b < 4:
                h, w = h // 2, w // 2
                out[f"{prefix}.pool{b}"] = (c, h, w)
        if min(h, w) < 1:
            raise ValueError(f"{prefix} input {size} is too small: conv4_2 would be {h}x{w}")
        out[f"{prefix}.conv4_2_pre"] = out[f"{prefix}.conv4_2"]
        out[f"{prefix}.pool4"] = (self.out_channels,)
        return {k: out[k] for k in (f"{prefix}.{n}" for n in SUBNET_LAYERS)}

    def geometry(self, prefix: str) -> tuple[LayerGeometry, ...]:
        """Geometry of every conv and pool layer (for receptive fields and map positions)."""
        geo: list[LayerGeometry] = []
        for b in range(1, 5):
            geo.append(LayerGeometry(f"{prefix}.conv{b}_1", 3, self.stride if b == 1 else 1, 1))
            geo.append(LayerGeometry(f"{prefix}.conv{b}_2", 3, 1, 1))
            if b < 4:
                geo.append(LayerGeometry(f"{prefix}.pool{b}", 2, 2, 0))
        return tuple(geo)

    def trunk(self, x: Tensor) -> Tensor:
        """(B, C, H, W) -> the conv4_2 map (B, C4, h, w), post-ReLU."""
        for b in range(1, 5):
            x = torch.relu(getattr(self, f"conv{b}_1")(x))
            x = torch.relu(getattr(self, f"conv{b}_2")(x))
            if b < 4:
                x = self.pool(x)
        return x


class AVCorrespondenceNet(nn.Module):
    """Shared API of the three networks (the multi-stream analogue of ``FeatureModel``).

    ``forward(inputs)`` -> (B, K) logits; ``forward_features(inputs)`` -> ``{"image": ...,
    "audio": ...}`` (the ``feature_layers``); ``forward_head(features, pre_logits)``;
    ``forward_intermediates(inputs, layers)``; ``feature_shapes()`` / ``feature_dims()``;
    ``embeddings(inputs)``; ``head``, ``trunk_parameters()``, ``reset_head(K)``.
    """

    n_frames: ClassVar[int] = L3_FRAMES
    default_strides: ClassVar[tuple[int, int]] = (2, 2)  # (vision, audio) conv1_1 strides
    feature_layers: ClassVar[dict[str, str]] = {"image": "vision.pool4", "audio": "audio.pool4"}
    head_layers: ClassVar[tuple[str, ...]] = ("head",)
    head_names: ClassVar[tuple[str, ...]] = ()  # named layers after the subnets
    default_layers: ClassVar[tuple[str, ...]] = ("vision.pool4", "audio.pool4")
    multilabel = False
    head: nn.Module

    def __init__(
        self,
        num_outputs: int,
        width: float,
        input_size: int,
        audio_rate: int,
        n_fft: int,
        vision_stride: int | None,
        audio_stride: int | None,
    ) -> None:
        super().__init__()
        if num_outputs < 1:
            raise ValueError(f"num_outputs must be >= 1, got {num_outputs}")
        self.num_outputs, self.width = int(num_outputs), float(width)
        self.input_size, self.audio_rate, self.n_fft = int(input_size), int(audio_rate), int(n_fft)
        strides = self.default_strides
        vs = strides[0] if vision_stride is None else vision_stride
        aus = strides[1] if audio_stride is None else audio_stride
        self.vision = VGGSubnet(3, width, vs)
        self.audio = VGGSubnet(1, width, aus)
        self.embed = scaled(EMBED, width)
        self.layer_names = (
            *(f"vision.{n}" for n in SUBNET_LAYERS),
            *(f"audio.{n}" for n in SUBNET_LAYERS),
            *self.head_names,
        )
        self.feature_shapes()  # ValueError if an input is too small

    # --- specs -------------------------------------------------------------------------------
    @classmethod
    def spec_for(
        cls, input_size: int = 224, audio_rate: int = 48_000, n_fft: int = 512, **_: Any
    ) -> dict[str, InputSpec]:
        """``{"image": ImageSpec(input_size), "audio": SpectrogramSpec}`` (dB, 1 s)."""
        front = cls.front_end_for(audio_rate, n_fft)
        audio = SpectrogramSpec(
            sample_rate=int(audio_rate), duration_s=1.0, n_freq=front.n_freq,
            n_frames=cls.n_frames, scale="db",
        )  # fmt: skip
        return {"image": ImageSpec(int(input_size)), "audio": audio}

    @classmethod
    def front_end_for(cls, audio_rate: int, n_fft: int) -> SpectrogramFrontEnd:
        """The spectrogram front end whose output this model takes."""
        return SpectrogramFrontEnd.for_frames(audio_rate, n_fft, cls.n_frames)

    @property
    def input_spec(self) -> dict[str, InputSpec]:
        return self.spec_for(self.input_size, self.audio_rate, self.n_fft)

    @property
    def front_end(self) -> SpectrogramFrontEnd:
        return self.front_end_for(self.audio_rate, self.n_fft)

    # --- to implement --------------------------------------------------------------------------
    def _head_stages(self) -> dict[str, Stage]:
        raise NotImplementedError

    def _head_shapes(self, shapes: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
        raise NotImplementedError

    def forward_head(self, features: Inputs, pre_logits: bool = False) -> Tensor:
        raise NotImplementedError

    def embeddings(self, inputs: Inputs) -> dict[str, Tensor]:
        """Per-modality embeddings for retrieval: ``{"image": (B, D), "audio": (B, D)}``."""
        raise NotImplementedError

    # --- shared --------------------------------------------------------------------------------
    def check_inputs(self, inputs: Inputs, streams: Sequence[str] | None = None) -> None:
        """ValueError unless ``inputs`` holds an image and an audio batch of the input spec
        (``streams``: only those input streams, e.g. ``("audio",)``)."""
        if not isinstance(inputs, Mapping):
            raise ValueError(
                f"{type(self).__name__} takes {{'image': (B, 3, S, S), 'audio': (B, 1, F, T)}}, "
                f"got {type(inputs).__name__}"
            )
        for stream, spec in self.input_spec.items():
            if streams is not None and stream not in streams:
                continue
            if stream not in inputs:
                raise ValueError(f"inputs lack the {stream!r} stream (have {list(inputs)})")
            if stream == "image":  # any crop size: the global pooling does not care
                x = inputs[stream]
                if x.ndim != 4 or x.shape[1] != 3:
                    raise ValueError(
                        f"image of shape {tuple(x.shape)} does not fit: expected (B, 3, H, W)"
                    )
            else:
                spec.check(inputs[stream], stream)

    def _stages(self) -> dict[str, Stage]:
        return {
            **self.vision.stages("vision", "image"),
            **self.audio.stages("audio", "audio"),
            **self._head_stages(),
        }

    def forward_features(self, inputs: Inputs) -> dict[str, Tensor]:
        """``{"image": vision feature, "audio": audio feature}`` (the ``feature_layers``)."""
        self.check_inputs(inputs)
        v = self.vision.trunk(inputs["image"])  # (B, C4, h, w)
        a = self.audio.trunk(inputs["audio"]).amax(dim=(2, 3))  # (B, C4)
        if self.feature_layers["image"] == "vision.pool4":
            v = v.amax(dim=(2, 3))  # (B, C4)
        return {"image": v, "audio": a}

    def forward(self, inputs: Inputs) -> Tensor:
        """``{"image", "audio"}`` batches -> logits (B, K)."""
        return self.forward_head(self.forward_features(inputs))

    def check_layers(self, layers: Sequence[str] | str) -> tuple[str, ...]:
        return check_layer_names(layers, self.layer_names, type(self).__name__)

    def forward_intermediates(
        self, inputs: Inputs, layers: Sequence[str] | str | None = None
    ) -> dict[str, Tensor]:
        """Named layer outputs, in the order asked; only the stages needed are computed (a
        vision-only request never runs the audio subnet, and vice versa, and needs only that
        stream's input: ``{"audio": (B, 1, F, T)}`` is enough for ``audio.*`` subnet layers)."""
        names = self.check_layers(self.default_layers if layers is None else layers)
        stages = self._stages()
        order = list(stages)
        last = max(order.index(n) for n in names)
        # only subnet layers asked: the other stream's subnet need not run
        subnet_only = all(n.split(".", 1)[1] in SUBNET_LAYERS for n in names if "." in n) and all(
            "." in n and n.split(".")[0] in STREAMS for n in names
        )
        wanted = {n.split(".")[0] for n in names}
        self.check_inputs(inputs, [STREAMS[s] for s in wanted] if subnet_only else None)
        outputs: dict[str, Tensor] = dict(inputs)
        for name in order[: last + 1]:
            stream, _, layer = name.partition(".")
            if subnet_only and layer in SUBNET_LAYERS and stream not in wanted:
                continue
            outputs[name] = stages[name](outputs)
        return {n: outputs[n] for n in names}

    def feature_shapes(self, input_size: int | None = None) -> dict[str, tuple[int, ...]]:
        """Per-example output shape of every layer in ``layer_names`` (geometry only)."""
        size = self.input_size if input_size is None else int(input_size)
        audio = self.input_spec["audio"].shape[1:]  # (F, T)
        shapes = {
            **self.vision.shapes((size, size), "vision"),
            **self.audio.shapes(audio, "audio"),  # type: ignore[arg-type]
        }
        return {**shapes, **self._head_shapes(shapes)}

    def feature_dims(self, input_size: int | None = None) -> dict[str, int]:
        return {k: math.prod(v) for k, v in self.feature_shapes(input_size).items()}

    def receptive_fields(self) -> dict[str, ReceptiveField]:
        """Receptive field (input pixels) of every vision map layer at ``input_size`` (the
        centre of position i is ``offset + stride * i``: where an AVOL map position points);
        1x1 layers after conv4_2 share its field."""
        geo = walk_geometry(self.vision.geometry("vision"), self.input_size)
        fields = {name: rf for name, (_, rf) in geo.items()}
        fields["vision.conv4_2_pre"] = fields["vision.conv4_2"]
        shapes = self.feature_shapes()
        for name in self.head_names:  # AVOL's map layers
            if len(shapes[name]) == 3:
                fields[name] = fields["vision.conv4_2"]
        return {n: fields[n] for n in self.layer_names if n in fields}

    def trunk_parameters(self) -> Iterator[nn.Parameter]:
        """All parameters except those of ``head``."""
        head_ids = {id(p) for p in self.head.parameters()}
        return (p for p in self.parameters() if id(p) not in head_ids)

    def _new_head(self, num_outputs: int) -> nn.Module:
        raise NotImplementedError

    def reset_head(self, num_outputs: int, seed: int | None = None) -> None:
        """Replace ``head`` by a freshly initialised one with ``num_outputs`` outputs."""
        if num_outputs < 1:
            raise ValueError(f"num_outputs must be >= 1, got {num_outputs}")
        old = next(self.head.parameters())
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            new = self._new_head(num_outputs)
        self.head = new.to(device=old.device, dtype=old.dtype)
        self.num_outputs = int(num_outputs)

    def predict_proba(self, logits: Tensor) -> Tensor:
        """P(corresponds): softmax's class 1 for two outputs, else the sigmoid."""
        if logits.shape[1] == 2:
            return torch.softmax(logits, dim=1)[:, 1]
        return torch.sigmoid(logits[:, 0])


def _mlp(d_in: int, d_hidden: int, d_out: int) -> nn.Sequential:
    """fc1 + ReLU -> fc2 (the AVE/AVOL embedding layers)."""
    return nn.Sequential(nn.Linear(d_in, d_hidden), nn.ReLU(), nn.Linear(d_hidden, d_out))


@register_model("l3_net")
class L3Net(AVCorrespondenceNet):
    """L3-Net: concat(vision pool4, audio pool4) -> fc1 128 + ReLU -> head fc K."""

    n_frames = L3_FRAMES
    default_strides = (1, 2)
    head_layers = ("fc1", "head")
    head_names = ("fusion.concat", "fusion.fc1")

    def __init__(
        self,
        num_outputs: int = 2,
        width: float = 1.0,
        input_size: int = 224,
        audio_rate: int = 48_000,
        n_fft: int = 512,
        vision_stride: int | None = None,
        audio_stride: int | None = None,
    ) -> None:
        super().__init__(
            num_outputs, width, input_size, audio_rate, n_fft, vision_stride, audio_stride
        )
        self.fc1 = nn.Linear(self.vision.out_channels + self.audio.out_channels, self.embed)
        self.head = nn.Linear(self.embed, num_outputs)
        init_module_(self)

    def _new_head(self, num_outputs: int) -> nn.Module:
        head = nn.Linear(self.embed, num_outputs)
        init_module_(head)
        return head

    def _head_stages(self) -> dict[str, Stage]:
        return {
            "fusion.concat": lambda o: torch.cat([o["vision.pool4"], o["audio.pool4"]], 1),
            "fusion.fc1": lambda o: torch.relu(self.fc1(o["fusion.concat"])),  # (B, 128)
        }

    def _head_shapes(self, shapes: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
        c = self.vision.out_channels + self.audio.out_channels
        return {"fusion.concat": (c,), "fusion.fc1": (self.embed,)}

    def forward_head(self, features: Inputs, pre_logits: bool = False) -> Tensor:
        """``{"image": (B, C4), "audio": (B, C4)}`` -> logits (B, K) (fc1 if ``pre_logits``)."""
        h = torch.relu(self.fc1(torch.cat([features["image"], features["audio"]], 1)))
        return h if pre_logits else self.head(h)

    def embeddings(self, inputs: Inputs) -> dict[str, Tensor]:
        """The 512-d pool4 vectors of each stream (unaligned: retrieval across modalities needs
        CCA)."""
        return self.forward_features(inputs)


@register_model("ave_net")
class AVENet(AVCorrespondenceNet):
    """AVE-Net: L2-normalised 128-d embeddings, their Euclidean distance -> head fc(1 -> K)."""

    n_frames = AVE_FRAMES
    head_layers = ("vision_fc", "audio_fc", "head")
    head_names = (
        "vision.fc1", "vision.embedding", "audio.fc1", "audio.embedding", "distance",
    )  # fmt: skip
    # the distance -> logit calibration at init: class 1 ("corresponds") wins below sqrt(2),
    # the distance of two orthogonal unit vectors
    init_threshold = math.sqrt(2.0)

    def __init__(
        self,
        num_outputs: int = 2,
        width: float = 1.0,
        input_size: int = 224,
        audio_rate: int = 48_000,
        n_fft: int = 512,
        vision_stride: int | None = None,
        audio_stride: int | None = None,
    ) -> None:
        super().__init__(
            num_outputs, width, input_size, audio_rate, n_fft, vision_stride, audio_stride
        )
        self.vision_fc = _mlp(self.vision.out_channels, self.embed, self.embed)
        self.audio_fc = _mlp(self.audio.out_channels, self.embed, self.embed)
        init_module_(self)
        self.head = self._new_head(num_outputs)

    def _new_head(self, num_outputs: int) -> nn.Module:
        """fc(1 -> K); for K = 2 logits (d - t, t - d): small distance -> class 1."""
        head = nn.Linear(1, num_outputs)
        init_module_(head)
        if num_outputs == 2:
            with torch.no_grad():
                head.weight.copy_(torch.tensor([[1.0], [-1.0]]))
                head.bias.copy_(torch.tensor([-self.init_threshold, self.init_threshold]))
        return head

    @staticmethod
    def _embed(fc: nn.Sequential, x: Tensor) -> Tensor:
        """pool4 (B, C4) -> fc1 + ReLU -> fc2 -> L2-normalised (B, 128)."""
        return nn.functional.normalize(fc[2](torch.relu(fc[0](x))), dim=1)

    def _head_stages(self) -> dict[str, Stage]:
        return {
            "vision.fc1": lambda o: torch.relu(self.vision_fc[0](o["vision.pool4"])),
            "vision.embedding": lambda o: nn.functional.normalize(
                self.vision_fc[2](o["vision.fc1"]), dim=1
            ),
            "audio.fc1": lambda o: torch.relu(self.audio_fc[0](o["audio.pool4"])),
            "audio.embedding": lambda o: nn.functional.normalize(
                self.audio_fc[2](o["audio.fc1"]), dim=1
            ),
            "distance": lambda o: distance(o["vision.embedding"], o["audio.embedding"]),
        }

    def _head_shapes(self, shapes: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
        e = (self.embed,)
        return {
            "vision.fc1": e, "vision.embedding": e, "audio.fc1": e, "audio.embedding": e,
            "distance": (1,),
        }  # fmt: skip

    def _pair_embeddings(self, features: Inputs) -> dict[str, Tensor]:
        return {
            "image": self._embed(self.vision_fc, features["image"]),
            "audio": self._embed(self.audio_fc, features["audio"]),
        }

    def forward_head(self, features: Inputs, pre_logits: bool = False) -> Tensor:
        """pool4 features -> logits (B, K) (the distance (B, 1) if ``pre_logits``)."""
        e = self._pair_embeddings(features)
        d = distance(e["image"], e["audio"])  # (B, 1)
        return d if pre_logits else self.head(d)

    def embeddings(self, inputs: Inputs) -> dict[str, Tensor]:
        """The aligned, L2-normalised 128-d embeddings of each stream."""
        return self._pair_embeddings(self.forward_features(inputs))


def distance(a: Tensor, b: Tensor) -> Tensor:
    """Euclidean distance of (B, D) rows -> (B, 1); 1e-12 inside the root keeps its gradient
    finite at zero distance."""
    return ((a - b).square().sum(1, keepdim=True) + 1e-12).sqrt()


@register_model("avol_net")
class AVOLNet(AVCorrespondenceNet):
    """AVOL-Net: audio embedding . vision descriptor at every position -> calibration -> max."""

    n_frames = AVE_FRAMES
    feature_layers = {"image": "vision.conv4_2", "audio": "audio.pool4"}
    head_layers = ("vision_fc", "audio_fc", "head")
    head_names = (
        "vision.conv5", "vision.conv6", "audio.fc1", "audio.embedding", "similarity",
        "localisation",
    )  # fmt: skip

    def __init__(
        self,
        num_outputs: int = 1,
        width: float = 1.0,
        input_size: int = 224,
        audio_rate: int = 48_000,
        n_fft: int = 512,
        vision_stride: int | None = None,
        audio_stride: int | None = None,
    ) -> None:
        super().__init__(
            num_outputs, width, input_size, audio_rate, n_fft, vision_stride, audio_stride
        )
        c4 = self.vision.out_channels
        self.vision_fc = nn.Sequential(  # fc1 / fc2 as 1x1 convs (conv5, conv6)
            nn.Conv2d(c4, self.embed, 1), nn.ReLU(), nn.Conv2d(self.embed, self.embed, 1)
        )
        self.audio_fc = _mlp(self.audio.out_channels, self.embed, self.embed)
        init_module_(self)
        self.head = self._new_head(num_outputs)

    def _new_head(self, num_outputs: int) -> nn.Module:
        """1x1 conv calibration a * s + b of the similarity map, a = 1, b = 0 at init."""
        head = nn.Conv2d(1, num_outputs, 1)
        with torch.no_grad():
            head.weight.fill_(1.0)
            head.bias.zero_()
        return head

    def _head_stages(self) -> dict[str, Stage]:
        return {
            "vision.conv5": lambda o: torch.relu(self.vision_fc[0](o["vision.conv4_2"])),
            "vision.conv6": lambda o: self.vision_fc[2](o["vision.conv5"]),  # (B, 128, h, w)
            "audio.fc1": lambda o: torch.relu(self.audio_fc[0](o["audio.pool4"])),
            "audio.embedding": lambda o: self.audio_fc[2](o["audio.fc1"]),  # (B, 128)
            "similarity": lambda o: similarity_map(o["vision.conv6"], o["audio.embedding"]),
            "localisation": lambda o: torch.sigmoid(self.head(o["similarity"])),  # (B, K, h, w)
        }

    def _head_shapes(self, shapes: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
        _, h, w = shapes["vision.conv4_2"]
        e = (self.embed,)
        return {
            "vision.conv5": (self.embed, h, w), "vision.conv6": (self.embed, h, w),
            "audio.fc1": e, "audio.embedding": e, "similarity": (1, h, w),
            "localisation": (self.num_outputs, h, w),
        }  # fmt: skip

    def _similarity(self, features: Inputs) -> Tensor:
        v = self.vision_fc(features["image"])  # (B, 128, h, w)
        a = self.audio_fc(features["audio"])  # (B, 128)
        return similarity_map(v, a)  # (B, 1, h, w)

    def forward_head(self, features: Inputs, pre_logits: bool = False) -> Tensor:
        """conv4_2 map and audio pool4 -> logits (B, K): the max over positions of the
        calibrated similarity map (the similarity map (B, 1, h, w) if ``pre_logits``)."""
        s = self._similarity(features)
        return s if pre_logits else self.head(s).amax(dim=(2, 3))  # (B, K)

    def localisation_map(self, inputs: Inputs) -> Tensor:
        """(B, K, h, w) sigmoid localisation map (14 x 14 at 224 px)."""
        return torch.sigmoid(self.head(self._similarity(self.forward_features(inputs))))

    def embeddings(self, inputs: Inputs) -> dict[str, Tensor]:
        """The audio embedding (B, 128) and the vision descriptors max-pooled over positions."""
        f = self.forward_features(inputs)
        v = self.vision_fc(f["image"]).amax(dim=(2, 3))  # (B, 128)
        return {"image": v, "audio": self.audio_fc(f["audio"])}


def similarity_map(vision: Tensor, audio: Tensor) -> Tensor:
    """Dot product of the audio embedding (B, D) with the vision descriptor (B, D, h, w) at every
    position -> (B, 1, h, w)."""
    return torch.einsum("bchw,bc->bhw", vision, audio).unsqueeze(1)


__all__ = [
    "AVCorrespondenceNet",
    "AVENet",
    "AVOLNet",
    "L3Net",
    "VGGSubnet",
    "distance",
    "similarity_map",
]
