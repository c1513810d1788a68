"""Model registry, CaffeNet+BN / CAM / ResNet-18 interfaces, data-dependent inits, checkpoints."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from soundsight.models import (
    CheckpointMismatchError,
    build_model,
    list_models,
    load_model_weights,
    register_model,
    save_checkpoint,
)
from soundsight.models.init import (
    init_layers,
    kmeans,
    kmeans_init_,
    random_init_,
    sample_patches,
    zca,
)

# Small CPU configs per registered model; "pre" = (layer, reduction) giving the head's input.
SMALL = {
    "caffenet_bn": {"kwargs": {"width": 0.25, "input_size": 96}, "pre": ("fc7", None)},
    "caffenet_bn_cam": {"kwargs": {"width": 0.25, "input_size": 96}, "pre": ("fc7", (2, 3))},
    "resnet18": {"kwargs": {"input_size": 64}, "pre": ("avgpool", None)},
}
K = 5


def _build(name: str, seed: int = 0, **over) -> nn.Module:
    kwargs = {**SMALL[name]["kwargs"], **over}
    return build_model(name, num_outputs=K, seed=seed, **kwargs)


def _images(n: int, size: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, 3, size, size, generator=torch.Generator().manual_seed(seed))


def test_registry_lists_and_rejects_unknown_names():
    assert set(SMALL) == set(list_models()), "every registered model needs a SMALL test config"
    with pytest.raises(KeyError, match="caffenet_bn"):
        build_model("alexnet_typo", num_outputs=3)
    with pytest.raises(ValueError, match="already registered"):
        register_model("caffenet_bn")(lambda **kw: nn.Identity())


@pytest.mark.parametrize("name", sorted(SMALL))
def test_forward_and_intermediates_match_feature_shapes(name):
    model = _build(name).eval()
    size = model.input_size
    x = _images(3, size)
    with torch.no_grad():
        logits = model(x)
        inter = model.forward_intermediates(x, model.layer_names)
    assert logits.shape == (3, K)
    assert list(inter) == list(model.layer_names)
    shapes = model.feature_shapes()
    dims = model.feature_dims(size)
    for layer, t in inter.items():
        assert tuple(t.shape[1:]) == shapes[layer], layer
        assert t[0].numel() == dims[layer], layer
    assert tuple(model.forward_features(x).shape[1:]) == shapes[model.feature_layer]


@pytest.mark.parametrize("name", sorted(SMALL))
def test_head_of_intermediate_equals_logits_in_eval(name):
    model = _build(name).eval()
    x = _images(2, model.input_size)
    layer, reduce_dims = SMALL[name]["pre"]
    with torch.no_grad():
        logits = model(x)
        pre = model.forward_intermediates(x, [layer])[layer]
        if reduce_dims is not None:
            pre = pre.mean(dim=reduce_dims)
        pre_logits = model.forward_head(model.forward_features(x), pre_logits=True)
    torch.testing.assert_close(pre, pre_logits)
    torch.testing.assert_close(model.head(pre), logits)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_unknown_layer_raises_listing_valid_names(name):
    model = _build(name)
    with pytest.raises(ValueError, match=model.layer_names[0]):
        model.forward_intermediates(_images(2, model.input_size), ["fc9"])


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
    assert model.eval()(_images(2, model.input_size)).shape == (2, 11)
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
