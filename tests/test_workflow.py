"""The Snakemake workflow: lint-clean, dry-runs, and the smoke preset end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SMOKE = yaml.safe_load((ROOT / "presets/smoke.yaml").read_text())


def snakemake(*args: str, timeout: int = 1200) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    return subprocess.run(
        [str(BIN / "snakemake"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def job_counts(text: str) -> dict[str, int]:
    """The "Job stats" table of a dry run: rule name -> number of jobs."""
    pairs = (line.split() for line in text.splitlines())
    return {p[0]: int(p[1]) for p in pairs if len(p) == 2 and p[1].isdigit()}


def corpus_jobs(text: str) -> Counter[tuple[str, str]]:
    """Jobs of a dry run per (rule, corpus wildcard), from each job's `wildcards:` line."""
    jobs: Counter[tuple[str, str]] = Counter()
    rule = None
    for line in text.splitlines():
        if line.startswith(("rule ", "localrule ")) and line.endswith(":"):
            rule = line.split()[1][:-1]
        elif line.strip().startswith("wildcards:") and rule:
            pairs = line.split(":", 1)[1].strip().split(", ")
            wildcards = dict(w.split("=", 1) for w in pairs)
            if "corpus" in wildcards:
                jobs[rule, wildcards["corpus"]] += 1
    return jobs


def test_lint_is_clean():
    out = snakemake("--lint")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Congratulations" in out.stdout + out.stderr


def test_snakefmt_and_ruff_are_clean():
    fmt = subprocess.run(
        [str(BIN / "snakefmt"), "--check", "workflow", "Snakefile"], cwd=ROOT, capture_output=True
    )
    assert fmt.returncode == 0, fmt.stderr.decode()
    ruff = subprocess.run(
        [str(BIN / "ruff"), "check", "src", "tests", "benchmarks", "workflow/scripts"],
        cwd=ROOT,
        capture_output=True,
    )
    assert ruff.returncode == 0, ruff.stdout.decode()


def test_root_snakefile_keeps_the_default_target(tmp_path):
    """A bare `snakemake` from the repo root reads the root Snakefile and still builds `all`."""
    out = snakemake("-n", "--config", f"results={tmp_path}")
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    assert f"Snakefile: {ROOT / 'Snakefile'}" in text
    assert job_counts(text)["all"] == 1 and job_counts(text)["train_pretext"] > 0


def test_default_target_holds_the_audit_overview_of_every_paper(tmp_path):
    """`all` builds results/audit/index.md from each registered paper's audit CSV and Markdown."""
    out = snakemake("-n", "--config", f"results={tmp_path}")
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    assert job_counts(text)["audit_index"] == 1
    job = text.split("rule audit_index:", 1)[1].split("\n\n", 1)[0]
    inputs = job.split("input:", 1)[1].split("\n", 1)[0]
    for paper in ("owens2018", "student"):
        for ext in ("csv", "md"):
            assert f"{tmp_path}/audit/{paper}.{ext}" in inputs, (paper, ext)
    assert f"output: {tmp_path}/audit/index.csv, {tmp_path}/audit/index.md" in job


def test_bad_config_fails_naming_the_key(tmp_path):
    out = snakemake("-n", "--config", "ingest={'shard_size': 0}", f"results={tmp_path}")
    assert out.returncode != 0
    assert "`ingest.shard_size`" in out.stdout + out.stderr


def test_bad_model_sheet_fails_naming_the_row_and_column(tmp_path):
    sheet = (ROOT / "config/models.tsv").read_text().replace("caffenet_bn_cam", "alexnett")
    (tmp_path / "models.tsv").write_text(sheet)
    out = snakemake(
        "-n", "--config", f"model_sheet={tmp_path / 'models.tsv'}", f"results={tmp_path}"
    )
    assert out.returncode != 0
    assert "(sound_cluster_cam), column `architecture`: 'alexnett' is not a registered" in (
        out.stdout + out.stderr
    )


def test_config_model_list_with_an_unknown_model_fails_naming_the_key(tmp_path):
    out = snakemake("-n", "--config", "units={'models': ['sound_clustr']}", f"results={tmp_path}")
    assert out.returncode != 0
    assert "config key `units.models`: ['sound_clustr'] not in the model sheet" in (
        out.stdout + out.stderr
    )


def test_dry_run_has_one_ingest_job_per_shard(tmp_path):
    out = snakemake("-n", "--configfile", "presets/smoke.yaml", "--config", f"results={tmp_path}")
    assert out.returncode == 0, out.stderr
    world = SMOKE["world"]
    n_videos = world["n_videos"] + world["n_bad_videos"]
    n_shards = -(-n_videos // SMOKE["ingest"]["shard_size"])
    jobs = corpus_jobs(out.stdout + out.stderr)
    assert jobs["ingest_shard", "videos"] == n_shards
    # the second corpus goes through the same rules (the {corpus} wildcard), one job per shard
    n_second = -(-SMOKE["audioset"]["world"]["n_videos"] // SMOKE["ingest"]["shard_size"])
    assert jobs["ingest_shard", "audioset"] == jobs["audio_features", "audioset"] == n_second
    for rule in ("world_videos", "ingest_merge", "merge_features", "split_frames"):
        assert jobs[rule, "videos"] == jobs[rule, "audioset"] == 1, rule


@pytest.mark.parametrize("preset", [None, "presets/smoke.yaml"])
def test_dry_run_plans_the_student_reproduction(tmp_path, preset):
    """The default target holds the student's tables, figures and audit: its seven models
    (AlexNet / ResNet-18 per sweep k, the MFCC AlexNet), the MFCC clusters and every
    fine-tuning run, head and all for Table 1's four rows."""
    config = yaml.safe_load((ROOT / "config.yaml").read_text())["student"]
    config |= SMOKE["student"] if preset else {}
    args = ["--configfile", preset] if preset else []
    out = snakemake("-n", *args, "--config", f"results={tmp_path}")
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    for target in (
        "tables/student/table1.md",
        "tables/student/table2.md",
        "figures/student/fig3_map_vs_clusters.png",
        "figures/student/fig4_texture_vs_mfcc.png",
        "audit/student.md",
    ):
        assert f"{tmp_path}/{target}" in text, target  # fmt: skip
    k, ks = config["k"], config["sweep_k"]
    student = {f"student_alexnet_k{q}" for q in ks} | {f"student_resnet18_k{q}" for q in ks}
    student.add(f"student_alexnet_mfcc_k{k}")
    for model in student:
        assert f"{tmp_path}/models/{model}/model.pt" in text, model
    assert f"corpora/videos/labels/clusters_mfcc_k{k}.csv" in text
    runs = [(m, "all") for m in student]
    runs += [(m, mode) for m in ("object", "random", "sound_cluster", f"student_alexnet_k{k}")
             for mode in ("head", "all")]  # fmt: skip
    for model, mode in runs:
        assert f"{tmp_path}/finetune/{model}/{mode}/finetune.json" in text, (model, mode)
    jobs = job_counts(text)
    assert jobs["finetune_voc"] == len(set(runs)) and jobs["feature_cluster_labels"] == 1
    for rule in (
        "student_table1",
        "student_table2",
        "student_fig3",
        "student_fig4",
        "audit_student",
    ):
        assert jobs[rule] == 1, rule  # fmt: skip


AVC_MODELS = ("l3", "l3_naive", "ave", "ave_naive", "avol")
AVC_TARGETS = (
    "tables/l3net/table1.md",
    "tables/l3net/table2.md",
    "figures/l3net/units_vision.png",
    "audit/l3net.md",
    "tables/objects_sound/avc.md",
    "tables/objects_sound/table1.md",
    "tables/objects_sound/localisation.md",
    "figures/objects_sound/localisation.png",
    "audit/objects_sound.md",
)


@pytest.mark.parametrize("preset", [None, "presets/smoke.yaml"])
def test_dry_run_plans_the_avc_papers_only_when_avc_is_enabled(tmp_path, preset):
    """`avc.enabled` (off in config.yaml, on in the smoke preset) brings the four
    correspondence models, their per-pair results and the L3-Net / Objects that Sound tables
    and audits into the default target; off, none of them is planned."""
    args = ["--configfile", preset] if preset else []
    out = snakemake("-n", *args, "--config", f"results={tmp_path}")
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    jobs = job_counts(text)
    for target in AVC_TARGETS:
        assert (f"{tmp_path}/{target}" in text) == bool(preset), target
    if not preset:
        assert "avc_pairs" not in jobs and "audit_l3net" not in jobs
        return
    for model in AVC_MODELS:
        assert f"{tmp_path}/models/{model}/avc.npz" in text, model
    assert f"{tmp_path}/corpora/videos/ingest/tracks.csv" in text
    assert jobs["avc_pairs"] == len(AVC_MODELS)
    for rule in (
        "l3net_table1", "l3net_table2", "audit_l3net", "objects_sound_avc", "audit_objects_sound",
    ):  # fmt: skip
        assert jobs[rule] == 1, rule
    assert jobs["probe_avc_audio"] == 4  # l3 and l3_untrained on ESC-50 and DCASE 2013
    # Table 1: random, L3, L3 + CCA, object, object + L3-audio CCA, AVE, naive AVE; features of
    # l3 / ave / ave_naive / object on the eval segments, of l3 and object on the training ones
    assert jobs["retrieval_ndcg"] == 7 and jobs["retrieval_features"] == 6
    assert jobs["audioset_manifest"] == 2 and jobs["objects_sound_table1"] == 1
    assert jobs["localise"] == 1 and jobs["objects_sound_localisation_figure"] == 1


def test_student_k_outside_the_sweep_fails_naming_the_key(tmp_path):
    (tmp_path / "k7.yaml").write_text(yaml.safe_dump({"student": {"k": 7}}))
    out = snakemake(
        "-n", "--configfile", str(tmp_path / "k7.yaml"), "--config", f"results={tmp_path}"
    )
    assert out.returncode != 0
    assert "config key `student.k`: 7 is not in `student.sweep_k`" in out.stdout + out.stderr


def test_downloads_are_opt_in(tmp_path):
    out = snakemake("-n", "--config", f"results={tmp_path}")
    assert "download_archive" not in job_counts(out.stdout + out.stderr)  # never by default
    chosen = tmp_path / "downloads.yaml"
    chosen.write_text(yaml.safe_dump({"download": {"datasets": ["esc50", "voc2007-test"]}}))
    out = snakemake(
        "-n", "download", "--configfile", str(chosen), "--config", f"results={tmp_path}"
    )
    assert out.returncode == 0, out.stderr
    assert job_counts(out.stdout + out.stderr)["download_archive"] == 2


def smoke_results(tmp_path: Path) -> Path:
    """Where the smoke DAG writes: a fresh temporary folder, or SOUNDSIGHT_SMOKE_RESULTS.

    CI sets SOUNDSIGHT_SMOKE_RESULTS so that `make test-slurm` compares its Slurm run with this
    local run instead of making a second local one (see .ci/run and ci/test-slurm.sh).
    """
    kept = os.environ.get("SOUNDSIGHT_SMOKE_RESULTS")
    if not kept:
        return tmp_path / "results"
    res = Path(kept)
    if res.exists() and any(res.iterdir()):
        pytest.fail(f"SOUNDSIGHT_SMOKE_RESULTS={res} is not empty: point it at a new folder")
    return res


@pytest.mark.slow
def test_smoke_dag_end_to_end(tmp_path):
    res = smoke_results(tmp_path)
    out = snakemake(
        "--cores", "2", "--configfile", "presets/smoke.yaml", "--config", f"results={res}",
        timeout=2700,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]
    world = SMOKE["world"]
    summary = json.loads((res / "corpora/videos/ingest/ingest_summary.json").read_text())
    # nothing is lost silently: every input video is either ingested or rejected with a reason
    assert summary["n_input"] == world["n_videos"] + world["n_bad_videos"]
    assert summary["n_ingested"] + summary["n_rejected"] == summary["n_input"]
    rejects = pd.read_csv(res / "corpora/videos/ingest/rejects.csv")
    assert len(rejects) == world["n_bad_videos"] and rejects["reason"].notna().all()
    # the world renders at world.audio_rate (48 kHz here); tracks keep it (track_rate: null)
    tracks = pd.read_csv(res / "corpora/videos/ingest/tracks.csv")
    assert (tracks["rate"] == world["audio_rate"]).all()
    index = pd.read_csv(res / "corpora/videos/ingest/index.csv")
    assert len(index) == summary["n_ingested"] * SMOKE["ingest"]["frames_per_video"]
    with np.load(res / "corpora/videos/features/sound.npz") as z:
        assert z["texture"].shape == (len(index), 502)
        assert z["spectrum"].shape == (len(index), 32)
        assert np.isfinite(z["texture"]).all()
    k = SMOKE["labels"]["k"][0]
    clusters = pd.read_csv(res / f"corpora/videos/labels/clusters_k{k}.csv")
    assert len(clusters) == len(index) and clusters["label"].between(0, k - 1).all()
    codes = pd.read_csv(res / "corpora/videos/labels/codes_binary.csv", dtype={"code": str})
    assert codes["code"].str.len().eq(SMOKE["labels"]["n_projections"]).all()
    assert (res / "world/VOC2007/ImageSets/Main/test.txt").exists()
    assert (res / "world/SUN397/ClassName.txt").exists()
    prov = json.loads((res / f"corpora/videos/labels/clusters_k{k}.json").read_text())["provenance"]
    assert prov["seeds"] == {"seed": 0} and len(prov["config_hash"]) == 64
    # Table 2 (issue 3): replicated next to published, with provenance; the audit names its verdicts
    table = pd.read_csv(res / "tables/owens2018/table2.csv")
    replicated = table.dropna(subset=["replicated"])
    assert set(replicated["model"]) == {
        "sound_cluster", "sound_binary", "sound_spectrum", "texton_cnn",
        "kmeans", "random", "object", "scene",
    }  # fmt: skip
    assert replicated["replicated"].between(0, 100).all()
    binary_pool5 = table[(table["model"] == "sound_binary") & (table["column"] == "VOC/pool5")]
    assert binary_pool5["published"].iloc[0] == 46.7  # read from paper/published, not computed
    prov = json.loads((res / "tables/owens2018/table2.provenance.json").read_text())
    assert prov["seeds"] == {"seed": 0} and len(prov["inputs"]) == 16
    audit = pd.read_csv(res / "audit/owens2018.csv", keep_default_na=False)
    _check_power(audit, {"supervised_beats_random_voc_pool5", "generalises_sound_cluster"})
    audit = audit[audit["role"] == "claim"]
    # only the Fig. 11 claims about k = 2 / 30 / 120 may lack models in the smoke sweep (k = 2, 4)
    not_evaluated = set(audit.loc[audit["verdict"] == "not evaluated", "name"])
    assert not_evaluated <= {"k30_beats_k2_voc_pool5", "k120_beats_k30_voc_pool5"}
    assert {
        "sound_more_sound_detectors_than_scene",
        "annotations_beat_sound_labels_voc_pool5",
    } <= set(audit["name"])
    for name in ("table1", "table3", "table4", "table5"):
        assert (res / f"tables/owens2018/{name}.md").exists()
    for fig in (
        "fig2_texture_example",
        "fig3_audio_clusters",
        "fig4_detectors_vs_threshold",
        "fig6_detector_histograms",
        "fig7_detector_histograms_stills",
        "fig9_cam_two_categories",
        "fig10_cam_categories",
        "fig11_map_vs_clusters",
        "fig12_audioset_detector_histograms",
        "fig13_audioset_instrument_units",
    ):
        assert (res / f"figures/owens2018/{fig}.png").stat().st_size > 0, fig
    # the AudioSet analogue: its own corpus, counts reconciled, a cluster model on it
    second = json.loads((res / "corpora/audioset/ingest/ingest_summary.json").read_text())
    assert second["n_input"] == SMOKE["audioset"]["world"]["n_videos"]
    assert second["n_ingested"] + second["n_rejected"] == second["n_input"]
    spec = json.loads((res / "models/audioset_cluster/model.json").read_text())
    assert spec["num_outputs"] == SMOKE["audioset"]["cluster_k"]
    fig12 = json.loads((res / "figures/owens2018/fig12_13_summary.json").read_text())
    assert {"audioset_cluster", "sound_cluster"} <= set(fig12)
    assert "audioset_cluster_more_instrument_detectors" in set(audit["name"])
    assert "claims audit" in (res / "audit/owens2018.md").read_text()
    acc = json.loads((res / "tables/owens2018/cluster_accuracy.json").read_text())
    assert acc["chance"] == pytest.approx(1 / k)
    # the student reproduction (issue 10): its tables, figures and audit from fine-tuning runs
    student = SMOKE["student"]
    table1 = pd.read_csv(res / "tables/student/table1.csv")
    ours = table1[table1["model"] == f"student_alexnet_k{student['k']}"]
    assert set(ours["column"]) == {"Head", "All"} and ours["replicated"].between(0, 100).all()
    assert set(table1.dropna(subset=["replicated"])["model"]) == {
        "object", "random", "sound_cluster", f"student_alexnet_k{student['k']}",
    }  # fmt: skip
    table2 = pd.read_csv(res / "tables/student/table2.csv")
    assert set(table2.loc[table2["block"] == "replicated", "row"]) == {
        "Ours - Sound Texture", "Ours - MFCC",
    }  # fmt: skip
    assert (
        "Owens et al. [24] `hrs` 71 (Owens' Table 4: 73)"
        in (res / "tables/student/table2.md").read_text()
    )
    for name in ("table1", "table2"):
        assert (res / f"tables/student/{name}.provenance.json").exists()
    for fig in ("fig3_map_vs_clusters", "fig4_texture_vs_mfcc"):
        assert (res / f"figures/student/{fig}.png").stat().st_size > 0, fig
        assert (res / f"figures/student/{fig}.pdf").stat().st_size > 0, fig
    for fig in ("fig3_confusion", "fig4_tsne", "fig5_conv1"):  # SoundNet's, of soundnet8
        assert (res / f"figures/soundnet/{fig}.png").stat().st_size > 0, fig
        assert (res / f"figures/soundnet/{fig}.provenance.json").exists(), fig
    # SoundNet (issue 13): Tables 3-7 with replicated lines, and its audit with power checks
    for name in ("table3", "table4", "table5", "table6", "table7"):
        assert (res / f"tables/soundnet/{name}.provenance.json").exists(), name
    table5 = pd.read_csv(res / "tables/soundnet/table5.csv").dropna(subset=["replicated"])
    assert {"l2", "kl", "object", "scene", "scratch5", "scratch8", "video5"} <= set(table5["model"])
    table4 = pd.read_csv(res / "tables/soundnet/table4.csv").dropna(subset=["replicated"])
    assert set(table4["model"]) == {"soundnet8", "mfcc_svm"}
    sn_audit = pd.read_csv(res / "audit/soundnet.csv").set_index("name")
    assert {"kl_beats_l2", "generalises_soundnet8", "unsaturated_esc50"} <= set(sn_audit.index)
    assert sn_audit.loc["unsaturated_esc50", "role"] == "check"
    sweep = pd.read_csv(res / "figures/student/fig3_map_vs_clusters.csv")
    assert len(sweep) == 2 * len(student["sweep_k"])
    mfcc = json.loads(
        (res / f"corpora/videos/labels/clusters_mfcc_k{student['k']}.json").read_text()
    )
    assert mfcc["feature"] == "mfcc" and mfcc["k"] == student["k"]
    audit = pd.read_csv(res / "audit/student.csv", keep_default_na=False)
    _check_power(audit, {"supervised_beats_random_finetuned_all", "unsaturated_finetuned"})
    audit = audit[audit["role"] == "claim"]
    assert set(audit["verdict"]) <= {"holds", "fails", "inconclusive", "no power"}  # all ran
    assert {"mfcc_beats_texture", "alexnet_beats_resnet18"} <= set(audit["name"])
    assert set(audit["dataset"]) == {"voc_finetune"}
    _check_avc_papers(res)
    # the overview across papers: one row per paper, the same counts as each paper's audit
    index = pd.read_csv(res / "audit/index.csv").set_index("paper")
    assert list(index.index) == ["owens2018", "student", "l3net", "objects_sound", "soundnet"]
    for paper in index.index:
        rows = pd.read_csv(res / f"audit/{paper}.csv")
        claims = rows[rows["role"] == "claim"] if "role" in rows else rows  # power checks apart
        assert index.loc[paper, "held"] == (claims["verdict"] == "holds").sum(), paper
        assert index.loc[paper, "claims"] == len(claims), paper
    overview = (res / "audit/index.md").read_text()
    assert f"{SMOKE['world']['n_videos']} videos" in overview and "(student.md)" in overview


def _check_avc_papers(res: Path) -> None:
    """L3-Net Table 1 and Objects that Sound's AVC table (issue 12) with their audits."""
    l3 = pd.read_csv(res / "tables/l3net/table1.csv")
    ours = l3[l3["model"] == "l3"].set_index("column")
    assert 0 <= ours.loc["Flickr-SoundNet", "replicated"] <= 100
    assert ours.loc["Flickr-SoundNet", "published"] == 78  # read from published_csv
    assert set(l3.loc[l3["source"] == "published only", "row"]) == {
        "Supervised direct", "Supervised pretraining",
    }  # fmt: skip
    ots = pd.read_csv(res / "tables/objects_sound/avc.csv")
    assert set(ots.dropna(subset=["replicated"])["model"]) == set(AVC_MODELS)
    assert ots["replicated"].dropna().between(0, 100).all()
    assert set(ots.loc[ots["source"] == "published only", "row"]) == {"AVE+MF", "AVE+OF"}
    for model in AVC_MODELS:
        with np.load(res / f"models/{model}/avc.npz") as z:
            assert len(z["pair_ids"]) == len(z["correct"]) > 0 and z["label"].mean() == 0.5
    t2 = pd.read_csv(res / "tables/l3net/table2.csv")
    assert set(t2.dropna(subset=["replicated"])["model"]) == {"l3", "l3_untrained"}
    assert t2["replicated"].dropna().between(0, 100).all()
    assert t2.set_index(["model", "column"]).loc[("l3", "ESC-50"), "published"] == 79.3
    _check_l3net_clusters(res)
    _check_ots_table1(res)
    _check_ots_localisation(res)
    for paper, claims in (
        ("l3net", {
            "l3_avc_above_chance", "l3_beats_untrained_esc50", "l3_beats_untrained_dcase2013",
            "l3_beats_untrained_images", "units_trained_beat_random_vision",
            "units_trained_beat_random_audio",
            *(f"nmi_{c}_{s}" for c in ("trained_beats_untrained", "untrained_beats_random")
              for s in ("vision", "audio")),
        }),
        ("objects_sound", {
            "ave_avc_above_chance", "l3_avc_above_chance", "ave_beats_l3_avc",
            "naive_beats_prevention_ave", "naive_beats_prevention_l3",
            *OTS_TABLE1_CLAIMS, "avol_beats_centre", "mismatched_audio_lowers_map",
        }),
    ):  # fmt: skip
        audit = pd.read_csv(res / f"audit/{paper}.csv", keep_default_na=False)
        _check_power(audit, {"generalises_l3", "loss_gap_l3"})
        rows = audit[audit["role"] == "claim"]
        assert set(rows["name"]) == claims, paper
        assert set(rows["verdict"]) <= {"holds", "fails", "inconclusive", "no power"}
        assert set(rows["dataset"]) == (
            {"avc", "clips", "sun", "nmi", "preference"}
            if paper == "l3net"
            else {"avc", "retrieval", "localisation", "map_peak"}
        )


DIRECTIONS = ("im-im", "im-aud", "aud-im", "aud-aud")
OTS_TABLE1_CLAIMS = {
    *(f"ave_beats_{b}_{d}" for b in ("random", "l3", "l3_cca", "object_cca") for d in DIRECTIONS),
    "ave_beats_object_im-im", "cca_aligns_l3_im-aud", "cca_aligns_l3_aud-im",
    *(f"naive_hurts_retrieval_{d}" for d in DIRECTIONS),
}  # fmt: skip


def _check_ots_localisation(res: Path) -> None:
    """Objects that Sound Sect. 4: AVOL-Net's maps of every localisation frame, own and
    mismatched audio, the table beside the printed values and the figure."""
    summary = json.loads((res / "localisation/avol/localisation.json").read_text())
    assert summary["n_frames"] == SMOKE["world"]["loc_n_frames"]
    with np.load(res / "localisation/avol/pointing.npz") as z:
        n = summary["n_frames"]
        assert z["hits"].shape == z["centre_hits"].shape == z["peak"].shape == (n,)
        assert z["maps"].shape == z["maps_mismatched"].shape and len(z["maps"]) == n
        assert ((z["peak"] >= 0) & (z["peak"] <= 1)).all()
        assert summary["pointing_accuracy"] == pytest.approx(z["hits"].mean())
    table = pd.read_csv(res / "tables/objects_sound/localisation.csv").set_index("model")
    assert table.loc["avol", "published"] == 81.7 and table.loc["centre", "published"] == 57.2
    assert table["replicated"].between(0, 100).all()
    assert (res / "figures/objects_sound/localisation.png").stat().st_size > 0


def _check_ots_table1(res: Path) -> None:
    """Objects that Sound Table 1: the items read from the AudioSet-style eval segments (counts
    reconcile), every method's nDCG@30 per query, the table beside the printed values."""
    items = json.loads((res / "retrieval/items/eval.json").read_text())
    assert items["n_segments"] == items["n_clips"] + items["n_rejected"] and items["n_clips"] > 2
    feats = json.loads((res / "retrieval/features/ave/eval.json").read_text())
    assert feats["n_clips"] == items["n_clips"] == feats["n_items"] + feats["n_rejected"]
    for method in ("random", "l3", "l3_cca", "object", "object_cca", "ave", "ave_naive"):
        with np.load(res / f"retrieval/{method}/ndcg.npz") as z:
            n = len(z["query_ids"])
            dirs = ("im-im",) if method == "object" else DIRECTIONS
            for d in dirs:
                values = z[f"ndcg_{d}"]
                assert values.shape == (n,) and np.nanmax(values) <= 1 + 1e-9, (method, d)
    t1 = pd.read_csv(res / "tables/objects_sound/table1.csv")
    cells = t1.set_index(["model", "column"])
    assert cells.loc[("ave", "im-aud"), "published"] == 0.561  # read from published_csv
    assert ("object", "im-aud") not in cells.index  # the paper's '-': image-image only
    assert t1["replicated"].dropna().between(0, 1).all()


def _check_l3net_clusters(res: Path) -> None:
    """L3-Net Table 3 (vision probe), Table 4, the unit-preference counts and Fig. 10 (the clips'
    embeddings)."""
    summary = json.loads((res / "embeddings/l3/kinetics_sounds.json").read_text())
    rejects = pd.read_csv(res / "embeddings/l3/kinetics_sounds_rejected.csv")
    assert summary["n_clips"] == summary["n_embedded"] + len(rejects) and summary["n_embedded"]
    t3 = pd.read_csv(res / "tables/l3net/table3.csv")
    assert set(t3.dropna(subset=["replicated"])["model"]) == {"l3", "l3_untrained"}
    assert t3["replicated"].dropna().between(0, 100).all()
    t4 = pd.read_csv(res / "tables/l3net/table4.csv")
    assert set(t4.dropna(subset=["replicated"])["model"]) == {
        "l3", "l3_untrained", "random_assignment",
    }  # fmt: skip
    assert t4["replicated"].dropna().between(0, 1).all()
    assert t4.set_index(["model", "column"]).loc[("l3", "Vision"), "published"] == 0.409
    units = pd.read_csv(res / "tables/l3net/units.csv")
    assert set(units.dropna(subset=["replicated"])["model"]) == {"l3", "l3_untrained"}
    assert (units["replicated"] >= 0).all()
    with np.load(res / "nmi/l3/nmi.npz") as z:
        assert len(z["clusters_vision"]) == len(z["labels"]) == summary["n_embedded"]
    assert (res / "figures/l3net/fig10.png").stat().st_size > 0
    shown = pd.read_csv(res / "figures/l3net/units.csv")  # Figs. 3-8: units x top-5 clips
    assert set(shown["stream"]) == {"vision", "audio"} and (shown["rank"] <= 5).all()
    assert set(shown["clip"]) <= summary_ids(res)
    for stream in ("vision", "audio"):
        assert (res / f"figures/l3net/units_{stream}.png").stat().st_size > 0


def summary_ids(res: Path) -> set[str]:
    """The clip ids L3-Net's embeddings hold."""
    with np.load(res / "embeddings/l3/kinetics_sounds.npz") as z:
        return set(z["item_ids"].astype(str))


def _check_power(audit: pd.DataFrame, expected: set[str]) -> None:
    """Power checks come first and were all evaluated; a 'no power' claim names its checks."""
    checks = audit[audit["role"] == "check"]
    assert expected <= set(checks["name"])
    assert list(audit["role"]) == sorted(audit["role"])  # "check" rows before "claim" rows
    assert set(checks["verdict"]) <= {"holds", "fails", "inconclusive"}
    claims = audit[audit["role"] == "claim"]
    assert set(claims["verdict"]) <= {"holds", "fails", "inconclusive", "no power", "not evaluated"}
    failed = set(checks.loc[checks["verdict"] != "holds", "name"])
    for _, claim in claims[claims["verdict"] == "no power"].iterrows():
        named = {part.split(" (")[0] for part in claim["power"].split("; ")}
        assert named and named <= failed, (claim["name"], claim["power"])


def test_manifest_source_plans_one_ingest_job_per_shard(tmp_path):
    manifest = tmp_path / "manifest.csv"
    rows = "".join(f"clips/v{i:05d}.mp4,0,10,speech\n" for i in range(2500))
    manifest.write_text("path,start,end,labels\n" + rows)
    overrides = tmp_path / "cfg.yaml"
    overrides.write_text(
        yaml.safe_dump(
            {
                "sources": {"videos": str(manifest)},
                "ingest": {"shard_size": 1000},
                "results": str(tmp_path / "res"),
            }
        )
    )
    # on real videos the world's object / scene models are not trained: SoundNet's teachers
    # must then be local weights, and the DAG build says so, naming the key
    out = snakemake("-n", "--configfile", str(overrides))
    assert out.returncode != 0 and "`soundnet.teachers.object`" in out.stdout + out.stderr
    no_soundnet = tmp_path / "no_soundnet.yaml"
    no_soundnet.write_text(yaml.safe_dump({"soundnet": {"enabled": False}}))
    out = snakemake("-n", "--configfile", str(overrides), str(no_soundnet))
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    text = out.stdout + out.stderr
    counts = {
        p[0]: int(p[1])
        for p in (ln.split() for ln in text.splitlines())
        if len(p) == 2 and p[1].isdigit()
    }
    jobs = corpus_jobs(text)
    assert jobs["ingest_shard", "videos"] == 3
    # the first corpus's world is not rendered (the second, AudioSet-like one still is)
    assert jobs["world_videos", "videos"] == 0 and "units_frames" not in counts


def test_paper_preset_dry_runs_against_fixture_layout_datasets(tmp_path):
    """presets/paper.yaml with its placeholder paths replaced by tiny official-layout folders."""
    videos = tmp_path / "flickr" / "manifest.csv"
    clips = tmp_path / "audioset" / "manifest.csv"
    for manifest, n in ((videos, 2500), (clips, 1200)):
        manifest.parent.mkdir(parents=True)
        rows = "".join(f"clips/v{i:05d}.mp4,0,10,speech\n" for i in range(n))
        manifest.write_text("path,start,end,labels\n" + rows)
    voc = tmp_path / "VOCdevkit" / "VOC2007"
    for sub in ("JPEGImages", "Annotations", "ImageSets/Main"):
        (voc / sub).mkdir(parents=True)
    sun = tmp_path / "SUN397"
    sun.mkdir()
    (sun / "ClassName.txt").write_text("/a/abbey\n")
    esc, dcase = tmp_path / "ESC-50-master", tmp_path / "DCASE2013"
    for folder in (esc / "meta", esc / "audio", dcase / "scenes_stereo"):
        folder.mkdir(parents=True)
    (esc / "meta" / "esc50.csv").write_text("filename,fold,target,category,esc10,src_file,take\n")
    (dcase / "scenes_stereo_testset").mkdir()
    kinetics = tmp_path / "kinetics_sounds" / "clips.csv"
    kinetics.parent.mkdir()
    kinetics.write_text("path,start,end,labels\nclips/k0.mp4,0,10,playing drums\n")
    instruments = tmp_path / "AudioSet-Instruments"
    (instruments / "clips").mkdir(parents=True)
    for name in ("ontology.json", "balanced_train_segments.csv", "eval_segments.csv"):
        (instruments / name).write_text("")
    localisation = tmp_path / "localisation"
    localisation.mkdir()
    for name in ("frames.csv", "objects.csv"):
        (localisation / name).write_text("")
    sources = {
        "videos": str(videos),
        "voc2007": str(voc),
        "sun397": str(sun),
        "audioset": str(clips),
        "esc50": str(esc),
        "dcase2013": str(dcase),
        "kinetics_sounds": str(kinetics),
        "audioset_instruments": str(instruments),
        "localisation": str(localisation),
    }
    preset = yaml.safe_load((ROOT / "presets/paper.yaml").read_text())
    teachers = {}  # the user's local teacher weights (a dry run only checks that they exist)
    for name in preset["soundnet"]["local_teachers"]:
        (tmp_path / f"{name}.pth").write_bytes(b"")
        teachers[name] = {"weights": str(tmp_path / f"{name}.pth")}
    paths = tmp_path / "paths.yaml"
    paths.write_text(
        yaml.safe_dump(
            {
                "sources": sources,
                "results": str(tmp_path / "res"),
                "soundnet": {"local_teachers": teachers},
            }
        )
    )
    out = snakemake("-n", "--configfile", "presets/paper.yaml", str(paths))
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    jobs = job_counts(out.stdout + out.stderr)
    shards = corpus_jobs(out.stdout + out.stderr)
    assert shards["ingest_shard", "videos"] == 3 and shards["ingest_shard", "audioset"] == 2
    assert jobs["train_pretext"] >= 10 and "world_videos" not in jobs  # real data: no world
    # SoundNet: both teacher caches from the local weights, the students, their probes; no
    # Table 7 (it needs the world's scene labels) and no world ESC-50 / DCASE
    assert jobs["teacher_posteriors"] == 2 and jobs["probe_audio_layers"] >= 6
    assert "soundnet_table7" not in jobs and "world_esc50" not in jobs
    assert jobs["audit_soundnet"] == 1
    # L3-Net Table 4 reads the Kinetics-Sounds manifest given (no world Kinetics-Sounds set)
    assert jobs["avc_embeddings"] == 2 and "world_kinetics_sounds" not in jobs
    # Objects that Sound Table 1 from the AudioSet-Instruments folder given: random, L3, L3 + CCA,
    # AVE and naive AVE (no object network off the world); l3's training segments for its CCA
    assert jobs["audioset_manifest"] == 2 and "world_audioset_sets" not in jobs
    assert jobs["retrieval_ndcg"] == 5 and jobs["retrieval_features"] == 4
    assert jobs["localise"] == 1 and "world_localisation" not in jobs  # AVOL on your frames
    # the placeholders themselves fail at DAG build, naming the key and the expected layout
    out = snakemake("-n", "--configfile", "presets/paper.yaml", "--config", f"results={tmp_path}")
    assert out.returncode != 0 and "`sources.videos`" in out.stdout + out.stderr


def test_every_rule_is_sized_in_the_workflow_profile():
    """A rule missing from profiles/default would run on a cluster with the site's defaults."""
    out = snakemake("--list-rules")
    assert out.returncode == 0, out.stderr
    rules = {line.strip() for line in out.stdout.splitlines() if line.strip()}
    profile = yaml.safe_load((ROOT / "profiles/default/config.yaml").read_text())
    local = {"all", "download", "download_archive"}  # target rules and head-node downloads
    assert rules - local <= set(profile["set-resources"]), (
        rules - local - set(profile["set-resources"])
    )
