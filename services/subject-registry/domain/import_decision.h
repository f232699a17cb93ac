// What one ImportSubjects batch decides, row by row, in two steps around the one batched
// read the handler makes:
//
//   ImportChecks checks = CheckImportRows(rules, rows, today);     // no stored data needed
//   ... found = subjects_.FindMany(checks.lookups) ...             // one read per batch
//   ImportPlan plan = DecideImport(rows, checks, stored_subjects, now);
//
// A row is refused (its violations), unchanged (the registered data equals the stored
// subject's: a re-import), a new subject, or an update of the stored one. The plan is plain
// values; the handler turns it into one unit of work and the batch's answer.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jianguan/subject/v1/events.pb.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "libs/core/field_violations.h"
#include "services/subject-registry/domain/subject_rules.h"

namespace jianguan::subject {

/// The most rows one batch may hold (subject.proto, ImportSubjectsRequest).
inline constexpr int kMaxImportRows = 5000;

/// The outcome of the checks that need no stored data.
struct ImportChecks {
  /// One entry per row, in row order; empty when the row passed.
  std::vector<FieldViolations> violations;
  /// The USCCs of the rows that passed, in row order: what the handler reads (they point
  /// into the rows, which must outlive the checks).
  std::vector<std::string_view> lookups;
};

/// Every row's own checks (row_number ≥ 1, CheckSubject under "subject") and, for the rows
/// that pass them, that no earlier row of the batch names the same USCC.
ImportChecks CheckImportRows(const SubjectRules& rules, const std::vector<v1::ImportRow>& rows,
                             absl::CivilDay today);

/// A row refused with its violations.
struct RefusedRow {
  int64_t row_number = 0;
  std::vector<FieldViolation> violations;
};

/// A row that writes: a new subject, or an update of the stored one.
struct ImportedSubject {
  /// Index into the stored subjects given to DecideImport (the one this row replaces), or
  /// -1 for a new subject.
  int stored = -1;
  /// The subject as it is stored after the row.
  v1::Subject subject;
  std::variant<v1::SubjectRegistered, v1::SubjectUpdated> event;
};

struct ImportPlan {
  /// Refused rows, in row order.
  std::vector<RefusedRow> refused;
  /// Rows that write, in row order; their number is the batch's `accepted`.
  std::vector<ImportedSubject> writes;
  int64_t unchanged = 0;
  /// The highest row number of the batch (0 when it holds no row).
  int64_t last_row_number = 0;
};

/// The decision for every row. `stored[i]` is the stored subject named by
/// `checks.lookups[i]`, or null when none is registered. A stored subject of another type
/// refuses the row (the type cannot change); a row whose registered data equals the stored
/// subject's is unchanged; any other row replaces every imported field (ImportedFields) of
/// the stored subject, or registers a new one.
ImportPlan DecideImport(const std::vector<v1::ImportRow>& rows, const ImportChecks& checks,
                        const std::vector<const v1::Subject*>& stored, absl::Time now);

}  // namespace jianguan::subject
