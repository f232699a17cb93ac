#include "services/risk/rule_book.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/files.h"
#include "libs/core/status_macros.h"
#include "libs/core/timestamps.h"

namespace jianguan::risk {
namespace {


// Reads and compiles every file, and checks the sets against each other.
absl::StatusOr<std::shared_ptr<RuleBookSnapshot>> LoadDir(const std::string& dir,
                                                          std::vector<LoadedSet>& sets) {
  absl::StatusOr<std::vector<std::filesystem::path>> files = FilesWithExtension(dir, ".textproto");
  if (!files.ok()) return absl::NotFoundError(absl::StrCat("--rules_dir ", files.status().message()));
  if (files->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--rules_dir ", dir, ": no *.textproto rule set"));
  }
  for (const auto& path : *files) {
    ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
    absl::StatusOr<v1::RuleSet> parsed = ParseRuleSetText(text, path.string());
    if (!parsed.ok()) return parsed.status();
    absl::StatusOr<CompiledRuleSet> compiled = CompiledRuleSet::Compile(*std::move(parsed));
    if (!compiled.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(), ": ", compiled.status().message()));
    }
    v1::LoadedRuleSet info;
    info.set_name(compiled->name());
    info.set_version(compiled->version());
    *info.mutable_effective_date() = compiled->rule_set().effective_date();
    info.set_fingerprint(store::Sha256Hex(text));
    info.set_file(path.filename().string());
    info.set_rules(static_cast<int>(compiled->rules().size()));
    sets.push_back({*std::move(compiled), std::move(info)});
  }
  std::sort(sets.begin(), sets.end(), [](const LoadedSet& a, const LoadedSet& b) {
    if (a.set.name() != b.set.name()) return a.set.name() < b.set.name();
    return a.set.effective_day() < b.set.effective_day();
  });
  std::map<std::string, std::string> set_of_rule;  // rule id → set name
  std::map<std::pair<std::string, std::string>, std::string> file_of_version;
  for (const LoadedSet& loaded : sets) {
    auto [seen, fresh] =
        file_of_version.emplace(std::make_pair(loaded.set.name(), loaded.set.version()),
                                loaded.info.file());
    if (!fresh) {
      return absl::InvalidArgumentError(absl::StrCat(
          loaded.info.file(), ": rule set ", loaded.set.name(), " version ", loaded.set.version(),
          " is also in ", seen->second));
    }
    for (const CompiledRule& rule : loaded.set.rules()) {
      auto [owner, added] = set_of_rule.emplace(rule.id(), loaded.set.name());
      if (!added && owner->second != loaded.set.name()) {
        return absl::InvalidArgumentError(absl::StrCat(
            loaded.info.file(), ": rule ", rule.id(), " is also a rule of set ", owner->second,
            " (an alert is one per rule and subject: rule ids are unique across sets)"));
      }
    }
  }
  auto snapshot = std::make_shared<RuleBookSnapshot>();
  return snapshot;
}

}  // namespace

std::vector<RuleBookSnapshot::InForce> RuleBookSnapshot::ForDay(absl::CivilDay day) const {
  std::vector<InForce> out;
  for (size_t i = 0; i < sets_.size(); ++i) {
    const LoadedSet& loaded = sets_[i];
    if (loaded.set.effective_day() > day) continue;
    // The latest version of this name in force: the next one is another name or not yet in
    // force (sets_ is sorted by name, then effective day).
    if (i + 1 < sets_.size() && sets_[i + 1].set.name() == loaded.set.name() &&
        sets_[i + 1].set.effective_day() <= day) {
      continue;
    }
    for (const CompiledRule& rule : loaded.set.rules()) out.push_back({&rule, &loaded.set});
  }
  return out;
}

RuleBookSnapshot::InForce RuleBookSnapshot::Find(std::string_view id, absl::CivilDay day) const {
  for (const InForce& in_force : ForDay(day)) {
    if (in_force.rule->id() == id) return in_force;
  }
  return {};
}

absl::StatusOr<std::unique_ptr<RuleBook>> RuleBook::Open(std::string dir, const RiskStore& records,
                                                         absl::Time now) {
  std::unique_ptr<RuleBook> book(new RuleBook(std::move(dir), records));
  absl::StatusOr<bool> loaded = book->Reload(now);
  if (!loaded.ok()) return loaded.status();
  return book;
}

std::shared_ptr<const RuleBookSnapshot> RuleBook::snapshot() const {
  std::lock_guard lock(mu_);
  return current_;
}

absl::StatusOr<bool> RuleBook::Reload(absl::Time now) {
  std::vector<LoadedSet> sets;
  ASSIGN_OR_RETURN(std::shared_ptr<RuleBookSnapshot> next, LoadDir(dir_, sets));
  std::string fingerprint;
  for (const LoadedSet& loaded : sets) {
    absl::StrAppend(&fingerprint, loaded.info.file(), "=", loaded.info.fingerprint(), ";");
  }
  {
    std::lock_guard lock(mu_);
    if (current_ != nullptr && current_->fingerprint() == fingerprint) return false;
  }
  // Pin each version's digest: a version means the same rules for ever.
  store::UnitOfWork work;
  for (const LoadedSet& loaded : sets) {
    const std::string key = absl::StrCat(loaded.set.name(), "/", loaded.set.version());
    ASSIGN_OR_RETURN(std::optional<std::string> pinned,
                     records_.store().Get(kRuleSetsFamily, key));
    if (!pinned) {
      work.Require(kRuleSetsFamily, key, std::nullopt);
      work.Put(kRuleSetsFamily, key, loaded.info.fingerprint());
    } else if (*pinned != loaded.info.fingerprint()) {
      return absl::FailedPreconditionError(absl::StrCat(
          loaded.info.file(), ": rule set ", loaded.set.name(), " version ", loaded.set.version(),
          " was first loaded with other content (SHA-256 ", *pinned,
          "); alerts already refer to it: give the new content a new version"));
    }
  }
  if (!work.empty()) RETURN_IF_ERROR(records_.store().Commit(work));
  next->sets_ = std::move(sets);
  next->fingerprint_ = std::move(fingerprint);
  next->load_time_ = now;
  std::lock_guard lock(mu_);
  current_ = std::move(next);
  return true;
}

}  // namespace jianguan::risk
