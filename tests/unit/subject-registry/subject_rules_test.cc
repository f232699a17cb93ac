// The registry's domain rules: masking, the status state machine, import comparison.
#include "services/subject-registry/domain/subject_rules.h"

#include <catch2/catch.hpp>

namespace jianguan::subject {
namespace {

SCENARIO("an ID number is masked but for its first and last four characters") {
  CHECK(MaskIdNumber("330702199001011234") == "3*************1234");
  CHECK(MaskIdNumber("12345") == "*****");
  CHECK(MaskIdNumber("") == "");
  v1::Subject s;
  s.mutable_legal_representative()->set_id_number("330702199001011234");
  CHECK(PublicView(s).legal_representative().id_number().empty());
  s.mutable_legal_representative()->set_name("赵一鸣");
  CHECK(PublicView(s).legal_representative().name() == "赵**");
  CHECK(MaskPersonName("Li") == "L*");
  CHECK(MaskPersonName("") == "");
  CHECK(MaskPersonName("\xff\xfe") == "**");
  MaskPersonalData(s);
  CHECK(s.legal_representative().id_number_masked());
}

SCENARIO("the status state machine") {
  v1::Subject s;
  s.set_status(v1::SUBJECT_STATUS_NORMAL);
  GIVEN("a normal subject") {
    THEN("it can be listed as abnormal with a reason") {
      auto next = NextStatus("subjects/x", s, v1::STATUS_ACTION_LIST_ABNORMAL,
                             v1::ABNORMAL_REASON_ANNUAL_REPORT_NOT_PUBLISHED);
      REQUIRE(next.ok());
      CHECK(*next == v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
    }
    THEN("it cannot be removed from a list it is not on") {
      CHECK(NextStatus("subjects/x", s, v1::STATUS_ACTION_REMOVE_ABNORMAL,
                       v1::ABNORMAL_REASON_FALSE_INFORMATION).status().code() ==
            absl::StatusCode::kFailedPrecondition);
    }
  }
  GIVEN("a deregistered subject") {
    s.set_status(v1::SUBJECT_STATUS_DEREGISTERED);
    THEN("nothing moves it any more") {
      for (int a = 1; a <= 7; ++a) {
        CHECK(!NextStatus("subjects/x", s, static_cast<v1::StatusAction>(a),
                          v1::ABNORMAL_REASON_FALSE_INFORMATION).ok());
      }
    }
  }
  GIVEN("a subject on the abnormal list") {
    s.set_status(v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
    s.set_abnormal_reason(v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS);
    THEN("removal needs the listing's reason") {
      CHECK(!NextStatus("s", s, v1::STATUS_ACTION_REMOVE_ABNORMAL,
                        v1::ABNORMAL_REASON_FALSE_INFORMATION).ok());
      CHECK(*NextStatus("s", s, v1::STATUS_ACTION_REMOVE_ABNORMAL,
                        v1::ABNORMAL_REASON_UNREACHABLE_AT_ADDRESS) == v1::SUBJECT_STATUS_NORMAL);
    }
  }
}

SCENARIO("an import row equal to the stored subject changes nothing") {
  v1::Subject input;
  input.set_uscc("91330782MA2EC8CX99");
  input.set_name("义乌市某某商行");
  input.add_tags("key-supervision");
  v1::Subject stored = NewSubject(input, absl::Now());
  stored.set_version(7);
  stored.set_status(v1::SUBJECT_STATUS_ABNORMAL_OPERATION);
  CHECK(SameRegisteredData(input, stored));
  input.set_name("义乌市另一商行");
  CHECK(!SameRegisteredData(input, stored));
  std::vector<std::string> changed = ApplyUpdate(input, {"name", "tags"}, stored);
  CHECK(changed == std::vector<std::string>{"name"});
  CHECK(stored.name() == "义乌市另一商行");
}

}  // namespace
}  // namespace jianguan::subject
