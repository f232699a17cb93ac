// The risk service's tables. Four writers change them at once (the suite-event consumer, the
// readings stream, the ticker and the alert RPCs), so every read-modify-write goes through a
// RiskTx: a read from the store adds a precondition on the bytes read to the unit of work,
// and a concurrent change fails the later commit, which then runs again (the consumer and
// the ticker retry on their own; the readings stream and the RPCs retry a few times).
//
// Families and keys:
//   devices            {device_id}                         → v1::Device
//   devices_by_subject {uscc}/{device_id}                  → ""
//   readings           {device_id}/{metric}/{micros, 20 digits} → 8 bytes (IEEE 754 double,
//                      big-endian) + the unit: compact, and in time order per metric
//   rule_states        {rule}/{uscc}[/{device_id}]         → v1::RuleState
//   alerts             {alert_id}                          → v1::Alert
//   alert_keys         {rule}/{uscc}                       → alert_id of the alert whose
//                      loop is open for the rule and subject (one at a time)
//   open_alerts        {alert_id}                          → "" (not CLOSED: the ticker's list)
//   alerts_by_dept     {department}/{alert_id}             → "" (dispatched and escalated to)
//   subjects           {uscc}                              → v1::SubjectRecord
//   departments        {code}                              → catalogue Department (newest)
//   items              {code}                              → catalogue RegulatoryItem, newest
//                      published version (abolished: deleted)
//   claims             {item_code}/{department}            → catalogue ItemClaim
//   rule_sets          {name}/{version}                    → SHA-256 of the file first loaded
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jianguan/catalogue/v1/catalogue.pb.h"
#include "jianguan/risk/v1/records.pb.h"
#include "jianguan/risk/v1/risk.pb.h"
#include "libs/store/store.h"
#include "libs/store/unit_of_work.h"

namespace jianguan::risk {

inline constexpr char kServiceName[] = "risk";

inline constexpr char kDevicesFamily[] = "devices";
inline constexpr char kDevicesBySubjectFamily[] = "devices_by_subject";
inline constexpr char kReadingsFamily[] = "readings";
inline constexpr char kRuleStatesFamily[] = "rule_states";
inline constexpr char kAlertsFamily[] = "alerts";
inline constexpr char kAlertKeysFamily[] = "alert_keys";
inline constexpr char kOpenAlertsFamily[] = "open_alerts";
inline constexpr char kAlertsByDeptFamily[] = "alerts_by_dept";
inline constexpr char kSubjectsFamily[] = "subjects";
inline constexpr char kDepartmentsFamily[] = "departments";
inline constexpr char kItemsFamily[] = "items";
inline constexpr char kClaimsFamily[] = "claims";
inline constexpr char kRuleSetsFamily[] = "rule_sets";

/// The readings key of a device's metric at `time`.
std::string ReadingKey(std::string_view device_id, std::string_view metric, absl::Time time);
/// The stored value of a reading (value and unit).
std::string ReadingValue(double value, std::string_view unit);
/// Decodes ReadingValue; DATA_LOSS when malformed.
absl::StatusOr<std::pair<double, std::string>> ParseReadingValue(std::string_view bytes);

/// Reads and writes of one unit of work with the preconditions that make them safe against
/// the other writers (see the file comment). Not thread-safe; lives as long as its unit.
class RiskTx {
 public:
  RiskTx(const store::Store& store, store::UnitOfWork& work) : store_(store), work_(work) {}

  /// The bytes the unit leaves at the key: its own write, else the store's (and then the
  /// commit requires them unchanged).
  absl::StatusOr<std::optional<std::string>> ReadRaw(std::string_view family, std::string_view key);

  /// Whether the unit or the store holds the key, *without* a precondition: only for keys
  /// no concurrent writer can add (a reading's key: readings batches commit one at a time,
  /// and the ticker only deletes readings past the retention).
  absl::StatusOr<bool> HoldsUnguarded(std::string_view family, std::string_view key) const;

  /// ReadRaw, parsed; DATA_LOSS when the bytes do not parse.
  template <typename M>
  absl::StatusOr<std::optional<M>> Read(std::string_view family, std::string_view key) {
    auto raw = ReadRaw(family, key);
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return std::optional<M>();
    M message;
    if (!message.ParseFromString(**raw)) {
      return absl::DataLossError(
          std::string("stored record does not parse: ").append(family).append("/").append(key));
    }
    return std::optional<M>(std::move(message));
  }

  void Put(std::string_view family, std::string_view key, std::string value) {
    work_.Put(std::string(family), std::string(key), std::move(value));
  }
  void Delete(std::string_view family, std::string_view key) {
    work_.Delete(std::string(family), std::string(key));
  }

  store::UnitOfWork& work() { return work_; }
  const store::Store& store() const { return store_; }

 private:
  const store::Store& store_;
  store::UnitOfWork& work_;
  // Keys already required in this unit (family + '\0' + key).
  std::set<std::string> required_;
};

/// Typed access to the families (no preconditions: for reads that answer RPCs, and for
/// writes through a RiskTx).
class RiskStore {
 public:
  /// The families the store must be opened with.
  static std::vector<std::string> Families();

  explicit RiskStore(store::Store& store) : store_(store) {}

  absl::StatusOr<std::optional<v1::Alert>> FindAlert(std::string_view alert_id) const;
  absl::StatusOr<std::optional<v1::Device>> FindDevice(std::string_view device_id) const;
  absl::StatusOr<std::optional<v1::SubjectRecord>> FindSubject(std::string_view uscc) const;

  /// The share of high-risk subjects inspected from `first` to `last` (domain/coverage.h)
  /// over every subject, or over those whose region lies in `region` (GB/T 2260) when it is
  /// not empty. Reads the whole subjects family.
  absl::StatusOr<v1::HighRiskCoverage> HighRiskCoverageOf(std::string_view region,
                                                          absl::CivilDay first,
                                                          absl::CivilDay last) const;

  /// Every key of `family` under `prefix`, after `after`, at most `limit` (the ticker's
  /// walk over open alerts and rule states).
  absl::StatusOr<std::vector<std::string>> KeysAfter(std::string_view family,
                                                     std::string_view prefix,
                                                     std::string_view after, int limit) const;

  store::Store& store() const { return store_; }

 private:
  store::Store& store_;
};

/// Writes `alert` and its indexes (open_alerts, alerts_by_dept for its department and the
/// departments it was escalated to, alert_keys while open).
void SaveAlert(RiskTx& tx, const v1::Alert& alert);

/// The alert id from "alerts/{id}"; empty when `name` is not of that form.
std::string AlertIdOf(std::string_view name);

}  // namespace jianguan::risk
