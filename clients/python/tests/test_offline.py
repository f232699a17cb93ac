"""What the package does without a broker: the descriptor set's topics and comments, decoding,
flattening into Parquet, the export's manifest, the schema document, the clear errors.

    JG_DESCRIPTOR_SET=build/asan/jianguan.desc .venv/bin/python -m unittest discover -s clients/python/tests

(CTest: analysts_python_test; the end-to-end checks against the real services are
tests/e2e/analysts_e2e_test.cc.)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import unittest
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from jianguan_analysts import AnalystsError, Contracts
from jianguan_analysts.consumer import parse_time
from jianguan_analysts.decode import to_dict
from jianguan_analysts.export import MANIFEST, Manifest, _discard_uncommitted, table_rows
from jianguan_analysts.schema_doc import render
from jianguan_analysts.tables import Layout

CONTRACTS = Contracts.load(os.environ.get("JG_DESCRIPTOR_SET"))


def result_published(outcome: str = "RESULT_OUTCOME_VIOLATION"):
    """A ResultPublished of two departments, built from the descriptor set alone."""
    cls = CONTRACTS.message_class("jianguan.inspection.v1.ResultPublished")
    m = cls()
    m.task.name = "tasks/t1"
    m.task.uscc = "91330702MA2E0T6W3X"
    m.task.lead_department.code = "330700-SCJG"
    m.publication = "tasks/t1/publications/1"
    for code, value in (("330700-SCJG", outcome), ("330700-XFJY", "RESULT_OUTCOME_NO_PROBLEM")):
        d = m.result.departments.add()
        d.department.code = code
        d.category.code = "4"
        d.category.outcome = m.result.departments[0].category.DESCRIPTOR.fields_by_name[
            "outcome"].enum_type.values_by_name[value].number
    m.result.inspection_date.year, m.result.inspection_date.month = 2026, 3
    m.result.inspection_date.day = 20
    return m


class DescriptorsTest(unittest.TestCase):
    def test_topics_and_event_types_follow_from_the_contracts(self) -> None:
        topics = CONTRACTS.topics
        self.assertIn("jianguan.inspection.v1.ResultPublished", topics["jianguan.inspection.v1"])
        # Parts of events are no events.
        self.assertNotIn("jianguan.inspection.v1.TaskSummary", topics["jianguan.inspection.v1"])
        self.assertEqual(topics["jianguan.dlq.v1"], ["jianguan.common.v1.DeadLetter"])
        self.assertEqual(CONTRACTS.topic_of("jianguan.credit.v1.CreditGradeChanged"),
                         "jianguan.credit.v1")

    def test_comments_carry_the_chinese_terms(self) -> None:
        self.assertIn("结果公示", CONTRACTS.comment("jianguan.inspection.v1.ResultPublished"))
        self.assertIn("统一社会信用代码", CONTRACTS.comment("jianguan.credit.v1.CreditGradeChanged.uscc"))
        self.assertIn("未发现问题", CONTRACTS.comment(
            "jianguan.inspection.v1.ResultOutcome.RESULT_OUTCOME_NO_PROBLEM"))

    def test_a_missing_set_is_one_clear_error(self) -> None:
        with self.assertRaisesRegex(AnalystsError, "cannot read the descriptor set"):
            Contracts.load("/nonexistent/jianguan.desc")
        with tempfile.NamedTemporaryFile(suffix=".desc") as f:
            f.write(b"\xff\xff not a descriptor set")
            f.flush()
            with self.assertRaisesRegex(AnalystsError, "descriptor set"):
                Contracts.load(f.name)


class DecodeTest(unittest.TestCase):
    def test_every_field_by_proto_name_with_names_for_enums_and_dates(self) -> None:
        data = to_dict(result_published())
        self.assertEqual(data["task"]["lead_department"], {"code": "330700-SCJG"})
        self.assertEqual(data["result"]["departments"][0]["category"]["outcome"],
                         "RESULT_OUTCOME_VIOLATION")
        self.assertEqual(data["result"]["inspection_date"], dt.date(2026, 3, 20))
        self.assertIsNone(data["abnormal_listing"])  # an unset message
        self.assertEqual(data["corrects"], "")  # an unset scalar: its default

    def test_positions_in_time(self) -> None:
        self.assertEqual(parse_time("2026-03-01").utcoffset(), dt.timedelta(hours=8))
        self.assertEqual(parse_time("2026-03-01T00:00:00Z").utcoffset(), dt.timedelta(0))
        with self.assertRaisesRegex(AnalystsError, "no position"):
            parse_time("yesterday")


class TablesTest(unittest.TestCase):
    def test_flattened_columns_land_in_parquet_and_read_back_in_duckdb(self) -> None:
        layout = Layout(CONTRACTS, "jianguan.inspection.v1.ResultPublished")
        names = [c.name for c in layout.columns]
        self.assertEqual(names[:3], ["ce_id", "ce_type", "ce_source"])
        self.assertIn("task__lead_department__code", names)
        self.assertIn("result__departments", names)
        envelope = {"ce_id": "id-1", "ce_type": layout.type_name,
                    "ce_time": dt.datetime(2026, 3, 20, 2, tzinfo=dt.timezone.utc)}
        rows = [layout.row(envelope, to_dict(result_published())),
                layout.row(dict(envelope, ce_id="id-2"),
                           to_dict(result_published("RESULT_OUTCOME_NO_PROBLEM")))]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "t.parquet"
            pq.write_table(layout.table(rows), path)
            got = duckdb.execute(
                "SELECT d.department.code, d.category.outcome, result__inspection_date "
                "FROM read_parquet(?), UNNEST(result__departments) AS u(d) ORDER BY ce_id, 1",
                [str(path)]).fetchall()
        self.assertEqual(got[0], ("330700-SCJG", "RESULT_OUTCOME_VIOLATION", dt.date(2026, 3, 20)))
        self.assertEqual(len(got), 4)

    def test_every_event_type_has_a_writable_table(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            for types in CONTRACTS.topics.values():
                for type_name in types:
                    layout = Layout(CONTRACTS, type_name)
                    message = CONTRACTS.message_class(type_name)()
                    table = layout.table([layout.row({"ce_id": "x"}, to_dict(message))])
                    pq.write_table(table, Path(tmp) / f"{type_name}.parquet")
                    self.assertEqual(table.num_rows, 1, type_name)


class ManifestTest(unittest.TestCase):
    def test_files_no_finished_run_listed_are_discarded(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            kept = out / "T" / "date=2026-03-20" / "part-000001-000.parquet"
            stray = out / "T" / "date=2026-03-20" / "part-000002-000.parquet"
            kept.parent.mkdir(parents=True)
            layout = Layout(CONTRACTS, "jianguan.credit.v1.CreditGradeChanged")
            for path in (kept, stray):
                pq.write_table(layout.table([layout.row({"ce_id": "x"}, {})]), path)
            manifest = Manifest(offsets={"jianguan.credit.v1": {"0": 1}},
                                files=["T/date=2026-03-20/part-000001-000.parquet"],
                                runs=[{"run": 1}])
            manifest.save(out)
            self.assertEqual(Manifest.load(out).next_run(), 2)
            self.assertEqual(_discard_uncommitted(out, Manifest.load(out)),
                             ["T/date=2026-03-20/part-000002-000.parquet"])
            self.assertTrue(kept.exists())
            self.assertEqual(table_rows(out), {"T": 1})

    def test_a_foreign_manifest_is_refused(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / MANIFEST).write_text(json.dumps({"format": "other"}))
            with self.assertRaisesRegex(AnalystsError, "not an export manifest"):
                Manifest.load(Path(tmp))


class SchemaDocTest(unittest.TestCase):
    def test_every_topic_and_event_type_is_documented(self) -> None:
        text = render(CONTRACTS)
        for topic, types in CONTRACTS.topics.items():
            self.assertIn(f"## {topic}", text)
            for type_name in types:
                self.assertIn(f"### {type_name}", text)
        self.assertIn("`RESULT_OUTCOME_VIOLATION`", text)
        self.assertEqual(text, render(CONTRACTS))  # stable, so the check can compare


if __name__ == "__main__":
    unittest.main()
