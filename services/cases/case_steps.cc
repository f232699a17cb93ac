#include "services/cases/case_steps.h"

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/string_view_compat.h"
#include "libs/store/store.h"

namespace jianguan::cases {

absl::CivilDay DayOr(FieldViolations& violations, std::string_view field,
                     const common::v1::Date& date, bool has_date, absl::CivilDay today) {
  if (!has_date) return today;
  auto day = ValidDayOf(date);
  if (!day) {
    violations.Add(field, "must be a valid date");
    return today;
  }
  // A step is recorded on or after the day it happened, never before: a date ahead of today
  // would take a number of a later year's sequence and run deadlines from a day not reached.
  if (*day > today) {
    violations.Add(field, absl::StrCat("must not be after today (",
                                       absl::FormatCivilTime(today), ", Beijing)"));
    return today;
  }
  return *day;
}

CaseStep StepOf(const v1::ActRequest& request, absl::CivilDay day, const common::v1::Actor& actor) {
  CaseStep step;
  step.action = request.action();
  step.date = day;
  step.actor = actor;
  step.officer_ids.assign(request.officer_ids().begin(), request.officer_ids().end());
  step.note = request.note();
  step.penalty = request.penalty();
  if (request.has_hearing_date()) {
    if (auto hearing = ValidDayOf(request.hearing_date())) step.hearing_date = *hearing;
  }
  step.waives_rights = request.waives_rights();
  step.party_absent = request.party_absent();
  step.paid_fen = request.paid().fen();
  step.surcharge_fen = request.surcharge_paid().fen();
  return step;
}

CaseStep FilingStepOf(const v1::FileCaseRequest& request, absl::CivilDay day,
                      const common::v1::Actor& actor) {
  CaseStep step;
  step.action = v1::CASE_ACTION_FILE;
  step.date = day;
  step.actor = actor;
  step.officer_ids.assign(request.officer_ids().begin(), request.officer_ids().end());
  step.note = request.note();
  return step;
}

v1::Case DraftOf(const v1::Lead& lead, const v1::FileCaseRequest& request, std::string_view name) {
  v1::Case draft;
  draft.set_name(std::string(name));
  draft.set_lead(lead.name());
  draft.set_uscc(lead.uscc());
  draft.set_party_kind(request.party_kind());
  draft.set_party_name(request.party_name());
  *draft.mutable_department() = lead.department();
  *draft.mutable_item_codes() = request.item_codes();
  draft.set_legal_review_required(request.legal_review_required());
  return draft;
}

v1::Document AddDocument(v1::Case& after, const Issuer& issuer, std::string_view number) {
  v1::CaseStepRecord& step = *after.mutable_history(after.history_size() - 1);
  step.set_document_number(std::string(number));
  const std::string name =
      absl::StrCat(after.name(), "/documents/", after.documents_size() + 1);
  v1::Document document = ComposeDocument(issuer, after, step, number, name);
  document.mutable_ref()->set_sha256(store::Sha256Hex(document.text()));
  *after.add_documents() = document.ref();
  return document;
}

std::string NumberPrefix(std::string_view department_prefix, v1::DocumentKind kind) {
  return absl::StrCat(AbslView(department_prefix), AbslView(KindCharacter(kind)));
}

}  // namespace jianguan::cases
