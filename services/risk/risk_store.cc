#include "services/risk/risk_store.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/applicability/applicability.h"
#include "libs/core/status_macros.h"
#include "libs/core/string_view_compat.h"
#include "services/risk/domain/coverage.h"

namespace jianguan::risk {
namespace {

template <typename M>
absl::StatusOr<std::optional<M>> GetParsed(const store::Store& store, std::string_view family,
                                           std::string_view key) {
  return store.GetMessage<M>(family, key);
}

}  // namespace

absl::StatusOr<v1::HighRiskCoverage> RiskStore::HighRiskCoverageOf(std::string_view region,
                                                                    absl::CivilDay first,
                                                                    absl::CivilDay last) const {
  v1::HighRiskCoverage coverage;
  coverage.set_region(std::string(region));
  absl::Status parsed = absl::OkStatus();
  v1::SubjectRecord subject;
  RETURN_IF_ERROR(store_.ForEach(kSubjectsFamily, "", [&](std::string_view key,
                                                          std::string_view value) {
    if (!subject.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parsed = absl::DataLossError(absl::StrCat("subject does not parse: ", AbslView(key)));
      return false;
    }
    if (region.empty() || catalogue::RegionContains(region, subject.attributes().region().code())) {
      AddToCoverage(coverage, subject, first, last);
    }
    return true;
  }));
  RETURN_IF_ERROR(parsed);
  return coverage;
}

std::string ReadingKey(std::string_view device_id, std::string_view metric, absl::Time time) {
  return absl::StrFormat("%s/%s/%020d", device_id, metric, absl::ToUnixMicros(time));
}

std::string ReadingValue(double value, std::string_view unit) {
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(bits & 0xff);
    bits >>= 8;
  }
  out.append(unit);
  return out;
}

absl::StatusOr<std::pair<double, std::string>> ParseReadingValue(std::string_view bytes) {
  if (bytes.size() < 8) return absl::DataLossError("stored reading is shorter than 8 bytes");
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<unsigned char>(bytes[i]);
  double value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return std::make_pair(value, std::string(bytes.substr(8)));
}

absl::StatusOr<std::optional<std::string>> RiskTx::ReadRaw(std::string_view family,
                                                           std::string_view key) {
  if (const std::optional<std::string>* staged = work_.Pending(family, key)) return *staged;
  absl::StatusOr<std::optional<std::string>> stored = store_.Get(family, key);
  if (!stored.ok()) return stored.status();
  std::string id = absl::StrCat(AbslView(family), std::string(1, '\0'), AbslView(key));
  if (required_.insert(std::move(id)).second) {
    work_.Require(std::string(family), std::string(key), *stored);
  }
  return stored;
}

absl::StatusOr<bool> RiskTx::HoldsUnguarded(std::string_view family, std::string_view key) const {
  if (const std::optional<std::string>* staged = work_.Pending(family, key)) {
    return staged->has_value();
  }
  absl::StatusOr<std::optional<std::string>> stored = store_.Get(family, key);
  if (!stored.ok()) return stored.status();
  return stored->has_value();
}

std::vector<std::string> RiskStore::Families() {
  return {kDevicesFamily,   kDevicesBySubjectFamily, kReadingsFamily,   kRuleStatesFamily,
          kAlertsFamily,    kAlertKeysFamily,        kOpenAlertsFamily, kAlertsByDeptFamily,
          kSubjectsFamily,  kDepartmentsFamily,      kItemsFamily,      kClaimsFamily,
          kRuleSetsFamily};
}

absl::StatusOr<std::optional<v1::Alert>> RiskStore::FindAlert(std::string_view alert_id) const {
  return GetParsed<v1::Alert>(store_, kAlertsFamily, alert_id);
}

absl::StatusOr<std::optional<v1::Device>> RiskStore::FindDevice(std::string_view device_id) const {
  return GetParsed<v1::Device>(store_, kDevicesFamily, device_id);
}

absl::StatusOr<std::optional<v1::SubjectRecord>> RiskStore::FindSubject(
    std::string_view uscc) const {
  return GetParsed<v1::SubjectRecord>(store_, kSubjectsFamily, uscc);
}

absl::StatusOr<std::vector<std::string>> RiskStore::KeysAfter(std::string_view family,
                                                              std::string_view prefix,
                                                              std::string_view after,
                                                              int limit) const {
  std::vector<std::string> keys;
  const std::string token = after.empty() ? "" : store::Store::PageTokenAfter(after);
  absl::StatusOr<store::Page> page = store_.Scan(family, prefix, limit, token);
  if (!page.ok()) return page.status();
  keys.reserve(page->entries.size());
  for (const store::Entry& entry : page->entries) keys.push_back(entry.key);
  return keys;
}

std::string AlertIdOf(std::string_view name) {
  constexpr std::string_view kPrefix = "alerts/";
  if (name.size() <= kPrefix.size() || name.substr(0, kPrefix.size()) != kPrefix) return "";
  return std::string(name.substr(kPrefix.size()));
}

void SaveAlert(RiskTx& tx, const v1::Alert& alert) {
  const v1::AlertSummary& summary = alert.summary();
  const std::string id = AlertIdOf(summary.name());
  tx.Put(kAlertsFamily, id, alert.SerializeAsString());
  const std::string key = absl::StrCat(summary.rule(), "/", summary.uscc());
  if (summary.state() == v1::ALERT_STATE_CLOSED) {
    tx.Delete(kOpenAlertsFamily, id);
    tx.Delete(kAlertKeysFamily, key);
  } else {
    tx.Put(kOpenAlertsFamily, id, "");
    tx.Put(kAlertKeysFamily, key, id);
  }
  if (!summary.department().code().empty()) {
    tx.Put(kAlertsByDeptFamily, absl::StrCat(summary.department().code(), "/", id), "");
  }
  for (const v1::Escalation& escalation : alert.escalations()) {
    if (escalation.supervising_department().code().empty()) continue;
    tx.Put(kAlertsByDeptFamily,
           absl::StrCat(escalation.supervising_department().code(), "/", id), "");
  }
}

}  // namespace jianguan::risk
