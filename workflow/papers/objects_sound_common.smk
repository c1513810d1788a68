# Objects that Sound (shared/papers/004_*): which models of the sheet (paper `objects_sound`)
# its AVC table and audit show; its targets join the default target only when `avc.enabled`.
import soundsight.papers.objects_sound.tables as objects_sound_tables


def objects_sound_models():
    """The AVC comparison's models in this DAG: AVE / L3 x shortcut prevention on / off."""
    return available(list(objects_sound_tables.AVC_MODELS))


def objects_sound_methods():
    """Table 1's retrieval methods whose models this DAG makes (random, L3, L3 + CCA, ...)."""
    made = available(
        [m for r in objects_sound_tables.RETRIEVAL_METHODS.values() for m in r.models]
    )
    return objects_sound_tables.table1_methods(made)


def retrieval_models(method):
    """The sheet models whose features a method reads; random features take the items (ids,
    labels) of the first other method's model, so that its queries pair with theirs."""
    methods = objects_sound_tables.RETRIEVAL_METHODS
    models = methods[method].models
    if models:
        return list(models)
    return [next(m for k in objects_sound_methods() for m in methods[k].models)]


def retrieval_feature_files(method, split):
    """`<results>/retrieval/features/<model>/<split>.npz` of the method's models; the training
    split only for a CCA method (fitted there)."""
    if split == "train" and not objects_sound_tables.RETRIEVAL_METHODS[method].cca:
        return []
    return [f"{R}/retrieval/features/{m}/{split}.npz" for m in retrieval_models(method)]


def retrieval_method_params(method):
    """The method's declaration as plain values (the script's `params.method`)."""
    r = objects_sound_tables.RETRIEVAL_METHODS[method]
    return {"image": r.image, "audio": r.audio, "cca": r.cca}


def objects_sound_localisers():
    """The localisation models this DAG makes (AVOL-Net)."""
    return available(list(objects_sound_tables.LOCALISATION_MODELS))


def objects_sound_targets():
    """Objects that Sound's AVC table, Table 1, localisation table and figure, and audit (the
    default target's share)."""
    out = [f"{R}/tables/objects_sound/avc.md"]
    if objects_sound_methods():
        out.append(f"{R}/tables/objects_sound/table1.md")
    if objects_sound_localisers():
        out += [
            f"{R}/tables/objects_sound/localisation.md",
            f"{R}/figures/objects_sound/localisation.png",
        ]
    return [*out, f"{R}/audit/objects_sound.md"]


if config["avc"]["enabled"]:
    PAPER_TARGETS["objects_sound"] = objects_sound_targets
