// The suite's Kafka topics (docs/events.md), named once. A service publishes to its own
// topic and consumes others by these names or by the pattern kAllSuitePattern.
#pragma once

#include <string>
#include <string_view>

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

/// kAllSuitePattern without the topics of one domain (`domain` is 1-32 letters a-z, e.g.
/// "subject" leaves out jianguan.subject.v1, .v2, ...): for a service that follows every
/// topic but its own. The registry's timeline gets its own events with the change itself;
/// reading its own topic back would cost the broker and the registry a fetch and a parse of
/// every one of them (an import of a million subjects is a million events) only to skip
/// them. A regular expression without look-ahead (librdkafka's engine has none): every
/// name of letters that is not `domain`, spelled out by where it first differs from it.
std::string AllSuitePatternExcept(std::string_view domain);

}  // namespace jianguan::topics
