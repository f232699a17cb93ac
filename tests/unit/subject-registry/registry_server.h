// The registry's handler on a real RocksDB store and a loopback gRPC server, with a fake
// clock: what the service tests of tests/unit/subject-registry share. A test's fixture derives
// from it and adds its own helpers (requests, reads of the outbox).
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/code_table.h"
#include "libs/server/grpc_server.h"
#include "libs/store/store.h"
#include "libs/testing/fake_clock.h"
#include "libs/testing/temp_dir.h"
#include "prometheus/registry.h"
#include "services/subject-registry/registry_metrics.h"
#include "services/subject-registry/subject_service.h"
#include "services/subject-registry/subject_store.h"

namespace jianguan::subject::testing_support {

/// The data/ directory of the source tree (set by the test's CMake target).
inline std::string DataRoot() { return std::getenv("JG_DATA_ROOT"); }

class RegistryServer {
 public:
  /// Serves the registry from `start` (the fake clock's first instant); `notifications`, when
  /// given, turns dual notifications on (it must outlive the server).
  RegistryServer(absl::Time start, const std::string& name,
                 const NotificationRules* notifications = nullptr)
      : dir(name), clock(start) {
    store = *store::Store::Open(
        {.path = dir.path(), .families = SubjectStore::Families(), .sync_writes = false});
    service =
        std::make_unique<SubjectRegistryService>(*store, clock, regions, industries, &metrics);
    if (notifications != nullptr) service->EnableNotifications(*notifications);
    host = std::make_unique<ServiceHost>(ServiceHostOptions{.service_name = name});
    host->AddService(service.get());
    REQUIRE(host->Start().ok());
    stub = v1::SubjectRegistry::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", host->bound_port()), grpc::InsecureChannelCredentials()));
  }
  ~RegistryServer() { host->Shutdown(absl::Now() + absl::Seconds(5)); }
  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;

  ::jianguan::testing::TempDir dir;
  ::jianguan::testing::FakeClock clock;
  std::unique_ptr<store::Store> store;
  CodeTable regions = *CodeTable::Load(DataRoot() + "/regions.csv");
  CodeTable industries = *CodeTable::Load(DataRoot() + "/industries.csv");
  prometheus::Registry metrics_registry;
  RegistryMetrics metrics{metrics_registry};
  std::unique_ptr<SubjectRegistryService> service;
  std::unique_ptr<ServiceHost> host;
  std::unique_ptr<v1::SubjectRegistry::Stub> stub;
};

}  // namespace jianguan::subject::testing_support
