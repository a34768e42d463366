"""The parse cache: the same records as parsing, and every change to a file seen."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tousu.storage import parsecache
from tousu.storage import records
from tousu.storage.store import Store


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(parsecache, "MIN_FILES", 0)
    monkeypatch.setenv("TOUSU_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _lines(cs):
    return [(c.path, [e.line for e in c.history]) for c in cs]


@pytest.fixture
def three(cli, data_dir: Path) -> list[str]:
    ids = [cli.add(received_at=f"2026-11-0{d} 09:00") for d in (2, 3, 4)]
    cli("dispatch", ids[0], "--unit", "城关供电所", "--at", "2026-11-02 09:30")
    cli("extend", ids[0], "--until", "2026-11-30", "--reason", "情况复杂", "--approved-by", "王五",
        "--at", "2026-11-02 10:00")
    return ids


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(path: Path):
        raise AssertionError(f"parsed {path} although it was cached")

    monkeypatch.setattr(records, "read", boom)


def test_second_load_comes_from_the_cache_and_is_identical(three, data_dir, monkeypatch, _cache) -> None:
    first, problems = Store(data_dir).load_all()
    assert not problems and len(first) == 3
    assert list(_cache.rglob("2026-11.json"))
    _no_parsing(monkeypatch)
    again, problems = Store(data_dir).load_all()
    assert again == first and _lines(again) == _lines(first) and not problems
    assert [c.history[-1].until for c in again] == [c.history[-1].until for c in first]
    assert again[0].received_at.tzinfo is first[0].received_at.tzinfo


def test_any_change_to_a_file_is_seen(three, data_dir, cli) -> None:
    Store(data_dir).load_all()
    path = Store(data_dir).path_for(three[1])
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    # A hand edit of the same length, with the old timestamps put back.
    path.write_text(text.replace("王小明", "王大明"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    cs, _ = Store(data_dir).load_all()
    assert [c.customer.name for c in cs if c.id == three[1]] == ["王大明"]
    cli("dispatch", three[2], "--unit", "东城供电所", "--at", "2026-11-04 09:30")
    cs, _ = Store(data_dir).load_all()
    assert [c.unit for c in cs if c.id == three[2]] == ["东城供电所"]


def test_a_broken_file_is_reported_every_time(three, data_dir) -> None:
    path = Store(data_dir).path_for(three[1])
    path.write_text(path.read_text(encoding="utf-8").replace("channel: 来电", "channel: [来电"), encoding="utf-8")
    for _ in range(2):
        cs, problems = Store(data_dir).load_all()
        assert len(cs) == 2 and len(problems) == 1 and problems[0].path == path


def test_a_damaged_or_foreign_cache_is_ignored(three, data_dir, _cache) -> None:
    expected, _ = Store(data_dir).load_all()
    (shard,) = _cache.rglob("2026-11.json")
    for junk in ("{not json", json.dumps({"format": "other", "records": {}}),
                 json.dumps({"format": parsecache.fingerprint(),
                             "records": {f"{three[0]}.yaml": ["0" * 32, []], f"{three[1]}.yaml": "x"}})):
        shard.write_text(junk, encoding="utf-8")
        cs, problems = Store(data_dir).load_all()
        assert cs == expected and _lines(cs) == _lines(expected) and not problems
    # An entry whose hash matches but whose content is damaged is a miss, not a crash.
    data = json.loads(shard.read_text(encoding="utf-8"))
    good = data["records"][f"{three[0]}.yaml"][1]
    record = json.loads(good)
    no_time, foreign = json.loads(good), json.loads(good)
    del no_time[12][0]["at"]  # an event without its time
    foreign[12][0]["colour"] = "red"  # a field Event does not have
    for damaged in (["truncated"], good[:-5], json.dumps(no_time), json.dumps(foreign), json.dumps(record[:3])):
        data["records"][f"{three[0]}.yaml"][1] = damaged
        shard.write_text(json.dumps(data), encoding="utf-8")
        cs, _ = Store(data_dir).load_all()
        assert cs == expected and _lines(cs) == _lines(expected)


def test_switched_off_or_unwritable_cache_changes_nothing(three, data_dir, monkeypatch, tmp_path) -> None:
    expected, _ = Store(data_dir).load_all()
    monkeypatch.setenv("TOUSU_NO_CACHE", "1")
    monkeypatch.setenv("TOUSU_CACHE_DIR", str(tmp_path / "off"))
    assert Store(data_dir).load_all()[0] == expected
    assert not (tmp_path / "off").exists()
    monkeypatch.delenv("TOUSU_NO_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TOUSU_CACHE_DIR", str(blocker / "cache"))
    assert Store(data_dir).load_all()[0] == expected


def test_nothing_is_written_into_the_data_folder(three, data_dir) -> None:
    before = sorted(p.relative_to(data_dir) for p in data_dir.rglob("*"))
    Store(data_dir).load_all()
    Store(data_dir).load_all()
    assert sorted(p.relative_to(data_dir) for p in data_dir.rglob("*")) == before


def test_small_folders_do_without(three, data_dir, monkeypatch, _cache) -> None:
    monkeypatch.setattr(parsecache, "MIN_FILES", 200)
    Store(data_dir).load_all()
    assert not _cache.exists()


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    read: list[Path] = []
    real = records.record_bytes

    def spy(path: Path, *a, **k):
        read.append(path)
        return real(path, *a, **k)

    monkeypatch.setattr(records, "record_bytes", spy)
    return read


def test_an_unchanged_file_is_trusted_by_its_stat_key_as_git_does(three, data_dir, monkeypatch) -> None:
    """A file whose size, mtime, ctime and inode are what they were when its bytes were read (and not
    racily so) is taken from the cache without reading it; a same-length edit with the old mtime put
    back changes the ctime, and is read (and seen)."""
    monkeypatch.setattr(parsecache, "RACY_NS", 0)  # the files were written before the first load began
    first, _ = Store(data_dir).load_all()
    read = _no_reading(monkeypatch)
    again, _ = Store(data_dir).load_all()
    assert read == [] and again == first and _lines(again) == _lines(first)
    path = Store(data_dir).path_for(three[1])
    st = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("王小明", "王大明"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    cs, _ = Store(data_dir).load_all()
    assert read == [path] and [c.customer.name for c in cs if c.id == three[1]] == ["王大明"]


def test_a_racily_clean_file_is_read_again_until_it_is_not(three, data_dir, monkeypatch) -> None:
    """Modified within RACY_NS of the load that read it: its stat key could hide a second write in the
    same timestamp, so the next load reads and hashes it again (and, once it is old enough, trusts it)."""
    first, _ = Store(data_dir).load_all()  # RACY_NS of 2 s: the files were just written
    read = _no_reading(monkeypatch)
    Store(data_dir).load_all()
    assert sorted(read) == sorted(Store(data_dir).path_for(i) for i in three)
    monkeypatch.setattr(parsecache, "RACY_NS", 0)
    read.clear()
    Store(data_dir).load_all()  # read once more (the entries were racy), now stored with a trusted key
    assert len(read) == 3
    read.clear()
    again, _ = Store(data_dir).load_all()
    assert read == [] and again == first
