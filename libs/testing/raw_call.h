// Calls that send bytes the test built, whatever the method's request type is: what a client
// library may refuse to send or a hostile client sends anyway (text that is not UTF-8, a
// message cut short). A request built as a message and serialized keeps its invalid text:
// protobuf's C++ serializer only logs it.
//
//   v1::CreateItemRequest request = ValidRequest();
//   request.mutable_item()->set_name("\xff");
//   grpc::Status s = testing::RawUnaryCall(*server.channel(),
//       "/jianguan.catalogue.v1.Catalogue/CreateItem", request.SerializeAsString(),
//       *testing::CallAs("330700-SCJG"));
//   CHECK(testing::FieldNames(s) == std::set<std::string>{"item.name"});
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace jianguan::testing {

/// The wire form of one length-delimited field (a string, bytes or message field): tag,
/// length, `bytes`. Nest calls for a field inside a message field.
std::string LengthDelimited(int field_number, std::string_view bytes);

/// Sends `request` to the unary `method` ("/package.Service/Method"); the answer's bytes go
/// to `response` when given.
grpc::Status RawUnaryCall(grpc::Channel& channel, const std::string& method,
                          std::string_view request, grpc::ClientContext& context,
                          std::string* response = nullptr);

/// Sends `request` to the server-streaming `method` and reads every answer (into `responses`
/// when given) until the status.
grpc::Status RawServerStreamCall(grpc::Channel& channel, const std::string& method,
                                 std::string_view request, grpc::ClientContext& context,
                                 std::vector<std::string>* responses = nullptr);

/// Writes `requests` in order to the client- or bidirectional-streaming `method` (until the
/// server stops reading), closes the client's side, reads every answer (into `responses`
/// when given) and returns the status.
grpc::Status RawStreamCall(grpc::Channel& channel, const std::string& method,
                           const std::vector<std::string>& requests, grpc::ClientContext& context,
                           std::vector<std::string>* responses = nullptr);

}  // namespace jianguan::testing
