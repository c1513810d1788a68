"""Opt-in dataset downloads, tested offline on file:// URLs of archives the tests build:
checksums, unpinned trust-on-first-use locks, extraction and path-traversal refusal."""

import hashlib
import io
import re
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from soundsight.data import download
from soundsight.data.download import (
    ARCHIVES,
    Archive,
    ChecksumError,
    UnpinnedError,
    extract,
    fetch,
)


def _tar(path: Path, files: dict[str, bytes]) -> Path:
    """A .tar.gz holding ``files`` (member name -> content)."""
    with tarfile.open(path, "w:gz") as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return path


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _archive(src: Path, md5: str | None = None, sha256: str | None = None, **kw) -> Archive:
    return Archive("tiny", src.as_uri(), "tiny" + "".join(src.suffixes), md5, sha256, "x", **kw)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


FILES = {"Tiny/meta/a.csv": b"filename\nx.wav\n", "Tiny/audio/x.wav": b"RIFF0000WAVE"}


def test_pinned_download_is_verified_renamed_and_extracted(tmp_path):
    src = _tar(tmp_path / "src.tar.gz", FILES)
    md5 = hashlib.md5(src.read_bytes()).hexdigest()
    archive = _archive(src, md5=md5, sha256=_sha256(src), extract=True, extract_to="data")
    dest = tmp_path / "dest"
    path = fetch(archive, dest, progress=False)
    assert path == dest / "tiny.tar.gz" and path.read_bytes() == src.read_bytes()
    assert not (dest / "tiny.tar.gz.part").exists()
    assert not (dest / "tiny.tar.gz.sha256").exists()  # pinned archives need no lock
    for name, data in FILES.items():
        assert (dest / "data" / name).read_bytes() == data
    # a second call neither downloads nor unpacks again
    (dest / "data/Tiny/audio/x.wav").write_bytes(b"edited")
    src.unlink()
    assert fetch(archive, dest, progress=False) == path
    assert (dest / "data/Tiny/audio/x.wav").read_bytes() == b"edited"


def test_checksum_mismatch_keeps_nothing(tmp_path):
    src = _tar(tmp_path / "src.tar.gz", FILES)
    archive = _archive(src, sha256="0" * 64, extract=True)
    dest = tmp_path / "dest"
    with pytest.raises(ChecksumError, match=rf"sha256 is {_sha256(src)}, expected 0{{64}}"):
        fetch(archive, dest, progress=False)
    assert list(dest.iterdir()) == []  # no final file, no .part, nothing unpacked
    with pytest.raises(ChecksumError, match="md5 is"):
        fetch(_archive(src, md5="f" * 32), dest, progress=False)
    assert not any(dest.iterdir())


def test_present_file_that_fails_is_left_for_the_user(tmp_path):
    src = _tar(tmp_path / "src.tar.gz", FILES)
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "tiny.tar.gz").write_bytes(b"truncated")
    with pytest.raises(ChecksumError, match="delete it to download again"):
        fetch(_archive(src, sha256=_sha256(src)), dest, progress=False)
    assert (dest / "tiny.tar.gz").read_bytes() == b"truncated"


def test_unpinned_needs_allow_then_pins_a_lock_that_later_runs_check(tmp_path):
    src = _tar(tmp_path / "src.tar.gz", FILES)
    archive, dest = _archive(src), tmp_path / "dest"
    with pytest.raises(UnpinnedError, match=r"no checksum is published .*allow_unpinned=True"):
        fetch(archive, dest, progress=False)
    assert not dest.exists()
    fetch(archive, dest, allow_unpinned=True, progress=False)
    lock = dest / "tiny.tar.gz.sha256"
    assert lock.read_text() == f"{_sha256(src)}  tiny.tar.gz\n"
    # with a lock the archive counts as pinned: no flag needed, same content passes
    (dest / "tiny.tar.gz").unlink()
    fetch(archive, dest, progress=False)
    # the source changes upstream: the lock catches it and nothing is kept
    (dest / "tiny.tar.gz").unlink()
    _tar(src, {**FILES, "Tiny/extra.txt": b"new"})
    with pytest.raises(ChecksumError, match="expected"):
        fetch(archive, dest, allow_unpinned=True, progress=False)
    assert not (dest / "tiny.tar.gz").exists()
    assert lock.read_text().split()[0] != _sha256(src)


def test_expected_checksum_argument(tmp_path):
    src = _tar(tmp_path / "src.tar.gz", FILES)
    dest = tmp_path / "dest"
    with pytest.raises(ValueError, match="neither an md5 nor a sha256"):
        fetch(_archive(src), dest, expected="abc", progress=False)
    with pytest.raises(ChecksumError, match="contradicts the pinned"):
        fetch(_archive(src, sha256=_sha256(src)), dest, expected="1" * 64, progress=False)
    fetch(_archive(src), dest, expected=_sha256(src).upper(), progress=False)  # no flag needed
    assert (dest / "tiny.tar.gz.sha256").read_text().startswith(_sha256(src))


@pytest.mark.parametrize("name", ["../evil.txt", "Tiny/../../evil.txt", "/tmp/evil_abs.txt"])
@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_extraction_refuses_path_traversal(tmp_path, name, kind):
    build = _tar if kind == "tar" else _zip
    archive = build(tmp_path / f"bad.{kind}", {"Tiny/ok.txt": b"ok", name: b"evil"})
    into = tmp_path / "out" / "into"
    with pytest.raises(ValueError, match="refusing to unpack .* would land outside"):
        extract(archive, into)
    assert not (tmp_path / "out" / "evil.txt").exists()
    assert not (tmp_path / "out" / "into" / "Tiny" / "ok.txt").exists()  # checked before writing


def _tar_with_link(path: Path, name: str, kind: bytes, target: str) -> Path:
    """A tar holding one link ``name`` -> ``target`` of tar type ``kind``."""
    with tarfile.open(path, "w") as t:
        link = tarfile.TarInfo(name)
        link.type, link.linkname = kind, target
        t.addfile(link)
    return path


def test_extraction_refuses_links_out_of_the_folder(tmp_path):
    path = _tar_with_link(tmp_path / "link.tar", "Tiny/passwd", tarfile.SYMTYPE, "../../etc/passwd")
    with pytest.raises(ValueError, match=r"refusing to unpack 'Tiny/\.\./\.\./etc/passwd'"):
        extract(path, tmp_path / "into")
    _tar_with_link(path, "Tiny/hard", tarfile.LNKTYPE, "../outside")
    with pytest.raises(ValueError, match=r"refusing to unpack '\.\./outside'"):
        extract(path, tmp_path / "into")
    assert not (tmp_path / "into" / "Tiny").exists()
    with pytest.raises(ValueError, match="neither a zip nor a tar"):
        extract(_write(tmp_path / "plain.bin", b"just bytes"), tmp_path / "into")


def test_zip_download_is_extracted(tmp_path):
    src = _zip(tmp_path / "src.zip", FILES)
    fetch(_archive(src, sha256=_sha256(src), extract=True), tmp_path / "d", progress=False)
    assert (tmp_path / "d/Tiny/meta/a.csv").read_bytes() == FILES["Tiny/meta/a.csv"]


def test_registry_entries_are_well_formed():
    hexes = {"md5": 32, "sha256": 64}
    for name, a in ARCHIVES.items():
        assert a.name == name and a.url.startswith(("http://", "https://")) and a.layout
        for algo, size in hexes.items():
            value = getattr(a, algo)
            assert value is None or re.fullmatch(f"[0-9a-f]{{{size}}}", value), (name, algo)
        pinned = a.md5 is not None or a.sha256 is not None
        assert pinned == (not a.checksum_source.startswith("none")), name
    assert {"voc2007-trainval", "voc2007-test", "sun397", "sun397-partitions", "esc50"} <= set(
        ARCHIVES
    )
    assert ARCHIVES["voc2007-test"].md5 == "b6e924de25625d8de591ea690078ad9f"


def test_command_line(tmp_path, monkeypatch, capsys):
    src = _tar(tmp_path / "src.tar.gz", FILES)
    monkeypatch.setitem(download.ARCHIVES, "tiny", replace(_archive(src), extract=True))
    with pytest.raises(UnpinnedError):
        download.main(["tiny", "--dest", str(tmp_path / "d")])
    download.main(["tiny", "--dest", str(tmp_path / "d"), "--allow-unpinned"])
    assert capsys.readouterr().out.strip() == str(tmp_path / "d" / "tiny.tar.gz")
    assert (tmp_path / "d/Tiny/audio/x.wav").is_file()
    download.main(["--list"])
    assert "UNPINNED" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        download.main(["no-such-archive"])


def test_package_exports_the_downloader_lazily():
    import soundsight.data as data

    assert data.fetch is fetch and data.ARCHIVES is ARCHIVES and data.Archive is Archive
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = data.nope
