"""Topics → Parquet, one table per event type, partitioned by day, appended exactly once.

    OUT/
      _offsets.json                                  the next offset of every partition read,
                                                     and every file that holds committed rows
      jianguan.inspection.v1.ResultPublished/
        date=2026-03-20/part-000001-000.parquet      run 1's rows of that Beijing day
        date=2026-03-21/part-000002-000.parquet      run 2's …

A run reads every partition from the offset `_offsets.json` keeps (the beginning for one it
has never read) to the end it finds, writes its files, then replaces `_offsets.json` in one
atomic rename: offsets and the list of files change together. A run that dies before that
rename leaves files the manifest does not list; the next run deletes them first and reads
the same records again. So every record is in the files once, however often a run is
repeated or interrupted. Readers of the directory should not run while an export writes
(or should read the files _offsets.json lists).

The day (`date=`) is the Beijing day of the event's ce_time.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import pyarrow.parquet as pq

from .consumer import Reader, suite_topics
from .descriptors import Contracts
from .errors import AnalystsError
from .tables import Layout, beijing_date

MANIFEST = "_offsets.json"
FORMAT = "jianguan-analysts-export/1"
BATCH_ROWS = 50_000  # rows of one table and day held in memory before they go to a file


@dataclass
class Manifest:
    """What _offsets.json holds."""

    offsets: dict[str, dict[str, int]] = field(default_factory=dict)  # topic → partition → next
    files: list[str] = field(default_factory=list)  # relative to OUT, committed rows only
    runs: list[dict[str, Any]] = field(default_factory=list)
    cluster_id: str | None = None

    @classmethod
    def load(cls, out: Path) -> "Manifest":
        path = out / MANIFEST
        if not path.exists():
            return cls()
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise AnalystsError(f"cannot read {path}: {e}; it keeps what was exported, so "
                                "fix or remove the whole directory") from e
        if doc.get("format") != FORMAT:
            raise AnalystsError(f"{path} is not an export manifest of this package "
                                f"(format {doc.get('format')!r}, expected {FORMAT!r})")
        return cls(offsets=doc["offsets"], files=doc["files"], runs=doc["runs"],
                   cluster_id=doc.get("cluster_id"))

    def save(self, out: Path) -> None:
        """Replaces _offsets.json atomically (write, fsync, rename, fsync the directory)."""
        doc = {"format": FORMAT, "cluster_id": self.cluster_id, "offsets": self.offsets,
               "files": self.files, "runs": self.runs}
        tmp = out / (MANIFEST + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out / MANIFEST)
        _fsync_dir(out)

    def next_run(self) -> int:
        return (self.runs[-1]["run"] + 1) if self.runs else 1


@dataclass
class ExportResult:
    """What one run did."""

    run: int
    out: Path
    rows: Counter = field(default_factory=Counter)  # by event type
    files: list[str] = field(default_factory=list)
    discarded: list[str] = field(default_factory=list)  # files of an unfinished earlier run
    topics: list[str] = field(default_factory=list)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _discard_uncommitted(out: Path, manifest: Manifest) -> list[str]:
    """Deletes the Parquet and temporary files no committed run wrote."""
    listed = set(manifest.files)
    discarded = []
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and (path.suffix == ".tmp" or
                               (path.suffix == ".parquet" and rel not in listed)):
            path.unlink()
            discarded.append(rel)
    return discarded


class _Writer:
    """Rows buffered per (type, day) and written as the run's part files."""

    def __init__(self, out: Path, run: int, contracts: Contracts) -> None:
        self.out, self.run, self.contracts = out, run, contracts
        self.layouts: dict[str, Layout] = {}
        self.buffers: dict[tuple[str, dt.date], list[list[Any]]] = {}
        self.parts: Counter = Counter()
        self.files: list[str] = []

    def add(self, type_name: str, day: dt.date, row_of: Callable[[Layout], list[Any]]) -> None:
        layout = self.layouts.get(type_name)
        if layout is None:
            layout = self.layouts[type_name] = Layout(self.contracts, type_name)
        rows = self.buffers.setdefault((type_name, day), [])
        rows.append(row_of(layout))
        if len(rows) >= BATCH_ROWS:
            self._write(type_name, day)

    def _write(self, type_name: str, day: dt.date) -> None:
        rows = self.buffers.pop((type_name, day), [])
        if not rows:
            return
        part = self.parts[(type_name, day)]
        self.parts[(type_name, day)] += 1
        rel = f"{type_name}/date={day.isoformat()}/part-{self.run:06d}-{part:03d}.parquet"
        final = self.out / rel
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(final.name + ".tmp")
        table = self.layouts[type_name].table(rows)
        with open(tmp, "wb") as f:
            pq.write_table(table, f, compression="zstd")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        self.files.append(rel)

    def finish(self) -> None:
        for type_name, day in list(self.buffers):
            self._write(type_name, day)


def export(out: str | os.PathLike[str], *, topics: Sequence[str] | None = None,
           brokers: str | None = None, descriptors: str | os.PathLike[str] | None = None,
           timeout: float = 15.0) -> ExportResult:
    """Appends what is new on `topics` (default: every suite topic on the broker) to the
    Parquet tables under `out` (module docstring)."""
    contracts = Contracts.load(descriptors)
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    lock = open(root / ".export.lock", "w")
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise AnalystsError(f"another export is writing to {root}") from e
        return _run(root, contracts, topics, brokers, timeout)
    finally:
        lock.close()


def _run(root: Path, contracts: Contracts, topics: Sequence[str] | None, brokers: str | None,
         timeout: float) -> ExportResult:
    manifest = Manifest.load(root)
    result = ExportResult(run=manifest.next_run(), out=root)
    result.discarded = _discard_uncommitted(root, manifest)
    result.topics = list(topics) if topics else suite_topics(brokers, timeout)
    if not result.topics:
        raise AnalystsError("the broker holds no suite topic (jianguan.<domain>.v<n>) yet")
    positions = {(t, int(p)): o for t, parts in manifest.offsets.items() if t in result.topics
                 for p, o in parts.items()}
    started = dt.datetime.now(dt.timezone.utc)
    reader = Reader(result.topics, brokers=brokers, start="beginning", descriptors=contracts,
                    positions=positions, timeout=timeout)
    writer = _Writer(root, result.run, contracts)
    next_offsets: dict[tuple[str, int], int] = {}
    for event in reader:
        if manifest.cluster_id is None:
            manifest.cluster_id = reader.cluster_id
        elif reader.cluster_id and reader.cluster_id != manifest.cluster_id:
            raise AnalystsError(
                f"the broker at {reader.brokers} is cluster {reader.cluster_id}, but {root} was "
                f"exported from cluster {manifest.cluster_id}: its offsets mean nothing here; "
                "export into a new directory")
        writer.add(event.type, beijing_date(event.time),
                   lambda layout: layout.row(event.envelope(), event.data))
        result.rows[event.type] += 1
        next_offsets[(event.topic, event.partition)] = event.offset + 1
    writer.finish()
    result.files = writer.files
    for (topic, partition), offset in next_offsets.items():
        manifest.offsets.setdefault(topic, {})[str(partition)] = offset
    manifest.files = sorted(set(manifest.files) | set(writer.files))
    manifest.runs.append({
        "run": result.run, "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "topics": result.topics, "rows": sum(result.rows.values()),
        "rows_by_type": dict(sorted(result.rows.items())), "files": len(writer.files)})
    manifest.save(root)
    return result


def table_rows(out: str | os.PathLike[str]) -> dict[str, int]:
    """Rows per table (event type) in the files _offsets.json lists (Parquet metadata only)."""
    root = Path(out)
    if not (root / MANIFEST).exists():
        raise AnalystsError(f"{root} holds no export ({MANIFEST} is missing)")
    counts: Counter = Counter()
    for rel in Manifest.load(root).files:
        counts[rel.split("/", 1)[0]] += pq.ParquetFile(root / rel).metadata.num_rows
    return dict(sorted(counts.items()))
