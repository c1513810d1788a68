"""Scenes of the world: background rendering, object priors and ambient sound."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from soundsight.world import sounds
from soundsight.world.categories import CATEGORY_NAMES
from soundsight.world.draw import jitter, smooth_noise, vertical_gradient

BackgroundFn = Callable[[np.random.Generator, int, int, float], np.ndarray]


@dataclass(frozen=True)
class Scene:
    """A scene category.

    ``background(rng, h, w, horizon)`` returns rgb (h, w, 3) float32 with the ground starting at
    the fraction ``horizon`` of the height (drawn per image from the ``horizon`` range).
    ``priors`` maps category -> weight of appearing; ``reverb_rt60`` > 0 adds a reverberant tail
    to the sources.
    """

    name: str
    background: BackgroundFn
    ambience: Callable[[np.random.Generator, int, int], np.ndarray]
    priors: dict[str, float]
    looks: str
    sounds_like: str
    horizon: tuple[float, float]
    reverb_rt60: float = 0.0


def _rows(h: int) -> np.ndarray:
    """(h, 1) row coordinate in [0, 1)."""
    return (np.arange(h, dtype=np.float32) / h)[:, None]


def _cols(w: int) -> np.ndarray:
    """(1, w) column coordinate in [0, 1)."""
    return (np.arange(w, dtype=np.float32) / w)[None, :]


def _band(img: np.ndarray, v0: float, v1: float, color, tex: np.ndarray | None = None) -> None:
    """Fill rows [v0, v1) (fractions) with colour, optionally times a (h, w) texture, in place."""
    h = img.shape[0]
    r0, r1 = int(v0 * h), int(v1 * h)
    col = np.asarray(color, np.float32)
    img[r0:r1] = col if tex is None else col * tex[r0:r1, :, None]


def _noise_tex(rng: np.random.Generator, h: int, w: int, cells: int, amount: float) -> np.ndarray:
    """Multiplicative (h, w) texture around 1."""
    return (1.0 + amount * (smooth_noise(rng, h, w, cells) - 0.5)).astype(np.float32)


def _sky(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Sky gradient with soft clouds, (h, w, 3)."""
    top = jitter(rng, (0.35, 0.55, 0.9), 0.06)
    img = vertical_gradient(h, w, top, jitter(rng, (0.75, 0.85, 0.97), 0.04))
    clouds = np.clip(smooth_noise(rng, h, w, 5) - 0.55, 0, 1)[..., None] * 1.5
    return img * (1 - clouds) + clouds


def bg_beach(rng: np.random.Generator, h: int, w: int, horizon: float) -> np.ndarray:
    """Sky, blue sea band with wave stripes, textured sand."""
    img = _sky(rng, h, w)
    sea_top = horizon - rng.uniform(0.1, 0.16)
    waves = (1.0 + 0.12 * np.sin(_rows(h) * 180 + 4 * np.sin(_cols(w) * 9))).astype(np.float32)
    _band(img, sea_top, horizon, jitter(rng, (0.1, 0.4, 0.7), 0.05), np.broadcast_to(waves, (h, w)))
    _band(img, horizon, 1.0, jitter(rng, (0.9, 0.8, 0.55), 0.05), _noise_tex(rng, h, w, 12, 0.25))
    return img


def bg_street(rng: np.random.Generator, h: int, w: int, horizon: float) -> np.ndarray:
    """Sky, building facades with small dark windows, sidewalk, asphalt road with dashes."""
    img = _sky(rng, h, w)
    cols = _cols(w)[0]
    edges = np.sort(rng.uniform(0, 1, size=4))
    building = np.searchsorted(edges, cols)  # (w,) building index per column
    tops = rng.uniform(0.08, 0.35, size=5)[building]
    shades = np.stack([jitter(rng, (0.6, 0.55, 0.5), 0.12) for _ in range(5)])[building]  # (w, 3)
    rows = _rows(h)
    facade = (rows >= tops[None, :]) & (rows < horizon)  # (h, w)
    win = ((rows * 14) % 1.0 < 0.45) & ((cols[None, :] * 18) % 1.0 < 0.5)
    img[facade] = np.broadcast_to(shades[None], (h, w, 3))[facade]
    img[facade & win] *= 0.45
    _band(img, horizon, horizon + 0.08, (0.7, 0.7, 0.68))
    _band(
        img,
        horizon + 0.08,
        1.0,
        jitter(rng, (0.3, 0.3, 0.32), 0.04),
        _noise_tex(rng, h, w, 16, 0.2),
    )
    lane = int((horizon + 0.08 + (1 - horizon - 0.08) * 0.55) * h)
    dash = (cols * 6) % 1.0 < 0.5
    img[lane : lane + max(h // 64, 1), dash] = (0.95, 0.9, 0.6)
    return img


def bg_forest(rng: np.random.Generator, h: int, w: int, horizon: float) -> np.ndarray:
    """Pale sky, dark wavy tree line, grassy dark-green ground."""
    img = _sky(rng, h, w) * 0.9 + 0.08
    line = horizon - 0.12 - 0.08 * smooth_noise(rng, 1, w, 10)[0]  # (w,)
    treeline = (_rows(h) >= line[None, :]) & (_rows(h) < horizon)
    img[treeline] = np.asarray(jitter(rng, (0.1, 0.3, 0.12), 0.04), np.float32)
    _band(img, horizon, 1.0, jitter(rng, (0.22, 0.45, 0.15), 0.05), _noise_tex(rng, h, w, 20, 0.5))
    return img


def bg_room(rng: np.random.Generator, h: int, w: int, horizon: float) -> np.ndarray:
    """Pastel wall with faint wallpaper stripes, baseboard, wooden plank floor."""
    wall = jitter(rng, [(0.9, 0.85, 0.7), (0.75, 0.85, 0.8), (0.85, 0.78, 0.85)][rng.integers(3)])
    img = np.empty((h, w, 3), np.float32)
    stripes = np.broadcast_to((1.0 + 0.04 * np.sin(_cols(w) * 90)).astype(np.float32), (h, w))
    _band(img, 0.0, horizon, wall, stripes)
    planks = 1.0 + 0.1 * np.sin(_rows(h) * 120) + 0.1 * (smooth_noise(rng, h, w, 12) - 0.5)
    _band(img, horizon, 1.0, jitter(rng, (0.6, 0.42, 0.25), 0.06), planks.astype(np.float32))
    _band(img, horizon - 0.02, horizon, (0.95, 0.95, 0.93))
    return img


def bg_concert_hall(rng: np.random.Generator, h: int, w: int, horizon: float) -> np.ndarray:
    """Dark red curtain folds, wooden stage, a bright spotlight."""
    img = np.empty((h, w, 3), np.float32)
    folds = np.broadcast_to((0.75 + 0.25 * np.sin(_cols(w) * 60) ** 2).astype(np.float32), (h, w))
    _band(img, 0.0, horizon, jitter(rng, (0.5, 0.08, 0.1), 0.05), folds)
    _band(img, horizon, 1.0, jitter(rng, (0.45, 0.28, 0.12), 0.05), _noise_tex(rng, h, w, 10, 0.3))
    cx = rng.uniform(0.3, 0.7)
    spot = np.exp(-(((_cols(w) - cx) / 0.25) ** 2 + ((_rows(h) - 0.6) / 0.35) ** 2))
    return np.clip(img * (0.45 + 0.9 * spot[..., None]), 0, 1)


def bg_kitchen(rng: np.random.Generator, h: int, w: int, horizon: float) -> np.ndarray:
    """Tiled wall with grout lines, counter band, checkerboard floor."""
    img = np.empty((h, w, 3), np.float32)
    tile = rng.uniform(10, 16)
    grout = ((_rows(h) * tile) % 1.0 < 0.08) | ((_cols(w) * tile) % 1.0 < 0.08)
    _band(
        img,
        0.0,
        horizon,
        jitter(rng, (0.92, 0.92, 0.85), 0.04),
        np.where(grout, 0.8, 1.0).astype(np.float32),
    )
    _band(img, horizon - 0.1, horizon, jitter(rng, (0.35, 0.3, 0.3), 0.05))
    checker = (((_rows(h) * 10).astype(int) + (_cols(w) * 8).astype(int)) % 2).astype(np.float32)
    _band(img, horizon, 1.0, jitter(rng, (0.8, 0.8, 0.8), 0.03), 0.45 + 0.55 * checker)
    return img


def bg_park(rng: np.random.Generator, h: int, w: int, horizon: float) -> np.ndarray:
    """Sky, distant round bushes, bright grass with a grey footpath."""
    img = _sky(rng, h, w)
    bumps = horizon - 0.06 * np.abs(np.sin(_cols(w)[0] * rng.uniform(12, 20)))
    bush = (_rows(h) >= bumps[None, :]) & (_rows(h) < horizon)
    img[bush] = np.asarray(jitter(rng, (0.2, 0.45, 0.2), 0.04), np.float32)
    _band(img, horizon, 1.0, jitter(rng, (0.4, 0.7, 0.3), 0.05), _noise_tex(rng, h, w, 18, 0.35))
    rows, cols = _rows(h), _cols(w)
    centre = rng.uniform(0.3, 0.7) + 0.3 * (rows - horizon)
    path = (rows > horizon) & (np.abs(cols - centre) < 0.03 + 0.2 * (rows - horizon))
    img[path] = np.asarray(jitter(rng, (0.65, 0.63, 0.6), 0.03), np.float32)
    return img


def bg_station(rng: np.random.Generator, h: int, w: int, horizon: float) -> np.ndarray:
    """Concrete wall with a sign band, platform with a yellow edge line, dark tracks."""
    img = np.empty((h, w, 3), np.float32)
    _band(img, 0.0, horizon, jitter(rng, (0.62, 0.62, 0.6), 0.05), _noise_tex(rng, h, w, 8, 0.2))
    _band(img, 0.15, 0.22, jitter(rng, (0.1, 0.2, 0.5), 0.05))
    _band(img, horizon, 1.0, jitter(rng, (0.5, 0.5, 0.5), 0.04), _noise_tex(rng, h, w, 14, 0.2))
    _band(img, horizon + 0.12, horizon + 0.14, (0.95, 0.85, 0.1))
    _band(img, horizon + 0.14, min(horizon + 0.3, 1.0), (0.22, 0.2, 0.2))
    for rail in (horizon + 0.18, horizon + 0.26):
        _band(img, rail, rail + 0.012, (0.6, 0.6, 0.62))
    return img


SCENES: tuple[Scene, ...] = (
    Scene(
        "beach",
        bg_beach,
        sounds.ambience_waves,
        {
            "person": 0.5,
            "baby": 0.15,
            "crowd": 0.2,
            "dog": 0.3,
            "bird": 0.45,
            "guitar": 0.15,
            "drum": 0.1,
            "mountain": 0.2,
            "table": 0.1,
        },
        "sky with clouds, blue sea band with wave stripes, textured sand",
        "surf waves",
        horizon=(0.45, 0.55),
    ),
    Scene(
        "street",
        bg_street,
        sounds.ambience_traffic,
        {
            "car": 0.7,
            "person": 0.5,
            "crowd": 0.3,
            "dog": 0.25,
            "lamp": 0.5,
            "window": 0.3,
            "tree": 0.3,
            "bird": 0.15,
            "train": 0.1,
            "guitar": 0.05,
        },
        "sky, building facades with window grids, sidewalk, asphalt road with lane dashes",
        "distant traffic rumble",
        horizon=(0.5, 0.6),
    ),
    Scene(
        "forest",
        bg_forest,
        sounds.ambience_wind,
        {"tree": 0.9, "bird": 0.55, "waterfall": 0.35, "dog": 0.2, "person": 0.2, "mountain": 0.3},
        "pale sky, dark wavy tree line, dark-green grassy ground",
        "wind in the leaves",
        horizon=(0.45, 0.55),
    ),
    Scene(
        "room",
        bg_room,
        sounds.ambience_room,
        {
            "person": 0.5,
            "baby": 0.35,
            "dog": 0.3,
            "guitar": 0.3,
            "piano": 0.25,
            "table": 0.6,
            "lamp": 0.5,
            "window": 0.5,
        },
        "pastel striped wallpaper, white baseboard, wooden plank floor",
        "quiet room tone + hum",
        horizon=(0.6, 0.7),
    ),
    Scene(
        "concert_hall",
        bg_concert_hall,
        sounds.ambience_hall,
        {"piano": 0.5, "guitar": 0.5, "drum": 0.5, "crowd": 0.6, "person": 0.5, "lamp": 0.2},
        "dark red curtain folds, wooden stage, spotlight",
        "reverberant hall air",
        horizon=(0.6, 0.7),
        reverb_rt60=1.8,
    ),
    Scene(
        "kitchen",
        bg_kitchen,
        sounds.ambience_kitchen,
        {"table": 0.7, "person": 0.5, "baby": 0.25, "window": 0.5, "lamp": 0.3, "dog": 0.2},
        "tiled wall with grout lines, dark counter band, checkerboard floor",
        "fridge hum and faint clinks",
        horizon=(0.62, 0.7),
    ),
    Scene(
        "park",
        bg_park,
        sounds.ambience_park,
        {
            "tree": 0.7,
            "person": 0.4,
            "dog": 0.45,
            "bird": 0.4,
            "baby": 0.2,
            "crowd": 0.2,
            "lamp": 0.3,
            "table": 0.15,
            "guitar": 0.1,
            "mountain": 0.15,
            "waterfall": 0.05,
        },
        "sky, distant round bushes, bright grass, grey footpath",
        "light wind, far traffic",
        horizon=(0.45, 0.55),
    ),
    Scene(
        "station",
        bg_station,
        sounds.ambience_station,
        {"train": 0.7, "person": 0.5, "crowd": 0.5, "lamp": 0.4, "window": 0.3, "car": 0.1},
        "concrete wall with blue sign band, platform with yellow edge line, tracks",
        "reverberant rumble",
        horizon=(0.55, 0.65),
        reverb_rt60=1.4,
    ),
)

SCENE_NAMES: tuple[str, ...] = tuple(s.name for s in SCENES)
_BY_NAME = {s.name: s for s in SCENES}


def get_scene(name: str) -> Scene:
    """The registered scene ``name``; raise KeyError listing the known names."""
    if name not in _BY_NAME:
        raise KeyError(f"unknown world scene {name!r}; known: {list(SCENE_NAMES)}")
    return _BY_NAME[name]


def _check_priors() -> None:
    """Every prior names a registered category and every category appears in some scene."""
    used = set()
    for scene in SCENES:
        unknown = set(scene.priors) - set(CATEGORY_NAMES)
        if unknown:
            raise ValueError(f"scene {scene.name} has priors for unknown categories {unknown}")
        used |= set(scene.priors)
    missing = set(CATEGORY_NAMES) - used
    if missing:
        raise ValueError(f"categories never placed by any scene: {sorted(missing)}")


_check_priors()
