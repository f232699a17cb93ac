#!/usr/bin/env python3
"""The problem-discovery rate (问题发现率) per department and month, with DuckDB over an
export directory (python -m jianguan_analysts export --out DIR):

    python examples/problem_rate.py DIR

Counted as the inspection service's KPI report counts it (services/inspection, problems
found over results): one row per department of each published result (the first
publication of a task; corrections replace, they do not add), month of the inspection date;
a problem found is a violation, a problem pending or rectified, or a serious refusal to
cooperate (ResultOutcome VIOLATION, PROBLEM_PENDING, PROBLEM_RECTIFIED, OBSTRUCTED).
"""

import sys
from pathlib import Path

import duckdb

PROBLEMS = ("RESULT_OUTCOME_VIOLATION", "RESULT_OUTCOME_PROBLEM_PENDING",
            "RESULT_OUTCOME_PROBLEM_RECTIFIED", "RESULT_OUTCOME_OBSTRUCTED")

QUERY = """
WITH published AS (
  -- A record republished by its service keeps its ce_id: count each event once.
  SELECT DISTINCT ON (ce_id) *
  FROM read_parquet($files, hive_partitioning = true, union_by_name = true)
  WHERE corrects = ''
),
per_department AS (
  SELECT d.department.code AS department,
         strftime(result__inspection_date, '%Y-%m') AS month,
         d.category.outcome AS outcome
  FROM published, UNNEST(result__departments) AS u(d)
)
SELECT department, month,
       count(*) AS inspected,
       count(*) FILTER (WHERE outcome IN $problems) AS problems,
       round(100.0 * count(*) FILTER (WHERE outcome IN $problems) / count(*), 2) AS rate_percent
FROM per_department
GROUP BY department, month
ORDER BY department, month
"""


def main(out: str) -> int:
    table = Path(out) / "jianguan.inspection.v1.ResultPublished"
    if not table.is_dir():
        print(f"no ResultPublished table under {out}: nothing published yet, or no export",
              file=sys.stderr)
        return 1
    rows = duckdb.execute(QUERY, {"files": str(table / "**" / "*.parquet"),
                                  "problems": list(PROBLEMS)}).fetchall()
    print(f"{'department':<14} {'month':<8} {'inspected':>9} {'problems':>8} {'rate %':>7}")
    for department, month, inspected, problems, rate in rows:
        print(f"{department:<14} {month:<8} {inspected:>9} {problems:>8} {rate:>7.2f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: problem_rate.py EXPORT_DIR")
    sys.exit(main(sys.argv[1]))
