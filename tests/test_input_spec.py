"""Input specs, and the image transforms that read their sizes and statistics from one."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from soundsight.detect.data import normalize
from soundsight.models.input_spec import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    ImageSpec,
    SpectrogramSpec,
    caffe_resize_size,
    image_spec,
)
from soundsight.probes.extract import probe_transform
from soundsight.probes.run import resize_for
from soundsight.train.dataset import FrameDataset, resize_side, resized_size
from soundsight.train.device_decode import augment_batch
from soundsight.units import views
from soundsight.viz import cam

COLOUR = (64, 128, 255)  # RGB of the uniform test image
# Statistics and resize side unlike ImageNet's / CaffeNet's, so a transform that ignored the
# spec (hard-coded values) would give other numbers.
GREY = ImageSpec(16, 20, mean=(0.5, 0.5, 0.5), std=(0.25, 0.5, 1.0))


def _expected(spec: ImageSpec) -> np.ndarray:
    """(3,) normalised value of COLOUR under ``spec``."""
    return (np.array(COLOUR) / 255.0 - np.array(spec.mean)) / np.array(spec.std)


@pytest.fixture
def uniform_png(tmp_path):
    path = tmp_path / "uniform.png"  # lossless, so the colour survives exactly
    Image.new("RGB", (30, 24), COLOUR).save(path)
    return path


def test_image_spec_defaults_are_imagenet_and_caffenets_resize():
    spec = ImageSpec(227)
    assert spec.mean == IMAGENET_MEAN == (0.485, 0.456, 0.406)
    assert spec.std == IMAGENET_STD == (0.229, 0.224, 0.225)
    assert spec.resize_size == caffe_resize_size(227) == 256 and spec.shape == (3, 227, 227)
    sides = [ImageSpec(s).resize_size for s in range(1, 300)]
    assert sides == [round(s * 256 / 227) for s in range(1, 300)]
    assert image_spec(48) == ImageSpec(48) and image_spec(GREY) is GREY
    assert image_spec(GREY, 24) == ImageSpec(16, 24, GREY.mean, GREY.std)
    with pytest.raises(ValueError, match="input_size <= resize_size"):
        ImageSpec(16, 12)
    with pytest.raises(ValueError, match="3 values"):
        ImageSpec(16, mean=(0.5,))
    with pytest.raises(ValueError, match="positive"):
        SpectrogramSpec(sample_rate=16000, duration_s=0.0, n_freq=4, n_frames=4)


def test_resize_helpers_all_follow_the_spec():
    for size in (32, 48, 112, 227):
        assert resize_side(size) == resize_for(size) == views.default_resize(size)
        assert resize_side(size) == ImageSpec(size).resize_size
    assert resize_side(GREY) == 20 and resized_size(30, 24, GREY) == (25, 20)


def test_every_image_transform_normalises_with_the_spec_it_is_given(uniform_png):
    want = _expected(GREY)
    frames = FrameDataset([uniform_png], np.zeros(1, np.int64), GREY, train=False)
    assert frames.spec is GREY and frames.input_size == 16
    decoded = torch.tensor(COLOUR, dtype=torch.uint8)[:, None, None].expand(3, 24, 30)
    outputs = {
        "FrameDataset": frames[0][0],
        "augment_batch": augment_batch([decoded], [(0, 0, 0)], GREY, train=False)[0],
        "probe_transform": probe_transform(GREY)(Image.open(uniform_png).convert("RGB")),
        "units.normalise": torch.from_numpy(
            views.normalise(np.full((1, 16, 16, 3), COLOUR, np.uint8), GREY)[0]
        ),
        "detect.normalize": normalize(
            torch.tensor(COLOUR, dtype=torch.uint8).view(1, 3, 1, 1).expand(1, 3, 16, 16), GREY
        )[0],
    }
    for name, x in outputs.items():
        assert tuple(x.shape) == GREY.shape, name
        got = x.double().mean(dim=(1, 2)).numpy()
        np.testing.assert_allclose(got, want, atol=1e-5, err_msg=name)
    assert (cam.view(uniform_png, GREY) == np.array(COLOUR, np.uint8)).all()


def test_a_bare_input_size_means_the_default_spec(uniform_png, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "noise.jpg"
    Image.fromarray(rng.integers(0, 256, (50, 70, 3), dtype=np.uint8)).save(path)
    spec = ImageSpec(48)
    for train in (False, True):
        a = FrameDataset([path], np.zeros(1, np.int64), 48, train)[(0, 1, 2)][0]
        b = FrameDataset([path], np.zeros(1, np.int64), spec, train)[(0, 1, 2)][0]
        assert torch.equal(a, b)
    image = Image.open(path).convert("RGB")
    assert torch.equal(probe_transform(48, 54)(image), probe_transform(ImageSpec(48, 54))(image))
    view = views.view_image(path, 48)[None]
    assert np.array_equal(views.normalise(view), views.normalise(view, spec))


@pytest.mark.parametrize(
    ("size", "input_size", "resize_size"),
    [((50, 70), 48, 54), ((31, 17), 16, 21), ((128, 128), 112, 128)],
)
def test_probe_transform_is_torchvisions_compose_bit_for_bit(
    tmp_path, size, input_size, resize_size
):
    from torchvision import transforms  # the reference the probe transform replaces

    rng = np.random.default_rng(size[0])
    image = Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8))
    spec = ImageSpec(input_size, resize_size, mean=(0.4, 0.5, 0.6), std=(0.2, 0.25, 0.3))
    reference = transforms.Compose(
        [
            transforms.Resize((spec.resize_size, spec.resize_size)),
            transforms.CenterCrop(spec.input_size),
            transforms.ToTensor(),
            transforms.Normalize(spec.mean, spec.std),
        ]
    )
    assert torch.equal(probe_transform(spec)(image), reference(image))
