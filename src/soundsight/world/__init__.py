"""soundsight.world: AmbientWorld, a procedural audio-visual world where objects cause sounds.

Deterministic from a seed; writes raw mp4 videos with a manifest and per-video ground truth,
mini-VOC2007, mini-SUN397, mini-ESC-50, mini-DCASE 2013, AudioSet- and Kinetics-Sounds-style
label sets and a localisation set in their real counterparts' layouts (see docs/world.md).
"""

from soundsight.world.categories import (
    CATEGORIES,
    CATEGORY_NAMES,
    INSTRUMENT_CATEGORIES,
    LABEL_VOCAB,
    SOUND_CATEGORIES,
    Category,
    get_category,
)
from soundsight.world.compose import render_audio, render_frames
from soundsight.world.config import WorldConfig
from soundsight.world.generate import generate_world
from soundsight.world.labelsets import write_audioset, write_kinetics_sounds
from soundsight.world.localisation import generate_localisation
from soundsight.world.scenes import SCENE_NAMES, SCENES, Scene, get_scene
from soundsight.world.soundsets import generate_dcase2013, generate_esc50
from soundsight.world.sun import generate_sun
from soundsight.world.videos import generate_videos, render_video, sample_video_spec
from soundsight.world.voc import generate_voc

__all__ = [
    "CATEGORIES",
    "CATEGORY_NAMES",
    "INSTRUMENT_CATEGORIES",
    "LABEL_VOCAB",
    "SCENES",
    "SCENE_NAMES",
    "SOUND_CATEGORIES",
    "Category",
    "Scene",
    "WorldConfig",
    "generate_dcase2013",
    "generate_esc50",
    "generate_localisation",
    "generate_sun",
    "generate_videos",
    "generate_voc",
    "generate_world",
    "get_category",
    "get_scene",
    "render_audio",
    "render_frames",
    "render_video",
    "sample_video_spec",
    "write_audioset",
    "write_kinetics_sounds",
]
