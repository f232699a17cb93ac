// A drawn plan's tasks as the sampling store keeps them (issue #19): for each task only what
// the frozen plan does not already hold, the subject's USCC and its inspectors' positions in
// the frozen pool, packed in chunks of kTasksPerChunk tasks, one store value a chunk. A
// province's 710,000 tasks are then 174 values of about 100 KB, written in one commit with
// the plan drawn, instead of 710,000 records that repeat the pool's names and certificates.
//
//   std::vector<std::string> chunks = PackTasks(input, result);   // chunk c: tasks
//                                                                 // c * kTasksPerChunk + 1 …
//   ASSIGN_OR_RETURN(std::vector<DrawnTask> tasks, UnpackTasks(chunks[c], pool.size()));
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/sampling/domain/draw.h"

namespace jianguan::sampling {

/// Tasks per packed chunk: about 100 KB of value with two inspectors a task.
inline constexpr size_t kTasksPerChunk = 4096;

/// One task of a drawn plan: its subject and its inspectors, slot order, as positions in the
/// frozen inspector pool. Its number is its position in the plan's task order, plus one.
struct DrawnTask {
  std::string uscc;
  std::vector<uint32_t> inspectors;
};

/// The draw's tasks in task order, packed in chunks of kTasksPerChunk (the last may be
/// shorter; none for a draw of no task). Each task is its 18-character USCC, one byte with
/// its number of inspectors, then each inspector's pool position as 4 bytes little-endian.
std::vector<std::string> PackTasks(const DrawInput& input, const DrawResult& result);

/// The tasks of one packed chunk. DATA_LOSS when the bytes are not a chunk PackTasks made
/// or name an inspector beyond a pool of `pool_size`.
absl::StatusOr<std::vector<DrawnTask>> UnpackTasks(std::string_view chunk, size_t pool_size);

/// The chunk holding task `number` (1-based) and its position in that chunk.
inline size_t ChunkOfTask(int64_t number) {
  return static_cast<size_t>(number - 1) / kTasksPerChunk;
}
inline size_t PlaceInChunk(int64_t number) {
  return static_cast<size_t>(number - 1) % kTasksPerChunk;
}

}  // namespace jianguan::sampling
