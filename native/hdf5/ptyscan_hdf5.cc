// Thin N-API binding over the native HDF5 library (Debian's libhdf5) for the
// two things h5wasm cannot do: write chunks that were compressed outside HDF5
// (here by libdeflate, on several threads), and delete a link. Layout, typing
// and the h5rw encoding live in TypeScript (src/h5/native.ts); this file only
// checks what it needs to stay memory-safe. Calls are synchronous and must not
// overlap with another open of the same file (h5wasm's included).
#include <hdf5.h>
#include <libdeflate.h>
#include <napi.h>

#include <algorithm>
#include <atomic>
#ifdef __linux__
#include <sys/mman.h>
#endif
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "read.h"

namespace {

// The messages on HDF5's error stack, innermost last, as one line.
std::string StackText() {
  std::string text;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        auto* s = static_cast<std::string*>(out);
        if (e->desc != nullptr && e->desc[0] != '\0') {
          if (!s->empty()) *s += "; ";
          *s += e->desc;
        }
        return 0;
      },
      &text);
  H5Eclear2(H5E_DEFAULT);
  return text.empty() ? "no detail from HDF5" : text;
}

class Failure {
 public:
  explicit Failure(std::string message) : message_(std::move(message)) {}
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

template <typename T>
T Checked(T result, const std::string& what) {
  if (result < 0) throw Failure(what + " failed: " + StackText());
  return result;
}

// Closes an HDF5 identifier when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

hid_t FileType(const std::string& dtype) {
  if (dtype == "int8" || dtype == "bool") return H5T_STD_I8LE;
  if (dtype == "uint8") return H5T_STD_U8LE;
  if (dtype == "int16") return H5T_STD_I16LE;
  if (dtype == "uint16") return H5T_STD_U16LE;
  if (dtype == "int32") return H5T_STD_I32LE;
  if (dtype == "uint32") return H5T_STD_U32LE;
  if (dtype == "int64") return H5T_STD_I64LE;
  if (dtype == "uint64") return H5T_STD_U64LE;
  if (dtype == "float32") return H5T_IEEE_F32LE;
  if (dtype == "float64") return H5T_IEEE_F64LE;
  throw Failure("unsupported dtype " + dtype);
}

// Opens with the format bounds h5wasm writes our files with (1.10), so new
// objects carry checksums; a file that refuses those bounds opens with the defaults.
hid_t OpenFile(const std::string& file) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  Checked(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110), "H5Pset_libver_bounds");
  hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDWR, fapl.get());
  if (id < 0) {
    H5Eclear2(H5E_DEFAULT);
    id = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  }
  return Checked(id, "opening " + file + " for writing");
}

struct ArrayJob {
  std::string path;
  std::string dtype;
  std::vector<hsize_t> shape;
  size_t rowsPerChunk = 1;
  size_t rowBytes = 0;
  size_t rows = 0;
  // The whole array, or one row when `repeated`.
  const uint8_t* data = nullptr;
  bool repeated = false;
  std::vector<std::pair<std::string, std::string>> attributes;
  // For each HDF5 chunk, the compressed block it stores (repeated arrays share blocks).
  std::vector<size_t> blockOfChunk;
};

// One distinct chunk to compress: `rows` rows from `firstRow` of a job, padded
// with zeros to a whole chunk (HDF5 stores edge chunks at full size).
struct Block {
  size_t job = 0;
  size_t firstRow = 0;
  size_t rows = 0;
  size_t offset = 0;  // in the arena
  size_t capacity = 0;
  size_t size = 0;
};

// Memory for compressed output: mapped, not zero-filled, so the pages are
// first touched by the compressing threads in parallel, and offered for huge
// pages (on some virtual machines each 4 KiB page fault is expensive).
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

// Compressed output and scratch memory, kept between calls of one thread:
// fresh pages are slow to touch, and every chunk would need new ones.
struct Scratch {
  Arena arena;
  std::vector<std::vector<uint8_t>> tiles;
};
thread_local Scratch scratch;

std::vector<Block> PlanBlocks(std::vector<ArrayJob>& jobs) {
  std::vector<Block> blocks;
  for (size_t j = 0; j < jobs.size(); j++) {
    ArrayJob& job = jobs[j];
    const size_t chunks = (job.rows + job.rowsPerChunk - 1) / job.rowsPerChunk;
    size_t fullBlock = SIZE_MAX;
    for (size_t c = 0; c < chunks; c++) {
      const size_t first = c * job.rowsPerChunk;
      const size_t rows = std::min(job.rowsPerChunk, job.rows - first);
      if (job.repeated && rows == job.rowsPerChunk && fullBlock != SIZE_MAX) {
        job.blockOfChunk.push_back(fullBlock);
        continue;
      }
      if (job.repeated && rows == job.rowsPerChunk) fullBlock = blocks.size();
      job.blockOfChunk.push_back(blocks.size());
      blocks.push_back({j, first, rows, 0, 0, 0});
    }
  }
  return blocks;
}

void CompressBlock(libdeflate_compressor* compressor, const ArrayJob& job, Block& block,
                   std::vector<uint8_t>& tile, uint8_t* arena) {
  const size_t chunkBytes = job.rowsPerChunk * job.rowBytes;
  const uint8_t* source = job.data + block.firstRow * job.rowBytes;
  if (job.repeated || block.rows < job.rowsPerChunk) {
    tile.resize(chunkBytes);
    std::memset(tile.data() + block.rows * job.rowBytes, 0, chunkBytes - block.rows * job.rowBytes);
    for (size_t r = 0; r < block.rows; r++) {
      const uint8_t* row = job.repeated ? job.data : source + r * job.rowBytes;
      std::memcpy(tile.data() + r * job.rowBytes, row, job.rowBytes);
    }
    source = tile.data();
  }
  block.size =
      libdeflate_zlib_compress(compressor, source, chunkBytes, arena + block.offset, block.capacity);
}

// Compresses every block on `threads` threads into the calling thread's arena.
void CompressAll(const std::vector<ArrayJob>& jobs, std::vector<Block>& blocks, int level,
                 int threads) {
  libdeflate_compressor* sizer = libdeflate_alloc_compressor(level);
  if (sizer == nullptr) throw Failure("deflate compressor could not be made (out of memory?)");
  size_t total = 0;
  for (Block& block : blocks) {
    const ArrayJob& job = jobs[block.job];
    block.offset = total;
    block.capacity = libdeflate_zlib_compress_bound(sizer, job.rowsPerChunk * job.rowBytes);
    total += block.capacity;
  }
  libdeflate_free_compressor(sizer);
  // The caller's scratch: thread_local names another one on each compressing thread.
  Scratch& local = scratch;
  local.arena.Reserve(total);
  const size_t count = std::max<size_t>(1, std::min<size_t>(threads, blocks.size()));
  if (local.tiles.size() < count) local.tiles.resize(count);
  std::vector<char> failed(count, 0);
  // Blocks are handed out one at a time, not split up front: a thread that
  // shares its core with other work (the caller preparing the next chunk)
  // then takes fewer blocks instead of holding everyone up at the end.
  std::atomic<size_t> next{0};
  auto run = [&](size_t worker) {
    libdeflate_compressor* compressor = libdeflate_alloc_compressor(level);
    if (compressor == nullptr) {
      failed[worker] = 1;
      return;
    }
    for (size_t b = next++; b < blocks.size(); b = next++) {
      CompressBlock(compressor, jobs[blocks[b].job], blocks[b], local.tiles[worker],
                    local.arena.data());
      if (blocks[b].size == 0) failed[worker] = 1;
    }
    libdeflate_free_compressor(compressor);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < count; t++) pool.emplace_back(run, t);
  run(0);
  for (auto& thread : pool) thread.join();
  if (std::find(failed.begin(), failed.end(), 1) != failed.end()) {
    throw Failure("deflate compression failed (out of memory?)");
  }
}

void WriteStringAttribute(hid_t object, const std::string& name, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  Checked(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size");
  Checked(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset");
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attribute(Checked(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                      H5P_DEFAULT),
                           "creating attribute " + name),
                   H5Aclose);
  const char* text = value.c_str();
  Checked(H5Awrite(attribute.get(), type.get(), &text), "writing attribute " + name);
}

void WriteJob(hid_t file, const ArrayJob& job, const std::vector<Block>& blocks, int level) {
  const int rank = static_cast<int>(job.shape.size());
  std::vector<hsize_t> chunkShape(job.shape);
  chunkShape[0] = job.rowsPerChunk;
  Handle space(Checked(H5Screate_simple(rank, job.shape.data(), job.shape.data()), "H5Screate_simple"),
               H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  Checked(H5Pset_chunk(dcpl.get(), rank, chunkShape.data()), "H5Pset_chunk");
  Checked(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(level)), "H5Pset_deflate");
  Handle dataset(Checked(H5Dcreate2(file, job.path.c_str(), FileType(job.dtype), space.get(),
                                    H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                         "creating " + job.path),
                 H5Dclose);
  std::vector<hsize_t> offset(rank, 0);
  for (size_t c = 0; c < job.blockOfChunk.size(); c++) {
    offset[0] = c * job.rowsPerChunk;
    const Block& block = blocks[job.blockOfChunk[c]];
    Checked(H5Dwrite_chunk(dataset.get(), H5P_DEFAULT, 0, offset.data(), block.size,
                           scratch.arena.data() + block.offset),
            "writing chunk " + std::to_string(c) + " of " + job.path);
  }
  for (const auto& [name, value] : job.attributes) WriteStringAttribute(dataset.get(), name, value);
}

std::string StringProperty(Napi::Object object, const char* key) {
  Napi::Value value = object.Get(key);
  if (!value.IsString()) throw Napi::TypeError::New(object.Env(), std::string(key) + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

ArrayJob ParseJob(Napi::Env env, Napi::Object spec) {
  ArrayJob job;
  job.path = StringProperty(spec, "path");
  job.dtype = StringProperty(spec, "dtype");
  Napi::Value shapeValue = spec.Get("shape");
  if (!shapeValue.IsArray()) throw Napi::TypeError::New(env, "shape must be an array");
  Napi::Array shape = shapeValue.As<Napi::Array>();
  if (shape.Length() < 1) throw Napi::TypeError::New(env, "shape must have at least one axis");
  size_t elements = 1;
  for (uint32_t i = 0; i < shape.Length(); i++) {
    const int64_t d = shape.Get(i).As<Napi::Number>().Int64Value();
    if (d < 1) throw Napi::RangeError::New(env, "every axis of shape must be >= 1");
    job.shape.push_back(static_cast<hsize_t>(d));
    elements *= static_cast<size_t>(d);
  }
  const int64_t rowsPerChunk = spec.Get("rowsPerChunk").As<Napi::Number>().Int64Value();
  if (rowsPerChunk < 1 || static_cast<hsize_t>(rowsPerChunk) > job.shape[0]) {
    throw Napi::RangeError::New(env, "rowsPerChunk must be 1..shape[0]");
  }
  job.rowsPerChunk = static_cast<size_t>(rowsPerChunk);
  job.repeated = spec.Get("repeated").ToBoolean().Value();
  Napi::Value dataValue = spec.Get("data");
  if (!dataValue.IsTypedArray()) throw Napi::TypeError::New(env, "data must be a typed array");
  // The raw call: it also gives the memory of typed arrays over a SharedArrayBuffer.
  napi_typedarray_type kind;
  size_t length = 0;
  void* pointer = nullptr;
  size_t byteOffset = 0;
  napi_value buffer;
  if (napi_get_typedarray_info(env, dataValue, &kind, &length, &pointer, &buffer, &byteOffset) !=
      napi_ok) {
    throw Napi::TypeError::New(env, "data: cannot read the typed array");
  }
  job.rows = static_cast<size_t>(job.shape[0]);
  const size_t bytes = dataValue.As<Napi::TypedArray>().ByteLength();
  job.rowBytes = elements / job.rows * H5Tget_size(FileType(job.dtype));
  if (bytes != (job.repeated ? job.rowBytes : job.rowBytes * job.rows)) {
    throw Napi::RangeError::New(env, "data does not match shape and dtype");
  }
  job.data = static_cast<const uint8_t*>(pointer);
  Napi::Value attributes = spec.Get("attributes");
  if (attributes.IsObject()) {
    Napi::Object object = attributes.As<Napi::Object>();
    Napi::Array names = object.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); i++) {
      std::string name = names.Get(i).As<Napi::String>().Utf8Value();
      job.attributes.emplace_back(name, StringProperty(object, name.c_str()));
    }
  }
  return job;
}

// writeArrays(file, arrays, level, threads): creates each array as a new
// gzip-filtered chunked dataset (chunks of whole rows) in an existing group.
Napi::Value WriteArrays(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsNumber() ||
      !info[3].IsNumber()) {
    throw Napi::TypeError::New(env, "writeArrays(file, arrays, level, threads)");
  }
  const std::string file = info[0].As<Napi::String>().Utf8Value();
  const int level = info[2].As<Napi::Number>().Int32Value();
  const int threads = std::max(1, info[3].As<Napi::Number>().Int32Value());
  if (level < 1 || level > 9) throw Napi::RangeError::New(env, "level must be 1..9");
  Napi::Array specs = info[1].As<Napi::Array>();
  std::vector<ArrayJob> jobs;
  try {
    for (uint32_t i = 0; i < specs.Length(); i++) {
      jobs.push_back(ParseJob(env, specs.Get(i).As<Napi::Object>()));
    }
    std::vector<Block> blocks = PlanBlocks(jobs);
    CompressAll(jobs, blocks, level, threads);
    Handle out(OpenFile(file), H5Fclose);
    for (const auto& job : jobs) WriteJob(out.get(), job, blocks, level);
    Checked(H5Fflush(out.get(), H5F_SCOPE_LOCAL), "flushing " + file);
  } catch (const Failure& failure) {
    throw Napi::Error::New(env, failure.message());
  }
  return env.Undefined();
}

// deleteLinks(file, paths): removes each link (the space is not reclaimed).
Napi::Value DeleteLinks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsArray()) {
    throw Napi::TypeError::New(env, "deleteLinks(file, paths)");
  }
  const std::string file = info[0].As<Napi::String>().Utf8Value();
  Napi::Array paths = info[1].As<Napi::Array>();
  try {
    Handle out(OpenFile(file), H5Fclose);
    for (uint32_t i = 0; i < paths.Length(); i++) {
      const std::string path = paths.Get(i).As<Napi::String>().Utf8Value();
      Checked(H5Ldelete(out.get(), path.c_str(), H5P_DEFAULT), "deleting " + path);
    }
  } catch (const Failure& failure) {
    throw Napi::Error::New(env, failure.message());
  }
  return env.Undefined();
}

// adviseHugePages(view): asks Linux to back the view's memory with transparent
// huge pages (where THP is set to "madvise"): first touching fresh memory then
// faults once per 2 MiB instead of once per 4 KiB. Returns whether it was applied.
Napi::Value AdviseHugePages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool applied = false;
#ifdef __linux__
  napi_typedarray_type kind;
  size_t length = 0;
  void* pointer = nullptr;
  size_t byteOffset = 0;
  napi_value buffer;
  if (info.Length() >= 1 && info[0].IsTypedArray() &&
      napi_get_typedarray_info(env, info[0], &kind, &length, &pointer, &buffer, &byteOffset) == napi_ok) {
    const size_t bytes = info[0].As<Napi::TypedArray>().ByteLength();
    const uintptr_t huge = 2u << 20;
    const uintptr_t start = (reinterpret_cast<uintptr_t>(pointer) + huge - 1) & ~(huge - 1);
    const uintptr_t end = (reinterpret_cast<uintptr_t>(pointer) + bytes) & ~(huge - 1);
    if (end > start) applied = madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE) == 0;
  }
#endif
  return Napi::Boolean::New(env, applied);
}

// threadSafe(): whether libhdf5 was built thread-safe (calls from several threads serialised).
Napi::Value ThreadSafe(const Napi::CallbackInfo& info) {
  hbool_t safe = false;
  H5is_library_threadsafe(&safe);
  return Napi::Boolean::New(info.Env(), safe);
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return Napi::String::New(info.Env(), std::to_string(major) + "." + std::to_string(minor) + "." +
                                           std::to_string(release));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("writeArrays", Napi::Function::New(env, WriteArrays));
  exports.Set("deleteLinks", Napi::Function::New(env, DeleteLinks));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("threadSafe", Napi::Function::New(env, ThreadSafe));
  exports.Set("adviseHugePages", Napi::Function::New(env, AdviseHugePages));
  ptyscan::RegisterRead(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(ptyscan_hdf5, Init)
