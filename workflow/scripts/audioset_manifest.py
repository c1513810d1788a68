"""AudioSet-style segments -> a clip manifest (Objects that Sound Table 1's items)."""

import time
from pathlib import Path

from soundsight.data.audioset import (
    read_ontology,
    read_segments,
    segments_manifest,
    write_manifest,
)
from soundsight.logs import configure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
i, o, p = snakemake.input, snakemake.output, snakemake.params
manifest, rejects = segments_manifest(
    read_segments(Path(i.segments)), Path(p.clips), read_ontology(Path(i.ontology))
)
write_manifest(manifest, Path(o.manifest))
rejects.to_csv(o.rejects, index=False)
summary = {
    "split": snakemake.wildcards.split,
    "n_segments": len(manifest) + len(rejects),
    "n_clips": len(manifest),
    "n_rejected": len(rejects),
    "reasons": rejects["reason"].value_counts().to_dict(),
    "provenance": provenance({"clips": str(p.clips)}, [i.segments, i.ontology], {}, started),
}
write_json(o.summary, summary)
log.info("%s: %d clips, %d rejected", o.manifest, len(manifest), len(rejects))
