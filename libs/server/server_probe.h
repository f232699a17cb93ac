// The gRPC server metrics of a ServiceHost, declared in one place.
//
// Names, labels and code names follow go-grpc-prometheus, so the usual dashboards and alerts
// work unchanged:
//
//   grpc_server_started_total{grpc_service,grpc_method,grpc_type}
//   grpc_server_handled_total{grpc_service,grpc_method,grpc_type,grpc_code}
//   grpc_server_handling_seconds{grpc_service,grpc_method,grpc_type}    (histogram)
//   grpc_server_msg_received_total{grpc_service,grpc_method,grpc_type}
//   grpc_server_msg_sent_total{grpc_service,grpc_method,grpc_type}
//
// and, for what a service presents or trusts under TLS (libs/server/tls.h):
//
//   jianguan_tls_certificate_expiry_timestamp_seconds{certificate}     (gauge, Unix seconds)
//
// Labels take only method names, types and status codes: never anything from a request.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/status_code_enum.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace jianguan {

/// The four kinds of gRPC method, as the `grpc_type` label spells them.
enum class GrpcCallType { kUnary, kClientStream, kServerStream, kBidiStream };

/// "unary", "client_stream", "server_stream" or "bidi_stream".
std::string_view GrpcCallTypeName(GrpcCallType type);

/// The canonical name of a status code as the `grpc_code` label spells it ("OK",
/// "INVALID_ARGUMENT", …); "UNKNOWN" for values outside the canonical 17.
std::string_view GrpcCodeName(grpc::StatusCode code);

/// Upper bounds of the handling-time histogram, in seconds: 0.5 ms to 10 s.
const std::vector<double>& GrpcHandlingBuckets();

/// The metric families of a gRPC server, registered in an injected registry.
///
/// Thread-safe. The registry must outlive the probe; the probe must outlive every
/// MethodMetrics it handed out.
class GrpcServerProbe {
 public:
  /// The metrics of one method. Every member function is thread-safe and lock-free once
  /// the method's first call of a given outcome has been counted.
  class MethodMetrics {
   public:
    void CallStarted() { started_->Increment(); }
    void MessageReceived() { msg_received_->Increment(); }
    void MessageSent() { msg_sent_->Increment(); }
    /// Counts a finished call with its status code and handling time.
    void CallHandled(grpc::StatusCode code, double seconds);

   private:
    friend class GrpcServerProbe;
    MethodMetrics() = default;

    GrpcServerProbe* probe_ = nullptr;
    prometheus::Labels labels_;  // grpc_service, grpc_method, grpc_type
    prometheus::Counter* started_ = nullptr;
    prometheus::Counter* msg_received_ = nullptr;
    prometheus::Counter* msg_sent_ = nullptr;
    prometheus::Histogram* handling_seconds_ = nullptr;
    // One counter per code, created on first use so unused codes add no series.
    std::array<std::atomic<prometheus::Counter*>, 17> handled_{};
  };

  explicit GrpcServerProbe(prometheus::Registry& registry);
  GrpcServerProbe(const GrpcServerProbe&) = delete;
  GrpcServerProbe& operator=(const GrpcServerProbe&) = delete;

  /// The metrics of `full_method` ("/jianguan.subject.v1.SubjectRegistry/GetSubject").
  /// The returned reference stays valid for the probe's lifetime. Takes a mutex.
  MethodMetrics& ForMethod(std::string_view full_method, GrpcCallType type);

  /// Shows when `certificate` ("serving", "ca", "kafka_client", "kafka_ca") expires.
  void SetCertificateExpiry(const std::string& certificate, absl::Time not_after);

 private:
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;
  prometheus::Family<prometheus::Counter>& msg_received_;
  prometheus::Family<prometheus::Counter>& msg_sent_;
  prometheus::Family<prometheus::Gauge>& certificate_expiry_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodMetrics>> methods_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jianguan
