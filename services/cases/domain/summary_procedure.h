// The summary procedure (简易程序): an on-site decision (当场处罚) without a case file of steps,
// lawful only for a warning or a small fine.
//
// 行政处罚法 第五十一条: 违法事实确凿并有法定依据，对公民处以二百元以下、对法人或者其他组织处以
// 三千元以下罚款或者警告的行政处罚的，可以当场作出行政处罚决定。"以下" includes the amount
// itself, so 200 / 3,000 yuan pass and 200.01 / 3,000.01 do not. 第五十二条: the decision is
// recorded (备案) with the department afterwards; that record is the handler's.
//
//   RETURN_IF_ERROR(CheckSummaryProcedure(v1::PARTY_KIND_CITIZEN, penalty));
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "jianguan/cases/v1/cases.pb.h"
#include "jianguan/cases/v1/events.pb.h"

namespace jianguan::cases {

/// 第五十一条: 对公民处以二百元以下罚款.
inline constexpr int64_t kSummaryCitizenFineLimitFen = 200 * 100;
/// 第五十一条: 对法人或者其他组织处以三千元以下罚款.
inline constexpr int64_t kSummaryOrganisationFineLimitFen = 3000 * 100;

/// The largest fine, in fen, the summary procedure allows on a party of `kind`; 0 for an
/// unknown kind.
int64_t SummaryFineLimitFen(v1::PartyKind kind);

/// OK when `penalty` on a party of `party_kind` may be decided on the spot. Otherwise
/// INVALID_ARGUMENT naming every offending field ("party_kind", "penalty.kinds[i]",
/// "penalty.fine.fen", …), the limits' message naming 行政处罚法 第五十一条: a kind other than
/// a warning or a fine, or a fine above the party's limit.
absl::Status CheckSummaryProcedure(v1::PartyKind party_kind, const v1::Penalty& penalty);

}  // namespace jianguan::cases
