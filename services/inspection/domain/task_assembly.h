// How a task is put together from its source (任务来源): a draw's TaskDrawn, a risk alert's
// AlertDispatched (风险预警核查), a registry's CommitmentRecorded (告知承诺核查) or a
// department's CreateTask (专项检查, 投诉举报).
//
// Identity. A task's id is derived from its source, so that replaying the source event (a
// redelivery, a consumer restart, a republished outbox) finds the task it made and creates
// nothing twice: "d-{plan_id}-{task_number}" for a drawn task, "a-{alert_id}" for an alert's
// (one task per alert: a second dispatch of the same alert changes nothing),
// "c-{commitment_id}" for a commitment verification. Manual tasks get a time-sortable id ("m-{id}"); their request_id
// makes them idempotent.
//
// Forms. A drawn task carries, per department, the published forms that cover its items: of
// the forms that department uses, greedily the one covering most of the items still
// uncovered (ties: the smaller code), until every item is covered or no form helps. A joint
// form (联合检查表单) may be chosen for several departments (进一次门、查多项事).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "jianguan/inspection/v1/inspection.pb.h"
#include "jianguan/risk/v1/events.pb.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/caller.h"
#include "libs/core/field_violations.h"

namespace jianguan::inspection {

/// Task ids: 1–100 characters of A–Z, a–z, 0–9 and '-'.
bool IsTaskId(std::string_view id);
std::string TaskName(std::string_view task_id);
/// "d-{plan_id}-{task_number}" for "plans/{plan_id}"; empty when `plan` is not a plan name.
std::string DrawnTaskId(std::string_view plan, int64_t task_number);
std::string CommitmentTaskId(std::string_view commitment_id);
/// "a-{alert_id}" for "alerts/{alert_id}"; empty when `alert` is not an alert name.
std::string AlertTaskId(std::string_view alert);

/// The forms a task may choose from: the latest published version of each form.
using PublishedForms = std::vector<catalogue::v1::FormTemplate>;

/// The forms of `forms` that `department` uses and that cover `items`, chosen as the header
/// says.
std::vector<v1::FormRef> ChooseForms(std::string_view department,
                                     const google::protobuf::RepeatedPtrField<v1::ItemRef>& items,
                                     const PublishedForms& forms);

/// Gives every department of `task` that has items but no form the forms `forms` offer for
/// them (ChooseForms): a drawn task consumed before its forms were projected takes them later,
/// when it is accepted or reached on site. Returns whether a form was added.
bool AttachMissingForms(v1::Task& task, const PublishedForms& forms);

/// The task a TaskDrawn makes: created and assigned to the drawn inspectors (two
/// transitions, actor system "sampling"), due on the plan's last day, the first department
/// leading.
v1::Task TaskFromDraw(const sampling::v1::TaskDrawn& drawn, const PublishedForms& forms,
                      absl::Time now);

/// The task an AlertDispatched makes (风险预警核查): created (state CREATED, the department
/// assigns inspectors), for the alert's department and items with the published forms that
/// cover them, due on the alert's last day to close.
v1::Task TaskFromAlert(const risk::v1::AlertDispatched& dispatched, const PublishedForms& forms,
                       absl::Time now);

/// What an AlertDispatched must carry to become a task: an alert name, a valid USCC, a
/// department, 1–50 items with codes and versions ≥ 1, a valid close_due_date. INVALID_ARGUMENT
/// naming the first field that does not.
absl::Status CheckAlertDispatched(const risk::v1::AlertDispatched& dispatched);

/// The verification task a CommitmentRecorded makes (告知承诺核查), created (state CREATED),
/// led by the accepting department, due on `due_date`.
v1::Task TaskFromCommitment(const subject::v1::CommitmentRecorded& recorded,
                            const common::v1::Date& due_date, absl::Time now);

/// Looks a form version up among the published ones; nullptr when unknown.
using FormLookup =
    std::function<const catalogue::v1::FormTemplate*(std::string_view code, int32_t version)>;

/// Checks a CreateTask request's task (violations on "task.…") and returns it as created by
/// `caller` with id `task_id`: SPECIAL_INSPECTION or COMPLAINT only, a valid USCC, 1–10
/// departments with the caller's among them, items, and forms that are published and cover
/// the items, a due date not before `today`.
absl::StatusOr<v1::Task> TaskFromRequest(const v1::Task& requested, const Caller& caller,
                                         std::string_view task_id, const FormLookup& forms,
                                         const common::v1::Date& today, absl::Time now);

}  // namespace jianguan::inspection
