// Issue #20: credit scores what the registry's clock does. The events are made by the
// registry's own decisions (services/subject-registry/domain/clock_rules.h), exactly as its
// clock batches publish them, and matched against every credit model shipped in data/credit:
// the 1 July listing for a missing annual report and the move to the serious violation list
// at 3 years each find their rule; the 60-day warning, which changes no status, finds none.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jianguan/subject/v1/events.pb.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "services/credit/domain/credit_model.h"
#include "services/subject-registry/domain/clock_rules.h"

namespace jianguan {
namespace {

namespace v1 = subject::v1;

v1::Subject Enterprise() {
  v1::Subject s;
  s.set_uscc("91330782MA2TL80011");
  s.set_name("义乌市年报测试有限公司");
  s.set_type(v1::SUBJECT_TYPE_ENTERPRISE);
  s.set_status(v1::SUBJECT_STATUS_NORMAL);
  *s.mutable_established_on() = DateOf(absl::CivilDay(2020, 5, 6));
  s.set_version(3);
  return s;
}

absl::Time Beijing(absl::CivilDay day) {
  return absl::FromCivil(absl::CivilSecond(day) + 8 * 3600, BeijingTime());
}

std::vector<std::filesystem::path> ShippedModels() {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(JG_SOURCE_DIR "/data/credit")) {
    if (entry.path().extension() == ".textproto") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

credit::CompiledModel Load(const std::filesystem::path& path) {
  std::ifstream file(path);
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  absl::StatusOr<credit::v1::CreditModel> model = credit::ParseModelText(text.str(), path.string());
  INFO(model.status().ToString());
  REQUIRE(model.ok());
  absl::StatusOr<credit::CompiledModel> compiled = credit::CompiledModel::Compile(*model);
  INFO(compiled.status().ToString());
  REQUIRE(compiled.ok());
  return *std::move(compiled);
}

SCENARIO("credit scores the registry clock's listing and move, not its warning") {
  // The clock's three decisions for one enterprise without its 2025 report.
  const subject::ClockDecision listed = subject::DecideAnnualReportListing(
      Enterprise(), 2025, /*report_on_file=*/false, absl::CivilDay(2026, 7, 1),
      Beijing(absl::CivilDay(2026, 7, 1)));
  REQUIRE(listed.after.has_value());
  REQUIRE(std::holds_alternative<v1::SubjectStatusChanged>(listed.event));
  const auto& listing = std::get<v1::SubjectStatusChanged>(listed.event);
  REQUIRE(listing.change().reason() == v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED);
  REQUIRE(listing.change().department().code().empty());  // the clock decided

  const subject::ClockDecision warned = subject::DecideAbnormalListExpiry(
      *listed.after, absl::CivilDay(2029, 5, 2), Beijing(absl::CivilDay(2029, 5, 2)));
  REQUIRE(std::holds_alternative<v1::SeriousViolationWarning>(warned.event));

  const subject::ClockDecision moved = subject::DecideAbnormalListExpiry(
      *warned.after, absl::CivilDay(2029, 7, 1), Beijing(absl::CivilDay(2029, 7, 1)));
  REQUIRE(std::holds_alternative<v1::SubjectStatusChanged>(moved.event));
  const auto& move = std::get<v1::SubjectStatusChanged>(moved.event);
  REQUIRE(move.change().to() == v1::SUBJECT_STATUS_SERIOUS_VIOLATION);

  const std::vector<std::filesystem::path> models = ShippedModels();
  REQUIRE(models.size() >= 2);
  for (const std::filesystem::path& path : models) {
    INFO(path.filename().string());
    const credit::CompiledModel model = Load(path);
    const credit::v1::Rule* listing_rule = model.Match(listing);
    REQUIRE(listing_rule != nullptr);
    CHECK(listing_rule->points() < 0);
    const credit::v1::Rule* move_rule = model.Match(move);
    REQUIRE(move_rule != nullptr);
    CHECK(move_rule->points() < listing_rule->points());  // the serious list weighs more
    CHECK(model.Match(std::get<v1::SeriousViolationWarning>(warned.event)) == nullptr);
  }
}

}  // namespace
}  // namespace jianguan
