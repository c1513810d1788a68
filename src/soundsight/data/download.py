"""Opt-in downloads of the real datasets, kept only when their checksum matches.

Never run by the tests or the workflow::

    python -m soundsight.data.download voc2007-trainval voc2007-test --dest data/
    python -m soundsight.data.download esc50 --dest data/ --allow-unpinned

``fetch`` downloads ``archive.url`` to ``<dest>/<filename>.part`` (progress bar), checks every
pinned digest (md5 and/or sha256), renames it to ``<dest>/<filename>`` and optionally unpacks it
into ``<dest>/<extract_to>`` (tar or zip; members that would land outside it are refused). Where
the publisher gives no checksum (``md5 = sha256 = None``) it refuses unless ``allow_unpinned``
is set, then writes the sha256 it got to ``<filename>.sha256`` and checks later runs against it.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import tarfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


class ChecksumError(ValueError):
    """A file's digest differs from the pinned one."""


class UnpinnedError(ValueError):
    """No checksum is known for an archive and unpinned downloads were not allowed."""


@dataclass(frozen=True)
class Archive:
    """One downloadable file, its pinned digests (None = none published) and what it holds."""

    name: str
    url: str
    filename: str
    md5: str | None
    sha256: str | None
    layout: str
    extract: bool = False
    extract_to: str = ""  # folder of dest to unpack into
    checksum_source: str = ""  # where the pinned digest comes from


_TV = "pytorch/vision: torchvision/datasets/{}"
_AUDIOSET = "https://storage.googleapis.com/us_audioset/youtube_corpus/v1/csv/"
_DCASE = "https://archive.org/download/dcase2013_scene_classification"
_NO_PIN = "none published (file served from a moving location)"
ARCHIVES: dict[str, Archive] = {
    a.name: a
    for a in (
        Archive(
            "voc2007-trainval",
            "http://host.robots.ox.ac.uk/pascal/VOC/voc2007/VOCtrainval_06-Nov-2007.tar",
            "VOCtrainval_06-Nov-2007.tar", "c52e279531787c972589f7e41ab4ae64", None,
            "VOCdevkit/VOC2007/{JPEGImages,Annotations,ImageSets/Main}: read_voc(dest, split)",
            True, "", _TV.format("voc.py, DATASET_YEAR_DICT['2007']"),
        ),
        Archive(
            "voc2007-test",
            "http://host.robots.ox.ac.uk/pascal/VOC/voc2007/VOCtest_06-Nov-2007.tar",
            "VOCtest_06-Nov-2007.tar", "b6e924de25625d8de591ea690078ad9f", None,
            "adds the test split to VOCdevkit/VOC2007", True, "",
            _TV.format("voc.py, DATASET_YEAR_DICT['2007-test']"),
        ),
        Archive(
            "sun397", "http://vision.princeton.edu/projects/2010/SUN/SUN397.tar.gz",
            "SUN397.tar.gz", "8ca2778205c41d23104230ba66911c7a",
            "f404130965a7ad77bed5ececc71e720ab50f3cc1e1bb257257610d38f3b928ec",
            "SUN397/<letter>/<class>/sun_*.jpg (about 37 GB): read_sun(dest/SUN397, k)", True, "",
            _TV.format("sun397.py (md5), prototype/datasets/_builtin/sun397.py (sha256)"),
        ),
        Archive(
            "sun397-partitions",
            "https://vision.princeton.edu/projects/2010/SUN/download/Partitions.zip",
            "Partitions.zip", None,
            "e3311ea5f812d4cc6faef194688343d1111f6cd6f70f2c62f393c2b8d6ba1ec9",
            "ClassName.txt, Training_0k.txt, Testing_0k.txt: unpacked into SUN397/", True,
            "SUN397", _TV.format("prototype/datasets/_builtin/sun397.py"),
        ),
        Archive(
            "esc50", "https://github.com/karolpiczak/ESC-50/archive/master.zip",
            "ESC-50-master.zip", None, None, "ESC-50-master/{meta/esc50.csv,audio/*.wav}",
            True, "", "none published (archive of the moving master branch)",
        ),
        Archive(
            "dcase2013-scenes-dev", f"{_DCASE}/scenes_stereo.zip", "scenes_stereo.zip",
            "abdefde136d84de33b0f20a0f13a6b97", None, "scenes_stereo/...<class><nn>.wav", True,
            "scenes_stereo",
            "dcase_util dcase_util/datasets/dcase2013.py (DCASE-REPO/dcase_util)",
        ),
        Archive(
            "dcase2013-scenes-test", f"{_DCASE}_testset/scenes_stereo_testset.zip",
            "scenes_stereo_testset.zip", None, None,
            "scenes_stereo_testset/...<class><nn>.wav", True, "scenes_stereo_testset",
            "none published (dcase_util also has remote_md5=None)",
        ),
        *(
            Archive(
                f"audioset-{stem.removesuffix('_segments').replace('_', '-')}",
                f"{_AUDIOSET}{stem}.csv", f"{stem}.csv", None, None,
                "AudioSet segments CSV for read_segments", checksum_source=_NO_PIN,
            )
            for stem in ("eval_segments", "balanced_train_segments", "unbalanced_train_segments")
        ),
        Archive(
            "audioset-ontology",
            "https://raw.githubusercontent.com/audioset/ontology/master/ontology.json",
            "ontology.json", None, None, "AudioSet ontology for read_ontology",
            checksum_source=_NO_PIN,
        ),
    )
}  # fmt: skip


def fetch(
    archive: Archive,
    dest: Path,
    expected: str | None = None,
    allow_unpinned: bool = False,
    progress: bool = True,
) -> Path:
    """Download (unless present), verify and optionally unpack ``archive`` into ``dest``.

    ``expected`` is an extra md5 (32 hex) or sha256 (64 hex) to check. Returns the file's path.
    """
    dest = Path(dest)
    final = dest / archive.filename
    lock = final.with_name(final.name + ".sha256")
    pins = _pins(archive, expected, lock)
    if not pins and not allow_unpinned:
        raise UnpinnedError(
            f"{archive.name}: no checksum is published for {archive.url}; pass "
            f"allow_unpinned=True (--allow-unpinned) to download it and pin its sha256 in {lock}"
        )
    digests = _obtain(archive.url, final, pins, progress)
    if not lock.is_file() and not (archive.md5 or archive.sha256):
        lock.write_text(f"{digests['sha256']}  {final.name}\n")
        log.warning(
            "%s: no published checksum; pinned sha256 %s in %s", final, digests["sha256"], lock
        )
    if archive.extract:
        marker = dest / archive.extract_to / f".{final.name}.unpacked"  # skip a second unpacking
        if not marker.is_file() or marker.read_text().strip() != digests["sha256"]:
            extract(final, marker.parent)
            marker.write_text(digests["sha256"] + "\n")
    return final


def extract(path: Path, into: Path) -> None:
    """Unpack a tar or zip archive into ``into``, refusing members that would land outside it."""
    into.mkdir(parents=True, exist_ok=True)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                _check_inside(path, name, into)
            z.extractall(into)
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as t:
            for m in t.getmembers():
                _check_tar_member(path, m, into)
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            t.extractall(into, **safe)
    else:
        raise ValueError(f"{path} is neither a zip nor a tar archive")
    log.info("unpacked %s into %s", path, into)


def _obtain(url: str, final: Path, pins: dict[str, str], progress: bool) -> dict[str, str]:
    """Digests of ``final``, downloaded through ``final.part`` unless present, checked against
    ``pins``; a failed download is deleted, a present file that fails is left for the user."""
    if final.is_file():
        return _verify(final, _hash_file(final), pins, "delete it to download again")
    final.parent.mkdir(parents=True, exist_ok=True)
    part = final.with_name(final.name + ".part")
    try:
        digests = _verify(part, _download(url, part, progress), pins, "download deleted")
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, final)
    return digests


def _pins(archive: Archive, expected: str | None, lock: Path) -> dict[str, str]:
    """Digests to check, by algorithm: the archive's, ``expected`` and the lock file's."""
    pins = {k: v.lower() for k, v in (("md5", archive.md5), ("sha256", archive.sha256)) if v}
    extra = [("given", expected)]
    if lock.is_file():
        extra.append((str(lock), lock.read_text().split()[0]))
    for source, value in extra:
        if not value:
            continue
        algo = {32: "md5", 64: "sha256"}.get(len(value))
        if algo is None:
            raise ValueError(f"{source} checksum {value!r} is neither an md5 nor a sha256")
        if pins.setdefault(algo, value.lower()) != value.lower():
            raise ChecksumError(f"{source} {algo} {value} contradicts the pinned {pins[algo]}")
    return pins


def _verify(path: Path, digests: dict[str, str], pins: dict[str, str], then: str) -> dict[str, str]:
    """``digests`` if every pinned digest matches, else ChecksumError saying what happens next."""
    for algo, want in pins.items():
        if digests[algo] != want:
            raise ChecksumError(f"{path}: {algo} is {digests[algo]}, expected {want} ({then})")
    return digests


def _download(url: str, part: Path, progress: bool) -> dict[str, str]:
    """Stream ``url`` to ``part``; md5 and sha256 of what was written."""
    hashes = {"md5": hashlib.md5(usedforsecurity=False), "sha256": hashlib.sha256()}
    with urllib.request.urlopen(url) as response, part.open("wb") as out:
        size = int(response.headers.get("Content-Length") or 0) or None
        with tqdm(
            total=size, unit="B", unit_scale=True, desc=part.name, disable=not progress
        ) as bar:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                for h in hashes.values():
                    h.update(chunk)
                bar.update(len(chunk))
    return {k: h.hexdigest() for k, h in hashes.items()}


def _hash_file(path: Path) -> dict[str, str]:
    """md5 and sha256 of a file."""
    hashes = {"md5": hashlib.md5(usedforsecurity=False), "sha256": hashlib.sha256()}
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            for h in hashes.values():
                h.update(chunk)
    return {k: h.hexdigest() for k, h in hashes.items()}


def _check_inside(archive: Path, name: str, into: Path) -> None:
    """ValueError if archive member ``name`` is absolute or resolves outside ``into``."""
    root = into.resolve()
    target = (root / name).resolve()
    if os.path.isabs(name) or not target.is_relative_to(root):
        raise ValueError(f"{archive}: refusing to unpack {name!r}, it would land outside {into}")


def _check_tar_member(archive: Path, member: tarfile.TarInfo, into: Path) -> None:
    """Member and link targets must stay inside ``into``; device files are refused."""
    _check_inside(archive, member.name, into)
    if member.issym():
        _check_inside(archive, os.path.join(os.path.dirname(member.name), member.linkname), into)
    elif member.islnk():
        _check_inside(archive, member.linkname, into)
    elif member.isdev():
        raise ValueError(f"{archive}: refusing to unpack device file {member.name!r}")


def main(argv: list[str] | None = None) -> None:
    """Command line: fetch the named archives into ``--dest``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"archives: {', '.join(ARCHIVES)}")
    parser.add_argument("--dest", type=Path, default=Path("data"))
    parser.add_argument("--allow-unpinned", action="store_true", help="trust-on-first-use pin")
    parser.add_argument("--list", action="store_true", help="list the archives and exit")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(ARCHIVES))
    if unknown or not (args.names or args.list):
        parser.error(f"name one or more of {', '.join(ARCHIVES)} (unknown: {unknown})")
    for a in ARCHIVES.values() if args.list else ():
        print(f"{a.name:24s} {a.sha256 or a.md5 or 'UNPINNED':64s} {a.url}")
    for name in [] if args.list else args.names:
        print(fetch(ARCHIVES[name], args.dest, allow_unpinned=args.allow_unpinned))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    main()
