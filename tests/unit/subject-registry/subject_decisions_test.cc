// The registry's decisions without a server or a store: who reads ID numbers unmasked, what
// each write changes, and how an import batch is decided row by row.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/code_table.h"
#include "libs/core/uscc.h"
#include "services/subject-registry/domain/import_decision.h"
#include "services/subject-registry/domain/subject_changes.h"
#include "services/subject-registry/domain/subject_rules.h"

namespace jianguan::subject {
namespace {

constexpr char kIdNumber[] = "330702199001011234";
const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);
const absl::CivilDay kToday(2026, 11, 23);

std::string DataRoot() { return std::getenv("JG_DATA_ROOT"); }

std::string MakeUscc(int n) {
  std::string first17 = absl::StrCat("92330782", absl::StrFormat("MA%07d", n));
  return first17 + UsccCheckCharacter(first17);
}

v1::Subject ValidSubject(int n) {
  v1::Subject s;
  s.set_uscc(MakeUscc(n));
  s.set_name(absl::StrCat("义乌市稠城", n, "号小吃店"));
  s.set_type(v1::SUBJECT_TYPE_INDIVIDUAL_BUSINESS);
  s.mutable_legal_representative()->set_name("王小明");
  s.mutable_legal_representative()->set_id_number(kIdNumber);
  s.mutable_industry()->set_code("6210");
  s.mutable_registration_region()->set_code("330782");
  s.add_tags("food-business");
  return s;
}

v1::ImportRow Row(int64_t number, const v1::Subject& subject) {
  v1::ImportRow row;
  row.set_row_number(number);
  *row.mutable_subject() = subject;
  return row;
}

SCENARIO("only a registry admin reads the ID number unmasked") {
  const v1::Subject stored = ValidSubject(1);
  GIVEN("a caller of a department without the role") {
    Caller caller{.department = "330700-SCJG"};
    THEN("the number is masked but for its first character and last four") {
      v1::Subject seen = ForCaller(stored, caller);
      CHECK(seen.legal_representative().id_number() == "3*************1234");
      CHECK(seen.legal_representative().id_number_masked());
    }
  }
  GIVEN("a caller with the registry-admin role") {
    Caller caller{.department = "330700-SCJG", .roles = {std::string(roles::kRegistryAdmin)}};
    THEN("the number is read as stored") {
      CHECK(ForCaller(stored, caller).legal_representative().id_number() == kIdNumber);
    }
  }
  GIVEN("a subject sent back with the number as it was read masked") {
    v1::Subject input = ForCaller(stored, Caller{.department = "330700-SCJG"});
    THEN("the stored number stands in for it") {
      REQUIRE(RestoreMaskedIdNumber(input, &stored));
      CHECK(input.legal_representative().id_number() == kIdNumber);
    }
    WHEN("the masked number is not the stored number's mask") {
      input.mutable_legal_representative()->set_id_number("4*************1234");
      THEN("it is refused") { CHECK(!RestoreMaskedIdNumber(input, &stored)); }
    }
    WHEN("nothing is stored") {
      THEN("it is refused") { CHECK(!RestoreMaskedIdNumber(input, nullptr)); }
    }
  }
}

SCENARIO("a write changes the subject, a new version, and says so in its event") {
  auto registered = Register(ValidSubject(1), kNow);
  const v1::Subject& stored = registered.subject;
  GIVEN("a registration") {
    THEN("the subject is version 1 and the event carries no ID number") {
      CHECK(stored.version() == 1);
      CHECK(registered.event.facts().uscc() == stored.uscc());
      CHECK(registered.event.subject().legal_representative().id_number().empty());
    }
  }
  GIVEN("an update that changes nothing") {
    auto update = Update(stored, stored, {"name", "tags"}, kNow + absl::Seconds(1));
    THEN("the subject stays at its version and no field is named") {
      CHECK(update.subject.version() == 1);
      CHECK(update.event.changed_fields_size() == 0);
    }
  }
  GIVEN("an update of the name against a stale version") {
    v1::Subject input = stored;
    input.set_name("义乌市另一商行");
    THEN("it is refused as stale") {
      auto update = UpdateAtVersion("subjects/x", stored, input, {"name"}, 2, kNow);
      CHECK(update.status().code() == absl::StatusCode::kFailedPrecondition);
    }
    THEN("at the version read, the name changes and the version moves on") {
      auto update = UpdateAtVersion("subjects/x", stored, input, {"name"}, 1, kNow);
      REQUIRE(update.ok());
      CHECK(update->subject.version() == 2);
      CHECK(update->event.changed_fields(0) == "name");
    }
  }
  GIVEN("a listing on the abnormal operation list") {
    v1::ChangeSubjectStatusRequest request;
    request.set_action(v1::STATUS_ACTION_LIST_ABNORMAL);
    request.set_reason(v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
    auto change = ChangeStatus("subjects/x", stored, request,
                               Caller{.department = "330700-SCJG"}, kNow);
    REQUIRE(change.ok());
    THEN("the history records who listed it and why") {
      CHECK(change->subject.status() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
      CHECK(change->subject.abnormal_reason() == v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
      REQUIRE(change->subject.status_history_size() == 1);
      CHECK(change->subject.status_history(0).department().code() == "330700-SCJG");
      CHECK(change->event.facts().status() == v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
    }
  }
  GIVEN("a licence the subject holds already") {
    v1::Licence licence;
    licence.set_kind("食品经营许可证");
    licence.set_number("JY13307820000001");
    auto granted = GrantLicence("subjects/x", stored, licence, kNow);
    REQUIRE(granted.ok());
    THEN("granting it again is refused") {
      CHECK(GrantLicence("subjects/x", granted->subject, licence, kNow).status().code() ==
            absl::StatusCode::kAlreadyExists);
    }
  }
  GIVEN("a commitment recorded") {
    v1::Commitment commitment;
    commitment.set_state(v1::COMMITMENT_STATE_FULFILLED);  // not taken from the client
    auto recorded = RecordCommitment("subjects/x", stored, commitment, "c-1", kNow);
    REQUIRE(recorded.ok());
    CHECK(recorded->event.commitment().state() == v1::COMMITMENT_STATE_PENDING);
    v1::ResolveCommitmentRequest resolve;
    resolve.set_commitment_id("c-1");
    resolve.set_outcome(v1::COMMITMENT_STATE_BREACHED);
    THEN("it is resolved once, and only once") {
      auto resolved = ResolveCommitment("c", recorded->subject, resolve, kNow);
      REQUIRE(resolved.ok());
      CHECK(resolved->event.commitment().state() == v1::COMMITMENT_STATE_BREACHED);
      CHECK(ResolveCommitment("c", resolved->subject, resolve, kNow).status().code() ==
            absl::StatusCode::kFailedPrecondition);
    }
    THEN("an unknown commitment is not found") {
      resolve.set_commitment_id("c-2");
      CHECK(ResolveCommitment("c", recorded->subject, resolve, kNow).status().code() ==
            absl::StatusCode::kNotFound);
    }
  }
}

SCENARIO("an import batch is decided row by row") {
  const CodeTable regions = *CodeTable::Load(DataRoot() + "/regions.csv");
  const CodeTable industries = *CodeTable::Load(DataRoot() + "/industries.csv");
  const SubjectRules rules(regions, industries);
  GIVEN("a new row, an unchanged row, a changed row, a duplicate, a bad row and a type change") {
    const v1::Subject unchanged = Register(ValidSubject(2), kNow).subject;
    const v1::Subject changed = Register(ValidSubject(3), kNow).subject;
    v1::Subject retyped = Register(ValidSubject(4), kNow).subject;
    retyped.set_type(v1::SUBJECT_TYPE_ENTERPRISE);
    v1::Subject renamed = ValidSubject(3);
    renamed.set_name("义乌市另一商行");
    v1::Subject bad = ValidSubject(5);
    bad.set_name("");
    std::vector<v1::ImportRow> rows = {Row(1, ValidSubject(1)), Row(2, ValidSubject(2)),
                                       Row(3, renamed),         Row(4, ValidSubject(1)),
                                       Row(5, bad),             Row(6, ValidSubject(4))};
    WHEN("the rows are checked") {
      const ImportChecks checks = CheckImportRows(rules, rows, kToday);
      THEN("the duplicate and the bad row are refused before any read") {
        CHECK(checks.lookups.size() == 4);
        REQUIRE(checks.violations[3].violations().size() == 1);
        CHECK(checks.violations[3].violations()[0].field == "subject.uscc");
        CHECK(!checks.violations[4].empty());
      }
      AND_WHEN("decided against what is stored") {
        const std::vector<const v1::Subject*> stored = {nullptr, &unchanged, &changed, &retyped};
        const ImportPlan plan = DecideImport(rows, checks, stored, kNow);
        THEN("one row registers, one updates, one is unchanged, three are refused") {
          CHECK(plan.last_row_number == 6);
          CHECK(plan.unchanged == 1);
          REQUIRE(plan.writes.size() == 2);
          CHECK(plan.writes[0].stored == -1);
          CHECK(std::holds_alternative<v1::SubjectRegistered>(plan.writes[0].event));
          CHECK(plan.writes[1].stored == 2);
          CHECK(plan.writes[1].subject.version() == 2);
          const auto& updated = std::get<v1::SubjectUpdated>(plan.writes[1].event);
          CHECK(updated.changed_fields(0) == "name");
          REQUIRE(plan.refused.size() == 3);
          CHECK(plan.refused[0].row_number == 4);
          CHECK(plan.refused[1].row_number == 5);
          CHECK(plan.refused[2].row_number == 6);
          CHECK(plan.refused[2].violations[0].field == "subject.type");
        }
      }
    }
  }
}

}  // namespace
}  // namespace jianguan::subject
