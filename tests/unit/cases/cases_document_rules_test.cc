// The documents of a case file (文书): which document each step produces, its character and
// title, its canonical text (whose SHA-256 goes into the case file), what the notice and the
// decision must say (行政处罚法 第四十四条、第四十五条、第五十九条、第六十三条、第六十四条、
// 第六十七条、第七十二条), Chinese dates and yuan amounts, and the public view of a decision
// with a citizen's data masked.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "libs/core/civil_date.h"
#include "libs/core/text_checks.h"
#include "services/cases/domain/deadlines.h"
#include "services/cases/domain/document_number.h"
#include "services/cases/domain/documents.h"
#include "tests/unit/cases/cases_fixtures.h"

namespace jianguan::cases {
namespace {

using namespace fixtures;
using Catch::Contains;

const Issuer kIssuer{.department_code = kScjg, .name = "金华市市场监督管理局"};
constexpr char kPartyName[] = "金华市好味食品有限公司";
constexpr char kBasis[] = "《食品安全法》第一百二十四条";

bool Has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// The last entry of a case's history.
const v1::CaseStepRecord& LastStep(const v1::Case& c) { return c.history(c.history_size() - 1); }

// What every document must be, whatever its kind.
void CheckWellFormed(const v1::Document& doc, const v1::Case& c, const v1::CaseStepRecord& step,
                     std::string_view number, std::string_view name) {
  INFO(v1::CaseAction_Name(step.action()) << "\n" << doc.text());
  CHECK(doc.ref().name() == name);
  CHECK(doc.ref().kind() == DocumentKindOf(step.action()));
  CHECK(doc.ref().number() == number);
  CHECK(doc.ref().title() == DocumentTitle(step.action()));
  CHECK(doc.ref().case_version() == c.version());
  CHECK(DayOf(doc.ref().date()) == DayOf(step.date()));
  // The domain leaves the hash to the service layer, where the SHA-256 helper lives.
  CHECK(doc.ref().sha256().empty());
  CHECK(doc.issuer() == kIssuer.name);
  CHECK(doc.paragraphs_size() >= 3);
  CHECK(doc.paragraphs_size() <= 8);
  for (const std::string& paragraph : doc.paragraphs()) {
    CHECK_FALSE(paragraph.empty());
    CHECK(paragraph.find('\n') == std::string::npos);
  }
  REQUIRE(doc.closing_size() == 2);
  CHECK(doc.closing(0) == kIssuer.name);
  CHECK(doc.closing(1) == ChineseDate(DayOf(step.date())));
  CHECK(doc.text() == CanonicalText(doc));
  CHECK(IsValidUtf8(doc.text()));
  CHECK_THAT(doc.text(), Catch::StartsWith(absl::StrCat(doc.ref().title(), "\n",
                                                        std::string(number), "\n")));
  // Deterministic: the same case and step give the same document.
  CHECK(ComposeDocument(kIssuer, c, step, number, name).SerializeAsString() ==
        doc.SerializeAsString());
}

// A case file kept as the service keeps it: each step numbered per kind and year, its document
// composed and listed in the case file.
struct CaseFile {
  v1::Case c;
  std::map<int, int64_t> sequences;
  std::map<v1::CaseAction, std::string> texts;  // the last document of each action

  v1::Document Act(const CaseStep& step) {
    c = Then(c, step);
    const v1::CaseStepRecord step_record = LastStep(c);
    const v1::DocumentKind kind = DocumentKindOf(step_record.action());
    const absl::StatusOr<std::string> number = FormatDocumentNumber(
        {.prefix = "金市监" + std::string(KindCharacter(kind)), .year = 2026,
         .sequence = ++sequences[kind]});
    REQUIRE(number.ok());
    const std::string name = absl::StrCat(c.name(), "/documents/", c.documents_size() + 1);
    v1::Document doc = ComposeDocument(kIssuer, c, step_record, *number, name);
    CheckWellFormed(doc, c, step_record, *number, name);
    c.mutable_history(c.history_size() - 1)->set_document_number(*number);
    *c.add_documents() = doc.ref();
    texts[step_record.action()] = doc.text();
    return doc;
  }
};

v1::Case NamedDraft(v1::PartyKind kind = v1::PARTY_KIND_ORGANISATION,
                    std::string name = kPartyName) {
  v1::Case c = Draft();
  c.set_party_kind(kind);
  c.set_party_name(std::move(name));
  return c;
}

SCENARIO("every step produces a document with a kind, the character of its number and a "
         "title") {
  GIVEN("every action") {
    THEN("each but UNSPECIFIED has all three") {
      for (int a = v1::CaseAction_MIN; a <= v1::CaseAction_MAX; ++a) {
        if (!v1::CaseAction_IsValid(a)) continue;
        const auto action = static_cast<v1::CaseAction>(a);
        INFO(v1::CaseAction_Name(action));
        if (action == v1::CASE_ACTION_UNSPECIFIED) {
          CHECK(DocumentKindOf(action) == v1::DOCUMENT_KIND_UNSPECIFIED);
          CHECK(DocumentTitle(action).empty());
          continue;
        }
        CHECK(DocumentKindOf(action) != v1::DOCUMENT_KIND_UNSPECIFIED);
        CHECK_FALSE(KindCharacter(DocumentKindOf(action)).empty());
        CHECK_FALSE(DocumentTitle(action).empty());
      }
    }
    THEN("the kinds are those of DocumentKind's comments") {
      CHECK(DocumentKindOf(v1::CASE_ACTION_FILE) == v1::DOCUMENT_KIND_FILING);
      CHECK(DocumentKindOf(v1::CASE_ACTION_RECORD_EVIDENCE) == v1::DOCUMENT_KIND_INVESTIGATION);
      CHECK(DocumentKindOf(v1::CASE_ACTION_END_TESTING) == v1::DOCUMENT_KIND_TESTING);
      CHECK(DocumentKindOf(v1::CASE_ACTION_RETURN_FOR_INVESTIGATION) ==
            v1::DOCUMENT_KIND_LEGAL_REVIEW);
      CHECK(DocumentKindOf(v1::CASE_ACTION_NOTICE) == v1::DOCUMENT_KIND_PENALTY_NOTICE);
      CHECK(DocumentKindOf(v1::CASE_ACTION_RECORD_STATEMENT) == v1::DOCUMENT_KIND_STATEMENT);
      CHECK(DocumentKindOf(v1::CASE_ACTION_HOLD_HEARING) == v1::DOCUMENT_KIND_HEARING);
      CHECK(DocumentKindOf(v1::CASE_ACTION_DECIDE) == v1::DOCUMENT_KIND_PENALTY_DECISION);
      CHECK(DocumentKindOf(v1::CASE_ACTION_SERVE) == v1::DOCUMENT_KIND_SERVICE);
      CHECK(DocumentKindOf(v1::CASE_ACTION_EXECUTE) == v1::DOCUMENT_KIND_EXECUTION);
      CHECK(DocumentKindOf(v1::CASE_ACTION_CLOSE) == v1::DOCUMENT_KIND_CLOSURE);
      CHECK(DocumentKindOf(v1::CASE_ACTION_ARCHIVE) == v1::DOCUMENT_KIND_ARCHIVE);
      CHECK(DocumentKindOf(v1::CASE_ACTION_RESUME) == v1::DOCUMENT_KIND_SUSPENSION);
      CHECK(DocumentKindOf(v1::CASE_ACTION_EXTEND) == v1::DOCUMENT_KIND_EXTENSION);
    }
    THEN("each kind has its own character: 罚 for the decision, 立 for the filing") {
      CHECK(KindCharacter(v1::DOCUMENT_KIND_PENALTY_DECISION) == "罚");
      CHECK(KindCharacter(v1::DOCUMENT_KIND_FILING) == "立");
      CHECK(KindCharacter(v1::DOCUMENT_KIND_ON_SPOT_DECISION) == "简");
      CHECK(KindCharacter(v1::DOCUMENT_KIND_UNSPECIFIED).empty());
      std::set<std::string> characters;
      int kinds = 0;
      for (int k = v1::DocumentKind_MIN; k <= v1::DocumentKind_MAX; ++k) {
        if (!v1::DocumentKind_IsValid(k) || k == v1::DOCUMENT_KIND_UNSPECIFIED) continue;
        ++kinds;
        characters.insert(std::string(KindCharacter(static_cast<v1::DocumentKind>(k))));
      }
      CHECK(characters.size() == static_cast<size_t>(kinds));
    }
    THEN("the titles: 行政处罚决定书, 行政处罚告知书, and three for the hearing") {
      CHECK(DocumentTitle(v1::CASE_ACTION_DECIDE) == "行政处罚决定书");
      CHECK(DocumentTitle(v1::CASE_ACTION_NOTICE) == "行政处罚告知书");
      CHECK(DocumentTitle(v1::CASE_ACTION_FILE) == "立案审批表");
      CHECK(DocumentTitle(v1::CASE_ACTION_SERVE) == "送达回证");
      CHECK(DocumentTitle(v1::CASE_ACTION_CLOSE) == "结案审批表");
      CHECK(DocumentTitle(v1::CASE_ACTION_SCHEDULE_HEARING) == "听证通知书");
      CHECK(std::set<std::string_view>{DocumentTitle(v1::CASE_ACTION_REQUEST_HEARING),
                                       DocumentTitle(v1::CASE_ACTION_SCHEDULE_HEARING),
                                       DocumentTitle(v1::CASE_ACTION_HOLD_HEARING)}
                .size() == 3);
    }
  }
}

SCENARIO("a case taken through every step has a well-formed document at each") {
  GIVEN("a case with testing, an extension, a suspension, a return from review, a hearing, "
        "the decision, its service and execution, closure and archiving") {
    CaseFile file{.c = NamedDraft()};
    file.Act(WithNote(Step(v1::CASE_ACTION_FILE, Day(2026, 3, 2)), "12315投诉举报线索核查属实"));
    file.Act(Step(v1::CASE_ACTION_START_INVESTIGATION, Day(2026, 3, 2)));
    file.Act(WithNote(Step(v1::CASE_ACTION_RECORD_EVIDENCE, Day(2026, 3, 3)),
                      "现场检查发现货架上陈列超过保质期的牛奶12盒\n已拍照取证"));
    file.Act(WithNote(Step(v1::CASE_ACTION_START_TESTING, Day(2026, 3, 4)),
                      "抽取样品3份送浙江省食品药品检验研究院"));
    file.Act(WithNote(Step(v1::CASE_ACTION_END_TESTING, Day(2026, 3, 20)), "检验结论：不合格"));
    file.Act(WithNote(Step(v1::CASE_ACTION_EXTEND, Day(2026, 3, 25)), "案情复杂"));
    file.Act(WithNote(Step(v1::CASE_ACTION_SUSPEND, Day(2026, 3, 26)), "等待公安机关的认定。"));
    file.Act(Step(v1::CASE_ACTION_RESUME, Day(2026, 4, 10)));
    file.Act(Step(v1::CASE_ACTION_SUBMIT_FOR_REVIEW, Day(2026, 4, 13)));
    file.Act(WithNote(Step(v1::CASE_ACTION_RETURN_FOR_INVESTIGATION, Day(2026, 4, 14)),
                      "进货来源证据不足"));
    file.Act(Step(v1::CASE_ACTION_SUBMIT_FOR_REVIEW, Day(2026, 4, 20)));
    CaseStep pass = Step(v1::CASE_ACTION_PASS_REVIEW, Day(2026, 4, 21), {});
    pass.actor.set_user_id("LEGAL-1");
    file.Act(pass);
    file.Act(WithPenalty(WithNote(Step(v1::CASE_ACTION_NOTICE, Day(2026, 4, 22)),
                                  "当事人销售超过保质期的食品"),
                         Fine(200000)));
    file.Act(WithNote(Step(v1::CASE_ACTION_RECORD_STATEMENT, Day(2026, 4, 23)),
                      "当事人称系店员疏忽"));
    file.Act(Step(v1::CASE_ACTION_REQUEST_HEARING, Day(2026, 4, 24)));
    const absl::CivilDay hearing = *HearingEarliestDate(Calendar(), Day(2026, 4, 27));
    CaseStep schedule = Step(v1::CASE_ACTION_SCHEDULE_HEARING, Day(2026, 4, 27));
    schedule.hearing_date = hearing;
    file.Act(WithNote(schedule, "金华市市场监督管理局听证室"));
    file.Act(WithNote(Step(v1::CASE_ACTION_HOLD_HEARING, hearing), "当事人对违法事实无异议"));
    file.Act(WithPenalty(WithNote(Step(v1::CASE_ACTION_DECIDE, Day(2026, 5, 11)),
                                  "当事人于2026年3月3日销售超过保质期的牛奶12盒"),
                         Fine(200000)));
    file.Act(WithNote(Step(v1::CASE_ACTION_SERVE, Day(2026, 5, 12)), "直接送达"));
    CaseStep execute = Step(v1::CASE_ACTION_EXECUTE, Day(2026, 5, 20));
    execute.paid_fen = 200000 * 100;
    file.Act(execute);
    file.Act(Step(v1::CASE_ACTION_CLOSE, Day(2026, 5, 21)));
    file.Act(Step(v1::CASE_ACTION_ARCHIVE, Day(2026, 5, 22)));

    THEN("every action but UNSPECIFIED produced a document (each checked as it was made)") {
      CHECK(file.texts.size() == static_cast<size_t>(v1::CaseAction_MAX));
      CHECK(file.c.documents_size() == file.c.history_size());
    }
    THEN("the hearing fell on Saturday 9 May 2026, a make-up working day") {
      CHECK(hearing == Day(2026, 5, 9));
    }
    THEN("the filing names the party, the 90 days and the officers") {
      const std::string& text = file.texts[v1::CASE_ACTION_FILE];
      CHECK_THAT(text, Contains(kPartyName));
      CHECK_THAT(text, Contains(kUscc));
      CHECK_THAT(text, Contains("ITEM-1"));
      CHECK_THAT(text, Contains("第六十条"));
      CHECK_THAT(text, Contains("OFF-1、OFF-2"));
      CHECK_THAT(text, Contains("12315投诉举报线索核查属实"));
    }
    THEN("a note's line break does not break the canonical line") {
      CHECK_THAT(file.texts[v1::CASE_ACTION_RECORD_EVIDENCE],
                 Contains("牛奶12盒 已拍照取证"));
    }
    THEN("the testing result counts the days not counted") {
      CHECK_THAT(file.texts[v1::CASE_ACTION_END_TESTING],
                 Contains("自二〇二六年三月四日至二〇二六年三月二十日，共16日"));
    }
    THEN("the suspension gives its reason, and the resumption the days suspended") {
      CHECK_THAT(file.texts[v1::CASE_ACTION_SUSPEND], Contains("因等待公安机关的认定，决定自"));
      CHECK_THAT(file.texts[v1::CASE_ACTION_RESUME],
                 Contains("自二〇二六年三月二十六日至二〇二六年四月十日，共15日"));
    }
    THEN("the extension gives the 30 days and the new due date") {
      CHECK_THAT(file.texts[v1::CASE_ACTION_EXTEND], Contains("延长三十日"));
    }
    THEN("the notice of a 200,000-yuan fine offers the hearing (第六十三条、第六十四条)") {
      const std::string& text = file.texts[v1::CASE_ACTION_NOTICE];
      CHECK_THAT(text, Contains("200000元"));
      CHECK_THAT(text, Contains("听证"));
      CHECK_THAT(text, Contains("第六十三条、第六十四条"));
      CHECK_THAT(text, Contains("你单位"));
    }
    THEN("the hearing notice names its day and the party's rights there") {
      const std::string& text = file.texts[v1::CASE_ACTION_SCHEDULE_HEARING];
      CHECK_THAT(text, Contains("二〇二六年五月九日"));
      CHECK_THAT(text, Contains("回避"));
      CHECK_THAT(text, Contains("一至二人代理"));
      CHECK_THAT(text, Contains("金华市市场监督管理局听证室"));
    }
    THEN("the decision recounts the hearing") {
      CHECK_THAT(file.texts[v1::CASE_ACTION_DECIDE],
                 Contains("本机关于二〇二六年五月九日依法举行了听证"));
    }
    THEN("the service names the decision's number and the last day to pay") {
      const std::string& text = file.texts[v1::CASE_ACTION_SERVE];
      CHECK_THAT(text, Contains("行政处罚决定书（金市监罚〔2026〕1号）"));
      CHECK_THAT(text, Contains(ChineseDate(PaymentDueDate(Day(2026, 5, 12)))));
    }
    THEN("the execution records the fine paid") {
      CHECK_THAT(file.texts[v1::CASE_ACTION_EXECUTE], Contains("实缴罚款200000元"));
    }
    THEN("the closure names its reason and every period not counted") {
      const std::string& text = file.texts[v1::CASE_ACTION_CLOSE];
      CHECK_THAT(text, Contains("结案理由：执行完毕。"));
      CHECK_THAT(text, Contains("中止调查"));
      CHECK_THAT(text, Contains("检测、检验、检疫、鉴定"));
      CHECK_THAT(text, Contains("听证（"));
    }
    THEN("the archive lists the case file") {
      const std::string& text = file.texts[v1::CASE_ACTION_ARCHIVE];
      CHECK_THAT(text, Contains("共21份"));
      CHECK_THAT(text, Contains("1.立案审批表（金市监立〔2026〕1号）"));
      CHECK_THAT(text, Contains("行政处罚决定书（金市监罚〔2026〕1号）"));
    }
  }
}

SCENARIO("the decision (行政处罚决定书) says what 第五十九条 asks, with payment and remedies") {
  GIVEN("a 5,000-yuan fine decided after the party waived its rights") {
    v1::Case c = Noticed(Day(2026, 3, 2), Day(2026, 4, 1));
    c.set_party_name(kPartyName);
    CaseStep statement = Step(v1::CASE_ACTION_RECORD_STATEMENT, Day(2026, 4, 2));
    statement.waives_rights = true;
    c = Then(c, statement);
    c = Then(c, WithPenalty(WithNote(Step(v1::CASE_ACTION_DECIDE, Day(2026, 4, 2)),
                                     "当事人销售超过保质期的食品"),
                            Fine(5000)));
    const v1::Document doc =
        ComposeDocument(kIssuer, c, LastStep(c), "金市监罚〔2026〕12号", "cases/c/documents/5");
    const std::string& text = doc.text();
    INFO(text);
    THEN("it names the party, the number, the facts, the basis and the fine in yuan") {
      CHECK(doc.ref().kind() == v1::DOCUMENT_KIND_PENALTY_DECISION);
      CHECK(doc.ref().title() == "行政处罚决定书");
      CHECK_THAT(text, Contains(kPartyName));
      CHECK_THAT(text, Contains("金市监罚〔2026〕12号"));
      CHECK_THAT(text, Contains("当事人销售超过保质期的食品"));
      CHECK_THAT(text, Contains(kBasis));
      CHECK_THAT(text, Contains("罚款5000元"));
      CHECK_THAT(text, Contains("书面放弃陈述、申辩和要求听证的权利"));
    }
    THEN("payment within 15 days (第六十七条) and 3 % a day when late (第七十二条)") {
      CHECK_THAT(text, Contains("十五日"));
      CHECK_THAT(text, Contains("第六十七条"));
      CHECK_THAT(text, Contains("百分之三"));
      CHECK_THAT(text, Contains("第七十二条"));
    }
    THEN("the remedies: review within 60 days, a lawsuit within 6 months") {
      CHECK_THAT(text, Contains("六十日内依法申请行政复议"));
      CHECK_THAT(text, Contains("六个月内依法向人民法院提起行政诉讼"));
    }
    THEN("it is signed by the department on the day, in Chinese") {
      CHECK_THAT(text, Catch::EndsWith("金华市市场监督管理局\n二〇二六年四月二日\n"));
    }
  }
  GIVEN("a warning only") {
    v1::Case c = Investigating(Day(2026, 3, 2));
    c.set_party_name(kPartyName);
    c = Then(c, WithPenalty(Step(v1::CASE_ACTION_NOTICE, Day(2026, 3, 10)), Warning()));
    c = Then(c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 3, 20)), Warning()));
    const std::string text =
        ComposeDocument(kIssuer, c, LastStep(c), "金市监罚〔2026〕13号", "n").text();
    THEN("there is no payment paragraph, but the remedies are there") {
      CHECK_THAT(text, Contains("警告"));
      CHECK_FALSE(Has(text, "百分之三"));
      CHECK_FALSE(Has(text, "依据有关法律、法规、规章的规定的规定"));
      CHECK_THAT(text, Contains("依据有关法律、法规、规章的规定"));
      CHECK_THAT(text, Contains("行政复议"));
      CHECK_THAT(text, Contains("未提出陈述、申辩意见"));
    }
  }
}

SCENARIO("the notice (行政处罚告知书) tells the party its rights (第四十四条、第四十五条)") {
  GIVEN("a notice of a 5,000-yuan fine on an organisation") {
    v1::Case c = Noticed(Day(2026, 3, 2), Day(2026, 4, 1));
    c.set_party_name(kPartyName);
    const std::string text =
        ComposeDocument(kIssuer, c, LastStep(c), "金市监告〔2026〕3号", "n").text();
    INFO(text);
    THEN("it proposes the fine and tells the right to state and defend, and its period") {
      CHECK_THAT(text, Contains("拟对你单位作出如下行政处罚：罚款5000元"));
      CHECK_THAT(text, Contains("陈述"));
      CHECK_THAT(text, Contains("申辩"));
      CHECK_THAT(text, Contains("第四十四条、第四十五条"));
      CHECK_THAT(text, Contains("五个工作日"));
      CHECK_THAT(text, Contains("不因你单位陈述、申辩而给予更重的处罚"));
    }
    THEN("a fine that small on an organisation carries no hearing right") {
      CHECK_FALSE(Has(text, "听证"));
    }
  }
  GIVEN("heavier penalties") {
    const auto notice_of = [](v1::PartyKind kind, const v1::Penalty& penalty) {
      v1::Case c = Investigating(Day(2026, 3, 2));
      c.set_party_kind(kind);
      c.set_party_name("张三丰");
      c = Then(c, WithPenalty(Step(v1::CASE_ACTION_NOTICE, Day(2026, 3, 10)), penalty));
      return ComposeDocument(kIssuer, c, LastStep(c), "金市监告〔2026〕4号", "n").text();
    };
    THEN("a 10,000-yuan fine on a citizen offers a hearing within 5 working days") {
      const std::string text = notice_of(v1::PARTY_KIND_CITIZEN, Fine(10000));
      CHECK_THAT(text, Contains("你有权要求听证"));
      CHECK_THAT(text, Contains("第六十三条、第六十四条"));
    }
    THEN("9,999 yuan on a citizen does not") {
      CHECK_FALSE(Has(notice_of(v1::PARTY_KIND_CITIZEN, Fine(9999)), "听证"));
    }
    THEN("revoking a licence does, whatever the fine") {
      v1::Penalty penalty = Warning();
      penalty.add_kinds(v1::PENALTY_KIND_LICENCE_REVOCATION);
      penalty.set_legal_basis(kBasis);
      const std::string text = notice_of(v1::PARTY_KIND_ORGANISATION, penalty);
      CHECK_THAT(text, Contains("警告；吊销许可证件"));
      CHECK_THAT(text, Contains("听证"));
    }
  }
}

SCENARIO("the penalty kinds are written by their names in 第九条") {
  v1::Penalty penalty;
  for (int k = v1::PENALTY_KIND_WARNING; k <= v1::PENALTY_KIND_PRODUCTION_SUSPENSION; ++k) {
    penalty.add_kinds(static_cast<v1::PenaltyKind>(k));
  }
  penalty.mutable_fine()->set_fen(300000);
  penalty.mutable_confiscated()->set_fen(120050);
  v1::Case c = Investigating(Day(2026, 3, 2));
  c.set_party_name(kPartyName);
  c = Then(c, WithPenalty(Step(v1::CASE_ACTION_NOTICE, Day(2026, 3, 10)), penalty));
  const std::string text =
      ComposeDocument(kIssuer, c, LastStep(c), "金市监告〔2026〕5号", "n").text();
  THEN("each appears, the amounts in yuan") {
    CHECK_THAT(text, Contains("警告；通报批评；罚款3000元；"
                              "没收违法所得、没收非法财物（计1200.5元）；"
                              "暂扣许可证件、降低资质等级；吊销许可证件；"
                              "限制开展生产经营活动、责令停产停业"));
  }
}

SCENARIO("the canonical text is title, number, paragraphs and closing, one per line") {
  GIVEN("a document") {
    v1::Document doc;
    doc.mutable_ref()->set_title("行政处罚决定书");
    doc.mutable_ref()->set_number("金市监罚〔2026〕12号");
    doc.add_paragraphs("甲");
    doc.add_paragraphs("乙");
    doc.add_closing("金华市市场监督管理局");
    doc.add_closing("二〇二六年十二月三日");
    THEN("each is a \\n-terminated line") {
      CHECK(CanonicalText(doc) ==
            "行政处罚决定书\n金市监罚〔2026〕12号\n甲\n乙\n"
            "金华市市场监督管理局\n二〇二六年十二月三日\n");
    }
  }
}

SCENARIO("dates are written as Chinese documents write them") {
  CHECK(ChineseDate(Day(2026, 12, 3)) == "二〇二六年十二月三日");
  CHECK(ChineseDate(Day(2026, 10, 21)) == "二〇二六年十月二十一日");
  CHECK(ChineseDate(Day(2026, 1, 10)) == "二〇二六年一月十日");
  CHECK(ChineseDate(Day(2026, 11, 30)) == "二〇二六年十一月三十日");
  CHECK(ChineseDate(Day(2025, 2, 20)) == "二〇二五年二月二十日");
  CHECK(ChineseDate(Day(2031, 12, 31)) == "二〇三一年十二月三十一日");
  CHECK(ChineseDate(Day(2000, 5, 15)) == "二〇〇〇年五月十五日");
}

SCENARIO("amounts in fen are written in yuan, without floating point") {
  CHECK(YuanText(300000) == "3000元");
  CHECK(YuanText(20050) == "200.5元");
  CHECK(YuanText(20005) == "200.05元");
  CHECK(YuanText(1) == "0.01元");
  CHECK(YuanText(10) == "0.1元");
  CHECK(YuanText(0) == "0元");
  CHECK(YuanText(-20050) == "-200.5元");
  CHECK(YuanText(123456789) == "1234567.89元");
  CHECK(YuanText(INT64_MAX) == "92233720368547758.07元");
  CHECK(YuanText(INT64_MIN) == "-92233720368547758.08元");
}

SCENARIO("a citizen's name and code are masked in public (个人信息保护法)") {
  CHECK(MaskPersonName("张三丰") == "张**");
  CHECK(MaskPersonName("欧阳娜娜") == "欧***");
  CHECK(MaskPersonName("李") == "李");
  CHECK(MaskPersonName("") == "");
  CHECK(MaskPersonName("Ann") == "A**");
  CHECK(MaskUscc("92330702MA2EC8CX3X") == "92330702********3X");
  CHECK(MaskUscc("1234567890") == "1234567890");
  CHECK(MaskUscc("") == "");

  GIVEN("a decided case") {
    v1::Case c = Noticed(Day(2026, 3, 2), Day(2026, 4, 1));
    CaseStep statement = Step(v1::CASE_ACTION_RECORD_STATEMENT, Day(2026, 4, 2));
    statement.waives_rights = true;
    c = Then(c, statement);
    c = Then(c, WithPenalty(Step(v1::CASE_ACTION_DECIDE, Day(2026, 4, 2)), Fine(5000)));
    WHEN("the party is an organisation") {
      c.set_party_name(kPartyName);
      const v1::PublicDecision shown = PublicDecisionOf(c, "金市监罚〔2026〕12号");
      THEN("it is shown as is, with the decision") {
        CHECK(shown.party_name() == kPartyName);
        CHECK(shown.uscc() == kUscc);
        CHECK(shown.document_number() == "金市监罚〔2026〕12号");
        CHECK(shown.department().code() == kScjg);
        REQUIRE(shown.kinds_size() == 1);
        CHECK(shown.kinds(0) == v1::PENALTY_KIND_FINE);
        CHECK(shown.fine().fen() == 500000);
        CHECK(shown.legal_basis() == kBasis);
        CHECK(DayOf(shown.decided_date()) == Day(2026, 4, 2));
        CHECK(shown.procedure() == v1::PROCEDURE_GENERAL);
      }
    }
    WHEN("the party is a citizen") {
      c.set_party_kind(v1::PARTY_KIND_CITIZEN);
      c.set_party_name("张三丰");
      const v1::PublicDecision shown = PublicDecisionOf(c, "金市监罚〔2026〕12号");
      THEN("name and code are masked") {
        CHECK(shown.party_name() == "张**");
        CHECK(shown.uscc() == "91110000********1L");
        CHECK(shown.fine().fen() == 500000);
      }
    }
  }
}

SCENARIO("an on-site decision (当场行政处罚决定书) and its public view") {
  v1::OnSpotDecision decision;
  decision.set_name("decisions/d-1");
  decision.set_uscc("92330702MA2EC8CX3X");
  decision.set_party_name("王小二");
  decision.set_party_kind(v1::PARTY_KIND_CITIZEN);
  decision.mutable_department()->set_code(kScjg);
  *decision.mutable_penalty() = Fine(200);
  decision.set_facts("当事人未按规定公示营业执照");
  decision.add_officer_ids("OFF-1");
  decision.add_officer_ids("OFF-2");
  *decision.mutable_decided_date() = DateOf(Day(2026, 6, 8));
  decision.mutable_document()->set_number("金市监简〔2026〕7号");

  GIVEN("its document") {
    const v1::Document doc = ComposeOnSpotDocument(kIssuer, decision, "金市监简〔2026〕7号",
                                                   "decisions/d-1/documents/1");
    const std::string& text = doc.text();
    INFO(text);
    THEN("it is the summary procedure's decision, with facts, fine, payment and remedies") {
      CHECK(doc.ref().kind() == v1::DOCUMENT_KIND_ON_SPOT_DECISION);
      CHECK(doc.ref().title() == "当场行政处罚决定书");
      CHECK(doc.ref().name() == "decisions/d-1/documents/1");
      CHECK(doc.text() == CanonicalText(doc));
      CHECK_THAT(text, Catch::StartsWith("当场行政处罚决定书\n金市监简〔2026〕7号\n"));
      CHECK_THAT(text, Contains("王小二"));
      CHECK_THAT(text, Contains("当事人未按规定公示营业执照"));
      CHECK_THAT(text, Contains("第五十一条"));
      CHECK_THAT(text, Contains("罚款200元"));
      CHECK_THAT(text, Contains("十五日"));
      CHECK_THAT(text, Contains("百分之三"));
      CHECK_THAT(text, Contains("OFF-1、OFF-2"));
      CHECK_THAT(text, Catch::EndsWith("二〇二六年六月八日\n"));
      CHECK(doc.paragraphs_size() >= 3);
      CHECK(doc.paragraphs_size() <= 8);
    }
  }
  GIVEN("its public view") {
    const v1::PublicDecision shown = PublicDecisionOf(decision);
    THEN("summary procedure, its document's number, the citizen masked") {
      CHECK(shown.procedure() == v1::PROCEDURE_SUMMARY);
      CHECK(shown.document_number() == "金市监简〔2026〕7号");
      CHECK(shown.party_name() == "王**");
      CHECK(shown.uscc() == "92330702********3X");
      CHECK(shown.fine().fen() == 20000);
      CHECK(DayOf(shown.decided_date()) == Day(2026, 6, 8));
    }
    THEN("an organisation is shown as is") {
      decision.set_party_kind(v1::PARTY_KIND_ORGANISATION);
      decision.set_party_name(kPartyName);
      CHECK(PublicDecisionOf(decision).party_name() == kPartyName);
      CHECK(PublicDecisionOf(decision).uscc() == "92330702MA2EC8CX3X");
    }
  }
}

}  // namespace
}  // namespace jianguan::cases
