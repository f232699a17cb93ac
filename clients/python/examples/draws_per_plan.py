#!/usr/bin/env python3
"""Draws per plan, with the visits joint inspection saved (进一次门、查多项事), with DuckDB
over an export directory (python -m jianguan_analysts export --out DIR):

    python examples/draws_per_plan.py DIR

From sampling's DrawCompleted (the draw's figures: tasks, visits saved = tasks × (departments
− 1)) and the TaskDrawn events of the same plan (one per drawn subject), which must agree.
"""

import sys
from pathlib import Path

import duckdb

QUERY = """
WITH completed AS (
  SELECT DISTINCT ON (ce_id) * FROM read_parquet($completed, hive_partitioning = true,
                                                  union_by_name = true)
),
drawn AS (
  SELECT plan, count(DISTINCT ce_id) AS task_events
  FROM read_parquet($drawn, hive_partitioning = true, union_by_name = true)
  GROUP BY plan
)
-- The Beijing day of the draw: UTC + 8 hours.
SELECT c.plan,
       strftime(make_timestamp(epoch_us(c.draw__draw_time) + 28800000000), '%Y-%m-%d') AS drawn_on,
       c.department_count AS departments,
       c.draw__task_count AS tasks,
       coalesce(d.task_events, 0) AS task_events,
       c.draw__visits_saved AS visits_saved
FROM completed c LEFT JOIN drawn d USING (plan)
ORDER BY c.draw__draw_time, c.plan
"""


def main(out: str) -> int:
    completed = Path(out) / "jianguan.sampling.v1.DrawCompleted"
    drawn = Path(out) / "jianguan.sampling.v1.TaskDrawn"
    if not completed.is_dir() or not drawn.is_dir():
        print(f"no DrawCompleted or TaskDrawn table under {out}: no plan drawn yet, or no export",
              file=sys.stderr)
        return 1
    rows = duckdb.execute(QUERY, {"completed": str(completed / "**" / "*.parquet"),
                                  "drawn": str(drawn / "**" / "*.parquet")}).fetchall()
    print(f"{'plan':<28} {'drawn on':<10} {'departments':>11} {'tasks':>6} "
          f"{'TaskDrawn':>9} {'visits saved':>12}")
    for plan, day, departments, tasks, events, saved in rows:
        print(f"{plan:<28} {day:<10} {departments:>11} {tasks:>6} {events:>9} {saved:>12}")
    print(f"{'total':<28} {'':<10} {'':>11} {sum(r[3] for r in rows):>6} "
          f"{sum(r[4] for r in rows):>9} {sum(r[5] for r in rows):>12}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: draws_per_plan.py EXPORT_DIR")
    sys.exit(main(sys.argv[1]))
