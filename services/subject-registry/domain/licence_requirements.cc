#include "services/subject-registry/domain/licence_requirements.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/civil_date.h"
#include "libs/core/csv.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"

namespace jianguan::subject {
namespace {

constexpr size_t kMaxTerm = 100;

absl::Status ErrorAt(std::string_view origin, int line, std::string_view column,
                     std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(AbslView(origin), ":", line, ": column ",
                                                 AbslView(column), ": ", AbslView(what)));
}

bool IsCode(std::string_view code, size_t min, size_t max, bool digits_and_dash) {
  if (code.size() < min || code.size() > max) return false;
  return std::all_of(code.begin(), code.end(), [&](char c) {
    return (c >= 'A' && c <= 'Z') || (digits_and_dash && ((c >= '0' && c <= '9') || c == '-'));
  });
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  for (absl::string_view item : absl::StrSplit(AbslView(text), ';')) {
    items.emplace_back(absl::StripAsciiWhitespace(item));
  }
  if (items.size() == 1 && items[0].empty()) items.clear();  // an empty cell: no item
  return items;
}

// A ';'-separated list of phrases: each 1–100 characters of UTF-8.
absl::StatusOr<std::vector<std::string>> Phrases(std::string_view origin, int line,
                                                 std::string_view column, std::string_view text) {
  std::vector<std::string> phrases = SplitList(text);
  for (const std::string& phrase : phrases) {
    if (phrase.empty() || !IsValidUtf8(phrase) || Utf8Length(phrase) > kMaxTerm) {
      return ErrorAt(origin, line, column,
                     absl::StrCat(QuotedInput(phrase), " must be 1-", kMaxTerm,
                                  " characters of UTF-8 (an empty item between ';'?)"));
    }
  }
  return phrases;
}

}  // namespace

LicenceRequirements::LicenceRequirements(std::vector<LicenceKind> kinds,
                                         const CodeTable& industries)
    : kinds_(std::move(kinds)), industries_(&industries) {
  for (size_t i = 0; i < kinds_.size(); ++i) {
    for (const std::string& code : kinds_[i].industries) by_industry_[code].push_back(i);
  }
}

absl::StatusOr<LicenceRequirements> LicenceRequirements::Load(const std::string& path,
                                                              const CodeTable& industries) {
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ReadCsvFile(path));
  return FromRecords(records, path, industries);
}

absl::StatusOr<LicenceRequirements> LicenceRequirements::FromCsv(std::string_view text,
                                                                 std::string_view origin,
                                                                 const CodeTable& industries) {
  ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(text, origin));
  return FromRecords(records, origin, industries);
}

absl::StatusOr<LicenceRequirements> LicenceRequirements::FromRecords(
    const std::vector<CsvRecord>& records, std::string_view origin,
    const CodeTable& industries) {
  if (records.empty()) return ErrorAt(origin, 1, "code", "the table has no header");
  ASSIGN_OR_RETURN(std::vector<size_t> col,
                   CsvColumns(records[0],
                              {"code", "licence_kind", "department_kind", "industries",
                               "scope_terms", "legal_basis"},
                              origin));
  std::optional<size_t> exclusions_column;
  for (size_t i = 0; i < records[0].fields.size(); ++i) {
    if (records[0].fields[i] == "scope_exclusions") exclusions_column = i;
  }
  std::vector<LicenceKind> kinds;
  std::set<std::string, std::less<>> codes, licence_kinds;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    const auto field = [&](size_t c) -> const std::string& { return record.fields[col[c]]; };
    const int line = record.line;
    LicenceKind kind;
    kind.code = field(0);
    if (!IsCode(kind.code, 2, 40, true)) {
      return ErrorAt(origin, line, "code",
                     absl::StrCat(QuotedInput(kind.code), " must be 2-40 of A-Z, 0-9 and '-'"));
    }
    if (!codes.insert(kind.code).second) {
      return ErrorAt(origin, line, "code", absl::StrCat(kind.code, " is listed twice"));
    }
    kind.licence_kind = field(1);
    if (kind.licence_kind.empty() || !IsValidUtf8(kind.licence_kind) ||
        Utf8Length(kind.licence_kind) > 100) {
      return ErrorAt(origin, line, "licence_kind",
                     absl::StrCat(QuotedInput(kind.licence_kind),
                                  " must be 1-100 characters of UTF-8"));
    }
    // GrantLicence names the kind by this text: two rows with one text could not be told apart.
    if (!licence_kinds.insert(kind.licence_kind).second) {
      return ErrorAt(origin, line, "licence_kind",
                     absl::StrCat(kind.licence_kind, " is listed twice"));
    }
    kind.department_kind = field(2);
    if (!IsCode(kind.department_kind, 2, 10, false)) {
      return ErrorAt(origin, line, "department_kind",
                     absl::StrCat(QuotedInput(kind.department_kind),
                                  " must be 2-10 of A-Z (the suffix of a department code)"));
    }
    kind.industries = SplitList(field(3));
    for (const std::string& code : kind.industries) {
      if (!industries.Contains(code)) {
        return ErrorAt(origin, line, "industries",
                       absl::StrCat(QuotedInput(code),
                                    " is not a GB/T 4754-2017 code of the industry table"));
      }
    }
    ASSIGN_OR_RETURN(kind.scope_terms, Phrases(origin, line, "scope_terms", field(4)));
    if (exclusions_column) {
      ASSIGN_OR_RETURN(kind.scope_exclusions, Phrases(origin, line, "scope_exclusions",
                                                      record.fields[*exclusions_column]));
    }
    if (kind.industries.empty() && kind.scope_terms.empty()) {
      return ErrorAt(origin, line, "industries",
                     "a row needs industries, scope_terms or both, or nothing ever matches it");
    }
    kind.legal_basis = field(5);
    if (kind.legal_basis.empty() || !IsValidUtf8(kind.legal_basis)) {
      return ErrorAt(origin, line, "legal_basis", "must name the law that requires the licence");
    }
    kinds.push_back(std::move(kind));
  }
  if (kinds.empty()) return ErrorAt(origin, records[0].line, "code", "the table has no rows");
  return LicenceRequirements(std::move(kinds), industries);
}

std::vector<LicenceNeed> LicenceRequirements::Needs(const v1::Subject& subject) const {
  std::vector<LicenceNeed> needs;
  std::vector<std::string> triggers(kinds_.size());
  // The subject's industry, then each code above it (6210 → 621 → 62 → H): a table code
  // matches itself and everything below it.
  const std::string& industry = subject.industry().code();
  const CodeEntry* own = industries_->Find(industry);
  for (const CodeEntry* entry = own; entry != nullptr;
       entry = entry->parent_code.empty() ? nullptr : industries_->Find(entry->parent_code)) {
    const auto found = by_industry_.find(entry->code);
    if (found == by_industry_.end()) continue;
    for (size_t i : found->second) {
      if (triggers[i].empty()) triggers[i] = absl::StrCat("industry ", own->code, " ", own->name);
    }
  }
  const std::string& scope = subject.business_scope();
  if (!scope.empty()) {
    for (size_t i = 0; i < kinds_.size(); ++i) {
      if (!triggers[i].empty() || kinds_[i].scope_terms.empty()) continue;
      std::string cleaned;
      const std::string* searched = &scope;
      if (!kinds_[i].scope_exclusions.empty()) {
        cleaned = scope;
        for (const std::string& phrase : kinds_[i].scope_exclusions) {
          for (size_t at = cleaned.find(phrase); at != std::string::npos;
               at = cleaned.find(phrase, at)) {
            cleaned.erase(at, phrase.size());
          }
        }
        searched = &cleaned;
      }
      for (const std::string& term : kinds_[i].scope_terms) {
        if (searched->find(term) != std::string::npos) {
          triggers[i] = absl::StrCat("business scope: ", term);
          break;
        }
      }
    }
  }
  for (size_t i = 0; i < kinds_.size(); ++i) {
    if (!triggers[i].empty()) {
      needs.push_back({.kind = &kinds_[i], .trigger = std::move(triggers[i])});
    }
  }
  return needs;
}

const LicenceKind* LicenceRequirements::FindByLicence(std::string_view licence_kind) const {
  for (const LicenceKind& kind : kinds_) {
    if (kind.licence_kind == licence_kind) return &kind;
  }
  return nullptr;
}

const LicenceKind* LicenceRequirements::FindByCode(std::string_view code) const {
  for (const LicenceKind& kind : kinds_) {
    if (kind.code == code) return &kind;
  }
  return nullptr;
}

bool HoldsValidLicence(const v1::Subject& subject, std::string_view licence_kind,
                       absl::CivilDay today) {
  return std::any_of(subject.licences().begin(), subject.licences().end(),
                     [&](const v1::Licence& l) {
                       if (l.kind() != licence_kind || l.status() != v1::LICENCE_STATUS_VALID) {
                         return false;
                       }
                       const std::optional<absl::CivilDay> until = ValidDayOf(l.valid_until());
                       return !until || *until >= today;
                     });
}

}  // namespace jianguan::subject
