#include "libs/events/outbox_relay.h"

#include "absl/time/clock.h"
#include "libs/core/log.h"

namespace jianguan::events {

OutboxRelay::OutboxRelay(store::Store& store, EventPublisher& publisher,
                         OutboxRelayOptions options)
    : store_(store), publisher_(publisher), options_(options) {}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  store_.SetOutboxListener([this] {
    std::lock_guard lock(mu_);
    signalled_ = true;
    wake_.notify_one();
  });
  thread_ = std::thread([this] { Run(); });
}

void OutboxRelay::Stop(absl::Duration flush_timeout) {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_one();
  }
  thread_.join();
  store_.SetOutboxListener(nullptr);
  if (absl::Status flushed = publisher_.Flush(flush_timeout); !flushed.ok()) {
    LogWarning("outbox relay stopped with events in flight; they will be republished",
               {{"reason", flushed.message()}});
  }
  RemoveDelivered();
}

bool OutboxRelay::AwaitDrained(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (store_.OutboxBacklog() > 0) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

void OutboxRelay::OnDelivery(uint64_t sequence, absl::Status status) {
  std::lock_guard lock(mu_);
  --in_flight_;
  if (status.ok()) {
    delivered_.push_back(sequence);
    counters_.published.fetch_add(1, std::memory_order_relaxed);
  } else if (stopping_) {
    // Purged by the publisher at shutdown: kept in the outbox, republished at the next start.
    LogInfo("outbox event left for the next start",
            {{"sequence", sequence}, {"reason", status.message()}});
  } else {
    delivery_failed_ = true;
    counters_.failed.fetch_add(1, std::memory_order_relaxed);
    LogError("outbox event not delivered",
             {{"sequence", sequence}, {"reason", status.message()}});
  }
}

void OutboxRelay::RemoveDelivered() {
  std::vector<uint64_t> delivered;
  {
    std::lock_guard lock(mu_);
    delivered.swap(delivered_);
  }
  if (absl::Status removed = store_.DeleteOutbox(delivered); !removed.ok()) {
    // Left in the outbox, they are republished and dropped by consumers as copies.
    LogError("cannot remove published outbox entries", {{"reason", removed.message()}});
  }
}

void OutboxRelay::Run() {
  uint64_t dispatched = 0;  // highest sequence handed to the publisher in this round
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
    }
    publisher_.Poll(absl::ZeroDuration());
    RemoveDelivered();

    bool failed;
    {
      std::lock_guard lock(mu_);
      failed = delivery_failed_;
    }
    if (failed) {
      // Start again from the oldest entry still in the outbox, once nothing is in flight,
      // so that no event of a partition overtakes an earlier one.
      // Every report must be in before re-reading, or an event could be sent twice by
      // this process and removed twice.
      for (;;) {
        (void)publisher_.Flush(absl::Seconds(1));
        std::lock_guard lock(mu_);
        if (in_flight_ == 0 || stopping_) break;
      }
      RemoveDelivered();
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.retry_backoff),
                     [this] { return stopping_; });
      delivery_failed_ = false;
      dispatched = 0;
      continue;
    }

    auto batch = store_.ReadOutbox(dispatched, options_.batch_size);
    if (!batch.ok()) {
      LogError("cannot read the outbox", {{"reason", batch.status().message()}});
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.retry_backoff),
                     [this] { return stopping_; });
      continue;
    }
    for (const auto& event : *batch) {
      {
        std::lock_guard lock(mu_);
        ++in_flight_;
      }
      absl::Status accepted = publisher_.Publish(
          event, store_.instance_id(),
          [this](uint64_t sequence, absl::Status status) { OnDelivery(sequence, std::move(status)); });
      if (!accepted.ok()) {
        std::lock_guard lock(mu_);
        --in_flight_;
        delivery_failed_ = true;
        counters_.failed.fetch_add(1, std::memory_order_relaxed);
        LogError("outbox event refused by the publisher",
                 {{"sequence", event.sequence()}, {"reason", accepted.message()}});
        break;
      }
      dispatched = event.sequence();
    }
    if (batch->empty()) {
      publisher_.Poll(absl::Milliseconds(10));
      std::unique_lock lock(mu_);
      if (!signalled_ && !stopping_ && in_flight_ == 0) {
        wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.idle_wait),
                       [this] { return stopping_ || signalled_; });
      }
      signalled_ = false;
    }
  }
}

}  // namespace jianguan::events
