#include "services/inspection/domain/task_assembly.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/domain/task_lifecycle.h"

namespace jianguan::inspection {
namespace {

common::v1::Actor SystemActor(std::string_view system) {
  common::v1::Actor actor;
  actor.set_system(std::string(system));
  return actor;
}

// Whether the form asks anything of `department` about `item`.
bool FormCovers(const catalogue::v1::FormTemplate& form, std::string_view department,
                std::string_view item) {
  return std::any_of(form.check_points().begin(), form.check_points().end(),
                     [&](const catalogue::v1::FormCheckPoint& cp) {
                       return cp.item_code() == item && cp.department().code() == department;
                     });
}

bool UsedBy(const catalogue::v1::FormTemplate& form, std::string_view department) {
  return std::any_of(form.departments().begin(), form.departments().end(),
                     [&](const common::v1::DepartmentRef& d) { return d.code() == department; });
}

}  // namespace

bool IsTaskId(std::string_view id) {
  if (id.empty() || id.size() > 100) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string TaskName(std::string_view task_id) { return absl::StrCat("tasks/", AbslView(task_id)); }

std::string DrawnTaskId(std::string_view plan, int64_t task_number) {
  if (!absl::StartsWith(AbslView(plan), "plans/") || task_number < 1) return "";
  std::string id = absl::StrCat("d-", AbslView(plan.substr(6)), "-", task_number);
  return IsTaskId(id) ? id : "";
}

std::string CommitmentTaskId(std::string_view commitment_id) {
  std::string id = absl::StrCat("c-", AbslView(commitment_id));
  return IsTaskId(id) ? id : "";
}

std::string AlertTaskId(std::string_view alert) {
  if (!absl::StartsWith(AbslView(alert), "alerts/") || alert.size() == 7) return "";
  std::string id = absl::StrCat("a-", AbslView(alert.substr(7)));
  return IsTaskId(id) ? id : "";
}

std::vector<v1::FormRef> ChooseForms(std::string_view department,
                                     const google::protobuf::RepeatedPtrField<v1::ItemRef>& items,
                                     const PublishedForms& forms) {
  std::set<std::string> uncovered;
  for (const v1::ItemRef& item : items) uncovered.insert(item.code());
  std::vector<const catalogue::v1::FormTemplate*> candidates;
  for (const auto& form : forms) {
    if (UsedBy(form, department)) candidates.push_back(&form);
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const auto* a, const auto* b) { return a->code() < b->code(); });
  std::vector<v1::FormRef> chosen;
  while (!uncovered.empty()) {
    const catalogue::v1::FormTemplate* best = nullptr;
    size_t best_count = 0;
    for (const auto* form : candidates) {
      const size_t count = std::count_if(uncovered.begin(), uncovered.end(), [&](const auto& i) {
        return FormCovers(*form, department, i);
      });
      if (count > best_count) best = form, best_count = count;
    }
    if (best == nullptr) break;
    for (auto it = uncovered.begin(); it != uncovered.end();) {
      it = FormCovers(*best, department, *it) ? uncovered.erase(it) : std::next(it);
    }
    v1::FormRef& ref = chosen.emplace_back();
    ref.set_code(best->code());
    ref.set_version(best->version());
  }
  return chosen;
}

bool AttachMissingForms(v1::Task& task, const PublishedForms& forms) {
  bool added = false;
  for (v1::TaskDepartment& department : *task.mutable_departments()) {
    if (department.forms_size() > 0 || department.items_size() == 0) continue;
    for (v1::FormRef& form : ChooseForms(department.department().code(), department.items(), forms)) {
      *department.add_forms() = std::move(form);
      added = true;
    }
  }
  return added;
}

v1::Task TaskFromDraw(const sampling::v1::TaskDrawn& drawn, const PublishedForms& forms,
                      absl::Time now) {
  v1::Task task;
  task.set_name(TaskName(DrawnTaskId(drawn.plan(), drawn.task_number())));
  task.set_uscc(drawn.uscc());
  task.set_subject_name(drawn.subject_name());
  v1::TaskOrigin& origin = *task.mutable_origin();
  origin.set_source(v1::TASK_SOURCE_RANDOM_SAMPLING);
  origin.set_plan(drawn.plan());
  origin.set_task_number(drawn.task_number());
  for (const sampling::v1::PlanDepartment& planned : drawn.departments()) {
    v1::TaskDepartment& department = *task.add_departments();
    *department.mutable_department() = planned.department();
    for (const sampling::v1::PlanItem& item : planned.items()) {
      v1::ItemRef& ref = *department.add_items();
      ref.set_code(item.code());
      ref.set_version(item.version());
    }
    for (v1::FormRef& form : ChooseForms(planned.department().code(), department.items(), forms)) {
      *department.add_forms() = std::move(form);
    }
  }
  if (task.departments_size() > 0) {
    *task.mutable_lead_department() = task.departments(0).department();
  }
  *task.mutable_due_date() = drawn.period_end();
  const common::v1::Actor sampling = SystemActor("sampling");
  constexpr std::string_view kTrigger = "jianguan.sampling.v1.TaskDrawn";
  RecordTransition(task, v1::TASK_STATE_CREATED, kTrigger, sampling, now, "");
  for (const sampling::v1::AssignedInspector& drawn_inspector : drawn.inspectors()) {
    v1::TaskInspector& inspector = *task.add_inspectors();
    inspector.set_inspector_id(drawn_inspector.inspector_id());
    inspector.set_name(drawn_inspector.name());
    inspector.set_certificate_no(drawn_inspector.certificate_no());
    *inspector.mutable_department() = drawn_inspector.department();
  }
  RecordTransition(task, v1::TASK_STATE_ASSIGNED, kTrigger, sampling, now, "");
  return task;
}

absl::Status CheckAlertDispatched(const risk::v1::AlertDispatched& dispatched) {
  const risk::v1::AlertSummary& alert = dispatched.alert();
  if (AlertTaskId(alert.name()).empty()) {
    return absl::InvalidArgumentError("alert.name: not an alert name usable in a task id");
  }
  if (!ValidateUscc(alert.uscc()).ok()) return absl::InvalidArgumentError("alert.uscc: not a USCC");
  if (alert.department().code().empty()) {
    return absl::InvalidArgumentError("alert.department.code: must not be empty");
  }
  if (dispatched.items_size() < 1 || dispatched.items_size() > 50) {
    return absl::InvalidArgumentError("items: must list 1–50 items");
  }
  for (const risk::v1::AlertItem& item : dispatched.items()) {
    if (item.code().empty() || item.version() < 1) {
      return absl::InvalidArgumentError("items: each needs a code and a version ≥ 1");
    }
  }
  if (!ValidDayOf(dispatched.close_due_date())) {
    return absl::InvalidArgumentError("close_due_date: must be a valid date");
  }
  return absl::OkStatus();
}

v1::Task TaskFromAlert(const risk::v1::AlertDispatched& dispatched, const PublishedForms& forms,
                       absl::Time now) {
  const risk::v1::AlertSummary& alert = dispatched.alert();
  v1::Task task;
  task.set_name(TaskName(AlertTaskId(alert.name())));
  task.set_uscc(alert.uscc());
  task.set_subject_name(alert.subject_name());
  task.mutable_origin()->set_source(v1::TASK_SOURCE_RISK_ALERT);
  task.mutable_origin()->set_alert(alert.name());
  *task.mutable_lead_department() = alert.department();
  v1::TaskDepartment& department = *task.add_departments();
  *department.mutable_department() = alert.department();
  for (const risk::v1::AlertItem& item : dispatched.items()) {
    v1::ItemRef& ref = *department.add_items();
    ref.set_code(item.code());
    ref.set_version(item.version());
  }
  for (v1::FormRef& form : ChooseForms(alert.department().code(), department.items(), forms)) {
    *department.add_forms() = std::move(form);
  }
  task.set_description(absl::StrCat("风险预警核查: ", dispatched.reason()));
  *task.mutable_due_date() = dispatched.close_due_date();
  RecordTransition(task, v1::TASK_STATE_CREATED, "jianguan.risk.v1.AlertDispatched",
                   SystemActor("risk"), now, "");
  return task;
}

v1::Task TaskFromCommitment(const subject::v1::CommitmentRecorded& recorded,
                            const common::v1::Date& due_date, absl::Time now) {
  const subject::v1::Commitment& commitment = recorded.commitment();
  v1::Task task;
  task.set_name(TaskName(CommitmentTaskId(commitment.id())));
  task.set_uscc(recorded.facts().uscc());
  task.set_subject_name(recorded.facts().name());
  task.mutable_origin()->set_source(v1::TASK_SOURCE_COMMITMENT_VERIFICATION);
  task.mutable_origin()->set_commitment_id(commitment.id());
  *task.mutable_lead_department() = commitment.department();
  *task.add_departments()->mutable_department() = commitment.department();
  task.set_description(absl::StrCat("告知承诺核查: ", commitment.content()));
  *task.mutable_due_date() = due_date;
  RecordTransition(task, v1::TASK_STATE_CREATED, "jianguan.subject.v1.CommitmentRecorded",
                   SystemActor("subject-registry"), now, "");
  return task;
}

namespace {

void CheckOrigin(const v1::TaskOrigin& origin, FieldViolations& v) {
  switch (origin.source()) {
    case v1::TASK_SOURCE_SPECIAL_INSPECTION:
      CheckText(v, "task.origin.campaign", origin.campaign(), {.required = true, .max_chars = 200});
      break;
    case v1::TASK_SOURCE_COMPLAINT:
      CheckText(v, "task.origin.complaint_number", origin.complaint_number(),
                {.required = true, .max_chars = 64});
      break;
    default:
      v.Add("task.origin.source", "CreateTask makes SPECIAL_INSPECTION or COMPLAINT tasks only");
  }
}

// Checks one department's items and forms: each form published and used by it, together
// covering every item.
void CheckDepartment(const v1::TaskDepartment& department, const std::string& field,
                     const FormLookup& forms, FieldViolations& v) {
  const std::string& code = department.department().code();
  if (code.empty()) v.Add(field + ".department.code", "must not be empty");
  if (department.items_size() < 1 || department.items_size() > 50) {
    v.Add(field + ".items", "must list 1–50 items");
  }
  if (department.forms_size() < 1 || department.forms_size() > 10) {
    v.Add(field + ".forms", "must list 1–10 forms");
  }
  std::vector<const catalogue::v1::FormTemplate*> found;
  for (int j = 0; j < department.forms_size(); ++j) {
    const v1::FormRef& ref = department.forms(j);
    const catalogue::v1::FormTemplate* form = forms(ref.code(), ref.version());
    if (form == nullptr || !UsedBy(*form, code)) {
      v.Add(absl::StrCat(field, ".forms[", j, "]"),
            absl::StrCat("forms/", ref.code(), " version ", ref.version(),
                         " is not a published form of ", code));
    } else {
      found.push_back(form);
    }
  }
  std::set<std::string> seen;
  for (int k = 0; k < department.items_size(); ++k) {
    const v1::ItemRef& item = department.items(k);
    const std::string item_field = absl::StrCat(field, ".items[", k, "]");
    if (item.code().empty() || item.version() < 1 || !seen.insert(item.code()).second) {
      v.Add(item_field, "must name a distinct item with a version ≥ 1");
      continue;
    }
    const bool covered = std::any_of(found.begin(), found.end(), [&](const auto* form) {
      return FormCovers(*form, code, item.code());
    });
    if (!covered && found.size() == static_cast<size_t>(department.forms_size())) {
      v.Add(item_field, absl::StrCat("no form of the department covers ", item.code()));
    }
  }
}

}  // namespace

absl::StatusOr<v1::Task> TaskFromRequest(const v1::Task& requested, const Caller& caller,
                                         std::string_view task_id, const FormLookup& forms,
                                         const common::v1::Date& today, absl::Time now) {
  FieldViolations v;
  if (absl::Status s = ValidateUscc(requested.uscc()); !s.ok()) v.Add("task.uscc", StdView(s.message()));
  CheckText(v, "task.subject_name", requested.subject_name(), {.required = true, .max_chars = 100});
  CheckText(v, "task.description", requested.description(), {.max_chars = 2000});
  CheckOrigin(requested.origin(), v);
  if (requested.departments_size() < 1 || requested.departments_size() > 10) {
    v.Add("task.departments", "must list 1–10 departments");
  }
  bool caller_takes_part = false;
  std::set<std::string> departments;
  for (int i = 0; i < requested.departments_size(); ++i) {
    const std::string field = absl::StrCat("task.departments[", i, "]");
    const v1::TaskDepartment& department = requested.departments(i);
    if (!departments.insert(department.department().code()).second) {
      v.Add(field + ".department.code", "is listed twice");
    }
    caller_takes_part |= department.department().code() == caller.department;
    CheckDepartment(department, field, forms, v);
  }
  if (requested.departments_size() > 0 && !caller_takes_part) {
    v.Add("task.departments", "must include the caller's department, which leads the task");
  }
  if (!IsRealDate(requested.due_date()) || DayOf(requested.due_date()) < DayOf(today)) {
    v.Add("task.due_date", "must be a real date, not before today");
  }
  if (absl::Status s = v.ToStatus(); !s.ok()) return s;
  v1::Task task;
  task.set_name(TaskName(task_id));
  task.set_uscc(requested.uscc());
  task.set_subject_name(requested.subject_name());
  *task.mutable_origin() = requested.origin();
  task.mutable_lead_department()->set_code(caller.department);
  *task.mutable_departments() = requested.departments();
  task.set_description(requested.description());
  *task.mutable_due_date() = requested.due_date();
  RecordTransition(task, v1::TASK_STATE_CREATED, "CreateTask", ActorOf(caller), now, "");
  return task;
}

}  // namespace jianguan::inspection
