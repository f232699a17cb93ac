// What a lifecycle step of the catalogue writes (domain/lifecycle.h, claims.h, inspectors.h),
// as specifications.
#include <catch2/catch.hpp>

#include "services/catalogue/domain/claims.h"
#include "services/catalogue/domain/inspectors.h"
#include "services/catalogue/domain/lifecycle.h"

namespace jianguan::catalogue {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'780'000'000);

v1::RegulatoryItem ItemCoded(const std::string& code) {
  v1::RegulatoryItem item;
  item.set_code(code);
  item.set_name("食品经营许可检查");
  item.set_level(v1::LEVEL_PROVINCE);
  return item;
}

SCENARIO("a new item is written as draft version 1") {
  WHEN("the first draft is assembled") {
    VersionStep<v1::RegulatoryItem> step = FirstDraft(ItemCoded("JG-1"), kNow);
    THEN("the version and the head both say draft 1, created now, never published") {
      CHECK(step.version.version() == 1);
      CHECK(step.version.version_state() == v1::LIFECYCLE_STATE_DRAFT);
      CHECK(step.version.create_time().seconds() == absl::ToUnixSeconds(kNow));
      CHECK_FALSE(step.version.has_publish_time());
      CHECK(step.head.code() == "JG-1");
      CHECK(step.head.state() == v1::LIFECYCLE_STATE_DRAFT);
      CHECK(step.head.latest_version() == 1);
      CHECK(step.head.published_version() == 0);
    }
  }
}

SCENARIO("publishing and revising put a version in force") {
  GIVEN("a draft") {
    VersionStep<v1::RegulatoryItem> draft = FirstDraft(ItemCoded("JG-1"), kNow);
    WHEN("it is published") {
      auto step = PutInForce(draft.head, LifecycleAction::kPublish, draft.version,
                             kNow + absl::Hours(1), "items/JG-1");
      REQUIRE(step.ok());
      THEN("the draft itself becomes version 1 in force, published then") {
        CHECK(step->version.version() == 1);
        CHECK(step->version.version_state() == v1::LIFECYCLE_STATE_PUBLISHED);
        CHECK(step->version.create_time().seconds() == absl::ToUnixSeconds(kNow));
        CHECK(step->version.publish_time().seconds() ==
              absl::ToUnixSeconds(kNow + absl::Hours(1)));
        CHECK(step->head.state() == v1::LIFECYCLE_STATE_PUBLISHED);
        CHECK(step->head.published_version() == 1);
      }
      AND_WHEN("it is revised") {
        auto revised = PutInForce(step->head, LifecycleAction::kRevise, ItemCoded("JG-1"),
                                  kNow + absl::Hours(2), "items/JG-1");
        REQUIRE(revised.ok());
        THEN("the revision is the next version, and the head points at it") {
          CHECK(revised->version.version() == 2);
          CHECK(revised->head.state() == v1::LIFECYCLE_STATE_REVISED);
          CHECK(revised->head.latest_version() == 2);
          CHECK(revised->head.published_version() == 2);
        }
      }
    }
    WHEN("it is revised before being published") {
      auto step = PutInForce(draft.head, LifecycleAction::kRevise, draft.version, kNow,
                             "items/JG-1");
      THEN("nothing is decided: FAILED_PRECONDITION naming the item") {
        CHECK(absl::IsFailedPrecondition(step.status()));
        CHECK(std::string(step.status().message()).find("items/JG-1") != std::string::npos);
      }
    }
    WHEN("it is abolished") {
      THEN("it is refused: a draft was never in force") {
        CHECK(absl::IsFailedPrecondition(
            Abolished(draft.head, "superseded", kNow, "items/JG-1").status()));
      }
    }
  }
}

SCENARIO("an abolished head keeps its versions and says why") {
  GIVEN("an item in force") {
    v1::Lifecycle head;
    head.set_code("JG-1");
    head.set_state(v1::LIFECYCLE_STATE_PUBLISHED);
    head.set_latest_version(3);
    head.set_published_version(3);
    WHEN("it is abolished") {
      auto after = Abolished(head, "法规废止", kNow, "items/JG-1");
      REQUIRE(after.ok());
      THEN("the state and reason change, the version numbers do not") {
        CHECK(after->state() == v1::LIFECYCLE_STATE_ABOLISHED);
        CHECK(after->abolish_reason() == "法规废止");
        CHECK(after->published_version() == 3);
      }
    }
  }
}

SCENARIO("a department below the item's level claims an item in force once") {
  GIVEN("a provincial item in force and a municipal department") {
    v1::ItemView item;
    *item.mutable_item() = ItemCoded("JG-1");
    item.mutable_item()->set_version(2);
    item.mutable_lifecycle()->set_state(v1::LIFECYCLE_STATE_REVISED);
    v1::Department city;
    city.set_code("330700-SCJG");
    city.set_level(v1::LEVEL_CITY);
    city.mutable_region()->set_code("330700");
    WHEN("it claims the item") {
      REQUIRE(CheckClaimable(item, "items/JG-1").ok());
      auto claim = DecideClaim(item, city, {}, kNow, "items/JG-1");
      REQUIRE(claim.ok());
      THEN("the claim records the version in force and the department's region") {
        CHECK(claim->item_code() == "JG-1");
        CHECK(claim->item_version() == 2);
        CHECK(claim->region().code() == "330700");
        CHECK(claim->department().code() == "330700-SCJG");
      }
      AND_WHEN("it claims it again") {
        auto again = DecideClaim(item, city, {*claim}, kNow, "items/JG-1");
        THEN("it is refused") { CHECK(absl::IsFailedPrecondition(again.status())); }
      }
    }
    WHEN("a department of the item's own level claims it") {
      city.set_level(v1::LEVEL_PROVINCE);
      THEN("the department field is refused") {
        CHECK(absl::IsInvalidArgument(DecideClaim(item, city, {}, kNow, "items/JG-1").status()));
      }
    }
    WHEN("the item is abolished") {
      item.mutable_lifecycle()->set_state(v1::LIFECYCLE_STATE_ABOLISHED);
      THEN("it cannot be claimed") {
        CHECK(absl::IsFailedPrecondition(CheckClaimable(item, "items/JG-1")));
      }
    }
  }
}

SCENARIO("an inspector's record moves on with every change") {
  GIVEN("a registered inspector") {
    v1::Inspector inspector = Registered(v1::Inspector(), "INS-1", kNow);
    CHECK(inspector.status() == v1::INSPECTOR_STATUS_ACTIVE);
    CHECK(inspector.version() == 1);
    WHEN("it is suspended") {
      auto suspended = Transitioned(inspector, InspectorAction::kSuspend, kNow, "inspectors/INS-1");
      REQUIRE(suspended.ok());
      THEN("the status changes and the version moves on") {
        CHECK(suspended->status() == v1::INSPECTOR_STATUS_SUSPENDED);
        CHECK(suspended->version() == 2);
      }
    }
    WHEN("it is retired and then updated") {
      auto retired = Transitioned(inspector, InspectorAction::kRetire, kNow, "inspectors/INS-1");
      REQUIRE(retired.ok());
      THEN("the update is refused") {
        CHECK(absl::IsFailedPrecondition(
            Updated(*retired, *retired, kNow, "inspectors/INS-1").status()));
      }
    }
  }
}

}  // namespace
}  // namespace jianguan::catalogue
