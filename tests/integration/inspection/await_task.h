// For integration tests that drive a task of the real inspection binary: waits until the
// binary shows the task and has read the catalogue topic to its end.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "jianguan/inspection/v1/inspection.grpc.pb.h"
#include "libs/testing/service_binary.h"

namespace jianguan::testing {

// The task comes from one consumer group (task sources: draws, alerts, commitments), its
// forms and inspectors from another (the catalogue), which may join later: accepting a task
// attaches the forms known by then, and a result on a task without forms is refused. So
// both are waited for; REQUIRE-fails after `deadline`.
inline void AwaitInspectionTask(const ServiceBinary& binary, const std::string& task,
                                const std::string& department, absl::Time deadline) {
  auto stub = inspection::v1::Inspection::NewStub(binary.channel());
  for (;;) {
    grpc::ClientContext context;
    context.AddMetadata("x-jg-department", department);
    context.AddMetadata("x-jg-user", "LEAD");
    inspection::v1::GetTaskRequest get;
    get.set_name(task);
    inspection::v1::Task found;
    if (stub->GetTask(&context, get, &found).ok()) break;
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(200));
  }
  while (binary.Lag("inspection-catalogue") != 0) {
    REQUIRE(absl::Now() < deadline);
    absl::SleepFor(absl::Milliseconds(200));
  }
}

}  // namespace jianguan::testing
