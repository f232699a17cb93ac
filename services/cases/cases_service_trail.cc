// GetCaseTrail: a case rebuilt from its audit chain (全程留痕). Every step of the case was
// committed in one write with its stored request and an audit record indexed under the same
// key; here each audit record is checked (own hash, link to the record before it), each
// stored request must hash to its record's request_digest, and the requests are replayed
// through the procedure from the lead, with the actor the audit record names and the
// documents recomposed. The replay must give the stored case and the stored documents; any
// difference is DATA_LOSS naming it.
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "libs/core/civil_date.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/server/serve.h"
#include "services/cases/case_steps.h"
#include "services/cases/cases_service.h"

namespace jianguan::cases {
namespace {

// "" when equal, else what differs.
std::string Difference(const google::protobuf::Message& expected,
                       const google::protobuf::Message& actual) {
  google::protobuf::util::MessageDifferencer differencer;
  std::string report;
  differencer.ReportDifferencesToString(&report);
  if (differencer.Compare(expected, actual)) return "";
  return report.empty() ? "they differ" : report;
}

common::v1::Actor ActorOfAudit(const common::v1::AuditRecord& audit) {
  common::v1::Actor actor;
  actor.mutable_department()->set_code(audit.department());
  actor.set_user_id(audit.user_id());
  actor.set_system(audit.system());
  return actor;
}

}  // namespace

grpc::Status CasesService::GetCaseTrail(grpc::ServerContext* context,
                                        const v1::GetCaseTrailRequest* request,
                                        v1::CaseTrail* response) {
  return Serve(context, response, [&](const Caller& c) { return DoGetCaseTrail(c, *request); });
}

absl::StatusOr<v1::CaseTrail> CasesService::DoGetCaseTrail(
    const Caller& caller, const v1::GetCaseTrailRequest& request) const {
  ASSIGN_OR_RETURN(Stored<v1::Case> stored, ReadableCase(caller, request.name()));
  const v1::Case& c = stored.record;
  const std::string id(IdOf(c.name()));
  const auto lost = [&](int64_t version, std::string_view what) {
    return absl::DataLossError(absl::StrCat(c.name(), " step ", version, ": ", AbslView(what)));
  };
  ASSIGN_OR_RETURN(const DepartmentInfo* issuer, IssuerOf(c.department().code(), c.name()));
  ASSIGN_OR_RETURN(std::vector<v1::StoredStep> steps, records_.StepsOf(id));
  if (static_cast<int64_t>(steps.size()) != c.version()) {
    return lost(c.version(), absl::StrCat("the case is at version ", c.version(), " but ",
                                          steps.size(), " steps are stored"));
  }

  v1::CaseTrail trail;
  v1::Case rebuilt;
  for (const v1::StoredStep& step : steps) {
    const int64_t version = static_cast<int64_t>(trail.steps_size()) + 1;
    if (step.version() != version) return lost(version, "the stored steps are not in sequence");
    ASSIGN_OR_RETURN(std::optional<common::v1::AuditRecord> audit,
                     records_.AuditOfStep(id, version));
    if (!audit) return lost(version, "no audit record is indexed for it");
    if (audit->resource() != c.name()) {
      return lost(version, absl::StrCat("its audit record ", audit->sequence(), " is about ",
                                        audit->resource()));
    }
    const absl::CivilDay day = DayOf(step.date());
    const common::v1::Actor actor = ActorOfAudit(*audit);
    absl::StatusOr<v1::Case> after;
    if (version == 1) {
      v1::FileCaseRequest filing;
      if (step.action() != v1::CASE_ACTION_FILE || !filing.ParseFromString(step.request())) {
        return lost(version, "the first step is no filing");
      }
      if (MessageDigest(filing) != audit->request_digest()) {
        return lost(version, "the stored request does not match its audit record's digest");
      }
      ASSIGN_OR_RETURN(std::optional<Stored<v1::Lead>> lead, records_.FindLead(IdOf(c.lead())));
      if (!lead) return lost(version, absl::StrCat("its lead ", c.lead(), " is missing"));
      v1::Lead at_filing = lead->record;
      at_filing.mutable_department()->set_code(audit->department());
      after = Apply(DraftOf(at_filing, filing, c.name()), FilingStepOf(filing, day, actor),
                    calendar_);
    } else {
      v1::ActRequest act;
      if (!act.ParseFromString(step.request()) || act.action() != step.action()) {
        return lost(version, "the stored request does not parse as its action");
      }
      if (MessageDigest(act) != audit->request_digest()) {
        return lost(version, "the stored request does not match its audit record's digest");
      }
      after = Apply(rebuilt, StepOf(act, day, actor), calendar_);
    }
    if (!after.ok()) {
      return lost(version, absl::StrCat("the replay refuses it: ", after.status().message()));
    }
    rebuilt = *std::move(after);
    const v1::Document document =
        AddDocument(rebuilt, {issuer->code, issuer->name}, step.document().number());
    if (std::string diff = Difference(step.document(), document.ref()); !diff.empty()) {
      return lost(version, "its document differs from the stored one: " + diff);
    }
    ASSIGN_OR_RETURN(std::optional<v1::Document> kept,
                     records_.FindDocument(id, rebuilt.documents_size()));
    if (!kept || store::Sha256Hex(kept->text()) != document.ref().sha256()) {
      return lost(version, "the case file's document is missing or was altered");
    }
    v1::TrailStep& out = *trail.add_steps();
    out.set_version(version);
    *out.mutable_audit() = *std::move(audit);
    out.set_action(step.action());
    *out.mutable_date() = step.date();
    *out.mutable_document() = document.ref();
  }
  if (std::string diff = Difference(c, rebuilt); !diff.empty()) {
    return absl::DataLossError(
        absl::StrCat(c.name(), ": the replayed case differs from the stored one: ", diff));
  }
  *trail.mutable_rebuilt() = std::move(rebuilt);
  return trail;
}

}  // namespace jianguan::cases
