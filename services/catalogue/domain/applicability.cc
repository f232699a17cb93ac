#include "services/catalogue/domain/applicability.h"


#include "services/catalogue/domain/record_checks.h"

namespace jianguan::catalogue {

void ValidateSubjectAttributes(FieldViolations& v, const v1::SubjectAttributes& subject,
                               const CodeTable& regions, const CodeTable& industries) {
  if (!v1::SubjectType_IsValid(subject.type()) || subject.type() == v1::SUBJECT_TYPE_UNSPECIFIED) {
    v.Add("subject.type", "is not a known subject type");
  }
  if (!industries.Contains(subject.industry().code())) {
    v.Add("subject.industry.code", "is not a GB/T 4754-2017 code");
  }
  if (!regions.Contains(subject.region().code())) {
    v.Add("subject.region.code", "is not a GB/T 2260 region code");
  }
  ValidateTextList(v, "subject.licence_kinds", subject.licence_kinds(), Limits::kSubjectEntries,
                   100);
  ValidateTextList(v, "subject.tags", subject.tags(), Limits::kSubjectEntries, Limits::kShort);
}

v1::ApplicableItem ApplicableEntry(const v1::RegulatoryItem& item,
                                   const std::vector<std::string>& departments) {
  v1::ApplicableItem out;
  out.set_code(item.code());
  out.set_version(item.version());
  out.set_name(item.name());
  out.set_category(item.category());
  out.set_field(item.field());
  for (const std::string& code : departments) out.add_departments()->set_code(code);
  return out;
}

}  // namespace jianguan::catalogue
