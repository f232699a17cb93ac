// PostgreSQL 15 beside the registry import (#19): a private server started for one bench run
// and a timed `COPY` of the bench's generated subjects into a table shaped like the
// registry's (primary key on the USCC, an index on the registration region), with
// PostgreSQL's defaults otherwise (fsync and synchronous_commit on: a durable load, as the
// registry's import is), so that the two rates come from the same machine in the same run.
//
//   std::ofstream csv(path);
//   for (...) csv << SubjectCsvLine(subject);
//   const PostgresCopy copy = CopyIntoPostgres("/usr/lib/postgresql/15/bin", path, "C");
//   std::printf("%.0f rows/s\n", copy.rows / copy.seconds);
#pragma once

#include <cstdint>
#include <string>

#include "jianguan/subject/v1/subject.pb.h"

namespace jianguan::subject {

/// One CSV line, newline included, with the fields the bench's generator sets, in the
/// column order of the table CopyIntoPostgres creates.
std::string SubjectCsvLine(const v1::Subject& subject);

struct PostgresCopy {
  std::string version;      // the server's, e.g. "PostgreSQL 15.18 (Debian 15.18-0+deb12u1) …"
  int64_t rows = 0;         // rows in the table after the COPY, counted by PostgreSQL
  double seconds = 0;       // the COPY and its commit, from starting psql to its exit
  double size_mib = 0;      // the table with its two indexes (pg_total_relation_size)
  std::string load_before;  // /proc/loadavg as the COPY started
  std::string cpu;          // who used the cores during the COPY
  double server_cpu_s = 0;  // CPU seconds of the server's processes during the COPY
};

/// Makes a cluster of `locale` ("C": text compared bytewise, as RocksDB compares the
/// registry's keys) in a fresh temp dir with the programs in `bin_dir` (as the user postgres
/// when this process is root: PostgreSQL refuses to run as root), starts it listening on a
/// unix socket in that dir only (no TCP, so no port is shared with anything), creates the
/// table and its region index, times `COPY subjects FROM STDIN (FORMAT csv)` fed from
/// `csv_path` by psql, counts the rows, then stops the server and deletes the dir, also
/// when a step fails (std::runtime_error, with the end of the server's log).
PostgresCopy CopyIntoPostgres(const std::string& bin_dir, const std::string& csv_path,
                              const std::string& locale);

/// The first three fields of /proc/loadavg: "1.02 0.87 0.55" (1, 5 and 15 minutes).
std::string LoadAverage();

}  // namespace jianguan::subject
