#include "libs/server/internal/unparsable_requests.h"

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/impl/rpc_service_method.h"
#include "libs/server/grpc_status.h"
#include "libs/server/internal/service_methods.h"
#include "libs/server/wire_text.h"

namespace jianguan::server_internal {
namespace {

using grpc::internal::MethodHandler;
using grpc::internal::RpcMethod;
using grpc::internal::RpcServiceMethod;

// The refusals of callback calls between the handler's RunHandler and the interceptor's
// PRE_SEND_STATUS, keyed by the call's context (as the callers of identity.cc).
struct RefusalTable {
  absl::Mutex mu;
  absl::flat_hash_map<const grpc::ServerContextBase*, grpc::Status> refusals ABSL_GUARDED_BY(mu);
};

// Never destroyed: calls may still finish while static destructors run at exit.
RefusalTable& Refusals() {
  static RefusalTable* const table = new RefusalTable;
  return *table;
}

void RecordRefusal(const grpc::ServerContextBase* context, grpc::Status refusal) {
  RefusalTable& table = Refusals();
  absl::MutexLock lock(&table.mu);
  table.refusals.insert_or_assign(context, std::move(refusal));
}

// The request's bytes as one contiguous string (a received buffer is usually one slice, but
// nothing promises it).
std::string BytesOf(grpc_byte_buffer* buffer) {
  std::string bytes;
  grpc_byte_buffer_reader reader;
  if (grpc_byte_buffer_reader_init(&reader, buffer) == 0) return bytes;
  grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
  grpc_byte_buffer_reader_destroy(&reader);
  bytes.assign(reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(all)), GRPC_SLICE_LENGTH(all));
  grpc_slice_unref(all);
  return bytes;
}

// Forwards to the method's own handler and explains its parse failures (see the header).
class RefusingHandler final : public MethodHandler {
 public:
  // `original` keeps the method's handler alive (RpcServiceMethod owns it and offers no way
  // to let go of it); `request_type` outlives the process (generated pool).
  RefusingHandler(std::unique_ptr<RpcServiceMethod> original,
                  const google::protobuf::Descriptor& request_type, bool callback)
      : original_(std::move(original)), request_type_(request_type), callback_(callback) {}

  void RunHandler(const HandlerParameter& param) override {
    // Only a refusal of Deserialize below can be INVALID_ARGUMENT here: gRPC's own failures
    // (no payload) are INTERNAL, and those are left as gRPC answers them.
    if (callback_ && param.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      RecordRefusal(param.server_context, param.status);
    }
    original_->handler()->RunHandler(param);
  }

  void* Deserialize(grpc_call* call, grpc_byte_buffer* request, grpc::Status* status,
                    void** handler_data) override {
    // The inner Deserialize destroys `request`; the copy only takes references to its slices.
    grpc_byte_buffer* const copy = request != nullptr ? grpc_byte_buffer_copy(request) : nullptr;
    void* parsed = original_->handler()->Deserialize(call, request, status, handler_data);
    if (copy != nullptr) {
      if (!status->ok()) *status = ToGrpcStatus(RefuseUnparsable(request_type_, BytesOf(copy)));
      grpc_byte_buffer_destroy(copy);
    }
    return parsed;
  }

 private:
  const std::unique_ptr<RpcServiceMethod> original_;
  const google::protobuf::Descriptor& request_type_;
  const bool callback_;
};

// True when a `type` message can hold a string field, at any depth (map keys and values
// included: a map is a repeated message).
bool HoldsText(const google::protobuf::Descriptor& type,
               absl::flat_hash_set<const google::protobuf::Descriptor*>& visited) {
  if (!visited.insert(&type).second) return false;  // recursive: counted where first met
  for (int i = 0; i < type.field_count(); ++i) {
    const google::protobuf::FieldDescriptor& field = *type.field(i);
    if (field.type() == google::protobuf::FieldDescriptor::TYPE_STRING) return true;
    if (field.message_type() != nullptr && HoldsText(*field.message_type(), visited)) return true;
  }
  return false;
}

// The request type of the method named "/package.Service/Method", when the generated pool
// knows it and it can hold text; null otherwise (nothing to explain).
const google::protobuf::Descriptor* TextRequestType(std::string_view grpc_name) {
  std::string name(grpc_name.substr(1));  // "/" first: checked by MethodsOf
  const size_t slash = name.rfind('/');
  if (slash == std::string::npos) return nullptr;
  name[slash] = '.';
  const google::protobuf::MethodDescriptor* method =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name);
  if (method == nullptr) return nullptr;
  absl::flat_hash_set<const google::protobuf::Descriptor*> visited;
  return HoldsText(*method->input_type(), visited) ? method->input_type() : nullptr;
}

}  // namespace

void RefuseUnparsableRequests(grpc::Service& service) {
  using ApiType = RpcServiceMethod::ApiType;
  for (std::unique_ptr<RpcServiceMethod>& method : MethodsOf(service)) {
    if (method == nullptr || method->handler() == nullptr) continue;  // generic, async
    if (dynamic_cast<RefusingHandler*>(method->handler()) != nullptr) continue;  // done before
    const ApiType api = method->api_type();
    if (api != ApiType::SYNC && api != ApiType::CALL_BACK) continue;  // raw: bytes parse
    // Only these two have the request deserialized by the server before the handler runs.
    if (method->method_type() != RpcMethod::NORMAL_RPC &&
        method->method_type() != RpcMethod::SERVER_STREAMING) {
      continue;
    }
    const google::protobuf::Descriptor* request_type = TextRequestType(method->name());
    if (request_type == nullptr) continue;

    // The method is replaced by one of the same name, type and API whose handler holds the
    // original method (and through it the original handler).
    const char* const name = method->name();
    const RpcMethod::RpcType type = method->method_type();
    auto handler = new RefusingHandler(std::move(method), *request_type, api == ApiType::CALL_BACK);
    method = std::make_unique<RpcServiceMethod>(name, type, handler);
    method->SetServerApiType(api);
  }
}

std::optional<grpc::Status> TakeRefusal(const grpc::ServerContextBase* context) {
  RefusalTable& table = Refusals();
  absl::MutexLock lock(&table.mu);
  auto it = table.refusals.find(context);
  if (it == table.refusals.end()) return std::nullopt;
  grpc::Status refusal = std::move(it->second);
  table.refusals.erase(it);
  return refusal;
}

void ForgetRefusal(const grpc::ServerContextBase* context) {
  RefusalTable& table = Refusals();
  absl::MutexLock lock(&table.mu);
  table.refusals.erase(context);
}

}  // namespace jianguan::server_internal
