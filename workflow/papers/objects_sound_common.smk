# Objects that Sound (shared/papers/004_*): which models of the sheet (paper `objects_sound`)
# its AVC table and audit show; its targets join the default target only when `avc.enabled`.
import soundsight.papers.objects_sound.tables as objects_sound_tables


def objects_sound_models():
    """The AVC comparison's models in this DAG: AVE / L3 x shortcut prevention on / off."""
    return available(list(objects_sound_tables.AVC_MODELS))


def objects_sound_targets():
    """Objects that Sound's AVC table and audit (the default target's share)."""
    return [f"{R}/tables/objects_sound/avc.md", f"{R}/audit/objects_sound.md"]


if config["avc"]["enabled"]:
    PAPER_TARGETS["objects_sound"] = objects_sound_targets
