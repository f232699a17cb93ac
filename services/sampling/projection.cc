#include "services/sampling/projection.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "jianguan/catalogue/v1/events.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "jianguan/risk/v1/events.pb.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/log.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/uscc.h"
#include "libs/events/consumer.h"
#include "libs/write/versioned.h"
#include "services/sampling/domain/plan_rules.h"

namespace jianguan::sampling {
namespace {

namespace catalogue = ::jianguan::catalogue::v1;
namespace subject = ::jianguan::subject::v1;

constexpr size_t kUsccLength = 18;
constexpr char kFacts = kFactsRow;
constexpr char kGrade = kGradeRow;
constexpr char kRisk = kRiskRow;

std::string RowKey(std::string_view uscc, char kind) {
  std::string key(uscc);
  key.push_back(kind);
  return key;
}

// The full name of M, as ce_type carries it.
template <typename M>
const std::string& TypeOf() {
  return M::descriptor()->full_name();
}

// Picks the facts out of whichever of the registry's events this is.
absl::StatusOr<subject::SubjectFacts> FactsOf(const events::ConsumedEvent& event) {
  const std::string_view type = event.type();
  if (type == TypeOf<subject::SubjectRegistered>()) {
    ASSIGN_OR_RETURN(auto e, events::Decode<subject::SubjectRegistered>(event));
    return e.facts();
  }
  if (type == TypeOf<subject::SubjectUpdated>()) {
    ASSIGN_OR_RETURN(auto e, events::Decode<subject::SubjectUpdated>(event));
    return e.facts();
  }
  if (type == TypeOf<subject::SubjectStatusChanged>()) {
    ASSIGN_OR_RETURN(auto e, events::Decode<subject::SubjectStatusChanged>(event));
    return e.facts();
  }
  if (type == TypeOf<subject::LicenceGranted>()) {
    ASSIGN_OR_RETURN(auto e, events::Decode<subject::LicenceGranted>(event));
    return e.facts();
  }
  if (type == TypeOf<subject::CommitmentRecorded>()) {
    ASSIGN_OR_RETURN(auto e, events::Decode<subject::CommitmentRecorded>(event));
    return e.facts();
  }
  if (type == TypeOf<subject::CommitmentResolved>()) {
    ASSIGN_OR_RETURN(auto e, events::Decode<subject::CommitmentResolved>(event));
    return e.facts();
  }
  return absl::NotFoundError(absl::StrCat("not a subject event: ", AbslView(type)));
}

// The registry validated the code; a malformed one here is a producer's bug and dead-lettered.
bool IsUsccShaped(std::string_view uscc) { return ValidateUscc(uscc).ok(); }

}  // namespace

namespace {

// A class value: the class (one byte) then the event's version (8 bytes, big-endian).
std::string ClassValue(int value, int64_t version) {
  std::string bytes(9, '\0');
  bytes[0] = static_cast<char>(value);
  for (int i = 0; i < 8; ++i) bytes[8 - i] = static_cast<char>((version >> (8 * i)) & 0xff);
  return bytes;
}

int64_t ClassVersion(std::string_view bytes) {
  if (bytes.size() != 9) return 0;
  int64_t version = 0;
  for (int i = 1; i < 9; ++i) version = (version << 8) | static_cast<uint8_t>(bytes[i]);
  return version;
}

// Puts a class unless the stored one is at least as new (a copy of an old event).
absl::Status PutClassIfNewer(const store::Store& store, store::UnitOfWork& work,
                             const std::string& key, int value, int64_t version) {
  return PutIfNewer(store, work, kProjectionFamily, key, version, ClassValue(value, version),
                    ClassVersion)
      .status();
}

}  // namespace

absl::Status ApplySubjectEvent(const store::Store& store, const events::ConsumedEvent& event,
                               store::UnitOfWork& work) {
  absl::StatusOr<subject::SubjectFacts> facts = FactsOf(event);
  if (absl::IsNotFound(facts.status())) return absl::OkStatus();  // a type added later
  if (!facts.ok()) return facts.status();
  if (!IsUsccShaped(facts->uscc())) {
    return absl::InvalidArgumentError(
        absl::StrCat("facts.uscc: not a USCC: \"", AbslView(facts->uscc()), "\""));
  }
  const std::string key = RowKey(facts->uscc(), kFacts);
  v1::ProjectedSubject row;
  row.set_name(facts->name());
  row.set_type(facts->type());
  row.set_industry(facts->industry().code());
  row.set_business_region(facts->business_region().code());
  row.set_registration_region(facts->registration_region().code());
  std::vector<std::string> tags(facts->tags().begin(), facts->tags().end());
  std::sort(tags.begin(), tags.end());
  for (std::string& tag : tags) row.add_tags(std::move(tag));
  row.set_status(facts->status());
  row.set_version(facts->version());
  // A copy of an older state (e.g. a republished outbox) never overwrites a newer one.
  return PutIfNewer(store, work, kProjectionFamily, key, row).status();
}

absl::Status ApplyClassEvent(const store::Store& store, const events::ConsumedEvent& event,
                             store::UnitOfWork& work) {
  const std::string_view type = event.type();
  if (type == TypeOf<credit::v1::CreditGradeChanged>()) {
    ASSIGN_OR_RETURN(auto changed, events::Decode<credit::v1::CreditGradeChanged>(event));
    if (!IsUsccShaped(changed.uscc())) return absl::InvalidArgumentError("uscc: not a USCC");
    if (changed.grade() < credit::v1::CREDIT_GRADE_A ||
        changed.grade() > credit::v1::CREDIT_GRADE_D) {
      return absl::InvalidArgumentError(absl::StrCat("grade: unknown value ", changed.grade()));
    }
    const std::string key = RowKey(changed.uscc(), kGrade);
    return PutClassIfNewer(store, work, key, changed.grade() - credit::v1::CREDIT_GRADE_A,
                           changed.version());
  }
  if (type == TypeOf<risk::v1::RiskLevelChanged>()) {
    ASSIGN_OR_RETURN(auto changed, events::Decode<risk::v1::RiskLevelChanged>(event));
    if (!IsUsccShaped(changed.uscc())) return absl::InvalidArgumentError("uscc: not a USCC");
    if (changed.level() < risk::v1::RISK_LEVEL_LOW || changed.level() > risk::v1::RISK_LEVEL_HIGH) {
      return absl::InvalidArgumentError(absl::StrCat("level: unknown value ", changed.level()));
    }
    const std::string key = RowKey(changed.uscc(), kRisk);
    return PutClassIfNewer(store, work, key, changed.level() - risk::v1::RISK_LEVEL_LOW,
                           changed.version());
  }
  return absl::OkStatus();
}

namespace {

void PutInspector(const catalogue::Inspector& inspector, store::UnitOfWork& work) {
  v1::ProjectedInspector row;
  row.set_id(inspector.id());
  row.set_name(inspector.name());
  row.set_certificate_no(inspector.certificate().number());
  row.set_department(inspector.department().code());
  for (const std::string& code : inspector.authorised_items()) row.add_authorised_items(code);
  for (const std::string& field : inspector.authorised_fields()) row.add_authorised_fields(field);
  row.set_active(inspector.status() == catalogue::INSPECTOR_STATUS_ACTIVE);
  row.set_valid_from(IsoDate(inspector.certificate().valid_from()));
  row.set_valid_until(IsoDate(inspector.certificate().valid_until()));
  std::vector<std::string> conflicts(inspector.conflicts().begin(), inspector.conflicts().end());
  std::sort(conflicts.begin(), conflicts.end());
  conflicts.erase(std::unique(conflicts.begin(), conflicts.end()), conflicts.end());
  for (std::string& uscc : conflicts) row.add_conflicts(std::move(uscc));
  row.set_version(inspector.version());
  work.Put(kInspectorFamily, row.id(), row.SerializeAsString());
}

void PutItem(const catalogue::RegulatoryItem& item, bool in_force, store::UnitOfWork& work) {
  v1::ProjectedItem row;
  row.set_code(item.code());
  row.set_parent_code(item.parent_code());
  row.set_field(item.field());
  row.set_version(item.version());
  row.set_in_force(in_force);
  work.Put(kItemFamily, row.code(), row.SerializeAsString());
}

}  // namespace

absl::Status ApplyCatalogueEvent(const store::Store& store, const events::ConsumedEvent& event,
                                 store::UnitOfWork& work) {
  const std::string_view type = event.type();
  if (type == TypeOf<catalogue::DepartmentChanged>()) {
    ASSIGN_OR_RETURN(auto e, events::Decode<catalogue::DepartmentChanged>(event));
    v1::ProjectedDepartment row;
    row.set_code(e.department().code());
    row.set_active(e.department().status() == catalogue::DEPARTMENT_STATUS_ACTIVE);
    row.set_version(e.department().version());
    return PutIfNewer(store, work, kDepartmentFamily, row.code(), row).status();
  }
  if (type == TypeOf<catalogue::InspectorRegistered>()) {
    ASSIGN_OR_RETURN(auto e, events::Decode<catalogue::InspectorRegistered>(event));
    PutInspector(e.inspector(), work);
  } else if (type == TypeOf<catalogue::InspectorChanged>()) {
    ASSIGN_OR_RETURN(auto e, events::Decode<catalogue::InspectorChanged>(event));
    PutInspector(e.inspector(), work);
  } else if (type == TypeOf<catalogue::ItemPublished>()) {
    ASSIGN_OR_RETURN(auto e, events::Decode<catalogue::ItemPublished>(event));
    PutItem(e.item(), true, work);
  } else if (type == TypeOf<catalogue::ItemRevised>()) {
    ASSIGN_OR_RETURN(auto e, events::Decode<catalogue::ItemRevised>(event));
    PutItem(e.item(), true, work);
  } else if (type == TypeOf<catalogue::ItemAbolished>()) {
    // The abolition names only the code: the item keeps its hierarchy and field (read back,
    // which is why this consumer applies one event per commit) but no new plan may name it.
    ASSIGN_OR_RETURN(auto e, events::Decode<catalogue::ItemAbolished>(event));
    ASSIGN_OR_RETURN(auto known, store.GetMessage<v1::ProjectedItem>(kItemFamily, e.code()));
    v1::ProjectedItem row = known.value_or(v1::ProjectedItem());
    row.set_code(e.code());
    row.set_version(e.last_version());
    row.set_in_force(false);
    work.Put(kItemFamily, row.code(), row.SerializeAsString());
  }
  return absl::OkStatus();
}

absl::Status ProjectionReader::ForEachSubject(
    const std::function<bool(const ProjectedRow&)>& visit) const {
  // Keys of one subject are adjacent and ordered f < g < r: collect them, emit at the change.
  std::string current;
  v1::ProjectedSubject facts;
  bool have_facts = false;
  ProjectedRow row;
  bool keep_going = true;
  absl::Status parse_error;
  const auto flush = [&]() {
    if (!current.empty() && have_facts) {
      row.uscc = current;
      row.facts = &facts;
      keep_going = visit(row);
    }
    have_facts = false;
    row = ProjectedRow{};
  };
  RETURN_IF_ERROR(store_.ForEach(
      kProjectionFamily, "", [&](std::string_view key, std::string_view value) {
        if (key.size() != kUsccLength + 1) return true;
        const std::string_view uscc = key.substr(0, kUsccLength);
        if (uscc != current) {
          flush();
          if (!keep_going) return false;
          current.assign(uscc);
        }
        switch (key.back()) {
          case kFacts:
            if (!facts.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
              parse_error = absl::DataLossError(absl::StrCat("projection of ", AbslView(uscc)));
              return false;
            }
            have_facts = true;
            break;
          case kGrade:
            if (!value.empty() && value[0] >= 0 && value[0] <= 3) {
              row.grade = static_cast<CreditGrade>(value[0]);
            }
            break;
          case kRisk:
            if (!value.empty() && value[0] >= 0 && value[0] <= 3) {
              row.risk = static_cast<RiskLevel>(value[0]);
            }
            break;
          default:
            break;
        }
        return true;
      }));
  RETURN_IF_ERROR(parse_error);
  if (keep_going) flush();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::ProjectedSubject>> ProjectionReader::FindSubject(
    std::string_view uscc) const {
  return store_.GetMessage<v1::ProjectedSubject>(kProjectionFamily, RowKey(uscc, kFacts));
}

absl::StatusOr<std::vector<v1::ProjectedInspector>> ProjectionReader::Inspectors() const {
  std::vector<v1::ProjectedInspector> inspectors;
  absl::Status parse_error;
  RETURN_IF_ERROR(
      store_.ForEach(kInspectorFamily, "", [&](std::string_view key, std::string_view value) {
        v1::ProjectedInspector& row = inspectors.emplace_back();
        if (!row.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          parse_error = absl::DataLossError(absl::StrCat("inspector ", AbslView(key)));
          return false;
        }
        return true;
      }));
  RETURN_IF_ERROR(parse_error);
  return inspectors;
}

absl::StatusOr<std::optional<v1::ProjectedItem>> ProjectionReader::FindItem(
    std::string_view code) const {
  return store_.GetMessage<v1::ProjectedItem>(kItemFamily, code);
}

absl::StatusOr<std::optional<v1::ProjectedDepartment>> ProjectionReader::FindDepartment(
    std::string_view code) const {
  return store_.GetMessage<v1::ProjectedDepartment>(kDepartmentFamily, code);
}

absl::Status UpgradeProjections(store::Store& store) {
  constexpr char kDepartmentsProjected[] = "sampling/departments-projected";
  ASSIGN_OR_RETURN(std::optional<std::string> done, store.Get(store::kMetaFamily,
                                                              kDepartmentsProjected));
  if (done) return absl::OkStatus();
  bool has_departments = false;
  RETURN_IF_ERROR(store.ForEach(kDepartmentFamily, "", [&](std::string_view, std::string_view) {
    has_departments = true;
    return false;
  }));
  if (!has_departments) {
    RETURN_IF_ERROR(events::EventConsumer::ForgetPositions(store, kCatalogueGroup));
    LogInfo("catalogue projection replayed from the start of its topic, once, to learn the "
            "departments", {{"group", kCatalogueGroup}});
  }
  store::UnitOfWork work;
  work.Put(std::string(store::kMetaFamily), kDepartmentsProjected, "1");
  return store.Commit(work);
}

}  // namespace jianguan::sampling
