// The registry's import (ImportSubjects) from the bytes of one batch on: the rows' own checks
// (CheckImportRows: the USCC, region and industry codes against data/, dates, texts, ID
// numbers, tags, licences) and the decision per row (DecideImport), then the answer built as
// the handler builds it. Properties: a row that passes carries a valid USCC, known codes and
// no USCC twice; every row gets exactly one verdict; and the answer serializes and parses
// back, which a violation quoting input cut inside a character would break (the client then
// cannot read the answer, issue #15 point 6).
//
// Input: an ImportSubjectsRequest in protobuf wire format, as the client sends it. The real
// handler reads the rows one by one with libs/server's wire_text and refuses a row with a
// field that is not UTF-8; protobuf's parser here refuses the whole batch instead, so every
// row that reaches the checks is one the handler would check too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jianguan/subject/v1/subject.pb.h"
#include "libs/core/code_table.h"
#include "libs/core/uscc.h"
#include "libs/write/import_rows.h"
#include "services/subject-registry/domain/import_decision.h"
#include "services/subject-registry/domain/subject_rules.h"
#include "tests/fuzz/fuzz_checks.h"

namespace jianguan::subject {
namespace {

}  // namespace
}  // namespace jianguan::subject

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jianguan;
  using namespace jianguan::subject;
  static const CodeTable& regions = fuzz::ReferenceTable("regions.csv");
  static const CodeTable& industries = fuzz::ReferenceTable("industries.csv");
  static const SubjectRules rules(regions, industries);
  // A fixed day keeps a finding reproducible ("established in the future" depends on it).
  const absl::CivilDay today(2026, 6, 1);
  const absl::Time now = absl::FromCivil(absl::CivilSecond(today), absl::UTCTimeZone());

  v1::ImportSubjectsRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (request.rows_size() > kMaxImportRows) return 0;  // refused whole by the handler
  const std::vector<v1::ImportRow> rows(request.rows().begin(), request.rows().end());

  const ImportChecks checks = CheckImportRows(rules, rows, today);
  JG_FUZZ_CHECK(checks.violations.size() == rows.size());
  std::set<std::string_view> passed;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!checks.violations[i].empty()) continue;
    const v1::Subject& s = rows[i].subject();
    JG_FUZZ_CHECK(Uscc::Parse(s.uscc()).ok());
    JG_FUZZ_CHECK(regions.Contains(s.registration_region().code()));
    JG_FUZZ_CHECK(industries.Contains(s.industry().code()));
    JG_FUZZ_CHECK(passed.insert(s.uscc()).second);
  }
  JG_FUZZ_CHECK(checks.lookups.size() == passed.size());

  // As if every other row's subject were stored already, as sent (unchanged) or with another
  // name (an update), so that both kinds of decision run.
  std::vector<v1::Subject> stored_copies;
  stored_copies.reserve(checks.lookups.size());
  std::vector<const v1::Subject*> stored;
  for (size_t i = 0; i < checks.lookups.size(); ++i) {
    if (i % 2 == 1) {
      stored.push_back(nullptr);
      continue;
    }
    const v1::ImportRow* row = nullptr;
    for (const v1::ImportRow& r : rows) {
      if (r.subject().uscc() == checks.lookups[i]) row = &r;
    }
    JG_FUZZ_CHECK(row != nullptr);
    v1::Subject& copy = stored_copies.emplace_back(NewSubject(row->subject(), now));
    if (i % 4 == 2) copy.set_name(copy.name() + "（旧）");
    stored.push_back(&copy);
  }
  const ImportPlan plan = DecideImport(rows, checks, stored, now);
  JG_FUZZ_CHECK(plan.refused.size() + plan.writes.size() + plan.unchanged == rows.size());

  // The answer as CommitRows builds it must reach the client intact.
  v1::ImportSubjectsResponse answer;
  for (const RefusedRow& refused : plan.refused) {
    v1::RowError* error = answer.add_errors();
    error->set_row_number(refused.row_number);
    AddRowViolations(*error, refused.violations);
    for (const FieldViolation& v : refused.violations) {
      JG_FUZZ_CHECK(IsValidUtf8(v.field) && IsValidUtf8(v.description));
    }
  }
  answer.set_accepted(static_cast<int64_t>(plan.writes.size()));
  answer.set_unchanged(plan.unchanged);
  answer.set_last_row_number(plan.last_row_number);
  v1::ImportSubjectsResponse read_back;
  JG_FUZZ_CHECK(read_back.ParseFromString(answer.SerializeAsString()));
  JG_FUZZ_CHECK(read_back.errors_size() == answer.errors_size());
  for (const ImportedSubject& write : plan.writes) {
    v1::Subject subject;
    JG_FUZZ_CHECK(subject.ParseFromString(write.subject.SerializeAsString()));
  }
  return 0;
}
