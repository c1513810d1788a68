"""Frozen-trunk feature extraction for the probes.

Images are resized to ``resize_size`` x ``resize_size`` (the paper: 256 x 256), centre-cropped to
``input_size`` (227), normalised with the image spec's statistics (ImageNet's by default; see
:mod:`soundsight.models.input_spec`) and passed through
``model.forward_intermediates(x, layers)`` in eval mode under ``torch.no_grad()``. Each requested
layer comes back flattened to (N, D).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torch import nn
from torch.utils.data import DataLoader, Dataset
from tqdm.auto import tqdm

from soundsight.models.input_spec import ImageSpec, image_spec

log = logging.getLogger(__name__)


class ProbeTransform:
    """Square resize, centre crop and normalisation: PIL image -> (3, S, S) float32 tensor.

    torchvision's ``Compose([Resize((R, R)), CenterCrop(S), ToTensor(), Normalize(mean, std)])``
    on PIL images, op for op (PIL bilinear resize, its rounded crop box, /255, subtract then
    divide) and bit for bit (tests/test_input_spec.py checks it against torchvision): importing
    torchvision costs ~3 s of every probe job's start-up (its ops import torch._dynamo).
    """

    def __init__(self, spec: ImageSpec) -> None:
        self.spec = spec
        self.mean = torch.as_tensor(spec.mean, dtype=torch.float32)[:, None, None]  # (3, 1, 1)
        self.std = torch.as_tensor(spec.std, dtype=torch.float32)[:, None, None]

    def __call__(self, image: Image.Image) -> torch.Tensor:
        r, s = self.spec.resize_size, self.spec.input_size
        image = image.resize((r, r), Image.Resampling.BILINEAR)
        top = left = int(round((r - s) / 2.0))
        image = image.crop((left, top, left + s, top + s))
        x = torch.from_numpy(np.array(image, dtype=np.uint8, copy=True))  # (S, S, 3)
        x = x.permute(2, 0, 1).contiguous().to(torch.float32).div(255)  # (3, S, S) in [0, 1]
        return x.sub_(self.mean).div_(self.std)

    def __repr__(self) -> str:
        return f"ProbeTransform({self.spec})"


def probe_transform(input_size: int | ImageSpec, resize_size: int | None = None) -> ProbeTransform:
    """Square resize, centre crop and normalisation: PIL image -> (3, S, S) tensor.

    ``input_size`` is the crop side or a model's ``input_spec`` (its resize side and statistics
    are used; a bare int: ImageNet statistics); ``resize_size`` overrides the resize side.
    """
    return ProbeTransform(image_spec(input_size, resize_size))  # ValueError unless 1 <= S <= R


def pool_map(out: torch.Tensor, pool: Sequence[int] | None, layer: str) -> torch.Tensor:
    """(B, D): a layer's output flattened, a map (B, C, H, W) first max-pooled to the ``pool``
    grid ``(h, w)`` (adaptive max pooling; None: as it is)."""
    if pool is not None:
        if out.ndim != 4:
            raise ValueError(f"{layer} is not a map {tuple(out.shape)}: it cannot be pooled")
        out = nn.functional.adaptive_max_pool2d(out, tuple(int(p) for p in pool))
    return out.flatten(1)


def load_image(path: str | Path) -> Image.Image:
    """Open an image as RGB (format detected from content; some SUN ``.jpg`` are not JPEGs)."""
    try:
        with Image.open(path) as im:
            return im.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError) as err:
        raise OSError(f"cannot read image {path}: {err}") from err


def extract_features(
    model: nn.Module,
    image_paths: Sequence[str | Path],
    layers: Sequence[str],
    input_size: int | ImageSpec,
    resize_size: int | None = None,
    batch_size: int = 64,
    device: str | torch.device = "cpu",
    progress: bool = True,
    num_workers: int = 0,
) -> dict[str, np.ndarray]:
    """Features of every image at each named layer: {layer: (N, D) float32}.

    The model is moved to ``device`` and run in eval mode; its previous train/eval mode is
    restored afterwards. Its parameters and buffers are never modified. ``num_workers`` > 0
    decodes images in DataLoader worker processes. ``input_size``/``resize_size``: as for
    :func:`probe_transform`.
    """
    if len(layers) == 0:
        raise ValueError("extract_features needs at least one layer name")
    if len(image_paths) == 0:
        raise ValueError("extract_features got no images")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    loader = DataLoader(
        _ImageList(image_paths, probe_transform(input_size, resize_size)),
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
    )
    was_training = model.training
    model.to(device).eval()
    out: dict[str, np.ndarray] = {}
    start = 0
    try:
        with torch.no_grad():
            for x in tqdm(loader, desc="extract features", disable=not progress):
                feats = _flat_intermediates(model, x.to(device), layers)  # {layer: (B, D)}
                for name, f in feats.items():
                    if name not in out:
                        out[name] = np.empty((len(image_paths), f.shape[1]), dtype=np.float32)
                    out[name][start : start + len(x)] = f
                start += len(x)
    finally:
        model.train(was_training)
    log.info("extracted %s for %d images", {k: v.shape[1] for k, v in out.items()}, start)
    return out


class _ImageList(Dataset):
    """Image paths -> transformed (3, S, S) tensors."""

    def __init__(self, paths: Sequence[str | Path], transform: ProbeTransform) -> None:
        self.paths = list(paths)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> torch.Tensor:
        return self.transform(load_image(self.paths[i]))


def _flat_intermediates(
    model: nn.Module, x: torch.Tensor, layers: Sequence[str]
) -> dict[str, np.ndarray]:
    """Call ``forward_intermediates`` and flatten each requested layer to (B, D) float32."""
    got = model.forward_intermediates(x, list(layers))
    missing = [name for name in layers if name not in got]
    if missing:
        raise KeyError(f"model.forward_intermediates did not return layers {missing}")
    return {
        name: got[name].flatten(1).float().cpu().numpy()  # (B, C[, h, w]) -> (B, D)
        for name in layers
    }


def snapshot_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """A detached CPU copy of every parameter and buffer (incl. BN running statistics)."""
    return {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}


def assert_trunk_unchanged(model: nn.Module, state_before: dict[str, torch.Tensor]) -> None:
    """Raise AssertionError naming every parameter/buffer that differs from ``state_before``."""
    now = model.state_dict()
    if set(now) != set(state_before):
        raise AssertionError(
            f"state keys changed: added {sorted(set(now) - set(state_before))}, "
            f"removed {sorted(set(state_before) - set(now))}"
        )
    changed = [
        k for k, v in now.items() if not torch.equal(v.detach().cpu(), state_before[k].cpu())
    ]
    if changed:
        raise AssertionError(f"probing modified the trunk: {changed}")
