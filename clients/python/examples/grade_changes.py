#!/usr/bin/env python3
"""Credit grade changes (信用风险分类 A–D) per month, from grade to grade, with DuckDB over
an export directory (python -m jianguan_analysts export --out DIR):

    python examples/grade_changes.py DIR

From credit's CreditGradeChanged; the month is the Beijing month of the change's effective
time. A first grading has no previous grade (shown as "-").
"""

import sys
from pathlib import Path

import duckdb

QUERY = """
WITH changes AS (
  SELECT DISTINCT ON (ce_id) *
  FROM read_parquet($files, hive_partitioning = true, union_by_name = true)
)
-- The Beijing month: UTC + 8 hours (China has no summer time).
SELECT strftime(make_timestamp(epoch_us(effective_time) + 28800000000), '%Y-%m') AS month,
       CASE previous_grade WHEN 'CREDIT_GRADE_UNSPECIFIED' THEN '-'
            ELSE replace(previous_grade, 'CREDIT_GRADE_', '') END AS from_grade,
       replace(grade, 'CREDIT_GRADE_', '') AS to_grade,
       count(*) AS changes,
       count(DISTINCT uscc) AS subjects
FROM changes
GROUP BY ALL
ORDER BY month, from_grade, to_grade
"""


def main(out: str) -> int:
    table = Path(out) / "jianguan.credit.v1.CreditGradeChanged"
    if not table.is_dir():
        print(f"no CreditGradeChanged table under {out}: nothing graded yet, or no export",
              file=sys.stderr)
        return 1
    rows = duckdb.execute(QUERY, {"files": str(table / "**" / "*.parquet")}).fetchall()
    print(f"{'month':<8} {'from':>4} {'to':>3} {'changes':>8} {'subjects':>8}")
    for month, before, after, changes, subjects in rows:
        print(f"{month:<8} {before:>4} {after:>3} {changes:>8} {subjects:>8}")
    print(f"{'total':<8} {'':>4} {'':>3} {sum(r[3] for r in rows):>8}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: grade_changes.py EXPORT_DIR")
    sys.exit(main(sys.argv[1]))
