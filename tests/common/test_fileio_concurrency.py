"""Atomic writes from many threads into one directory: each write's temporary directory may be removed by
another write that just finished; none may be lost (the Hub answers a run caches are written this way)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from model_risk.common.fileio import TEMP_DIR, atomic_write


def test_concurrent_writes_into_one_directory_all_land(tmp_path: Path):
    def write(i: int) -> None:
        atomic_write(tmp_path / f"entry-{i}.json", f'{{"n": {i}}}', durable=False)

    for _round in range(5):
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(write, range(200)))
        assert sorted(p.name for p in tmp_path.glob("entry-*.json")) == sorted(f"entry-{i}.json" for i in range(200))
        assert all((tmp_path / f"entry-{i}.json").read_text() == f'{{"n": {i}}}' for i in range(200))
        assert not (tmp_path / TEMP_DIR).exists()  # the last write cleaned up
        for p in tmp_path.glob("entry-*.json"):
            p.unlink()
