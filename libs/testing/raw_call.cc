#include "libs/testing/raw_call.h"

#include <memory>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"
#include "grpcpp/impl/client_unary_call.h"
#include "grpcpp/impl/rpc_method.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/sync_stream.h"
#include "libs/server/wire_text.h"

namespace jianguan::testing {

using grpc::internal::RpcMethod;

std::string LengthDelimited(int field_number, std::string_view bytes) {
  using google::protobuf::internal::WireFormatLite;
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.WriteTag(
        WireFormatLite::MakeTag(field_number, WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    coded.WriteVarint32(static_cast<uint32_t>(bytes.size()));
    coded.WriteRaw(bytes.data(), static_cast<int>(bytes.size()));
  }
  return out;
}

grpc::Status RawUnaryCall(grpc::Channel& channel, const std::string& method,
                          std::string_view request, grpc::ClientContext& context,
                          std::string* response) {
  grpc::ByteBuffer answer;
  const grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      &channel, RpcMethod(method.c_str(), RpcMethod::NORMAL_RPC), &context,
      BufferOf(std::string(request)), &answer);
  if (response != nullptr) *response = status.ok() ? BytesOf(answer) : "";
  return status;
}

grpc::Status RawServerStreamCall(grpc::Channel& channel, const std::string& method,
                                 std::string_view request, grpc::ClientContext& context,
                                 std::vector<std::string>* responses) {
  std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
      grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(
          &channel, RpcMethod(method.c_str(), RpcMethod::SERVER_STREAMING), &context,
          BufferOf(std::string(request))));
  grpc::ByteBuffer answer;
  while (reader->Read(&answer)) {
    if (responses != nullptr) responses->push_back(BytesOf(answer));
  }
  return reader->Finish();
}

grpc::Status RawStreamCall(grpc::Channel& channel, const std::string& method,
                           const std::vector<std::string>& requests, grpc::ClientContext& context,
                           std::vector<std::string>* responses) {
  // Bidirectional on the client's side: on the wire a client stream is the same, and the
  // server's method type decides how many answers come.
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          &channel, RpcMethod(method.c_str(), RpcMethod::BIDI_STREAMING), &context));
  for (const std::string& request : requests) {
    if (!stream->Write(BufferOf(request))) break;  // the server has answered already
  }
  stream->WritesDone();
  grpc::ByteBuffer answer;
  while (stream->Read(&answer)) {
    if (responses != nullptr) responses->push_back(BytesOf(answer));
  }
  return stream->Finish();
}

}  // namespace jianguan::testing
