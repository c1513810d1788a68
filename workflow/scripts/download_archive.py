"""Download one dataset archive, verify its checksum, unpack it (opt-in: `snakemake download`)."""

import time
from pathlib import Path

from soundsight.data.download import ARCHIVES, fetch
from soundsight.logs import configure
from soundsight.provenance import provenance, write_json

started = time.time()
log = configure(snakemake.log[0])
p = snakemake.params
archive = ARCHIVES[snakemake.wildcards.archive]
dest = Path(snakemake.output[0]).parents[1]  # <download.dir>/.soundsight/<archive>.json
path = fetch(archive, dest, allow_unpinned=p.allow_unpinned)
record = {
    "archive": archive.name,
    "url": archive.url,
    "file": str(path),
    "md5": archive.md5,
    "sha256": archive.sha256,
    "checksum_source": archive.checksum_source,
    "layout": archive.layout,
}
record["provenance"] = provenance(record, [], {}, started)
write_json(snakemake.output[0], record)
log.info("%s: %s", archive.name, path)
