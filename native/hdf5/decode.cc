// Decoders of the HDF5 filters detector data is written with, from their
// published formats (see decode.h). Every length read from a chunk is
// checked against the chunk before it is used: a corrupt chunk is a
// DecodeError, never a read past its end.
#include "decode.h"

#include <libdeflate.h>
#include <lz4.h>

#include <algorithm>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ptyscan {
namespace {

constexpr unsigned kDeflate = 1;
constexpr unsigned kShuffle = 2;
constexpr unsigned kFletcher32 = 3;
constexpr unsigned kLzf = 32000;
constexpr unsigned kLz4 = 32004;
constexpr unsigned kBitshuffle = 32008;
// Bitshuffle's compression codes (cd_values[4]).
constexpr unsigned kBitshuffleNone = 0;
constexpr unsigned kBitshuffleLz4 = 2;

uint64_t Be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
  return v;
}

uint32_t Be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// Groups [g0, g1) of 8 elements, one 8x8 bit transpose per byte of an element.
void UnshuffleGroupsScalar(const uint8_t* in, uint8_t* out, size_t n, size_t es, size_t g0,
                           size_t g1) {
  const size_t rowBytes = n / 8;
  for (size_t g = g0; g < g1; g++) {
    for (size_t j = 0; j < es; j++) {
      // Byte b: bit row 8j + b (bit b of byte j) of elements 8g..8g+7, element e at bit e.
      uint64_t x = 0;
      for (size_t b = 0; b < 8; b++) x |= uint64_t(in[(8 * j + b) * rowBytes + g]) << (8 * b);
      // Bit 8b + e moves to 8e + b: byte e is then byte j of element 8g + e.
      uint64_t t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL;
      x ^= t ^ (t << 7);
      t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL;
      x ^= t ^ (t << 14);
      t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL;
      x ^= t ^ (t << 28);
      for (size_t e = 0; e < 8; e++) out[(8 * g + e) * es + j] = uint8_t(x >> (8 * e));
    }
  }
}

#if defined(__SSE2__)
// Sixteen bit rows (bytes j and j + 1 of the elements) of groups g0..g0+15:
// a 16x16 byte transpose gives each group's 16 row bytes in one register,
// whose sign bits are then two output bytes of its last element; shifting
// each byte left by one brings the next element's.
void UnshuffleTile(const uint8_t* in, uint8_t* out, size_t rowBytes, size_t es, size_t r0,
                   size_t g0) {
  __m128i a[16], b[16];
  for (int i = 0; i < 16; i++) {
    a[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + (r0 + i) * rowBytes + g0));
  }
  for (int i = 0; i < 8; i++) {
    b[2 * i] = _mm_unpacklo_epi8(a[2 * i], a[2 * i + 1]);
    b[2 * i + 1] = _mm_unpackhi_epi8(a[2 * i], a[2 * i + 1]);
  }
  for (int q = 0; q < 4; q++) {
    // Rows 4q..4q+3: b[4q], b[4q+1] (rows 4q, 4q+1) with b[4q+2], b[4q+3].
    const __m128i lo = b[4 * q], hi = b[4 * q + 1], lo2 = b[4 * q + 2], hi2 = b[4 * q + 3];
    a[4 * q] = _mm_unpacklo_epi16(lo, lo2);
    a[4 * q + 1] = _mm_unpackhi_epi16(lo, lo2);
    a[4 * q + 2] = _mm_unpacklo_epi16(hi, hi2);
    a[4 * q + 3] = _mm_unpackhi_epi16(hi, hi2);
  }
  // a[4q + m]: rows 4q..4q+3 of groups 4m..4m+3.
  for (int h = 0; h < 2; h++) {
    for (int m = 0; m < 4; m++) {
      b[8 * h + 2 * m] = _mm_unpacklo_epi32(a[8 * h + m], a[8 * h + 4 + m]);
      b[8 * h + 2 * m + 1] = _mm_unpackhi_epi32(a[8 * h + m], a[8 * h + 4 + m]);
    }
  }
  // b[8h + k]: rows 8h..8h+7 of groups 2k, 2k+1.
  for (int k = 0; k < 8; k++) {
    a[2 * k] = _mm_unpacklo_epi64(b[k], b[8 + k]);
    a[2 * k + 1] = _mm_unpackhi_epi64(b[k], b[8 + k]);
  }
  // a[q]: the 16 rows of group g0 + q.
  const size_t j = r0 / 8;
  for (int q = 0; q < 16; q++) {
    __m128i v = a[q];
    uint8_t* base = out + (8 * (g0 + q)) * es + j;
    for (int k = 7; k >= 0; k--) {
      const uint16_t bits = static_cast<uint16_t>(_mm_movemask_epi8(v));
      std::memcpy(base + k * es, &bits, 2);
      v = _mm_slli_epi16(v, 1);
    }
  }
}
#endif

// Bitshuffle's default block size (elements) for an element size.
size_t DefaultBlock(size_t es) {
  size_t block = 8192 / es;
  block -= block % 8;
  return std::max<size_t>(block, 128);
}

void Lz4Exact(const uint8_t* src, size_t srcSize, uint8_t* dst, size_t dstSize, const char* what) {
  if (srcSize > INT32_MAX || dstSize > INT32_MAX) throw DecodeError(std::string(what) + ": block too large");
  const int got = LZ4_decompress_safe(reinterpret_cast<const char*>(src), reinterpret_cast<char*>(dst),
                                      static_cast<int>(srcSize), static_cast<int>(dstSize));
  if (got != static_cast<int>(dstSize)) {
    throw DecodeError(std::string(what) + ": an LZ4 block does not decode to its " +
                      std::to_string(dstSize) + " bytes");
  }
}

// Bitshuffle (filter 32008): blocks of bit-transposed elements, LZ4-compressed
// or not, then fewer than 8 elements stored as they are. Returns the size.
size_t BitshuffleDecode(const FilterStep& step, const uint8_t* in, size_t inSize, uint8_t* out,
                        size_t capacity, size_t elemSize, size_t from, size_t to,
                        std::vector<uint8_t>& block) {
  const size_t es = step.cd.size() > 2 && step.cd[2] > 0 ? step.cd[2] : elemSize;
  const unsigned comp = step.cd.size() > 4 ? step.cd[4] : kBitshuffleNone;
  if (comp != kBitshuffleNone && comp != kBitshuffleLz4) {
    throw DecodeError("bitshuffle compression " + std::to_string(comp) +
                      " (zstd?) is not decoded by ptyscan");
  }
  const uint8_t* p = in;
  const uint8_t* end = in + inSize;
  size_t nbytes = inSize;
  size_t blockN = step.cd.size() > 3 && step.cd[3] > 0 ? step.cd[3] : DefaultBlock(es);
  if (comp == kBitshuffleLz4) {
    if (inSize < 12) throw DecodeError("bitshuffle-LZ4 chunk shorter than its header");
    nbytes = Be64(in);
    const uint32_t blockBytes = Be32(in + 8);
    if (blockBytes == 0 || blockBytes % es != 0) throw DecodeError("bitshuffle-LZ4 chunk with a bad block size");
    blockN = blockBytes / es;
    p += 12;
  }
  if (nbytes > capacity || nbytes % es != 0 || blockN % 8 != 0) {
    throw DecodeError("bitshuffle chunk of " + std::to_string(nbytes) + " bytes does not fit " +
                      std::to_string(capacity) + " bytes of " + std::to_string(es) + "-byte elements");
  }
  const size_t size = nbytes / es;
  const size_t full = size / blockN;
  const size_t last = size % blockN - (size % blockN) % 8;
  const size_t blocks = full + (last > 0 ? 1 : 0);
  for (size_t k = 0; k < blocks; k++) {
    const size_t elems = k < full ? blockN : last;
    const size_t bytes = elems * es;
    const size_t offset = k * blockN * es;
    const bool wanted = offset < to && offset + bytes > from;
    if (comp == kBitshuffleLz4) {
      if (end - p < 4) throw DecodeError("bitshuffle-LZ4 chunk ends inside a block header");
      const uint32_t csize = Be32(p);
      p += 4;
      if (static_cast<size_t>(end - p) < csize) throw DecodeError("bitshuffle-LZ4 block runs past the chunk");
      if (wanted) {
        block.resize(bytes);
        Lz4Exact(p, csize, block.data(), bytes, "bitshuffle-LZ4");
        BitUnshuffle(block.data(), out + offset, elems, es);
      }
      p += csize;
    } else {
      if (static_cast<size_t>(end - p) < bytes) throw DecodeError("bitshuffle chunk is truncated");
      if (wanted) BitUnshuffle(p, out + offset, elems, es);
      p += bytes;
    }
  }
  const size_t leftover = (size % 8) * es;
  if (static_cast<size_t>(end - p) < leftover) throw DecodeError("bitshuffle chunk is truncated");
  std::memcpy(out + (size - size % 8) * es, p, leftover);
  return nbytes;
}

// The LZ4 filter (32004): original size, block size, then blocks each
// LZ4-compressed or, when that did not shrink it, stored as is.
size_t Lz4Decode(const uint8_t* in, size_t inSize, uint8_t* out, size_t capacity) {
  if (inSize < 12) throw DecodeError("LZ4 chunk shorter than its header");
  const uint64_t orig = Be64(in);
  uint64_t blockSize = Be32(in + 8);
  if (orig > capacity) throw DecodeError("LZ4 chunk of " + std::to_string(orig) + " bytes is larger than a chunk");
  if (blockSize == 0 || blockSize > orig) blockSize = orig;
  const uint8_t* p = in + 12;
  const uint8_t* end = in + inSize;
  for (uint64_t done = 0; done < orig;) {
    const uint64_t part = std::min<uint64_t>(blockSize, orig - done);
    if (end - p < 4) throw DecodeError("LZ4 chunk ends inside a block header");
    const uint32_t csize = Be32(p);
    p += 4;
    if (static_cast<size_t>(end - p) < csize) throw DecodeError("LZ4 block runs past the chunk");
    if (csize == part) std::memcpy(out + done, p, part);
    else Lz4Exact(p, csize, out + done, part, "LZ4");
    p += csize;
    done += part;
  }
  return orig;
}

// LZF (32000, h5py's): literal runs and back references.
size_t LzfDecode(const uint8_t* in, size_t inSize, uint8_t* out, size_t capacity) {
  const uint8_t* p = in;
  const uint8_t* end = in + inSize;
  size_t o = 0;
  while (p < end) {
    const unsigned ctrl = *p++;
    if (ctrl < 32) {
      const size_t run = ctrl + 1;
      if (static_cast<size_t>(end - p) < run || capacity - o < run) throw DecodeError("LZF chunk is corrupt");
      std::memcpy(out + o, p, run);
      p += run;
      o += run;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (p >= end) throw DecodeError("LZF chunk is corrupt");
      len += *p++;
    }
    if (p >= end) throw DecodeError("LZF chunk is corrupt");
    const size_t back = ((ctrl & 0x1f) << 8) + *p++ + 1;
    len += 2;
    if (back > o || capacity - o < len) throw DecodeError("LZF chunk is corrupt");
    // Overlapping copies repeat the pattern, byte by byte.
    for (size_t i = 0; i < len; i++, o++) out[o] = out[o - back];
  }
  return o;
}

size_t InflateZlib(libdeflate_decompressor* d, const uint8_t* in, size_t inSize, uint8_t* out,
                   size_t capacity) {
  size_t got = 0;
  const libdeflate_result r = libdeflate_zlib_decompress(d, in, inSize, out, capacity, &got);
  if (r != LIBDEFLATE_SUCCESS) {
    throw DecodeError(r == LIBDEFLATE_INSUFFICIENT_SPACE ? "deflate chunk inflates past its chunk size"
                                                        : "deflate chunk is corrupt");
  }
  return got;
}

size_t Unshuffle(const FilterStep& step, const uint8_t* in, size_t inSize, uint8_t* out,
                 size_t elemSize) {
  const size_t es = !step.cd.empty() && step.cd[0] > 0 ? step.cd[0] : elemSize;
  const size_t n = inSize / es;
  if (es == 1 || n <= 1) {
    std::memcpy(out, in, inSize);
    return inSize;
  }
  for (size_t j = 0; j < es; j++) {
    const uint8_t* row = in + j * n;
    for (size_t i = 0; i < n; i++) out[i * es + j] = row[i];
  }
  std::memcpy(out + n * es, in + n * es, inSize - n * es);
  return inSize;
}

// HDF5's Fletcher-32 of `len` bytes (16-bit big-endian words, an odd last byte padded).
uint32_t Fletcher32(const uint8_t* data, size_t len) {
  uint32_t sum1 = 0, sum2 = 0;
  size_t words = len / 2;
  while (words > 0) {
    size_t n = std::min<size_t>(words, 360);
    words -= n;
    for (; n > 0; n--, data += 2) {
      sum1 += (uint32_t(data[0]) << 8) | data[1];
      sum2 += sum1;
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  if (len % 2) {
    sum1 += uint32_t(*data) << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

// Checks the trailing checksum; returns the size without it (the data stays where it is).
size_t CheckFletcher32(const uint8_t* in, size_t inSize) {
  if (inSize < 4) throw DecodeError("fletcher32 chunk shorter than its checksum");
  const size_t n = inSize - 4;
  const uint32_t stored = uint32_t(in[n]) | (uint32_t(in[n + 1]) << 8) | (uint32_t(in[n + 2]) << 16) |
                          (uint32_t(in[n + 3]) << 24);
  const uint32_t sum = Fletcher32(in, n);
  // Files from HDF5 before 1.6.3 store it with the bytes of each half swapped.
  const uint32_t swapped = ((sum & 0x00ff00ffu) << 8) | ((sum >> 8) & 0x00ff00ffu);
  if (stored != sum && stored != swapped) throw DecodeError("fletcher32 checksum does not match: the chunk is corrupt");
  return n;
}

}  // namespace

void BitUnshuffle(const uint8_t* in, uint8_t* out, size_t n, size_t es) {
  const size_t groups = n / 8;
  size_t done = 0;
#if defined(__SSE2__)
  if (es % 2 == 0) {
    const size_t tiled = groups - groups % 16;
    for (size_t g0 = 0; g0 < tiled; g0 += 16) {
      for (size_t r0 = 0; r0 < 8 * es; r0 += 16) UnshuffleTile(in, out, groups, es, r0, g0);
    }
    done = tiled;
  }
#endif
  UnshuffleGroupsScalar(in, out, n, es, done, groups);
}

bool DecodesPipeline(const std::vector<FilterStep>& pipeline, unsigned* unknown) {
  for (const FilterStep& step : pipeline) {
    const bool known = step.id == kDeflate || step.id == kShuffle || step.id == kFletcher32 ||
                       step.id == kLzf || step.id == kLz4 ||
                       (step.id == kBitshuffle &&
                        (step.cd.size() <= 4 || step.cd[4] == kBitshuffleNone || step.cd[4] == kBitshuffleLz4));
    if (!known) {
      if (unknown != nullptr) *unknown = step.id;
      return false;
    }
  }
  return true;
}

ChunkDecoder::ChunkDecoder() = default;

ChunkDecoder::~ChunkDecoder() {
  if (inflater_ != nullptr) libdeflate_free_decompressor(inflater_);
}

void ChunkDecoder::Decode(const std::vector<FilterStep>& pipeline, uint32_t mask, const uint8_t* raw,
                          size_t rawSize, uint8_t* out, size_t chunkBytes, size_t elemSize, size_t from,
                          size_t to) {
  std::vector<size_t> steps;
  for (size_t i = pipeline.size(); i-- > 0;) {
    if (i < 32 && (mask & (1u << i)) != 0) continue;
    steps.push_back(i);
  }
  const uint8_t* in = raw;
  int inBuffer = -1;  // which scratch buffer `in` is (-1: the raw chunk)
  size_t size = rawSize;
  for (size_t s = 0; s < steps.size(); s++) {
    const FilterStep& step = pipeline[steps[s]];
    const bool lastStep = s + 1 == steps.size();
    if (step.id == kFletcher32) {
      size = CheckFletcher32(in, size);
      if (lastStep) {
        if (size != chunkBytes) break;
        std::memcpy(out, in, size);
        return;
      }
      continue;
    }
    uint8_t* dst = out;
    const int outBuffer = inBuffer == 0 ? 1 : 0;
    if (!lastStep) {
      std::vector<uint8_t>& buffer = scratch_[outBuffer];
      if (buffer.size() < chunkBytes) buffer.resize(chunkBytes);
      dst = buffer.data();
    }
    switch (step.id) {
      case kBitshuffle:
        // Only the last step may skip blocks: earlier ones feed every byte on.
        size = BitshuffleDecode(step, in, size, dst, chunkBytes, elemSize, lastStep ? from : 0,
                                lastStep ? to : chunkBytes, block_);
        break;
      case kLz4:
        size = Lz4Decode(in, size, dst, chunkBytes);
        break;
      case kLzf:
        size = LzfDecode(in, size, dst, chunkBytes);
        break;
      case kDeflate:
        if (inflater_ == nullptr) inflater_ = libdeflate_alloc_decompressor();
        if (inflater_ == nullptr) throw DecodeError("no memory for a deflate decompressor");
        size = InflateZlib(inflater_, in, size, dst, chunkBytes);
        break;
      case kShuffle:
        if (size > chunkBytes) throw DecodeError("shuffled chunk larger than a chunk");
        size = Unshuffle(step, in, size, dst, elemSize);
        break;
      default:
        throw DecodeError("HDF5 filter " + std::to_string(step.id) + " is not decoded by ptyscan");
    }
    in = dst;
    inBuffer = lastStep ? -1 : outBuffer;
  }
  if (size != chunkBytes) {
    throw DecodeError("chunk decodes to " + std::to_string(size) + " bytes, not its " +
                      std::to_string(chunkBytes));
  }
  if (steps.empty() || in != out) std::memcpy(out, in, size);
}

}  // namespace ptyscan
