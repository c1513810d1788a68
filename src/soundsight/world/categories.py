"""Object categories of the world: one registry entry per category (looks + sound).

Adding a category is one ``Category(...)`` entry in ``CATEGORIES``: a sprite renderer, an optional
sound generator, and placement priors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from soundsight.world import sounds
from soundsight.world.draw import Sprite, ellipse, jitter, polygon, rect, segment, texture

RenderFn = Callable[[np.random.Generator, int, int], tuple[np.ndarray, np.ndarray]]
SoundFn = Callable[[np.random.Generator, int, int], np.ndarray]


@dataclass(frozen=True)
class Category:
    """A world object category.

    ``render(rng, h, w)`` returns (rgb (h, w, 3) float32, mask (h, w) bool);
    ``sound(rng, n, rate)`` returns (n,) samples, or is None for silent categories.
    ``habitat`` is where it is placed: ground, sky, wall or horizon. ``height`` is the range of
    its height as a fraction of the scene canvas, ``aspect`` the width/height range, ``speed``
    the largest horizontal speed in canvas widths per second. ``band`` is the frequency band (Hz)
    where its sound has most energy (used by docs and tests).
    """

    name: str
    render: RenderFn
    sound: SoundFn | None
    habitat: str
    height: tuple[float, float]
    aspect: tuple[float, float]
    looks: str
    sounds_like: str
    speed: float = 0.0
    has_pose: bool = False
    band: tuple[float, float] | None = None

    @property
    def makes_sound(self) -> bool:
        """Whether the category has a characteristic sound."""
        return self.sound is not None


# ---------------------------------------------------------------------------- palettes
SKIN = [(0.95, 0.8, 0.65), (0.8, 0.6, 0.45), (0.55, 0.38, 0.25), (0.4, 0.27, 0.18)]
CLOTHES = [
    (0.8, 0.15, 0.15),
    (0.15, 0.3, 0.75),
    (0.15, 0.6, 0.25),
    (0.9, 0.75, 0.1),
    (0.5, 0.2, 0.6),
    (0.95, 0.95, 0.95),
    (0.2, 0.2, 0.2),
]
PASTEL = [(1.0, 0.75, 0.8), (0.7, 0.85, 1.0), (1.0, 0.95, 0.6), (0.8, 1.0, 0.8)]
FUR = [(0.55, 0.35, 0.15), (0.8, 0.65, 0.4), (0.15, 0.12, 0.1), (0.9, 0.88, 0.82)]
PAINT = [(0.85, 0.1, 0.1), (0.1, 0.25, 0.8), (0.95, 0.8, 0.1), (0.9, 0.9, 0.9), (0.1, 0.1, 0.1)]
BIRD = [(0.85, 0.15, 0.1), (0.15, 0.35, 0.85), (0.95, 0.8, 0.1), (0.1, 0.1, 0.1)]


def _pick(rng: np.random.Generator, palette: list[tuple[float, float, float]]):
    """Jittered random colour from a palette."""
    return jitter(rng, palette[int(rng.integers(len(palette)))], 0.06)


# ---------------------------------------------------------------------------- renderers
def render_person(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Standing figure: round head with hair, shirt torso, arms, trousers."""
    s = Sprite(h, w)
    c = s.aspect / 2
    skin, shirt, pants = _pick(rng, SKIN), _pick(rng, CLOTHES), _pick(rng, CLOTHES[4:])
    leg_w = 0.09 * min(s.aspect / 0.45, 1.3)
    for side in (-1, 1):
        s.paint(segment(s, (c + side * 0.05, 0.58), (c + side * 0.08, 0.97), leg_w), pants)
        hand = (c + side * rng.uniform(0.12, 0.2), rng.uniform(0.45, 0.6))
        s.paint(segment(s, (c + side * 0.1, 0.25), hand, 0.06), shirt)
        s.paint(ellipse(s, hand[0], hand[1], 0.03, 0.03), skin)
    s.paint(
        polygon(s, [(c - 0.11, 0.22), (c + 0.11, 0.22), (c + 0.1, 0.62), (c - 0.1, 0.62)]), shirt
    )
    s.paint(ellipse(s, c, 0.12, 0.075, 0.085), skin)
    hair = _pick(rng, FUR[:3])
    s.paint(ellipse(s, c, 0.08, 0.08, 0.05) & (s.v < 0.1), hair)
    return s.result()


def render_baby(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Sitting baby: big round head on a pastel round body, stubby arms."""
    s = Sprite(h, w)
    c = s.aspect / 2
    skin, suit = _pick(rng, SKIN), _pick(rng, PASTEL)
    s.paint(ellipse(s, c, 0.72, 0.34, 0.27), suit)
    for side in (-1, 1):
        s.paint(ellipse(s, c + side * 0.33, 0.62, 0.1, 0.07), suit)
        s.paint(ellipse(s, c + side * 0.43, 0.62, 0.05, 0.05), skin)
    s.paint(ellipse(s, c, 0.28, 0.26, 0.25), skin)
    s.paint(ellipse(s, c, 0.36, 0.06, 0.04), (0.75, 0.3, 0.35))  # open mouth
    for side in (-1, 1):
        s.paint(ellipse(s, c + side * 0.09, 0.24, 0.03, 0.03), (0.1, 0.1, 0.1))
    return s.result()


def render_crowd(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Group of 6-10 small overlapping figures (heads and shoulders) in two rows."""
    s = Sprite(h, w)
    k = int(rng.integers(6, 11))
    us = np.sort(rng.uniform(0.12, s.aspect - 0.12, size=k))
    rows = rng.integers(0, 2, size=k)
    for idx in np.argsort(rows):  # back row first
        u, top = us[idx], 0.1 + 0.25 * rows[idx]
        s.paint(ellipse(s, u, top + 0.45, 0.13, 0.4) & (s.v <= 1.0), _pick(rng, CLOTHES))
        s.paint(ellipse(s, u, top + 0.08, 0.08, 0.09), _pick(rng, SKIN))
    return s.result()


def render_dog(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Four-legged dog in profile: body, head with snout and ear, legs, tail."""
    s = Sprite(h, w)
    k = s.aspect / 1.45
    fur = _pick(rng, FUR)
    dark = tuple(0.6 * x for x in fur)
    for u in (0.35, 0.5, 0.95, 1.1):
        s.paint(segment(s, (u * k, 0.5), (u * k, 0.96), 0.09), fur)
    tail_end = (0.08 * k, rng.uniform(0.12, 0.45))
    s.paint(segment(s, (0.3 * k, 0.4), tail_end, 0.06), fur)
    s.paint(ellipse(s, 0.72 * k, 0.48, 0.45 * k, 0.2), fur, texture(rng, h, w, 4, 0.25))
    s.paint(ellipse(s, 1.17 * k, 0.3, 0.16, 0.16), fur)
    s.paint(ellipse(s, 1.33 * k, 0.36, 0.1, 0.07), fur)
    s.paint(ellipse(s, 1.42 * k, 0.33, 0.03, 0.03), (0.05, 0.05, 0.05))  # nose
    s.paint(ellipse(s, 1.08 * k, 0.3, 0.05, 0.12), dark)  # ear
    return s.result()


def render_car(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Side view of a car: body, cabin with windows, two black wheels, headlight."""
    s = Sprite(h, w)
    a = s.aspect
    paint = _pick(rng, PAINT)
    s.paint(rect(s, 0.04 * a, 0.4, 0.96 * a, 0.8) | ellipse(s, 0.06 * a, 0.6, 0.06 * a, 0.2), paint)
    cab = [(0.25 * a, 0.42), (0.33 * a, 0.08), (0.7 * a, 0.08), (0.8 * a, 0.42)]
    s.paint(polygon(s, cab), paint)
    glass = (0.6, 0.8, 0.95)
    s.paint(
        polygon(s, [(0.3 * a, 0.38), (0.36 * a, 0.14), (0.5 * a, 0.14), (0.5 * a, 0.38)]), glass
    )
    s.paint(
        polygon(s, [(0.53 * a, 0.38), (0.53 * a, 0.14), (0.68 * a, 0.14), (0.75 * a, 0.38)]), glass
    )
    s.paint(ellipse(s, 0.94 * a, 0.5, 0.03 * a, 0.05), (1.0, 0.95, 0.5))
    for u in (0.22 * a, 0.78 * a):
        s.paint(ellipse(s, u, 0.8, 0.18, 0.19), (0.05, 0.05, 0.05))
        s.paint(ellipse(s, u, 0.8, 0.07, 0.07), (0.7, 0.7, 0.7))
    return s.result()


def render_waterfall(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Falling water: streaked white-blue sheet between grey rocks, foam at the bottom."""
    s = Sprite(h, w)
    a = s.aspect
    rock = jitter(rng, (0.4, 0.38, 0.35), 0.05)
    rocks = ellipse(s, 0.12 * a, 0.72, 0.14 * a, 0.28) | ellipse(s, 0.88 * a, 0.68, 0.14 * a, 0.3)
    s.paint(rocks, rock, texture(rng, h, w, 6, 0.5))
    phase = rng.uniform(0, 6)
    streaks = 1.0 + 0.18 * np.sin(s.u * rng.uniform(60, 90) + phase) * np.sin(s.u * 17 + 1.3)
    water = polygon(s, [(0.3 * a, 0.0), (0.7 * a, 0.0), (0.82 * a, 0.9), (0.18 * a, 0.9)])
    s.paint(water, jitter(rng, (0.75, 0.88, 0.98), 0.04), streaks)
    foam = ellipse(s, 0.5 * a, 0.93, 0.45 * a, 0.09)
    s.paint(foam, (0.97, 0.98, 1.0), texture(rng, h, w, 8, 0.2))
    return s.result()


def render_bird(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Small bird: oval body, head, orange beak, wings up or down, tail."""
    s = Sprite(h, w)
    k = s.aspect / 1.4
    body = _pick(rng, BIRD)
    wing = tuple(0.65 * x for x in body)
    s.paint(polygon(s, [(0.05 * k, 0.45), (0.3 * k, 0.5), (0.3 * k, 0.65), (0.05 * k, 0.7)]), wing)
    s.paint(ellipse(s, 0.62 * k, 0.58, 0.36 * k, 0.2), body)
    s.paint(ellipse(s, 1.0 * k, 0.42, 0.15, 0.15), body)
    s.paint(polygon(s, [(1.12 * k, 0.38), (1.38 * k, 0.45), (1.12 * k, 0.5)]), (0.95, 0.6, 0.1))
    s.paint(ellipse(s, 1.03 * k, 0.39, 0.03, 0.03), (0.02, 0.02, 0.02))
    tip_v = 0.02 if rng.random() < 0.5 else 0.98  # wings up or down
    s.paint(polygon(s, [(0.45 * k, 0.55), (0.8 * k, 0.55), (0.5 * k, tip_v)]), wing)
    return s.result()


def render_guitar(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Acoustic guitar upright: figure-eight body, dark sound hole, long neck, headstock."""
    s = Sprite(h, w)
    c, a = s.aspect / 2, s.aspect
    wood = jitter(
        rng, [(0.85, 0.5, 0.2), (0.7, 0.25, 0.1), (0.95, 0.75, 0.45)][int(rng.integers(3))]
    )
    dark = (0.25, 0.12, 0.05)
    s.paint(rect(s, c - 0.035, 0.02, c + 0.035, 0.55), dark)
    s.paint(rect(s, c - 0.06, 0.0, c + 0.06, 0.1), (0.12, 0.07, 0.03))
    grain = texture(rng, h, w, 5, 0.15)
    s.paint(ellipse(s, c, 0.8, min(0.2, 0.48 * a), 0.19), wood, grain)
    s.paint(ellipse(s, c, 0.55, min(0.15, 0.36 * a), 0.14), wood, grain)
    s.paint(ellipse(s, c, 0.63, 0.055, 0.055), (0.05, 0.03, 0.02))
    s.paint(rect(s, c - 0.06, 0.86, c + 0.06, 0.89), dark)  # bridge
    return s.result()


def render_piano(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Upright piano: dark cabinet, white keyboard with black keys, legs."""
    s = Sprite(h, w)
    a = s.aspect
    wood = jitter(rng, [(0.05, 0.05, 0.07), (0.35, 0.17, 0.08)][int(rng.integers(2))], 0.03)
    s.paint(rect(s, 0.0, 0.0, a, 0.55) | rect(s, 0.0, 0.66, a, 0.78), wood)
    s.paint(rect(s, 0.02 * a, 0.78, 0.08 * a, 1.0) | rect(s, 0.92 * a, 0.78, 0.98 * a, 1.0), wood)
    keys = rect(s, 0.0, 0.55, a, 0.66)
    n_keys = rng.uniform(18, 26)
    frac = (s.u / a * n_keys) % 1.0
    s.paint(keys, (0.96, 0.96, 0.92))
    s.paint(keys & ((frac < 0.06) | (frac > 0.94)), (0.55, 0.55, 0.55))  # key gaps
    octave_pos = (s.u / a * n_keys / 7.0) % 1.0 * 7.0
    black = (
        keys & (s.v < 0.615) & ((octave_pos % 1.0) > 0.7) & ~np.isin(octave_pos.astype(int), [2, 6])
    )
    s.paint(black, (0.02, 0.02, 0.02))
    return s.result()


def render_drum(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Snare/tom drum: coloured shell, light drum head ellipse, zig-zag tension cords."""
    s = Sprite(h, w)
    a, c = s.aspect, s.aspect / 2
    shell = _pick(rng, PAINT[:3] + [(0.75, 0.75, 0.8)])
    s.paint(
        rect(s, 0.06 * a, 0.3, 0.94 * a, 0.85) | ellipse(s, c, 0.85, 0.44 * a, 0.1),
        shell,
        texture(rng, h, w, 3, 0.15),
    )
    zig = np.abs(((s.u / a * 8) % 2.0) - 1.0)  # triangle wave 0..1
    cord = np.abs(s.v - (0.35 + 0.45 * zig)) < 0.025
    s.paint(cord & rect(s, 0.06 * a, 0.3, 0.94 * a, 0.85), (0.95, 0.95, 0.9))
    s.paint(ellipse(s, c, 0.3, 0.45 * a, 0.11), (0.7, 0.7, 0.7))
    s.paint(ellipse(s, c, 0.3, 0.41 * a, 0.085), (0.95, 0.92, 0.82))
    return s.result()


def render_train(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Long train car: body with a row of windows, a stripe, small wheels, sloped nose."""
    s = Sprite(h, w)
    a = s.aspect
    body = _pick(rng, [(0.85, 0.1, 0.1), (0.1, 0.3, 0.7), (0.85, 0.85, 0.85), (0.2, 0.5, 0.25)])
    s.paint(polygon(s, [(0.0, 0.12), (a - 0.25, 0.12), (a, 0.5), (a, 0.85), (0.0, 0.85)]), body)
    period = rng.uniform(0.3, 0.4)
    windows = rect(s, 0.05, 0.25, a - 0.35, 0.48) & ((s.u % period) < 0.6 * period)
    s.paint(windows, (0.15, 0.2, 0.35))
    s.paint(
        polygon(s, [(a - 0.28, 0.2), (a - 0.1, 0.2), (a - 0.02, 0.45), (a - 0.28, 0.45)]),
        (0.15, 0.2, 0.35),
    )
    stripe = jitter(rng, (0.95, 0.8, 0.1), 0.05)
    s.paint(rect(s, 0.0, 0.6, a, 0.67) & (s.mask), stripe)
    wheels = (s.v > 0.85) & (((s.u % 0.45) - 0.22) ** 2 + (s.v - 0.9) ** 2 < 0.07**2)
    s.paint(wheels, (0.1, 0.1, 0.1))
    return s.result()


def render_tree(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Tree: brown trunk and a leafy canopy of blobs, or a conifer of stacked triangles."""
    s = Sprite(h, w)
    c, a = s.aspect / 2, s.aspect
    s.paint(
        rect(s, c - 0.05, 0.45, c + 0.05, 1.0),
        jitter(rng, (0.4, 0.25, 0.12), 0.05),
        texture(rng, h, w, 3, 0.3),
    )
    green = jitter(rng, (0.15, 0.5, 0.15), 0.08)
    leaves = texture(rng, h, w, 7, 0.6)
    if rng.random() < 0.65:
        for _ in range(int(rng.integers(3, 6))):
            cu = c + rng.uniform(-0.15, 0.15) * a
            s.paint(
                ellipse(
                    s,
                    cu,
                    rng.uniform(0.2, 0.45),
                    rng.uniform(0.15, 0.25) * a / 0.75 * 0.9,
                    rng.uniform(0.14, 0.22),
                ),
                green,
                leaves,
            )
    else:
        for top, base in ((0.0, 0.35), (0.15, 0.55), (0.3, 0.78)):
            half = 0.48 * a * (base + 0.2)
            s.paint(
                polygon(s, [(c, top), (c + half, base), (c - half, base)]),
                (green[0] * 0.7, green[1] * 0.8, green[2] * 0.7),
                leaves,
            )
    return s.result()


def render_lamp(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Lamp: thin pole, round base, trapezoid shade with a warm glowing bulb."""
    s = Sprite(h, w)
    c, a = s.aspect / 2, s.aspect
    metal = jitter(rng, (0.25, 0.25, 0.28), 0.05)
    s.paint(rect(s, c - 0.02, 0.2, c + 0.02, 0.97), metal)
    s.paint(ellipse(s, c, 0.97, 0.35 * a, 0.03), metal)
    s.paint(ellipse(s, c, 0.24, 0.2 * a, 0.06), (1.0, 0.95, 0.55))  # glow
    shade = jitter(
        rng, [(0.95, 0.9, 0.75), (0.15, 0.15, 0.15), (0.7, 0.2, 0.15)][int(rng.integers(3))]
    )
    s.paint(
        polygon(
            s,
            [(c - 0.2 * a, 0.02), (c + 0.2 * a, 0.02), (c + 0.46 * a, 0.22), (c - 0.46 * a, 0.22)],
        ),
        shade,
    )
    return s.result()


def render_window(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Window: frame with four sky-blue panes (diagonal reflection) and a sill."""
    s = Sprite(h, w)
    a = s.aspect
    frame = jitter(rng, [(0.95, 0.95, 0.95), (0.45, 0.28, 0.15)][int(rng.integers(2))], 0.03)
    s.paint(rect(s, 0.05 * a, 0.0, 0.95 * a, 0.9), frame)
    s.paint(rect(s, 0.0, 0.9, a, 1.0), frame)
    glass = rect(s, 0.12 * a, 0.06, 0.88 * a, 0.84)
    mullion = (np.abs(s.u - 0.5 * a) < 0.035) | (np.abs(s.v - 0.45) < 0.035)
    sky = jitter(rng, (0.55, 0.75, 0.95), 0.05)
    refl = 1.0 + 0.25 * (np.abs((s.u - s.v) % 0.6 - 0.3) < 0.05)
    s.paint(glass & ~mullion, sky, refl.astype(np.float32))
    return s.result()


def render_table(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Table: wooden top with grain, apron, and two visible legs."""
    s = Sprite(h, w)
    a = s.aspect
    wood = jitter(rng, [(0.6, 0.4, 0.2), (0.4, 0.25, 0.12), (0.85, 0.7, 0.5)][int(rng.integers(3))])
    grain = (1.0 + 0.12 * np.sin(s.v * 90 + 3 * np.sin(s.u * 7))).astype(np.float32)
    s.paint(rect(s, 0.0, 0.0, a, 0.16), wood, grain)
    dark = tuple(0.75 * x for x in wood)
    s.paint(rect(s, 0.05 * a, 0.16, 0.95 * a, 0.28), dark)
    s.paint(
        rect(s, 0.06 * a, 0.16, 0.06 * a + 0.1, 1.0) | rect(s, 0.94 * a - 0.1, 0.16, 0.94 * a, 1.0),
        dark,
    )
    return s.result()


def render_mountain(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Mountain: large grey-blue triangle with a textured snow cap."""
    s = Sprite(h, w)
    a = s.aspect
    peak = rng.uniform(0.35, 0.65) * a
    body = polygon(s, [(0.0, 1.0), (peak, 0.0), (a, 1.0)])
    s.paint(body, jitter(rng, (0.42, 0.45, 0.55), 0.05), texture(rng, h, w, 6, 0.35))
    cap_line = rng.uniform(0.25, 0.38) + 0.04 * np.sin(s.u * 25)
    s.paint(body & (s.v < cap_line), (0.96, 0.97, 1.0), texture(rng, h, w, 8, 0.1))
    return s.result()


# ---------------------------------------------------------------------------- registry
CATEGORIES: tuple[Category, ...] = (
    Category(
        "person",
        render_person,
        sounds.sound_person,
        "ground",
        (0.32, 0.5),
        (0.4, 0.5),
        "standing figure: round head with hair, coloured shirt, arms, dark trousers",
        "speech-like babble: harmonic voice (f0 95-230 Hz), ~4 Hz syllables, vowel formants",
        speed=0.02,
        band=(100.0, 3000.0),
    ),
    Category(
        "baby",
        render_baby,
        sounds.sound_baby,
        "ground",
        (0.16, 0.24),
        (0.9, 1.1),
        "sitting baby: big round head (eyes, open mouth) on a pastel round body",
        "cry: f0 400-520 Hz with 5-7 Hz vibrato, 0.7-1.6 s bursts",
        band=(400.0, 3500.0),
    ),
    Category(
        "crowd",
        render_crowd,
        sounds.sound_crowd,
        "ground",
        (0.22, 0.34),
        (1.6, 2.4),
        "6-10 small overlapping head-and-shoulder figures in two rows",
        "6-9 overlapping babble voices",
        band=(100.0, 3000.0),
    ),
    Category(
        "dog",
        render_dog,
        sounds.sound_dog,
        "ground",
        (0.14, 0.22),
        (1.3, 1.6),
        "four-legged profile: furry oval body, head with snout, ear, tail",
        "barks: 80-200 ms noisy harmonic bursts with falling pitch, groups of 1-4",
        speed=0.04,
        has_pose=True,
        band=(400.0, 3500.0),
    ),
    Category(
        "car",
        render_car,
        sounds.sound_car,
        "ground",
        (0.18, 0.26),
        (1.9, 2.4),
        "side view: coloured body, cabin with blue windows, two black wheels",
        "engine hum: harmonics of 30-60 Hz with rpm wobble plus low rumble",
        speed=0.1,
        has_pose=True,
        band=(20.0, 400.0),
    ),
    Category(
        "waterfall",
        render_waterfall,
        sounds.sound_waterfall,
        "horizon",
        (0.4, 0.6),
        (0.5, 0.7),
        "streaked white-blue water sheet between grey rocks, white foam",
        "steady broadband noise (white + pink, high-passed at 150 Hz)",
        band=(150.0, 11000.0),
    ),
    Category(
        "bird",
        render_bird,
        sounds.sound_bird,
        "sky",
        (0.07, 0.12),
        (1.3, 1.5),
        "small bird: oval body, head, orange beak, wings up or down",
        "songs of 3-8 FM chirps sweeping within 2-6 kHz",
        speed=0.08,
        has_pose=True,
        band=(2000.0, 6000.0),
    ),
    Category(
        "guitar",
        render_guitar,
        sounds.sound_guitar,
        "ground",
        (0.24, 0.34),
        (0.38, 0.45),
        "upright guitar: wooden figure-eight body, sound hole, long dark neck",
        "plucked strings (Karplus-Strong), pentatonic, 2-4 notes/s",
        band=(80.0, 2000.0),
    ),
    Category(
        "piano",
        render_piano,
        sounds.sound_piano,
        "ground",
        (0.26, 0.36),
        (1.4, 1.8),
        "upright piano: black or brown cabinet, white keyboard with black keys",
        "struck inharmonic decaying tones, notes and triads",
        band=(130.0, 4000.0),
    ),
    Category(
        "drum",
        render_drum,
        sounds.sound_drum,
        "ground",
        (0.16, 0.24),
        (0.9, 1.2),
        "drum: coloured shell, light head ellipse, white zig-zag cords",
        "kick thump, snare noise and hats at 90-140 bpm",
        band=(30.0, 10000.0),
    ),
    Category(
        "train",
        render_train,
        sounds.sound_train,
        "ground",
        (0.24, 0.32),
        (2.8, 3.6),
        "long carriage: row of dark windows, yellow stripe, sloped nose, small wheels",
        "rhythmic click pairs of wheels on rail joints over a low rumble",
        speed=0.12,
        has_pose=True,
        band=(30.0, 4000.0),
    ),
    Category(
        "tree",
        render_tree,
        None,
        "ground",
        (0.4, 0.65),
        (0.6, 0.9),
        "brown trunk with a textured green blob canopy, or a conifer",
        "silent",
    ),
    Category(
        "lamp",
        render_lamp,
        None,
        "ground",
        (0.3, 0.48),
        (0.28, 0.38),
        "thin pole on a round base, trapezoid shade over a warm glow",
        "silent",
    ),
    Category(
        "window",
        render_window,
        None,
        "wall",
        (0.24, 0.36),
        (0.8, 1.2),
        "frame with four sky-blue panes, diagonal reflection, sill",
        "silent",
    ),
    Category(
        "table",
        render_table,
        None,
        "ground",
        (0.16, 0.24),
        (1.5, 2.0),
        "wooden top with grain, darker apron and two legs",
        "silent",
    ),
    Category(
        "mountain",
        render_mountain,
        None,
        "horizon",
        (0.35, 0.55),
        (1.5, 2.2),
        "large grey-blue triangle with a textured snow cap",
        "silent",
    ),
)

CATEGORY_NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)
SOUND_CATEGORIES: tuple[str, ...] = tuple(c.name for c in CATEGORIES if c.makes_sound)
# musical instruments: the units AudioSet's music categories grow (Owens et al. Fig. 13)
INSTRUMENT_CATEGORIES: tuple[str, ...] = ("guitar", "piano", "drum")
MUSIC_LABEL = "music"
LABEL_VOCAB: tuple[str, ...] = (*SOUND_CATEGORIES, MUSIC_LABEL)
_BY_NAME = {c.name: c for c in CATEGORIES}


def get_category(name: str) -> Category:
    """The registered category ``name``; raise KeyError listing the known names."""
    if name not in _BY_NAME:
        raise KeyError(f"unknown world category {name!r}; known: {list(CATEGORY_NAMES)}")
    return _BY_NAME[name]
