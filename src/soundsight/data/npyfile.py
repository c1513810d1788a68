"""``.npy`` files written row by row and read back memory-mapped (ingest's audio windows, tracks).

An ingest shard's arrays are too large to hold in memory at paper scale, so rows are streamed to a
raw ``.part`` file and the ``.npy`` header is written once their number is known.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np


class NpyAppender:
    """Append rows of shape ``row_shape`` (``()`` for a flat array) and write one ``.npy`` array.

    Used as a context manager: the ``.npy`` file appears only when the block exits without an
    exception; the temporary ``.part`` file is always removed.
    """

    def __init__(self, path: Path, dtype: str, row_shape: tuple[int, ...] = ()) -> None:
        self.path, self.dtype, self.row_shape, self.n_rows = Path(path), dtype, row_shape, 0
        self.tmp = self.path.with_name(self.path.name + ".part")

    def __enter__(self) -> NpyAppender:
        self.raw = open(self.tmp, "wb")  # noqa: SIM115 - closed in __exit__
        return self

    def append(self, rows: np.ndarray) -> None:
        """Append ``rows`` of shape ``(k, *row_shape)``; raise ValueError on another shape."""
        if rows.ndim != 1 + len(self.row_shape) or rows.shape[1:] != self.row_shape:
            expected = ", ".join(["k", *map(str, self.row_shape)])
            raise ValueError(f"rows must be ({expected}), got {rows.shape}")
        self.raw.write(np.ascontiguousarray(rows, dtype=self.dtype).tobytes())
        self.n_rows += rows.shape[0]

    def __exit__(self, exc_type, exc, tb) -> None:
        self.raw.close()
        if exc_type is None:
            header = {
                "descr": self.dtype,
                "fortran_order": False,
                "shape": (self.n_rows, *self.row_shape),
            }
            with open(self.path, "wb") as out, open(self.tmp, "rb") as src:
                np.lib.format.write_array_header_1_0(out, header)
                shutil.copyfileobj(src, out, 16 << 20)
        self.tmp.unlink(missing_ok=True)


def load_npy_mmap(path: str | Path) -> np.ndarray:
    """Memory-mapped, read-only view of a ``.npy`` file (an in-memory empty array when empty)."""
    path = Path(path)
    with open(path, "rb") as f:
        major, _ = np.lib.format.read_magic(f)
        read_header = (
            np.lib.format.read_array_header_1_0
            if major == 1
            else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = read_header(f)
    if 0 in shape:  # an empty file region cannot be memory-mapped
        return np.zeros(shape, dtype=dtype)
    return np.load(path, mmap_mode="r")
