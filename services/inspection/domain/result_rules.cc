#include "services/inspection/domain/result_rules.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/domain/task_lifecycle.h"

namespace jianguan::inspection {
namespace {

using catalogue::v1::FormCheckPoint;
using CheckPointKey = std::tuple<std::string, std::string, std::string>;

CheckPointKey KeyOf(const v1::CheckPointRef& ref) {
  return {ref.form_code(), ref.item_code(), ref.check_point_code()};
}

bool IsSha256(std::string_view hex) {
  return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// The check points the task must answer: those of its forms asked by one of its departments
// about one of that department's items — for a follow-up (回头看), only those of its
// check_points — keyed by (form, item, check point).
std::map<CheckPointKey, const FormCheckPoint*> RequiredCheckPoints(const ResultContext& context) {
  std::map<CheckPointKey, const FormCheckPoint*> required;
  std::set<CheckPointKey> scope;
  for (const v1::CheckPointRef& ref : context.task->check_points()) scope.insert(KeyOf(ref));
  for (const v1::TaskDepartment& department : context.task->departments()) {
    std::set<std::string> items;
    for (const v1::ItemRef& item : department.items()) items.insert(item.code());
    for (const v1::FormRef& ref : department.forms()) {
      auto form = context.forms.find(ref.code());
      if (form == context.forms.end()) continue;
      for (const FormCheckPoint& cp : form->second.check_points()) {
        if (cp.department().code() != department.department().code()) continue;
        if (items.count(cp.item_code()) == 0) continue;
        const CheckPointKey key{ref.code(), cp.item_code(), cp.check_point().code()};
        if (!scope.empty() && scope.count(key) == 0) continue;
        required[key] = &cp;
      }
    }
  }
  return required;
}

const catalogue::v1::AllowedAnswer* AllowedAnswerOf(const FormCheckPoint& cp,
                                                    std::string_view code) {
  for (const auto& answer : cp.check_point().allowed_answers()) {
    if (answer.code() == code) return &answer;
  }
  return nullptr;
}

int32_t TaskFormVersion(const v1::Task& task, std::string_view code) {
  for (const v1::TaskDepartment& department : task.departments()) {
    for (const v1::FormRef& form : department.forms()) {
      if (form.code() == code) return form.version();
    }
  }
  return 0;
}

void CheckAnswers(const v1::Result& result, const ResultContext& context,
                  const std::set<std::string>& listed_evidence, FieldViolations& v) {
  const auto required = RequiredCheckPoints(context);
  std::set<CheckPointKey> answered;
  for (int i = 0; i < result.answers_size(); ++i) {
    const v1::CheckPointAnswer& answer = result.answers(i);
    const std::string field = absl::StrCat("result.answers[", i, "]");
    const int32_t version = TaskFormVersion(*context.task, answer.check_point().form_code());
    if (version == 0) {
      v.Add(field + ".check_point.form_code", "is not one of the task's forms");
      continue;
    }
    if (answer.check_point().form_version() != 0 &&
        answer.check_point().form_version() != version) {
      v.Add(field + ".check_point.form_version",
            absl::StrCat("the task uses version ", version, " of forms/",
                         answer.check_point().form_code()));
      continue;
    }
    auto cp = required.find(KeyOf(answer.check_point()));
    if (cp == required.end()) {
      v.Add(field + ".check_point", "is not a check point of the task's forms and items");
      continue;
    }
    if (!answered.insert(cp->first).second) v.Add(field + ".check_point", "is answered twice");
    const auto* allowed = AllowedAnswerOf(*cp->second, answer.answer_code());
    if (allowed == nullptr) {
      v.Add(field + ".answer_code", absl::StrCat("\"", answer.answer_code(),
                                                 "\" is not an allowed answer of the check point"));
    } else if (allowed->finding() && answer.note().empty()) {
      v.Add(field + ".note", "must explain an answer that records a problem");
    }
    CheckText(v, field + ".note", answer.note(), {.max_chars = 2000});
    for (int e = 0; e < answer.evidence_sha256_size(); ++e) {
      if (listed_evidence.count(answer.evidence_sha256(e)) == 0) {
        v.Add(absl::StrCat(field, ".evidence_sha256[", e, "]"), "is not in result.evidence");
      }
    }
  }
  if (answered.size() < required.size()) {
    v.Add("result.answers", absl::StrCat(required.size() - answered.size(),
                                         " check points of the task's forms are not answered"));
  }
}

// Checks the departments' results (one per participating department, in order), resolving
// their categories; violations are named under `prefix` ("result.departments", or
// "departments" for a correction).
void CheckDepartments(DepartmentResults& departments,
                      const ResultContext& context, std::string_view prefix, FieldViolations& v) {
  const v1::Task& task = *context.task;
  if (departments.size() != task.departments_size()) {
    v.Add(prefix, "must give one result per participating department, in order");
    return;
  }
  for (int i = 0; i < departments.size(); ++i) {
    v1::DepartmentResult& department = departments[i];
    const std::string field = absl::StrCat(AbslView(prefix), "[", i, "]");
    if (department.department().code() != task.departments(i).department().code()) {
      v.Add(field + ".department.code",
            absl::StrCat("must be ", task.departments(i).department().code()));
    }
    context.categories->Resolve(*department.mutable_category(), field + ".category", v);
    std::set<int> methods;
    for (int m : department.verification_methods()) {
      if (m == v1::VERIFICATION_METHOD_UNSPECIFIED || !v1::VerificationMethod_IsValid(m) ||
          !methods.insert(m).second) {
        v.Add(field + ".verification_methods", "must be known and distinct");
      }
    }
    if (methods.empty() || methods.size() > 6) {
      v.Add(field + ".verification_methods", "must list 1–6 methods");
    }
    if (task.state() == v1::TASK_STATE_ACCEPTED && methods.count(v1::VERIFICATION_METHOD_ON_SITE)) {
      v.Add(field + ".verification_methods", "ON_SITE needs ArriveOnSite first");
    }
    const auto& actions = department.actions();
    if (actions.empty() || actions.size() > 6) v.Add(field + ".actions", "must list 1–6 measures");
    for (int a = 0; a < actions.size(); ++a) {
      const v1::FollowUpAction& action = actions[a];
      const std::string af = absl::StrCat(field, ".actions[", a, "]");
      if (action.measure() == v1::FOLLOW_UP_MEASURE_UNSPECIFIED ||
          !v1::FollowUpMeasure_IsValid(action.measure())) {
        v.Add(af + ".measure", "must be a known measure");
      } else if (action.measure() == v1::FOLLOW_UP_MEASURE_NONE && actions.size() > 1) {
        v.Add(af + ".measure", "NONE must stand alone");
      } else if (action.measure() == v1::FOLLOW_UP_MEASURE_TRANSFER_TO_CASE &&
                 action.departments_size() != 1) {
        v.Add(af + ".departments", "must name exactly one receiving department");
      }
      CheckText(v, af + ".note", action.note(),
                {.required = action.measure() == v1::FOLLOW_UP_MEASURE_OTHER, .max_chars = 500});
    }
  }
}

void CheckSignatures(const v1::Result& result, const v1::Task& task, FieldViolations& v) {
  std::set<std::string> signers;
  std::set<std::string> departments;
  for (int i = 0; i < result.inspector_signatures_size(); ++i) {
    const std::string& id = result.inspector_signatures(i).inspector_id();
    const auto inspector = std::find_if(task.inspectors().begin(), task.inspectors().end(),
                                        [&](const auto& x) { return x.inspector_id() == id; });
    if (inspector == task.inspectors().end()) {
      v.Add(absl::StrCat("result.inspector_signatures[", i, "].inspector_id"),
            absl::StrCat("\"", id, "\" is not an inspector of the task"));
      continue;
    }
    signers.insert(id);
    departments.insert(inspector->department().code());
  }
  if (signers.size() < 2) {
    v.Add("result.inspector_signatures",
          "at least two of the task's inspectors must sign (行政处罚法 第四十二条)");
  }
  for (const v1::TaskDepartment& department : task.departments()) {
    if (!signers.empty() && departments.count(department.department().code()) == 0) {
      v.Add("result.inspector_signatures",
            absl::StrCat("no inspector of ", department.department().code(), " signed"));
    }
  }
}

void CheckRepresentative(const v1::Result& result, FieldViolations& v) {
  bool nobody = result.departments_size() > 0;
  for (const auto& department : result.departments()) {
    nobody &= NobodyToMeet(department.category().outcome());
  }
  if (!result.has_representative()) {
    if (!nobody) v.Add("result.representative", "the representative signs or refuses");
    return;
  }
  const v1::RepresentativeSignature& rep = result.representative();
  CheckText(v, "result.representative.name", rep.name(), {.required = true, .max_chars = 50});
  CheckText(v, "result.representative.position", rep.position(), {.max_chars = 50});
  if (rep.has_refusal()) {
    CheckText(v, "result.representative.refusal.note", rep.refusal().note(),
              {.required = true, .max_chars = 500});
  } else if (!IsSha256(rep.signature_sha256())) {
    v.Add("result.representative.signature_sha256", "must be a SHA-256 or a refusal recorded");
  }
}

void CheckEvidence(const v1::Result& result, const ResultContext& context, FieldViolations& v) {
  if (result.evidence_size() > 500) v.Add("result.evidence", "at most 500 files");
  for (int i = 0; i < result.evidence_size(); ++i) {
    if (context.evidence.count(result.evidence(i).sha256()) == 0) {
      v.Add(absl::StrCat("result.evidence[", i, "].sha256"),
            "was not uploaded for this task (UploadEvidence first)");
    }
  }
}

void CheckVerdict(const v1::Result& result, const v1::Task& task, FieldViolations& v) {
  const bool verification = task.origin().source() == v1::TASK_SOURCE_COMMITMENT_VERIFICATION;
  const auto verdict = result.commitment_outcome();
  const bool decided = verdict == subject::v1::COMMITMENT_STATE_FULFILLED ||
                       verdict == subject::v1::COMMITMENT_STATE_BREACHED;
  if (verification && !decided) {
    v.Add("result.commitment_outcome", "must be FULFILLED or BREACHED");
  } else if (!verification && verdict != subject::v1::COMMITMENT_STATE_UNSPECIFIED) {
    v.Add("result.commitment_outcome", "only for commitment verification tasks");
  }
  CheckText(v, "result.commitment_note", result.commitment_note(), {.max_chars = 500});
}

}  // namespace

absl::StatusOr<v1::Result> CheckResult(const v1::Result& submitted, const ResultContext& context) {
  v1::Result result = submitted;
  result.clear_submitted_by();
  result.clear_submit_time();
  FieldViolations v;
  std::set<std::string> listed;
  for (const v1::EvidenceRef& e : result.evidence()) listed.insert(e.sha256());
  CheckDepartments(*result.mutable_departments(), context, "result.departments", v);
  if (result.answers_size() > 2000) v.Add("result.answers", "at most 2000 answers");
  CheckAnswers(result, context, listed, v);
  CheckEvidence(result, context, v);
  CheckSignatures(result, *context.task, v);
  CheckRepresentative(result, v);
  CheckVerdict(result, *context.task, v);
  CheckText(v, "result.summary", result.summary(), {.max_chars = 2000});
  if (!IsRealDate(result.inspection_date()) ||
      DayOf(result.inspection_date()) > DayOf(context.today)) {
    v.Add("result.inspection_date", "must be a real date, not in the future");
  }
  if (absl::Status s = v.ToStatus(); !s.ok()) return s;
  return result;
}

absl::StatusOr<DepartmentResults> CheckCorrectedDepartments(
    const DepartmentResults& departments,
    const ResultContext& context) {
  DepartmentResults corrected = departments;
  FieldViolations v;
  CheckDepartments(corrected, context, "departments", v);
  if (absl::Status s = v.ToStatus(); !s.ok()) return s;
  return corrected;
}

absl::Status CheckDigestSize(const v1::ResultDigest& digest) {
  const size_t bytes = digest.ByteSizeLong();
  if (bytes <= kMaxDigestBytes) return absl::OkStatus();
  return InvalidField("result.answers",
                      absl::StrCat("the result's findings come to ", bytes, " bytes, over the ",
                                   kMaxDigestBytes,
                                   " one result may have (its events carry them whole): "
                                   "shorter notes"));
}

v1::ResultDigest DigestOf(const v1::Result& result, const ResultContext& context) {
  v1::ResultDigest digest;
  *digest.mutable_departments() = result.departments();
  const auto required = RequiredCheckPoints(context);
  for (const v1::CheckPointAnswer& answer : result.answers()) {
    auto cp = required.find(KeyOf(answer.check_point()));
    if (cp == required.end()) continue;
    const auto* allowed = AllowedAnswerOf(*cp->second, answer.answer_code());
    if (allowed == nullptr || !allowed->finding()) continue;
    v1::Finding& finding = *digest.add_findings();
    *finding.mutable_check_point() = answer.check_point();
    finding.mutable_check_point()->set_form_version(
        TaskFormVersion(*context.task, answer.check_point().form_code()));
    finding.set_item_version(cp->second->item_version());
    *finding.mutable_department() = cp->second->department();
    finding.set_question(cp->second->check_point().question());
    *finding.mutable_legal_basis() = cp->second->check_point().legal_basis();
    finding.set_answer_code(allowed->code());
    finding.set_answer_label(allowed->label());
    finding.set_note(answer.note());
    *finding.mutable_evidence_sha256() = answer.evidence_sha256();
  }
  digest.set_answered_count(result.answers_size());
  *digest.mutable_inspection_date() = result.inspection_date();
  for (const auto& signature : result.inspector_signatures()) {
    digest.add_signed_by(signature.inspector_id());
  }
  digest.set_representative_refused(result.representative().has_refusal());
  digest.set_evidence_count(result.evidence_size());
  digest.set_commitment_outcome(result.commitment_outcome());
  return digest;
}

std::vector<v1::LeadTransferred> LeadTransfersOf(const v1::Task& task) {
  std::vector<v1::LeadTransferred> transfers;
  const v1::ResultDigest& digest = task.result_digest();
  for (const v1::DepartmentResult& department : digest.departments()) {
    for (const v1::FollowUpAction& action : department.actions()) {
      if (action.measure() != v1::FOLLOW_UP_MEASURE_TRANSFER_TO_CASE) continue;
      v1::LeadTransferred& lead = transfers.emplace_back();
      *lead.mutable_task() = SummaryOf(task);
      lead.set_transfer(absl::StrCat(task.name(), "/transfers/", transfers.size()));
      *lead.mutable_from_department() = department.department();
      if (action.departments_size() > 0) *lead.mutable_to_department() = action.departments(0);
      *lead.mutable_category() = department.category();
      std::set<CheckPointKey> named;
      for (const auto& ref : action.check_points()) named.insert(KeyOf(ref));
      for (const v1::Finding& finding : digest.findings()) {
        const bool mine = named.empty()
                              ? finding.department().code() == department.department().code()
                              : named.count(KeyOf(finding.check_point())) > 0;
        if (mine) *lead.add_findings() = finding;
      }
      *lead.mutable_evidence() = task.result().evidence();
      *lead.mutable_legal_basis() = action.legal_basis();
      *lead.mutable_inspection_date() = digest.inspection_date();
      lead.set_note(action.note());
    }
  }
  return transfers;
}

std::optional<v1::AbnormalListingProposal> AbnormalListingOf(const v1::ResultDigest& digest) {
  for (const v1::DepartmentResult& department : digest.departments()) {
    if (department.category().outcome() != v1::RESULT_OUTCOME_UNREACHABLE) continue;
    v1::AbnormalListingProposal proposal;
    proposal.set_reason(subject::v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
    *proposal.mutable_department() = department.department();
    return proposal;
  }
  return std::nullopt;
}

}  // namespace jianguan::inspection
