// Decoding stored HDF5 chunks outside HDF5: the filters detector data is
// written with (bitshuffle and bitshuffle-LZ4, LZ4, deflate, shuffle,
// fletcher32, LZF), each undone here from its published format, so chunks
// read raw (H5Dread_chunk or straight from the file) can be decoded on
// several threads. Pure C++: no HDF5 call, safe on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

struct libdeflate_decompressor;

namespace ptyscan {

// One filter of a dataset's pipeline, in the order HDF5 applied it on writing.
struct FilterStep {
  unsigned id = 0;
  std::vector<unsigned> cd;
};

// A chunk that does not decode: corrupt, truncated, or not what its filter says.
class DecodeError : public std::runtime_error {
 public:
  explicit DecodeError(const std::string& message) : std::runtime_error(message) {}
};

// Whether every filter of `pipeline` is decoded here; else the id of the first that is not.
bool DecodesPipeline(const std::vector<FilterStep>& pipeline, unsigned* unknown);

// Decodes chunks; one per thread (it keeps scratch memory between chunks).
class ChunkDecoder {
 public:
  ChunkDecoder();
  ~ChunkDecoder();
  ChunkDecoder(const ChunkDecoder&) = delete;
  ChunkDecoder& operator=(const ChunkDecoder&) = delete;

  // Decodes the stored chunk `raw` (`rawSize` bytes, `mask`: bit i set when
  // filter i was skipped for it) into `out`, which holds `chunkBytes` bytes of
  // `elemSize`-byte elements. Only bytes [from, to) of `out` need to be right:
  // a bitshuffle-LZ4 chunk then decodes only the blocks that hold them.
  void Decode(const std::vector<FilterStep>& pipeline, uint32_t mask, const uint8_t* raw,
              size_t rawSize, uint8_t* out, size_t chunkBytes, size_t elemSize, size_t from,
              size_t to);

 private:
  libdeflate_decompressor* inflater_ = nullptr;
  std::vector<uint8_t> scratch_[2];
  std::vector<uint8_t> block_;
};

// Bitshuffle's inverse on `n` elements (a multiple of 8) of `elemSize` bytes:
// `in` holds 8 * elemSize bit rows of n / 8 bytes each. Exposed for the tests.
void BitUnshuffle(const uint8_t* in, uint8_t* out, size_t n, size_t elemSize);

}  // namespace ptyscan
