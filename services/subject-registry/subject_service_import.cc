// SubjectRegistry: ImportSubjects, the bulk load of subjects from a registration system.
// Each batch is parsed row by row (a row with invalid UTF-8 refuses only that row), checked,
// read with one batched read, decided by the domain (domain/import_decision.h) and committed
// as one unit of work with its audit record; then answered, then the next batch is read.
#include <algorithm>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/server/grpc_status.h"
#include "libs/server/identity.h"
#include "libs/write/import_rows.h"
#include "services/subject-registry/domain/import_decision.h"
#include "services/subject-registry/registry_metrics.h"
#include "services/subject-registry/subject_service.h"
#include "libs/server/wire_text.h"

namespace jianguan::subject {

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
SubjectRegistryService::ImportSubjects(grpc::CallbackServerContext* context) {
  return new RawBatchReactor(context, [this](const Caller& caller, std::string_view batch)
                                          -> absl::StatusOr<std::string> {
    auto answer = ImportBatch(caller, batch);
    if (!answer.ok()) return answer.status();
    return answer->SerializeAsString();
  });
}

absl::StatusOr<v1::ImportSubjectsResponse> SubjectRegistryService::ImportBatch(
    const Caller& caller, std::string_view batch) {
  v1::ImportSubjectsResponse parsed;  // the rows that do not parse, refused
  ASSIGN_OR_RETURN(const std::vector<v1::ImportRow> rows, ParseRows(batch, parsed));
  // The rows' own checks need no stored data: made once, whatever the attempts below.
  const ImportChecks checks = CheckImportRows(rules_, rows, Today());
  for (int attempt = 0;; ++attempt) {
    auto answer = CommitRows(caller, batch, rows, checks, parsed);
    // Another writer changed one of the rows between read and commit: read again.
    if (answer.status().code() == absl::StatusCode::kFailedPrecondition && attempt < 3) continue;
    if (answer.ok() && metrics_ != nullptr) metrics_->CountImport(*answer);
    return answer;
  }
}

absl::StatusOr<std::vector<v1::ImportRow>> SubjectRegistryService::ParseRows(
    std::string_view batch, v1::ImportSubjectsResponse& answer) const {
  std::vector<v1::ImportRow> rows;
  int row_index = 0;
  const bool well_formed = ForEachField(
      batch,
      [&](int number, std::string_view bytes) {
        if (number != 1) return;  // ImportSubjectsRequest.rows
        const int index = row_index++;
        auto row = ParseRequest<v1::ImportRow>(bytes);
        if (row.ok()) {
          rows.push_back(std::move(*row));
          return;
        }
        v1::RowError* error = answer.add_errors();
        const int64_t row_number = RowNumberOf(bytes);
        // Without a readable row number the row is named by its place: -1 for the first.
        error->set_row_number(row_number != 0 ? row_number : -(index + 1));
        AddRowViolations(*error, row.status());
      },
      [](int, uint64_t) {});
  if (!well_formed) return InvalidField("rows", "the batch is not a valid message");
  if (row_index > kMaxImportRows) {
    return InvalidField("rows", absl::StrCat("a batch holds at most ", kMaxImportRows, " rows"));
  }
  return rows;
}

absl::StatusOr<v1::ImportSubjectsResponse> SubjectRegistryService::CommitRows(
    const Caller& caller, std::string_view batch, const std::vector<v1::ImportRow>& rows,
    const ImportChecks& checks, v1::ImportSubjectsResponse answer) {
  // One batched read of every subject the checked rows name.
  ASSIGN_OR_RETURN(const std::vector<std::optional<StoredSubject>> found,
                   subjects_.FindMany(checks.lookups));
  std::vector<const v1::Subject*> stored;
  stored.reserve(found.size());
  for (const auto& subject : found) stored.push_back(subject ? &subject->subject : nullptr);
  const absl::Time now = clock_.Now();
  ImportPlan plan = DecideImport(rows, checks, stored, now);

  for (const RefusedRow& refused : plan.refused) {
    v1::RowError* error = answer.add_errors();
    error->set_row_number(refused.row_number);
    AddRowViolations(*error, refused.violations);
  }
  answer.set_accepted(static_cast<int64_t>(plan.writes.size()));
  answer.set_unchanged(plan.unchanged);
  answer.set_last_row_number(std::max(answer.last_row_number(), plan.last_row_number));
  store::UnitOfWork work;
  for (const ImportedSubject& row : plan.writes) {
    subjects_.Save(work, row.stored < 0 ? nullptr : &*found[row.stored], row.subject);
    std::visit([&](const auto& event) { Emit(work, row.subject, event, now); }, row.event);
  }
  RETURN_IF_ERROR(RaiseImportNotifications(work, plan.writes, found, now));
  if (work.empty()) return answer;  // every row refused or unchanged: nothing to commit
  RETURN_IF_ERROR(writes_.CommitImport(
      work,
      {.caller = caller,
       .method = methods_("ImportSubjects"),
       .resource = absl::StrCat("subjects (", answer.accepted(), " rows up to row ",
                                answer.last_row_number(), ")")},
      store::Sha256Hex(batch)));
  return answer;
}

}  // namespace jianguan::subject
