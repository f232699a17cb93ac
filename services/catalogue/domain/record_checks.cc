#include "services/catalogue/domain/record_checks.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "libs/core/uscc.h"
#include "services/catalogue/domain/inspectors.h"

namespace jianguan::catalogue {
namespace {

std::string F(std::string_view prefix, std::string_view field) {
  return absl::StrCat(AbslView(prefix), AbslView(field));
}

std::string At(std::string_view prefix, std::string_view field, int index) {
  return absl::StrCat(AbslView(prefix), AbslView(field), "[", index, "]");
}

template <typename List, typename Key>
bool HasDuplicate(const List& list, Key key) {
  std::set<std::string> seen;
  for (const auto& entry : list) {
    if (!seen.insert(std::string(key(entry))).second) return true;
  }
  return false;
}

void ValidateLegalBasis(FieldViolations& v, std::string_view prefix, const v1::LegalBasis& basis) {
  CheckText(v, F(prefix, "law"), basis.law(), {.required = true, .max_chars = Limits::kName});
  CheckText(v, F(prefix, "article"), basis.article(), {.max_chars = 100});
}

void ValidateCheckPoint(FieldViolations& v, std::string_view prefix, const v1::CheckPoint& point) {
  if (!IsCode(point.code(), 1)) {
    v.Add(F(prefix, "code"), "must be 1–40 characters of A–Z, 0–9 and '-'");
  }
  CheckText(v, F(prefix, "question"), point.question(),
            {.required = true, .max_chars = Limits::kText});
  ValidateLegalBasis(v, F(prefix, "legal_basis."), point.legal_basis());
  if (point.allowed_answers().empty()) {
    v.Add(F(prefix, "allowed_answers"), "a check point needs at least one allowed answer");
  } else if (point.allowed_answers_size() > Limits::kAnswers) {
    v.Add(F(prefix, "allowed_answers"), "at most 10 answers");
  }
  for (int i = 0; i < point.allowed_answers_size() && i < Limits::kAnswers; ++i) {
    const v1::AllowedAnswer& answer = point.allowed_answers(i);
    const std::string at = At(prefix, "allowed_answers", i);
    CheckText(v, at + ".code", answer.code(), {.required = true, .max_chars = 20});
    CheckText(v, at + ".label", answer.label(), {.required = true, .max_chars = 50});
  }
  if (HasDuplicate(point.allowed_answers(), [](const auto& a) { return a.code(); })) {
    v.Add(F(prefix, "allowed_answers"), "answer codes must be distinct");
  }
}

void ValidateRule(FieldViolations& v, std::string_view prefix, const v1::ApplicabilityRule& rule,
                  const CodeTable& industries) {
  if (rule.industry_codes().empty() && rule.subject_types().empty() &&
      rule.licence_kinds().empty() && rule.tags().empty()) {
    v.Add(prefix.substr(0, prefix.size() - 1), "a rule must set at least one criterion");
  }
  if (rule.industry_codes_size() > Limits::kRuleIndustries) {
    v.Add(F(prefix, "industry_codes"), "at most 50 codes");
  } else {
    for (int i = 0; i < rule.industry_codes_size(); ++i) {
      if (!industries.Contains(rule.industry_codes(i))) {
        v.Add(At(prefix, "industry_codes", i), "is not a GB/T 4754-2017 code");
      }
    }
  }
  if (rule.subject_types_size() > 5) v.Add(F(prefix, "subject_types"), "at most 5 types");
  for (int i = 0; i < rule.subject_types_size(); ++i) {
    const int type = rule.subject_types(i);
    if (!v1::SubjectType_IsValid(type) || type == v1::SUBJECT_TYPE_UNSPECIFIED) {
      v.Add(At(prefix, "subject_types", i), "is not a known subject type");
    }
  }
  ValidateTextList(v, F(prefix, "licence_kinds"), rule.licence_kinds(), Limits::kRuleEntries, 100);
  ValidateTextList(v, F(prefix, "tags"), rule.tags(), Limits::kRuleEntries, Limits::kShort);
}

}  // namespace

bool IsCode(std::string_view code, size_t min, size_t max) {
  if (code.size() < min || code.size() > max) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

void ValidateTextList(FieldViolations& v, std::string_view field,
                      const google::protobuf::RepeatedPtrField<std::string>& list, int max_entries,
                      size_t max_chars) {
  if (list.size() > max_entries) {
    v.Add(field, absl::StrCat("at most ", max_entries, " entries"));
    return;
  }
  for (int i = 0; i < list.size(); ++i) {
    CheckText(v, At(field, "", i), list[i], {.required = true, .max_chars = max_chars});
  }
}

void ValidateDepartment(FieldViolations& v, std::string_view prefix, const v1::Department& d,
                        const CodeTable& regions) {
  if (!IsCode(d.code())) v.Add(F(prefix, "code"), "must be 2–40 characters of A–Z, 0–9 and '-'");
  CheckText(v, F(prefix, "name"), d.name(), {.required = true, .max_chars = Limits::kDepartmentName});
  if (!v1::Level_IsValid(d.level()) || d.level() == v1::LEVEL_UNSPECIFIED) {
    v.Add(F(prefix, "level"), "is not a known level");
  }
  if (d.region().code().empty()) {
    if (d.level() != v1::LEVEL_NATIONAL) {
      v.Add(F(prefix, "region.code"), "required below the national level");
    }
  } else if (!regions.Contains(d.region().code())) {
    v.Add(F(prefix, "region.code"), "is not a GB/T 2260 region code");
  }
  if (!d.parent().code().empty() && !IsCode(d.parent().code())) {
    v.Add(F(prefix, "parent.code"), "is not a department code");
  }
  if (!v1::DepartmentStatus_IsValid(d.status()) ||
      d.status() == v1::DEPARTMENT_STATUS_UNSPECIFIED) {
    v.Add(F(prefix, "status"), "is not a known status");
  }
  ValidateTextList(v, F(prefix, "fields"), d.fields(), Limits::kFields, Limits::kShort);
}

void ValidateItem(FieldViolations& v, std::string_view prefix, const v1::RegulatoryItem& item,
                  const CodeTable& industries) {
  if (!IsCode(item.code())) v.Add(F(prefix, "code"), "must be 2–40 characters of A–Z, 0–9 and '-'");
  if (!item.parent_code().empty() && !IsCode(item.parent_code())) {
    v.Add(F(prefix, "parent_code"), "is not an item code");
  } else if (!item.parent_code().empty() && item.parent_code() == item.code()) {
    v.Add(F(prefix, "parent_code"), "an item cannot be its own main item");
  }
  CheckText(v, F(prefix, "name"), item.name(), {.required = true, .max_chars = Limits::kName});
  if (item.owning_departments().empty() || item.owning_departments_size() > Limits::kOwners) {
    v.Add(F(prefix, "owning_departments"), "1–10 departments");
  }
  if (HasDuplicate(item.owning_departments(), [](const auto& d) { return d.code(); })) {
    v.Add(F(prefix, "owning_departments"), "departments must be distinct");
  }
  if (!v1::Level_IsValid(item.level()) || item.level() == v1::LEVEL_UNSPECIFIED) {
    v.Add(F(prefix, "level"), "is not a known level");
  }
  if (!v1::ItemCategory_IsValid(item.category()) ||
      item.category() == v1::ITEM_CATEGORY_UNSPECIFIED) {
    v.Add(F(prefix, "category"), "is not a known category");
  }
  CheckText(v, F(prefix, "field"), item.field(), {.required = true, .max_chars = Limits::kShort});
  if (item.legal_basis().empty() || item.legal_basis_size() > Limits::kLegalBasis) {
    v.Add(F(prefix, "legal_basis"), "1–20 legal bases");
  } else {
    for (int i = 0; i < item.legal_basis_size(); ++i) {
      ValidateLegalBasis(v, At(prefix, "legal_basis", i) + ".", item.legal_basis(i));
    }
  }
  if (item.applicability_size() > Limits::kRules) {
    v.Add(F(prefix, "applicability"), "at most 20 rules");
  } else {
    for (int i = 0; i < item.applicability_size(); ++i) {
      ValidateRule(v, At(prefix, "applicability", i) + ".", item.applicability(i), industries);
    }
  }
  if (item.check_points_size() > Limits::kCheckPoints) {
    v.Add(F(prefix, "check_points"), "at most 200 check points");
  } else {
    for (int i = 0; i < item.check_points_size(); ++i) {
      ValidateCheckPoint(v, At(prefix, "check_points", i) + ".", item.check_points(i));
    }
    if (HasDuplicate(item.check_points(), [](const auto& p) { return p.code(); })) {
      v.Add(F(prefix, "check_points"), "check point codes must be distinct");
    }
  }
  CheckText(v, F(prefix, "revision_note"), item.revision_note(), {.max_chars = Limits::kText});
  CheckRecordSize(v, prefix.substr(0, prefix.empty() ? 0 : prefix.size() - 1), item, "the item");
}

void CheckRecordSize(FieldViolations& v, std::string_view field,
                     const google::protobuf::Message& record, std::string_view what) {
  const size_t bytes = record.ByteSizeLong();
  if (bytes <= Limits::kRecordBytes) return;
  v.Add(field, absl::StrCat(AbslView(what), " comes to ", bytes, " bytes, over the ",
                            Limits::kRecordBytes,
                            " one may have (it is published whole, as one event): fewer or "
                            "shorter check points"));
}

void ValidateInspector(FieldViolations& v, std::string_view prefix, const v1::Inspector& inspector) {
  CheckText(v, F(prefix, "name"), inspector.name(),
            {.required = true, .max_chars = Limits::kPersonName});
  if (!IsCode(inspector.department().code())) {
    v.Add(F(prefix, "department.code"), "is not a department code");
  }
  const v1::EnforcementCertificate& cert = inspector.certificate();
  if (!IsCode(cert.number(), 4, 32)) {
    v.Add(F(prefix, "certificate.number"), "must be 4–32 characters of A–Z, 0–9 and '-'");
  }
  CheckText(v, F(prefix, "certificate.issuer"), cert.issuer(), {.max_chars = 100});
  const auto from = ValidDayOf(cert.valid_from());
  const auto until = ValidDayOf(cert.valid_until());
  if (!from) v.Add(F(prefix, "certificate.valid_from"), "is not a date");
  if (!until) v.Add(F(prefix, "certificate.valid_until"), "is not a date");
  if (from && until && *until < *from) {
    v.Add(F(prefix, "certificate.valid_until"), "is before valid_from");
  }
  if (inspector.authorised_items_size() > Limits::kAuthorisedItems) {
    v.Add(F(prefix, "authorised_items"), "at most 200 items");
  } else {
    for (int i = 0; i < inspector.authorised_items_size(); ++i) {
      if (!IsCode(inspector.authorised_items(i))) {
        v.Add(At(prefix, "authorised_items", i), "is not an item code");
      }
    }
  }
  ValidateTextList(v, F(prefix, "authorised_fields"), inspector.authorised_fields(),
                   Limits::kFields, Limits::kShort);
  if (inspector.conflicts_size() > Limits::kConflicts) {
    v.Add(F(prefix, "conflicts"), "at most 100 subjects");
  } else {
    for (int i = 0; i < inspector.conflicts_size(); ++i) {
      if (auto s = ValidateUscc(inspector.conflicts(i)); !s.ok()) {
        v.Add(At(prefix, "conflicts", i), StdView(s.message()));
      }
    }
  }
  CheckText(v, F(prefix, "photo_ref"), inspector.photo_ref(), {.max_chars = Limits::kRef});
  CheckText(v, F(prefix, "signature_ref"), inspector.signature_ref(), {.max_chars = Limits::kRef});
}

void ValidateForm(FieldViolations& v, std::string_view prefix, const v1::FormTemplate& form) {
  if (!IsCode(form.code())) v.Add(F(prefix, "code"), "must be 2–40 characters of A–Z, 0–9 and '-'");
  CheckText(v, F(prefix, "name"), form.name(), {.required = true, .max_chars = Limits::kName});
  if (form.departments().empty() || form.departments_size() > Limits::kOwners) {
    v.Add(F(prefix, "departments"), "1–10 departments");
  }
  if (HasDuplicate(form.departments(), [](const auto& d) { return d.code(); })) {
    v.Add(F(prefix, "departments"), "departments must be distinct");
  }
  if (form.sections().empty() || form.sections_size() > Limits::kSections) {
    v.Add(F(prefix, "sections"), "1–20 sections");
  } else {
    for (int i = 0; i < form.sections_size(); ++i) {
      const v1::FormSection& section = form.sections(i);
      const std::string at = At(prefix, "sections", i);
      if (!IsCode(section.item_code())) v.Add(at + ".item_code", "is not an item code");
      if (section.check_point_codes_size() > Limits::kCheckPoints) {
        v.Add(at + ".check_point_codes", "at most 200 codes");
      }
    }
    if (HasDuplicate(form.sections(), [](const auto& s) { return s.item_code(); })) {
      v.Add(F(prefix, "sections"), "each item at most once");
    }
  }
  CheckText(v, F(prefix, "revision_note"), form.revision_note(), {.max_chars = Limits::kText});
}

bool IsResourceId(std::string_view id) { return IsCode(id, 1, Limits::kCodeMax); }

void ValidateReason(FieldViolations& v, std::string_view reason) {
  CheckText(v, "reason", reason, {.required = true, .max_chars = Limits::kText});
}

}  // namespace jianguan::catalogue
