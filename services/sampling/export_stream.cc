#include "services/sampling/export_stream.h"

namespace jianguan::sampling {

void ChunkStream::Write(std::string_view bytes) {
  digest_.Update(bytes);
  buffer_.append(bytes);
  // Keep at least one byte back, so that Finish always has a last chunk to mark.
  while (buffer_.size() > kExportChunkBytes && !broken_) {
    Send(std::string_view(buffer_).substr(0, kExportChunkBytes), false);
    buffer_.erase(0, kExportChunkBytes);
  }
}

grpc::Status ChunkStream::Finish() {
  if (!broken_) Send(buffer_, true);
  if (broken_) return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
  return grpc::Status::OK;
}

void ChunkStream::Send(std::string_view data, bool last) {
  v1::ExportChunk chunk;
  chunk.set_data(std::string(data));
  chunk.set_offset(sent_);
  sent_ += static_cast<int64_t>(data.size());
  if (last) {
    chunk.set_total_size(sent_);
    chunk.set_sha256(HexOf(digest_.Finish()));
  }
  if (!writer_->Write(chunk)) broken_ = true;
}

}  // namespace jianguan::sampling
