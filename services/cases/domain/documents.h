// The documents (文书) of a case file: which document each step produces, its title and the
// character of its number (罚 in 金市监罚〔2026〕12号), and its text composed from the case's data
// after the step. The text is canonical: its SHA-256 goes into the case file and the audit
// trail, and the PDF is rendered from it (libs/pdf), so the text, not the PDF, is what is
// hashed.
//
//   v1::DocumentKind kind = DocumentKindOf(step.action());
//   std::string number = ...;  // numbered by the store: <prefix><KindCharacter(kind)>〔year〕n号
//   v1::Document doc = ComposeDocument(issuer, after, after.history(last), number, name);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"
#include "jianguan/cases/v1/cases.pb.h"

namespace jianguan::cases {

/// The kind of document `action` produces; every action but UNSPECIFIED produces one
/// (FILE: FILING, DECIDE: PENALTY_DECISION, …, per the comments of v1::DocumentKind).
v1::DocumentKind DocumentKindOf(v1::CaseAction action);

/// The character of the kind in a document number, e.g. "罚" for PENALTY_DECISION, "立" for
/// FILING (v1::DocumentKind's comments); empty for UNSPECIFIED.
std::string_view KindCharacter(v1::DocumentKind kind);

/// The title of the document `action` produces, e.g. "行政处罚决定书", "听证通知书" (the
/// hearing's three actions have three titles).
std::string_view DocumentTitle(v1::CaseAction action);

/// The department issuing a document: its catalogue code and name (e.g. "金华市市场监督管理局").
struct Issuer {
  std::string department_code;
  std::string name;
};

/// The document of `step` (the last entry of `after.history()`), numbered `number`, at `name`
/// ("cases/{id}/documents/{n}"): ref (name, kind, number, title, case_version, date, sha256),
/// issuer, paragraphs composed from the case (party, facts, dates, officers, the penalty with
/// the fine written in yuan, the party's rights and their periods on a notice, the payment
/// period and the surcharge rule on a decision …), closing lines (issuer, date in Chinese:
/// "二〇二六年十二月三日"), and text = CanonicalText of all that. Deterministic.
v1::Document ComposeDocument(const Issuer& issuer, const v1::Case& after,
                             const v1::CaseStepRecord& step, std::string_view number,
                             std::string_view name);

/// The on-site decision's document (当场行政处罚决定书).
v1::Document ComposeOnSpotDocument(const Issuer& issuer, const v1::OnSpotDecision& decision,
                                   std::string_view number, std::string_view name);

/// The canonical text: title, number, each paragraph and each closing line, one per line,
/// "\n"-terminated.
std::string CanonicalText(const v1::Document& document);

/// A date as Chinese documents write it: "二〇二六年十二月三日".
std::string ChineseDate(absl::CivilDay day);

/// An amount in fen as documents write it: "3000元", "200.5元", "0.01元".
std::string YuanText(int64_t fen);

/// The public view of a decision (行政处罚决定公示): for a citizen the name masked to its first
/// character followed by one "*" per further character (张三丰 → 张**) and the USCC masked
/// but for its first 8 and last 2 characters; an organisation's shown as is.
v1::PublicDecision PublicDecisionOf(const v1::Case& decided, std::string_view document_number);
v1::PublicDecision PublicDecisionOf(const v1::OnSpotDecision& decision);

/// "张**" for "张三丰" (UTF-8 aware; empty stays empty).
std::string MaskPersonName(std::string_view name);
/// "91330782********3X" style: first 8 and last 2 characters kept.
std::string MaskUscc(std::string_view uscc);

}  // namespace jianguan::cases
