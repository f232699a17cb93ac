// ServiceHost: runs one service binary's gRPC server with what every jianguan service has —
// grpc.health.v1 health, server reflection, per-method Prometheus metrics at /metrics, caller
// identity (libs/server/identity.h), one log line per call, requests that do not parse (text
// that is not UTF-8) answered INVALID_ARGUMENT naming each field, and graceful shutdown on
// SIGTERM/SIGINT.
//
//   ServiceHost host(HostOptionsFromFlags("subject-registry"));   // libs/server/flags.h
//   host.AddService(&subject_service);
//   host.AddShutdownHook([&] { outbox.Flush(); });
//   if (absl::Status s = host.Start(); !s.ok()) { LogError(...); return 1; }
//   host.WaitForTermination();   // returns once shut down
//
// This header stays light: gRPC and prometheus-cpp types are only forward-declared.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace grpc {
class Server;
class ServerCredentials;
class Service;
}  // namespace grpc

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace jianguan {

class AccessPolicy;
class Authenticator;
class GrpcServerProbe;

/// How a ServiceHost listens and what it is built from.
struct ServiceHostOptions {
  /// The service's name as in DESIGN §2 ("subject-registry"); used in logs.
  std::string service_name;
  /// Address to listen on: "127.0.0.1" locally, "0.0.0.0" in Kubernetes. Used for gRPC and
  /// for /metrics.
  std::string host = "127.0.0.1";
  /// gRPC port; 0 picks a free one (see ServiceHost::bound_port()).
  int grpc_port = 0;
  /// Port of the Prometheus endpoint /metrics: nullopt serves none, 0 picks a free one
  /// (see ServiceHost::metrics_port()).
  std::optional<int> metrics_port;
  /// Port of a second, plaintext gRPC listener on `host` that serves only grpc.health.v1,
  /// mirroring the main server's status: for probes that cannot present a client
  /// certificate (the kubelet's native gRPC probe). nullopt: none; 0 picks a free one (see
  /// ServiceHost::health_port()). It serves nothing else, so it discloses nothing but
  /// SERVING or NOT_SERVING.
  std::optional<int> health_port;
  /// Port of a third gRPC listener on `host` for the services added with AddPublicService,
  /// and only them: read-only public information (企业信用信息公示) that anyone may ask for,
  /// so no caller is authenticated and no access policy applies there. nullopt: none (the
  /// public services are then not served at all); 0 picks a free one (see
  /// ServiceHost::public_port()).
  std::optional<int> public_port;
  /// Transport security of the public listener: server TLS without a client certificate
  /// (PublicServerCredentialsFromFlags). Null: plaintext.
  std::shared_ptr<grpc::ServerCredentials> public_credentials;
  /// When the certificates the service presents or trusts expire, by name ("serving",
  /// "ca", "kafka_client", "kafka_ca"): /metrics shows each as
  /// jianguan_tls_certificate_expiry_timestamp_seconds{certificate="…"} (Unix seconds).
  std::map<std::string, absl::Time> certificate_expiry;
  /// Where the gRPC metrics are registered and what /metrics shows; shared with the
  /// service's own probes. Null: the host makes one (see ServiceHost::registry()).
  std::shared_ptr<prometheus::Registry> registry;
  /// Resolves the caller of each call. Null: LoopbackMetadataAuthenticator.
  std::shared_ptr<const Authenticator> authenticator;
  /// Admits each authenticated caller to the method it calls and resolves its roles
  /// (libs/server/access_policy.h), before any handler runs. Null: AccessPolicy::Development().
  std::shared_ptr<const AccessPolicy> policy;
  /// Transport security. Null: insecure (local development, tests). With mutual TLS the
  /// authenticator can read the client certificate from the call's AuthContext.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  /// The largest request message accepted, in bytes; bigger ones are RESOURCE_EXHAUSTED
  /// before anything is parsed. A stream's limit is per message (an import sends batches), so
  /// no method buffers an unbounded request.
  int max_request_bytes = 4 << 20;
  /// How long WaitForTermination lets calls in flight finish after a signal (Kubernetes
  /// sends SIGKILL 30 s after SIGTERM by default).
  absl::Duration shutdown_grace = absl::Seconds(20);
};

/// The gRPC server of one service binary.
///
/// Lifecycle: construct → AddService … → Start → (serve) → Shutdown, or WaitForTermination
/// which shuts down on a signal. AddService and Start are for one thread (main); bound_port,
/// metrics_port, registry, AddShutdownHook, Shutdown and WaitForTermination are thread-safe.
/// Destroying a running host shuts it down with no grace (calls in flight are cancelled).
class ServiceHost {
 public:
  explicit ServiceHost(ServiceHostOptions options);
  ~ServiceHost();
  ServiceHost(const ServiceHost&) = delete;
  ServiceHost& operator=(const ServiceHost&) = delete;

  /// Serves `service` from Start on. Not owned: it must outlive the host's Shutdown.
  /// Only before Start. Start wraps the handlers of the service's methods (for good: a later
  /// host serving it finds them wrapped), so anything that reaches a handler by its type,
  /// such as the generated SetMessageAllocatorFor_*, must be done before.
  void AddService(grpc::Service* service);

  /// Serves `service` on the public listener only (ServiceHostOptions::public_port), without
  /// authentication: every handler of it must answer the same to anyone. Not owned; only
  /// before Start. Never also AddService the same service.
  void AddPublicService(grpc::Service* service);

  /// Runs `hook` during Shutdown, after the last call has finished (e.g. flush the outbox,
  /// close the store). Hooks run once, in the order they were added, on the thread that
  /// shuts down. Added after shutdown, a hook is never run.
  void AddShutdownHook(std::function<void()> hook);

  /// Binds the ports and starts serving; health answers SERVING once everything is up.
  /// Errors: FAILED_PRECONDITION when already started; UNAVAILABLE when a port cannot be
  /// bound (in use, or the host is not a local address). Nothing is left listening after
  /// an error. Blocks only while binding.
  absl::Status Start();

  /// The bound gRPC port (useful with grpc_port 0); 0 before a successful Start.
  int bound_port() const;
  /// The bound port of /metrics; 0 when there is none or before Start.
  int metrics_port() const;
  /// The bound port of the plaintext health listener; 0 when there is none or before Start.
  int health_port() const;
  /// The bound port of the public listener; 0 when there is none or before Start.
  int public_port() const;
  /// The registry /metrics shows. Never null.
  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  /// Stops gracefully: health turns NOT_SERVING, new calls are refused, calls in flight
  /// may finish until `deadline` and are cancelled after it, then the hooks run and
  /// /metrics stops. Blocks until all of that is done. Idempotent: later or concurrent
  /// calls wait for the first to finish and do nothing else. A no-op before Start.
  /// Must not be called from a handler (it would wait for itself).
  void Shutdown(absl::Time deadline);

  /// Turns health NOT_SERVING for good while the host keeps serving calls (they fail on
  /// their own): for a process that can no longer do its work and must be restarted, so
  /// that probes and load balancers see it. A no-op unless running. Thread-safe.
  void MarkNotServing();

  /// Blocks until SIGTERM or SIGINT arrives, then shuts down with `shutdown_grace`; or until
  /// another thread calls Shutdown. Returns when the host is shut down; at once when it
  /// was never started. One host per process should wait for signals.
  void WaitForTermination();

  /// From now on SIGTERM and SIGINT no longer end the process but wake WaitForTermination
  /// (through a self-pipe: the signal handler only writes one byte). WaitForTermination
  /// calls it; call it earlier, right after Start, so that a signal arriving before
  /// WaitForTermination is not lost. Idempotent and thread-safe; each call re-installs the
  /// handlers, in case something replaced them.
  static void CatchTerminationSignals();

 private:
  enum class State { kNew, kRunning, kStopped };

  ServiceHostOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<GrpcServerProbe> probe_;
  std::vector<grpc::Service*> services_;
  std::vector<grpc::Service*> public_services_;
  int wake_fd_ = -1;  // eventfd: Shutdown tells WaitForTermination it is done
  std::atomic<int> bound_port_{0};
  std::atomic<int> metrics_port_{0};
  std::atomic<int> health_port_{0};
  std::atomic<int> public_port_{0};

  mutable absl::Mutex mu_;  // serializes Start and Shutdown
  State state_ ABSL_GUARDED_BY(mu_) = State::kNew;
  std::unique_ptr<grpc::Server> server_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<grpc::Server> health_server_ ABSL_GUARDED_BY(mu_);  // --health_port
  std::unique_ptr<grpc::Server> public_server_ ABSL_GUARDED_BY(mu_);  // public_port
  std::unique_ptr<prometheus::Exposer> exposer_ ABSL_GUARDED_BY(mu_);

  absl::Mutex hooks_mu_;
  bool hooks_run_ ABSL_GUARDED_BY(hooks_mu_) = false;
  std::vector<std::function<void()>> hooks_ ABSL_GUARDED_BY(hooks_mu_);
};

}  // namespace jianguan
