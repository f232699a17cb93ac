// A request that proto3 refuses to parse (text that is not UTF-8, bytes that are not a
// message) is answered INVALID_ARGUMENT naming each field by its path, by a real ServiceHost
// on loopback, for methods of the synchronous and the callback API alike, before any handler
// runs; valid requests are served as before. Test services implement a few methods of the
// registry's contract; requests are hand-built wire bytes sent raw.
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.pb.h"
#include "jianguan/subject/v1/subject.grpc.pb.h"
#include "libs/core/field_violations.h"
#include "libs/core/text_checks.h"
#include "libs/server/grpc_status.h"
#include "libs/server/wire_text.h"
#include "libs/testing/field_names.h"
#include "libs/testing/metrics_scrape.h"
#include "libs/testing/raw_call.h"
#include "libs/testing/service_fixture.h"
#include "prometheus/registry.h"

namespace jianguan {
namespace {

namespace v1 = jianguan::subject::v1;
using testing::FieldNames;
using testing::LengthDelimited;
using Names = std::set<std::string>;

constexpr char kList[] = "/jianguan.subject.v1.SubjectRegistry/ListSubjects";
constexpr char kExport[] = "/jianguan.subject.v1.SubjectRegistry/ExportSubjects";
constexpr char kGet[] = "/jianguan.subject.v1.SubjectRegistry/GetSubject";
constexpr char kUpdate[] = "/jianguan.subject.v1.SubjectRegistry/UpdateSubject";
constexpr char kImport[] = "/jianguan.subject.v1.SubjectRegistry/ImportSubjects";

constexpr char kNotUtf8[] = "\xff\xfe";

// ListSubjectsRequest{filter: {name_prefix: text}} (filter = 1, name_prefix = 1).
std::string ListRequest(std::string_view name_prefix) {
  return LengthDelimited(1, LengthDelimited(1, name_prefix));
}
// ExportSubjectsRequest{filter: {tag: text}} (filter = 1, tag = 6).
std::string ExportRequest(std::string_view tag) {
  return LengthDelimited(1, LengthDelimited(6, tag));
}
// GetSubjectRequest{uscc: text}.
std::string GetRequest(std::string_view uscc) { return LengthDelimited(1, uscc); }

// The synchronous API, as most handlers of the suite: each method echoes the text it got.
class SyncRegistry final : public v1::SubjectRegistry::Service {
 public:
  grpc::Status ListSubjects(grpc::ServerContext*, const v1::ListSubjectsRequest* request,
                            v1::ListSubjectsResponse* response) override {
    ++calls;
    response->add_subjects()->set_name(request->filter().name_prefix());
    return grpc::Status::OK;
  }
  grpc::Status ExportSubjects(grpc::ServerContext*, const v1::ExportSubjectsRequest* request,
                              grpc::ServerWriter<v1::ExportSubjectsResponse>* writer) override {
    ++calls;
    v1::ExportSubjectsResponse batch;
    batch.add_subjects()->add_tags(request->filter().tag());
    writer->Write(batch);
    return grpc::Status::OK;
  }
  // A typed bidirectional stream: one answer per batch read.
  grpc::Status ImportSubjects(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<v1::ImportSubjectsResponse, v1::ImportSubjectsRequest>* stream)
      override {
    ++calls;
    v1::ImportSubjectsRequest batch;
    while (stream->Read(&batch)) {
      ++batches_read;
      v1::ImportSubjectsResponse answer;
      answer.set_accepted(batch.rows_size());
      stream->Write(answer);
    }
    return grpc::Status::OK;
  }

  std::atomic<int> calls{0};
  std::atomic<int> batches_read{0};
};

// The callback API, as the suite's point reads.
class CallbackRegistry final : public v1::SubjectRegistry::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetSubject(grpc::CallbackServerContext* context,
                                       const v1::GetSubjectRequest* request,
                                       v1::Subject* response) override {
    ++calls;
    response->set_uscc(request->uscc());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  grpc::ServerWriteReactor<v1::ExportSubjectsResponse>* ExportSubjects(
      grpc::CallbackServerContext*, const v1::ExportSubjectsRequest* request) override {
    ++calls;
    return new OneBatch(request->filter().tag());
  }

  std::atomic<int> calls{0};

 private:
  class OneBatch final : public grpc::ServerWriteReactor<v1::ExportSubjectsResponse> {
   public:
    explicit OneBatch(const std::string& tag) {
      batch_.add_subjects()->add_tags(tag);
      StartWriteAndFinish(&batch_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnDone() override { delete this; }

   private:
    v1::ExportSubjectsResponse batch_;
  };
};

// The refusal a client can act on: INVALID_ARGUMENT, text that is valid UTF-8 whatever was
// sent, every violation described.
void CheckRefusal(const grpc::Status& status) {
  INFO(status.error_message());
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(IsValidUtf8(status.error_message()));
  for (const FieldViolation& v : FieldViolationsOf(status)) {
    CHECK(IsValidUtf8(v.field));
    CHECK(IsValidUtf8(v.description));
  }
}

SCENARIO("text that is not UTF-8 is refused naming the field, on the synchronous API",
         "[host][utf8]") {
  SyncRegistry service;
  testing::InProcessServer served({&service});

  WHEN("a unary request holds it in a nested field") {
    const grpc::Status status = testing::RawUnaryCall(*served.channel(), kList,
                                                      ListRequest(kNotUtf8), *testing::CallAs(""));
    THEN("the field is named by its path and the handler never ran") {
      CheckRefusal(status);
      CHECK(FieldNames(status) == Names{"filter.name_prefix"});
      const std::vector<FieldViolation> violations = FieldViolationsOf(status);
      REQUIRE(violations.size() == 1);
      CHECK(violations[0].description == "is not valid UTF-8");
      CHECK(status.error_message() == "filter.name_prefix: is not valid UTF-8");
      CHECK(service.calls == 0);
    }
  }
  WHEN("a server-streaming request holds it") {
    std::vector<std::string> answers;
    const grpc::Status status = testing::RawServerStreamCall(
        *served.channel(), kExport, ExportRequest(kNotUtf8), *testing::CallAs(""), &answers);
    THEN("the stream ends with the refusal and nothing was streamed") {
      CheckRefusal(status);
      CHECK(FieldNames(status) == Names{"filter.tag"});
      CHECK(answers.empty());
      CHECK(service.calls == 0);
    }
  }
  WHEN("several fields hold it, one of them an element of a repeated field") {
    // UpdateSubjectRequest{request_id = 1, subject = 2 {name = 2, tags = 14}}; the test
    // service does not implement UpdateSubject: the refusal comes before the handler.
    const std::string subject = LengthDelimited(2, "小吃店\xc3\x28") + LengthDelimited(14, "ok") +
                                LengthDelimited(14, kNotUtf8);
    const grpc::Status status = testing::RawUnaryCall(
        *served.channel(), kUpdate, LengthDelimited(1, "\xe4\xb8") + LengthDelimited(2, subject),
        *testing::CallAs(""));
    THEN("every one is named, in the order sent") {
      CheckRefusal(status);
      CHECK(FieldNames(status) == Names{"request_id", "subject.name", "subject.tags[1]"});
    }
  }
  WHEN("the same requests carry valid text") {
    std::string answer;
    const grpc::Status listed = testing::RawUnaryCall(
        *served.channel(), kList, ListRequest("义乌市"), *testing::CallAs(""), &answer);
    std::vector<std::string> batches;
    const grpc::Status exported = testing::RawServerStreamCall(
        *served.channel(), kExport, ExportRequest("food-business"), *testing::CallAs(""), &batches);
    THEN("they are served as before") {
      REQUIRE(listed.ok());
      v1::ListSubjectsResponse list;
      REQUIRE(list.ParseFromString(answer));
      REQUIRE(list.subjects_size() == 1);
      CHECK(list.subjects(0).name() == "义乌市");
      REQUIRE(exported.ok());
      REQUIRE(batches.size() == 1);
      v1::ExportSubjectsResponse batch;
      REQUIRE(batch.ParseFromString(batches[0]));
      CHECK(batch.subjects(0).tags(0) == "food-business");
      CHECK(service.calls == 2);
    }
  }
}

SCENARIO("text that is not UTF-8 is refused naming the field, on the callback API",
         "[host][utf8]") {
  CallbackRegistry service;
  testing::InProcessServer served({&service});

  WHEN("a unary request holds it") {
    const grpc::Status status = testing::RawUnaryCall(*served.channel(), kGet, GetRequest(kNotUtf8),
                                                      *testing::CallAs(""));
    THEN("the refusal names it where gRPC alone answers UNIMPLEMENTED") {
      CheckRefusal(status);
      CHECK(FieldNames(status) == Names{"uscc"});
      CHECK(service.calls == 0);
    }
    THEN("the host's metrics count the call as INVALID_ARGUMENT") {
      const auto handled = [&](const std::string& code) {
        return testing::SampleOf(*served.host().registry(), "grpc_server_handled_total",
                                 {{"grpc_service", "jianguan.subject.v1.SubjectRegistry"},
                                  {"grpc_method", "GetSubject"},
                                  {"grpc_type", "unary"},
                                  {"grpc_code", code}})
            .value;
      };
      CHECK(handled("INVALID_ARGUMENT") == 1);
      CHECK(handled("UNIMPLEMENTED") == 0);
    }
  }
  WHEN("a server-streaming request holds it") {
    std::vector<std::string> answers;
    const grpc::Status status = testing::RawServerStreamCall(
        *served.channel(), kExport, ExportRequest(kNotUtf8), *testing::CallAs(""), &answers);
    THEN("the stream ends with the refusal") {
      CheckRefusal(status);
      CHECK(FieldNames(status) == Names{"filter.tag"});
      CHECK(answers.empty());
      CHECK(service.calls == 0);
    }
  }
  WHEN("the requests carry valid text") {
    std::string answer;
    const grpc::Status got = testing::RawUnaryCall(
        *served.channel(), kGet, GetRequest("92330782MA0000001X"), *testing::CallAs(""), &answer);
    std::vector<std::string> batches;
    const grpc::Status exported = testing::RawServerStreamCall(
        *served.channel(), kExport, ExportRequest("food-business"), *testing::CallAs(""), &batches);
    THEN("they are served as before") {
      REQUIRE(got.ok());
      v1::Subject subject;
      REQUIRE(subject.ParseFromString(answer));
      CHECK(subject.uscc() == "92330782MA0000001X");
      REQUIRE(exported.ok());
      CHECK(batches.size() == 1);
      CHECK(service.calls == 2);
    }
  }
  WHEN("many calls are refused and served in turn") {
    // Each refusal is recorded for its call and taken by that call's status; none lingers to
    // change the answer of a later call.
    for (int i = 0; i < 20; ++i) {
      const bool bad = i % 2 == 0;
      const grpc::Status status =
          testing::RawUnaryCall(*served.channel(), kGet, GetRequest(bad ? kNotUtf8 : "ok"),
                                *testing::CallAs(""));
      INFO(i);
      CHECK(status.error_code() ==
            (bad ? grpc::StatusCode::INVALID_ARGUMENT : grpc::StatusCode::OK));
    }
    CHECK(service.calls == 10);
  }
}

SCENARIO("bytes that are not a message are refused as such", "[host][utf8]") {
  SyncRegistry service;
  testing::InProcessServer served({&service});

  WHEN("the request is cut inside its first field") {
    const std::string cut = ListRequest("义乌市").substr(0, 4);
    const grpc::Status status =
        testing::RawUnaryCall(*served.channel(), kList, cut, *testing::CallAs(""));
    THEN("the request as a whole is named") {
      CheckRefusal(status);
      CHECK(FieldNames(status) == Names{"request"});
    }
  }
  WHEN("a nested message is not one") {
    const grpc::Status status = testing::RawUnaryCall(
        *served.channel(), kList, LengthDelimited(1, "\x0a\x09short"), *testing::CallAs(""));
    THEN("the nested message is named") {
      CheckRefusal(status);
      CHECK(FieldNames(status) == Names{"filter"});
    }
  }
  CHECK(service.calls == 0);
}

SCENARIO("a request larger than the host takes is refused before it is parsed", "[host]") {
  SyncRegistry service;
  testing::InProcessServer served({&service});
  // 5 MiB of valid text: only its size is wrong (the host's default limit is 4 MiB).
  const std::string huge = ListRequest(std::string(5 << 20, 'a'));
  const grpc::Status status =
      testing::RawUnaryCall(*served.channel(), kList, huge, *testing::CallAs("330700-SCJG"));
  CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(service.calls == 0);
  // A request within the limit is served.
  CHECK(testing::RawUnaryCall(*served.channel(), kList, ListRequest(std::string(1 << 20, 'a')),
                              *testing::CallAs("330700-SCJG"))
            .ok());
}

SCENARIO("a request with a great many bad fields gets a refusal the client can read",
         "[host][utf8]") {
  // Every name travels twice in the trailers (grpc-message and the details), whose size a
  // client limits (8 KiB by default): the first fields are named, and how many more.
  SyncRegistry service;
  testing::InProcessServer served({&service});
  std::string subject;
  for (int i = 0; i < 2000; ++i) subject += LengthDelimited(14, kNotUtf8);  // Subject.tags
  const grpc::Status status =
      testing::RawUnaryCall(*served.channel(), kUpdate, LengthDelimited(2, subject),
                            *testing::CallAs(""));
  CheckRefusal(status);
  const std::vector<FieldViolation> violations = FieldViolationsOf(status);
  REQUIRE(violations.size() == kMaxUnparsableFieldsNamed + 1);
  CHECK(violations.front().field == "subject.tags[0]");
  CHECK(violations[kMaxUnparsableFieldsNamed - 1].field ==
        absl::StrCat("subject.tags[", kMaxUnparsableFieldsNamed - 1, "]"));
  CHECK(violations.back().field == "request");
  CHECK(violations.back().description == absl::StrCat("and ", 2000 - kMaxUnparsableFieldsNamed,
                                                      " more fields are refused as above"));
}

SCENARIO("a streamed message that does not parse ends the handler's reading, and nothing breaks",
         "[host][utf8]") {
  // gRPC deserializes a client's streamed messages inside the handler's Read, with no hook
  // that sees the bytes (libs/server/internal/unparsable_requests.h): the handler sees the end
  // of the stream. Streams that carry text read their rows raw instead (the registry's
  // import, risk's readings).
  SyncRegistry service;
  testing::InProcessServer served({&service});
  // ImportSubjectsRequest{rows = 1 {subject = 2 {name = 2}}}.
  const auto batch = [](std::string_view name) {
    return LengthDelimited(1, LengthDelimited(2, LengthDelimited(2, name)));
  };
  std::vector<std::string> answers;
  const grpc::Status status =
      testing::RawStreamCall(*served.channel(), kImport, {batch("甲"), batch(kNotUtf8), batch("乙")},
                             *testing::CallAs(""), &answers);
  CHECK(service.calls == 1);
  CHECK(service.batches_read == 1);
  CHECK(answers.size() == 1);
  CHECK(status.ok());

  THEN("the host goes on serving") {
    const grpc::Status listed =
        testing::RawUnaryCall(*served.channel(), kList, ListRequest("ok"), *testing::CallAs(""));
    CHECK(listed.ok());
  }
}

SCENARIO("a service served again by another host refuses and serves as before",
         "[host][utf8]") {
  CallbackRegistry service;
  for (int round = 0; round < 2; ++round) {
    INFO("host " << round);
    testing::InProcessServer served({&service});
    const grpc::Status refused = testing::RawUnaryCall(
        *served.channel(), kGet, GetRequest(kNotUtf8), *testing::CallAs(""));
    CHECK(FieldNames(refused) == Names{"uscc"});
    CHECK(testing::RawUnaryCall(*served.channel(), kGet, GetRequest("ok"), *testing::CallAs(""))
              .ok());
  }
  CHECK(service.calls == 2);
}

// A recursive message type, as no request of the suite has today: message Node { string
// name = 1; Node child = 2; }.
const google::protobuf::Descriptor& NodeType(google::protobuf::DescriptorPool& pool) {
  google::protobuf::FileDescriptorProto file;
  file.set_name("node.proto");
  file.set_package("jianguan.testing");
  file.set_syntax("proto3");
  google::protobuf::DescriptorProto* node = file.add_message_type();
  node->set_name("Node");
  google::protobuf::FieldDescriptorProto* name = node->add_field();
  name->set_name("name");
  name->set_number(1);
  name->set_type(google::protobuf::FieldDescriptorProto::TYPE_STRING);
  name->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  google::protobuf::FieldDescriptorProto* child = node->add_field();
  child->set_name("child");
  child->set_number(2);
  child->set_type(google::protobuf::FieldDescriptorProto::TYPE_MESSAGE);
  child->set_type_name(".jianguan.testing.Node");
  child->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  REQUIRE(pool.BuildFile(file) != nullptr);
  return *pool.FindMessageTypeByName("jianguan.testing.Node");
}

SCENARIO("the walk that names the fields stops where protobuf's parser does", "[utf8]") {
  google::protobuf::DescriptorPool pool;
  const google::protobuf::Descriptor& node = NodeType(pool);
  const auto nested = [](int depth) {
    std::string bytes = LengthDelimited(1, kNotUtf8);
    for (int i = 0; i < depth; ++i) bytes = LengthDelimited(2, bytes);
    return bytes;
  };

  WHEN("the bad text is a few levels down") {
    FieldViolations violations;
    CHECK(ExplainUnparsable(node, nested(3), "", violations));
    THEN("its path goes through each level") {
      REQUIRE(violations.violations().size() == 1);
      CHECK(violations.violations()[0].field == "child.child.child.name");
    }
  }
  WHEN("the messages nest deeper than 100 levels") {
    FieldViolations violations;
    CHECK_FALSE(ExplainUnparsable(node, nested(5000), "", violations));
    THEN("the level past the limit is named, not walked") {
      REQUIRE(violations.violations().size() == 1);
      CHECK(violations.violations()[0].description == "is nested too deeply");
      CHECK(violations.violations()[0].field.size() == std::string("child.").size() * 101 - 1);
    }
  }
}

}  // namespace
}  // namespace jianguan
