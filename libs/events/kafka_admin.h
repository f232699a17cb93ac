// Small Kafka administration and raw reading: creating topics, listing them, and reading a
// topic's messages without a consumer group. Used by jgctl (events tail) and by tests; the
// services themselves read through EventConsumer.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/events/event.h"

namespace jianguan::events {

/// Creates the topics that do not exist yet. UNAVAILABLE when the broker cannot be reached
/// within `timeout`; INVALID_ARGUMENT for a refused name or partition count.
absl::Status CreateTopics(const std::string& brokers, const std::vector<std::string>& topics,
                          int partitions, absl::Duration timeout = absl::Seconds(30));

/// Names of the topics on the cluster (internal ones excluded).
absl::StatusOr<std::vector<std::string>> ListTopics(const std::string& brokers,
                                                    absl::Duration timeout = absl::Seconds(10));

/// Reads every partition of one topic from its beginning or its end, with no group.
/// Not thread-safe.
class TopicReader {
 public:
  enum class From { kBeginning, kEnd };
  /// NOT_FOUND when the topic does not exist. `properties`: extra librdkafka properties
  /// (security.protocol and ssl.* for a TLS listener), which win over the reader's own.
  static absl::StatusOr<std::unique_ptr<TopicReader>> Open(
      const std::string& brokers, const std::string& topic, From from,
      const std::map<std::string, std::string>& properties = {});
  ~TopicReader();

  /// The next message, or nullopt when none arrived within `timeout`.
  std::optional<ConsumedEvent> Next(absl::Duration timeout);
  /// Reads until `count` messages arrived or `timeout` passed.
  std::vector<ConsumedEvent> ReadAtLeast(size_t count, absl::Duration timeout);
  /// For a reader opened From::kBeginning: every message not read yet up to the partitions'
  /// ends as they are when called (their high watermarks), then returns at once, so that
  /// reading a whole topic needs no wait for silence. DEADLINE_EXCEEDED when the ends are
  /// not reached within `timeout`; FAILED_PRECONDITION for a reader opened From::kEnd (its
  /// start is not known).
  absl::StatusOr<std::vector<ConsumedEvent>> ReadToEnd(absl::Duration timeout);

 private:
  struct Impl;
  explicit TopicReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jianguan::events
