"""Model registry, CaffeNet+BN / CAM / AlexNet / VGG-16 / ResNet-18 interfaces, input specs,
training through the workflow entry, data-dependent inits, checkpoints."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
import yaml
from avc_corpus import write_av_corpus
from PIL import Image
from torch import nn
from torchvision.models import alexnet as tv_alexnet
from torchvision.models import vgg16 as tv_vgg16

from soundsight.models import (
    CheckpointMismatchError,
    ImageSpec,
    accepted_kwargs,
    build_model,
    list_models,
    load_model_weights,
    model_input_spec,
    model_options,
    register_model,
    save_checkpoint,
)
from soundsight.models import registry as registry_module
from soundsight.models.alexnet import MIN_INPUT_SIZE
from soundsight.models.init import (
    init_layers,
    kmeans,
    kmeans_init_,
    random_init_,
    sample_patches,
    zca,
)
from soundsight.models.input_spec import (
    SpectrogramSpec,
    WaveformSpec,
    example_inputs,
    spec_to_dict,
)
from soundsight.models.spec import load_trained
from soundsight.models.vgg import MIN_INPUT_SIZE as VGG_MIN_INPUT_SIZE
from soundsight.train.run import run_pretext, train_config

# Small CPU configs per registered model; "pre" = (layer, reduction) giving the head's input,
# "post" = the reduction of the head's output giving the logits (AVOL: max over positions).
AV_SMALL = {"width": 0.0625, "input_size": 32}
WAVE_SMALL = {"width": 0.0625, "num_samples": 22_050, "num_scene_outputs": 3}
SMALL = {
    "caffenet_bn": {"kwargs": {"width": 0.25, "input_size": 96}, "pre": ("fc7", None)},
    "caffenet_bn_cam": {"kwargs": {"width": 0.25, "input_size": 96}, "pre": ("fc7", (2, 3))},
    "resnet18": {"kwargs": {"input_size": 64}, "pre": ("avgpool", None)},
    "alexnet": {"kwargs": {"input_size": 64}, "pre": ("fc7", None)},
    "vgg16": {"kwargs": {"width": 0.0625, "input_size": 32}, "pre": ("fc7", None)},
    "l3_net": {"kwargs": AV_SMALL, "pre": ("fusion.fc1", None)},
    "ave_net": {"kwargs": AV_SMALL, "pre": ("distance", None)},
    "avol_net": {"kwargs": AV_SMALL, "pre": ("similarity", None), "post": (2, 3)},
    # raw-waveform students with per-step object and scene heads (1 s, tiled to the net's minimum)
    "soundnet8": {"kwargs": WAVE_SMALL, "pre": ("conv7", None)},
    "soundnet5": {"kwargs": WAVE_SMALL, "pre": ("conv4", None)},
}
ROOT = Path(__file__).resolve().parents[1]
K = 5


def _build(name: str, seed: int = 0, **over) -> nn.Module:
    kwargs = {**SMALL[name]["kwargs"], **over}
    return build_model(name, num_outputs=K, seed=seed, **kwargs)


def _images(n: int, size: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, 3, size, size, generator=torch.Generator().manual_seed(seed))


def _inputs(model: nn.Module, n: int, seed: int = 0) -> torch.Tensor | dict[str, torch.Tensor]:
    """A random batch of the model's input spec (for an image model: ``_images(n, size)``)."""
    return example_inputs(model.input_spec, n, seed)


def _multi_stream(model: nn.Module) -> bool:
    return isinstance(model.input_spec, dict)


def _check_logits(model: nn.Module, logits, n: int, k: int = K) -> None:
    """A classifier's (n, k) logits, or a per-step model's ``{head: (n, K_head, T)}``."""
    if isinstance(logits, dict):  # SoundNet: the object head has k outputs
        assert set(logits) == {"object", "scene"}
        assert logits["object"].shape[:2] == (n, k) and logits["object"].shape[2] >= 1
        assert logits["scene"].shape[:2] == (n, model.num_scene_outputs)
    else:
        assert logits.shape == (n, k)


def _heads(model: nn.Module, pre: torch.Tensor):
    """The head applied to its input: one module, or one per head (SoundNet)."""
    if isinstance(model.head, nn.ModuleDict):
        return {h: m(pre) for h, m in model.head.items()}
    return model.head(pre)


def _check_features(model: nn.Module, features, shapes: dict[str, tuple[int, ...]]) -> None:
    """forward_features' output has the shape of the model's feature layer(s)."""
    if isinstance(features, dict):  # multi-stream: one feature layer per stream
        assert set(features) == set(model.feature_layers) == set(model.input_spec)
        for stream, layer in model.feature_layers.items():
            assert tuple(features[stream].shape[1:]) == shapes[layer], stream
    else:
        assert tuple(features.shape[1:]) == shapes[model.feature_layer]


def test_registry_lists_and_rejects_unknown_names():
    assert set(SMALL) == set(list_models()), "every registered model needs a SMALL test config"
    with pytest.raises(KeyError, match="caffenet_bn"):
        build_model("alexnet_typo", num_outputs=3)
    with pytest.raises(ValueError, match="already registered"):
        register_model("caffenet_bn")(lambda **kw: nn.Identity())


def test_model_names_are_listed_without_importing_torch():
    """The DAG build checks the model sheet against list_models(): that must not cost torch."""
    import subprocess
    import sys

    src = Path(__file__).resolve().parents[1] / "src"
    code = (
        "import sys; from soundsight.models import list_models; names = list_models(); "
        "print(','.join(names), 'torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(src)}, capture_output=True,
        text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert out == [",".join(list_models()), "False"]
    for name, module in registry_module.BUILTIN_MODELS.items():  # each module registers its name
        factory = registry_module._factory(name)  # imports the module on first use
        assert factory.__module__ == f"soundsight.models.{module}"


@pytest.mark.parametrize("name", sorted(SMALL))
def test_forward_and_intermediates_match_feature_shapes(name):
    model = _build(name).eval()
    size = getattr(model, "input_size", None)  # a waveform model: its spec's length
    x = _inputs(model, 3)
    with torch.no_grad():
        logits = model(x)
        inter = model.forward_intermediates(x, model.layer_names)
        features = model.forward_features(x)
    _check_logits(model, logits, 3)
    assert list(inter) == list(model.layer_names)
    shapes = model.feature_shapes()
    dims = model.feature_dims(size)
    for layer, t in inter.items():
        assert tuple(t.shape[1:]) == shapes[layer], layer
        assert t[0].numel() == dims[layer], layer
    _check_features(model, features, shapes)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_head_of_intermediate_equals_logits_in_eval(name):
    model = _build(name).eval()
    x = _inputs(model, 2)
    layer, reduce_dims = SMALL[name]["pre"]
    post = SMALL[name].get("post")
    with torch.no_grad():
        logits = model(x)
        pre = model.forward_intermediates(x, [layer])[layer]
        if reduce_dims is not None:
            pre = pre.mean(dim=reduce_dims)
        pre_logits = model.forward_head(model.forward_features(x), pre_logits=True)
        out = _heads(model, pre)
    torch.testing.assert_close(pre, pre_logits)
    torch.testing.assert_close(out if post is None else out.amax(dim=post), logits)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_unknown_layer_raises_listing_valid_names(name):
    model = _build(name)
    with pytest.raises(ValueError, match=model.layer_names[0]):
        model.forward_intermediates(_inputs(model, 2), ["fc9"])


@pytest.mark.parametrize("name", sorted(SMALL))
def test_seeded_build_is_deterministic_and_leaves_global_rng(name):
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = _build(name, seed=1).state_dict()
    assert torch.equal(torch.rand(1), before)  # seed= forks the RNG
    b = _build(name, seed=1).state_dict()
    c = _build(name, seed=2).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert any(not torch.equal(a[k], c[k]) for k in a if a[k].is_floating_point())
    torch.manual_seed(7)
    d = build_model(name, num_outputs=K, **SMALL[name]["kwargs"]).state_dict()
    torch.manual_seed(7)
    e = build_model(name, num_outputs=K, **SMALL[name]["kwargs"]).state_dict()
    assert all(torch.equal(d[k], e[k]) for k in d)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_trunk_parameters_and_reset_head(name):
    model = _build(name)
    n_all = sum(p.numel() for p in model.parameters())
    n_head = sum(p.numel() for p in model.head.parameters())
    assert sum(p.numel() for p in model.trunk_parameters()) == n_all - n_head
    conv1_before = next(model.trunk_parameters()).clone()
    model.reset_head(11, seed=0)
    assert model.num_outputs == 11
    _check_logits(model, model.eval()(_inputs(model, 2)), 2, 11)
    assert torch.equal(next(model.trunk_parameters()), conv1_before)


@pytest.mark.parametrize("name", ["caffenet_bn", "caffenet_bn_cam"])
def test_max5_is_global_spatial_max_of_conv5(name):
    model = _build(name).eval()
    with torch.no_grad():
        out = model.forward_intermediates(_images(2, 96), ["conv5", "max5"])
    torch.testing.assert_close(out["max5"], out["conv5"].amax(dim=(2, 3)))
    assert out["max5"].shape == (2, model.channels["conv5"])


def test_intermediates_stop_at_deepest_layer_asked():
    model = _build("caffenet_bn").eval()
    ran: list[str] = []
    for name in ("conv3", "conv5", "fc6"):
        getattr(model, name).register_forward_hook(lambda *_a, n=name: ran.append(n))
    out = model.forward_intermediates(_images(2, 96), "conv3")
    assert list(out) == ["conv3"] and ran == ["conv3"]
    model.forward_intermediates(_images(2, 96), ["max5", "conv1"])
    assert ran == ["conv3", "conv3", "conv5"]


def test_caffenet_geometry_at_227_matches_caffe():
    model = build_model("caffenet_bn", num_outputs=K, width=0.125, input_size=227)
    shapes = model.feature_shapes()
    assert [shapes[f"conv{i}"][1] for i in range(1, 6)] == [55, 27, 13, 13, 13]
    assert shapes["pool5"][1:] == (6, 6)
    assert model.feature_dims(227)["pool5"] == model.channels["conv5"] * 36
    rf = model.receptive_field  # conv5
    assert (rf.size, rf.stride, rf.offset) == (163, 16, 17.0)
    assert model.receptive_fields()["pool5"].stride == 32
    # geometry only: the same receptive field at another input size
    assert _build("caffenet_bn").receptive_field == rf


def test_width_multiplier_scales_channels():
    quarter = _build("caffenet_bn", width=0.25).channels
    half = _build("caffenet_bn", width=0.5).channels
    assert (quarter["conv1"], half["conv1"]) == (24, 48)
    assert (quarter["fc6"], half["fc6"]) == (1024, 2048)
    tiny = build_model("caffenet_bn", num_outputs=K, width=0.01, input_size=64).channels
    assert min(tiny.values()) == 8 and all(c % 8 == 0 for c in tiny.values())
    assert _build("caffenet_bn", width=0.5).conv1[0].out_channels == 48


def test_caffenet_input_size_errors():
    with pytest.raises(ValueError, match="too small"):
        build_model("caffenet_bn", num_outputs=K, width=0.25, input_size=32)
    model = _build("caffenet_bn").eval()
    with pytest.raises(ValueError, match="input_size=96"):
        model(_images(2, 128))


def test_cam_maps_average_to_logits():
    model = _build("caffenet_bn_cam").eval()
    x = _images(3, 96)
    with torch.no_grad():
        cams = model.class_activation_maps(x)
        logits = model(x)
        conv5 = model.forward_features(x)
    assert cams.shape == (3, K, *conv5.shape[2:])
    torch.testing.assert_close(cams.mean(dim=(2, 3)) + model.head.bias, logits)
    assert cams.std() > 0


def test_zca_whitens_and_kmeans_finds_blobs():
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(4000, 6, generator=gen) @ torch.randn(6, 6, generator=gen)
    mu, W = zca(X, eps=1e-6)
    Z = (X.double() - mu) @ W
    torch.testing.assert_close(torch.cov(Z.T), torch.eye(6, dtype=torch.float64), atol=1e-3, rtol=0)
    centers = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    pts = centers.repeat_interleave(100, 0) + 0.1 * torch.randn(300, 2, generator=gen)
    found = kmeans(pts, 3, n_iter=10, gen=torch.Generator().manual_seed(1))
    assert torch.cdist(centers, found).min(dim=1).values.max() < 0.1
    with pytest.raises(ValueError, match="at least k=3"):
        kmeans(pts[:2], 3, n_iter=1, gen=gen)


def test_sample_patches_are_conv_input_windows():
    x = torch.randn(2, 2, 7, 7, generator=torch.Generator().manual_seed(0))
    conv = nn.Conv2d(2, 4, kernel_size=3, stride=2, padding=1)
    patches = sample_patches(x, conv, 50, torch.Generator().manual_seed(0))  # (50, 18)
    cols = nn.functional.unfold(x, 3, padding=1, stride=2)  # (2, 18, L)
    windows = cols.transpose(1, 2).reshape(-1, 18)  # (2*L, 18)
    assert patches.shape == (50, 18)
    gap = (patches[:, None, :] - windows[None]).abs().amax(dim=2)  # (50, 2*L)
    assert gap.min(dim=1).values.max() == 0.0


def _layer_output_stats(model: nn.Module, x: torch.Tensor) -> list[tuple[torch.Tensor, ...]]:
    """Per-channel (mean, std) of every conv/linear output on x, in eval mode."""
    outs: list[torch.Tensor] = []
    hooks = [m.register_forward_hook(lambda _m, _i, o: outs.append(o)) for m in init_layers(model)]
    model.eval()
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    stats = []
    for o in outs:
        flat = o.double().transpose(0, 1).reshape(o.shape[1], -1)
        stats.append((flat.mean(dim=1), flat.std(dim=1, unbiased=False)))
    return stats


def test_kmeans_init_unit_variance_deterministic_and_not_random():
    kw = {"width": 0.125, "input_size": 64}
    x = _images(24, 64, seed=3)
    a = _build("caffenet_bn", **kw).train()
    kmeans_init_(a, x, seed=0, n_patches=800, n_iter=5)
    assert a.training  # mode restored
    stats = _layer_output_stats(a, x)
    assert len(stats) == 8  # conv1..5, fc6, fc7, head
    for mean, std in stats:
        torch.testing.assert_close(mean, torch.zeros_like(mean), atol=1e-3, rtol=0)
        torch.testing.assert_close(std, torch.ones_like(std), atol=1e-3, rtol=0)
    b = _build("caffenet_bn", seed=5, **kw)  # different starting weights, same init seed
    kmeans_init_(b, x, seed=0, n_patches=800, n_iter=5)
    assert torch.equal(a.conv1[0].weight, b.conv1[0].weight)
    assert torch.equal(a.conv5[0].weight, b.conv5[0].weight)
    r = _build("caffenet_bn", **kw)
    random_init_(r, x, seed=0)
    for _mean, std in _layer_output_stats(r, x):
        torch.testing.assert_close(std, torch.ones_like(std), atol=1e-3, rtol=0)
    assert not torch.allclose(a.conv1[0].weight, r.conv1[0].weight)


def test_random_init_of_bias_free_resnet_keeps_keys_and_normalises_bn_outputs():
    model = _build("resnet18")
    keys = list(model.state_dict())
    x = _images(8, 64, seed=1)
    random_init_(model, x, seed=0)
    assert list(model.state_dict()) == keys  # no biases added to the bias-free convs
    outs: list[torch.Tensor] = []
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    hooks = [m.register_forward_hook(lambda _m, _i, o: outs.append(o.clone())) for m in bns]
    with torch.no_grad():
        model.eval()(x)
    for h in hooks:
        h.remove()
    assert len(outs) == len(bns) == 20
    for o in outs:
        flat = o.double().transpose(0, 1).reshape(o.shape[1], -1)
        torch.testing.assert_close(
            flat.mean(dim=1), torch.zeros(o.shape[1]).double(), atol=1e-3, rtol=0
        )
        torch.testing.assert_close(
            flat.std(dim=1, unbiased=False), torch.ones(o.shape[1]).double(), atol=1e-3, rtol=0
        )


def test_kmeans_filters_match_patch_clusters():
    """Images tiled with 4 prototype patches: each k-means filter prefers its own prototype."""
    gen = torch.Generator().manual_seed(0)
    protos = torch.randn(4, 3, 4, 4, generator=gen)  # (4, 3, 4, 4)
    pick = torch.randint(4, (40, 4, 4), generator=gen)  # prototype index of each 4x4 tile
    tiles = protos[pick]  # (40, 4, 4, 3, 4, 4): (N, ty, tx, C, y, x)
    images = tiles.permute(0, 3, 1, 4, 2, 5).reshape(40, 3, 16, 16)
    images = images + 0.01 * torch.randn(images.shape, generator=gen)
    model = nn.Sequential(nn.Conv2d(3, 4, kernel_size=4, stride=4))
    kmeans_init_(model, images, seed=0, n_patches=400)
    with torch.no_grad():
        response = model(protos).flatten(1).T  # (filters, prototypes)
    preferred = response.argmax(dim=1)
    assert sorted(preferred.tolist()) == [0, 1, 2, 3]  # one filter per cluster


def test_checkpoint_roundtrip_weights_only(tmp_path):
    model = _build("caffenet_bn").eval()
    path = save_checkpoint(tmp_path / "m.pt", model, {"name": "caffenet_bn", "epoch": 3})
    raw = torch.load(path, map_location="cpu", weights_only=True)
    assert set(raw) == {"state_dict", "extra"}
    fresh = _build("caffenet_bn", seed=9).eval()
    x = _images(2, 96)
    assert not torch.allclose(fresh(x), model(x))
    extra = load_model_weights(path, fresh)
    assert extra == {"name": "caffenet_bn", "epoch": 3}
    torch.testing.assert_close(fresh(x), model(x))
    other = build_model("caffenet_bn", num_outputs=K + 1, width=0.25, input_size=96)
    with pytest.raises(CheckpointMismatchError, match="head.weight"):
        load_model_weights(path, other)
    with pytest.raises(TypeError, match="extra\\['path'\\]"):
        save_checkpoint(tmp_path / "bad.pt", model, {"path": tmp_path})
    assert not (tmp_path / "bad.pt").exists()


# --- input specs --------------------------------------------------------------------------


def _waveform(name: str) -> bool:
    spec = model_input_spec(name, **SMALL[name]["kwargs"])  # a dict for two-stream models
    return getattr(spec, "modality", None) == "waveform"


IMAGE_MODELS = [n for n in sorted(SMALL) if not _waveform(n)]
WAVE_MODELS = [n for n in sorted(SMALL) if _waveform(n)]


@pytest.mark.parametrize("name", WAVE_MODELS)
def test_waveform_spec_is_what_forward_accepts(name):
    model = _build(name).eval()
    spec = model.input_spec
    assert spec == model_input_spec(name, **SMALL[name]["kwargs"])  # without building weights
    assert spec.shape == (1, 22_050) and spec.sample_rate == 22_050 and spec.scale == 256.0
    x = example_inputs(spec, 2)
    spec.check(x)
    with torch.no_grad():
        _check_logits(model, model(x), 2)
    with pytest.raises(ValueError, match=r"\(B, 1, T\)"):
        model(x.repeat(1, 2, 1))  # two channels instead of mono


@pytest.mark.parametrize("name", IMAGE_MODELS)
def test_input_spec_is_what_forward_accepts(name):
    model = _build(name).eval()
    spec = model.input_spec
    assert spec == model_input_spec(name, **SMALL[name]["kwargs"])  # without building weights
    streams = spec if _multi_stream(model) else {"image": spec}
    image = streams["image"]
    assert isinstance(image, ImageSpec) and image.modality == "image"
    assert image.shape == (3, model.input_size, model.input_size)
    assert image.resize_size >= image.input_size
    if _multi_stream(model):  # the audio-visual models: a log-spectrogram second stream
        assert set(spec) == {"image", "audio"} and spec["audio"].modality == "spectrogram"
    x = example_inputs(spec, 2)
    for stream, s in streams.items():
        s.check(x[stream] if _multi_stream(model) else x, stream)
    with torch.no_grad():
        assert model(x).shape == (2, K)
    one_channel = {**x, "image": x["image"][:, :1]} if _multi_stream(model) else x[:, :1]
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        model(one_channel)  # one channel instead of the spec's three


def test_model_input_spec_uses_defaults_and_rejects_unknown_arguments():
    assert model_input_spec("caffenet_bn") == ImageSpec(227)
    assert model_input_spec("alexnet").input_size == model_input_spec("resnet18").input_size == 224
    assert ImageSpec(227).resize_size == 256 and ImageSpec(112).resize_size == 126
    with pytest.raises(TypeError, match="width"):
        model_input_spec("resnet18", width=0.5)


def test_build_model_names_the_arguments_a_model_does_not_take():
    assert "width" in model_options("caffenet_bn") and "width" not in model_options("resnet18")
    with pytest.raises(
        TypeError, match=r"'resnet18' takes no argument\(s\) \['width'\].*input_size"
    ):
        build_model("resnet18", num_outputs=K, width=0.5, input_size=64)
    options = {"width": 0.5, "input_size": 64}
    assert accepted_kwargs("caffenet_bn", options) == options
    assert accepted_kwargs("alexnet", options) == {"input_size": 64}


class _TinyAV(nn.Module):
    """A two-stream (image, log-spectrogram) stand-in with its own spec per stream (L3-style)."""

    def __init__(self, num_outputs: int, n_frames: int = 20) -> None:
        super().__init__()
        self.input_spec = {
            "image": ImageSpec(16),
            "audio": SpectrogramSpec(sample_rate=8000, duration_s=1.0, n_freq=9, n_frames=n_frames),
        }
        self.image = nn.Sequential(nn.Conv2d(3, 4, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.audio = nn.Sequential(nn.Conv2d(1, 4, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(8, num_outputs)

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        for stream, spec in self.input_spec.items():
            spec.check(inputs[stream], stream)
        return self.head(torch.cat([self.image(inputs["image"]), self.audio(inputs["audio"])], 1))


class _TinyWaveNet(nn.Module):
    """A SoundNet-style raw-waveform stand-in."""

    def __init__(self, num_outputs: int) -> None:
        super().__init__()
        self.input_spec = WaveformSpec(sample_rate=4000, num_samples=400, scale=256.0)
        self.body = nn.Sequential(nn.Conv1d(1, 4, 9, stride=4), nn.AdaptiveMaxPool1d(1))
        self.head = nn.Linear(4, num_outputs)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        self.input_spec.check(wave)
        return self.head(self.body(wave).flatten(1))


@pytest.fixture
def audio_models(monkeypatch):
    """The stand-ins registered for one test (the registry is restored afterwards)."""
    monkeypatch.setattr(registry_module, "_REGISTRY", dict(registry_module._REGISTRY))
    register_model("tiny_av")(_TinyAV)
    register_model("tiny_wave")(_TinyWaveNet)


def test_multi_stream_and_waveform_specs_fit_the_registry(audio_models):
    spec = model_input_spec("tiny_av", num_outputs=3, n_frames=12)  # built on the meta device
    assert set(spec) == {"image", "audio"} and spec["audio"].shape == (1, 9, 12)
    assert spec["image"].modality == "image" and spec["audio"].modality == "spectrogram"
    model = build_model("tiny_av", num_outputs=3, n_frames=12, seed=0)
    assert model.input_spec == spec
    assert model(example_inputs(spec, 2)).shape == (2, 3)
    with pytest.raises(ValueError, match="audio of shape"):
        model({"image": spec["image"].example(2), "audio": torch.zeros(2, 1, 9, 5)})
    assert json.loads(json.dumps(spec_to_dict(spec)))["audio"]["sample_rate"] == 8000
    wave = model_input_spec("tiny_wave", num_outputs=2)
    assert wave.modality == "waveform" and wave.shape == (1, 400) and wave.duration_s == 0.1
    assert build_model("tiny_wave", num_outputs=2)(example_inputs(wave, 3)).shape == (3, 2)
    with pytest.raises(ValueError, match="num_samples"):
        WaveformSpec(sample_rate=4000, num_samples=0)


# --- AlexNet ------------------------------------------------------------------------------


def test_alexnet_geometry_matches_torchvision_and_runs_at_any_size_from_63():
    model = build_model("alexnet", num_outputs=K, input_size=224, seed=0).eval()
    shapes = model.feature_shapes()
    assert [shapes[f"conv{i}"][1] for i in range(1, 6)] == [55, 27, 13, 13, 13]
    assert shapes["pool5"] == (256, 6, 6) and shapes["fc6"] == (4096,)
    assert model.feature_shapes(112)["conv5"] == (256, 6, 6)  # max-pooled to 2x2, then 6x6
    assert model.receptive_field.size == 163 and "pool5" not in model.receptive_fields()
    reference = tv_alexnet(weights=None, num_classes=K).state_dict()
    ours = model.state_dict()
    assert {k.replace("head.", "classifier.6.") for k in ours} == set(reference)
    assert all(ours[k].shape == v.shape for k, v in reference.items() if k in ours)
    small = _build("alexnet").eval()  # built at 64 px: the adaptive pool fixes fc6's input size
    with torch.no_grad():
        for side in (MIN_INPUT_SIZE, 112):
            assert small(_images(1, side)).shape == (1, K)


def test_alexnet_below_its_minimum_input_raises():
    assert MIN_INPUT_SIZE == 63
    with pytest.raises(ValueError, match="smallest input size that works is 63"):
        build_model("alexnet", num_outputs=K, input_size=48)
    with pytest.raises(ValueError, match="at least 63 px"):
        _build("alexnet")(_images(1, 62))


# --- VGG-16 -------------------------------------------------------------------------------


def test_vgg16_at_width_1_is_torchvision_vgg16_with_its_last_linear_as_head():
    """Keys and shapes are torchvision's (classifier.6 -> head), its weights load strictly and
    give its logits, and a seed gives torchvision's initial weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        reference = tv_vgg16(weights=None, num_classes=K).eval()
    renamed = {k.replace("classifier.6.", "head."): v for k, v in reference.state_dict().items()}
    model = build_model("vgg16", num_outputs=K, seed=1).eval()
    ours = model.state_dict()
    assert list(ours) == list(renamed)
    assert all(ours[k].shape == v.shape for k, v in renamed.items())
    shapes = model.feature_shapes()
    assert shapes["pool5"] == (512, 7, 7) and shapes["fc6"] == shapes["fc7"] == (4096,)
    assert not torch.equal(ours["features.0.weight"], renamed["features.0.weight"])
    model.load_state_dict(renamed, strict=True)
    x = _images(1, 32)
    with torch.no_grad():
        torch.testing.assert_close(model(x), reference(x), rtol=0, atol=0)
    del model, ours
    seeded = build_model("vgg16", num_outputs=K, seed=0).state_dict()
    assert all(torch.equal(seeded[k], v) for k, v in renamed.items())


def test_vgg16_geometry_and_width():
    model = build_model("vgg16", num_outputs=K, width=0.0625, input_size=224)
    shapes = model.feature_shapes()
    sides = [shapes[f"conv{b}_{n}"][1] for b, n in ((1, 2), (2, 2), (3, 3), (4, 3), (5, 3))]
    assert sides == [224, 112, 56, 28, 14] and shapes["pool5"][1:] == (7, 7)
    assert model.feature_shapes(32)["conv5_3"][1:] == (2, 2)  # max-pooled to 1x1, then 7x7
    rf = model.receptive_field  # conv5_3
    assert (rf.size, rf.stride) == (196, 16) and "pool5" not in model.receptive_fields()
    assert min(model.channels.values()) == 8 and all(c % 8 == 0 for c in model.channels.values())
    half = _build("vgg16", width=0.5)
    assert (half.channels["conv1_2"], half.channels["conv5_3"], half.channels["fc6"]) == (
        32, 256, 2048,
    )  # fmt: skip
    assert half.features[0].out_channels == 32 and half.head.in_features == 2048
    small = _build("vgg16").eval()  # built at 32 px: the adaptive pool fixes fc6's input size
    with torch.no_grad():
        for side in (VGG_MIN_INPUT_SIZE, 80):
            assert small(_images(1, side)).shape == (1, K)


def test_vgg16_below_its_minimum_input_raises():
    assert VGG_MIN_INPUT_SIZE == 32
    with pytest.raises(ValueError, match="smallest input size that works is 32"):
        build_model("vgg16", num_outputs=K, width=0.0625, input_size=31)
    with pytest.raises(ValueError, match="at least 32 px"):
        _build("vgg16")(_images(1, 31))


# --- every registered model trains through the workflow entry -----------------------------


def _frames_and_labels(root: Path, n_classes: int = 3) -> tuple[Path, Path]:
    """An ingest folder (index.csv + 12 JPEG frames, 2 per video) and a cluster label table."""
    ingest = root / "ingest"
    frames = ingest / "shards" / "00000" / "frames"
    frames.mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows, labels = [], []
    for v in range(6):
        for k in range(2):
            fid = f"v{v:03d}_{k:02d}"
            label = (v + k) % n_classes
            pixels = rng.integers(0, 110, size=(40, 52, 3))
            pixels[..., label] += 140
            Image.fromarray(pixels.astype(np.uint8)).save(frames / f"{fid}.jpg")
            rows.append(
                dict(
                    shard=0, shard_dir="shards/00000", frame_id=fid, video_id=f"v{v:03d}",
                    jpg=f"frames/{fid}.jpg",
                )
            )  # fmt: skip
            labels.append(label)
    pd.DataFrame(rows).to_csv(ingest / "index.csv", index=False)
    ids = [r["frame_id"] for r in rows]
    pd.DataFrame(
        dict(
            frame_id=ids, video_id=[i[:4] for i in ids], split=["train"] * 8 + ["test"] * 4,
            label=labels, distance=0.0, keep=True,
        )
    ).to_csv(root / "clusters.csv", index=False)  # fmt: skip
    return ingest, root / "clusters.csv"


@pytest.mark.parametrize("name", list_models())
def test_every_registered_model_trains_through_the_workflow_entry(name, tmp_path):
    pretext = yaml.safe_load((ROOT / "config.yaml").read_text())["pretext"]
    pretext = {
        **pretext, "model": name, "width": 0.125, "iterations": 2, "batch_size": 4,
        "checkpoint_every": 0, "device": "cpu", "num_workers": 0,
        "input_size": SMALL[name]["kwargs"].get("input_size", pretext["input_size"]),
    }  # fmt: skip
    cfg = train_config(pretext, seed=0, threads=1)
    assert cfg.model_kwargs == ({"width": 0.125} if "width" in model_options(name) else {})
    out = tmp_path / "model"
    out.mkdir()
    spec = model_input_spec(name, **SMALL[name]["kwargs"])
    if name in WAVE_MODELS:
        _check_distillation_entry(name, cfg, tmp_path, out)
        return
    if isinstance(spec, dict):  # audio-visual: trained on correspondence pairs of frames + tracks
        ingest, split = write_av_corpus(tmp_path)
        metrics = run_pretext(split, ingest / "index.csv", ingest, "correspondence", cfg, out)
        n_train, n_outputs = 16, None  # 8 training frames: a positive and a negative each
    else:
        ingest, labels = _frames_and_labels(tmp_path)
        metrics = run_pretext(labels, ingest / "index.csv", ingest, "cluster", cfg, out, 3)
        n_train, n_outputs = 8, 3
    assert metrics["iterations"] == 2 and metrics["n_train"] == n_train
    assert np.isfinite(metrics["final_train_loss"])
    (work,) = out.glob("work-*")  # the finished run keeps no second copy and no checkpoint
    assert not (work / "model.pt").exists() and not (work / "checkpoint.pt").exists()
    model = load_trained(out / "model.pt")
    image = model.input_spec["image"] if isinstance(spec, dict) else model.input_spec
    assert image == ImageSpec(pretext["input_size"]) and model.input_spec == spec
    n_outputs = n_outputs or model.num_outputs
    with torch.no_grad():
        assert model(example_inputs(model.input_spec, 2)).shape == (2, n_outputs)


def _check_distillation_entry(name: str, cfg, root: Path, out: Path) -> None:
    """A waveform student distils a teacher cache (split.csv beside it) into a model folder."""
    from teacher_corpus import STEP_S, write_teacher_corpus

    from soundsight.train.distill import DistillConfig

    ingest, cache = write_teacher_corpus(root, n_videos=4, n_test=1)
    distill = DistillConfig(steps=2, step_s=STEP_S)
    metrics = run_pretext(
        cache, ingest / "index.csv", ingest, "distillation", cfg, out, distill=distill
    )
    assert metrics["iterations"] == 2 and metrics["n_train"] == 3 * 3  # 3 runs of 2 steps each
    assert metrics["distillation"]["heads"] == ["object", "scene"]
    saved = json.loads((out / "metrics.json").read_text())  # the model folder records them
    assert saved["distillation"] == metrics["distillation"] and saved["crops"]["steps"] == 2
    assert np.isfinite(metrics["final_train_loss"])
    model = load_trained(out / "model.pt")
    assert (model.num_outputs, model.num_scene_outputs) == (3, 2)  # the cache's heads
    assert model.input_spec.num_samples == round(2 * STEP_S * 22_050)
    with torch.no_grad():
        logits = model(example_inputs(model.input_spec, 2))
    assert logits["object"].shape[:2] == (2, 3) and logits["scene"].shape[:2] == (2, 2)


def test_pretext_training_crops_and_normalises_as_the_models_input_spec(tmp_path, monkeypatch):
    """A model with its own statistics and resize side gets datasets built from its spec."""
    from soundsight.models.caffenet import CaffeNetBN
    from soundsight.train import pretext as pretext_module
    from soundsight.train.dataset import FrameDataset

    class GreyCaffeNet(CaffeNetBN):
        @classmethod
        def spec_for(cls, input_size: int, **_) -> ImageSpec:
            return ImageSpec(input_size, input_size + 4, mean=(0.5,) * 3, std=(0.25,) * 3)

    seen: list[ImageSpec] = []

    class RecordingFrames(FrameDataset):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            seen.append(self.spec)

    monkeypatch.setattr(registry_module, "_REGISTRY", dict(registry_module._REGISTRY))
    monkeypatch.setattr(pretext_module, "FrameDataset", RecordingFrames)
    register_model("grey_caffenet")(GreyCaffeNet)
    pretext = yaml.safe_load((ROOT / "config.yaml").read_text())["pretext"]
    pretext = {
        **pretext, "model": "grey_caffenet", "width": 0.125, "iterations": 1, "batch_size": 4,
        "checkpoint_every": 0, "device": "cpu", "input_size": 48,
    }  # fmt: skip
    ingest, labels = _frames_and_labels(tmp_path)
    (tmp_path / "model").mkdir()
    cfg = train_config(pretext, seed=0, threads=1)
    run_pretext(labels, ingest / "index.csv", ingest, "cluster", cfg, tmp_path / "model", 3)
    assert seen == [GreyCaffeNet.spec_for(48)] * 2  # train and held-out sets
    assert seen[0].resize_size == 52 and seen[0].mean == (0.5, 0.5, 0.5)
