// Conditions on event fields (libs/rules), shared by credit's model and risk's rule sets: what
// a condition may say, what it matches, and when two sets of conditions can meet one message.
#include "libs/rules/condition.h"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "jianguan/cases/v1/events.pb.h"
#include "jianguan/credit/v1/events.pb.h"
#include "libs/core/text_checks.h"

namespace jianguan::rules {
namespace {

namespace cases = ::jianguan::cases::v1;
using Catch::Matchers::Contains;

const google::protobuf::Descriptor& kPenalty = *cases::PenaltyDecided::descriptor();

Condition Compiled(const google::protobuf::Descriptor& type, ConditionSpec spec) {
  absl::StatusOr<Condition> condition = Condition::Compile(type, spec);
  INFO(condition.status().ToString());
  REQUIRE(condition.ok());
  return *std::move(condition);
}

Condition Compiled(ConditionSpec spec) { return Compiled(kPenalty, std::move(spec)); }

std::string Refusal(ConditionSpec spec) {
  absl::StatusOr<Condition> condition = Condition::Compile(kPenalty, spec);
  REQUIRE_FALSE(condition.ok());
  CHECK(condition.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(condition.status().message());
}

cases::PenaltyDecided Penalty(int64_t fen, bool serious = false,
                              std::vector<std::string> items = {}) {
  cases::PenaltyDecided penalty;
  penalty.mutable_fine()->set_fen(fen);
  penalty.set_serious(serious);
  penalty.mutable_summary()->set_party_kind(cases::PARTY_KIND_ORGANISATION);
  for (const std::string& item : items) penalty.mutable_summary()->add_item_codes(item);
  return penalty;
}

TEST_CASE("the operators keep the numbering of the rule protos") {
  CHECK(static_cast<int>(Operator::kEq) == 1);
  CHECK(static_cast<int>(Operator::kIn) == 7);
  CHECK(std::string(OperatorName(Operator::kGe)) == "OPERATOR_GE");
  CHECK(std::string(OperatorName(static_cast<Operator>(9))).empty());
}

SCENARIO("a condition that could match wrongly is refused, saying why") {
  WHEN("the path names a field the message does not have") {
    CHECK_THAT(Refusal({"fine.yuan", Operator::kGe, {"1"}}),
               Contains("field \"fine.yuan\": jianguan.common.v1.Money has no field \"yuan\""));
  }
  WHEN("the path goes on from a field that is no message") {
    CHECK_THAT(Refusal({"serious.value", Operator::kEq, {"true"}}),
               Contains("field \"serious.value\": serious is not a message"));
  }
  WHEN("the path ends on a message") {
    CHECK_THAT(Refusal({"fine", Operator::kGe, {"1"}}),
               Contains("field \"fine\" ends on a message (jianguan.common.v1.Money)"));
  }
  WHEN("values do not parse for the field") {
    for (const char* value : {"10k", "1e6", " 5", "+5", "", "99999999999999999999"}) {
      INFO("value: '" << value << "'");
      CHECK_THAT(Refusal({"fine.fen", Operator::kGe, {value}}), Contains("is not an integer"));
    }
    CHECK_THAT(Refusal({"serious", Operator::kEq, {"1"}}),
               Contains("values[0] \"1\" is not true or false"));
    CHECK_THAT(Refusal({"summary.party_kind", Operator::kIn, {"PARTY_KIND_CITIZEN", "ROBOT"}}),
               Contains("values[1] \"ROBOT\" is not a value of jianguan.cases.v1.PartyKind"));
  }
  WHEN("the operator does not fit") {
    CHECK_THAT(Refusal({"fine.fen", Operator::kUnspecified, {"1"}}), Contains("op is not set"));
    CHECK_THAT(Refusal({"fine.fen", static_cast<Operator>(9), {"1"}}),
               Contains("op 9 is not an operator"));
    CHECK_THAT(Refusal({"document_number", Operator::kLt, {"A"}}),
               Contains("OPERATOR_LT orders numbers, and \"document_number\" is a string"));
    CHECK_THAT(Refusal({"fine.fen", Operator::kEq, {"1", "2"}}),
               Contains("OPERATOR_EQ takes exactly one value, got 2"));
    CHECK_THAT(Refusal({"kinds", Operator::kIn, {}}),
               Contains("OPERATOR_IN takes at least one value, got 0"));
  }
  WHEN("the spec's text is not UTF-8") {
    const std::string error = Refusal({"fine.\xff", Operator::kEq, {"1"}});
    THEN("the error still is") { CHECK(IsValidUtf8(error)); }
  }
}

SCENARIO("a compiled condition tests the message's field by reflection") {
  GIVEN("integer, bool, enum and string conditions") {
    const Condition large = Compiled({"fine.fen", Operator::kGe, {"1000000"}});
    const Condition small = Compiled({"fine.fen", Operator::kLt, {"1000000"}});
    const Condition not_zero = Compiled({"fine.fen", Operator::kNe, {"0"}});
    const Condition serious = Compiled({"serious", Operator::kEq, {"true"}});
    const Condition organisation =
        Compiled({"summary.party_kind", Operator::kEq, {"PARTY_KIND_ORGANISATION"}});
    const Condition food =
        Compiled({"summary.item_codes", Operator::kIn, {"SCJG-01-01", "SCJG-01-02"}});
    THEN("each holds exactly where its comparison does") {
      CHECK(large.Holds(Penalty(1000000)));
      CHECK_FALSE(large.Holds(Penalty(999999)));
      CHECK(small.Holds(Penalty(999999)));
      CHECK_FALSE(small.Holds(Penalty(1000000)));
      CHECK(not_zero.Holds(Penalty(1)));
      CHECK_FALSE(not_zero.Holds(Penalty(0)));
      CHECK(serious.Holds(Penalty(0, true)));
      CHECK_FALSE(serious.Holds(Penalty(0, false)));
      CHECK(organisation.Holds(Penalty(0)));
    }
    THEN("through a repeated field it holds when any element does") {
      CHECK(food.Holds(Penalty(0, false, {"SCJG-04-01", "SCJG-01-02"})));
      CHECK_FALSE(food.Holds(Penalty(0, false, {"SCJG-04-01"})));
      CHECK_FALSE(food.Holds(Penalty(0)));
      CHECK(food.through_repeated());
      CHECK_FALSE(large.through_repeated());
    }
    THEN("AllHold needs every one") {
      CHECK(AllHold({large, serious}, Penalty(2000000, true)));
      CHECK_FALSE(AllHold({large, serious}, Penalty(2000000, false)));
      CHECK(AllHold({}, Penalty(0)));
    }
    THEN("a message of another type never matches") {
      credit::v1::CreditGradeChanged other;
      CHECK_FALSE(serious.Holds(other));
    }
  }
  GIVEN("a message of the same name from another descriptor pool") {
    google::protobuf::FileDescriptorProto file;
    cases::PenaltyDecided::descriptor()->file()->CopyTo(&file);
    google::protobuf::DescriptorPool pool;
    for (const char* dependency :
         {"google/protobuf/timestamp.proto", "jianguan/common/v1/types.proto"}) {
      google::protobuf::FileDescriptorProto dep;
      google::protobuf::DescriptorPool::generated_pool()->FindFileByName(dependency)->CopyTo(&dep);
      REQUIRE(pool.BuildFile(dep) != nullptr);
    }
    const google::protobuf::FileDescriptor* copy = pool.BuildFile(file);
    REQUIRE(copy != nullptr);
    google::protobuf::DynamicMessageFactory factory(&pool);
    std::unique_ptr<google::protobuf::Message> dynamic(
        factory.GetPrototype(pool.FindMessageTypeByName("jianguan.cases.v1.PenaltyDecided"))
            ->New());
    THEN("the condition does not match it rather than read it with the wrong descriptors") {
      CHECK_FALSE(Compiled({"serious", Operator::kEq, {"false"}}).Holds(*dynamic));
    }
  }
}

bool Meet(const std::vector<Condition>& a, const std::vector<Condition>& b) {
  const Constraints ca = ConstraintsOf(a);
  const Constraints cb = ConstraintsOf(b);
  CHECK(Disjoint(ca, cb) == Disjoint(cb, ca));
  return !Disjoint(ca, cb);
}

SCENARIO("two sets of conditions are disjoint exactly when no message meets both") {
  const auto c = [](std::string field, Operator op, std::vector<std::string> values) {
    return Compiled({std::move(field), op, std::move(values)});
  };
  WHEN("numbers: intervals that do or do not meet") {
    CHECK_FALSE(Meet({c("fine.fen", Operator::kLt, {"1000"})},
                     {c("fine.fen", Operator::kGe, {"1000"})}));
    CHECK(Meet({c("fine.fen", Operator::kLe, {"1000"})}, {c("fine.fen", Operator::kGe, {"1000"})}));
    THEN("a gap of one value is found") {
      CHECK_FALSE(Meet({c("fine.fen", Operator::kGt, {"5"}), c("fine.fen", Operator::kLt, {"7"}),
                        c("fine.fen", Operator::kNe, {"6"})},
                       {c("fine.fen", Operator::kGe, {"0"})}));
      CHECK(Meet({c("fine.fen", Operator::kGt, {"5"}), c("fine.fen", Operator::kLt, {"8"}),
                  c("fine.fen", Operator::kNe, {"6"})},
                 {c("fine.fen", Operator::kGe, {"0"})}));
    }
  }
  WHEN("strings: a set against a co-set") {
    CHECK_FALSE(Meet({c("document_number", Operator::kEq, {"A"})},
                     {c("document_number", Operator::kNe, {"A"})}));
    CHECK(Meet({c("document_number", Operator::kNe, {"A"})},
               {c("document_number", Operator::kNe, {"B"})}));
  }
  WHEN("enums: a value no name gives still counts (proto3 enums are open)") {
    std::vector<Condition> none_named;
    const google::protobuf::EnumDescriptor& kinds = *cases::PartyKind_descriptor();
    for (int k = 0; k < kinds.value_count(); ++k) {
      none_named.push_back(c("summary.party_kind", Operator::kNe, {kinds.value(k)->name()}));
    }
    CHECK(Meet(none_named, {c("summary.party_kind", Operator::kNe, {"PARTY_KIND_CITIZEN"})}));
    CHECK_FALSE(Meet({c("summary.party_kind", Operator::kEq, {"PARTY_KIND_CITIZEN"})},
                     {c("summary.party_kind", Operator::kEq, {"PARTY_KIND_ORGANISATION"})}));
  }
  WHEN("the sets constrain different fields") {
    CHECK(Meet({c("fine.fen", Operator::kLt, {"1000"})}, {c("serious", Operator::kEq, {"true"})}));
  }
  WHEN("the only separating conditions go through a repeated field") {
    THEN("different elements may meet them, so the sets are not disjoint") {
      CHECK(Meet({c("summary.item_codes", Operator::kEq, {"A"})},
                 {c("summary.item_codes", Operator::kNe, {"A"})}));
    }
  }
}

}  // namespace
}  // namespace jianguan::rules
