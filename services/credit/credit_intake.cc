#include "services/credit/credit_intake.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/timestamps.h"
#include "libs/core/uscc.h"
#include "libs/events/topics.h"
#include "services/credit/credit_metrics.h"

namespace jianguan::credit {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The singular message field `name` of `message`, or nullptr when it has none.
const Message* Child(const Message& message, std::string_view name) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(std::string(name));
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return nullptr;
  }
  return &message.GetReflection()->GetMessage(message, field);
}

std::string StringField(const Message& message, std::string_view name) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(std::string(name));
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    return "";
  }
  return message.GetReflection()->GetString(message, field);
}

// The resource an event concerns, for the entry's source: a case, a task, a commitment.
std::string ResourceOf(const Message& event) {
  if (const Message* summary = Child(event, "summary")) return StringField(*summary, "name");
  if (const Message* task = Child(event, "task")) return StringField(*task, "name");
  if (const Message* commitment = Child(event, "commitment")) {
    return StringField(*commitment, "id");
  }
  return StringField(event, "lead");
}

// The subject facts every subject event carries (status and its version).
const subject::v1::SubjectFacts* FactsOf(const Message& event) {
  const Message* facts = Child(event, "facts");
  if (facts == nullptr || facts->GetDescriptor() != subject::v1::SubjectFacts::descriptor()) {
    return nullptr;
  }
  return static_cast<const subject::v1::SubjectFacts*>(facts);
}

bool OnAList(subject::v1::SubjectStatus status) {
  return status == subject::v1::SUBJECT_STATUS_ABNORMAL_OPERATION ||
         status == subject::v1::SUBJECT_STATUS_SERIOUS_VIOLATION;
}

absl::Time EventTime(const events::ConsumedEvent& event, absl::Time fallback) {
  absl::Time time;
  std::string error;
  const auto header = event.Header(events::header::kTime);
  if (header && absl::ParseTime(absl::RFC3339_full, std::string(*header), &time, &error)) {
    return time;
  }
  return fallback;
}

v1::SourceEvent SourceOf(const events::ConsumedEvent& event, const Message& message,
                         absl::Time time) {
  v1::SourceEvent source;
  source.set_topic(event.topic);
  source.set_partition(event.partition);
  source.set_offset(event.offset);
  source.set_ce_id(std::string(event.id()));
  source.set_type(std::string(event.type()));
  *source.mutable_time() = ToTimestamp(time);
  source.set_resource(ResourceOf(message));
  return source;
}

}  // namespace

void EmitChange(const EventEmitter& emitter, store::UnitOfWork& work, const CreditChange& change) {
  const std::string& uscc = change.record.uscc();
  for (const auto& event : change.score_changes) emitter.Emit(work, uscc, event);
  for (const auto& event : change.lifted) emitter.Emit(work, uscc, event);
  for (const auto& event : change.listed) emitter.Emit(work, uscc, event);
  if (change.grade_change) emitter.Emit(work, uscc, *change.grade_change);
}

CreditIntake::CreditIntake(const CreditStore& records, const ModelSet& models,
                           const EventEmitter& emitter, const Clock& clock, CreditMetrics* metrics)
    : records_(records), models_(models), emitter_(emitter), clock_(clock), metrics_(metrics) {
  // Looked up once: the generated pool takes a lock on every lookup, and every consumer
  // thread would wait on it for every event.
  for (const std::string& type : KnownEventTypes()) {
    const Descriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
    if (descriptor == nullptr) continue;
    prototypes_.emplace(type,
                        google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor));
  }
}

absl::Status CreditIntake::Apply(const events::ConsumedEvent& event,
                                 store::UnitOfWork& work) const {
  const std::string_view type = event.type();
  const bool scored = models_.HandlesType(type);
  const bool executed = type == cases::v1::PenaltyExecuted::descriptor()->full_name();
  const bool from_registry = event.topic == topics::kSubject;
  if (!scored && !executed && !from_registry) return absl::OkStatus();
  if (!ValidateUscc(event.key).ok()) return absl::OkStatus();  // not about one subject

  const auto prototype = prototypes_.find(AbslView(type));
  if (prototype == prototypes_.end()) return absl::OkStatus();  // no event credit consumes
  std::unique_ptr<Message> message(prototype->second->New());
  if (absl::Status decoded = events::DecodeInto(event, *message); !decoded.ok()) return decoded;

  ASSIGN_OR_RETURN(StoredRecord stored, records_.FindRecord(event.key, &work));
  v1::CreditRecord noted = stored.record;
  bool changed = false;
  if (executed) {
    changed |= NotePenaltyExecuted(noted, ResourceOf(*message));
  }
  if (const subject::v1::SubjectFacts* facts = FactsOf(*message);
      facts != nullptr && (stored.exists || OnAList(facts->status()))) {
    changed |= NoteSubjectStatus(noted, facts->status(), facts->version());
  }

  const absl::Time now = clock_.Now();
  const absl::Time time = EventTime(event, now);
  const absl::CivilDay day = absl::ToCivilDay(time, BeijingTime());
  const CompiledModel* model = scored ? models_.InForce(day) : nullptr;
  const v1::Rule* rule = model ? model->Match(*message) : nullptr;
  if (rule != nullptr) {
    CreditChange change = ApplyRule(noted, *model, *rule, SourceOf(event, *message, time), day, now);
    records_.SaveChange(work, stored, change);
    EmitChange(emitter_, work, change);
    if (metrics_) metrics_->CountScored(change);
    return absl::OkStatus();
  }
  if (changed) records_.SaveRecord(work, stored, noted);
  return absl::OkStatus();
}

}  // namespace jianguan::credit
