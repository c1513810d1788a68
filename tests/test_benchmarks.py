"""The benchmark scripts run end to end on tiny settings (their figures come from real runs)."""

import importlib.util
import json
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_train_records_both_settings_and_the_device(tmp_path):
    out = tmp_path / "train.json"
    args = ["--batch-size", "2", "--iterations", "1", "--width", "0.125", "--input-size", "64"]
    result = _load("bench_train").main([*args, "--device", "cpu", "--out", str(out)])
    assert json.loads(out.read_text()) == result
    assert result["device"] == "cpu" and result["input_size"] == 64
    assert result["baseline_fp32_images_per_s"] > 0 and result["train_loop_images_per_s"] > 0
    ratio = result["train_loop_images_per_s"] / result["baseline_fp32_images_per_s"]
    assert result["ratio_train_loop_vs_baseline"] == ratio


def test_bench_decode_times_both_input_paths_on_the_device(tmp_path):
    out = tmp_path / "decode.json"
    args = ["--frames", "6", "--batch-size", "4", "--frame-size", "80x60", "--input-size", "48"]
    result = _load("bench_decode").main(
        [*args, "--repeats", "1", "--device", "cpu", "--out", str(out)]
    )
    assert json.loads(out.read_text()) == result
    assert result["device"] == "cpu" and result["frame_size"] == [80, 60]
    assert result["pil_images_per_s"] > 0 and result["device_images_per_s"] > 0
    ratio = result["device_images_per_s"] / result["pil_images_per_s"]
    assert result["ratio_device_vs_pil"] == ratio


def test_device_record_names_the_device_and_the_machine_state():
    from soundsight.device import device_record

    record = device_record("cpu")
    assert record["device"] == "cpu" and record["device_name"]
    assert record["torch_threads"] >= 1 and record["cpu_count"] >= 1
    assert record["load_average_1min_at_start"] >= 0


def test_owens_baseline_reproduces_the_owens_oracle():
    """The baseline is Owens' arithmetic: it gives the fixtures' owens_502 (22.05 kHz clip)."""
    import numpy as np
    from scipy.io import wavfile

    fixture = Path(__file__).parent / "fixtures" / "texture" / "e_harmonic_f0150_am4hz_22050hz"
    sr, pcm = wavfile.read(fixture.with_suffix(".wav"))
    with np.load(fixture.with_suffix(".npz"), allow_pickle=False) as oracle:
        ref, valid = oracle["owens_502"], oracle["owens_502_valid"]
    ours = _load("owens_texture_baseline").texture(pcm / 32768.0, sr)
    assert ours.shape == (502,)
    assert np.abs(ours - ref)[valid].max() <= 1e-12


def test_bench_texture_records_ratios_per_repeat(tmp_path):
    out = tmp_path / "texture.json"
    args = ["--clips", "1", "--batch-size", "1", "--repeats", "2", "--sr", "20000"]
    result = _load("bench_texture").main([*args, "--out", str(out)])
    assert json.loads(out.read_text()) == result
    assert result["threads"] == 1 and result["torch_threads"] == 1
    assert len(result["repeat_results"]) == 2
    for rep in result["repeat_results"]:
        assert (
            rep["ratio_float32"] == rep["baseline_s_per_clip"] / rep["project_float32_s_per_clip"]
        )
    lo, hi = result["range"]["ratio_float32"]
    assert 0 < lo <= hi
    assert result["max_diff_vs_baseline_float64"]["corr"] < 1e-9
    assert result["max_diff_vs_baseline_float32"]["corr"] < 1e-3


def test_bench_train_loop_times_the_bare_model_and_the_workflow_loop(tmp_path):
    import yaml

    config = yaml.safe_load((BENCH.parent / "config.yaml").read_text())
    config["pretext"] |= {
        "width": 0.125, "input_size": 48, "batch_size": 4, "iterations": 3, "checkpoint_every": 2
    }  # fmt: skip
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    out = tmp_path / "train_loop.json"
    args = ["--config", str(tmp_path / "config.yaml"), "--train-frames", "12", "--val-frames", "4"]
    args += ["--frame-side", "56", "--bare-iterations", "1", "--repeats", "2", "--threads", "1"]
    result = _load("bench_train_loop").main([*args, "--out", str(out)])
    assert json.loads(out.read_text()) == result
    assert result["device"] == "cpu" and result["pretext"]["input_size"] == 48
    assert len(result["runs"]) == 2
    for run in result["runs"]:
        assert run["ratio"] == run["loop_images_per_s"] / run["bare_images_per_s"] > 0
        assert run["loop"]["train_time_s"] > 0 and run["loop"]["eval_time_s"] > 0
    ratios = [run["ratio"] for run in result["runs"]]
    assert result["summary"]["ratio"]["min"] == min(ratios)


def test_bench_overhead_times_a_script_on_both_trees(tmp_path):
    out = tmp_path / "overhead.json"
    args = ["--before", "HEAD", "--scripts", "split_frames", "--repeats", "1", "--no-snakemake"]
    result = _load("bench_overhead").main([*args, "--out", str(out)])
    assert json.loads(out.read_text()) == result
    assert set(result["jobs"]) == {"<dag build>", "split_frames"}
    job = result["jobs"]["split_frames"]
    assert "import" in job["imports"] and job["before"]["s"] > 0 and job["after"]["s"] > 0
    assert "torch" not in result["jobs"]["<dag build>"]["after"]["heavy"]


def test_bench_overhead_reads_job_durations_from_a_snakemake_log(tmp_path):
    log = tmp_path / "run.snakemake.log"
    log.write_text(
        "[Tue Dec  1 17:58:34 2026]\nlocalrule table2:\n    output: x\n    jobid: 7\n"
        "[Tue Dec  1 17:58:36 2026]\nrule table3:\n    jobid: 8\n"
        "[Tue Dec  1 17:58:40 2026]\nFinished jobid: 7 (Rule: table2)\n"
        "[Tue Dec  1 17:58:41 2026]\nFinished jobid: 8 (Rule: table3)\n"
    )
    assert _load("bench_overhead").rule_durations(log) == {"table2": 6.0, "table3": 5.0}
