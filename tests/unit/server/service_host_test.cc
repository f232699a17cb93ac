// A real ServiceHost on loopback port 0: health, /metrics, caller identity, graceful shutdown.
#include "libs/server/grpc_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/client_unary_call.h"
#include "grpcpp/impl/rpc_service_method.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/method_handler.h"
#include "libs/server/identity.h"
#include "libs/testing/metrics_scrape.h"
#include "prometheus/registry.h"

namespace jianguan {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

constexpr char kHoldMethod[] = "/jianguan.testing.v1.Hold/Hold";

// A one-method service for the tests, written by hand (no test proto): Hold reports who
// called and, when asked, blocks until the test releases it, so a call can be kept in flight.
class HoldService final : public grpc::Service {
 public:
  HoldService() {
    AddMethod(new grpc::internal::RpcServiceMethod(
        kHoldMethod, grpc::internal::RpcMethod::NORMAL_RPC,
        new grpc::internal::RpcMethodHandler<HoldService, HealthCheckRequest,
                                             HealthCheckResponse, grpc::protobuf::MessageLite,
                                             grpc::protobuf::MessageLite>(
            [](HoldService* service, grpc::ServerContext* context,
               const HealthCheckRequest* request, HealthCheckResponse* response) {
              return service->Hold(context, request, response);
            },
            this)));
  }

  // Requests whose service field is "hold" wait for Release().
  grpc::Status Hold(grpc::ServerContext* context, const HealthCheckRequest* request,
                    HealthCheckResponse* response) {
    absl::StatusOr<Caller> caller = CallerOf(context);
    if (!caller.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(caller.status().message()));
    }
    {
      absl::MutexLock lock(&mu_);
      last_caller_ = *caller;
    }
    if (request->service() == "hold") {
      entered_.Notify();
      release_.WaitForNotification();
      finished_ = true;
    }
    response->set_status(HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }

  Caller last_caller() {
    absl::MutexLock lock(&mu_);
    return last_caller_;
  }

  absl::Notification entered_;
  absl::Notification release_;
  std::atomic<bool> finished_{false};

 private:
  absl::Mutex mu_;
  Caller last_caller_;
};

grpc::Status CallHold(grpc::Channel& channel, std::string_view department, bool hold) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  if (!department.empty()) context.AddMetadata("x-jg-department", std::string(department));
  context.AddMetadata("x-jg-user", "inspector-17");
  HealthCheckRequest request;
  if (hold) request.set_service("hold");
  HealthCheckResponse response;
  return grpc::internal::BlockingUnaryCall<HealthCheckRequest, HealthCheckResponse,
                                           grpc::protobuf::MessageLite,
                                           grpc::protobuf::MessageLite>(
      &channel, grpc::internal::RpcMethod(kHoldMethod, grpc::internal::RpcMethod::NORMAL_RPC),
      &context, request, &response);
}

std::shared_ptr<grpc::Channel> ChannelTo(const ServiceHost& host) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(host.bound_port()),
                             grpc::InsecureChannelCredentials());
}

// Health Check of the whole server ("" service), without any identity metadata.
grpc::Status CheckHealth(grpc::Channel& channel, HealthCheckResponse* response,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  auto stub = Health::NewStub(std::shared_ptr<grpc::Channel>(&channel, [](auto*) {}));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  return stub->Check(&context, HealthCheckRequest(), response);
}

using testing::HttpGet;
using testing::SampleValue;

ServiceHostOptions TestOptions() {
  ServiceHostOptions options;
  options.service_name = "server-test";
  options.host = "127.0.0.1";
  options.grpc_port = 0;
  return options;
}

SCENARIO("a started host answers health checks without identity", "[host]") {
  ServiceHost host(TestOptions());
  REQUIRE(host.Start().ok());
  REQUIRE(host.bound_port() > 0);
  CHECK(host.metrics_port() == 0);  // none asked for

  HealthCheckResponse response;
  const grpc::Status status = CheckHealth(*ChannelTo(host), &response);
  REQUIRE(status.ok());
  CHECK(response.status() == HealthCheckResponse::SERVING);

  AND_THEN("a second Start is refused") {
    CHECK(host.Start().code() == absl::StatusCode::kFailedPrecondition);
  }
}

// One ListServices exchange on the reflection stream, spoken with the generic stub: the
// request is ServerReflectionRequest{list_services: ""} (field 7), written out by hand so the
// test needs no copy of reflection.proto. Returns the raw response bytes.
std::string ListServicesByReflection(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto call = stub.PrepareCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  const auto step = [&](int expected) {
    REQUIRE(cq.Next(&tag, &ok));
    REQUIRE(tag == reinterpret_cast<void*>(expected));
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  REQUIRE(step(1));
  const char request_bytes[] = {0x3a, 0x00};
  grpc::Slice slice(request_bytes, sizeof request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  REQUIRE(step(2));
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  REQUIRE(step(3));
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  std::vector<grpc::Slice> slices;
  REQUIRE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes;
}

SCENARIO("server reflection lists the services a host serves", "[host]") {
  ServiceHost host(TestOptions());
  REQUIRE(host.Start().ok());
  const std::string listing = ListServicesByReflection(ChannelTo(host));
  CHECK(listing.find("grpc.health.v1.Health") != std::string::npos);
  CHECK(listing.find("grpc.reflection.v1alpha.ServerReflection") != std::string::npos);
}

SCENARIO("a port that is taken makes Start fail, not crash", "[host]") {
  ServiceHost first(TestOptions());
  REQUIRE(first.Start().ok());
  ServiceHostOptions options = TestOptions();
  options.grpc_port = first.bound_port();
  ServiceHost second(options);
  const absl::Status status = second.Start();
  CHECK(status.code() == absl::StatusCode::kUnavailable);
  CHECK(second.bound_port() == 0);
}

SCENARIO("/metrics shows per-method gRPC metrics in Prometheus text format", "[host][metrics]") {
  HoldService hold;
  ServiceHostOptions options = TestOptions();
  options.metrics_port = 0;
  options.registry = std::make_shared<prometheus::Registry>();
  ServiceHost host(options);
  host.AddService(&hold);
  REQUIRE(host.Start().ok());
  REQUIRE(host.metrics_port() > 0);
  CHECK(host.registry() == options.registry);

  auto channel = ChannelTo(host);
  for (int i = 0; i < 3; ++i) {
    HealthCheckResponse response;
    REQUIRE(CheckHealth(*channel, &response).ok());
  }
  CHECK(CallHold(*channel, "", false).error_code() == grpc::StatusCode::UNAUTHENTICATED);

  const std::string response = HttpGet(host.metrics_port(), "/metrics");
  INFO(response);
  REQUIRE(response.rfind("HTTP/1.", 0) == 0);
  CHECK(response.find(" 200 ") != std::string::npos);
  CHECK(response.find("# TYPE grpc_server_handled_total counter") != std::string::npos);
  CHECK(response.find("# TYPE grpc_server_handling_seconds histogram") != std::string::npos);

  const std::vector<std::string> check = {R"(grpc_service="grpc.health.v1.Health")",
                                          R"(grpc_method="Check")", R"(grpc_type="unary")"};
  std::vector<std::string> ok = check;
  ok.push_back(R"(grpc_code="OK")");
  CHECK(SampleValue(response, "grpc_server_started_total", check) == 3);
  CHECK(SampleValue(response, "grpc_server_handled_total", ok) == 3);
  std::vector<std::string> fastest = check;
  fastest.push_back(R"(le="0.0005")");
  CHECK(SampleValue(response, "grpc_server_handling_seconds_bucket", fastest) >= 0);
  std::vector<std::string> all = check;
  all.push_back(R"(le="+Inf")");
  CHECK(SampleValue(response, "grpc_server_handling_seconds_bucket", all) == 3);
  CHECK(SampleValue(response, "grpc_server_handled_total",
                    {R"(grpc_service="jianguan.testing.v1.Hold")", R"(grpc_method="Hold")",
                     R"(grpc_code="UNAUTHENTICATED")"}) == 1);
}

SCENARIO("handlers get the caller the host authenticated", "[host][identity]") {
  HoldService hold;
  ServiceHost host(TestOptions());
  host.AddService(&hold);
  REQUIRE(host.Start().ok());
  auto channel = ChannelTo(host);

  WHEN("a loopback call names its department") {
    const grpc::Status status = CallHold(*channel, "330700-SCJG", false);
    THEN("CallerOf in the handler returns it") {
      REQUIRE(status.ok());
      CHECK(hold.last_caller() == Caller{"330700-SCJG", "inspector-17", ""});
    }
  }
  WHEN("a call names no department") {
    const grpc::Status status = CallHold(*channel, "", false);
    THEN("the handler refuses it with the authenticator's message") {
      CHECK(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
      CHECK_THAT(status.error_message(), Catch::Contains("x-jg-department"));
    }
  }
}

SCENARIO("a public service answers anyone on the public port, and nowhere else",
         "[host][public]") {
  HoldService lists;
  ServiceHostOptions options = TestOptions();
  options.public_port = 0;
  ServiceHost host(options);
  host.AddPublicService(&lists);
  REQUIRE(host.Start().ok());
  REQUIRE(host.public_port() > 0);
  CHECK(host.public_port() != host.bound_port());
  auto open = grpc::CreateChannel("127.0.0.1:" + std::to_string(host.public_port()),
                                  grpc::InsecureChannelCredentials());

  WHEN("it is called without a department, or claiming one") {
    THEN("it answers, and the handler sees the anonymous public caller, not the claim") {
      REQUIRE(CallHold(*open, "", false).ok());
      CHECK(lists.last_caller() == Caller{.system = "public"});
      REQUIRE(CallHold(*open, "330700-SCJG", false).ok());
      CHECK(lists.last_caller() == Caller{.system = "public"});
    }
  }
  WHEN("it is called on the main port") {
    THEN("it is not served there") {
      CHECK(CallHold(*ChannelTo(host), "330700-SCJG", false).error_code() ==
            grpc::StatusCode::UNIMPLEMENTED);
    }
  }
  WHEN("the host shuts down") {
    host.Shutdown(absl::Now() + absl::Seconds(5));
    THEN("the public port closes with it") { CHECK(host.public_port() == 0); }
  }
}

SCENARIO("without a public port the public services are not served at all", "[host][public]") {
  HoldService lists;
  ServiceHost host(TestOptions());
  host.AddPublicService(&lists);
  REQUIRE(host.Start().ok());
  CHECK(host.public_port() == 0);
  CHECK(CallHold(*ChannelTo(host), "330700-SCJG", false).error_code() ==
        grpc::StatusCode::UNIMPLEMENTED);
}

SCENARIO("the health port answers only health, in plaintext, and follows the server's status",
         "[host][health]") {
  HoldService hold;
  ServiceHostOptions options = TestOptions();
  options.health_port = 0;
  ServiceHost host(options);
  host.AddService(&hold);
  REQUIRE(host.Start().ok());
  REQUIRE(host.health_port() > 0);
  CHECK(host.health_port() != host.bound_port());
  auto health = grpc::CreateChannel("127.0.0.1:" + std::to_string(host.health_port()),
                                    grpc::InsecureChannelCredentials());

  HealthCheckResponse response;
  REQUIRE(CheckHealth(*health, &response).ok());
  CHECK(response.status() == HealthCheckResponse::SERVING);

  WHEN("a service's method is called on the health port") {
    THEN("it is not there") {
      CHECK(CallHold(*health, "330700-SCJG", false).error_code() ==
            grpc::StatusCode::UNIMPLEMENTED);
      CHECK(CallHold(*ChannelTo(host), "330700-SCJG", false).ok());
    }
  }
  WHEN("the host can no longer do its work") {
    host.MarkNotServing();
    THEN("the health port says NOT_SERVING, like the main port") {
      REQUIRE(CheckHealth(*health, &response).ok());
      CHECK(response.status() == HealthCheckResponse::NOT_SERVING);
      REQUIRE(CheckHealth(*ChannelTo(host), &response).ok());
      CHECK(response.status() == HealthCheckResponse::NOT_SERVING);
    }
  }
  WHEN("the host shuts down while a call is in flight") {
    std::thread caller([&] { CallHold(*ChannelTo(host), "330700-SCJG", true).ok(); });
    REQUIRE(hold.entered_.WaitForNotificationWithTimeout(absl::Seconds(10)));
    std::thread stopper([&] { host.Shutdown(absl::Now() + absl::Seconds(20)); });
    THEN("the health port answers NOT_SERVING while the call drains, then closes") {
      bool not_serving = false;
      for (int i = 0; i < 500 && !not_serving; ++i) {
        not_serving = CheckHealth(*health, &response).ok() &&
                      response.status() == HealthCheckResponse::NOT_SERVING;
        if (!not_serving) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      CHECK(not_serving);
      hold.release_.Notify();
      caller.join();
      stopper.join();
      CHECK(host.health_port() == 0);
      CHECK_FALSE(CheckHealth(*health, &response, std::chrono::milliseconds(500)).ok());
    }
  }
}

SCENARIO("/metrics shows when the certificates expire", "[host][metrics]") {
  ServiceHostOptions options = TestOptions();
  options.metrics_port = 0;
  options.certificate_expiry = {{"serving", absl::FromUnixSeconds(1'900'000'000)},
                                {"ca", absl::FromUnixSeconds(2'000'000'000)}};
  ServiceHost host(options);
  REQUIRE(host.Start().ok());
  const std::string response = HttpGet(host.metrics_port(), "/metrics");
  INFO(response);
  CHECK(SampleValue(response, "jianguan_tls_certificate_expiry_timestamp_seconds",
                    {R"(certificate="serving")"}) == 1'900'000'000);
  CHECK(SampleValue(response, "jianguan_tls_certificate_expiry_timestamp_seconds",
                    {R"(certificate="ca")"}) == 2'000'000'000);
}

SCENARIO("graceful shutdown: NOT_SERVING, no new calls, in-flight calls finish, then hooks",
         "[host][shutdown]") {
  HoldService hold;
  ServiceHost host(TestOptions());
  host.AddService(&hold);
  std::atomic<int> hooks_run{0};
  std::atomic<bool> hold_finished_before_hook{false};
  host.AddShutdownHook([&] {
    hold_finished_before_hook = hold.finished_.load();
    ++hooks_run;
  });
  host.AddShutdownHook([&] { ++hooks_run; });
  REQUIRE(host.Start().ok());
  auto channel = ChannelTo(host);

  // A health watcher, to see the status change.
  auto stub = Health::NewStub(channel);
  grpc::ClientContext watch_context;
  auto watch = stub->Watch(&watch_context, HealthCheckRequest());
  HealthCheckResponse seen;
  REQUIRE(watch->Read(&seen));
  CHECK(seen.status() == HealthCheckResponse::SERVING);

  // A call in flight.
  grpc::Status hold_status;
  std::thread caller([&] { hold_status = CallHold(*channel, "330700-SCJG", true); });
  REQUIRE(hold.entered_.WaitForNotificationWithTimeout(absl::Seconds(10)));

  std::thread stopper([&] { host.Shutdown(absl::Now() + absl::Seconds(20)); });

  REQUIRE(watch->Read(&seen));
  CHECK(seen.status() == HealthCheckResponse::NOT_SERVING);
  watch_context.TryCancel();  // a watch would otherwise hold the server until the deadline
  watch->Finish().IgnoreError();

  // New calls are refused while the held call is still running.
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    HealthCheckResponse response;
    refused = !CheckHealth(*channel, &response, std::chrono::milliseconds(500)).ok();
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(refused);
  CHECK(hooks_run == 0);

  hold.release_.Notify();
  caller.join();
  stopper.join();
  CHECK(hold_status.ok());
  CHECK(hooks_run == 2);
  CHECK(hold_finished_before_hook);
  CHECK(host.bound_port() > 0);

  AND_THEN("shutting down again does nothing") {
    host.Shutdown(absl::Now());
    CHECK(hooks_run == 2);
  }
}

SCENARIO("WaitForTermination shuts down on SIGTERM, or when another thread shuts down",
         "[host][shutdown]") {
  ServiceHost host(TestOptions());
  std::atomic<bool> hook_run{false};
  host.AddShutdownHook([&] { hook_run = true; });
  REQUIRE(host.Start().ok());
  ServiceHost::CatchTerminationSignals();

  WHEN("SIGTERM arrives") {
    std::thread waiter([&] { host.WaitForTermination(); });
    REQUIRE(kill(getpid(), SIGTERM) == 0);
    waiter.join();
    THEN("the host is shut down and its hooks have run") {
      CHECK(hook_run);
      HealthCheckResponse response;
      CHECK_FALSE(CheckHealth(*ChannelTo(host), &response, std::chrono::seconds(1)).ok());
    }
  }
  WHEN("another thread calls Shutdown") {
    std::thread waiter([&] { host.WaitForTermination(); });
    host.Shutdown(absl::Now() + absl::Seconds(5));
    waiter.join();
    THEN("WaitForTermination returns") { CHECK(hook_run); }
  }
}

}  // namespace
}  // namespace jianguan
