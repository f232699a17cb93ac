// A small credit model and the events it scores, shared by the credit tests: fines below and
// from 10,000 yuan, a serious violation above both, a breached commitment with its one-year
// ban on approval by commitment (Pujiang), the default bands and grade D's restrictions.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "services/credit/domain/credit_model.h"

namespace jianguan::credit::testing {

inline constexpr char kTestModelText[] = R"pb(
  version: "t.1"
  effective_date { year: 2026 month: 1 day: 1 }
  source: "credit tests"
  bands { a_min: 90 b_min: 80 c_min: 60 }
  grade_d_measures: [ MEASURE_SUBSIDY, MEASURE_HONOUR, MEASURE_TENDER, MEASURE_COMMITMENT_APPROVAL ]
  grade_d_basis: "国发〔2016〕33号"
  rules {
    id: "FINE-SMALL" name: "罚款一万元以下" department { code: "330700-SCJG" }
    event_type: "jianguan.cases.v1.PenaltyDecided"
    conditions { field: "fine.fen" op: OPERATOR_LT values: "1000000" }
    points: -5 shown_months: 3 repair_after_months: 6 legal_basis: "小额罚款公示3个月"
  }
  rules {
    id: "FINE-LARGE" name: "罚款一万元以上" department { code: "330700-SCJG" }
    event_type: "jianguan.cases.v1.PenaltyDecided"
    conditions { field: "fine.fen" op: OPERATOR_GE values: "1000000" }
    points: -15 shown_months: 36 repair_after_months: 6 legal_basis: "其他行政处罚公示3年"
  }
  rules {
    id: "SERIOUS" name: "情节严重" department { code: "330700-SCJG" } item_code: "SP-01"
    event_type: "jianguan.cases.v1.PenaltyDecided"
    conditions { field: "serious" op: OPERATOR_EQ values: "true" }
    points: -40 shown_months: 36 repair_after_months: 12 priority: 10
    legal_basis: "食品领域修复期1年"
  }
  rules {
    id: "BREACH" name: "告知承诺失信" department { code: "330700-SCJG" }
    event_type: "jianguan.subject.v1.CommitmentResolved"
    conditions { field: "commitment.state" op: OPERATOR_EQ values: "COMMITMENT_STATE_BREACHED" }
    points: -10 shown_months: 12 repair_after_months: 6 legal_basis: "浦江告知承诺"
    restricts { measures: MEASURE_COMMITMENT_APPROVAL months: 12 reason: "告知承诺失信"
                basis: "浦江: 一年内不得适用告知承诺" }
  }
)pb";

inline CompiledModel TestModel() {
  auto text = ParseModelText(kTestModelText, "test model");
  REQUIRE(text.ok());
  auto model = CompiledModel::Compile(*text);
  INFO(model.status().ToString());
  REQUIRE(model.ok());
  return *std::move(model);
}

inline cases::v1::PenaltyDecided Penalty(const std::string& uscc, const std::string& case_name,
                                         int64_t fine_fen, bool serious = false) {
  cases::v1::PenaltyDecided decided;
  decided.mutable_summary()->set_name(case_name);
  decided.mutable_summary()->set_uscc(uscc);
  decided.mutable_summary()->mutable_department()->set_code("330700-SCJG");
  decided.mutable_summary()->set_version(3);
  decided.add_kinds(cases::v1::PENALTY_KIND_FINE);
  decided.mutable_fine()->set_fen(fine_fen);
  decided.set_serious(serious);
  return decided;
}

inline subject::v1::CommitmentResolved Breach(const std::string& uscc, const std::string& id) {
  subject::v1::CommitmentResolved resolved;
  resolved.mutable_facts()->set_uscc(uscc);
  resolved.mutable_facts()->set_status(subject::v1::SUBJECT_STATUS_NORMAL);
  resolved.mutable_facts()->set_version(2);
  resolved.mutable_commitment()->set_id(id);
  resolved.mutable_commitment()->set_state(subject::v1::COMMITMENT_STATE_BREACHED);
  return resolved;
}

}  // namespace jianguan::credit::testing
