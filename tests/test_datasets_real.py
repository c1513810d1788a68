"""Real-dataset readers on tiny fixtures in each dataset's official layout (SUN397, ESC-50,
DCASE 2013 scenes, AudioSet): parsing, validation errors naming the path, and rejects that
reconcile with the inputs."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from soundsight.data.sun import is_jpeg, read_sun
from soundsight.probes.run import sun_probe

# ------------------------------------------------------------------------------------------------
# SUN397: listed files whose content is not a JPEG are rejected with the format their header shows
# ------------------------------------------------------------------------------------------------


def _sun(root: Path, formats: dict[str, str]) -> Path:
    """SUN397 folder with one partition; ``formats`` maps image rel path -> PIL format."""
    root.mkdir()
    (root / "ClassName.txt").write_text("/a/abbey\n/b/beach\n")
    for rel, fmt in formats.items():
        (root / rel[1:]).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 8), (200, 10, 10)).save(root / rel[1:], format=fmt)
    rels = list(formats)
    (root / "Training_01.txt").write_text("".join(r + "\n" for r in rels[:4]))
    (root / "Testing_01.txt").write_text("".join(r + "\n" for r in rels[4:]))
    return root


def test_is_jpeg_reads_the_header_not_the_suffix(tmp_path):
    for fmt in ("JPEG", "PNG", "GIF"):
        Image.new("RGB", (4, 4)).save(tmp_path / f"x_{fmt}.jpg", format=fmt)
    assert is_jpeg(tmp_path / "x_JPEG.jpg")
    assert not is_jpeg(tmp_path / "x_PNG.jpg")
    assert not is_jpeg(tmp_path / "x_GIF.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    assert not is_jpeg(tmp_path / "empty.jpg")


def test_read_sun_rejects_non_jpeg_files_with_the_format(tmp_path, caplog):
    formats = {
        "/a/abbey/sun_a1.jpg": "JPEG",
        "/a/abbey/sun_a2.jpg": "PNG",
        "/b/beach/sun_b1.jpg": "JPEG",
        "/b/beach/sun_b2.jpg": "GIF",
        "/a/abbey/sun_a3.jpg": "JPEG",
        "/b/beach/sun_b3.jpg": "BMP",
    }
    root = _sun(tmp_path / "SUN397", formats)
    (root / "a/abbey/sun_a4.jpg").write_bytes(b"not an image at all")
    with (root / "Testing_01.txt").open("a") as f:
        f.write("/a/abbey/sun_a4.jpg\n")
    with caplog.at_level("WARNING"):
        split = read_sun(root, 1)
    assert split.train_paths == [root / "a/abbey/sun_a1.jpg", root / "b/beach/sun_b1.jpg"]
    assert split.train_labels.tolist() == [0, 1]
    assert split.test_paths == [root / "a/abbey/sun_a3.jpg"]
    assert split.test_labels.tolist() == [0]
    assert split.rejected == [
        (root / "a/abbey/sun_a2.jpg", "not a JPEG (PNG signature)"),
        (root / "b/beach/sun_b2.jpg", "not a JPEG (GIF signature)"),
        (root / "b/beach/sun_b3.jpg", "not a JPEG (BMP signature)"),
        (root / "a/abbey/sun_a4.jpg", "not a JPEG (unknown signature)"),
    ]
    # nothing lost: kept + rejected = the 7 listed files
    assert len(split.train_paths) + len(split.test_paths) + len(split.rejected) == 7
    assert "4 listed images rejected" in caplog.text


def test_read_sun_fails_when_no_listed_file_is_a_jpeg(tmp_path):
    formats = {f"/a/abbey/sun_{k}.jpg": "PNG" for k in range(5)}
    root = _sun(tmp_path / "SUN397", formats)
    with pytest.raises(ValueError, match=r"none of the 4 images listed in .*Training_01.txt"):
        read_sun(root, 1)


def test_read_sun_all_jpeg_has_no_rejects(tmp_path):
    formats = {f"/b/beach/sun_{k}.jpg": "JPEG" for k in range(5)}
    split = read_sun(_sun(tmp_path / "SUN397", formats), 1)
    assert split.rejected == []
    assert np.array_equal(split.train_labels, np.ones(4, dtype=np.int64))


class _MeanColour(nn.Module):
    """Stand-in model whose only layer ("fc6") is a linear map of the mean colour."""

    input_size = 16

    def __init__(self) -> None:
        super().__init__()
        self.fc6 = nn.Linear(3, 3)

    def forward_intermediates(self, x: torch.Tensor, layers: list[str]) -> dict:
        return {"fc6": self.fc6(x.mean((2, 3)))}


def test_sun_probe_summary_lists_the_rejected_images(tmp_path):
    rng = np.random.default_rng(0)
    root = tmp_path / "SUN397"
    root.mkdir()
    (root / "ClassName.txt").write_text("/a/abbey\n/b/beach\n")
    train, test = [], []
    for c in ("a/abbey", "b/beach"):
        (root / c).mkdir(parents=True)
        for k in range(7):
            fmt = "PNG" if (c, k) == ("b/beach", 6) else "JPEG"
            pixels = rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / c / f"sun_{k}.jpg", format=fmt)
            (train if k < 4 else test).append(f"/{c}/sun_{k}.jpg")
    (root / "Training_01.txt").write_text("\n".join(train) + "\n")
    (root / "Testing_01.txt").write_text("\n".join(test) + "\n")
    summary, _ = sun_probe(_MeanColour(), root, ["fc6"], 16, 3, seed=0)
    assert summary["rejected_images"] == [
        {"path": "b/beach/sun_6.jpg", "reason": "not a JPEG (PNG signature)"}
    ]
    assert len(summary["layers"]["fc6"]["accuracy"]) == 1
