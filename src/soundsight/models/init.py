"""Data-dependent initialisations (Krähenbühl et al. 2016), the "K-means" and "random" baselines.

- ``data_dependent_rescale_``: the within-layer initialisation. For every conv/linear layer in
  forward order, its weights and bias are rescaled so that each output unit has zero mean and
  unit variance over the initialisation images (and spatial positions), given the already
  rescaled layers below it. Batch-norm layers are reset to the identity (weight 1, bias 0,
  running mean 0, running variance 1), so in eval mode they pass those statistics through.
  A bias-free layer followed by batch norm (ResNet) is only scaled, and its mean goes into that
  batch norm's running mean, so the batch-norm output is the zero-mean, unit-variance one.
- ``kmeans_init_``: every conv layer, in order, gets k-means filters: patches of the layer's
  input activations are ZCA-whitened, clustered with k = out_channels (Lloyd's algorithm,
  k-means++ seeds), and each centroid is used as a filter on the whitened patches (the
  whitening is folded into the filter weights and bias, so the layer computes
  ``c . W_zca (x - mu)`` exactly). Each layer is rescaled right after it is initialised, so the
  next layer clusters the activations it will actually receive. Linear layers get Gaussian
  weights plus the rescale (k-means is only used for conv layers, as in the paper).
- ``random_init_``: Gaussian weights + the within-layer rescale (the paper's "random" row).

Simplifications relative to Krähenbühl et al.: the between-layer scale adjustment (equalising
the relative gradient magnitudes across layers by iterative rescaling) is not implemented. In
networks with batch normalisation after every layer, as here, it changes neither the forward
pass nor the features probed; it would only change the initial effective learning rates.
Grouped and dilated convolutions are not supported.

All functions work in eval mode under ``torch.no_grad`` and restore the model's train/eval mode.
Everything is deterministic given ``seed``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import numpy as np
import torch
from threadpoolctl import threadpool_limits
from torch import Tensor, nn
from tqdm import tqdm

log = logging.getLogger(__name__)

Layer = nn.Conv2d | nn.Linear


class _StopForwardError(Exception):
    """Raised by a hook to end a forward pass once the layer of interest has run."""


def init_layers(model: nn.Module) -> list[Layer]:
    """The conv and linear layers of ``model`` in registration (= forward) order."""
    return [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]


def reset_batchnorm_(model: nn.Module) -> None:
    """Make every batch-norm layer the identity in eval mode (up to its eps)."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()  # mean 0, var 1
            if m.affine:
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)


def _check_images(images: Tensor) -> None:
    if images.ndim != 4 or images.shape[1] != 3 or images.shape[0] < 2:
        raise ValueError(
            f"initialisation images must be (N >= 2, 3, H, W), got {tuple(images.shape)}"
        )


@torch.no_grad()
def layer_io(
    model: nn.Module, layer: nn.Module, images: Tensor, batch_size: int = 64
) -> tuple[Tensor, Tensor]:
    """Input and output of ``layer`` over ``images`` (N, 3, H, W), on CPU.

    The forward pass stops at ``layer``, so later layers are not computed.
    """
    ins: list[Tensor] = []
    outs: list[Tensor] = []

    def hook(_m: nn.Module, inp: tuple[Tensor, ...], out: Tensor) -> None:
        ins.append(inp[0].detach().cpu())
        outs.append(out.detach().cpu())
        raise _StopForwardError

    device = next(model.parameters()).device
    handle = layer.register_forward_hook(hook)
    try:
        for start in range(0, images.shape[0], batch_size):
            try:
                model(images[start : start + batch_size].to(device))
            except _StopForwardError:
                continue
            raise RuntimeError(f"layer {layer} was not reached by the forward pass")
    finally:
        handle.remove()
    return torch.cat(ins), torch.cat(outs)


def _channel_stats(out: Tensor) -> tuple[Tensor, Tensor]:
    """Per-channel mean and std of a layer output (N, C[, h, w]) over all but the channel axis."""
    x = out.double().transpose(0, 1).reshape(out.shape[1], -1)  # (C, N*h*w)
    return x.mean(dim=1), x.std(dim=1, unbiased=False)


def following_batchnorm(model: nn.Module, layer: Layer) -> nn.modules.batchnorm._BatchNorm:
    """The first batch-norm registered after ``layer`` with matching width (ValueError if none)."""
    modules = list(model.modules())
    width = layer.weight.shape[0]
    for m in modules[modules.index(layer) + 1 :]:
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.num_features == width:
            return m
    raise ValueError(f"{layer} has no bias and no batch-norm after it to hold its shift")


@torch.no_grad()
def rescale_layer_(
    model: nn.Module, layer: Layer, images: Tensor, eps: float = 1e-8, batch_size: int = 64
) -> None:
    """Rescale ``layer`` so each output unit has zero mean, unit variance over ``images``.

    A bias-free layer (e.g. ResNet convs) is only scaled; its mean is subtracted by the next
    batch-norm's running mean instead, so the state-dict keys do not change.
    """
    _, out = layer_io(model, layer, images, batch_size)
    mean, std = _channel_stats(out)  # (C,), (C,)
    dead = int((std <= eps).sum())
    if dead:
        log.warning("%d constant output unit(s) in %s cannot be rescaled", dead, layer)
    std = std.clamp_min(eps)
    shape = (-1,) + (1,) * (layer.weight.ndim - 1)
    w = layer.weight
    w.copy_((w.double() / std.view(shape)).to(w.dtype))
    if layer.bias is not None:
        layer.bias.copy_(((layer.bias.double() - mean) / std).to(w.dtype))
    else:
        bn = following_batchnorm(model, layer)
        bn.running_mean.copy_((mean / std).to(bn.running_mean))  # BN eval: (y - mean) / 1


def _gaussian_(layer: Layer, generator: torch.Generator) -> None:
    """N(0, 1) weights (drawn on CPU from ``generator``) and zero bias."""
    w = torch.randn(layer.weight.shape, generator=generator, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(w.to(layer.weight))
        if layer.bias is not None:
            layer.bias.zero_()


def _run_over_layers(
    model: nn.Module, images: Tensor, fn: Callable[[Layer], None], desc: str
) -> None:
    """Reset batch norms, then call ``fn(layer)`` for every conv/linear layer in eval mode."""
    _check_images(images)
    was_training = model.training
    model.eval()
    try:
        reset_batchnorm_(model)
        for layer in tqdm(init_layers(model), desc=desc, leave=False):
            fn(layer)
    finally:
        model.train(was_training)


def data_dependent_rescale_(model: nn.Module, images: Tensor, batch_size: int = 64) -> None:
    """Within-layer data-dependent initialisation (Krähenbühl et al. 2016), in place.

    images: (N, 3, H, W), preprocessed as for training.
    """
    _run_over_layers(
        model,
        images,
        lambda layer: rescale_layer_(model, layer, images, batch_size=batch_size),
        "rescale",
    )


def random_init_(model: nn.Module, images: Tensor, seed: int, batch_size: int = 64) -> None:
    """Gaussian weights + within-layer rescale (the "random" initialisation row), in place."""
    gen = torch.Generator().manual_seed(seed)

    def step(layer: Layer) -> None:
        _gaussian_(layer, gen)
        rescale_layer_(model, layer, images, batch_size=batch_size)

    _run_over_layers(model, images, step, "random init")


def sample_patches(x: Tensor, conv: nn.Conv2d, n_patches: int, gen: torch.Generator) -> Tensor:
    """``n_patches`` random input patches of ``conv`` from its input x (N, C, H, W).

    Returns (n_patches, C * kh * kw), in the layout of ``conv.weight.flatten(1)``.
    """
    kh, kw = conv.kernel_size
    sh, sw = conv.stride
    ph, pw = conv.padding  # type: ignore[misc]
    x = nn.functional.pad(x, (pw, pw, ph, ph))  # zero padding, as the conv sees it
    n, c, hp, wp = x.shape
    oh, ow = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    b = torch.randint(n, (n_patches,), generator=gen)
    i = torch.randint(oh, (n_patches,), generator=gen) * sh
    j = torch.randint(ow, (n_patches,), generator=gen) * sw
    rows = (i[:, None] + torch.arange(kh))[:, None, :, None]  # (P, 1, kh, 1)
    cols = (j[:, None] + torch.arange(kw))[:, None, None, :]  # (P, 1, 1, kw)
    chans = torch.arange(c)[None, :, None, None]  # (1, C, 1, 1)
    patches = x[b[:, None, None, None], chans, rows, cols]  # (P, C, kh, kw)
    return patches.reshape(n_patches, -1)


def zca(X: Tensor, eps: float = 1e-2) -> tuple[Tensor, Tensor]:
    """Mean (D,) and symmetric ZCA whitening matrix (D, D) of samples X (P, D), float64.

    ``eps`` regularises the eigenvalues relative to their mean. The eigendecomposition runs in
    numpy with one BLAS thread: torch's CPU ``eigh`` was 10-20x slower here, and numpy's BLAS
    threads spinning against torch's OpenMP threads slowed the whole init 10-30x on 2 cores.
    """
    Xn = X.double().numpy()
    mu = Xn.mean(axis=0)
    Xc = Xn - mu
    with threadpool_limits(limits=1, user_api="blas"):
        cov = Xc.T @ Xc / max(Xn.shape[0] - 1, 1)  # (D, D)
        evals, evecs = np.linalg.eigh(cov)
        evals = np.clip(evals, 0.0, None)
        reg = eps * float(evals.mean()) + 1e-12
        W = (evecs / np.sqrt(evals + reg)) @ evecs.T  # (D, D)
    return torch.from_numpy(mu), torch.from_numpy(W)


def kmeans_plus_plus(Z: Tensor, k: int, gen: torch.Generator) -> Tensor:
    """Greedy k-means++ seeding: k rows of Z (P, D).

    Each new seed is the best (lowest total squared distance) of ``2 + log k`` candidates drawn
    with probability proportional to the squared distance to the nearest seed so far.
    """
    n_points = Z.shape[0]
    n_trials = 2 + int(math.log(k))
    z2 = (Z * Z).sum(dim=1)  # (P,)

    def sq_dist(rows: Tensor) -> Tensor:  # (P, len(rows)) squared distances to Z[rows]
        return (z2[:, None] - (Z @ Z[rows].T) * 2.0 + z2[rows][None]).clamp_min(0.0)

    idx = torch.randint(n_points, (1,), generator=gen)
    d2 = sq_dist(idx)[:, 0]  # (P,) squared distance to the nearest seed
    seeds = [int(idx)]
    for _ in range(1, k):
        total = float(d2.sum())
        if total > 0:
            cand = torch.multinomial(d2 / total, n_trials, replacement=True, generator=gen)
        else:  # fewer distinct points than k
            cand = torch.randint(n_points, (n_trials,), generator=gen)
        new_d2 = torch.minimum(d2[:, None], sq_dist(cand))  # (P, n_trials)
        best = int(new_d2.sum(dim=0).argmin())
        seeds.append(int(cand[best]))
        d2 = new_d2[:, best]
    return Z[seeds].clone()


def kmeans(Z: Tensor, k: int, n_iter: int, gen: torch.Generator) -> Tensor:
    """Lloyd's k-means on Z (P, D) from k-means++ seeds; returns centroids (k, D).

    Empty clusters are re-seeded with random samples.
    """
    n_points = Z.shape[0]
    if n_points < k:
        raise ValueError(f"k-means needs at least k={k} patches, got {n_points}")
    C = kmeans_plus_plus(Z, k, gen)  # (k, D)
    z2 = (Z * Z).sum(dim=1, keepdim=True)  # (P, 1)
    for _ in range(n_iter):
        d = z2 - (Z @ C.T) * 2.0 + (C * C).sum(dim=1)  # (P, k) squared distances (x2 exact)
        assign = d.argmin(dim=1)  # (P,)
        onehot = nn.functional.one_hot(assign, k).to(Z.dtype)  # (P, k)
        counts = onehot.sum(dim=0)  # (k,)
        sums = onehot.T @ Z  # (k, D)
        C = sums / counts.clamp_min(1).unsqueeze(1)
        empty = counts == 0
        if empty.any():
            C[empty] = Z[torch.randint(n_points, (int(empty.sum()),), generator=gen)]
    return C


@torch.no_grad()
def kmeans_conv_(
    model: nn.Module,
    conv: nn.Conv2d,
    images: Tensor,
    n_patches: int,
    gen: torch.Generator,
    n_iter: int = 10,
    zca_eps: float = 1e-2,
    batch_size: int = 64,
) -> None:
    """Set ``conv``'s filters to k-means centroids of its whitened input patches, in place."""
    if conv.groups != 1 or conv.dilation != (1, 1):
        raise ValueError(f"k-means init supports only groups=1, dilation=1 convs, got {conv}")
    x, _ = layer_io(model, conv, images, batch_size)  # (N, C_in, H, W) the layer's input
    X = sample_patches(x, conv, n_patches, gen)  # (P, D)
    mu, W = zca(X, zca_eps)  # (D,), (D, D)
    Z = ((X.double() - mu) @ W).float()  # (P, D) whitened patches
    centroids = kmeans(Z, conv.out_channels, n_iter, gen).double()  # (k, D)
    filters = centroids @ W  # (k, D): c . W (x - mu) = (W c) . x - (W c) . mu
    conv.weight.copy_(filters.reshape(conv.weight.shape).to(conv.weight))
    if conv.bias is not None:  # (a bias-free conv is centred by the rescale that follows)
        conv.bias.copy_(-(filters @ mu))  # (k,)


def kmeans_init_(
    model: nn.Module,
    images: Tensor,
    seed: int,
    n_patches: int = 10_000,
    n_iter: int = 10,
    zca_eps: float = 1e-2,
    batch_size: int = 64,
) -> None:
    """Krähenbühl et al.'s k-means initialisation with within-layer rescaling, in place.

    images: (N, 3, H, W), preprocessed as for training. Conv layers get k-means filters of
    ``n_patches`` whitened input patches (k = out_channels, ``n_iter`` Lloyd iterations); linear
    layers Gaussian weights; every layer is then rescaled to zero-mean, unit-variance outputs.
    """
    gen = torch.Generator().manual_seed(seed)

    def step(layer: Layer) -> None:
        if isinstance(layer, nn.Conv2d):
            kmeans_conv_(model, layer, images, n_patches, gen, n_iter, zca_eps, batch_size)
        else:
            _gaussian_(layer, gen)
        rescale_layer_(model, layer, images, batch_size=batch_size)

    _run_over_layers(model, images, step, "k-means init")
