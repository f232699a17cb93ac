#include "services/sampling/domain/draw_rng.h"

#include <cstring>
#include <string>

namespace jianguan::sampling {

Digest DrawSeed(const Digest& secret, const Digest& plan_hash, const Digest& candidates_digest,
                const Digest& inspectors_digest, std::string_view entropy) {
  std::string bytes("jianguan-draw-v1/seed");
  bytes.push_back('\0');
  for (const Digest* part : {&secret, &plan_hash, &candidates_digest, &inspectors_digest}) {
    bytes.append(reinterpret_cast<const char*>(part->data()), part->size());
  }
  uint32_t length = static_cast<uint32_t>(entropy.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    bytes.push_back(static_cast<char>((length >> shift) & 0xff));
  }
  bytes.append(entropy);
  return Sha256(bytes);
}

DrawRng::DrawRng(const Digest& seed) { std::memcpy(input_, seed.data(), 32); }

void DrawRng::Refill() {
  for (int i = 0; i < 8; ++i) {
    input_[32 + i] = static_cast<uint8_t>(block_index_ >> (56 - 8 * i));
  }
  ++block_index_;
  const Digest digest = Sha256(
      std::string_view(reinterpret_cast<const char*>(input_), sizeof input_));
  const uint8_t* block = digest.data();
  for (int w = 0; w < 4; ++w) {
    uint64_t word = 0;
    for (int i = 0; i < 8; ++i) word = word << 8 | block[8 * w + i];
    words_[w] = word;
  }
  next_word_ = 0;
}

uint64_t DrawRng::Next() {
  if (next_word_ == 4) Refill();
  ++words_used_;
  return words_[next_word_++];
}

void DrawRng::SkipTo(uint64_t index) {
  block_index_ = index / 4;
  Refill();
  next_word_ = static_cast<int>(index % 4);
  words_used_ = index;
}

uint64_t DrawRng::Uniform(uint64_t n) {
  // 2^64 mod n computed in 64 bits: (2^64 − n) mod n == 2^64 mod n.
  const uint64_t remainder = (0 - n) % n;
  const uint64_t limit = 0 - remainder;  // 2^64 − remainder; 0 stands for 2^64 (remainder 0)
  while (true) {
    uint64_t w = Next();
    if (remainder == 0 || w < limit) return w % n;
  }
}

}  // namespace jianguan::sampling
