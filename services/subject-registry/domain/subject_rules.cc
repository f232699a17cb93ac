#include "services/subject-registry/domain/subject_rules.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/timestamps.h"
#include "libs/core/uscc.h"

namespace jianguan::subject {
namespace {

using google::protobuf::util::MessageDifferencer;

std::string Path(std::string_view prefix, std::string_view field) {
  return prefix.empty() ? std::string(field) : absl::StrCat(AbslView(prefix), ".", AbslView(field));
}

// A set date must be a real calendar date (0 fields: not given).
bool IsSet(const common::v1::Date& d) { return d.year() != 0 || d.month() != 0 || d.day() != 0; }

std::optional<absl::CivilDay> ToCivil(const common::v1::Date& d) {
  if (d.year() < 1900 || d.year() > 2200 || d.month() < 1 || d.month() > 12 || d.day() < 1) {
    return std::nullopt;
  }
  absl::CivilDay day(d.year(), d.month(), d.day());
  if (day.month() != d.month() || day.day() != d.day()) return std::nullopt;  // 2 Feb 30
  return day;
}

void CheckDate(FieldViolations& v, std::string_view field, const common::v1::Date& d) {
  if (IsSet(d) && !ToCivil(d)) v.Add(field, "is not a calendar date between 1900 and 2200");
}

void CheckDepartment(FieldViolations& v, std::string_view field,
                     const common::v1::DepartmentRef& d, bool required) {
  CheckText(v, field, d.code(), {.required = required, .max_chars = SubjectLimits::kDepartmentCode});
}

bool IsTag(std::string_view tag) {
  if (tag.size() < 2 || tag.size() > 40 || tag[0] < 'a' || tag[0] > 'z') return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool IsIdNumber(std::string_view id) {
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

// GB 32100-2015: for registering authority '9', position 2 is 1 enterprise, 2 individual
// business, 3 farmers' cooperative.
char MarketEntityTypeOf(v1::SubjectType type) {
  switch (type) {
    case v1::SUBJECT_TYPE_ENTERPRISE: return '1';
    case v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS: return '2';
    case v1::SUBJECT_TYPE_FARMERS_COOPERATIVE: return '3';
    default: return '\0';
  }
}

void CheckRegion(FieldViolations& v, std::string_view field, const CodeTable& regions,
                 std::string_view code, bool required) {
  if (code.empty()) {
    if (required) v.Add(field, "must not be empty");
    return;
  }
  if (!regions.Contains(code)) {
    v.Add(field, absl::StrCat(QuotedInput(code, 16), " is not a GB/T 2260 region code"));
  }
}

void CheckAddress(FieldViolations& v, std::string_view prefix, const CodeTable& regions,
                  const v1::Address& a) {
  CheckRegion(v, Path(prefix, "region.code"), regions, a.region().code(), false);
  CheckText(v, Path(prefix, "detail"), a.detail(), {.max_chars = SubjectLimits::kAddressDetail});
}

const google::protobuf::FieldDescriptor* SubjectField(std::string_view name) {
  return v1::Subject::descriptor()->FindFieldByName(std::string(name));
}

}  // namespace

const std::vector<std::string>& UpdatableFields() {
  static const auto* fields = new std::vector<std::string>{
      "name",     "legal_representative", "registered_capital", "established_on",
      "industry", "registration_region",  "domicile",           "business_address",
      "location", "business_scope",       "tags"};
  return *fields;
}

void SubjectRules::CheckField(FieldViolations& v, std::string_view prefix, std::string_view path,
                              const v1::Subject& s, absl::CivilDay today) const {
  const std::string field = Path(prefix, path);
  if (path == "name") {
    CheckText(v, field, s.name(), {.required = true, .max_chars = SubjectLimits::kName});
  } else if (path == "legal_representative") {
    const auto& rep = s.legal_representative();
    CheckText(v, Path(field, "name"), rep.name(),
              {.required = true, .max_chars = SubjectLimits::kPersonName});
    // The ID number itself never goes into a message: it could end up in a log line.
    if (CheckText(v, Path(field, "id_number"), rep.id_number(),
                  {.max_chars = SubjectLimits::kIdNumber}) &&
        !IsIdNumber(rep.id_number())) {
      v.Add(Path(field, "id_number"), "may hold only the letters A-Z and digits");
    }
  } else if (path == "registered_capital") {
    if (s.registered_capital().fen() < 0) v.Add(Path(field, "fen"), "must not be negative");
  } else if (path == "established_on") {
    CheckDate(v, field, s.established_on());
    if (auto day = ToCivil(s.established_on()); day && *day > today) {
      v.Add(field, "must not be in the future");
    }
  } else if (path == "industry") {
    const std::string& code = s.industry().code();
    if (code.empty()) {
      v.Add(Path(field, "code"), "must not be empty");
    } else if (!industries_.Contains(code)) {
      v.Add(Path(field, "code"),
            absl::StrCat(QuotedInput(code, 16), " is not a GB/T 4754-2017 industry code"));
    }
  } else if (path == "registration_region") {
    CheckRegion(v, Path(field, "code"), regions_, s.registration_region().code(), true);
  } else if (path == "domicile") {
    CheckAddress(v, field, regions_, s.domicile());
  } else if (path == "business_address") {
    CheckAddress(v, field, regions_, s.business_address());
  } else if (path == "location") {
    const double lat = s.location().latitude(), lon = s.location().longitude();
    if (!std::isfinite(lat) || lat < -90 || lat > 90) {
      v.Add(Path(field, "latitude"), "must be between -90 and 90");
    }
    if (!std::isfinite(lon) || lon < -180 || lon > 180) {
      v.Add(Path(field, "longitude"), "must be between -180 and 180");
    }
  } else if (path == "business_scope") {
    CheckText(v, field, s.business_scope(), {.max_chars = SubjectLimits::kBusinessScope});
  } else if (path == "tags") {
    if (s.tags_size() > SubjectLimits::kTags) {
      v.Add(field, absl::StrCat("has ", s.tags_size(), " tags, at most ", SubjectLimits::kTags));
      return;
    }
    std::set<std::string_view> seen;
    for (int i = 0; i < s.tags_size(); ++i) {
      const std::string item = absl::StrCat(field, "[", i, "]");
      if (!IsTag(s.tags(i))) {
        v.Add(item, "must be 2-40 characters of a-z, 0-9 and '-', starting with a letter");
      } else if (!seen.insert(s.tags(i)).second) {
        v.Add(item, "is a duplicate");
      }
    }
  } else {
    v.Add(Path(prefix == "subject" ? "update_mask" : prefix, "paths"),
          absl::StrCat(QuotedInput(path, 64), " cannot be updated"));
  }
}

void SubjectRules::CheckSubject(FieldViolations& v, std::string_view prefix,
                                const v1::Subject& s, absl::CivilDay today) const {
  if (auto uscc = Uscc::Parse(s.uscc()); !uscc.ok()) {
    v.Add(Path(prefix, "uscc"), StdView(uscc.status().message()));
  } else if (uscc->registering_authority() == '9' && MarketEntityTypeOf(s.type()) != '\0' &&
             MarketEntityTypeOf(s.type()) != uscc->entity_type()) {
    v.Add(Path(prefix, "type"), absl::StrCat("does not match the entity type '",
                                             std::string(1, uscc->entity_type()),
                                             "' in position 2 of the USCC"));
  }
  if (!v1::SubjectType_IsValid(s.type()) || s.type() == v1::SUBJECT_TYPE_UNSPECIFIED) {
    v.Add(Path(prefix, "type"), absl::StrCat("must be a known subject type, found ", s.type()));
  }
  for (const std::string& path : UpdatableFields()) CheckField(v, prefix, path, s, today);
  if (s.licences_size() > SubjectLimits::kLicences) {
    v.Add(Path(prefix, "licences"), absl::StrCat("at most ", SubjectLimits::kLicences));
  } else {
    for (int i = 0; i < s.licences_size(); ++i) {
      CheckLicence(v, absl::StrCat(Path(prefix, "licences"), "[", i, "]"), s.licences(i));
    }
  }
  if (s.ByteSizeLong() > SubjectLimits::kRecordBytes) {
    v.Add(prefix, absl::StrCat("is ", s.ByteSizeLong(), " bytes, at most 1 MiB"));
  }
}

void SubjectRules::CheckUpdate(FieldViolations& v, const v1::Subject& s,
                               const std::vector<std::string>& paths, absl::CivilDay today) const {
  if (auto status = ValidateUscc(s.uscc()); !status.ok()) v.Add("subject.uscc", StdView(status.message()));
  if (paths.empty()) v.Add("update_mask.paths", "must name at least one field");
  for (const std::string& path : paths) CheckField(v, "subject", path, s, today);
  if (s.ByteSizeLong() > SubjectLimits::kRecordBytes) {
    v.Add("subject", absl::StrCat("is ", s.ByteSizeLong(), " bytes, at most 1 MiB"));
  }
}

void SubjectRules::CheckLicence(FieldViolations& v, std::string_view prefix,
                                const v1::Licence& l) const {
  CheckText(v, Path(prefix, "kind"), l.kind(), {.required = true, .max_chars = SubjectLimits::kLicenceKind});
  CheckText(v, Path(prefix, "number"), l.number(),
            {.required = true, .max_chars = SubjectLimits::kLicenceNumber});
  CheckDepartment(v, Path(prefix, "issuing_department.code"), l.issuing_department(), true);
  CheckDate(v, Path(prefix, "valid_from"), l.valid_from());
  CheckDate(v, Path(prefix, "valid_until"), l.valid_until());
  if (!IsSet(l.valid_from())) v.Add(Path(prefix, "valid_from"), "must be set");
  auto from = ToCivil(l.valid_from()), until = ToCivil(l.valid_until());
  if (from && until && *until < *from) v.Add(Path(prefix, "valid_until"), "is before valid_from");
  if (!v1::LicenceStatus_IsValid(l.status()) || l.status() == v1::LICENCE_STATUS_UNSPECIFIED) {
    v.Add(Path(prefix, "status"), absl::StrCat("must be a known licence status, found ", l.status()));
  }
}

void SubjectRules::CheckCommitment(FieldViolations& v, std::string_view prefix,
                                   const v1::Commitment& c) const {
  if (!v1::CommitmentKind_IsValid(c.kind()) || c.kind() == v1::COMMITMENT_KIND_UNSPECIFIED) {
    v.Add(Path(prefix, "kind"), absl::StrCat("must be a known commitment kind, found ", c.kind()));
  }
  CheckText(v, Path(prefix, "licence_item"), c.licence_item(),
            {.required = c.kind() == v1::COMMITMENT_KIND_LICENCE_ITEM,
             .max_chars = SubjectLimits::kLicenceItem});
  CheckText(v, Path(prefix, "content"), c.content(),
            {.required = true, .max_chars = SubjectLimits::kCommitmentContent});
  CheckDepartment(v, Path(prefix, "department.code"), c.department(), true);
  CheckDate(v, Path(prefix, "made_on"), c.made_on());
  CheckDate(v, Path(prefix, "verify_by"), c.verify_by());
  if (!IsSet(c.made_on())) v.Add(Path(prefix, "made_on"), "must be set");
  if (!IsSet(c.verify_by())) v.Add(Path(prefix, "verify_by"), "must be set");
  auto made = ToCivil(c.made_on()), by = ToCivil(c.verify_by());
  if (made && by && *by < *made) v.Add(Path(prefix, "verify_by"), "is before made_on");
}

std::string SubjectRules::IndustrySection(std::string_view code) const {
  if (code.empty()) return "";
  if (code[0] >= 'A' && code[0] <= 'Z') return std::string(code.substr(0, 1));
  // A section's divisions (大类) are two digits; the section is their parent.
  const CodeEntry* division = industries_.Find(code.substr(0, 2));
  if (division == nullptr) return "";
  return division->parent_code;
}

v1::Subject NewSubject(const v1::Subject& input, absl::Time now) {
  v1::Subject s = input;
  s.mutable_legal_representative()->set_id_number_masked(false);
  s.set_status(v1::SUBJECT_STATUS_NORMAL);
  s.clear_abnormal_reason();
  s.clear_status_history();
  s.clear_commitments();
  s.clear_last_report_year();
  s.clear_abnormal_listed_on();
  s.clear_serious_violation_warned_on();
  s.clear_unreported_year();
  s.set_version(1);
  *s.mutable_create_time() = ToTimestamp(now);
  *s.mutable_update_time() = s.create_time();
  return s;
}

std::vector<std::string> ApplyUpdate(const v1::Subject& from, const std::vector<std::string>& paths,
                                     v1::Subject& into) {
  std::vector<std::string> changed;
  const auto* reflection = v1::Subject::GetReflection();
  for (const std::string& path : paths) {
    const auto* field = SubjectField(path);
    if (field == nullptr) continue;
    // Each value moved alone into an empty message, so two of them compare field to field.
    v1::Subject into_copy = into, from_copy = from, old_value, new_value;
    reflection->SwapFields(&into_copy, &old_value, {field});
    reflection->SwapFields(&from_copy, &new_value, {field});
    if (!MessageDifferencer::Equals(old_value, new_value)) changed.push_back(path);
    reflection->SwapFields(&into, &new_value, {field});
  }
  if (into.has_legal_representative()) {
    into.mutable_legal_representative()->set_id_number_masked(false);
  }
  return changed;
}

bool SameRegisteredData(const v1::Subject& input, const v1::Subject& stored) {
  v1::Subject a = NewSubject(input, absl::UnixEpoch());
  v1::Subject b = stored;
  // Only what a client registers is compared; the registry's own fields are not.
  for (v1::Subject* s : {&a, &b}) {
    s->clear_status();
    s->clear_abnormal_reason();
    s->clear_status_history();
    s->clear_commitments();
    s->clear_version();
    s->clear_create_time();
    s->clear_update_time();
    s->clear_last_report_year();
    s->clear_abnormal_listed_on();
    s->clear_serious_violation_warned_on();
    s->clear_unreported_year();
    s->mutable_legal_representative()->clear_id_number_masked();
  }
  return MessageDifferencer::Equals(a, b);
}

std::string MaskIdNumber(std::string_view id_number) {
  if (id_number.empty()) return "";
  std::string masked(id_number.size(), '*');
  if (id_number.size() <= 5) return masked;
  masked[0] = id_number[0];
  for (size_t i = id_number.size() - 4; i < id_number.size(); ++i) masked[i] = id_number[i];
  return masked;
}

void MaskPersonalData(v1::Subject& subject) {
  if (!subject.has_legal_representative()) return;
  auto* rep = subject.mutable_legal_representative();
  if (rep->id_number().empty()) return;
  rep->set_id_number(MaskIdNumber(rep->id_number()));
  rep->set_id_number_masked(true);
}

bool MayReadIdNumbers(const Caller& caller) { return caller.HasRole(roles::kRegistryAdmin); }

v1::Subject ForCaller(v1::Subject subject, const Caller& caller) {
  if (!MayReadIdNumbers(caller)) MaskPersonalData(subject);
  return subject;
}

bool HasMaskedIdNumber(const v1::Subject& input) {
  return input.legal_representative().id_number().find('*') != std::string::npos;
}

bool RestoreMaskedIdNumber(v1::Subject& input, const v1::Subject* stored) {
  if (!HasMaskedIdNumber(input)) return true;
  if (stored == nullptr) return false;
  const std::string& stored_id = stored->legal_representative().id_number();
  if (MaskIdNumber(stored_id) != input.legal_representative().id_number()) return false;
  input.mutable_legal_representative()->set_id_number(stored_id);
  return true;
}

std::string MaskPersonName(std::string_view name) {
  if (name.empty()) return "";
  if (!IsValidUtf8(name)) return std::string(name.size(), '*');  // nothing of a non-text name
  // The first character (one code point, its continuation bytes with it), then one '*' per
  // further character.
  size_t first = 1;
  while (first < name.size() && (static_cast<unsigned char>(name[first]) & 0xC0) == 0x80) ++first;
  return absl::StrCat(AbslView(name.substr(0, first)), std::string(Utf8Length(name) - 1, '*'));
}

v1::Subject PublicView(const v1::Subject& subject) {
  v1::Subject view = subject;
  if (view.has_legal_representative()) {
    view.mutable_legal_representative()->clear_id_number();
    view.mutable_legal_representative()->clear_id_number_masked();
    view.mutable_legal_representative()->set_name(
        MaskPersonName(view.legal_representative().name()));
  }
  view.clear_status_history();
  view.clear_commitments();
  return view;
}

v1::SubjectFacts FactsOf(const v1::Subject& s) {
  v1::SubjectFacts facts;
  facts.set_uscc(s.uscc());
  facts.set_name(s.name());
  facts.set_type(s.type());
  *facts.mutable_industry() = s.industry();
  *facts.mutable_registration_region() = s.registration_region();
  *facts.mutable_business_region() = s.business_address().region();
  *facts.mutable_tags() = s.tags();
  facts.set_status(s.status());
  facts.set_version(s.version());
  return facts;
}

absl::StatusOr<v1::SubjectStatus> NextStatus(std::string_view resource, const v1::Subject& subject,
                                             v1::StatusAction action, v1::AbnormalReason reason) {
  const v1::SubjectStatus now = subject.status();
  auto refuse = [&](std::string_view why) { return FailedPrecondition(resource, why); };
  const bool active = now == v1::SUBJECT_STATUS_NORMAL ||
                      now == v1::SUBJECT_STATUS_ABNORMAL_OPERATION ||
                      now == v1::SUBJECT_STATUS_SERIOUS_VIOLATION;
  switch (action) {
    case v1::STATUS_ACTION_LIST_ABNORMAL:
      if (now != v1::SUBJECT_STATUS_NORMAL) return refuse("only a normal subject can be listed as abnormal");
      return v1::SUBJECT_STATUS_ABNORMAL_OPERATION;
    case v1::STATUS_ACTION_REMOVE_ABNORMAL:
      if (now != v1::SUBJECT_STATUS_ABNORMAL_OPERATION) return refuse("the subject is not on the abnormal operation list");
      if (reason != subject.abnormal_reason()) return refuse("the reason differs from the listing's reason");
      return v1::SUBJECT_STATUS_NORMAL;
    case v1::STATUS_ACTION_LIST_SERIOUS_VIOLATION:
      if (now != v1::SUBJECT_STATUS_NORMAL && now != v1::SUBJECT_STATUS_ABNORMAL_OPERATION) {
        return refuse("only a normal or abnormal subject can be put on the serious violation list");
      }
      return v1::SUBJECT_STATUS_SERIOUS_VIOLATION;
    case v1::STATUS_ACTION_REMOVE_SERIOUS_VIOLATION:
      if (now != v1::SUBJECT_STATUS_SERIOUS_VIOLATION) return refuse("the subject is not on the serious violation list");
      return v1::SUBJECT_STATUS_NORMAL;
    case v1::STATUS_ACTION_REVOKE:
      if (!active) return refuse("a revoked, deregistered or moved-out subject cannot be revoked");
      return v1::SUBJECT_STATUS_REVOKED;
    case v1::STATUS_ACTION_DEREGISTER:
      if (!active && now != v1::SUBJECT_STATUS_REVOKED) return refuse("the subject is deregistered or moved out");
      return v1::SUBJECT_STATUS_DEREGISTERED;
    case v1::STATUS_ACTION_MOVE_OUT:
      if (now != v1::SUBJECT_STATUS_NORMAL && now != v1::SUBJECT_STATUS_ABNORMAL_OPERATION) {
        return refuse("only a normal or abnormal subject can move out");
      }
      return v1::SUBJECT_STATUS_MOVED_OUT;
    default:
      return InvalidField("action", "must be a known status action");
  }
}

namespace {

// The summary of one of the registry's own events, or nullopt for any other message.
std::optional<std::string> SummarizeOwnEvent(const google::protobuf::Message& event) {
  if (const auto* e = dynamic_cast<const v1::SubjectRegistered*>(&event)) {
    return absl::StrCat("登记入库 registered: ", e->facts().name());
  }
  if (const auto* e = dynamic_cast<const v1::SubjectUpdated*>(&event)) {
    std::string fields;
    for (const auto& f : e->changed_fields()) absl::StrAppend(&fields, fields.empty() ? "" : ", ", f);
    return absl::StrCat("信息变更 updated: ", fields);
  }
  if (const auto* e = dynamic_cast<const v1::SubjectStatusChanged*>(&event)) {
    return absl::StrCat("状态变更 status: ", v1::SubjectStatus_Name(e->change().from()), " → ",
                        v1::SubjectStatus_Name(e->change().to()),
                        e->change().reason() ? absl::StrCat(" (", v1::AbnormalReason_Name(e->change().reason()), ")") : "");
  }
  if (const auto* e = dynamic_cast<const v1::LicenceGranted*>(&event)) {
    return absl::StrCat("许可 licence granted: ", e->licence().kind(), " ", e->licence().number());
  }
  if (const auto* e = dynamic_cast<const v1::CommitmentRecorded*>(&event)) {
    return absl::StrCat("信用承诺 commitment recorded: ", CommitmentKind_Name(e->commitment().kind()));
  }
  if (const auto* e = dynamic_cast<const v1::CommitmentResolved*>(&event)) {
    return absl::StrCat("承诺核查 commitment resolved: ", CommitmentState_Name(e->commitment().state()));
  }
  if (const auto* e = dynamic_cast<const v1::AnnualReportPublished*>(&event)) {
    return absl::StrCat("年报公示 annual report ", e->report().year(), " published",
                        e->report().late() ? " (逾期 late)" : "");
  }
  if (const auto* e = dynamic_cast<const v1::SeriousViolationWarning*>(&event)) {
    return absl::StrFormat("列严预警 serious violation list on %04d-%02d-%02d unless removed",
                           e->move_on().year(), e->move_on().month(), e->move_on().day());
  }
  return std::nullopt;
}

template <typename M>
std::optional<std::string> ParseAndSummarize(std::string_view payload) {
  M event;
  if (!event.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) return std::nullopt;
  return SummarizeOwnEvent(event);
}

// Another service's event (or one that does not parse): its type's short name and its
// source say what happened.
std::string SummarizeForeignEvent(std::string_view type, std::string_view source) {
  const size_t dot = type.rfind('.');
  const std::string_view name = dot == std::string_view::npos ? type : type.substr(dot + 1);
  return absl::StrCat(AbslView(name.empty() ? std::string_view("event") : name), " from ",
                      AbslView(source.empty() ? std::string_view("unknown source") : source));
}

}  // namespace

std::string SummarizeEvent(std::string_view type, std::string_view payload, std::string_view source) {
  std::optional<std::string> summary;
  if (type == "jianguan.subject.v1.SubjectRegistered") {
    summary = ParseAndSummarize<v1::SubjectRegistered>(payload);
  } else if (type == "jianguan.subject.v1.SubjectUpdated") {
    summary = ParseAndSummarize<v1::SubjectUpdated>(payload);
  } else if (type == "jianguan.subject.v1.SubjectStatusChanged") {
    summary = ParseAndSummarize<v1::SubjectStatusChanged>(payload);
  } else if (type == "jianguan.subject.v1.LicenceGranted") {
    summary = ParseAndSummarize<v1::LicenceGranted>(payload);
  } else if (type == "jianguan.subject.v1.CommitmentRecorded") {
    summary = ParseAndSummarize<v1::CommitmentRecorded>(payload);
  } else if (type == "jianguan.subject.v1.CommitmentResolved") {
    summary = ParseAndSummarize<v1::CommitmentResolved>(payload);
  } else if (type == "jianguan.subject.v1.AnnualReportPublished") {
    summary = ParseAndSummarize<v1::AnnualReportPublished>(payload);
  } else if (type == "jianguan.subject.v1.SeriousViolationWarning") {
    summary = ParseAndSummarize<v1::SeriousViolationWarning>(payload);
  }
  return summary ? *std::move(summary) : SummarizeForeignEvent(type, source);
}

std::string SummarizeEvent(const google::protobuf::Message& event, std::string_view source) {
  if (auto summary = SummarizeOwnEvent(event)) return *std::move(summary);
  return SummarizeForeignEvent(event.GetDescriptor()->full_name(), source);
}

}  // namespace jianguan::subject
