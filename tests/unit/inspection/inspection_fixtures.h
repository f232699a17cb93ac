// Shared test data of the inspection tests: two departments, a form each (one check point
// with a finding answer), a drawn task for both (联合检查), and a result that passes.
#pragma once

#include <cstdlib>
#include <string>

#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "jianguan/inspection/v1/inspection.pb.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "libs/testing/dates.h"

namespace jianguan::inspection::fixtures {

inline constexpr char kScjg[] = "330700-SCJG";
inline constexpr char kWjw[] = "330700-WJW";
inline constexpr char kUscc[] = "91110000600037341L";

inline std::string DataRoot() {
  const char* root = std::getenv("JG_DATA_ROOT");
  return root != nullptr ? root : "data";
}

// Form `code` of `department` asking check point CP-1 about `item`: Y (符合) or N (不符合,
// a finding).
inline catalogue::v1::FormTemplate Form(const std::string& code, const std::string& department,
                                        const std::string& item, int version = 1) {
  catalogue::v1::FormTemplate form;
  form.set_code(code);
  form.set_version(version);
  form.add_departments()->set_code(department);
  catalogue::v1::FormCheckPoint& cp = *form.add_check_points();
  cp.set_item_code(item);
  cp.set_item_version(1);
  cp.mutable_department()->set_code(department);
  cp.mutable_check_point()->set_code("CP-1");
  cp.mutable_check_point()->set_question("是否公示营业执照");
  auto* yes = cp.mutable_check_point()->add_allowed_answers();
  yes->set_code("Y");
  yes->set_label("符合");
  auto* no = cp.mutable_check_point()->add_allowed_answers();
  no->set_code("N");
  no->set_label("不符合");
  no->set_finding(true);
  return form;
}

// An active inspector of `department`, authorised for `item`, with a certificate valid
// 2025-01-01 … 2028-12-31 (the drawn task is due 2026-12-31).
inline catalogue::v1::Inspector Inspector(const std::string& id, const std::string& department,
                                          const std::string& item, int64_t version = 1) {
  catalogue::v1::Inspector inspector;
  inspector.set_id(id);
  inspector.set_name("执法人员" + id);
  inspector.mutable_department()->set_code(department);
  inspector.mutable_certificate()->set_number("ZJ" + id);
  *inspector.mutable_certificate()->mutable_valid_from() = testing::DateOf(2025, 1, 1);
  *inspector.mutable_certificate()->mutable_valid_until() = testing::DateOf(2028, 12, 31);
  if (!item.empty()) inspector.add_authorised_items(item);
  inspector.set_status(catalogue::v1::INSPECTOR_STATUS_ACTIVE);
  inspector.set_version(version);
  return inspector;
}

inline sampling::v1::TaskDrawn JointDraw(int64_t task_number = 1) {
  sampling::v1::TaskDrawn drawn;
  drawn.set_plan("plans/2026-jinhua-q4");
  drawn.set_task_number(task_number);
  drawn.set_uscc(kUscc);
  drawn.set_subject_name("金华某餐饮有限公司");
  for (const auto& [department, item] : {std::pair{kScjg, "ITEM-1"}, std::pair{kWjw, "ITEM-2"}}) {
    auto& d = *drawn.add_departments();
    d.mutable_department()->set_code(department);
    auto& i = *d.add_items();
    i.set_code(item);
    i.set_version(1);
  }
  for (const auto& [id, department] : {std::pair{"INS-1", kScjg}, std::pair{"INS-2", kWjw}}) {
    auto& inspector = *drawn.add_inspectors();
    inspector.set_inspector_id(id);
    inspector.set_name(std::string("执法人员") + id);
    inspector.set_certificate_no(std::string("ZJ") + id);
    inspector.mutable_department()->set_code(department);
  }
  *drawn.mutable_period_start() = testing::DateOf(2026, 9, 1);
  *drawn.mutable_period_end() = testing::DateOf(2026, 12, 31);
  return drawn;
}

// A result for the joint task that every check accepts: SCJG answers N (a finding, transfer
// to case handling), WJW answers Y.
inline v1::Result PassingResult(bool transfer = true) {
  v1::Result result;
  for (const auto& [department, form, item, answer] :
       {std::tuple{kScjg, "FORM-A", "ITEM-1", "N"}, std::tuple{kWjw, "FORM-B", "ITEM-2", "Y"}}) {
    auto& d = *result.add_departments();
    d.mutable_department()->set_code(department);
    d.mutable_category()->set_code(std::string(answer) == "N" ? "A" : "1");
    d.add_verification_methods(v1::VERIFICATION_METHOD_ON_SITE);
    auto& action = *d.add_actions();
    if (std::string(answer) == "N" && transfer) {
      action.set_measure(v1::FOLLOW_UP_MEASURE_TRANSFER_TO_CASE);
      action.add_departments()->set_code("330700-ZHZF");
    } else {
      action.set_measure(v1::FOLLOW_UP_MEASURE_NONE);
    }
    auto& a = *result.add_answers();
    a.mutable_check_point()->set_form_code(form);
    a.mutable_check_point()->set_item_code(item);
    a.mutable_check_point()->set_check_point_code("CP-1");
    a.set_answer_code(answer);
    if (std::string(answer) == "N") a.set_note("未在显著位置公示营业执照");
  }
  for (const char* id : {"INS-1", "INS-2"}) {
    auto& s = *result.add_inspector_signatures();
    s.set_inspector_id(id);
    s.set_signature_sha256(std::string(64, 'a'));
  }
  auto& rep = *result.mutable_representative();
  rep.set_name("张三");
  rep.set_signature_sha256(std::string(64, 'b'));
  *result.mutable_inspection_date() = testing::DateOf(2026, 9, 18);
  return result;
}

}  // namespace jianguan::inspection::fixtures
