"""Pointing accuracy of localisation maps and the centre-of-image baseline (Objects that Sound)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from soundsight.eval.localisation import (
    centre_peaks,
    map_peaks,
    mask_hits,
    point_hits,
    pointing_accuracy,
)


def test_peak_of_the_upsampled_map_by_hand() -> None:
    # 2x2 -> 4x4 bilinear (align_corners=False): pixel x=3 samples source x=1.25 (clamped to 1),
    # pixel y=0 source y=-0.25 (clamped to 0), so only pixel (0, 3) carries the full peak
    m = np.array([[0.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(map_peaks(m, (4, 4)), [[0, 3]])
    np.testing.assert_array_equal(map_peaks(torch.tensor(m)[None], (4, 8)), [[0, 6]])
    np.testing.assert_array_equal(centre_peaks(2, (4, 6)), [[1.5, 2.5], [1.5, 2.5]])


def test_point_and_mask_hits() -> None:
    peaks = np.array([[0, 3], [10, 10], [5, 5]])
    points = [np.array([[1, 3]]), np.array([[0, 0], [10, 12]]), np.zeros((0, 2))]
    np.testing.assert_array_equal(point_hits(peaks, points, 1.0), [True, False, False])
    np.testing.assert_array_equal(point_hits(peaks, points, 2.0), [True, True, False])
    masks = np.zeros((3, 12, 12), bool)
    masks[0, 0, 3] = masks[2, 5, 5] = True
    np.testing.assert_array_equal(mask_hits(peaks, masks), [True, False, True])
    with pytest.raises(ValueError, match="one point list"):
        point_hits(peaks, points[:2], 1.0)


def test_off_centre_objects_beat_the_centre_baseline() -> None:
    # four 14x14 maps peaked on an off-centre object, frames 56x56, objects in the corners
    size, cells = (56, 56), [(1, 1), (1, 12), (12, 1), (12, 12)]
    maps = np.zeros((4, 14, 14))
    for b, (i, j) in enumerate(cells):
        maps[b, i, j] = 1.0
    points = [np.array([[4 * i + 1.5, 4 * j + 1.5]]) for i, j in cells]  # cell centres in px
    model = point_hits(map_peaks(maps, size), points, radius=4.0)
    centre = point_hits(centre_peaks(4, size), points, radius=4.0)
    assert pointing_accuracy(model) == 1.0 and pointing_accuracy(centre) == 0.0
