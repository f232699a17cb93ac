// Leads (案源): registration, hand-over between departments and its answer (线索移交), the one
// extension of the filing period (市场监督管理行政处罚程序规定 第十八条), the decision not to
// file, and filing within the limitation period (行政处罚法 第三十六条).
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "libs/core/civil_date.h"
#include "libs/core/text_checks.h"
#include "libs/testing/field_names.h"
#include "services/cases/domain/lead.h"
#include "tests/unit/cases/cases_fixtures.h"

namespace jianguan::cases {
namespace {

using namespace fixtures;
using testing::FieldNames;

// 金华市市场监管局 holds the leads; 婺城区 and 金东区 are the other departments.
constexpr char kWucheng[] = "330702-SCJG";
constexpr char kJindong[] = "330703-SCJG";

std::string Message(const absl::Status& status) { return std::string(status.message()); }

absl::CivilDay DayOfDate(const common::v1::Date& date) { return DayOf(date); }

v1::Lead LeadDraft(absl::CivilDay registered, absl::CivilDay committed) {
  v1::Lead draft;
  draft.set_name("leads/l-2026-0001");
  draft.set_uscc(kUscc);
  draft.set_source(v1::LEAD_SOURCE_COMPLAINT);
  draft.set_source_ref("12315-2026-000123");
  draft.mutable_department()->set_code(kScjg);
  draft.set_summary("消费者投诉当事人销售超过保质期的食品");
  *draft.mutable_violation()->mutable_committed_date() = DateOf(committed);
  *draft.mutable_registered_date() = DateOf(registered);
  return draft;
}

v1::Lead Registered(absl::CivilDay registered,
                    absl::CivilDay committed = absl::CivilDay(2026, 2, 10)) {
  absl::StatusOr<v1::Lead> lead = NewLead(LeadDraft(registered, committed), Calendar());
  REQUIRE(lead.status().ToString() == "OK");
  return *std::move(lead);
}

template <typename T>
T Ok(absl::StatusOr<T> result) {
  REQUIRE(result.status().ToString() == "OK");
  return *std::move(result);
}

v1::Lead TransferredTo(const v1::Lead& lead, std::string_view to, absl::CivilDay day) {
  return Ok(Transfer(lead, kScjg, to, "属于婺城区管辖", day));
}

SCENARIO("a lead is registered with its filing period (市场监督管理行政处罚程序规定 第十八条)") {
  GIVEN("a complaint registered on Monday 2 March 2026") {
    const v1::Lead lead = Registered(Day(2026, 3, 2));
    THEN("it is REGISTERED, version 1, and the decision is due 15 working days later") {
      CHECK(lead.state() == v1::LEAD_STATE_REGISTERED);
      CHECK(lead.version() == 1);
      CHECK_FALSE(lead.extended());
      CHECK(DayOfDate(lead.filing_due_date()) == Day(2026, 3, 23));
      CHECK(lead.department().code() == kScjg);
      CHECK(lead.summary() == "消费者投诉当事人销售超过保质期的食品");
    }
  }
  GIVEN("a draft carrying a state, transfers and a decision of its own") {
    v1::Lead draft = LeadDraft(Day(2026, 3, 2), Day(2026, 2, 10));
    draft.set_state(v1::LEAD_STATE_FILED);
    draft.set_case_name("cases/x");
    draft.set_version(7);
    draft.set_extended(true);
    draft.add_transfers()->set_reason("x");
    THEN("none of it is kept") {
      const v1::Lead lead = Ok(NewLead(draft, Calendar()));
      CHECK(lead.state() == v1::LEAD_STATE_REGISTERED);
      CHECK(lead.case_name().empty());
      CHECK(lead.version() == 1);
      CHECK_FALSE(lead.extended());
      CHECK(lead.transfers().empty());
    }
  }
  GIVEN("a configured period of 10 working days") {
    THEN("the decision is due 10 working days later") {
      const v1::Lead lead = Ok(NewLead(LeadDraft(Day(2026, 3, 2), Day(2026, 2, 10)), Calendar(),
                                       {.working_days = 10}));
      CHECK(DayOfDate(lead.filing_due_date()) == Day(2026, 3, 16));
    }
  }
}

SCENARIO("a bad lead is refused naming every offending field") {
  GIVEN("a draft wrong everywhere") {
    v1::Lead draft = LeadDraft(Day(2026, 3, 2), Day(2026, 3, 3));  // committed after it
    draft.set_uscc("91110000600037341X");                           // wrong check character
    draft.set_source(v1::LEAD_SOURCE_UNSPECIFIED);
    draft.set_source_ref(std::string(201, 'r'));
    draft.clear_summary();
    *draft.mutable_violation()->mutable_ended_date() = DateOf(Day(2026, 3, 1));  // not continuing
    THEN("INVALID_ARGUMENT names each field at once") {
      const absl::Status refused = NewLead(draft, Calendar()).status();
      REQUIRE(absl::IsInvalidArgument(refused));
      CHECK(FieldNames(refused) ==
            std::set<std::string>{"uscc", "source", "source_ref", "summary",
                                  "violation.committed_date", "violation.ended_date"});
    }
  }
  GIVEN("an unknown source, a summary of 2001 characters and no registration day") {
    v1::Lead draft = LeadDraft(Day(2026, 3, 2), Day(2026, 2, 10));
    draft.set_source(static_cast<v1::LeadSource>(99));
    std::string summary;
    for (int i = 0; i < 2001; ++i) summary += "假";
    draft.set_summary(summary);
    draft.clear_registered_date();
    THEN("each is named") {
      CHECK(FieldNames(NewLead(draft, Calendar()).status()) ==
            std::set<std::string>{"source", "summary", "registered_date"});
    }
    THEN("2000 characters pass") {
      draft.set_summary(summary.substr(3));
      *draft.mutable_registered_date() = DateOf(Day(2026, 3, 2));
      draft.set_source(v1::LEAD_SOURCE_RISK_ALERT);
      CHECK(NewLead(draft, Calendar()).ok());
    }
  }
  GIVEN("a continuing act that ended before it began, or after the registration") {
    v1::Lead draft = LeadDraft(Day(2026, 3, 2), Day(2026, 2, 10));
    draft.mutable_violation()->set_continuing(true);
    THEN("an end before the beginning is refused") {
      *draft.mutable_violation()->mutable_ended_date() = DateOf(Day(2026, 2, 9));
      CHECK(FieldNames(NewLead(draft, Calendar()).status()) ==
            std::set<std::string>{"violation.ended_date"});
    }
    THEN("an end after the registration is refused") {
      *draft.mutable_violation()->mutable_ended_date() = DateOf(Day(2026, 3, 3));
      CHECK(FieldNames(NewLead(draft, Calendar()).status()) ==
            std::set<std::string>{"violation.ended_date"});
    }
    THEN("an end between them passes") {
      *draft.mutable_violation()->mutable_ended_date() = DateOf(Day(2026, 2, 28));
      CHECK(NewLead(draft, Calendar()).ok());
    }
    THEN("a day that does not exist is refused") {
      common::v1::Date bad;
      bad.set_year(2026);
      bad.set_month(2);
      bad.set_day(30);
      *draft.mutable_violation()->mutable_committed_date() = bad;
      CHECK(FieldNames(NewLead(draft, Calendar()).status()) ==
            std::set<std::string>{"violation.committed_date"});
    }
  }
  GIVEN("texts that are not UTF-8") {
    v1::Lead draft = LeadDraft(Day(2026, 3, 2), Day(2026, 2, 10));
    draft.set_uscc("9111000060003734\xe4\xbd");
    draft.set_summary("\xff\xfe");
    THEN("they are named, and the message is valid UTF-8 (nothing of them echoed)") {
      const absl::Status refused = NewLead(draft, Calendar()).status();
      CHECK(FieldNames(refused) == std::set<std::string>{"uscc", "summary"});
      CHECK(IsValidUtf8(Message(refused)));
    }
  }
  GIVEN("a registration at the end of the calendar's last year") {
    THEN("the due date cannot be computed: OUT_OF_RANGE") {
      CHECK(absl::IsOutOfRange(
          NewLead(LeadDraft(Day(2027, 12, 20), Day(2027, 12, 1)), Calendar()).status()));
    }
  }
}

SCENARIO("a lead is handed to another department (线索移交)") {
  const v1::Lead lead = Registered(Day(2026, 9, 18));
  GIVEN("the holder hands it to 婺城区") {
    const v1::Lead pending = TransferredTo(lead, kWucheng, Day(2026, 9, 21));
    THEN("it waits for the answer, still held by the sender, with the hand-over recorded") {
      CHECK(pending.state() == v1::LEAD_STATE_TRANSFER_PENDING);
      CHECK(pending.version() == 2);
      CHECK(pending.department().code() == kScjg);
      REQUIRE(pending.transfers_size() == 1);
      const v1::LeadTransferRecord& record = pending.transfers(0);
      CHECK(record.from_department().code() == kScjg);
      CHECK(record.to_department().code() == kWucheng);
      CHECK(record.reason() == "属于婺城区管辖");
      CHECK(DayOfDate(record.transferred_date()) == Day(2026, 9, 21));
      CHECK_FALSE(record.accepted());
      CHECK_FALSE(record.returned());
    }
    THEN("it cannot be handed over again while pending") {
      const absl::Status refused =
          Transfer(pending, kScjg, kJindong, "再次移交", Day(2026, 9, 22)).status();
      REQUIRE(absl::IsFailedPrecondition(refused));
      CHECK_THAT(Message(refused), Catch::StartsWith("leads/l-2026-0001"));
      CHECK_THAT(Message(refused), Catch::Contains("LEAD_STATE_TRANSFER_PENDING"));
    }
  }
  GIVEN("refusals") {
    THEN("a department that does not hold it may not hand it over") {
      const absl::Status refused =
          Transfer(lead, kWucheng, kJindong, "移交", Day(2026, 9, 21)).status();
      REQUIRE(absl::IsFailedPrecondition(refused));
      CHECK_THAT(Message(refused), Catch::Contains(kWucheng));
    }
    THEN("a caller department that is not UTF-8 is not echoed") {
      const absl::Status refused =
          Transfer(lead, "\xc3\x28", kJindong, "移交", Day(2026, 9, 21)).status();
      REQUIRE(absl::IsFailedPrecondition(refused));
      CHECK(IsValidUtf8(Message(refused)));
    }
    THEN("no receiver, or itself, is refused") {
      CHECK(FieldNames(Transfer(lead, kScjg, "", "移交", Day(2026, 9, 21)).status()) ==
            std::set<std::string>{"to_department.code"});
      CHECK(FieldNames(Transfer(lead, kScjg, kScjg, "移交", Day(2026, 9, 21)).status()) ==
            std::set<std::string>{"to_department.code"});
    }
    THEN("the reason is 1–500 characters of UTF-8") {
      CHECK(FieldNames(Transfer(lead, kScjg, kWucheng, "", Day(2026, 9, 21)).status()) ==
            std::set<std::string>{"reason"});
      CHECK(FieldNames(Transfer(lead, kScjg, kWucheng, std::string(501, 'x'), Day(2026, 9, 21))
                           .status()) == std::set<std::string>{"reason"});
      CHECK(FieldNames(Transfer(lead, kScjg, kWucheng, "\xff", Day(2026, 9, 21)).status()) ==
            std::set<std::string>{"reason"});
      CHECK(Transfer(lead, kScjg, kWucheng, std::string(500, 'x'), Day(2026, 9, 21)).ok());
    }
    THEN("every bad field at once, and a day before the registration") {
      CHECK(FieldNames(Transfer(lead, kScjg, "", "", Day(2026, 9, 17)).status()) ==
            std::set<std::string>{"to_department.code", "reason", "date"});
    }
  }
}

SCENARIO("the receiver accepts the lead: it holds it and the filing period starts again") {
  GIVEN("a lead registered on 18 September 2026, extended, and handed to 婺城区 on 29 September") {
    v1::Lead lead = Registered(Day(2026, 9, 18));
    lead = Ok(Extend(lead, kScjg, "需调取外省证据", Calendar()));
    const v1::Lead pending = TransferredTo(lead, kWucheng, Day(2026, 9, 29));
    WHEN("婺城区 accepts it on 30 September, the day before the National Day holiday") {
      const v1::Lead accepted =
          Ok(AnswerTransfer(pending, kWucheng, true, "", Day(2026, 9, 30), Calendar()));
      THEN("婺城区 holds it, registered that day, extension reset, version bumped") {
        CHECK(accepted.state() == v1::LEAD_STATE_REGISTERED);
        CHECK(accepted.department().code() == kWucheng);
        CHECK(DayOfDate(accepted.registered_date()) == Day(2026, 9, 30));
        CHECK_FALSE(accepted.extended());
        CHECK(accepted.decision_reason().empty());
        CHECK(accepted.version() == pending.version() + 1);
        REQUIRE(accepted.transfers_size() == 1);
        CHECK(accepted.transfers(0).accepted());
        CHECK_FALSE(accepted.transfers(0).returned());
        CHECK(DayOfDate(accepted.transfers(0).answered_date()) == Day(2026, 9, 30));
      }
      THEN("15 working days skip 1–7 October and count Saturday 10 October: due 27 October") {
        CHECK(DayOfDate(accepted.filing_due_date()) == Day(2026, 10, 27));
        CHECK(DayOfDate(accepted.filing_due_date()) ==
              *FilingDecisionDue(Calendar(), Day(2026, 9, 30), false));
      }
      THEN("the new holder may extend it once more, and the sender may no longer act") {
        const v1::Lead extended = Ok(Extend(accepted, kWucheng, "案情复杂", Calendar()));
        CHECK(DayOfDate(extended.filing_due_date()) ==
              *FilingDecisionDue(Calendar(), Day(2026, 9, 30), true));
        CHECK(absl::IsFailedPrecondition(
            Decline(accepted, kScjg, "不属实", Day(2026, 10, 8)).status()));
      }
    }
    THEN("only the receiver answers") {
      CHECK(absl::IsFailedPrecondition(
          AnswerTransfer(pending, kScjg, true, "", Day(2026, 9, 30), Calendar()).status()));
      CHECK(absl::IsFailedPrecondition(
          AnswerTransfer(pending, kJindong, true, "", Day(2026, 9, 30), Calendar()).status()));
    }
    THEN("an answer before the hand-over is refused") {
      const absl::Status refused =
          AnswerTransfer(pending, kWucheng, true, "", Day(2026, 9, 28), Calendar()).status();
      CHECK(FieldNames(refused) == std::set<std::string>{"date"});
    }
  }
  GIVEN("a lead not pending") {
    const v1::Lead lead = Registered(Day(2026, 9, 18));
    THEN("there is nothing to answer") {
      const absl::Status refused =
          AnswerTransfer(lead, kScjg, true, "", Day(2026, 9, 30), Calendar()).status();
      REQUIRE(absl::IsFailedPrecondition(refused));
      CHECK_THAT(Message(refused), Catch::Contains("LEAD_STATE_REGISTERED"));
    }
  }
}

SCENARIO("the receiver returns the lead (退回) with its reasons") {
  const v1::Lead lead = Registered(Day(2026, 9, 18));
  const v1::Lead pending = TransferredTo(lead, kWucheng, Day(2026, 9, 21));
  GIVEN("a return without a reason") {
    THEN("it is refused") {
      const absl::Status refused =
          AnswerTransfer(pending, kWucheng, false, "", Day(2026, 9, 22), Calendar()).status();
      CHECK(FieldNames(refused) == std::set<std::string>{"reason"});
      CHECK(FieldNames(AnswerTransfer(pending, kWucheng, false, std::string(501, 'x'),
                                      Day(2026, 9, 22), Calendar())
                           .status()) == std::set<std::string>{"reason"});
    }
  }
  GIVEN("a return with a reason") {
    const v1::Lead returned = Ok(
        AnswerTransfer(pending, kWucheng, false, "不属于本局管辖", Day(2026, 9, 22), Calendar()));
    THEN("the sender holds it again, REGISTERED, its due date kept") {
      CHECK(returned.state() == v1::LEAD_STATE_REGISTERED);
      CHECK(returned.department().code() == kScjg);
      CHECK(DayOfDate(returned.registered_date()) == Day(2026, 9, 18));
      CHECK(DayOfDate(returned.filing_due_date()) == DayOfDate(lead.filing_due_date()));
      CHECK(returned.version() == pending.version() + 1);
      const v1::LeadTransferRecord& record = returned.transfers(0);
      CHECK(record.returned());
      CHECK_FALSE(record.accepted());
      CHECK(record.return_reason() == "不属于本局管辖");
      CHECK(DayOfDate(record.answered_date()) == Day(2026, 9, 22));
    }
    THEN("it may be handed over again, recorded as a second hand-over") {
      const v1::Lead again = Ok(Transfer(returned, kScjg, kJindong, "属于金东区管辖",
                                         Day(2026, 9, 23)));
      CHECK(again.transfers_size() == 2);
      CHECK(again.transfers(1).to_department().code() == kJindong);
    }
  }
}

SCENARIO("the filing period is extended once by 15 working days (第十八条)") {
  const v1::Lead lead = Registered(Day(2026, 9, 18));
  GIVEN("the first extension") {
    const v1::Lead extended = Ok(Extend(lead, kScjg, "需要检验鉴定", Calendar()));
    THEN("the due date moves from 15 October to 5 November and the reason is recorded") {
      CHECK(DayOfDate(lead.filing_due_date()) == Day(2026, 10, 15));
      CHECK(DayOfDate(extended.filing_due_date()) == Day(2026, 11, 5));
      CHECK(extended.extended());
      CHECK(extended.decision_reason() == "需要检验鉴定");
      CHECK(extended.version() == 2);
    }
    THEN("a second one is refused naming the article") {
      const absl::Status refused = Extend(extended, kScjg, "再次延长", Calendar()).status();
      REQUIRE(absl::IsFailedPrecondition(refused));
      CHECK_THAT(Message(refused), Catch::Contains("第十八条"));
    }
  }
  GIVEN("refusals") {
    THEN("without a reason") {
      CHECK(FieldNames(Extend(lead, kScjg, "", Calendar()).status()) ==
            std::set<std::string>{"reason"});
    }
    THEN("by another department, or while handed over") {
      CHECK(absl::IsFailedPrecondition(Extend(lead, kWucheng, "延长", Calendar()).status()));
      const v1::Lead pending = TransferredTo(lead, kWucheng, Day(2026, 9, 21));
      CHECK(absl::IsFailedPrecondition(Extend(pending, kScjg, "延长", Calendar()).status()));
    }
  }
}

SCENARIO("the decision not to file (不予立案) is recorded, late or not") {
  const v1::Lead lead = Registered(Day(2026, 9, 18));  // due 15 October
  GIVEN("a decline on the due day") {
    const v1::Lead declined = Ok(Decline(lead, kScjg, "违法事实不成立", Day(2026, 10, 15)));
    THEN("it is NOT_FILED with its reason and day, not late") {
      CHECK(declined.state() == v1::LEAD_STATE_NOT_FILED);
      CHECK(declined.decision_reason() == "违法事实不成立");
      CHECK(DayOfDate(declined.decided_date()) == Day(2026, 10, 15));
      CHECK_FALSE(declined.decided_late());
      CHECK(declined.version() == 2);
    }
    THEN("nothing more may be decided on it") {
      const absl::Status refused = Decline(declined, kScjg, "再次", Day(2026, 10, 16)).status();
      REQUIRE(absl::IsFailedPrecondition(refused));
      CHECK_THAT(Message(refused), Catch::Contains("LEAD_STATE_NOT_FILED"));
      CHECK(absl::IsFailedPrecondition(CheckFileable(declined, kScjg, Day(2026, 10, 16))));
    }
  }
  GIVEN("a decline the day after the due day") {
    THEN("it is allowed and flagged late (逾期)") {
      CHECK(Ok(Decline(lead, kScjg, "违法事实不成立", Day(2026, 10, 16))).decided_late());
    }
  }
  GIVEN("refusals") {
    THEN("without a reason, before the registration, both at once") {
      CHECK(FieldNames(Decline(lead, kScjg, "", Day(2026, 9, 17)).status()) ==
            std::set<std::string>{"reason", "date"});
    }
    THEN("by another department") {
      CHECK(absl::IsFailedPrecondition(
          Decline(lead, kWucheng, "违法事实不成立", Day(2026, 9, 30)).status()));
    }
  }
}

SCENARIO("a lead is filed within the limitation period (行政处罚法 第三十六条)") {
  GIVEN("an act of 1 March 2024 registered on 2 March 2026") {
    const v1::Lead lead = Registered(Day(2026, 3, 2), Day(2024, 3, 1));
    THEN("it may not be filed: FAILED_PRECONDITION naming 第三十六条") {
      const absl::Status refused = CheckFileable(lead, kScjg, Day(2026, 3, 3));
      REQUIRE(absl::IsFailedPrecondition(refused));
      CHECK_THAT(Message(refused), Catch::Contains("第三十六条"));
      CHECK_THAT(Message(refused), Catch::StartsWith("leads/l-2026-0001"));
    }
    THEN("it may still be declined") {
      CHECK(Decline(lead, kScjg, "超过追责期限", Day(2026, 3, 3)).ok());
    }
  }
  GIVEN("the same act where health was harmed (5 years)") {
    v1::Lead draft = LeadDraft(Day(2026, 3, 2), Day(2024, 3, 1));
    draft.mutable_violation()->set_harmed_life_health_or_finance(true);
    THEN("it may be filed") {
      CHECK(CheckFileable(Ok(NewLead(draft, Calendar())), kScjg, Day(2026, 3, 3)).ok());
    }
  }
  GIVEN("a continuing act from 2023 that ended on 1 May 2024") {
    v1::Lead draft = LeadDraft(Day(2026, 3, 2), Day(2023, 1, 1));
    draft.mutable_violation()->set_continuing(true);
    *draft.mutable_violation()->mutable_ended_date() = DateOf(Day(2024, 5, 1));
    THEN("the period counts from its end: it may be filed") {
      CHECK(CheckFileable(Ok(NewLead(draft, Calendar())), kScjg, Day(2026, 3, 3)).ok());
    }
  }
  GIVEN("an act of 10 March 2024 registered on 2 March 2026") {
    const v1::Lead lead = Registered(Day(2026, 3, 2), Day(2024, 3, 10));
    THEN("it may be filed by its holder, from the registration day on") {
      CHECK(CheckFileable(lead, kScjg, Day(2026, 3, 2)).ok());
      CHECK(FieldNames(CheckFileable(lead, kScjg, Day(2026, 3, 1))) ==
            std::set<std::string>{"date"});
      CHECK(absl::IsFailedPrecondition(CheckFileable(lead, kWucheng, Day(2026, 3, 2))));
    }
    THEN("accepted by another department after 10 March, the limitation is judged on the "
         "acceptance (Lead.registered_date) and has run out") {
      const v1::Lead pending = TransferredTo(lead, kWucheng, Day(2026, 3, 5));
      const v1::Lead accepted =
          Ok(AnswerTransfer(pending, kWucheng, true, "", Day(2026, 3, 11), Calendar()));
      const absl::Status refused = CheckFileable(accepted, kWucheng, Day(2026, 3, 11));
      REQUIRE(absl::IsFailedPrecondition(refused));
      CHECK_THAT(Message(refused), Catch::Contains("第三十六条"));
    }
    THEN("while handed over it may not be filed") {
      const v1::Lead pending = TransferredTo(lead, kWucheng, Day(2026, 3, 5));
      CHECK(absl::IsFailedPrecondition(CheckFileable(pending, kScjg, Day(2026, 3, 5))));
      CHECK(absl::IsFailedPrecondition(CheckFileable(pending, kWucheng, Day(2026, 3, 5))));
    }
  }
}

SCENARIO("a filed lead records its case, and whether the decision was late") {
  const v1::Lead lead = Registered(Day(2026, 9, 18));  // due 15 October
  GIVEN("a case filed on 15 October") {
    const v1::Lead filed = MarkFiled(lead, "cases/c-2026-0001", Day(2026, 10, 15));
    THEN("it is FILED, naming the case, on time") {
      CHECK(filed.state() == v1::LEAD_STATE_FILED);
      CHECK(filed.case_name() == "cases/c-2026-0001");
      CHECK(DayOfDate(filed.decided_date()) == Day(2026, 10, 15));
      CHECK_FALSE(filed.decided_late());
      CHECK(filed.version() == lead.version() + 1);
    }
    THEN("it cannot be filed or handed over again") {
      CHECK(absl::IsFailedPrecondition(CheckFileable(filed, kScjg, Day(2026, 10, 16))));
      CHECK(absl::IsFailedPrecondition(
          Transfer(filed, kScjg, kWucheng, "移交", Day(2026, 10, 16)).status()));
    }
  }
  GIVEN("a case filed on 16 October") {
    THEN("the filing is flagged late") {
      CHECK(MarkFiled(lead, "cases/c-2026-0001", Day(2026, 10, 16)).decided_late());
    }
  }
}

SCENARIO("the limitation facts of a lead are converted for CheckLimitation") {
  v1::ViolationTiming timing;
  *timing.mutable_committed_date() = DateOf(Day(2025, 4, 1));
  timing.set_harmed_life_health_or_finance(true);
  GIVEN("no end") {
    const ViolationTiming converted = TimingOf(timing);
    THEN("the days and flags carry over, the end is unset") {
      CHECK(converted.committed_on == Day(2025, 4, 1));
      CHECK_FALSE(converted.continuing);
      CHECK(converted.harmed_life_health_or_finance);
      CHECK_FALSE(converted.ended_on.has_value());
    }
  }
  GIVEN("a continuing act with an end") {
    timing.set_continuing(true);
    *timing.mutable_ended_date() = DateOf(Day(2025, 6, 30));
    THEN("the end carries over") {
      const ViolationTiming converted = TimingOf(timing);
      CHECK(converted.continuing);
      REQUIRE(converted.ended_on.has_value());
      CHECK(*converted.ended_on == Day(2025, 6, 30));
    }
  }
}

}  // namespace
}  // namespace jianguan::cases
