#include "decision_id.h"

#include <chrono>
#include <random>

namespace smematch::server {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

DecisionIdGenerator::DecisionIdGenerator() {
  std::random_device rd;
  random40_ = ((static_cast<uint64_t>(rd()) << 32) ^ rd()) & ((uint64_t{1} << 40) - 1);
}

std::string DecisionIdGenerator::Next() {
  uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count()) &
                ((uint64_t{1} << 48) - 1);
  uint64_t count = counter_.fetch_add(1, std::memory_order_relaxed) & ((uint64_t{1} << 40) - 1);
  // 128 bits as two words: hi = 48-bit time, top 16 random bits; lo = low 24 random bits,
  // 40-bit counter.
  uint64_t hi = (ms << 16) | (random40_ >> 24);
  uint64_t lo = ((random40_ & 0xFFFFFF) << 40) | count;
  std::string id = "dec_";
  id.resize(4 + 26);
  // 26 characters x 5 bits = 130 bits: the first character carries the top 3 bits.
  for (int i = 25; i >= 0; --i) {
    id[4 + i] = kCrockford[lo & 31];
    lo = (lo >> 5) | (hi << 59);
    hi >>= 5;
  }
  return id;
}

bool IsDecisionId(std::string_view id) {
  if (id.size() != 30 || id.substr(0, 4) != "dec_") return false;
  for (char c : id.substr(4)) {
    bool ok = false;
    for (const char* k = kCrockford; *k; ++k) ok |= (*k == c);
    if (!ok) return false;
  }
  return true;
}

}  // namespace smematch::server
