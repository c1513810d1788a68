"""L3-Net, AVE-Net and AVOL-Net: paper geometry, heads, embeddings, the localisation map."""

from __future__ import annotations

import pytest
import torch

from soundsight.audio.spectrogram import log_spectrogram
from soundsight.models import build_model, model_input_spec
from soundsight.models.input_spec import example_inputs
from soundsight.models.l3 import distance, similarity_map

TINY = {"width": 0.0625, "input_size": 32}


def _tiny(name: str, **over) -> torch.nn.Module:
    return build_model(name, seed=0, **{**TINY, **over}).eval()


def test_paper_geometry_without_building_weights():
    l3 = build_model("l3_net")  # width 1: 512-channel conv4_2
    shapes = l3.feature_shapes()
    assert shapes["vision.conv4_2"] == (512, 28, 28)  # L3: conv1 stride 1, 224 px
    assert shapes["audio.conv4_2"] == (512, 16, 12)  # the ESC probe's 4 x 3 max-pool input
    assert shapes["vision.pool4"] == shapes["audio.pool4"] == (512,)
    assert shapes["fusion.concat"] == (1024,) and shapes["fusion.fc1"] == (128,)
    assert l3.feature_shapes(256)["vision.conv4_2"] == (512, 32, 32)  # Table 3: 8x8 pool -> 4x4
    spec = model_input_spec("l3_net")
    assert spec["audio"].shape == (1, 257, 199) and spec["image"].shape == (3, 224, 224)
    ave = model_input_spec("ave_net")
    assert ave["audio"].shape == (1, 257, 200) and ave["audio"].sample_rate == 48_000
    avol = build_model("avol_net", width=0.125)
    assert avol.feature_shapes()["similarity"] == (1, 14, 14)  # the paper's 14 x 14 map
    assert avol.num_outputs == 1 and build_model("ave_net", width=0.125).num_outputs == 2


def test_width_scales_channels_with_a_floor_of_four():
    model = build_model("l3_net", width=0.005, input_size=32)
    assert set(model.vision.channels.values()) == {4}
    assert build_model("l3_net", width=0.5, input_size=32).vision.channels["conv4_2"] == 256
    with pytest.raises(ValueError, match="too small"):
        build_model("l3_net", width=0.1, input_size=4)


def test_the_front_end_makes_what_the_model_takes():
    for name in ("l3_net", "ave_net", "avol_net"):
        model = _tiny(name)
        wave = torch.randn(2, 48_000) * 0.1
        spec = log_spectrogram(wave, model.front_end)
        model.input_spec["audio"].check(spec, "audio")
        x = {"image": model.input_spec["image"].example(2), "audio": spec}
        with torch.no_grad():
            assert model(x).shape == (2, model.num_outputs)


def test_ave_embeddings_are_unit_and_small_distance_means_corresponds():
    model = _tiny("ave_net")
    x = example_inputs(model.input_spec, 4)
    with torch.no_grad():
        e = model.embeddings(x)
        inter = model.forward_intermediates(x, ["vision.embedding", "audio.embedding", "distance"])
        logits = model(x)
    for stream in ("image", "audio"):
        torch.testing.assert_close(e[stream].norm(dim=1), torch.ones(4))
    torch.testing.assert_close(inter["distance"], (e["image"] - e["audio"]).norm(dim=1)[:, None])
    w, b = model.head.weight[:, 0], model.head.bias
    assert w[1] < w[0]  # class 1 ("corresponds") gains as the distance shrinks
    d = torch.tensor([[0.0], [2.0]])
    assert (model.head(d).argmax(1) == torch.tensor([1, 0])).all()
    torch.testing.assert_close(logits, model.head(inter["distance"]))
    assert b[1] > b[0]
    zero = distance(torch.ones(1, 3, requires_grad=True), torch.ones(1, 3))
    zero.sum().backward()  # finite gradient at zero distance


def test_avol_logit_is_the_max_of_the_calibrated_map_and_map_follows_the_audio():
    model = _tiny("avol_net", input_size=64)
    x = example_inputs(model.input_spec, 3)
    with torch.no_grad():
        loc = model.localisation_map(x)  # (B, 1, h, w)
        logits = model(x)
        inter = model.forward_intermediates(
            x, ["vision.conv6", "audio.embedding", "similarity", "localisation"]
        )
    assert loc.shape == (3, 1, 4, 4)
    torch.testing.assert_close(torch.sigmoid(logits), loc.amax(dim=(2, 3)))
    torch.testing.assert_close(inter["localisation"], loc)
    manual = (inter["vision.conv6"] * inter["audio.embedding"][:, :, None, None]).sum(1)
    torch.testing.assert_close(inter["similarity"][:, 0], manual)
    swapped = {"image": x["image"], "audio": x["audio"].flip(0)}
    with torch.no_grad():
        assert not torch.allclose(model.localisation_map(swapped), loc)
    assert model.head.weight.item() == 1.0 and model.head.bias.item() == 0.0
    v, a = torch.randn(2, 5, 3, 3), torch.randn(2, 5)
    torch.testing.assert_close(similarity_map(v, a)[1, 0, 2, 1], (v[1, :, 2, 1] * a[1]).sum())


def test_l3_embeddings_are_the_pool4_vectors_and_intermediates_skip_the_other_stream():
    model = _tiny("l3_net")
    x = example_inputs(model.input_spec, 2)
    ran: list[str] = []
    model.audio.conv1_1.register_forward_hook(lambda *_: ran.append("audio"))
    model.vision.conv1_1.register_forward_hook(lambda *_: ran.append("vision"))
    with torch.no_grad():
        out = model.forward_intermediates(x, ["vision.conv4_2", "vision.pool4"])
        assert ran == ["vision"]
        audio = model.forward_intermediates(x, ["audio.conv4_2_pre", "audio.conv4_2"])
        e = model.embeddings(x)
    assert ran == ["vision", "audio", "vision", "audio"]
    torch.testing.assert_close(out["vision.pool4"], out["vision.conv4_2"].amax(dim=(2, 3)))
    torch.testing.assert_close(audio["audio.conv4_2"], audio["audio.conv4_2_pre"].relu())
    assert (audio["audio.conv4_2_pre"] < 0).any()  # before the ReLU: the ESC probe's layer
    torch.testing.assert_close(e["image"], out["vision.pool4"])
    p = model.predict_proba(torch.tensor([[0.0, 0.0], [0.0, 10.0]]))
    torch.testing.assert_close(p, torch.tensor([0.5, 1.0]), atol=1e-4, rtol=0)


def test_inputs_must_be_the_two_streams():
    model = _tiny("l3_net")
    x = example_inputs(model.input_spec, 2)
    with pytest.raises(ValueError, match="takes"):
        model(x["image"])
    with pytest.raises(ValueError, match="lack the 'audio'"):
        model({"image": x["image"]})
    with pytest.raises(ValueError, match="audio of shape"):
        model({"image": x["image"], "audio": x["audio"][..., :100]})


def test_avol_map_positions_point_at_their_receptive_field_centres():
    """Hand-worked: stride-2 conv1 -> stride 2, offset 0; each 2x2 pool doubles the stride and
    moves the offset by half its input stride: 1, 3, 7 -> conv4_2 centres at 7 + 16 i."""
    model = build_model("avol_net", width=0.0625)  # 224 px, the paper's 14 x 14 map
    rf = model.receptive_fields()
    assert (rf["vision.conv4_2"].stride, rf["vision.conv4_2"].offset) == (16, 7.0)
    assert rf["similarity"] == rf["localisation"] == rf["vision.conv4_2"]
    assert rf["vision.pool1"].offset == 1.0 and rf["vision.pool1"].stride == 4
    assert rf["vision.conv4_2"].center(13) == 215.0
    assert "audio.conv4_2" not in rf
    l3 = build_model("l3_net", width=0.0625).receptive_fields()["vision.conv4_2"]
    assert (l3.stride, l3.offset) == (8, 3.5)  # stride-1 conv1: 28 x 28 at 224 px
