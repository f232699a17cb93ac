// What the public lists show of a subject (domain/public_listing.h): masking of natural
// persons' names, the listing day and the day of the move to the serious violation list.
#include "services/subject-registry/domain/public_listing.h"

#include <catch2/catch.hpp>

#include "absl/time/civil_time.h"
#include "libs/core/civil_date.h"
#include "libs/core/clock.h"
#include "libs/core/timestamps.h"

namespace jianguan::subject {
namespace {

// A status change into `to` recorded at 10:00 Beijing time on `day`.
v1::StatusChange ChangeOn(absl::CivilDay day, v1::SubjectStatus to, std::string department) {
  v1::StatusChange change;
  change.set_to(to);
  change.mutable_department()->set_code(std::move(department));
  *change.mutable_time() =
      ToTimestamp(absl::FromCivil(absl::CivilSecond(day) + 10 * 3600, BeijingTime()));
  return change;
}

v1::Subject Listed(v1::SubjectType type, absl::CivilDay day) {
  v1::Subject s;
  s.set_uscc("91330782MA2TL80011");
  s.set_name("王小明");
  s.set_type(type);
  s.mutable_registration_region()->set_code("330782");
  s.mutable_legal_representative()->set_name("王小明");
  s.mutable_legal_representative()->set_id_number("330782199002023456");
  s.set_status(v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
  s.set_abnormal_reason(v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
  *s.add_status_history() = ChangeOn(day, v1::SUBJECT_STATUS_ABNORMAL_OPERATION, "330782-SCJG");
  return s;
}

SCENARIO("a listing shows the list, reason, dates and department, nothing personal") {
  GIVEN("a natural person listed as abnormal on 2025-05-20, Beijing time") {
    const v1::Subject s =
        Listed(v1::SUBJECT_TYPE_SPECIFIC_NATURAL_PERSON, absl::CivilDay(2025, 5, 20));
    const std::optional<v1::PublicListing> listing = PublicListingOf(s);
    REQUIRE(listing.has_value());
    CHECK(listing->name() == "王**");
    CHECK(listing->name_masked());
    CHECK(listing->list() == v1::PUBLIC_LIST_ABNORMAL_OPERATION);
    CHECK(listing->reason() == v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
    CHECK(DayOf(listing->listed_on()) == absl::CivilDay(2025, 5, 20));
    CHECK(DayOf(listing->moves_on()) == absl::CivilDay(2028, 5, 20));
    CHECK(listing->department().code() == "330782-SCJG");
    CHECK(listing->SerializeAsString().find("330782199002023456") == std::string::npos);
  }
  GIVEN("an enterprise whose record carries its listing day") {
    v1::Subject s = Listed(v1::SUBJECT_TYPE_ENTERPRISE, absl::CivilDay(2025, 5, 20));
    *s.mutable_abnormal_listed_on() = DateOf(absl::CivilDay(2025, 5, 19));
    const std::optional<v1::PublicListing> listing = PublicListingOf(s);
    REQUIRE(listing.has_value());
    CHECK(listing->name() == "王小明");  // an enterprise's name is not a person's
    CHECK_FALSE(listing->name_masked());
    CHECK(DayOf(listing->listed_on()) == absl::CivilDay(2025, 5, 19));
  }
  GIVEN("a change recorded at 23:30 UTC, already the next day in Beijing") {
    v1::Subject s = Listed(v1::SUBJECT_TYPE_ENTERPRISE, absl::CivilDay(2025, 5, 20));
    *s.mutable_status_history(0)->mutable_time() =
        ToTimestamp(absl::FromCivil(absl::CivilSecond(2025, 5, 20, 23, 30, 0), absl::UTCTimeZone()));
    CHECK(DayOf(PublicListingOf(s)->listed_on()) == absl::CivilDay(2025, 5, 21));
  }
  GIVEN("a subject moved on to the serious violation list") {
    v1::Subject s = Listed(v1::SUBJECT_TYPE_ENTERPRISE, absl::CivilDay(2023, 3, 1));
    s.set_status(v1::SUBJECT_STATUS_SERIOUS_VIOLATION);
    s.set_abnormal_reason(v1::ABNORMAL_REASON_UNSPECIFIED);
    *s.add_status_history() =
        ChangeOn(absl::CivilDay(2026, 3, 1), v1::SUBJECT_STATUS_SERIOUS_VIOLATION, "");
    const std::optional<v1::PublicListing> listing = PublicListingOf(s);
    REQUIRE(listing.has_value());
    CHECK(listing->list() == v1::PUBLIC_LIST_SERIOUS_VIOLATION);
    CHECK(DayOf(listing->listed_on()) == absl::CivilDay(2026, 3, 1));
    CHECK_FALSE(listing->has_moves_on());
    CHECK(listing->department().code().empty());  // the registry's clock decided
  }
  GIVEN("a normal subject") {
    v1::Subject s = Listed(v1::SUBJECT_TYPE_ENTERPRISE, absl::CivilDay(2025, 5, 20));
    s.set_status(v1::SUBJECT_STATUS_NORMAL);
    CHECK_FALSE(PublicListingOf(s).has_value());
  }
}

}  // namespace
}  // namespace jianguan::subject
