// The TCP floor's wire, shared by floor_server.cc (its `tcp` form) and the registry bench's
// client: fixed-size requests and answers on one connection, in order.
#pragma once

#include <unistd.h>

#include <cstddef>

namespace jianguan::subject::tcp_floor {

/// A GetSubject request and answer as the bench sends them are about these sizes on the
/// wire, framing left out. The first 8 bytes of an answer are its request's.
inline constexpr size_t kRequestBytes = 32;
inline constexpr size_t kAnswerBytes = 200;

/// Reads (or writes) all `n` bytes of `bytes` on `fd`; false when the connection ends.
inline bool Transfer(int fd, char* bytes, size_t n, bool reading) {
  while (n > 0) {
    const ssize_t done = reading ? ::read(fd, bytes, n) : ::write(fd, bytes, n);
    if (done <= 0) return false;
    bytes += done;
    n -= static_cast<size_t>(done);
  }
  return true;
}

}  // namespace jianguan::subject::tcp_floor
