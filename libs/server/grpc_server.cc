#include "libs/server/grpc_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "libs/core/log.h"
#include "libs/server/access_policy.h"
#include "libs/server/identity.h"
#include "libs/server/internal/call_observer.h"
#include "libs/server/internal/unparsable_requests.h"
#include "libs/server/server_probe.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace jianguan {
namespace {

// "host:port", with IPv6 literals bracketed.
std::string HostPort(const std::string& host, int port) {
  if (absl::StrContains(host, ':') && !absl::StartsWith(host, "[")) {
    return absl::StrCat("[", host, "]:", port);
  }
  return absl::StrCat(host, ":", port);
}

// Opens and at once closes a TCP connection to host:port (a wildcard host: loopback). The
// host is this process's own listening address, so the connect does not wait on a network.
void Knock(const std::string& host, int port) {
  std::string target = host;
  if (target.empty() || target == "0.0.0.0") target = "127.0.0.1";
  if (target == "::" || target == "[::]") target = "::1";
  if (absl::StartsWith(target, "[") && absl::EndsWith(target, "]")) {
    target = target.substr(1, target.size() - 2);
  }
  addrinfo hints = {};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(target.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return;
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    [[maybe_unused]] int connected = connect(fd, found->ai_addr, found->ai_addrlen);
    close(fd);
  }
  freeaddrinfo(found);
}

// Stops /metrics. civetweb (under prometheus-cpp's Exposer) looks at its stop flag only
// between polls of its listening socket, which wait up to 2 s; knocking on the port ends
// the poll, so the port closes within milliseconds instead of up to 2 s later. That is
// the difference between a service stopping in 0.1 s and in 2 s, in every rolling restart
// and in every test that stops one.
void CloseExposer(std::unique_ptr<prometheus::Exposer> exposer, const std::string& host,
                  int port) {
  if (exposer == nullptr) return;
  std::atomic<bool> closed = false;
  std::thread knocker([&] {
    while (!closed.load()) {
      Knock(host, port);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  exposer.reset();
  closed = true;
  knocker.join();
}

// The self-pipe of CatchTerminationSignals. The handler only writes the signal number to
// it: write(2) is async-signal-safe, and both ends are non-blocking so it never waits.
int g_signal_pipe[2] = {-1, -1};

extern "C" void OnTerminationSignal(int signo) {
  const int saved_errno = errno;
  const unsigned char byte = static_cast<unsigned char>(signo);
  [[maybe_unused]] ssize_t n = write(g_signal_pipe[1], &byte, 1);
  errno = saved_errno;
}

std::string_view SignalName(int signo) {
  switch (signo) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    default: return "signal";
  }
}

}  // namespace

ServiceHost::ServiceHost(ServiceHostOptions options) : options_(std::move(options)) {
  registry_ = options_.registry != nullptr ? options_.registry
                                           : std::make_shared<prometheus::Registry>();
  if (options_.authenticator == nullptr) {
    options_.authenticator = std::make_shared<LoopbackMetadataAuthenticator>();
  }
  if (options_.policy == nullptr) {
    options_.policy = std::make_shared<const AccessPolicy>(AccessPolicy::Development());
  }
  probe_ = std::make_shared<GrpcServerProbe>(*registry_);
  for (const auto& [certificate, not_after] : options_.certificate_expiry) {
    probe_->SetCertificateExpiry(certificate, not_after);
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

ServiceHost::~ServiceHost() {
  Shutdown(absl::Now());
  if (wake_fd_ >= 0) close(wake_fd_);
}

void ServiceHost::AddService(grpc::Service* service) { services_.push_back(service); }

void ServiceHost::AddPublicService(grpc::Service* service) {
  public_services_.push_back(service);
}

void ServiceHost::AddShutdownHook(std::function<void()> hook) {
  absl::MutexLock lock(&hooks_mu_);
  if (hooks_run_) {
    LogWarning("shutdown hook added after shutdown; it will not run",
               {{"service", options_.service_name}});
    return;
  }
  hooks_.push_back(std::move(hook));
}

absl::Status ServiceHost::Start() {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kNew) {
    return absl::FailedPreconditionError("the service host was already started");
  }

  // /metrics first: if it cannot bind, no gRPC port has been opened yet.
  std::unique_ptr<prometheus::Exposer> exposer;
  int metrics_port = 0;
  if (options_.metrics_port.has_value()) {
    const std::string address = HostPort(options_.host, *options_.metrics_port);
    try {
      exposer = std::make_unique<prometheus::Exposer>(address, /*num_threads=*/1);
    } catch (const std::exception& e) {
      return absl::UnavailableError(
          absl::StrCat("cannot serve /metrics on ", address, ": ", e.what()));
    }
    const std::vector<int> ports = exposer->GetListeningPorts();
    metrics_port = ports.empty() ? 0 : ports.front();
    exposer->RegisterCollectable(registry_);
  }

  // Process-wide switches; they act on servers built after them.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  const std::string address = HostPort(options_.host, options_.grpc_port);
  int bound_port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address,
                           options_.credentials != nullptr ? options_.credentials
                                                           : grpc::InsecureServerCredentials(),
                           &bound_port);
  // gRPC binds with SO_REUSEPORT by default, which would let a second instance (or a stale
  // one) share the port silently; a taken port must be an error.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options_.max_request_bytes);
  for (grpc::Service* service : services_) {
    // A request with text that is not UTF-8 is INVALID_ARGUMENT naming the field, in every
    // method, rather than gRPC's INTERNAL.
    server_internal::RefuseUnparsableRequests(*service);
    builder.RegisterService(service);
  }
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<server_internal::CallObserverFactory>(
      options_.service_name, probe_, options_.authenticator, options_.policy));
  builder.experimental().SetInterceptorCreators(std::move(creators));

  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    if (server != nullptr) server->Shutdown(std::chrono::system_clock::now());
    return absl::UnavailableError(absl::StrCat(
        "cannot listen for gRPC on ", address, " (port in use, or not a local address)"));
  }

  // The health listener: a server of its own with no service registered, so that only the
  // default health service (and reflection, which then lists nothing else) answers on it.
  std::unique_ptr<grpc::Server> health_server;
  int health_port = 0;
  if (options_.health_port.has_value()) {
    const std::string health_address = HostPort(options_.host, *options_.health_port);
    grpc::ServerBuilder health_builder;
    health_builder.AddListeningPort(health_address, grpc::InsecureServerCredentials(),
                                    &health_port);
    health_builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    health_builder.SetMaxReceiveMessageSize(4096);
    health_server = health_builder.BuildAndStart();
    if (health_server == nullptr || health_port == 0) {
      if (health_server != nullptr) health_server->Shutdown(std::chrono::system_clock::now());
      server->Shutdown(std::chrono::system_clock::now());
      return absl::UnavailableError(absl::StrCat("cannot listen for gRPC health on ",
                                                 health_address,
                                                 " (port in use, or not a local address)"));
    }
    health_server->GetHealthCheckService()->SetServingStatus(true);
  }

  // The public listener: its own server, so that a call on it can reach only the public
  // services, and a call on the main port never reaches them without a caller. Calls are
  // counted and logged like the others; the observer records every caller as the public.
  std::unique_ptr<grpc::Server> public_server;
  int public_port = 0;
  if (options_.public_port.has_value() && !public_services_.empty()) {
    const std::string public_address = HostPort(options_.host, *options_.public_port);
    grpc::ServerBuilder public_builder;
    public_builder.AddListeningPort(public_address,
                                    options_.public_credentials != nullptr
                                        ? options_.public_credentials
                                        : grpc::InsecureServerCredentials(),
                                    &public_port);
    public_builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    public_builder.SetMaxReceiveMessageSize(64 << 10);
    for (grpc::Service* service : public_services_) {
      server_internal::RefuseUnparsableRequests(*service);
      public_builder.RegisterService(service);
    }
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        public_creators;
    public_creators.push_back(std::make_unique<server_internal::CallObserverFactory>(
        options_.service_name, probe_, std::make_shared<PublicAuthenticator>(),
        /*policy=*/nullptr));
    public_builder.experimental().SetInterceptorCreators(std::move(public_creators));
    public_server = public_builder.BuildAndStart();
    if (public_server == nullptr || public_port == 0) {
      if (public_server != nullptr) public_server->Shutdown(std::chrono::system_clock::now());
      if (health_server != nullptr) health_server->Shutdown(std::chrono::system_clock::now());
      server->Shutdown(std::chrono::system_clock::now());
      return absl::UnavailableError(absl::StrCat("cannot listen for public gRPC on ",
                                                 public_address,
                                                 " (port in use, or not a local address)"));
    }
  }
  server->GetHealthCheckService()->SetServingStatus(true);

  server_ = std::move(server);
  health_server_ = std::move(health_server);
  health_port_ = health_port;
  public_server_ = std::move(public_server);
  public_port_ = public_port;
  exposer_ = std::move(exposer);
  bound_port_ = bound_port;
  metrics_port_ = metrics_port;
  state_ = State::kRunning;
  LogInfo("server started", {{"service", options_.service_name},
                             {"grpc_address", HostPort(options_.host, bound_port)},
                             {"metrics_port", metrics_port},
                             {"health_port", health_port},
                             {"public_port", public_port}});
  return absl::OkStatus();
}

int ServiceHost::bound_port() const { return bound_port_.load(); }

int ServiceHost::metrics_port() const { return metrics_port_.load(); }

int ServiceHost::health_port() const { return health_port_.load(); }

int ServiceHost::public_port() const { return public_port_.load(); }

void ServiceHost::MarkNotServing() {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kRunning) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  if (health_server_ != nullptr) health_server_->GetHealthCheckService()->SetServingStatus(false);
}

void ServiceHost::Shutdown(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kRunning) return;
  LogInfo("server shutting down",
          {{"service", options_.service_name},
           {"grace_ms", absl::ToInt64Milliseconds(deadline - absl::Now())}});

  // Load balancers and Kubernetes stop sending work before the port closes.
  server_->GetHealthCheckService()->SetServingStatus(false);
  if (health_server_ != nullptr) health_server_->GetHealthCheckService()->SetServingStatus(false);
  // The public listener drains within the same grace as the main one.
  if (public_server_ != nullptr) public_server_->Shutdown(absl::ToChronoTime(deadline));
  const absl::Time drain_start = absl::Now();
  server_->Shutdown(absl::ToChronoTime(deadline));
  server_->Wait();
  if (public_server_ != nullptr) {
    public_server_->Wait();
    public_port_ = 0;
  }
  LogInfo("calls drained", {{"service", options_.service_name},
                            {"ms", absl::ToInt64Milliseconds(absl::Now() - drain_start)}});
  // The health listener answers NOT_SERVING while calls drain, then closes.
  if (health_server_ != nullptr) {
    health_server_->Shutdown(std::chrono::system_clock::now());
    health_server_->Wait();
    health_port_ = 0;
  }

  std::vector<std::function<void()>> hooks;
  {
    absl::MutexLock hooks_lock(&hooks_mu_);
    hooks_run_ = true;
    hooks.swap(hooks_);
  }
  for (std::function<void()>& hook : hooks) hook();

  CloseExposer(std::move(exposer_), options_.host, metrics_port_);
  metrics_port_ = 0;
  state_ = State::kStopped;
  LogInfo("server stopped", {{"service", options_.service_name}});

  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

void ServiceHost::CatchTerminationSignals() {
  static std::once_flag pipe_once;
  std::call_once(pipe_once, [] {
    if (pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
      LogError("cannot create the signal pipe; SIGTERM will end the process at once",
               {{"errno", errno}});
    }
  });
  if (g_signal_pipe[1] < 0) return;
  // Installed on every call, so a handler someone else put in place meanwhile (a test
  // framework, a library) does not swallow the signal.
  struct sigaction action = {};
  action.sa_handler = OnTerminationSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

void ServiceHost::WaitForTermination() {
  {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kRunning) return;
  }
  CatchTerminationSignals();
  pollfd fds[2] = {{g_signal_pipe[0], POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      LogError("waiting for a termination signal failed", {{"errno", errno}});
      break;
    }
    if (fds[1].revents != 0) return;  // another thread shut the host down
    if (fds[0].revents != 0) {
      unsigned char signo = 0;
      if (read(g_signal_pipe[0], &signo, 1) == 1) {
        LogInfo("termination signal received",
                {{"service", options_.service_name}, {"signal", SignalName(signo)}});
        break;
      }
    }
  }
  Shutdown(absl::Now() + options_.shutdown_grace);
}

}  // namespace jianguan
