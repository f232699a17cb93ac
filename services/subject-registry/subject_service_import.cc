// SubjectRegistry: ImportSubjects, the bulk load of subjects from a registration system.
// Each batch is parsed row by row (a row with invalid UTF-8 refuses only that row), checked,
// read with one batched read and decided by the domain (domain/import_decision.h) as it
// arrives, while the batch before it commits (RawBatchReactor); then committed as one unit
// of work with its audit record, on condition that every subject is still as read (else read
// and decided again), and answered.
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
  return new RawBatchReactor(context, [this](const Caller& caller, std::string_view batch) {
    return PrepareImport(caller, batch);
  });
}

// A batch parsed and checked: what every attempt at deciding it starts from.
struct SubjectRegistryService::CheckedBatch {
  Caller caller;
  std::string digest;  // SHA-256 of the batch, for its audit record
  std::vector<v1::ImportRow> rows;
  ImportChecks checks;
  v1::ImportSubjectsResponse parsed;  // the rows that do not parse, refused
};

absl::StatusOr<RawBatchReactor::Commit> SubjectRegistryService::PrepareImport(
    const Caller& caller, std::string_view batch) {
  auto checked = std::make_shared<CheckedBatch>();
  checked->caller = caller;
  ASSIGN_OR_RETURN(checked->rows, ParseRows(batch, checked->parsed));
  // The rows' own checks need no stored data: made once, whatever the attempts below.
  checked->checks = CheckImportRows(rules_, checked->rows, Today());
  checked->digest = store::Sha256Hex(batch);
  // Decided now, on the store as it is while the batch before may still be committing:
  // the commit's preconditions (each subject still as read) catch a row that batch changed,
  // and the batch is then read and decided again.
  ASSIGN_OR_RETURN(DecidedBatch first, DecideRows(*checked));
  auto decided = std::make_shared<DecidedBatch>(std::move(first));
  return RawBatchReactor::Commit([this, checked, decided]() -> absl::StatusOr<std::string> {
    for (int attempt = 0;; ++attempt) {
      absl::Status committed = CommitDecided(*checked, *decided);
      // Another writer changed one of the rows between read and commit: read again.
      if (absl::IsFailedPrecondition(committed) && attempt < 3) {
        ASSIGN_OR_RETURN(*decided, DecideRows(*checked));
        continue;
      }
      RETURN_IF_ERROR(committed);
      if (metrics_ != nullptr) metrics_->CountImport(decided->answer);
      return decided->answer.SerializeAsString();
    }
  });
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

absl::StatusOr<SubjectRegistryService::DecidedBatch> SubjectRegistryService::DecideRows(
    const CheckedBatch& batch) const {
  DecidedBatch decided{.answer = batch.parsed};
  v1::ImportSubjectsResponse& answer = decided.answer;
  // One batched read of every subject the checked rows name.
  ASSIGN_OR_RETURN(const std::vector<std::optional<StoredSubject>> found,
                   subjects_.FindMany(batch.checks.lookups));
  std::vector<const v1::Subject*> stored;
  stored.reserve(found.size());
  for (const auto& subject : found) stored.push_back(subject ? &subject->subject : nullptr);
  const absl::Time now = clock_.Now();
  ImportPlan plan = DecideImport(batch.rows, batch.checks, stored, now);

  for (const RefusedRow& refused : plan.refused) {
    v1::RowError* error = answer.add_errors();
    error->set_row_number(refused.row_number);
    AddRowViolations(*error, refused.violations);
  }
  answer.set_accepted(static_cast<int64_t>(plan.writes.size()));
  answer.set_unchanged(plan.unchanged);
  answer.set_last_row_number(std::max(answer.last_row_number(), plan.last_row_number));
  for (const ImportedSubject& row : plan.writes) {
    subjects_.Save(decided.work, row.stored < 0 ? nullptr : &*found[row.stored], row.subject);
    std::visit([&](const auto& event) { Emit(decided.work, row.subject, event, now); }, row.event);
  }
  RETURN_IF_ERROR(RaiseImportNotifications(decided.work, plan.writes, found, now));
  return decided;
}

absl::Status SubjectRegistryService::CommitDecided(const CheckedBatch& batch,
                                                   DecidedBatch& decided) {
  if (decided.work.empty()) return absl::OkStatus();  // every row refused or unchanged
  const v1::ImportSubjectsResponse& answer = decided.answer;
  return writes_.CommitImport(
      decided.work,
      {.caller = batch.caller,
       .method = methods_("ImportSubjects"),
       .resource = absl::StrCat("subjects (", answer.accepted(), " rows up to row ",
                                answer.last_row_number(), ")")},
      batch.digest);
}

}  // namespace jianguan::subject
