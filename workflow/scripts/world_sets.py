"""Render one of the world's sound / audio-visual sets: mini-ESC-50, mini-DCASE 2013 or the
localisation set (soundsight.world.soundsets / soundsight.world.localisation)."""

import time
from pathlib import Path

from soundsight.logs import configure
from soundsight.provenance import provenance, write_json
from soundsight.world import WorldConfig
from soundsight.world.localisation import generate_localisation
from soundsight.world.soundsets import generate_dcase2013, generate_esc50

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
cfg = WorldConfig.from_dict({**p.world, "seed": p.seed, "audio_rate": p.audio_rate})
out = Path(snakemake.output[0]).parent
make = {"esc50": generate_esc50, "dcase2013": generate_dcase2013}.get(p.part)
summary = make(cfg, out) if make else generate_localisation(cfg, out)
folder = {"esc50": "ESC-50-master", "dcase2013": ".", "localisation": "Localisation"}[p.part]
record = {"summary": summary, "world_config": cfg.to_dict()}
record["provenance"] = provenance(cfg.to_dict(), [], {"seed": p.seed}, started)
write_json(out / folder / "world.json", record)
log.info("world %s: %s", p.part, summary)
