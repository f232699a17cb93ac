#include "libs/server/server_probe.h"

#include <utility>

namespace jianguan {
namespace {

// "/pkg.Service/Method" → {"pkg.Service", "Method"}. Names gRPC gives that do not have this
// shape (its handler of unknown methods is called "unknown") keep a fixed service label.
std::pair<std::string_view, std::string_view> SplitMethod(std::string_view full_method) {
  if (full_method.size() > 1 && full_method.front() == '/') {
    const size_t slash = full_method.rfind('/');
    if (slash > 0) {
      return {full_method.substr(1, slash - 1), full_method.substr(slash + 1)};
    }
  }
  return {"unknown", full_method};
}

}  // namespace

std::string_view GrpcCallTypeName(GrpcCallType type) {
  switch (type) {
    case GrpcCallType::kUnary: return "unary";
    case GrpcCallType::kClientStream: return "client_stream";
    case GrpcCallType::kServerStream: return "server_stream";
    case GrpcCallType::kBidiStream: return "bidi_stream";
  }
  return "unary";
}

std::string_view GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

const std::vector<double>& GrpcHandlingBuckets() {
  // A lookup answers in well under a millisecond (DESIGN §6: p99 ≤ 2 ms), so the low end
  // is finer than go-grpc-prometheus's default, which starts at 5 ms.
  static const std::vector<double>* const buckets = new std::vector<double>{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

GrpcServerProbe::GrpcServerProbe(prometheus::Registry& registry)
    : started_(prometheus::BuildCounter()
                   .Name("grpc_server_started_total")
                   .Help("Total number of RPCs started on the server.")
                   .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("Total number of RPCs completed on the server, regardless of success "
                         "or failure.")
                   .Register(registry)),
      handling_seconds_(prometheus::BuildHistogram()
                            .Name("grpc_server_handling_seconds")
                            .Help("Histogram of response latency (seconds) of gRPC that had "
                                  "been application-level handled by the server.")
                            .Register(registry)),
      msg_received_(prometheus::BuildCounter()
                        .Name("grpc_server_msg_received_total")
                        .Help("Total number of RPC stream messages received on the server.")
                        .Register(registry)),
      msg_sent_(prometheus::BuildCounter()
                    .Name("grpc_server_msg_sent_total")
                    .Help("Total number of gRPC stream messages sent by the server.")
                    .Register(registry)),
      certificate_expiry_(prometheus::BuildGauge()
                              .Name("jianguan_tls_certificate_expiry_timestamp_seconds")
                              .Help("When a certificate the service presents or trusts expires "
                                    "(its notAfter, Unix seconds), by certificate")
                              .Register(registry)) {}

void GrpcServerProbe::SetCertificateExpiry(const std::string& certificate, absl::Time not_after) {
  certificate_expiry_.Add({{"certificate", certificate}})
      .Set(static_cast<double>(absl::ToUnixSeconds(not_after)));
}

GrpcServerProbe::MethodMetrics& GrpcServerProbe::ForMethod(std::string_view full_method,
                                                           GrpcCallType type) {
  absl::MutexLock lock(&mu_);
  // Debian's Abseil has its own absl::string_view; the lookup takes one without a copy.
  if (auto it = methods_.find(absl::string_view(full_method.data(), full_method.size()));
      it != methods_.end()) {
    return *it->second;
  }
  std::unique_ptr<MethodMetrics>& slot = methods_[std::string(full_method)];
  {
    const auto [service, method] = SplitMethod(full_method);
    auto metrics = std::unique_ptr<MethodMetrics>(new MethodMetrics());
    metrics->probe_ = this;
    metrics->labels_ = {{"grpc_service", std::string(service)},
                        {"grpc_method", std::string(method)},
                        {"grpc_type", std::string(GrpcCallTypeName(type))}};
    metrics->started_ = &started_.Add(metrics->labels_);
    metrics->msg_received_ = &msg_received_.Add(metrics->labels_);
    metrics->msg_sent_ = &msg_sent_.Add(metrics->labels_);
    metrics->handling_seconds_ = &handling_seconds_.Add(metrics->labels_, GrpcHandlingBuckets());
    slot = std::move(metrics);
  }
  return *slot;
}

void GrpcServerProbe::MethodMetrics::CallHandled(grpc::StatusCode code, double seconds) {
  const size_t index = static_cast<size_t>(code) < handled_.size()
                           ? static_cast<size_t>(code)
                           : static_cast<size_t>(grpc::StatusCode::UNKNOWN);
  prometheus::Counter* counter = handled_[index].load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Add returns the same series for the same labels, so a race here only repeats
    // a lookup.
    prometheus::Labels labels = labels_;
    labels.emplace("grpc_code",
                   std::string(GrpcCodeName(static_cast<grpc::StatusCode>(index))));
    counter = &probe_->handled_.Add(labels);
    handled_[index].store(counter, std::memory_order_release);
  }
  counter->Increment();
  handling_seconds_->Observe(seconds);
}

}  // namespace jianguan
