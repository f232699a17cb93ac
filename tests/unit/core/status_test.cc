// Specification of FieldViolations and the absl::Status <-> grpc::Status conversion.
#include <catch2/catch.hpp>

#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/core/field_violations.h"
#include "libs/server/grpc_status.h"

namespace jianguan {
namespace {

std::string Message(const absl::Status& s) { return std::string(s.message()); }

SCENARIO("a request with several bad fields is answered once, naming every field") {
  GIVEN("an empty collector") {
    FieldViolations violations;
    THEN("it is empty and its status is OK") {
      CHECK(violations.empty());
      CHECK(violations.ToStatus().ok());
    }
    WHEN("two fields are reported") {
      violations.Add("uscc", "check character should be X, found 1");
      violations.Add("subject.name", "must not be empty");
      const absl::Status status = violations.ToStatus();

      THEN("the status is INVALID_ARGUMENT and its message names both, in order") {
        CHECK_FALSE(violations.empty());
        CHECK(status.code() == absl::StatusCode::kInvalidArgument);
        CHECK(Message(status) ==
              "uscc: check character should be X, found 1; subject.name: must not be empty");
      }
      THEN("the violations can be read back from the status") {
        const std::vector<FieldViolation> back = FieldViolationsOf(status);
        REQUIRE(back.size() == 2);
        CHECK(back[0] == FieldViolation{"uscc", "check character should be X, found 1"});
        CHECK(back[1] == FieldViolation{"subject.name", "must not be empty"});
      }
    }
  }
}

SCENARIO("violations survive the trip to gRPC and back") {
  GIVEN("a status with violations") {
    FieldViolations violations;
    violations.Add("page_size", "must be between 1 and 1000, got 5000");
    violations.Add("filter.region_code", "unknown region 999999");
    const absl::Status status = violations.ToStatus();

    WHEN("it is converted to a grpc::Status") {
      const grpc::Status wire = ToGrpcStatus(status);

      THEN("code and message are the same") {
        CHECK(wire.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(wire.error_message() == Message(status));
      }
      THEN("the details are a google.rpc.Status holding a packed google.rpc.BadRequest") {
        google::rpc::Status details;
        REQUIRE(details.ParseFromString(wire.error_details()));
        CHECK(details.code() == static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
        CHECK(details.message() == wire.error_message());
        REQUIRE(details.details_size() == 1);
        CHECK(details.details(0).type_url() == "type.googleapis.com/google.rpc.BadRequest");
        google::rpc::BadRequest bad_request;
        REQUIRE(details.details(0).UnpackTo(&bad_request));
        REQUIRE(bad_request.field_violations_size() == 2);
        CHECK(bad_request.field_violations(1).field() == "filter.region_code");
      }
      THEN("a client reads the named fields from the grpc::Status") {
        const std::vector<FieldViolation> fields = FieldViolationsOf(wire);
        REQUIRE(fields.size() == 2);
        CHECK(fields[0].field == "page_size");
        CHECK(fields[1].field == "filter.region_code");
      }
      AND_WHEN("it is converted back") {
        const absl::Status back = FromGrpcStatus(wire);
        THEN("it equals the original, payload included") {
          CHECK(back == status);
          CHECK(FieldViolationsOf(back) == violations.violations());
        }
      }
    }
  }
}

SCENARIO("statuses without payloads convert plainly") {
  WHEN("the status is OK") {
    THEN("gRPC gets OK") { CHECK(ToGrpcStatus(absl::OkStatus()).ok()); }
  }
  WHEN("the status is a plain NOT_FOUND") {
    const grpc::Status wire = ToGrpcStatus(ResourceNotFound("subjects/91330782MA2EC8CX99"));
    THEN("the code and message carry over and there are no details") {
      CHECK(wire.error_code() == grpc::StatusCode::NOT_FOUND);
      CHECK(wire.error_message() == "resource not found: subjects/91330782MA2EC8CX99");
      CHECK(wire.error_details().empty());
      CHECK(FieldViolationsOf(wire).empty());
    }
  }
  WHEN("every canonical code goes through") {
    for (int code = 1; code <= 16; ++code) {
      const absl::Status s(static_cast<absl::StatusCode>(code), "x");
      CHECK(static_cast<int>(ToGrpcStatus(s).error_code()) == code);
      CHECK(FromGrpcStatus(ToGrpcStatus(s)) == s);
    }
  }
}

SCENARIO("helpers for single problems") {
  WHEN("one field is invalid") {
    const absl::Status s = InvalidField("uscc", "must be 18 characters, found 5");
    THEN("it reads like a one-entry collector") {
      CHECK(s.code() == absl::StatusCode::kInvalidArgument);
      CHECK(Message(s) == "uscc: must be 18 characters, found 5");
      REQUIRE(FieldViolationsOf(s).size() == 1);
    }
  }
  WHEN("a transition is not allowed") {
    const absl::Status s = FailedPrecondition("tasks/01JDQ7", "task is already closed");
    THEN("it is FAILED_PRECONDITION naming the resource, with a PreconditionFailure detail") {
      CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
      CHECK(Message(s) == "tasks/01JDQ7: task is already closed");
      CHECK(FieldViolationsOf(s).empty());
      google::rpc::Status details;
      REQUIRE(details.ParseFromString(ToGrpcStatus(s).error_details()));
      REQUIRE(details.details_size() == 1);
      google::rpc::PreconditionFailure failure;
      REQUIRE(details.details(0).UnpackTo(&failure));
      CHECK(failure.violations(0).subject() == "tasks/01JDQ7");
      CHECK(failure.violations(0).type() == "STATE");
    }
  }
}

SCENARIO("garbage details from a peer never break the client") {
  const grpc::Status wire(grpc::StatusCode::INTERNAL, "boom", "\xff\xff not a proto");
  const absl::Status back = FromGrpcStatus(wire);
  CHECK(back.code() == absl::StatusCode::kInternal);
  CHECK(Message(back) == "boom");
  CHECK(FieldViolationsOf(wire).empty());
}

}  // namespace
}  // namespace jianguan
