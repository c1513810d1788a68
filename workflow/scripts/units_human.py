"""Count detectors from human labels: filled sheets, three annotators per unit, majority vote."""

from pathlib import Path

from soundsight.logs import configure
from soundsight.units import ingest_sheets

log = configure(snakemake.log[0])
sheets = sorted(Path(snakemake.input.sheets).rglob("*.csv"))
if not sheets:
    raise FileNotFoundError(f"no filled sheets (*.csv) under {snakemake.input.sheets}")
labels = ingest_sheets(sheets, threshold=snakemake.params.threshold)
labels.to_csv(snakemake.output[0], index=False)
log.info("human labels: %d units, %d detectors", len(labels), labels["is_detector"].sum())
