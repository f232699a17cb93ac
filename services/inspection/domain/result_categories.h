// The province's result categories (检查结果类型) and what each means (ResultOutcome), loaded
// from data — data/inspection/result-categories-zj.csv for Zhejiang — so that another
// province replaces a file, not code, and consumers read outcomes, never province codes.
//
// File format (CSV, libs/core/csv.h): columns code,label,outcome,detail_of (others, e.g.
// source, stay in the file). `outcome` is a ResultOutcome without its prefix
// ("NO_PROBLEM"); `detail_of` is empty for a main code and names the main code a detail code
// may accompany (B, C, D with A).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jianguan/inspection/v1/events.pb.h"
#include "libs/core/csv.h"
#include "libs/core/field_violations.h"

namespace jianguan::inspection {

/// An immutable category mapping. Thread-safe for concurrent reads.
class ResultCategories {
 public:
  struct Entry {
    std::string label;
    v1::ResultOutcome outcome = v1::RESULT_OUTCOME_UNSPECIFIED;
    std::string detail_of;
  };

  /// Loads `path`; `scheme` names the mapping in results ("zj"). NOT_FOUND when the file
  /// cannot be opened, INVALID_ARGUMENT "file:line: …" for an unknown outcome, a duplicate
  /// code or a detail code of an unknown or detail code.
  static absl::StatusOr<ResultCategories> Load(const std::string& path, std::string scheme);
  /// As Load, from CSV text.
  static absl::StatusOr<ResultCategories> FromCsv(std::string_view text, std::string scheme,
                                                  std::string_view origin = "<csv>");

  /// Checks the caller's code and detail codes (violations on `field`.code and
  /// `field`.detail_codes[i]) and fills scheme, label and outcome of `category`.
  void Resolve(v1::ResultCategory& category, std::string_view field,
               FieldViolations& violations) const;

  const Entry* Find(std::string_view code) const;
  /// Load and FromCsv after parsing: the checks of Load on parsed records.
  static absl::StatusOr<ResultCategories> Build(const std::vector<CsvRecord>& records,
                                                std::string scheme, std::string_view origin);
  const std::string& scheme() const { return scheme_; }

 private:
  std::string scheme_;
  std::map<std::string, Entry, std::less<>> entries_;
};

/// Whether an outcome counts as a problem found (发现问题; the problem-discovery rate).
bool IsProblemFound(v1::ResultOutcome outcome);
/// Whether nobody could be met, so the representative's signature may be missing.
bool NobodyToMeet(v1::ResultOutcome outcome);

}  // namespace jianguan::inspection
