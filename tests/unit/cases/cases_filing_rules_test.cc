// Around the general procedure: the summary procedure's limits (行政处罚法 第五十一条), the
// limitation period (第三十六条), the period to decide on filing (市场监督管理行政处罚程序规定
// 第十八条), and document numbers (GB/T 9704-2012).
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "libs/testing/field_names.h"
#include "services/cases/domain/document_number.h"
#include "services/cases/domain/limitation.h"
#include "services/cases/domain/summary_procedure.h"
#include "tests/unit/cases/cases_fixtures.h"

namespace jianguan::cases {
namespace {

using namespace fixtures;
using testing::FieldNames;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

v1::Penalty FineInFen(int64_t fen) {
  v1::Penalty penalty;
  penalty.add_kinds(v1::PENALTY_KIND_FINE);
  penalty.mutable_fine()->set_fen(fen);
  return penalty;
}

SCENARIO("the summary procedure decides only a warning or a fine up to 200 yuan on a citizen "
         "and 3,000 yuan on an organisation (行政处罚法 第五十一条)") {
  GIVEN("a citizen") {
    THEN("200 yuan passes") {
      CHECK(CheckSummaryProcedure(v1::PARTY_KIND_CITIZEN, Fine(200)).ok());
    }
    THEN("201 yuan is refused, naming the article and the limit") {
      const absl::Status refused = CheckSummaryProcedure(v1::PARTY_KIND_CITIZEN, Fine(201));
      REQUIRE(absl::IsInvalidArgument(refused));
      CHECK(FieldNames(refused) == std::set<std::string>{"penalty.fine.fen"});
      CHECK_THAT(Message(refused), Catch::Contains("第五十一条"));
      CHECK_THAT(Message(refused), Catch::Contains("at most 200 yuan"));
    }
    THEN("one fen above 200 yuan is refused too") {
      CHECK_FALSE(CheckSummaryProcedure(v1::PARTY_KIND_CITIZEN, FineInFen(20001)).ok());
    }
  }
  GIVEN("an organisation") {
    THEN("3,000 yuan passes") {
      CHECK(CheckSummaryProcedure(v1::PARTY_KIND_ORGANISATION, Fine(3000)).ok());
    }
    THEN("3,001 yuan is refused, naming the article") {
      const absl::Status refused = CheckSummaryProcedure(v1::PARTY_KIND_ORGANISATION, Fine(3001));
      REQUIRE(absl::IsInvalidArgument(refused));
      CHECK_THAT(Message(refused), Catch::Contains("第五十一条"));
      CHECK_THAT(Message(refused), Catch::Contains("at most 3000 yuan"));
    }
  }
  GIVEN("other penalties") {
    THEN("a warning passes") {
      CHECK(CheckSummaryProcedure(v1::PARTY_KIND_CITIZEN, Warning()).ok());
    }
    THEN("a confiscation needs the general procedure") {
      v1::Penalty penalty = Warning();
      penalty.add_kinds(v1::PENALTY_KIND_CONFISCATION);
      const absl::Status refused = CheckSummaryProcedure(v1::PARTY_KIND_CITIZEN, penalty);
      CHECK(FieldNames(refused) == std::set<std::string>{"penalty.kinds[1]"});
      CHECK_THAT(Message(refused), Catch::Contains("第五十一条"));
    }
    THEN("a party of unknown kind is refused") {
      CHECK(FieldNames(CheckSummaryProcedure(v1::PARTY_KIND_UNSPECIFIED, Warning())) ==
            std::set<std::string>{"party_kind"});
    }
  }
}

SCENARIO("a violation not discovered within 2 years, or 5 where life, health or financial "
         "safety were harmed, is no longer punished (行政处罚法 第三十六条)") {
  GIVEN("an act committed on 15 March 2024") {
    const ViolationTiming act{.committed_on = Day(2024, 3, 15)};
    THEN("discovered on 15 March 2026, the last day, it may be filed") {
      CHECK(CheckLimitation("leads/l-1", act, Day(2026, 3, 15)).ok());
    }
    THEN("discovered on 16 March 2026, it is refused naming the article and the last day") {
      const absl::Status refused = CheckLimitation("leads/l-1", act, Day(2026, 3, 16));
      REQUIRE(absl::IsFailedPrecondition(refused));
      CHECK_THAT(Message(refused), Catch::Contains("第三十六条"));
      CHECK_THAT(Message(refused), Catch::Contains("2026-03-15"));
      CHECK_THAT(Message(refused), Catch::StartsWith("leads/l-1"));
    }
  }
  GIVEN("an act of 30 June 2021 that harmed health (涉及公民生命健康安全且有危害后果)") {
    const ViolationTiming act{.committed_on = Day(2021, 6, 30),
                              .harmed_life_health_or_finance = true};
    THEN("5 years: 30 June 2026 passes, 1 July 2026 is refused") {
      CHECK(CheckLimitation("leads/l-2", act, Day(2026, 6, 30)).ok());
      const absl::Status refused = CheckLimitation("leads/l-2", act, Day(2026, 7, 1));
      REQUIRE(absl::IsFailedPrecondition(refused));
      CHECK_THAT(Message(refused), Catch::Contains("5 years"));
      CHECK_THAT(Message(refused), Catch::Contains("2026-06-30"));
    }
  }
  GIVEN("a continuing act (继续状态) from 2020 that ended on 20 May 2024") {
    const ViolationTiming act{.committed_on = Day(2020, 1, 1),
                              .continuing = true,
                              .ended_on = Day(2024, 5, 20)};
    THEN("the period counts from its end: 20 May 2026 passes, 21 May is refused") {
      CHECK(CheckLimitation("leads/l-3", act, Day(2026, 5, 20)).ok());
      CHECK(absl::IsFailedPrecondition(CheckLimitation("leads/l-3", act, Day(2026, 5, 21))));
    }
    THEN("while it still goes on, no period runs") {
      ViolationTiming ongoing = act;
      ongoing.ended_on.reset();
      CHECK_FALSE(LimitationLastDay(ongoing).has_value());
      CHECK(CheckLimitation("leads/l-3", ongoing, Day(2030, 1, 1)).ok());
    }
    THEN("an end before its beginning is refused") {
      ViolationTiming wrong = act;
      wrong.ended_on = Day(2019, 12, 31);
      CHECK(FieldNames(CheckLimitation("leads/l-3", wrong, Day(2026, 1, 1))) ==
            std::set<std::string>{"violation.ended_on"});
    }
  }
  GIVEN("an act on 29 February 2024") {
    THEN("two years end on 28 February 2026, the month having no 29th") {
      CHECK(*LimitationLastDay({.committed_on = Day(2024, 2, 29)}) == Day(2026, 2, 28));
    }
  }
}

SCENARIO("the decision to file comes within 15 working days of the lead, extendable once by 15 "
         "(市场监督管理行政处罚程序规定 第十八条)") {
  GIVEN("a lead registered on Friday 18 September 2026, before 中秋节 and 国庆节 "
        "(Sunday 20 September and Saturday 10 October worked)") {
    THEN("the decision is due on 15 October") {
      CHECK(*FilingDecisionDue(Calendar(), Day(2026, 9, 18), false) == Day(2026, 10, 15));
    }
    THEN("extended, on 5 November") {
      CHECK(*FilingDecisionDue(Calendar(), Day(2026, 9, 18), true) == Day(2026, 11, 5));
    }
    THEN("a department configuring 10 days gets 10") {
      CHECK(*FilingDecisionDue(Calendar(), Day(2026, 9, 18), false, {.working_days = 10}) ==
            Day(2026, 10, 9));
    }
  }
}

SCENARIO("a document number is written as GB/T 9704-2012 says and read back") {
  GIVEN("金市监罚, 2026, number 12") {
    const DocumentNumber number{.prefix = "金市监罚", .year = 2026, .sequence = 12};
    THEN("it reads 金市监罚〔2026〕12号, and parses back to the same parts") {
      const absl::StatusOr<std::string> text = FormatDocumentNumber(number);
      REQUIRE(text.ok());
      CHECK(*text == "金市监罚〔2026〕12号");
      const absl::StatusOr<DocumentNumber> parsed = ParseDocumentNumber(*text);
      REQUIRE(parsed.ok());
      CHECK(*parsed == number);
    }
  }
  GIVEN("other numbers") {
    THEN("each round-trips") {
      for (const DocumentNumber& number :
           {DocumentNumber{"杭市监处罚告", 2027, 1}, DocumentNumber{"义市监立", 2026, 999999999},
            DocumentNumber{"X", 1949, 7}}) {
        const absl::StatusOr<std::string> text = FormatDocumentNumber(number);
        REQUIRE(text.ok());
        CHECK(*ParseDocumentNumber(*text) == number);
      }
    }
  }
  GIVEN("malformed numbers") {
    THEN("each is refused") {
      for (const char* text :
           {"金市监罚〔2026〕012号", "金市监罚〔2026〕第12号", "金市监罚[2026]12号",
            "金市监罚〔26〕12号", "金市监罚〔2026〕12", "〔2026〕12号", "金市监罚〔2026〕号",
            "金市监罚〔2026〕0号", "金市监罚〔1800〕1号", "金市监罚〕2026〔12号", "号", ""}) {
        INFO(text);
        CHECK(absl::IsInvalidArgument(ParseDocumentNumber(text).status()));
      }
    }
    THEN("nothing out of range is written") {
      CHECK(FieldNames(FormatDocumentNumber({"金市监罚", 2026, 0}).status()) ==
            std::set<std::string>{"sequence"});
      CHECK(FieldNames(FormatDocumentNumber({"金市监罚〔", 2026, 1}).status()) ==
            std::set<std::string>{"prefix"});
      CHECK(FieldNames(FormatDocumentNumber({"金市监罚", 12026, 1}).status()) ==
            std::set<std::string>{"year"});
    }
  }
}

}  // namespace
}  // namespace jianguan::cases
