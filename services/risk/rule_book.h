// The rule sets in force (预警规则集): every `*.textproto` of --rules_dir, each one version of
// a jianguan.risk.v1.RuleSet, validated at load (CompiledRuleSet::Compile). A service with a
// bad rule set does not start; a bad file found by a reload is refused and the sets in force
// stay (the error is logged and counted), so a typo never silences alerting.
//
// Versions: several sets load side by side (one per city's models); versions of one set (same
// name) supersede each other by effective date, and ForDay() gives, per set, the version in
// force on an input's Beijing day. Rule ids are unique across sets (an alert is one per
// (rule, subject)); a rule id may recur only in versions of its own set.
//
// A version never changes once loaded: the store keeps each (name, version)'s SHA-256 from its
// first load and a file with known name and version but other content is refused.
//
// Hot reload: Reload() reads the directory again and swaps in the new book only when the
// files' fingerprints changed and all of them compile. Thread-safe: readers hold a snapshot
// (shared_ptr) for the whole of one input, so a reload never changes rules under an input.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jianguan/risk/v1/risk.pb.h"
#include "services/risk/domain/rule_set.h"
#include "services/risk/risk_store.h"

namespace jianguan::risk {

/// One loaded version of a set.
struct LoadedSet {
  CompiledRuleSet set;
  v1::LoadedRuleSet info;
};

/// An immutable view of what was loaded together.
class RuleBookSnapshot {
 public:
  /// A rule of the version in force on `day` with the set's version, for every set.
  struct InForce {
    const CompiledRule* rule = nullptr;
    const CompiledRuleSet* set = nullptr;
  };

  /// The rules of every set's version in force on `day` (sets without a version yet in force
  /// contribute nothing).
  std::vector<InForce> ForDay(absl::CivilDay day) const;
  /// The rule `id` in force on `day`, or {nullptr, nullptr}.
  InForce Find(std::string_view id, absl::CivilDay day) const;

  const std::vector<LoadedSet>& sets() const { return sets_; }
  /// The files' fingerprints, joined: what a reload compares.
  const std::string& fingerprint() const { return fingerprint_; }
  absl::Time load_time() const { return load_time_; }

 private:
  friend class RuleBook;
  // Sorted by name, then effective day.
  std::vector<LoadedSet> sets_;
  std::string fingerprint_;
  absl::Time load_time_;
};

class RuleBook {
 public:
  /// Loads `dir` and pins the versions' digests in `records`. NOT_FOUND for an unreadable
  /// directory; INVALID_ARGUMENT "file: …" for a file that does not parse or compile, a rule
  /// id shared by two sets, two files of one name and version, or no file at all;
  /// FAILED_PRECONDITION for a version whose content changed.
  static absl::StatusOr<std::unique_ptr<RuleBook>> Open(std::string dir, const RiskStore& records,
                                                        absl::Time now);

  /// The book in force.
  std::shared_ptr<const RuleBookSnapshot> snapshot() const;

  /// Reads the directory again: true when a new book was swapped in, false when nothing
  /// changed; an error (the book in force stays) as Open describes.
  absl::StatusOr<bool> Reload(absl::Time now);

  const std::string& dir() const { return dir_; }

 private:
  RuleBook(std::string dir, const RiskStore& records) : dir_(std::move(dir)), records_(records) {}

  std::string dir_;
  const RiskStore& records_;
  mutable std::mutex mu_;
  std::shared_ptr<const RuleBookSnapshot> current_;  // guarded by mu_
};

}  // namespace jianguan::risk
