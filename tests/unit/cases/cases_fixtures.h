// Shared test data of the case domain tests: the real working-day calendar, a draft case of
// an organisation, and steps spelt briefly (a step by two officers unless told otherwise).
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/time/civil_time.h"
#include "jianguan/cases/v1/cases.pb.h"
#include "libs/core/calendar.h"
#include "services/cases/domain/procedure.h"

namespace jianguan::cases::fixtures {

inline constexpr char kScjg[] = "330700-SCJG";
inline constexpr char kUscc[] = "91110000600037341L";

inline std::string DataRoot() {
  const char* root = std::getenv("JG_DATA_ROOT");
  return root != nullptr ? root : "data";
}

/// data/calendar/cn_workdays.csv, loaded once; the tests fail loudly when it cannot be read.
inline const WorkingDayCalendar& Calendar() {
  static const WorkingDayCalendar calendar = [] {
    absl::StatusOr<WorkingDayCalendar> loaded =
        WorkingDayCalendar::Load(DataRoot() + "/calendar/cn_workdays.csv");
    if (!loaded.ok()) FAIL("cannot load the calendar: " << loaded.status().ToString());
    return *std::move(loaded);
  }();
  return calendar;
}

inline absl::CivilDay Day(int year, int month, int day) { return absl::CivilDay(year, month, day); }

/// A draft case of an organisation, ready for FILE.
inline v1::Case Draft(bool legal_review_required = false) {
  v1::Case c;
  c.set_name("cases/c-2026-0001");
  c.set_lead("leads/l-2026-0001");
  c.set_uscc(kUscc);
  c.set_party_kind(v1::PARTY_KIND_ORGANISATION);
  c.mutable_department()->set_code(kScjg);
  c.add_item_codes("ITEM-1");
  c.set_legal_review_required(legal_review_required);
  return c;
}

inline CaseStep Step(v1::CaseAction action, absl::CivilDay date,
                     std::vector<std::string> officers = {"OFF-1", "OFF-2"}) {
  CaseStep step;
  step.action = action;
  step.date = date;
  step.actor.mutable_department()->set_code(kScjg);
  step.actor.set_user_id("OFF-1");
  step.officer_ids = std::move(officers);
  return step;
}

/// A fine of `yuan` yuan, the only penalty.
inline v1::Penalty Fine(int64_t yuan) {
  v1::Penalty penalty;
  penalty.add_kinds(v1::PENALTY_KIND_FINE);
  penalty.mutable_fine()->set_fen(yuan * 100);
  penalty.set_legal_basis("《食品安全法》第一百二十四条");
  return penalty;
}

inline v1::Penalty Warning() {
  v1::Penalty penalty;
  penalty.add_kinds(v1::PENALTY_KIND_WARNING);
  return penalty;
}

inline CaseStep WithPenalty(CaseStep step, v1::Penalty penalty) {
  step.penalty = std::move(penalty);
  return step;
}

inline CaseStep WithNote(CaseStep step, std::string note) {
  step.note = std::move(note);
  return step;
}

/// `c` after `step`, which must succeed.
inline v1::Case Then(const v1::Case& c, const CaseStep& step) {
  absl::StatusOr<v1::Case> after = Apply(c, step, Calendar());
  INFO(v1::CaseAction_Name(step.action) << " from " << v1::CaseState_Name(c.state()));
  REQUIRE(after.status().ToString() == "OK");
  return *std::move(after);
}

/// A case filed on `filed` and investigated from the same day.
inline v1::Case Investigating(absl::CivilDay filed, bool legal_review_required = false) {
  v1::Case c = Then(Draft(legal_review_required), Step(v1::CASE_ACTION_FILE, filed, {}));
  return Then(c, Step(v1::CASE_ACTION_START_INVESTIGATION, filed));
}

/// A case whose notice of a 5,000-yuan fine was served on `served`.
inline v1::Case Noticed(absl::CivilDay filed, absl::CivilDay served,
                        bool legal_review_required = false) {
  v1::Case c = Investigating(filed, legal_review_required);
  if (legal_review_required) {
    c = Then(c, Step(v1::CASE_ACTION_SUBMIT_FOR_REVIEW, served));
    CaseStep pass = Step(v1::CASE_ACTION_PASS_REVIEW, served, {});
    pass.actor.set_user_id("LEGAL-1");
    c = Then(c, pass);
  }
  return Then(c, WithPenalty(Step(v1::CASE_ACTION_NOTICE, served), Fine(5000)));
}

}  // namespace jianguan::cases::fixtures
