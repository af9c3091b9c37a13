// Compressing arrays chunk by chunk the way HDF5's core filters would
// (byte shuffle, then deflate in the zlib format), outside HDF5 and on
// several threads, so the chunks can be stored by direct chunk writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ptyscan {

// Which deflate implementation compresses (the output is deflate either way).
enum class Engine { Auto, Libdeflate, Isal };

// HDF5's filters of a chunk, in pipeline order: shuffle, then deflate at `level` (0..9).
struct Pipeline {
  bool shuffle = false;
  int level = 4;
  Engine engine = Engine::Auto;
};

// One array to compress: HDF5 chunks of `rowsPerChunk` whole rows (the last
// one padded with zeros, as HDF5 stores edge chunks).
struct EncodeInput {
  // The whole array, or one row when `repeated` (every row is that row).
  const uint8_t* data = nullptr;
  size_t rows = 0;
  size_t rowBytes = 0;
  size_t itemSize = 1;
  size_t rowsPerChunk = 1;
  bool repeated = false;
  Pipeline pipeline;
};

// A compressed chunk in the output memory.
struct Block {
  size_t offset = 0;
  size_t size = 0;
};

// The compressed chunks of every input: chunk c of input a is
// blocks[chunkBlocks[a][c]] (a repeated array's full chunks share one block).
struct Encoded {
  const uint8_t* memory = nullptr;
  std::vector<Block> blocks;
  std::vector<std::vector<size_t>> chunkBlocks;
};

// Compresses every chunk of `inputs` on up to `threads` threads. The output
// memory belongs to the calling thread and is reused by its next call.
Encoded Encode(const std::vector<EncodeInput>& inputs, int threads);

// HDF5's byte shuffle of `bytes` bytes of `itemSize`-byte elements.
void Shuffle(const uint8_t* in, uint8_t* out, size_t bytes, size_t itemSize);

// The deflate implementation `Auto` chooses for a level.
Engine EngineFor(int level);

// The engine's name and version, e.g. "isa-l 2.30.0" or "libdeflate 1.14".
std::string EngineName(Engine engine);

// Whether the addon was built with ISA-L.
bool HaveIsal();

}  // namespace ptyscan
