#include "services/cases/domain/documents.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/civil_date.h"
#include "libs/core/string_view_compat.h"
#include "libs/core/text_checks.h"
#include "services/cases/domain/deadlines.h"

namespace jianguan::cases {
namespace {

using Paragraphs = std::vector<std::string>;

// The law the documents cite most, by its full name as documents write it.
constexpr char kLaw[] = "《中华人民共和国行政处罚法》";

// 较大数额罚款 (行政处罚法 第六十三条第一款第一项), as the market regulation hearing rules set
// it (市场监督管理行政处罚听证办法: 对自然人一万元以上、对法人或者其他组织十万元以上; the same
// amounts for confiscation). A province may set lower amounts; the party may ask for a hearing
// on the other kinds of 第六十三条 whatever the amount.
constexpr int64_t kHearingAmountCitizenFen = 10'000 * 100;
constexpr int64_t kHearingAmountOrganisationFen = 100'000 * 100;

// ---------------------------------------------------------------------------------------
// Text helpers.

// The UTF-8 code points of `text` as slices (a stray continuation byte joins the one before).
std::vector<std::string_view> CodePoints(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      out.push_back(text.substr(start, i - start));
      start = i;
    }
  }
  return out;
}

// A free text (a note, the facts) inside one paragraph: the canonical text has one paragraph
// per line, so line breaks become spaces.
std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out.push_back(' ');
    } else if (text[i] == '\n') {
      out.push_back(' ');
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// `text` on one line, ending with a full stop unless it already ends a sentence.
std::string Sentence(std::string_view text) {
  std::string out = OneLine(text);
  for (std::string_view end : {"。", "！", "？", "；", ".", "!", "?"}) {
    if (EndsWith(out, end)) return out;
  }
  return out + "。";
}

// `text` on one line without a final full stop, to go inside a sentence ("因…，决定…").
std::string Clause(std::string_view text) {
  std::string out = OneLine(text);
  for (std::string_view end : {"。", "；", "."}) {
    if (EndsWith(out, end)) out.resize(out.size() - end.size());
  }
  return out;
}

std::string DateText(const common::v1::Date& date) { return ChineseDate(DayOf(date)); }

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& items) {
  return absl::StrJoin(items, "、");
}

// Chinese numerals of 1–99 as dates write them: 三, 十, 十二, 二十一.
std::string SmallNumber(int n) {
  static constexpr const char* kDigits[] = {"〇", "一", "二", "三", "四",
                                            "五", "六", "七", "八", "九"};
  if (n < 10) return kDigits[n];
  std::string out = n >= 20 ? std::string(kDigits[n / 10]) : std::string();
  out += "十";
  if (n % 10 != 0) out += kDigits[n % 10];
  return out;
}

// ---------------------------------------------------------------------------------------
// The case's data in words.

std::string_view PartyKindText(v1::PartyKind kind) {
  switch (kind) {
    case v1::PARTY_KIND_CITIZEN: return "公民";
    case v1::PARTY_KIND_ORGANISATION: return "法人或者其他组织";
    default: return "";
  }
}

// How a notice addresses the party.
std::string_view You(v1::PartyKind kind) {
  switch (kind) {
    case v1::PARTY_KIND_CITIZEN: return "你";
    case v1::PARTY_KIND_ORGANISATION: return "你单位";
    default: return "你（单位）";
  }
}

// "当事人：某某有限公司（法人或者其他组织），统一社会信用代码：91…。"
std::string PartyLine(std::string_view name, std::string_view uscc, v1::PartyKind kind) {
  std::string line = absl::StrCat("当事人：", AbslView(OneLine(name)));
  if (std::string_view k = PartyKindText(kind); !k.empty()) {
    absl::StrAppend(&line, "（", AbslView(k), "）");
  }
  if (!uscc.empty()) absl::StrAppend(&line, "，统一社会信用代码：", AbslView(uscc));
  return line + "。";
}

// The addressee of a notice: "某某有限公司（统一社会信用代码：91…）：".
std::string Addressee(std::string_view name, std::string_view uscc) {
  std::string line(OneLine(name));
  if (!uscc.empty()) absl::StrAppend(&line, "（统一社会信用代码：", AbslView(uscc), "）");
  return line + "：";
}

std::string PartyLine(const v1::Case& c) {
  return PartyLine(c.party_name(), c.uscc(), c.party_kind());
}

std::string Addressee(const v1::Case& c) { return Addressee(c.party_name(), c.uscc()); }

std::string_view PenaltyKindName(int kind) {
  switch (kind) {
    case v1::PENALTY_KIND_WARNING: return "警告";
    case v1::PENALTY_KIND_NOTICE_OF_CRITICISM: return "通报批评";
    case v1::PENALTY_KIND_FINE: return "罚款";
    case v1::PENALTY_KIND_CONFISCATION: return "没收违法所得、没收非法财物";
    case v1::PENALTY_KIND_LICENCE_SUSPENSION: return "暂扣许可证件、降低资质等级";
    case v1::PENALTY_KIND_LICENCE_REVOCATION: return "吊销许可证件";
    case v1::PENALTY_KIND_PRODUCTION_SUSPENSION: return "限制开展生产经营活动、责令停产停业";
    default: return "其他行政处罚";
  }
}

// "警告；罚款5000元；没收违法所得、没收非法财物（计1200元）".
std::string PenaltyText(const v1::Penalty& penalty) {
  std::vector<std::string> parts;
  for (int kind : penalty.kinds()) {
    std::string part(PenaltyKindName(kind));
    if (kind == v1::PENALTY_KIND_FINE) {
      absl::StrAppend(&part, YuanText(penalty.fine().fen()));
    } else if (kind == v1::PENALTY_KIND_CONFISCATION && penalty.confiscated().fen() > 0) {
      absl::StrAppend(&part, "（计", YuanText(penalty.confiscated().fen()), "）");
    }
    parts.push_back(std::move(part));
  }
  if (parts.empty()) return "（未载明处罚种类）";
  return absl::StrJoin(parts, "；");
}

// What follows "依据": the legal basis and "的规定", or the general words when none is given.
std::string BasisText(const v1::Penalty& penalty) {
  if (penalty.legal_basis().empty()) return "有关法律、法规、规章的规定";
  return absl::StrCat(OneLine(penalty.legal_basis()), "的规定");
}

bool HasKind(const v1::Penalty& penalty, v1::PenaltyKind kind) {
  for (int k : penalty.kinds()) {
    if (k == kind) return true;
  }
  return false;
}

// 行政处罚法 第六十三条: the party may ask for a hearing on a large fine or confiscation, a
// lowered qualification or revoked licence, or stopped production and business. An unknown
// party kind gets the lower amount: a right not told is the worse error.
bool HearingRight(const v1::Penalty& penalty, v1::PartyKind party_kind) {
  if (HasKind(penalty, v1::PENALTY_KIND_LICENCE_SUSPENSION) ||
      HasKind(penalty, v1::PENALTY_KIND_LICENCE_REVOCATION) ||
      HasKind(penalty, v1::PENALTY_KIND_PRODUCTION_SUSPENSION)) {
    return true;
  }
  const int64_t large = party_kind == v1::PARTY_KIND_ORGANISATION
                            ? kHearingAmountOrganisationFen
                            : kHearingAmountCitizenFen;
  return penalty.fine().fen() >= large || penalty.confiscated().fen() >= large;
}

std::string_view PauseReasonText(v1::PauseReason reason) {
  switch (reason) {
    case v1::PAUSE_REASON_SUSPENSION: return "中止调查";
    case v1::PAUSE_REASON_TESTING: return "检测、检验、检疫、鉴定";
    case v1::PAUSE_REASON_HEARING: return "听证";
    default: return "其他";
  }
}

// "自二〇二六年三月二日至二〇二六年三月十日，共8日" (the end day not counted), or
// "自二〇二六年三月二日起" while it goes on.
std::string PauseSpan(const v1::ClockPause& pause) {
  if (!pause.has_end_date()) return absl::StrCat("自", DateText(pause.start_date()), "起");
  const int64_t days = DayOf(pause.end_date()) - DayOf(pause.start_date());
  return absl::StrCat("自", DateText(pause.start_date()), "至", DateText(pause.end_date()),
                      "，共", days, "日");
}

// The last pause of `reason`, or nullptr.
const v1::ClockPause* LastPause(const v1::Case& c, v1::PauseReason reason) {
  const v1::ClockPause* found = nullptr;
  for (const v1::ClockPause& pause : c.paused_periods()) {
    if (pause.reason() == reason) found = &pause;
  }
  return found;
}

// The paragraph on the last pause of `reason`, or `otherwise` when the case has none.
std::string PauseParagraph(const v1::Case& c, v1::PauseReason reason, std::string_view what,
                           std::string_view otherwise) {
  const v1::ClockPause* pause = LastPause(c, reason);
  if (pause == nullptr) return std::string(otherwise);
  return absl::StrCat(AbslView(what), "期间", PauseSpan(*pause), "，不计入办案期限。");
}

// The number of the penalty decision (行政处罚决定书) in the case file, or empty.
std::string DecisionNumber(const v1::Case& c) {
  for (int i = c.documents_size() - 1; i >= 0; --i) {
    if (c.documents(i).kind() == v1::DOCUMENT_KIND_PENALTY_DECISION) {
      return c.documents(i).number();
    }
  }
  for (int i = c.history_size() - 1; i >= 0; --i) {
    if (c.history(i).action() == v1::CASE_ACTION_DECIDE) return c.history(i).document_number();
  }
  return "";
}

std::string DecisionTitleWithNumber(const v1::Case& c) {
  const std::string number = DecisionNumber(c);
  if (number.empty()) return "行政处罚决定书";
  return absl::StrCat("行政处罚决定书（", number, "）");
}

// Adds "label{officers}。" when the step names officers.
void AddOfficers(Paragraphs& out, const v1::CaseStepRecord& step,
                 std::string_view label = "执法人员：") {
  if (step.officer_ids().empty()) return;
  out.push_back(absl::StrCat(AbslView(label), Joined(step.officer_ids()), "。"));
}

// Adds "label{note}" when the step carries a note.
void AddNote(Paragraphs& out, const v1::CaseStepRecord& step, std::string_view label) {
  if (step.note().empty()) return;
  out.push_back(absl::StrCat(AbslView(label), Sentence(step.note())));
}

// 行政处罚法 第六十七条、第七十二条: payment within 15 days, 3 % a day when late.
std::string PaymentParagraph() {
  return absl::StrCat(
      "当事人应当自收到本决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款（", kLaw,
      "第六十七条）。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，"
      "加处罚款的数额不超出罚款的数额（第七十二条）。");
}

// 行政复议法 (60 days), 行政诉讼法 第四十六条 (6 months), 行政处罚法 第七十三条.
std::string RemediesParagraph() {
  return absl::StrCat(
      "当事人对本决定不服的，可以自收到本决定书之日起六十日内依法申请行政复议，也可以自收到本决定书"
      "之日起六个月内依法向人民法院提起行政诉讼。行政复议或者行政诉讼期间，本决定不停止执行，"
      "法律另有规定的除外（", kLaw, "第七十三条）。逾期不申请行政复议、不提起行政诉讼又不履行"
      "本决定的，本机关将依法申请人民法院强制执行。");
}

// ---------------------------------------------------------------------------------------
// The body of each document.

Paragraphs FilingText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  std::string source = absl::StrCat("案源：", c.lead().empty() ? "（未载明）" : c.lead(), "。");
  if (!c.item_codes().empty()) {
    absl::StrAppend(&source, "涉及监管事项：", Joined(c.item_codes()), "。");
  }
  out.push_back(std::move(source));
  out.push_back(
      "经核查，有证据初步证明当事人存在违反法律、法规、规章的行为，依法应当给予行政处罚，属于本机关"
      "管辖，且在给予行政处罚的法定期限内，符合立案条件。");
  AddNote(out, step, "立案理由及说明：");
  out.push_back(absl::StrCat("立案日期：", DateText(step.date()),
                             "。本案应当自立案之日起九十日内作出行政处罚决定（", kLaw,
                             "第六十条）。"));
  if (c.legal_review_required()) {
    out.push_back(absl::StrCat("本案作出处理决定前应当进行法制审核（", kLaw, "第五十八条）。"));
  }
  AddOfficers(out, step, "承办人员：");
  return out;
}

Paragraphs StartInvestigationText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  std::string started = absl::StrCat("本案于", DateText(c.filed_date()), "立案。",
                                     DateText(step.date()), "，执法人员");
  if (!step.officer_ids().empty()) absl::StrAppend(&started, Joined(step.officer_ids()));
  out.push_back(started + "开始调查取证。");
  out.push_back(absl::StrCat(
      "执法人员不少于两人，调查时主动向当事人或者有关人员出示执法证件（", kLaw,
      "第四十二条、第五十五条）；当事人或者有关人员应当如实回答询问，并协助调查或者检查，"
      "不得拒绝或者阻挠。"));
  AddNote(out, step, "调查事项：");
  return out;
}

Paragraphs RecordEvidenceText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  std::string when = absl::StrCat("调查取证日期：", DateText(step.date()), "。");
  if (!step.officer_ids().empty()) {
    absl::StrAppend(&when, "执法人员：", Joined(step.officer_ids()), "。");
  }
  out.push_back(std::move(when));
  out.push_back(absl::StrCat("调查取证情况：",
                             step.note().empty() ? "未记载。" : Sentence(step.note())));
  out.push_back(absl::StrCat("本次调查取证依照", kLaw,
                             "第五十四条、第五十五条进行，全面、客观、公正地收集证据，"
                             "执法人员不少于两人（第四十二条）。"));
  return out;
}

Paragraphs StartTestingText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  std::string sampled = absl::StrCat(DateText(step.date()), "，执法人员");
  if (!step.officer_ids().empty()) absl::StrAppend(&sampled, Joined(step.officer_ids()));
  absl::StrAppend(&sampled, "依法抽取样品送检");
  absl::StrAppend(&sampled, step.note().empty() ? std::string("。")
                                                : absl::StrCat("：", Sentence(step.note())));
  out.push_back(std::move(sampled));
  out.push_back(absl::StrCat(
      "依照《市场监督管理行政处罚程序规定》，检测、检验、检疫、鉴定等期间不计入办案期限，自",
      DateText(step.date()), "起暂停计算。"));
  return out;
}

Paragraphs EndTestingText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  out.push_back(absl::StrCat(DateText(step.date()), "，本机关收到检测、检验结果。"));
  AddNote(out, step, "检测、检验结果：");
  out.push_back(PauseParagraph(c, v1::PAUSE_REASON_TESTING, "检测、检验",
                               "检测、检验期间不计入办案期限。"));
  AddOfficers(out, step);
  return out;
}

Paragraphs SubmitForReviewText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  std::string submitted = absl::StrCat(DateText(step.date()), "，承办人员");
  if (!step.officer_ids().empty()) absl::StrAppend(&submitted, Joined(step.officer_ids()));
  out.push_back(submitted + "将本案提交法制审核。");
  if (c.has_proposed_penalty()) {
    out.push_back(absl::StrCat("拟作出的行政处罚：", PenaltyText(c.proposed_penalty()), "。"));
  }
  AddNote(out, step, "送审意见：");
  out.push_back(absl::StrCat("依照", kLaw,
                             "第五十八条，本案在作出行政处罚决定之前，由从事行政处罚决定"
                             "法制审核的人员进行法制审核；未经法制审核或者审核未通过的，"
                             "不得作出决定。"));
  return out;
}

Paragraphs PassReviewText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  const std::string& reviewer =
      c.reviewer_id().empty() ? step.actor().user_id() : c.reviewer_id();
  out.push_back(absl::StrCat("法制审核人员：", reviewer.empty() ? "（未载明）" : reviewer,
                             "；审核日期：", DateText(step.date()), "。"));
  out.push_back(absl::StrCat("审核结论：审核通过（", kLaw, "第五十八条）。"));
  AddNote(out, step, "审核意见：");
  return out;
}

Paragraphs ReturnForInvestigationText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  out.push_back(absl::StrCat(DateText(step.date()), "，经法制审核，本案退回承办人员补充调查。"));
  out.push_back(
      absl::StrCat("退回理由：", step.note().empty() ? "未载明。" : Sentence(step.note())));
  out.push_back(absl::StrCat("补充调查后，应当重新提交法制审核（", kLaw, "第五十八条）。"));
  return out;
}

Paragraphs NoticeText(const v1::Case& c, const v1::CaseStepRecord& step) {
  const std::string you(You(c.party_kind()));
  const v1::Penalty& proposed = c.proposed_penalty();
  Paragraphs out{Addressee(c)};
  std::string facts = absl::StrCat("本机关于", DateText(c.filed_date()), "对", you,
                                   "涉嫌违法一案立案调查，现已调查终结。");
  if (!step.note().empty()) absl::StrAppend(&facts, "经查：", Sentence(step.note()));
  out.push_back(std::move(facts));
  out.push_back(absl::StrCat("依据", BasisText(proposed), "，本机关拟对", you,
                             "作出如下行政处罚：", PenaltyText(proposed), "。"));
  out.push_back(absl::StrCat(
      "根据", kLaw, "第四十四条、第四十五条的规定，", you, "有权进行陈述和申辩。", you,
      "可以自收到本告知书之日起五个工作日内向本机关提出陈述、申辩意见，逾期未提出的，"
      "视为放弃此权利。本机关不因", you, "陈述、申辩而给予更重的处罚。"));
  if (HearingRight(proposed, c.party_kind())) {
    out.push_back(absl::StrCat(
        "根据", kLaw, "第六十三条、第六十四条的规定，", you,
        "有权要求听证。要求听证的，应当自收到本告知书之日起五个工作日内向本机关提出；逾期未提出的，"
        "视为放弃听证权利。"));
  }
  AddOfficers(out, step, "承办人员：");
  return out;
}

Paragraphs RecordStatementText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  out.push_back(absl::StrCat(DateText(step.date()), "，当事人就本机关于",
                             DateText(c.notice_served_date()),
                             "送达的行政处罚告知书进行陈述、申辩。"));
  out.push_back(absl::StrCat("陈述、申辩内容：",
                             step.note().empty() ? "未记载。" : Sentence(step.note())));
  if (c.rights_waived()) out.push_back("当事人书面表示放弃陈述、申辩和要求听证的权利。");
  out.push_back(absl::StrCat(
      "本机关对当事人提出的事实、理由和证据进行复核；当事人提出的事实、理由或者证据成立的，"
      "本机关应当采纳。本机关不因当事人陈述、申辩而给予更重的处罚（", kLaw, "第四十五条）。"));
  AddOfficers(out, step, "记录人员：");
  return out;
}

Paragraphs RequestHearingText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  out.push_back(absl::StrCat(DateText(step.date()), "，当事人就本机关于",
                             DateText(c.notice_served_date()),
                             "送达的行政处罚告知书要求举行听证。"));
  AddNote(out, step, "申请事项：");
  out.push_back(absl::StrCat(
      "该申请在", kLaw, "第六十四条规定的告知后五个工作日内提出。本机关依法组织听证，并在举行听证的"
      "七个工作日前通知当事人听证的时间、地点。"));
  out.push_back(absl::StrCat("听证期间自", DateText(step.date()), "起不计入办案期限。"));
  return out;
}

Paragraphs ScheduleHearingText(const v1::Case& c, const v1::CaseStepRecord& step) {
  const std::string you(You(c.party_kind()));
  Paragraphs out{Addressee(c)};
  out.push_back(absl::StrCat(you, "要求听证的申请已收悉。本机关定于", DateText(c.hearing_date()),
                             "就", you, "涉嫌违法一案举行听证。"));
  AddNote(out, step, "听证地点及有关事项：");
  out.push_back(absl::StrCat(
      "听证公开举行，涉及国家秘密、商业秘密或者个人隐私依法予以保密的除外。听证由本机关指定的非本案"
      "调查人员主持；", you, "认为主持人与本案有直接利害关系的，有权申请回避（", kLaw,
      "第六十四条）。"));
  out.push_back(absl::StrCat(
      you, "可以亲自参加听证，也可以委托一至二人代理。", you,
      "及其代理人无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利，"
      "本机关终止听证。"));
  return out;
}

Paragraphs HoldHearingText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  out.push_back(absl::StrCat(
      "本机关于", DateText(step.date()),
      "依法举行听证。调查人员提出当事人违法的事实、证据和行政处罚建议，当事人进行申辩和质证（",
      kLaw, "第六十四条）。"));
  AddNote(out, step, "听证情况：");
  out.push_back(PauseParagraph(c, v1::PAUSE_REASON_HEARING, "听证", "听证期间不计入办案期限。"));
  out.push_back(absl::StrCat(
      "听证笔录交当事人或者其代理人核对无误后签字或者盖章。听证结束后，本机关根据听证笔录，依照",
      kLaw, "第五十七条的规定作出决定（第六十五条）。"));
  AddOfficers(out, step, "参加人员：");
  return out;
}

Paragraphs DecisionText(const v1::Case& c, const v1::CaseStepRecord& step) {
  const v1::Penalty& decided = c.decided_penalty();
  Paragraphs out{PartyLine(c)};
  std::string course = absl::StrCat("本机关于", DateText(c.filed_date()),
                                    "对当事人涉嫌违法一案立案调查。");
  if (c.has_notice_served_date()) {
    const bool hearing =
        c.has_hearing_requested_date() || HearingRight(c.proposed_penalty(), c.party_kind());
    absl::StrAppend(&course, DateText(c.notice_served_date()),
                    "，本机关向当事人送达行政处罚告知书，告知拟作出行政处罚的内容及事实、"
                    "理由、依据，以及当事人依法享有的陈述、申辩", hearing ? "、要求听证" : "",
                    "等权利。");
  }
  if (c.has_hearing_held_date()) {
    absl::StrAppend(&course, "当事人要求听证，本机关于", DateText(c.hearing_held_date()),
                    "依法举行了听证。");
  } else if (c.rights_waived()) {
    absl::StrAppend(&course, "当事人书面放弃陈述、申辩和要求听证的权利。");
  } else if (c.has_statement_date()) {
    absl::StrAppend(&course, "当事人于", DateText(c.statement_date()),
                    "进行了陈述、申辩，本机关已进行复核。");
  } else if (c.has_notice_served_date()) {
    absl::StrAppend(&course, "当事人在规定期限内未提出陈述、申辩意见，也未要求听证。");
  }
  if (c.has_review_passed_date()) {
    absl::StrAppend(&course, "本案已经法制审核（", kLaw, "第五十八条）。");
  }
  out.push_back(std::move(course));
  out.push_back(step.note().empty() ? std::string("违法事实及证据详见本案案卷。")
                                    : absl::StrCat("经查：", Sentence(step.note())));
  out.push_back(absl::StrCat("依据", BasisText(decided), "，本机关决定对当事人作出如下行政处罚：",
                             PenaltyText(decided), "。"));
  if (decided.fine().fen() > 0) out.push_back(PaymentParagraph());
  out.push_back(RemediesParagraph());
  AddOfficers(out, step);
  return out;
}

Paragraphs ServiceText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out;
  out.push_back(absl::StrCat("送达文书：", DecisionTitleWithNumber(c), "。"));
  std::string served = absl::StrCat("受送达人：", OneLine(c.party_name()));
  if (!c.uscc().empty()) absl::StrAppend(&served, "（统一社会信用代码：", c.uscc(), "）");
  out.push_back(served + "。");
  std::string when = absl::StrCat("送达日期：", DateText(step.date()), "。");
  if (!step.officer_ids().empty()) {
    absl::StrAppend(&when, "送达人：", Joined(step.officer_ids()), "。");
  }
  out.push_back(std::move(when));
  AddNote(out, step, "送达方式及情况：");
  if (c.party_absent()) {
    out.push_back(absl::StrCat("当事人在宣告行政处罚决定时不在场，本机关依照", kLaw,
                               "第六十一条，在七日内依照《中华人民共和国民事诉讼法》的有关规定"
                               "送达。"));
  }
  if (c.decided_penalty().fine().fen() > 0) {
    out.push_back(absl::StrCat("罚款", YuanText(c.decided_penalty().fine().fen()),
                               "应当自收到行政处罚决定书之日起十五日内缴纳，缴款期限至",
                               ChineseDate(PaymentDueDate(DayOf(step.date()))), "止（", kLaw,
                               "第六十七条）。"));
  }
  return out;
}

Paragraphs ExecutionText(const v1::Case& c, const v1::CaseStepRecord& step) {
  const v1::Penalty& decided = c.decided_penalty();
  Paragraphs out{PartyLine(c)};
  out.push_back(absl::StrCat("执行依据：", DecisionTitleWithNumber(c), "；处罚内容：",
                             PenaltyText(decided), "。"));
  if (decided.fine().fen() > 0) {
    std::string paid = absl::StrCat("应缴罚款", YuanText(decided.fine().fen()), "，实缴罚款",
                                    YuanText(c.paid().fen()), "；");
    if (c.surcharge_paid().fen() > 0) {
      absl::StrAppend(&paid, "加处罚款", YuanText(c.surcharge_paid().fen()), "（", kLaw,
                      "第七十二条）。");
    } else {
      absl::StrAppend(&paid, "无加处罚款。");
    }
    out.push_back(std::move(paid));
  } else {
    out.push_back("本案未处罚款。");
  }
  out.push_back(absl::StrCat("执行完毕日期：", DateText(step.date()), "。"));
  AddNote(out, step, "执行情况：");
  AddOfficers(out, step);
  return out;
}

Paragraphs ClosureText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  std::string course = absl::StrCat("立案日期：", DateText(c.filed_date()), "。");
  if (c.has_decided_date()) {
    absl::StrAppend(&course, "处罚决定日期：", DateText(c.decided_date()), "；处罚内容：",
                    PenaltyText(c.decided_penalty()), "。");
  }
  out.push_back(std::move(course));
  out.push_back(absl::StrCat("结案理由：",
                             Sentence(c.close_reason().empty() ? step.note() : c.close_reason())));
  if (c.has_executed_date()) {
    out.push_back(absl::StrCat("执行情况：实缴罚款", YuanText(c.paid().fen()), "，加处罚款",
                               YuanText(c.surcharge_paid().fen()), "，于",
                               DateText(c.executed_date()), "执行完毕。"));
  }
  if (!c.paused_periods().empty()) {
    std::vector<std::string> pauses;
    for (const v1::ClockPause& pause : c.paused_periods()) {
      pauses.push_back(absl::StrCat(AbslView(PauseReasonText(pause.reason())), "（",
                                    PauseSpan(pause), "）"));
    }
    out.push_back(absl::StrCat("不计入办案期限的期间：", absl::StrJoin(pauses, "；"), "。"));
  }
  if (!c.item_codes().empty()) {
    out.push_back(absl::StrCat("涉及监管事项：", Joined(c.item_codes()), "。"));
  }
  out.push_back(absl::StrCat("结案日期：", DateText(step.date()), "。"));
  AddOfficers(out, step, "承办人员：");
  return out;
}

Paragraphs ArchiveText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  std::string closed = absl::StrCat("立案日期：", DateText(c.filed_date()), "。");
  if (c.has_closed_date()) {
    absl::StrAppend(&closed, "结案日期：", DateText(c.closed_date()), "。");
  }
  out.push_back(std::move(closed));
  std::vector<std::string> entries;
  for (int i = 0; i < c.documents_size(); ++i) {
    const v1::DocumentRef& ref = c.documents(i);
    std::string entry = absl::StrCat(i + 1, ".", ref.title());
    if (!ref.number().empty()) absl::StrAppend(&entry, "（", ref.number(), "）");
    entries.push_back(std::move(entry));
  }
  out.push_back(entries.empty()
                    ? std::string("案卷文书目录：无。")
                    : absl::StrCat("案卷文书目录（共", entries.size(), "份）：",
                                   absl::StrJoin(entries, "；"), "。"));
  out.push_back(absl::StrCat("归档日期：", DateText(step.date()), "。"));
  AddNote(out, step, "说明：");
  AddOfficers(out, step, "归档人员：");
  return out;
}

Paragraphs SuspensionText(const v1::Case& c, const v1::CaseStepRecord& step) {
  const std::string you(You(c.party_kind()));
  Paragraphs out{Addressee(c)};
  out.push_back(absl::StrCat(
      "本机关于", DateText(c.filed_date()), "立案调查的", you, "涉嫌违法一案，因",
      step.note().empty() ? std::string("存在需要中止调查的情形") : Clause(step.note()),
      "，决定自", DateText(step.date()), "起中止调查。"));
  out.push_back("中止调查期间不计入办案期限。中止调查的原因消除后，本机关将恢复调查。");
  AddOfficers(out, step, "承办人员：");
  return out;
}

Paragraphs ResumptionText(const v1::Case& c, const v1::CaseStepRecord& step) {
  const std::string you(You(c.party_kind()));
  const v1::ClockPause* pause = LastPause(c, v1::PAUSE_REASON_SUSPENSION);
  Paragraphs out{Addressee(c)};
  out.push_back(absl::StrCat(
      "本机关", pause != nullptr ? absl::StrCat("于", DateText(pause->start_date())) : "",
      "中止调查的", you, "涉嫌违法一案，中止调查的原因已经消除，决定自", DateText(step.date()),
      "起恢复调查。"));
  out.push_back(PauseParagraph(c, v1::PAUSE_REASON_SUSPENSION, "中止调查",
                               "中止调查期间不计入办案期限。"));
  AddNote(out, step, "说明：");
  return out;
}

Paragraphs ExtensionText(const v1::Case& c, const v1::CaseStepRecord& step) {
  Paragraphs out{PartyLine(c)};
  out.push_back(absl::StrCat(
      "本案于", DateText(c.filed_date()), "立案，因",
      step.note().empty() ? std::string("案情复杂") : Clause(step.note()),
      "，不能在九十日内作出处理决定。"));
  out.push_back(absl::StrCat("依照", kLaw,
                             "第六十条及《市场监督管理行政处罚程序规定》，经本机关负责人于",
                             DateText(step.date()), "批准，本案办案期限延长三十日。"));
  out.push_back(absl::StrCat(
      "延长后，作出处理决定的期限至", ChineseDate(DecisionDueDate(c, DayOf(step.date()))),
      "；此后中止、听证、检测检验等期间仍不计入办案期限。"));
  AddOfficers(out, step, "承办人员：");
  return out;
}

Paragraphs BodyOf(const v1::Case& c, const v1::CaseStepRecord& step) {
  switch (step.action()) {
    case v1::CASE_ACTION_FILE: return FilingText(c, step);
    case v1::CASE_ACTION_START_INVESTIGATION: return StartInvestigationText(c, step);
    case v1::CASE_ACTION_RECORD_EVIDENCE: return RecordEvidenceText(c, step);
    case v1::CASE_ACTION_START_TESTING: return StartTestingText(c, step);
    case v1::CASE_ACTION_END_TESTING: return EndTestingText(c, step);
    case v1::CASE_ACTION_SUBMIT_FOR_REVIEW: return SubmitForReviewText(c, step);
    case v1::CASE_ACTION_PASS_REVIEW: return PassReviewText(c, step);
    case v1::CASE_ACTION_RETURN_FOR_INVESTIGATION: return ReturnForInvestigationText(c, step);
    case v1::CASE_ACTION_NOTICE: return NoticeText(c, step);
    case v1::CASE_ACTION_RECORD_STATEMENT: return RecordStatementText(c, step);
    case v1::CASE_ACTION_REQUEST_HEARING: return RequestHearingText(c, step);
    case v1::CASE_ACTION_SCHEDULE_HEARING: return ScheduleHearingText(c, step);
    case v1::CASE_ACTION_HOLD_HEARING: return HoldHearingText(c, step);
    case v1::CASE_ACTION_DECIDE: return DecisionText(c, step);
    case v1::CASE_ACTION_SERVE: return ServiceText(c, step);
    case v1::CASE_ACTION_EXECUTE: return ExecutionText(c, step);
    case v1::CASE_ACTION_CLOSE: return ClosureText(c, step);
    case v1::CASE_ACTION_ARCHIVE: return ArchiveText(c, step);
    case v1::CASE_ACTION_SUSPEND: return SuspensionText(c, step);
    case v1::CASE_ACTION_RESUME: return ResumptionText(c, step);
    case v1::CASE_ACTION_EXTEND: return ExtensionText(c, step);
    default: return {PartyLine(c)};
  }
}

void Finish(v1::Document& document, const Issuer& issuer, absl::CivilDay day) {
  document.set_issuer(issuer.name);
  document.add_closing(issuer.name);
  document.add_closing(ChineseDate(day));
  // ref.sha256 stays empty here: the SHA-256 helper (store::Sha256Hex) lives in libs/store,
  // which the domain may not depend on; the service layer sets it from `text`.
  document.set_text(CanonicalText(document));
}

}  // namespace

v1::DocumentKind DocumentKindOf(v1::CaseAction action) {
  switch (action) {
    case v1::CASE_ACTION_FILE: return v1::DOCUMENT_KIND_FILING;
    case v1::CASE_ACTION_START_INVESTIGATION:
    case v1::CASE_ACTION_RECORD_EVIDENCE: return v1::DOCUMENT_KIND_INVESTIGATION;
    case v1::CASE_ACTION_START_TESTING:
    case v1::CASE_ACTION_END_TESTING: return v1::DOCUMENT_KIND_TESTING;
    case v1::CASE_ACTION_SUBMIT_FOR_REVIEW:
    case v1::CASE_ACTION_PASS_REVIEW:
    case v1::CASE_ACTION_RETURN_FOR_INVESTIGATION: return v1::DOCUMENT_KIND_LEGAL_REVIEW;
    case v1::CASE_ACTION_NOTICE: return v1::DOCUMENT_KIND_PENALTY_NOTICE;
    case v1::CASE_ACTION_RECORD_STATEMENT: return v1::DOCUMENT_KIND_STATEMENT;
    case v1::CASE_ACTION_REQUEST_HEARING:
    case v1::CASE_ACTION_SCHEDULE_HEARING:
    case v1::CASE_ACTION_HOLD_HEARING: return v1::DOCUMENT_KIND_HEARING;
    case v1::CASE_ACTION_DECIDE: return v1::DOCUMENT_KIND_PENALTY_DECISION;
    case v1::CASE_ACTION_SERVE: return v1::DOCUMENT_KIND_SERVICE;
    case v1::CASE_ACTION_EXECUTE: return v1::DOCUMENT_KIND_EXECUTION;
    case v1::CASE_ACTION_CLOSE: return v1::DOCUMENT_KIND_CLOSURE;
    case v1::CASE_ACTION_ARCHIVE: return v1::DOCUMENT_KIND_ARCHIVE;
    case v1::CASE_ACTION_SUSPEND:
    case v1::CASE_ACTION_RESUME: return v1::DOCUMENT_KIND_SUSPENSION;
    case v1::CASE_ACTION_EXTEND: return v1::DOCUMENT_KIND_EXTENSION;
    default: return v1::DOCUMENT_KIND_UNSPECIFIED;
  }
}

std::string_view KindCharacter(v1::DocumentKind kind) {
  switch (kind) {
    case v1::DOCUMENT_KIND_FILING: return "立";
    case v1::DOCUMENT_KIND_INVESTIGATION: return "调";
    case v1::DOCUMENT_KIND_TESTING: return "检";
    case v1::DOCUMENT_KIND_LEGAL_REVIEW: return "审";
    case v1::DOCUMENT_KIND_PENALTY_NOTICE: return "告";
    case v1::DOCUMENT_KIND_STATEMENT: return "辩";
    case v1::DOCUMENT_KIND_HEARING: return "听";
    case v1::DOCUMENT_KIND_PENALTY_DECISION: return "罚";
    case v1::DOCUMENT_KIND_SERVICE: return "送";
    case v1::DOCUMENT_KIND_EXECUTION: return "执";
    case v1::DOCUMENT_KIND_CLOSURE: return "结";
    case v1::DOCUMENT_KIND_ARCHIVE: return "档";
    case v1::DOCUMENT_KIND_SUSPENSION: return "止";
    case v1::DOCUMENT_KIND_EXTENSION: return "延";
    case v1::DOCUMENT_KIND_ON_SPOT_DECISION: return "简";
    default: return "";
  }
}

std::string_view DocumentTitle(v1::CaseAction action) {
  switch (action) {
    case v1::CASE_ACTION_FILE: return "立案审批表";
    case v1::CASE_ACTION_START_INVESTIGATION: return "调查取证记录";
    case v1::CASE_ACTION_RECORD_EVIDENCE: return "调查取证记录";
    case v1::CASE_ACTION_START_TESTING: return "抽样送检记录";
    case v1::CASE_ACTION_END_TESTING: return "检验检测结果记录";
    case v1::CASE_ACTION_SUBMIT_FOR_REVIEW: return "法制审核送审表";
    case v1::CASE_ACTION_PASS_REVIEW: return "法制审核意见书";
    case v1::CASE_ACTION_RETURN_FOR_INVESTIGATION: return "退回补充调查意见书";
    case v1::CASE_ACTION_NOTICE: return "行政处罚告知书";
    case v1::CASE_ACTION_RECORD_STATEMENT: return "陈述申辩笔录";
    case v1::CASE_ACTION_REQUEST_HEARING: return "听证申请书";
    case v1::CASE_ACTION_SCHEDULE_HEARING: return "听证通知书";
    case v1::CASE_ACTION_HOLD_HEARING: return "听证笔录";
    case v1::CASE_ACTION_DECIDE: return "行政处罚决定书";
    case v1::CASE_ACTION_SERVE: return "送达回证";
    case v1::CASE_ACTION_EXECUTE: return "执行情况记录";
    case v1::CASE_ACTION_CLOSE: return "结案审批表";
    case v1::CASE_ACTION_ARCHIVE: return "归档目录";
    case v1::CASE_ACTION_SUSPEND: return "中止调查决定书";
    case v1::CASE_ACTION_RESUME: return "恢复调查决定书";
    case v1::CASE_ACTION_EXTEND: return "延长办案期限审批表";
    default: return "";
  }
}

v1::Document ComposeDocument(const Issuer& issuer, const v1::Case& after,
                             const v1::CaseStepRecord& step, std::string_view number,
                             std::string_view name) {
  v1::Document document;
  v1::DocumentRef& ref = *document.mutable_ref();
  ref.set_name(std::string(name));
  ref.set_kind(DocumentKindOf(step.action()));
  ref.set_number(std::string(number));
  ref.set_title(std::string(DocumentTitle(step.action())));
  ref.set_case_version(after.version());
  *ref.mutable_date() = step.date();
  for (std::string& paragraph : BodyOf(after, step)) document.add_paragraphs(std::move(paragraph));
  Finish(document, issuer, DayOf(step.date()));
  return document;
}

v1::Document ComposeOnSpotDocument(const Issuer& issuer, const v1::OnSpotDecision& decision,
                                   std::string_view number, std::string_view name) {
  const v1::Penalty& penalty = decision.penalty();
  v1::Document document;
  v1::DocumentRef& ref = *document.mutable_ref();
  ref.set_name(std::string(name));
  ref.set_kind(v1::DOCUMENT_KIND_ON_SPOT_DECISION);
  ref.set_number(std::string(number));
  ref.set_title("当场行政处罚决定书");
  *ref.mutable_date() = decision.decided_date();

  document.add_paragraphs(
      PartyLine(decision.party_name(), decision.uscc(), decision.party_kind()));
  document.add_paragraphs(
      absl::StrCat("违法事实：", decision.facts().empty() ? std::string("未记载。")
                                                         : Sentence(decision.facts())));
  document.add_paragraphs(absl::StrCat("依据", BasisText(penalty), "，依照", kLaw,
                                       "第五十一条的规定，当场作出如下行政处罚：",
                                       PenaltyText(penalty), "。"));
  if (penalty.fine().fen() > 0) {
    document.add_paragraphs(absl::StrCat(
        "当事人应当自收到本决定书之日起十五日内缴纳罚款（", kLaw,
        "第六十七条），符合第六十八条规定情形的，可以当场收缴。到期不缴纳罚款的，"
        "每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额（第七十二条）。"));
  }
  document.add_paragraphs(RemediesParagraph());
  std::string officers = decision.officer_ids().empty()
                             ? std::string()
                             : absl::StrCat("执法人员：", Joined(decision.officer_ids()), "。");
  document.add_paragraphs(absl::StrCat(
      officers, "本决定书由执法人员当场交付当事人，并报所属行政机关备案（", kLaw,
      "第五十二条）。"));
  Finish(document, issuer, DayOf(decision.decided_date()));
  return document;
}

std::string CanonicalText(const v1::Document& document) {
  std::string text = absl::StrCat(document.ref().title(), "\n", document.ref().number(), "\n");
  for (const std::string& paragraph : document.paragraphs()) {
    absl::StrAppend(&text, paragraph, "\n");
  }
  for (const std::string& line : document.closing()) absl::StrAppend(&text, line, "\n");
  return text;
}

std::string ChineseDate(absl::CivilDay day) {
  static constexpr const char* kDigits[] = {"〇", "一", "二", "三", "四",
                                            "五", "六", "七", "八", "九"};
  std::string out;
  for (char ch : std::to_string(day.year())) {
    if (ch >= '0' && ch <= '9') {
      out += kDigits[ch - '0'];
    } else {
      out.push_back(ch);  // the sign of a year before 1 (never in a document)
    }
  }
  return absl::StrCat(out, "年", SmallNumber(day.month()), "月", SmallNumber(day.day()), "日");
}

std::string YuanText(int64_t fen) {
  // The magnitude as unsigned, so that the most negative amount does not overflow.
  const uint64_t magnitude =
      fen < 0 ? uint64_t{0} - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  const uint64_t yuan = magnitude / 100;
  const uint64_t cents = magnitude % 100;
  std::string out = fen < 0 ? "-" : "";
  absl::StrAppend(&out, yuan);
  if (cents != 0) {
    absl::StrAppend(&out, ".", cents / 10);
    if (cents % 10 != 0) absl::StrAppend(&out, cents % 10);
  }
  return out + "元";
}

v1::PublicDecision PublicDecisionOf(const v1::Case& decided, std::string_view document_number) {
  const bool citizen = decided.party_kind() == v1::PARTY_KIND_CITIZEN;
  const v1::Penalty& penalty = decided.decided_penalty();
  v1::PublicDecision out;
  out.set_document_number(std::string(document_number));
  out.set_party_name(citizen ? MaskPersonName(decided.party_name()) : decided.party_name());
  out.set_uscc(citizen ? MaskUscc(decided.uscc()) : decided.uscc());
  *out.mutable_department() = decided.department();
  *out.mutable_kinds() = penalty.kinds();
  *out.mutable_fine() = penalty.fine();
  *out.mutable_confiscated() = penalty.confiscated();
  out.set_legal_basis(penalty.legal_basis());
  *out.mutable_decided_date() = decided.decided_date();
  out.set_procedure(decided.procedure());
  return out;
}

v1::PublicDecision PublicDecisionOf(const v1::OnSpotDecision& decision) {
  const bool citizen = decision.party_kind() == v1::PARTY_KIND_CITIZEN;
  const v1::Penalty& penalty = decision.penalty();
  v1::PublicDecision out;
  out.set_document_number(decision.document().number());
  out.set_party_name(citizen ? MaskPersonName(decision.party_name()) : decision.party_name());
  out.set_uscc(citizen ? MaskUscc(decision.uscc()) : decision.uscc());
  *out.mutable_department() = decision.department();
  *out.mutable_kinds() = penalty.kinds();
  *out.mutable_fine() = penalty.fine();
  *out.mutable_confiscated() = penalty.confiscated();
  out.set_legal_basis(penalty.legal_basis());
  *out.mutable_decided_date() = decision.decided_date();
  out.set_procedure(v1::PROCEDURE_SUMMARY);
  return out;
}

std::string MaskPersonName(std::string_view name) {
  if (name.empty()) return "";
  const std::vector<std::string_view> chars = CodePoints(name);
  // Nothing of a name that is not text is shown.
  if (!IsValidUtf8(name)) return std::string(chars.size(), '*');
  return absl::StrCat(AbslView(chars.front()), std::string(chars.size() - 1, '*'));
}

std::string MaskUscc(std::string_view uscc) {
  constexpr size_t kHead = 8;
  constexpr size_t kTail = 2;
  const std::vector<std::string_view> chars = CodePoints(uscc);
  if (!IsValidUtf8(uscc)) return std::string(chars.size(), '*');
  if (chars.size() <= kHead + kTail) return std::string(uscc);
  std::string out;
  for (size_t i = 0; i < chars.size(); ++i) {
    if (i < kHead || i >= chars.size() - kTail) {
      absl::StrAppend(&out, AbslView(chars[i]));
    } else {
      out.push_back('*');
    }
  }
  return out;
}

}  // namespace jianguan::cases
