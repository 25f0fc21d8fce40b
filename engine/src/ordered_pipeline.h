// Internal: the work queue of the batch pipelines (screening, impact). A reader submits
// numbered chunks, workers take and complete them in any order, and one writer receives them
// back in submission order. At most `max_in_flight` chunks exist at once, which bounds memory
// whatever the input size. Thread-safe.
#ifndef SMEMATCH_ENGINE_SRC_ORDERED_PIPELINE_H_
#define SMEMATCH_ENGINE_SRC_ORDERED_PIPELINE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

namespace smematch {

// `Chunk` has a public `uint64_t seq`, set by the submitter from 0 upwards.
template <typename Chunk>
class OrderedPipeline {
 public:
  explicit OrderedPipeline(size_t max_in_flight) : max_in_flight_(max_in_flight) {}

  // Queues `chunk` for a worker; blocks while max_in_flight chunks are out (until Abort).
  void Submit(std::unique_ptr<Chunk> chunk) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return in_flight_ < max_in_flight_ || aborted_; });
    ++in_flight_;
    work_.push_back(std::move(chunk));
    work_ready_.notify_one();
  }
  // Returns the next chunk to work on, or nullptr once Close was called and none is left.
  std::unique_ptr<Chunk> Take() {
    std::unique_lock lock(mu_);
    work_ready_.wait(lock, [&] { return !work_.empty() || closed_; });
    if (work_.empty()) return nullptr;
    auto c = std::move(work_.front());
    work_.pop_front();
    return c;
  }
  void Complete(std::unique_ptr<Chunk> chunk) {
    std::lock_guard lock(mu_);
    uint64_t seq = chunk->seq;
    done_[seq] = std::move(chunk);
    done_ready_.notify_all();
  }
  // Returns chunk `seq` once complete, or nullptr when the input ended before it.
  std::unique_ptr<Chunk> Next(uint64_t seq) {
    std::unique_lock lock(mu_);
    done_ready_.wait(lock, [&] { return done_.count(seq) || (closed_ && seq >= total_); });
    auto it = done_.find(seq);
    if (it == done_.end()) return nullptr;
    auto c = std::move(it->second);
    done_.erase(it);
    --in_flight_;
    room_.notify_one();
    return c;
  }
  // Says that `total` chunks were submitted in all.
  void Close(uint64_t total) {
    std::lock_guard lock(mu_);
    closed_ = true;
    total_ = total;
    work_ready_.notify_all();
    done_ready_.notify_all();
  }
  // Lets Submit return at once (the writer failed; the reader is stopping).
  void Abort() {
    std::lock_guard lock(mu_);
    aborted_ = true;
    room_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable work_ready_, done_ready_, room_;
  std::deque<std::unique_ptr<Chunk>> work_;
  std::map<uint64_t, std::unique_ptr<Chunk>> done_;
  size_t max_in_flight_;
  size_t in_flight_ = 0;
  bool closed_ = false;
  bool aborted_ = false;
  uint64_t total_ = 0;
};

}  // namespace smematch

#endif  // SMEMATCH_ENGINE_SRC_ORDERED_PIPELINE_H_
