"""The command line: read, export, tables, schema (`python -m jianguan_analysts --help`).

Exit status: 0 done; 1 an error the message names (missing descriptor set, unknown topic,
unreachable broker, a stream that broke off, a schema document out of date); 2 a usage
error (argparse).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from .consumer import Reader
from .descriptors import Contracts
from .errors import AnalystsError
from .export import MANIFEST, export, table_rows
from .schema_doc import render


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON")


def _cmd_read(args: argparse.Namespace) -> int:
    count = 0
    with Reader(args.topics, brokers=args.brokers, start=args.start, group=args.group,
                descriptors=args.descriptors, follow=args.follow, timeout=args.timeout) as reader:
        for event in reader:
            line = {"topic": event.topic, "partition": event.partition, "offset": event.offset,
                    "key": event.key, "id": event.id, "type": event.type, "source": event.source,
                    "time": event.time, "subject": event.subject, "data": event.data}
            sys.stdout.write(json.dumps(line, ensure_ascii=False, default=_json_default) + "\n")
            count += 1
            if args.limit and count >= args.limit:
                break
    sys.stdout.flush()
    print(f"[read] {count} events from {', '.join(args.topics)}", file=sys.stderr)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    started = time.monotonic()
    result = export(args.out, topics=args.topics or None, brokers=args.brokers,
                    descriptors=args.descriptors, timeout=args.timeout)
    total = sum(result.rows.values())
    if result.discarded:
        print(f"[export] removed {len(result.discarded)} file(s) of an unfinished earlier run")
    print(f"[export] run {result.run} into {result.out}: {total} new rows in "
          f"{len(result.files)} files from {len(result.topics)} topics in "
          f"{time.monotonic() - started:.1f} s; offsets in {MANIFEST}")
    for type_name, rows in sorted(result.rows.items()):
        print(f"[export]   {rows:8d}  {type_name}")
    return 0


def _cmd_tables(args: argparse.Namespace) -> int:
    for table, rows in table_rows(args.out).items():
        print(f"{rows:8d}  {table}")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    text = render(Contracts.load(args.descriptors))
    if args.check:
        path = Path(args.check)
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            old, new = current.splitlines(), text.splitlines()
            first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b),
                         min(len(old), len(new)))
            print(f"{path} is out of date with the descriptor set (first difference at line "
                  f"{first + 1}); regenerate it: python -m jianguan_analysts schema "
                  f"--descriptors DESC --out {path}", file=sys.stderr)
            return 1
        print(f"{path} is current")
        return 0
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--descriptors", metavar="DESC",
                        help="the descriptor set (default: $JG_DESCRIPTOR_SET, else the copy "
                             "shipped with the package)")
    kafka = argparse.ArgumentParser(add_help=False)
    kafka.add_argument("--brokers", help="host:port (default: $JG_KAFKA_BROKERS, else "
                                         "127.0.0.1:9092)")
    kafka.add_argument("--timeout", type=float, default=15.0,
                       help="seconds to wait for the broker before giving up (default 15)")
    top = argparse.ArgumentParser(prog="python -m jianguan_analysts",
                                  description="jianguan's Kafka topics for analysts.")
    top.add_argument("-v", "--verbose", action="store_true", help="log the Kafka client's errors")
    sub = top.add_subparsers(dest="command", required=True)

    r = sub.add_parser("read", parents=[common, kafka],
                       help="print events as JSON lines (CloudEvents attributes + data)")
    r.add_argument("topics", nargs="+", metavar="TOPIC")
    r.add_argument("--from", dest="start", metavar="POSITION",
                   help="beginning, end or an ISO 8601 time (Beijing time without a zone); "
                        "default: where --group left off, else the beginning")
    r.add_argument("--group", help="the reader's own consumer group; offsets of the events "
                                    "printed are committed to it")
    r.add_argument("--follow", action="store_true", help="wait for new events (Ctrl-C ends)")
    r.add_argument("--limit", type=int, default=0, help="stop after this many events")
    r.set_defaults(run=_cmd_read)

    e = sub.add_parser("export", parents=[common, kafka],
                       help="append what is new on the topics to Parquet tables")
    e.add_argument("--out", required=True, help="the export directory (created)")
    e.add_argument("--topic", dest="topics", action="append", metavar="TOPIC",
                   help="a topic to export (repeatable; default: every suite topic)")
    e.set_defaults(run=_cmd_export)

    t = sub.add_parser("tables", help="rows per table of an export directory")
    t.add_argument("--out", required=True, help="the export directory")
    t.set_defaults(run=_cmd_tables)

    s = sub.add_parser("schema", parents=[common],
                       help="the schema document (Markdown) from the descriptor set")
    s.add_argument("--out", help="write it here instead of stdout")
    s.add_argument("--check", metavar="FILE",
                   help="exit 1 when FILE differs from what the descriptor set generates")
    s.set_defaults(run=_cmd_schema)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(format="[%(name)s] %(message)s",
                        level=logging.DEBUG if args.verbose else logging.CRITICAL)
    try:
        return args.run(args)
    except AnalystsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): say so, and do not pretend
        # the whole stream was written.
        sys.stderr.write("error: the output was closed before the stream ended\n")
        return 1
