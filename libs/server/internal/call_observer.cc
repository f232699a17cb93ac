#include "libs/server/internal/call_observer.h"

#include <atomic>
#include <chrono>
#include <optional>
#include <utility>

#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "libs/core/log.h"
#include "libs/server/access_policy.h"
#include "libs/server/identity.h"
#include "libs/server/internal/caller_registry.h"
#include "libs/server/internal/unparsable_requests.h"
#include "libs/server/server_probe.h"

namespace jianguan::server_internal {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

GrpcCallType CallTypeOf(ServerRpcInfo::Type type) {
  switch (type) {
    case ServerRpcInfo::Type::UNARY: return GrpcCallType::kUnary;
    case ServerRpcInfo::Type::CLIENT_STREAMING: return GrpcCallType::kClientStream;
    case ServerRpcInfo::Type::SERVER_STREAMING: return GrpcCallType::kServerStream;
    case ServerRpcInfo::Type::BIDI_STREAMING: return GrpcCallType::kBidiStream;
  }
  return GrpcCallType::kUnary;
}

// gRPC may run the hooks of one streaming call from different threads (a read and a write
// at the same time); the members written after construction are either written once at
// POST_RECV_INITIAL_METADATA, which precedes every other hook, or atomic.
class CallObserver final : public grpc::experimental::Interceptor {
 public:
  CallObserver(std::shared_ptr<const CallObserverFactory::Shared> shared, ServerRpcInfo* info)
      : shared_(std::move(shared)),
        context_(info->server_context()),
        method_name_(info->method() != nullptr ? info->method() : "unknown"),
        metrics_(shared_->probe->ForMethod(method_name_, CallTypeOf(info->type()))),
        start_(std::chrono::steady_clock::now()) {
    metrics_.CallStarted();
  }

  ~CallObserver() override {
    // Pairs with the release in Intercept(): see hooks_run_.
    hooks_run_.load(std::memory_order_acquire);
    // A call torn down without a status (the client went away, the server was stopped) is
    // still counted once, as go-grpc-prometheus would see it; a refusal recorded for it
    // would otherwise outlive its context.
    if (!finished_.load()) ForgetRefusal(context_);
    Finish(grpc::StatusCode::CANCELLED);
    if (caller_recorded_) ForgetCaller(context_);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Authenticate(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      metrics_.MessageReceived();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      metrics_.MessageSent();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::StatusCode code = methods->GetSendStatus().error_code();
      // A callback call whose request did not parse: the refusal naming its fields instead
      // of gRPC's UNIMPLEMENTED (unparsable_requests.h). Refused calls never answer OK.
      if (code != grpc::StatusCode::OK) {
        if (std::optional<grpc::Status> refusal = TakeRefusal(context_)) {
          methods->ModifySendStatus(*refusal);
          code = refusal->error_code();
        }
      }
      Finish(code);
    }
    // The last touch of `this` before Proceed(): once it is called the call may finish, and
    // the observer be destroyed, on another thread.
    hooks_run_.fetch_add(1, std::memory_order_release);
    methods->Proceed();
  }

 private:
  void Authenticate(const std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    if (context_ == nullptr || caller_recorded_) return;
    peer_ = context_->peer();
    const std::shared_ptr<const grpc::AuthContext> auth = context_->auth_context();
    CallAttributes call;
    call.peer = peer_;
    call.auth_context = auth.get();
    call.metadata = metadata != nullptr ? metadata : &context_->client_metadata();
    absl::StatusOr<Caller> caller = shared_->authenticator->Authenticate(call);
    // The one place the access policy is applied: a refused caller is recorded as refused,
    // and every handler asks CallerOf (through Serve) before it does anything.
    if (caller.ok() && shared_->policy != nullptr) {
      department_ = caller->department;
      caller = shared_->policy->Admit(std::move(*caller), method_name_,
                                      shared_->authenticator->role_source());
    }
    RecordCaller(context_, std::move(caller));
    caller_recorded_ = true;
  }

  // Counts and logs the outcome; only the first call has an effect.
  void Finish(grpc::StatusCode code) {
    if (finished_.exchange(true)) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    metrics_.CallHandled(code, seconds);
    // No request content and no status message: messages may quote what the client sent.
    Log(code == grpc::StatusCode::OK ? LogLevel::kDebug : LogLevel::kInfo, "rpc finished",
        {{"service", shared_->service_name},
         {"method", method_name_},
         {"code", GrpcCodeName(code)},
         {"duration_ms", seconds * 1000.0},
         {"peer", peer_},
         {"department", department_}});
  }

  const std::shared_ptr<const CallObserverFactory::Shared> shared_;
  grpc::ServerContextBase* const context_;
  const std::string method_name_;
  GrpcServerProbe::MethodMetrics& metrics_;
  const std::chrono::steady_clock::time_point start_;
  std::string peer_;
  std::string department_;
  bool caller_recorded_ = false;
  std::atomic<bool> finished_{false};
  // Orders every hook before the destructor. gRPC destroys the observer (with the call's
  // ServerContext, on whichever thread ends the call) only after the last hook has called
  // Proceed(), but it orders the two through the call's reference count, and in the handlers
  // libgrpc++ compiles itself (the health service, the answer to an unknown method) that count
  // is an atomic in the uninstrumented library. Each hook's release increment before
  // Proceed() and the destructor's acquire load state the same ordering in our code, so the
  // hooks' writes (peer_, department_, gRPC's virtual call into Intercept) are visibly
  // ordered before the destructor reads and frees them (server_host_test,
  // service_runtime_test under ThreadSanitizer: docs/race-detector.md).
  std::atomic<int> hooks_run_{0};
};

}  // namespace

CallObserverFactory::CallObserverFactory(std::string service_name,
                                         std::shared_ptr<GrpcServerProbe> probe,
                                         std::shared_ptr<const Authenticator> authenticator,
                                         std::shared_ptr<const AccessPolicy> policy)
    : shared_(std::make_shared<const Shared>(Shared{std::move(service_name), std::move(probe),
                                                    std::move(authenticator),
                                                    std::move(policy)})) {}

grpc::experimental::Interceptor* CallObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallObserver(shared_, info);
}

}  // namespace jianguan::server_internal
