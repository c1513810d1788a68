"""Composition: sample a scene layout (spec), render frames + ground truth, mix the audio.

A spec is a small frozen dataclass holding every random choice (as numbers and per-item seeds),
so rendering is a pure function of the spec, and tests can edit a spec (``dataclasses.replace``)
to switch a single source on or off without changing anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

from soundsight.world import sounds
from soundsight.world.categories import LABEL_VOCAB, MUSIC_LABEL, get_category
from soundsight.world.draw import hue_rotation_matrix
from soundsight.world.scenes import Scene, get_scene

CANVAS_SCALE = 1.4  # the scene canvas is this much larger than the camera's output
HABITAT_ORDER = {"horizon": 0, "sky": 1, "wall": 2, "ground": 3}


def make_rng(*keys: int) -> np.random.Generator:
    """Independent generator for a tuple of integer keys (seed, stream, index, ...)."""
    return np.random.default_rng(np.random.SeedSequence([int(k) for k in keys]))


def _new_seed(rng: np.random.Generator) -> int:
    """A fresh 62-bit seed drawn from rng."""
    return int(rng.integers(0, 2**62))


# ---------------------------------------------------------------------------- specs
@dataclass(frozen=True)
class ObjectSpec:
    """One placed object. Positions are fractions of the scene canvas; speeds per second."""

    category: str
    cx: float  # horizontal centre at t = 0
    bottom: float  # bottom edge at t = 0
    height: float
    aspect: float
    flip: bool  # mirrored: faces left
    vx: float  # canvas widths per second
    bob: float  # vertical oscillation amplitude (fraction of canvas height)
    audible: bool  # sound-making and sounding in this video
    gain_db: float
    seed: int


@dataclass(frozen=True)
class SourceSpec:
    """An off-screen audible source (heard, not visible)."""

    category: str
    gain_db: float
    seed: int


@dataclass(frozen=True)
class LookSpec:
    """Visual nuisances that do not change the sound."""

    gain0: float  # global brightness at the start
    gain1: float  # ... and at the end (slow lighting drift)
    contrast: float
    hue: float  # radians
    saturation: float
    cast: tuple[float, float, float]
    blur: float  # Gaussian sigma in output pixels
    noise: float  # pixel noise std (0..1 scale)
    seed: int
    background_hue: float = 0.0  # radians, rotates the background's hue only (0 = off)


@dataclass(frozen=True)
class NuisanceRanges:
    """Ranges the visual nuisances of a clip or image are drawn from (WorldConfig's ``look_*``,
    ``background_hue`` and ``*camera_zoom`` fields; the defaults are the world's since v1)."""

    gain: tuple[float, float] = (0.65, 1.25)  # global brightness at the start
    contrast: tuple[float, float] = (0.8, 1.15)
    hue: float = 0.35  # hue rotation drawn in [-hue, hue] radians
    saturation: tuple[float, float] = (0.7, 1.2)
    noise: float = 0.03  # pixel noise std drawn in [0, noise]
    zoom: tuple[float, float] = (0.72, 1.0)  # camera crop, fraction of the canvas
    background_hue: float = 0.0  # background-only hue rotation in [-b, b] radians; 0 = off


DEFAULT_NUISANCES = NuisanceRanges()


@dataclass(frozen=True)
class VisualSpec:
    """Everything needed to render the frames of an image or a video."""

    scene: str
    width: int
    height: int
    n_frames: int
    fps: float
    horizon: float
    objects: tuple[ObjectSpec, ...]  # in drawing order (back to front); instance id = index + 1
    camera: tuple[float, float, float, float, float, float]  # cx0, cy0, zoom0, cx1, cy1, zoom1
    look: LookSpec
    background_seed: int


@dataclass(frozen=True)
class AudioSpec:
    """Everything needed to mix the soundtrack of a video."""

    n_samples: int
    rate: int
    offscreen: tuple[SourceSpec, ...]
    music: bool
    silent_interval: tuple[float, float] | None  # seconds with only quiet ambience
    target_rms: float
    ambience_ratio: float  # ambience RMS relative to target_rms
    music_ratio: float
    quiet_rms: float  # very quiet ambience: silent videos and silent intervals
    ambient_rms: float  # ambience level of a video in which no source sounds
    silent: bool  # the whole video has only very quiet ambience
    ambience_seed: int
    music_seed: int
    reverb_seed: int


@dataclass(frozen=True)
class VideoSpec:
    """A whole video: identity, visuals, audio."""

    video_id: str
    index: int
    visual: VisualSpec
    audio: AudioSpec


@dataclass
class FrameTruth:
    """Per-frame visual ground truth of a rendered clip (N instances, T frames)."""

    instance_map: np.ndarray  # (T, H, W) uint8, 0 = background, k = objects[k - 1]
    boxes: np.ndarray  # (T, N, 4) int16 x0, y0, x1, y1 (0-based, exclusive end); -1 if absent
    visible_fraction: np.ndarray  # (T, N) float32 visible / in-frame pixels (1 = not occluded)
    truncated: np.ndarray  # (T, N) bool, object extends beyond the frame
    frame_area: np.ndarray  # (T, N) float32 pixels the object would cover in frame, unoccluded


@dataclass
class AudioTruth:
    """The mixed soundtrack and which sources sound in each frame."""

    audio: np.ndarray  # (n,) float32
    source_category: list[str]  # (S,)
    source_instance: list[int]  # (S,) instance id, -1 = off-screen
    source_active: np.ndarray  # (T, S) bool
    music_active: np.ndarray  # (T,) bool
    rms: float


# ---------------------------------------------------------------------------- sampling
def sample_objects(
    rng: np.random.Generator,
    scene: Scene,
    horizon: float,
    n_objects: int,
    p_silent: float,
    forced: str | None = None,
) -> tuple[ObjectSpec, ...]:
    """Draw ``n_objects`` from the scene priors (plus ``forced`` in front), in drawing order."""
    names = sorted(scene.priors)
    weights = np.array([scene.priors[n] for n in names])
    chosen: list[str] = []
    for _ in range(n_objects):
        w = weights * np.array([chosen.count(n) < 2 for n in names])
        chosen.append(names[int(rng.choice(len(names), p=w / w.sum()))])
    objects = [_place(rng, c, horizon, p_silent, prominent=False) for c in chosen]
    objects.sort(key=lambda o: (HABITAT_ORDER[get_category(o.category).habitat], o.bottom))
    if forced is not None:
        objects.append(_place(rng, forced, horizon, p_silent, prominent=True))
    return tuple(objects)


def _place(
    rng: np.random.Generator, name: str, horizon: float, p_silent: float, prominent: bool
) -> ObjectSpec:
    """Place one object of category ``name`` according to its habitat."""
    cat = get_category(name)
    height = rng.uniform(*cat.height)
    if cat.habitat == "ground":
        lo = horizon + (0.6 if prominent else 0.12) * (1 - horizon)
        bottom = rng.uniform(lo, 0.99)
        height *= 0.6 + 0.5 * (bottom - horizon) / (1 - horizon)
    elif cat.habitat == "horizon":
        bottom = horizon + rng.uniform(0.0, 0.06)
        height = min(height, bottom - 0.02)
    elif cat.habitat == "sky":
        bottom = rng.uniform(0.08, max(horizon - 0.12, 0.12)) + height / 2
    else:  # wall
        bottom = min(rng.uniform(0.15, max(horizon - 0.2, 0.16)) + height / 2, horizon - 0.02)
    if prominent:  # large enough not to be "difficult" at any image size
        height = max(height * 1.15, 0.16)
    cx = rng.uniform(0.35, 0.65) if prominent else rng.uniform(0.12, 0.88)
    flip = bool(rng.random() < 0.5)
    speed = cat.speed * rng.uniform(0.3, 1.0)
    direction = (-1.0 if flip else 1.0) if cat.has_pose else float(rng.choice([-1.0, 1.0]))
    bob = rng.uniform(0.01, 0.03) if cat.habitat == "sky" else 0.0
    audible = cat.makes_sound and bool(rng.random() >= p_silent)
    return ObjectSpec(
        category=name,
        cx=float(cx),
        bottom=float(bottom),
        height=float(height),
        aspect=float(rng.uniform(*cat.aspect)),
        flip=flip,
        vx=float(direction * speed),
        bob=float(bob),
        audible=audible,
        gain_db=float(rng.uniform(-6.0, 0.0)),
        seed=_new_seed(rng),
    )


def sample_look(rng: np.random.Generator, ranges: NuisanceRanges = DEFAULT_NUISANCES) -> LookSpec:
    """Draw global lighting, colour, blur and noise nuisances (and, when its range is not 0, the
    background's own hue rotation, drawn last so that the default draws are unchanged)."""
    gain0 = rng.uniform(*ranges.gain)
    look = LookSpec(
        gain0=float(gain0),
        gain1=float(gain0 * rng.uniform(0.9, 1.1)),
        contrast=float(rng.uniform(*ranges.contrast)),
        hue=float(rng.uniform(-ranges.hue, ranges.hue)),
        saturation=float(rng.uniform(*ranges.saturation)),
        cast=tuple(float(x) for x in rng.uniform(0.93, 1.07, size=3)),
        blur=float(0.0 if rng.random() < 0.5 else rng.uniform(0.3, 1.2)),
        noise=float(rng.uniform(0.0, ranges.noise)),
        seed=_new_seed(rng),
    )
    if ranges.background_hue > 0:
        bg = float(rng.uniform(-ranges.background_hue, ranges.background_hue))
        look = replace(look, background_hue=bg)
    return look


def sample_camera(
    rng: np.random.Generator, moving: bool, zoom: tuple[float, float] = DEFAULT_NUISANCES.zoom
) -> tuple[float, ...]:
    """Camera crop (centre x, centre y, zoom as a fraction of the canvas) at start and end."""
    z0 = rng.uniform(*zoom)
    z1 = float(np.clip(z0 + rng.uniform(-0.1, 0.1), zoom[0] - 0.02, zoom[1])) if moving else z0
    cx0, cy0 = rng.uniform(z0 / 2, 1 - z0 / 2), rng.uniform(z0 / 2, 1 - z0 / 2)
    if moving:
        cx1 = float(np.clip(cx0 + rng.uniform(-0.08, 0.08), z1 / 2, 1 - z1 / 2))
        cy1 = float(np.clip(cy0 + rng.uniform(-0.04, 0.04), z1 / 2, 1 - z1 / 2))
    else:
        cx1, cy1 = cx0, cy0
    return (float(cx0), float(cy0), float(z0), float(cx1), float(cy1), float(z1))


def sample_visual(
    rng: np.random.Generator,
    scene_name: str,
    width: int,
    height: int,
    n_frames: int,
    fps: float,
    max_objects: int,
    p_silent: float,
    forced: str | None = None,
    nuisances: NuisanceRanges = DEFAULT_NUISANCES,
) -> VisualSpec:
    """Draw the visual part of a clip (or of a still image with n_frames = 1)."""
    scene = get_scene(scene_name)
    horizon = float(rng.uniform(*scene.horizon))
    n_objects = 1 + int(rng.binomial(max_objects - 1, 0.45))
    if forced is not None:
        n_objects -= 1
    objects = sample_objects(rng, scene, horizon, n_objects, p_silent, forced)
    camera = sample_camera(rng, moving=n_frames > 1, zoom=nuisances.zoom)
    if forced is not None:
        camera = _frame_object(camera, objects[-1], height / width)
    return VisualSpec(
        scene=scene_name,
        width=width,
        height=height,
        n_frames=n_frames,
        fps=float(fps),
        horizon=horizon,
        objects=objects,
        camera=camera,
        look=sample_look(rng, nuisances),
        background_seed=_new_seed(rng),
    )


def _frame_object(camera: tuple[float, ...], obj: ObjectSpec, h_over_w: float) -> tuple[float, ...]:
    """Shift a still camera's crop so that it contains the object (or centres on it)."""
    cx, cy, z = camera[:3]
    half_w = obj.height * obj.aspect * h_over_w / 2
    x_lo, x_hi = obj.cx - half_w, obj.cx + half_w
    y_lo, y_hi = obj.bottom - obj.height, obj.bottom
    cx = _contain(cx, z, x_lo, x_hi)
    cy = _contain(cy, z, y_lo, y_hi)
    return (cx, cy, z, cx, cy, z)


def _contain(c: float, z: float, lo: float, hi: float) -> float:
    """Crop centre (crop width z, inside [0, 1]) moved the least to contain [lo, hi]."""
    c = (lo + hi) / 2 if hi - lo >= z else min(max(c, hi - z / 2), lo + z / 2)
    return float(np.clip(c, z / 2, 1 - z / 2))


# ---------------------------------------------------------------------------- frames
def render_frames(spec: VisualSpec) -> tuple[np.ndarray, FrameTruth]:
    """Render (T, H, W, 3) uint8 frames and their per-frame ground truth."""
    scene = get_scene(spec.scene)
    H, W, T = spec.height, spec.width, spec.n_frames
    Hc, Wc = int(round(H * CANVAS_SCALE)), int(round(W * CANVAS_SCALE))
    background = scene.background(make_rng(spec.background_seed), Hc, Wc, spec.horizon)
    if spec.look.background_hue:  # (Hc, Wc, 3) @ (3, 3): y = M x per pixel
        rotation = hue_rotation_matrix(spec.look.background_hue, 1.0)
        background = np.clip(background @ rotation.T, 0.0, 1.0).astype(np.float32)
    sprites = [_sprite(o, Hc) for o in spec.objects]
    frames = np.empty((T, H, W, 3), np.float32)  # (T, H, W, 3) in [0, 1]
    inst = np.empty((T, H, W), np.uint8)
    n = len(spec.objects)
    frame_area = np.zeros((T, n), np.float32)
    truncated = np.zeros((T, n), bool)
    for t in range(T):
        time = t / spec.fps
        canvas, ids, placed = _compose_canvas(background, sprites, spec.objects, time)
        crop = _crop_box(spec.camera, t, T, Hc, Wc)  # (y0, x0, ch, cw) in canvas pixels
        ys, xs = _sample_grid(crop, H, W, Hc, Wc)
        frames[t], inst[t] = _resample(canvas, ids, ys, xs)
        for k, (y0, x0, mask) in enumerate(placed):
            frame_area[t, k] = _coverage(mask, y0, x0, ys, xs)
            truncated[t, k] = _is_truncated(y0, x0, mask.shape, crop)
    boxes, visible = _boxes_from_map(inst, n)
    frac = np.where(frame_area > 0, visible / np.maximum(frame_area, 1.0), 0.0)
    truth = FrameTruth(inst, boxes, np.minimum(frac, 1.0).astype(np.float32), truncated, frame_area)
    return apply_look(frames, spec.look), truth


def _sprite(obj: ObjectSpec, canvas_h: int) -> tuple[np.ndarray, np.ndarray]:
    """Render the sprite of one object at its canvas size, mirrored if flipped."""
    h = max(int(round(obj.height * canvas_h)), 4)
    w = max(int(round(h * obj.aspect)), 4)
    rgb, mask = get_category(obj.category).render(make_rng(obj.seed, 0), h, w)
    if obj.flip:
        rgb, mask = rgb[:, ::-1], mask[:, ::-1]
    return rgb, mask


def _compose_canvas(
    background: np.ndarray,
    sprites: list[tuple[np.ndarray, np.ndarray]],
    objects: tuple[ObjectSpec, ...],
    time: float,
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, np.ndarray]]]:
    """Paste sprites (back to front) at their positions at ``time``; returns canvas and ids."""
    Hc, Wc = background.shape[:2]
    canvas = background.copy()  # (Hc, Wc, 3)
    ids = np.zeros((Hc, Wc), np.uint8)
    placed = []
    for k, ((rgb, mask), obj) in enumerate(zip(sprites, objects, strict=True)):
        h, w = mask.shape
        bottom = obj.bottom + obj.bob * np.sin(2 * np.pi * 0.7 * time + obj.seed % 7)
        y0 = int(round(bottom * Hc)) - h
        x0 = int(round((obj.cx + obj.vx * time) * Wc - w / 2))
        placed.append((y0, x0, mask))
        ys, xs = slice(max(y0, 0), min(y0 + h, Hc)), slice(max(x0, 0), min(x0 + w, Wc))
        if ys.start >= ys.stop or xs.start >= xs.stop:
            continue
        sy = slice(ys.start - y0, ys.stop - y0)
        sx = slice(xs.start - x0, xs.stop - x0)
        m = mask[sy, sx]
        canvas[ys, xs][m] = rgb[sy, sx][m]
        ids[ys, xs][m] = k + 1
    return canvas, ids, placed


def _crop_box(camera: tuple[float, ...], t: int, T: int, Hc: int, Wc: int) -> tuple[float, ...]:
    """Camera crop (y0, x0, ch, cw) in canvas pixels at frame t (linear pan/zoom)."""
    a = t / (T - 1) if T > 1 else 0.0
    cx0, cy0, z0, cx1, cy1, z1 = camera
    cx, cy, z = (1 - a) * cx0 + a * cx1, (1 - a) * cy0 + a * cy1, (1 - a) * z0 + a * z1
    ch, cw = z * Hc, z * Wc
    return cy * Hc - ch / 2, cx * Wc - cw / 2, ch, cw


def _sample_grid(
    crop: tuple[float, ...], H: int, W: int, Hc: int, Wc: int
) -> tuple[np.ndarray, np.ndarray]:
    """Canvas coordinates (H,) and (W,) of the output pixel centres for a camera crop."""
    y0, x0, ch, cw = crop
    ys = np.clip(y0 + (np.arange(H) + 0.5) * ch / H - 0.5, 0, Hc - 1)
    xs = np.clip(x0 + (np.arange(W) + 0.5) * cw / W - 0.5, 0, Wc - 1)
    return ys, xs


def _resample(
    canvas: np.ndarray, ids: np.ndarray, ys: np.ndarray, xs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Bilinear resampling of the canvas (nearest for the instance ids) at rows ys, cols xs."""
    Hc, Wc = ids.shape
    flat = canvas.reshape(-1, 3)  # (Hc * Wc, 3)
    iy, ix = np.minimum(ys.astype(int), Hc - 2), np.minimum(xs.astype(int), Wc - 2)
    wy = (ys - iy).astype(np.float32)[:, None, None]
    wx = (xs - ix).astype(np.float32)[None, :, None]
    base = iy[:, None] * Wc + ix[None, :]  # (H, W) flat index of the top-left neighbour
    top = flat[base] * (1 - wx) + flat[base + 1] * wx
    bot = flat[base + Wc] * (1 - wx) + flat[base + Wc + 1] * wx
    rgb = top * (1 - wy) + bot * wy  # (H, W, 3)
    nearest = ids[np.round(ys).astype(int)][:, np.round(xs).astype(int)]  # (H, W)
    return rgb, nearest


def _coverage(mask: np.ndarray, y0: int, x0: int, ys: np.ndarray, xs: np.ndarray) -> float:
    """Output pixels an unoccluded sprite (mask at canvas offset y0, x0) would cover."""
    ry, rx = np.round(ys).astype(int) - y0, np.round(xs).astype(int) - x0
    ry = ry[(ry >= 0) & (ry < mask.shape[0])]
    rx = rx[(rx >= 0) & (rx < mask.shape[1])]
    return float(mask[ry][:, rx].sum())


def _is_truncated(y0: int, x0: int, shape: tuple[int, int], crop: tuple[float, ...]) -> bool:
    """Whether the object's mask extends beyond the camera crop."""
    cy0, cx0, ch, cw = crop
    h, w = shape
    return bool(y0 < cy0 or x0 < cx0 or y0 + h > cy0 + ch or x0 + w > cx0 + cw)


def _boxes_from_map(inst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (T, n, 4) x0, y0, x1, y1 (exclusive end, -1 if absent) and pixel counts (T, n)."""
    T, H, W = inst.shape
    boxes = np.full((T, n, 4), -1, np.int16)
    counts = np.zeros((T, n), np.float32)
    for k in range(n):
        m = inst == k + 1  # (T, H, W)
        rows, cols = m.any(axis=2), m.any(axis=1)  # (T, H), (T, W)
        present = rows.any(axis=1)
        counts[:, k] = m.sum(axis=(1, 2))
        y0 = rows.argmax(axis=1)
        y1 = H - rows[:, ::-1].argmax(axis=1)
        x0 = cols.argmax(axis=1)
        x1 = W - cols[:, ::-1].argmax(axis=1)
        box = np.stack([x0, y0, x1, y1], axis=1).astype(np.int16)  # (T, 4)
        boxes[present, k] = box[present]
    return boxes, counts


def apply_look(frames: np.ndarray, look: LookSpec) -> np.ndarray:
    """Apply blur, hue/saturation, contrast, drifting brightness, cast and noise -> uint8.

    The colour operations are one affine map per frame: y = A_t x + b_t.
    """
    T = frames.shape[0]
    x = frames  # (T, H, W, 3)
    if look.blur > 0:
        x = ndimage.gaussian_filter(x, sigma=(0, look.blur, look.blur, 0), mode="nearest")
    gains = np.linspace(look.gain0, look.gain1, T)[:, None] * np.asarray(look.cast)  # (T, 3)
    A = gains[:, :, None] * look.contrast * hue_rotation_matrix(look.hue, look.saturation)
    b = gains * 0.5 * (1 - look.contrast)  # (T, 3)
    chans = np.moveaxis(x, -1, 0)  # (3, T, H, W) view
    noise = make_rng(look.seed) if look.noise > 0 else None
    out = np.empty(frames.shape, np.uint8)
    for c in range(3):
        y = sum(A[:, c, k, None, None].astype(np.float32) * chans[k] for k in range(3))
        y += b[:, c, None, None].astype(np.float32)
        if noise is not None:
            y += noise.standard_normal(y.shape, dtype=np.float32) * np.float32(look.noise)
        out[..., c] = (np.clip(y, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return out


# ---------------------------------------------------------------------------- audio
def render_audio(visual: VisualSpec, spec: AudioSpec) -> AudioTruth:
    """Mix the soundtrack: object sources, off-screen sources, music, ambience, silences."""
    n, rate, T = spec.n_samples, spec.rate, visual.n_frames
    srcs = [
        (o.category, k + 1, o.audible, o.gain_db, o.seed)
        for k, o in enumerate(visual.objects)
        if get_category(o.category).makes_sound
    ]
    srcs += [(s.category, -1, True, s.gain_db, s.seed) for s in spec.offscreen]
    signals = np.zeros((len(srcs), n))  # (S, n)
    for i, (cat, _, audible, gain_db, seed) in enumerate(srcs):
        if audible:
            raw = get_category(cat).sound(make_rng(seed, 1), n, rate)
            signals[i] = sounds.normalise_active(raw, rate) * 10 ** (gain_db / 20)
    music_sig = sounds.music(make_rng(spec.music_seed), n, rate) if spec.music else np.zeros(n)
    gate = _silence_gate(n, rate, spec.silent_interval)  # (n,) 1 = sounding
    mix = signals.sum(axis=0)
    if mix.any():
        mix = mix / _rms(mix)
    loud = mix + (spec.music_ratio * music_sig / _rms(music_sig) if spec.music else 0.0)
    scene = get_scene(visual.scene)
    if scene.reverb_rt60 > 0 and loud.any():
        loud = sounds.reverb(loud, make_rng(spec.reverb_seed), rate, scene.reverb_rt60, 0.35)
    amb = sounds.normalise_active(scene.ambience(make_rng(spec.ambience_seed), n, rate), rate)
    amb = amb / _rms(amb)
    if loud.any():
        scale = spec.target_rms / _rms(loud)
        level = spec.ambience_ratio * spec.target_rms * gate + spec.quiet_rms * (1 - gate)
        audio = loud * scale * gate + amb * level
    else:
        scale = 0.0
        audio = amb * (spec.quiet_rms if spec.silent else spec.ambient_rms)
    peak = np.abs(audio).max()
    if peak > 0.97:
        audio, scale = audio * (0.97 / peak), scale * 0.97 / peak
    active = _frame_activity(signals * scale * gate, rate, visual.fps, T)  # (T, S)
    music_part = spec.music_ratio * music_sig / _rms(music_sig) * scale * gate
    music_active = _frame_activity(music_part[None], rate, visual.fps, T)[:, 0]
    return AudioTruth(
        audio=audio.astype(np.float32),
        source_category=[s[0] for s in srcs],
        source_instance=[s[1] for s in srcs],
        source_active=active,
        music_active=music_active if spec.music else np.zeros(T, bool),
        rms=float(_rms(audio)),
    )


def _rms(x: np.ndarray) -> float:
    """Root mean square (with a floor so that silence does not divide by zero)."""
    return float(np.sqrt(np.mean(np.square(x))) + 1e-12)


def _silence_gate(n: int, rate: int, interval: tuple[float, float] | None) -> np.ndarray:
    """(n,) gate, 0 inside the silent interval with 50 ms ramps, else 1."""
    gate = np.ones(n)
    if interval is None:
        return gate
    start, end = int(interval[0] * rate), int(interval[1] * rate)
    ramp = max(int(0.05 * rate), 1)
    gate[start:end] = 0.0
    gate[max(start - ramp, 0) : start] = np.linspace(1, 0, ramp)[-(start - max(start - ramp, 0)) :]
    tail = gate[end : end + ramp]
    gate[end : end + ramp] = np.linspace(0, 1, ramp)[: len(tail)]
    return gate


def _frame_activity(signals: np.ndarray, rate: int, fps: float, T: int) -> np.ndarray:
    """(T, S) whether each source (S, n) sounds during each frame's 1/fps window.

    A source is active in a frame when the window's RMS exceeds 10% of its loudest frame and an
    absolute floor of 1e-3 (about -60 dBFS).
    """
    S, n = signals.shape
    rms = np.zeros((T, S))
    for t in range(T):
        a, b = int(t / fps * rate), min(int((t + 1) / fps * rate), n)
        if b > a:
            rms[t] = np.sqrt(np.mean(signals[:, a:b] ** 2, axis=1))
    peak = rms.max(axis=0, keepdims=True) if T else np.zeros((1, S))  # (1, S)
    return (rms > 0.1 * peak) & (rms > 1e-3)


def video_labels(truth: AudioTruth) -> list[str]:
    """AudioSet-style labels: categories of sources audible in some frame, plus music."""
    heard = {
        c
        for c, on in zip(truth.source_category, truth.source_active.any(axis=0), strict=True)
        if on
    }
    if truth.music_active.any():
        heard.add(MUSIC_LABEL)
    return [name for name in LABEL_VOCAB if name in heard]
