#include "services/risk/risk_intake.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/timestamps.h"
#include "libs/core/uscc.h"
#include "services/risk/domain/coverage.h"
#include "services/risk/domain/rule_set.h"

namespace jianguan::risk {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr int kMaxViolationIds = 100;

absl::Time EventTime(const events::ConsumedEvent& event, absl::Time fallback) {
  absl::Time time;
  std::string error;
  const auto header = event.Header(events::header::kTime);
  if (header && absl::ParseTime(absl::RFC3339_full, std::string(*header), &time, &error)) {
    return time;
  }
  return fallback;
}

// The registry's SubjectFacts every subject event carries, or nullptr.
const subject::v1::SubjectFacts* FactsOf(const Message& event) {
  const FieldDescriptor* field = event.GetDescriptor()->FindFieldByName("facts");
  if (field == nullptr || field->is_repeated() ||
      field->message_type() != subject::v1::SubjectFacts::descriptor()) {
    return nullptr;
  }
  return static_cast<const subject::v1::SubjectFacts*>(
      &event.GetReflection()->GetMessage(event, field));
}

// Whether a reviewed result found a violation in any department.
bool FoundViolation(const inspection::v1::ResultDigest& result) {
  return std::any_of(result.departments().begin(), result.departments().end(),
                     [](const inspection::v1::DepartmentResult& department) {
                       return department.category().outcome() ==
                              inspection::v1::RESULT_OUTCOME_VIOLATION;
                     });
}

// The subject and day of a completed inspection: a result submitted or reviewed, a follow-up
// visit completed; the day is the result's inspection date (检查完成日期), else the event's
// Beijing day. nullopt for other events.
std::optional<std::pair<std::string, absl::CivilDay>> InspectionOf(const Message& message,
                                                                   absl::Time time) {
  const Descriptor* type = message.GetDescriptor();
  const inspection::v1::TaskSummary* task = nullptr;
  const common::v1::Date* date = nullptr;
  if (type == inspection::v1::ResultSubmitted::descriptor()) {
    const auto& submitted = static_cast<const inspection::v1::ResultSubmitted&>(message);
    task = &submitted.task();
    date = &submitted.result().inspection_date();
  } else if (type == inspection::v1::TaskStateChanged::descriptor()) {
    const auto& changed = static_cast<const inspection::v1::TaskStateChanged&>(message);
    if (changed.task().state() != inspection::v1::TASK_STATE_REVIEWED) return std::nullopt;
    task = &changed.task();
    date = &changed.result().inspection_date();
  } else if (type == inspection::v1::FollowUpCompleted::descriptor()) {
    const auto& completed = static_cast<const inspection::v1::FollowUpCompleted&>(message);
    task = &completed.task();
    date = &completed.inspection_date();
  } else {
    return std::nullopt;
  }
  if (!ValidateUscc(task->uscc()).ok()) return std::nullopt;
  const std::optional<absl::CivilDay> day = ValidDayOf(*date);
  return std::make_pair(task->uscc(), day ? *day : absl::ToCivilDay(time, BeijingTime()));
}

// Stores a catalogue record unless the store holds a newer (or the same) version.
template <typename M>
absl::Status PutIfNewer(RiskTx& tx, std::string_view family, std::string_view key, const M& next,
                        int64_t (*version)(const M&)) {
  ASSIGN_OR_RETURN(std::optional<M> stored, tx.Read<M>(family, key));
  if (stored && version(*stored) >= version(next)) return absl::OkStatus();
  tx.Put(family, key, next.SerializeAsString());
  return absl::OkStatus();
}

}  // namespace

RiskIntake::RiskIntake(const RiskStore& records, const RiskEngine& engine, const Clock& clock)
    : records_(records), engine_(engine), clock_(clock) {
  // Looked up once: the generated pool takes a lock on every lookup.
  for (const std::string& type : KnownEventTypes()) {
    const Descriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
    if (descriptor == nullptr) continue;
    prototypes_.emplace(
        type, google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor));
  }
}

absl::Status RiskIntake::Apply(const events::ConsumedEvent& event, store::UnitOfWork& work) const {
  const auto prototype = prototypes_.find(AbslView(event.type()));
  if (prototype == prototypes_.end()) return absl::OkStatus();  // nothing risk reads
  std::unique_ptr<Message> message(prototype->second->New());
  RETURN_IF_ERROR(events::DecodeInto(event, *message));
  const absl::Time now = clock_.Now();
  const absl::Time time = EventTime(event, now);
  RiskTx tx(records_.store(), work);
  RETURN_IF_ERROR(Project(tx, event, *message, time));
  if (!ValidateUscc(event.key).ok()) return absl::OkStatus();  // not about one subject
  SuiteEvent suite{.message = message.get(),
                   .uscc = event.key,
                   .time = time,
                   .ref = {.topic = event.topic,
                           .partition = event.partition,
                           .offset = event.offset,
                           .ce_id = std::string(event.id()),
                           .type = std::string(event.type())}};
  return engine_.OnEvent(tx, suite, now);
}

absl::Status RiskIntake::Project(RiskTx& tx, const events::ConsumedEvent& event,
                                 const Message& message, absl::Time time) const {
  const Descriptor* type = message.GetDescriptor();
  const absl::Time now = clock_.Now();
  // The catalogue: departments, items in force, claims.
  if (type == catalogue::v1::DepartmentChanged::descriptor()) {
    const auto& department = static_cast<const catalogue::v1::DepartmentChanged&>(message).department();
    if (department.code().empty()) return absl::OkStatus();
    return PutIfNewer<catalogue::v1::Department>(
        tx, kDepartmentsFamily, department.code(), department,
        [](const catalogue::v1::Department& d) { return d.version(); });
  }
  if (type == catalogue::v1::ItemPublished::descriptor() ||
      type == catalogue::v1::ItemRevised::descriptor()) {
    const auto& item = type == catalogue::v1::ItemPublished::descriptor()
                           ? static_cast<const catalogue::v1::ItemPublished&>(message).item()
                           : static_cast<const catalogue::v1::ItemRevised&>(message).item();
    if (item.code().empty()) return absl::OkStatus();
    return PutIfNewer<catalogue::v1::RegulatoryItem>(
        tx, kItemsFamily, item.code(), item,
        [](const catalogue::v1::RegulatoryItem& i) { return static_cast<int64_t>(i.version()); });
  }
  if (type == catalogue::v1::ItemAbolished::descriptor()) {
    const auto& abolished = static_cast<const catalogue::v1::ItemAbolished&>(message);
    if (!abolished.code().empty()) tx.Delete(kItemsFamily, abolished.code());
    return absl::OkStatus();
  }
  if (type == catalogue::v1::ItemClaimed::descriptor()) {
    const auto& claim = static_cast<const catalogue::v1::ItemClaimed&>(message).claim();
    if (claim.item_code().empty() || claim.department().code().empty()) return absl::OkStatus();
    tx.Put(kClaimsFamily, absl::StrCat(claim.item_code(), "/", claim.department().code()),
           claim.SerializeAsString());
    return absl::OkStatus();
  }
  // The registry's facts.
  if (const subject::v1::SubjectFacts* facts = FactsOf(message);
      facts != nullptr && ValidateUscc(facts->uscc()).ok()) {
    ASSIGN_OR_RETURN(v1::SubjectRecord subject, engine_.SubjectOf(tx, facts->uscc()));
    if (facts->version() > subject.registry_version()) {
      subject.set_registry_version(facts->version());
      subject.set_name(facts->name());
      catalogue::v1::SubjectAttributes& attributes = *subject.mutable_attributes();
      // The two SubjectType enums share their numbers (jianguan.subject.v1 and
      // jianguan.catalogue.v1 both follow the registry's types).
      attributes.set_type(static_cast<catalogue::v1::SubjectType>(facts->type()));
      *attributes.mutable_industry() = facts->industry();
      *attributes.mutable_region() =
          facts->business_region().code().empty() ? facts->registration_region()
                                                  : facts->business_region();
      attributes.mutable_tags()->Assign(facts->tags().begin(), facts->tags().end());
      if (type == subject::v1::LicenceGranted::descriptor()) {
        const std::string& kind = static_cast<const subject::v1::LicenceGranted&>(message).licence().kind();
        if (!kind.empty() && std::find(attributes.licence_kinds().begin(),
                                       attributes.licence_kinds().end(),
                                       kind) == attributes.licence_kinds().end()) {
          attributes.add_licence_kinds(kind);
        }
      }
      // Assessed at once: a new subject gets its first level (sampling then classes it by
      // what risk says, not by the default for a subject never assessed), and a change of
      // industry or status counts now rather than at the subject's next event.
      return engine_.Reassess(tx, subject, now);
    }
    return absl::OkStatus();
  }
  // Credit's grade.
  if (type == credit::v1::CreditGradeChanged::descriptor()) {
    const auto& changed = static_cast<const credit::v1::CreditGradeChanged&>(message);
    if (!ValidateUscc(changed.uscc()).ok()) return absl::OkStatus();
    ASSIGN_OR_RETURN(v1::SubjectRecord subject, engine_.SubjectOf(tx, changed.uscc()));
    if (changed.version() <= subject.credit_version()) return absl::OkStatus();
    subject.set_credit_version(changed.version());
    subject.set_credit_grade(credit::v1::CreditGrade_Name(changed.grade()));
    return engine_.Reassess(tx, subject, now);
  }
  // The days a subject was inspected (the share of high-risk subjects inspected).
  if (const auto inspected = InspectionOf(message, time)) {
    ASSIGN_OR_RETURN(v1::SubjectRecord subject, engine_.SubjectOf(tx, inspected->first));
    if (RecordInspection(subject, inspected->second)) engine_.SaveSubject(tx, subject);
  }
  // Violations found, and the alert loop's inspection steps.
  std::optional<std::string> violation_of;
  if (type == inspection::v1::TaskCreated::descriptor()) {
    return engine_.OnTaskCreated(tx, static_cast<const inspection::v1::TaskCreated&>(message).task(),
                                 now);
  }
  if (type == inspection::v1::TaskStateChanged::descriptor()) {
    const auto& changed = static_cast<const inspection::v1::TaskStateChanged&>(message);
    RETURN_IF_ERROR(engine_.OnTaskStateChanged(tx, changed, now));
    if (changed.task().state() == inspection::v1::TASK_STATE_REVIEWED &&
        FoundViolation(changed.result())) {
      violation_of = changed.task().uscc();
    }
  }
  if (type == cases::v1::PenaltyDecided::descriptor()) {
    violation_of = static_cast<const cases::v1::PenaltyDecided&>(message).summary().uscc();
  }
  if (!violation_of || !ValidateUscc(*violation_of).ok() || event.id().empty()) {
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(v1::SubjectRecord subject, engine_.SubjectOf(tx, *violation_of));
  const std::string id(event.id());
  if (std::find(subject.violation_ids().begin(), subject.violation_ids().end(), id) !=
      subject.violation_ids().end()) {
    return absl::OkStatus();
  }
  subject.add_violation_ids(id);
  std::rotate(subject.mutable_violation_ids()->rbegin(), subject.mutable_violation_ids()->rbegin() + 1,
              subject.mutable_violation_ids()->rend());
  while (subject.violation_ids_size() > kMaxViolationIds) subject.mutable_violation_ids()->RemoveLast();
  *subject.add_violations() = ToTimestamp(time);
  std::rotate(subject.mutable_violations()->rbegin(), subject.mutable_violations()->rbegin() + 1,
              subject.mutable_violations()->rend());
  while (subject.violations_size() > kMaxViolationIds) subject.mutable_violations()->RemoveLast();
  return engine_.Reassess(tx, subject, now);
}

}  // namespace jianguan::risk
