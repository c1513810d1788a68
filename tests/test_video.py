"""The mp4 writer is bit-reproducible (the world's videos must not depend on machine load)."""

import numpy as np

from soundsight.data.video import write_mp4


def test_same_frames_and_audio_give_identical_bytes(tmp_path):
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (12, 32, 48, 3), dtype=np.uint8)
    audio = (0.1 * rng.standard_normal(22050)).astype(np.float32)
    for name in ("a.mp4", "b.mp4"):
        write_mp4(tmp_path / name, frames, fps=10, audio=audio, audio_rate=22050)
    assert (tmp_path / "a.mp4").read_bytes() == (tmp_path / "b.mp4").read_bytes()
