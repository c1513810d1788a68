"""Package namespaces import their modules on first use (per-job start-up, README Benchmarks)."""

import subprocess
import sys

import soundsight.data as data


def test_every_public_data_name_resolves_from_its_module() -> None:
    assert set(data.__all__) == set(data._MODULE_OF)
    for name in data.__all__:
        value = getattr(data, name)
        assert value is getattr(sys.modules[f"soundsight.data.{data._MODULE_OF[name]}"], name)


def test_one_data_reader_does_not_import_the_others() -> None:
    code = (
        "import sys; from soundsight.data import read_voc; "
        "print(sorted(m for m in ('av', 'soundsight.data.ingest', 'soundsight.data.tracks') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_label_building_does_not_import_torch() -> None:
    code = "import sys, soundsight.labels.build; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
