// The streamed exports' wire form (ExportVerificationPackage, ExportPublicResult): a
// document written to a gRPC server stream in chunks as it is produced, the last chunk
// carrying the document's size and SHA-256 so the client can check what it assembled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "grpcpp/support/sync_stream.h"
#include "jianguan/sampling/v1/sampling.pb.h"
#include "services/sampling/domain/draw_hash.h"

namespace jianguan::sampling {

/// Size of one streamed export chunk.
inline constexpr size_t kExportChunkBytes = 1 << 20;

/// Not thread-safe: one per call.
class ChunkStream {
 public:
  explicit ChunkStream(grpc::ServerWriter<v1::ExportChunk>* writer) : writer_(writer) {}

  /// Appends `bytes` to the document, sending every full chunk.
  void Write(std::string_view bytes);
  /// Sends the last chunk; CANCELLED when the client went away before.
  grpc::Status Finish();

 private:
  void Send(std::string_view data, bool last);

  grpc::ServerWriter<v1::ExportChunk>* writer_;
  Sha256Stream digest_;
  std::string buffer_;
  int64_t sent_ = 0;
  bool broken_ = false;
};

}  // namespace jianguan::sampling
