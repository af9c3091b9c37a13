// Chunk compression outside HDF5: HDF5's byte shuffle, then deflate (zlib
// format) by ISA-L's igzip (level 1, when the addon is built with it) or
// libdeflate, on a pool of threads that lives as long as the thread that
// calls it. The pool keeps each thread's compressors and scratch memory and
// the compressed output between calls: on some virtual machines touching
// fresh memory costs more than compressing into memory touched before.
#include "encode.h"

#include <libdeflate.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "common.h"
#ifdef __linux__
#include <sys/mman.h>
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#ifdef PTYSCAN_HAVE_ISAL
#include <isa-l.h>
#endif

namespace ptyscan {
namespace {

// Memory for compressed output: mapped, not zero-filled, so the pages are
// first touched by the compressing threads in parallel, and offered for huge pages.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() { Release(); }

  uint8_t* data() const { return base_; }

  // Grows to at least `bytes` (the old contents are not kept).
  void Reserve(size_t bytes) {
    if (bytes <= size_) return;
    Release();
    void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw Failure("no memory for " + std::to_string(bytes) + " bytes of compressed output");
#ifdef MADV_HUGEPAGE
    madvise(mapped, bytes, MADV_HUGEPAGE);
#endif
    base_ = static_cast<uint8_t*>(mapped);
    size_ = bytes;
  }

 private:
  void Release() {
    if (base_ != nullptr) munmap(base_, size_);
    base_ = nullptr;
    size_ = 0;
  }
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
};

// One compressing thread's tools, kept between calls.
struct Worker {
  std::vector<uint8_t> tile;      // a padded or repeated chunk
  std::vector<uint8_t> shuffled;  // a chunk after the byte shuffle
  libdeflate_compressor* compressors[13] = {};
#ifdef PTYSCAN_HAVE_ISAL
  std::vector<uint8_t> isalLevelBuffer;
#endif
  Worker() = default;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() {
    for (auto* c : compressors) {
      if (c != nullptr) libdeflate_free_compressor(c);
    }
  }
  libdeflate_compressor* Compressor(int level) {
    if (compressors[level] == nullptr) compressors[level] = libdeflate_alloc_compressor(level);
    return compressors[level];
  }
};

// Helper threads that run one task at a time with the calling thread.
class Pool {
 public:
  Pool() { workers_.emplace_back(new Worker()); }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

  // Runs task(w) for w = 0..count-1 at the same time: 0 on this thread.
  void Run(size_t count, const std::function<void(Worker&)>& task) {
    count = std::max<size_t>(1, count);
    while (workers_.size() < count) workers_.emplace_back(new Worker());
    while (threads_.size() + 1 < count) {
      const size_t index = threads_.size() + 1;
      threads_.emplace_back([this, index] { Serve(index); });
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &task;
      wanted_ = count - 1;
      pending_ = count - 1;
      generation_++;
    }
    wake_.notify_all();
    task(*workers_[0]);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
  }

  Arena arena;

 private:
  void Serve(size_t index) {
    size_t seen = 0;
    for (;;) {
      const std::function<void(Worker&)>* task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || (generation_ != seen && index <= wanted_); });
        if (stop_) return;
        seen = generation_;
        task = task_;
      }
      (*task)(*workers_[index]);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_--;
      }
      done_.notify_one();
    }
  }

  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(Worker&)>* task_ = nullptr;
  size_t generation_ = 0;
  size_t wanted_ = 0;
  size_t pending_ = 0;
  bool stop_ = false;
};

// The calling thread's pool: every Node thread that compresses has its own.
Pool& ThisThreadPool() {
  thread_local Pool pool;
  return pool;
}

// One distinct chunk to compress.
struct Job {
  size_t input = 0;
  size_t firstRow = 0;
  size_t rows = 0;
  size_t capacity = 0;
};

#if defined(__SSE2__)
// 16 four-byte elements at a time: a 4x16 byte transpose in registers.
size_t Shuffle4Sse2(const uint8_t* in, uint8_t* out, size_t elements) {
  size_t i = 0;
  for (; i + 16 <= elements; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 4 * i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 4 * i + 16));
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 4 * i + 32));
    const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 4 * i + 48));
    const __m128i ab0 = _mm_unpacklo_epi8(a, b);
    const __m128i ab1 = _mm_unpackhi_epi8(a, b);
    const __m128i cd0 = _mm_unpacklo_epi8(c, d);
    const __m128i cd1 = _mm_unpackhi_epi8(c, d);
    const __m128i x0 = _mm_unpacklo_epi8(ab0, ab1);
    const __m128i x1 = _mm_unpackhi_epi8(ab0, ab1);
    const __m128i y0 = _mm_unpacklo_epi8(cd0, cd1);
    const __m128i y1 = _mm_unpackhi_epi8(cd0, cd1);
    const __m128i p0 = _mm_unpacklo_epi8(x0, x1);
    const __m128i p1 = _mm_unpackhi_epi8(x0, x1);
    const __m128i q0 = _mm_unpacklo_epi8(y0, y1);
    const __m128i q1 = _mm_unpackhi_epi8(y0, y1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_unpacklo_epi64(p0, q0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + elements + i), _mm_unpackhi_epi64(p0, q0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * elements + i), _mm_unpacklo_epi64(p1, q1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 3 * elements + i), _mm_unpackhi_epi64(p1, q1));
  }
  return i;
}
#endif

// Deflates `in` into `out` (zlib format); the size written, or 0 when it did not fit.
size_t Deflate(Worker& worker, const Pipeline& pipeline, const uint8_t* in, size_t bytes, uint8_t* out,
               size_t capacity) {
  const Engine engine = pipeline.engine == Engine::Auto ? EngineFor(pipeline.level) : pipeline.engine;
#ifdef PTYSCAN_HAVE_ISAL
  if (engine == Engine::Isal && pipeline.level >= 1 && pipeline.level <= 3) {
    const size_t need = pipeline.level == 1   ? ISAL_DEF_LVL1_DEFAULT
                        : pipeline.level == 2 ? ISAL_DEF_LVL2_DEFAULT
                                              : ISAL_DEF_LVL3_DEFAULT;
    if (worker.isalLevelBuffer.size() < need) worker.isalLevelBuffer.resize(need);
    isal_zstream stream;
    isal_deflate_stateless_init(&stream);
    stream.level = static_cast<uint32_t>(pipeline.level);
    stream.level_buf = worker.isalLevelBuffer.data();
    stream.level_buf_size = static_cast<uint32_t>(worker.isalLevelBuffer.size());
    stream.gzip_flag = IGZIP_ZLIB;
    stream.next_in = const_cast<uint8_t*>(in);
    stream.avail_in = static_cast<uint32_t>(bytes);
    stream.next_out = out;
    stream.avail_out = static_cast<uint32_t>(std::min<size_t>(capacity, UINT32_MAX));
    stream.end_of_stream = 1;
    stream.flush = NO_FLUSH;
    if (isal_deflate_stateless(&stream) == COMP_OK) return stream.total_out;
    // Data igzip cannot shrink into the room given: libdeflate stores it.
  }
#else
  (void)engine;
#endif
  libdeflate_compressor* compressor = worker.Compressor(std::clamp(pipeline.level, 0, 12));
  if (compressor == nullptr) return 0;
  return libdeflate_zlib_compress(compressor, in, bytes, out, capacity);
}

void CompressJob(Worker& worker, const EncodeInput& input, const Job& job, Block& block, uint8_t* arena) {
  const size_t chunkBytes = input.rowsPerChunk * input.rowBytes;
  const uint8_t* source = input.data + job.firstRow * input.rowBytes;
  if (input.repeated || job.rows < input.rowsPerChunk) {
    worker.tile.resize(chunkBytes);
    std::memset(worker.tile.data() + job.rows * input.rowBytes, 0, chunkBytes - job.rows * input.rowBytes);
    for (size_t r = 0; r < job.rows; r++) {
      const uint8_t* row = input.repeated ? input.data : source + r * input.rowBytes;
      std::memcpy(worker.tile.data() + r * input.rowBytes, row, input.rowBytes);
    }
    source = worker.tile.data();
  }
  if (input.pipeline.shuffle && input.itemSize > 1) {
    worker.shuffled.resize(chunkBytes);
    Shuffle(source, worker.shuffled.data(), chunkBytes, input.itemSize);
    source = worker.shuffled.data();
  }
  block.size = Deflate(worker, input.pipeline, source, chunkBytes, arena + block.offset, job.capacity);
}

}  // namespace

void Shuffle(const uint8_t* in, uint8_t* out, size_t bytes, size_t itemSize) {
  if (itemSize <= 1) {
    std::memcpy(out, in, bytes);
    return;
  }
  const size_t elements = bytes / itemSize;
  size_t done = 0;
#if defined(__SSE2__)
  if (itemSize == 4) done = Shuffle4Sse2(in, out, elements);
#endif
  for (size_t j = 0; j < itemSize; j++) {
    uint8_t* dst = out + j * elements;
    for (size_t i = done; i < elements; i++) dst[i] = in[i * itemSize + j];
  }
  // Bytes after the last whole element stay where they are, as in HDF5's filter.
  const size_t tail = bytes - elements * itemSize;
  if (tail > 0) std::memcpy(out + elements * itemSize, in + elements * itemSize, tail);
}

Engine EngineFor(int level) {
#ifdef PTYSCAN_HAVE_ISAL
  // Measured on shuffled diffraction frames: igzip level 1 is several times
  // faster than libdeflate level 1 at about the same size; above level 1
  // libdeflate compresses smaller.
  if (level == 1) return Engine::Isal;
#else
  (void)level;
#endif
  return Engine::Libdeflate;
}

bool HaveIsal() {
#ifdef PTYSCAN_HAVE_ISAL
  return true;
#else
  return false;
#endif
}

std::string EngineName(Engine engine) {
#ifdef PTYSCAN_HAVE_ISAL
  if (engine == Engine::Isal) {
    return "isa-l " + std::to_string(ISAL_MAJOR_VERSION) + "." + std::to_string(ISAL_MINOR_VERSION) + "." +
           std::to_string(ISAL_PATCH_VERSION);
  }
#else
  if (engine == Engine::Isal) return "isa-l (not built)";
#endif
  return std::string("libdeflate ") + LIBDEFLATE_VERSION_STRING;
}

Encoded Encode(const std::vector<EncodeInput>& inputs, int threads) {
  Encoded out;
  std::vector<Job> jobs;
  out.chunkBlocks.resize(inputs.size());
  size_t total = 0;
  for (size_t a = 0; a < inputs.size(); a++) {
    const EncodeInput& input = inputs[a];
    if (input.pipeline.level < 0 || input.pipeline.level > 12) {
      throw Failure("deflate level " + std::to_string(input.pipeline.level) + " is not 0..12");
    }
    const size_t chunkBytes = input.rowsPerChunk * input.rowBytes;
    // Room for data deflate cannot shrink (stored blocks) and the zlib wrapper.
    const size_t capacity = chunkBytes + chunkBytes / 8 + 1024;
    const size_t chunks = (input.rows + input.rowsPerChunk - 1) / input.rowsPerChunk;
    size_t fullBlock = SIZE_MAX;
    for (size_t c = 0; c < chunks; c++) {
      const size_t first = c * input.rowsPerChunk;
      const size_t rows = std::min(input.rowsPerChunk, input.rows - first);
      const bool full = rows == input.rowsPerChunk;
      if (input.repeated && full && fullBlock != SIZE_MAX) {
        out.chunkBlocks[a].push_back(fullBlock);
        continue;
      }
      if (input.repeated && full) fullBlock = jobs.size();
      out.chunkBlocks[a].push_back(jobs.size());
      jobs.push_back({a, first, rows, capacity});
      out.blocks.push_back({total, 0});
      total += capacity;
    }
  }
  Pool& pool = ThisThreadPool();
  pool.arena.Reserve(std::max<size_t>(total, 1));
  out.memory = pool.arena.data();
  uint8_t* arena = pool.arena.data();
  // Chunks are handed out one at a time, not split up front: a thread that
  // shares its core with other work then takes fewer instead of holding
  // everyone up at the end.
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  const size_t count = std::max<size_t>(1, std::min<size_t>(std::max(threads, 1), jobs.size()));
  pool.Run(count, [&](Worker& worker) {
    for (size_t j = next++; j < jobs.size(); j = next++) {
      CompressJob(worker, inputs[jobs[j].input], jobs[j], out.blocks[j], arena);
      if (out.blocks[j].size == 0) failed = true;
    }
  });
  if (failed) throw Failure("deflate compression failed (out of memory?)");
  return out;
}

}  // namespace ptyscan
