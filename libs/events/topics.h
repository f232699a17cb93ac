// The suite's Kafka topics (docs/events.md), named once. A service publishes to its own
// topic and consumes others by these names or by the pattern kAllSuitePattern.
#pragma once

namespace jianguan::topics {

inline constexpr char kCatalogue[] = "jianguan.catalogue.v1";
inline constexpr char kSubject[] = "jianguan.subject.v1";
inline constexpr char kSampling[] = "jianguan.sampling.v1";
inline constexpr char kInspection[] = "jianguan.inspection.v1";
inline constexpr char kCases[] = "jianguan.cases.v1";
inline constexpr char kCredit[] = "jianguan.credit.v1";
inline constexpr char kRisk[] = "jianguan.risk.v1";

/// Every suite topic, present and future: "jianguan.<domain>.v<n>". It matches the
/// dead-letter topic (jianguan.dlq.v1) too, which a consumer of this pattern skips.
inline constexpr char kAllSuitePattern[] = "^jianguan\\.[a-z]+\\.v[0-9]+$";

}  // namespace jianguan::topics
