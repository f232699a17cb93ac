// The shape of every record a catalogue request brings (DESIGN §5): codes, texts, enums,
// legal bases, applicability rules, check points, certificates. Each check adds one
// violation per malformed field, named by its path in the request ("item.check_points[2]
// .code"), so a client learns every mistake at once. References to stored records are the
// handler's to check.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "libs/core/code_table.h"
#include "libs/core/field_violations.h"

namespace jianguan::catalogue {

/// Bounds of the contract (services/catalogue/README.md lists them).
struct Limits {
  static constexpr size_t kName = 200;
  static constexpr size_t kPersonName = 50;
  static constexpr size_t kDepartmentName = 100;
  static constexpr size_t kCodeMin = 2;
  static constexpr size_t kCodeMax = 40;
  static constexpr size_t kText = 500;
  static constexpr size_t kShort = 40;
  static constexpr size_t kRef = 200;
  static constexpr int kOwners = 10;
  static constexpr int kLegalBasis = 20;
  static constexpr int kRules = 20;
  static constexpr int kRuleIndustries = 50;
  static constexpr int kRuleEntries = 20;
  static constexpr int kCheckPoints = 200;
  static constexpr int kAnswers = 10;
  static constexpr int kAuthorisedItems = 200;
  static constexpr int kFields = 20;
  static constexpr int kConflicts = 100;
  static constexpr int kSections = 20;
  static constexpr int kSubjectEntries = 50;
  /// An item or a form (with its resolved check points), serialized: each is published
  /// whole as one event, and an event carries at most 960,000 bytes (store::kMaxEventBytes;
  /// the handler asserts the margin). Every field within its own bound can still add up to
  /// more: 200 check points at their longest come to over a megabyte.
  static constexpr size_t kRecordBytes = 900'000;
};

/// True for 2–40 (or the given bounds) characters of A–Z, 0–9 and '-'.
bool IsCode(std::string_view code, size_t min = Limits::kCodeMin, size_t max = Limits::kCodeMax);

/// The id part of a catalogue resource name ("items/<code>", "inspectors/<id>"):
/// 1–40 characters of A–Z, 0–9 and '-'.
bool IsResourceId(std::string_view id);

/// Adds a violation for each malformed field of a department under `prefix`
/// ("department."). References to other departments are checked by the caller.
void ValidateDepartment(FieldViolations& v, std::string_view prefix, const v1::Department& d,
                        const CodeTable& regions);

/// As above for an item: codes, texts, enums, legal bases, applicability (industry codes
/// against `industries`), check points (codes unique, every point with 1–10 answers whose
/// codes are unique), its size as a whole (CheckRecordSize, named by the prefix: "item").
/// Owners and the parent's existence are checked by the caller.
void ValidateItem(FieldViolations& v, std::string_view prefix, const v1::RegulatoryItem& item,
                  const CodeTable& industries);

/// Adds a violation on `field` when `record` (an item, a form with its resolved check
/// points), serialized, is over Limits::kRecordBytes; `what` names it in the message.
void CheckRecordSize(FieldViolations& v, std::string_view field,
                     const google::protobuf::Message& record, std::string_view what);

/// As above for an inspector: name, certificate (number, dates in order), authorised items
/// and fields, conflicts (valid USCCs, GB 32100-2015), references.
void ValidateInspector(FieldViolations& v, std::string_view prefix, const v1::Inspector& inspector);

/// As above for a form: code, name, departments, sections (items distinct, check point
/// codes well formed).
void ValidateForm(FieldViolations& v, std::string_view prefix, const v1::FormTemplate& form);

/// Adds a violation unless `field`'s text is a bounded list of bounded texts.
void ValidateTextList(FieldViolations& v, std::string_view field,
                      const google::protobuf::RepeatedPtrField<std::string>& list, int max_entries,
                      size_t max_chars);

/// Adds a violation on "reason" unless it is a 1–500 character text: every suspension,
/// retirement and abolition says why (全程留痕).
void ValidateReason(FieldViolations& v, std::string_view reason);

}  // namespace jianguan::catalogue
