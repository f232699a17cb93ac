#include "services/inspection/task_intake.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/risk/v1/events.pb.h"
#include "jianguan/sampling/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/uscc.h"
#include "services/inspection/domain/deadlines.h"
#include "services/inspection/domain/task_lifecycle.h"

namespace jianguan::inspection {
namespace {

template <typename M>
bool Is(const events::ConsumedEvent& event) {
  return event.type() == M::descriptor()->full_name();
}


}  // namespace

absl::Status TaskIntake::ApplyTaskSource(const events::ConsumedEvent& event,
                                         store::UnitOfWork& work) const {
  if (Is<sampling::v1::TaskDrawn>(event)) return ApplyDrawn(event, work);
  if (Is<subject::v1::CommitmentRecorded>(event)) return ApplyCommitment(event, work);
  if (Is<risk::v1::AlertDispatched>(event)) return ApplyAlert(event, work);
  return absl::OkStatus();  // another type on these topics
}

absl::Status TaskIntake::ApplyDrawn(const events::ConsumedEvent& event,
                                    store::UnitOfWork& work) const {
  ASSIGN_OR_RETURN(auto drawn, events::Decode<sampling::v1::TaskDrawn>(event));
  const std::string id = DrawnTaskId(drawn.plan(), drawn.task_number());
  if (id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("plan/task_number: not a drawn task: ",
                                                   drawn.plan(), " #", drawn.task_number()));
  }
  if (!ValidateUscc(drawn.uscc()).ok()) return absl::InvalidArgumentError("uscc: not a USCC");
  ASSIGN_OR_RETURN(std::optional<v1::Task> known, tasks_.FindTask(id, &work));
  if (known) return absl::OkStatus();  // a replay: the task exists (or this batch makes it)
  ASSIGN_OR_RETURN(std::shared_ptr<const PublishedForms> forms, tasks_.LatestForms());
  Create(TaskFromDraw(drawn, *forms, clock_.Now()), work);
  return absl::OkStatus();
}

absl::Status TaskIntake::ApplyAlert(const events::ConsumedEvent& event,
                                    store::UnitOfWork& work) const {
  ASSIGN_OR_RETURN(auto dispatched, events::Decode<risk::v1::AlertDispatched>(event));
  RETURN_IF_ERROR(CheckAlertDispatched(dispatched));
  const std::string id = AlertTaskId(dispatched.alert().name());
  ASSIGN_OR_RETURN(std::optional<v1::Task> known, tasks_.FindTask(id, &work));
  // A replay, or the alert dispatched again (re-routed, or after an escalation): its task
  // exists and stays as it is.
  if (known) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::shared_ptr<const PublishedForms> forms, tasks_.LatestForms());
  Create(TaskFromAlert(dispatched, *forms, clock_.Now()), work);
  return absl::OkStatus();
}

absl::Status TaskIntake::ApplyCommitment(const events::ConsumedEvent& event,
                                         store::UnitOfWork& work) const {
  ASSIGN_OR_RETURN(auto recorded, events::Decode<subject::v1::CommitmentRecorded>(event));
  const std::string id = CommitmentTaskId(recorded.commitment().id());
  if (id.empty()) return absl::InvalidArgumentError("commitment.id: not usable in a task id");
  if (!ValidateUscc(recorded.facts().uscc()).ok()) {
    return absl::InvalidArgumentError("facts.uscc: not a USCC");
  }
  ASSIGN_OR_RETURN(std::optional<v1::Task> known, tasks_.FindTask(id, &work));
  if (known) return absl::OkStatus();
  const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), BeijingTime());
  ASSIGN_OR_RETURN(common::v1::Date due,
                   CommitmentDueDate(calendar_, today, commitment_working_days_,
                                     recorded.commitment().verify_by()));
  Create(TaskFromCommitment(recorded, due, clock_.Now()), work);
  return absl::OkStatus();
}

void TaskIntake::Create(const v1::Task& task, store::UnitOfWork& work) const {
  tasks_.SaveTask(work, task, nullptr);
  // TaskCreated shows the task as created; TaskAssigned (a drawn task) as assigned.
  emitter_.Emit(work, task.uscc(), CreatedEvent(task));
  if (task.state() == v1::TASK_STATE_ASSIGNED) {
    emitter_.Emit(work, task.uscc(), AssignedEvent(v1::Task(), task, ""));
  }
}

absl::Status TaskIntake::ApplyCatalogue(const events::ConsumedEvent& event,
                                        store::UnitOfWork& work) const {
  if (Is<catalogue::v1::InspectorRegistered>(event)) {
    ASSIGN_OR_RETURN(auto registered, events::Decode<catalogue::v1::InspectorRegistered>(event));
    return ApplyInspector(registered.inspector(), work);
  }
  if (Is<catalogue::v1::InspectorChanged>(event)) {
    ASSIGN_OR_RETURN(auto changed, events::Decode<catalogue::v1::InspectorChanged>(event));
    return ApplyInspector(changed.inspector(), work);
  }
  if (Is<catalogue::v1::ItemPublished>(event)) {
    ASSIGN_OR_RETURN(auto published, events::Decode<catalogue::v1::ItemPublished>(event));
    return ApplyItem(published.item(), work);
  }
  if (Is<catalogue::v1::ItemRevised>(event)) {
    ASSIGN_OR_RETURN(auto revised, events::Decode<catalogue::v1::ItemRevised>(event));
    return ApplyItem(revised.item(), work);
  }
  if (!Is<catalogue::v1::FormPublished>(event)) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto published, events::Decode<catalogue::v1::FormPublished>(event));
  if (published.form().code().empty() || published.form().version() < 1) {
    return absl::InvalidArgumentError("form: code and version ≥ 1 required");
  }
  return tasks_.PutForm(work, published.form());
}

absl::Status TaskIntake::ApplyInspector(const catalogue::v1::Inspector& inspector,
                                        store::UnitOfWork& work) const {
  if (inspector.id().empty() || inspector.version() < 1) {
    return absl::InvalidArgumentError("inspector: id and version ≥ 1 required");
  }
  return tasks_.PutInspector(work, inspector);
}

absl::Status TaskIntake::ApplyItem(const catalogue::v1::RegulatoryItem& item,
                                   store::UnitOfWork& work) const {
  if (item.code().empty() || item.version() < 1) {
    return absl::InvalidArgumentError("item: code and version ≥ 1 required");
  }
  return tasks_.PutItem(work, item);
}

}  // namespace jianguan::inspection
