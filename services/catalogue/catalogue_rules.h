// The catalogue's domain rules (DESIGN §3 "domain"): plain C++ over the contract's messages,
// with no gRPC, Kafka or RocksDB in it.
//
//   - the lifecycle of items and forms (draft → published → revised → abolished) and of
//     inspectors (active ⇄ suspended → retired);
//   - when an inspector is available on a date and which items they may inspect;
//   - which items apply to a subject (谁监管我) and which departments are responsible;
//   - that a parent chain (items, departments) never loops;
//   - the shape of every record a request brings (every bad field named, see Validate*).
//
// Everything here is a pure function of its arguments; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "libs/core/code_table.h"
#include "libs/core/field_violations.h"

namespace jianguan::catalogue {

namespace v1 = ::jianguan::catalogue::v1;

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
};

// ---- lifecycles -------------------------------------------------------------------------

/// What is asked of an item or form code.
enum class LifecycleAction { kPublish, kRevise, kAbolish };

/// The state after `action` from `from`, or FAILED_PRECONDITION naming `resource`:
/// publish only a draft; revise or abolish only what is in force (published or revised).
absl::StatusOr<v1::LifecycleState> NextLifecycleState(v1::LifecycleState from,
                                                      LifecycleAction action,
                                                      std::string_view resource);

/// What is asked of an inspector.
enum class InspectorAction { kSuspend, kReinstate, kRetire, kUpdate };

/// The status after `action`, or FAILED_PRECONDITION naming `resource`: suspend the active,
/// reinstate the suspended, retire either; a retired inspector is never changed again.
absl::StatusOr<v1::InspectorStatus> NextInspectorStatus(v1::InspectorStatus from,
                                                        InspectorAction action,
                                                        std::string_view resource);

// ---- inspectors -------------------------------------------------------------------------

/// The date as a civil day, or nullopt when it is not a real date (2026-02-30).
std::optional<absl::CivilDay> ToCivilDay(const common::v1::Date& date);

/// Available on `day`: active, and the certificate is valid that day (valid_from ≤ day ≤
/// valid_until, both inclusive). A suspended or retired inspector, or one whose certificate
/// has expired or is not yet valid, is never available.
bool IsAvailableOn(const v1::Inspector& inspector, absl::CivilDay day);

/// The item as far as authorisation needs it.
struct ItemScope {
  std::string code;
  std::string parent_code;
  std::string field;
};

/// The inspector is authorised for the item: its code or its main item's code is among the
/// authorised items, or its field among the authorised fields.
bool MayInspect(const v1::Inspector& inspector, const ItemScope& item);

// ---- who supervises me --------------------------------------------------------------------

/// A subject as matching needs it: the industry expanded to itself and its ancestors
/// (6210 → 6210, 621, 62, H), so that a rule naming any level matches.
struct SubjectFacts {
  v1::SubjectType type = v1::SUBJECT_TYPE_UNSPECIFIED;
  std::set<std::string> industry_chain;
  std::string region;
  std::set<std::string> licence_kinds;
  std::set<std::string> tags;
};

/// One rule matches when every criterion it sets matches.
bool RuleMatches(const v1::ApplicabilityRule& rule, const SubjectFacts& subject);

/// The item applies when any of its rules matches (an item without rules never applies).
bool Applies(const v1::RegulatoryItem& item, const SubjectFacts& subject);

/// True when a region code (GB/T 2260) lies inside `jurisdiction`: equal, or inside the
/// prefecture "XXXX00" or province "XX0000" it names.
bool RegionContains(std::string_view jurisdiction, std::string_view region);

/// The departments responsible for `item` in `region`: the claimants whose region contains
/// it, the most local level first; when none, the owners. Codes, distinct, sorted within a
/// level.
std::vector<std::string> ResponsibleDepartments(const v1::RegulatoryItem& item,
                                                const std::vector<v1::ItemClaim>& claims,
                                                const std::function<v1::Level(std::string_view)>& level_of,
                                                std::string_view region);

// ---- hierarchies --------------------------------------------------------------------------

/// True when making `parent` the parent of `code` would close a loop, walking up with
/// `parent_of` (which returns "" at the top or for an unknown code). Also true for
/// code == parent. Walks at most 64 steps, then reports a loop.
bool MakesCycle(std::string_view code, std::string_view parent,
                const std::function<std::string(std::string_view)>& parent_of);

// ---- record shapes -------------------------------------------------------------------------

/// True for 2–40 (or the given bounds) characters of A–Z, 0–9 and '-'.
bool IsCode(std::string_view code, size_t min = Limits::kCodeMin, size_t max = Limits::kCodeMax);

/// Adds a violation for each malformed field of a department under `prefix`
/// ("department."). References to other departments are checked by the caller.
void ValidateDepartment(FieldViolations& v, std::string_view prefix, const v1::Department& d,
                        const CodeTable& regions);

/// As above for an item: codes, texts, enums, legal bases, applicability (industry codes
/// against `industries`), check points (codes unique, every point with 1–10 answers whose
/// codes are unique). Owners and the parent's existence are checked by the caller.
void ValidateItem(FieldViolations& v, std::string_view prefix, const v1::RegulatoryItem& item,
                  const CodeTable& industries);

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

/// The resolved check points of a form from the items' versions in force: for each section
/// the chosen points of `items[i]` (same order as the sections). Adds a violation naming
/// "sections[i].check_point_codes[j]" for a code the item does not have.
std::vector<v1::FormCheckPoint> ResolveFormCheckPoints(
    FieldViolations& v, std::string_view prefix, const v1::FormTemplate& form,
    const std::vector<const v1::RegulatoryItem*>& items);

}  // namespace jianguan::catalogue
