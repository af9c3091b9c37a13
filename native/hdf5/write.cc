// Carrying out a described write (src/h5/native-write.ts flattens an H5Write
// into operations): groups, array datasets, scalar UTF-8 strings, external
// links and string attributes, created the way h5wasm creates them (format
// bounds 1.10, no creation order). Arrays with deflate are compressed outside
// HDF5 (encode.cc, on several threads) and stored by direct chunk writes, with
// the same filter pipeline declared on the dataset (shuffle, then deflate), so
// any HDF5 reader decodes them. Layout and the h5rw encoding stay in
// TypeScript; this file checks what it needs to stay memory-safe.
#include "write.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "common.h"
#include "encode.h"

namespace ptyscan {
namespace {

using Attributes = std::vector<std::pair<std::string, std::string>>;

struct ArrayOp {
  std::string dtype;
  std::vector<hsize_t> shape;
  Bytes data;
  bool hasData = false;
  bool repeated = false;
  // Only the first `firstRows` rows are given (`rows` in the spec): the rest
  // of the dataset is written later by slab operations.
  bool partial = false;
  size_t firstRows = 0;
  // The given rows fill whole chunks (or end the dataset): compressed here
  // and stored by direct chunk writes, as whole arrays are.
  bool encodeRows = false;
  bool contiguous = true;
  std::vector<hsize_t> chunks;
  bool fletcher32 = false;
  bool deflate = false;
  Pipeline pipeline;
  size_t rowBytes = 0;
  size_t rows = 0;
  // Compressed elsewhere (encodeArrays): the chunks' bytes and where each is.
  bool preEncoded = false;
  Bytes encodedBytes;
  std::vector<Block> blocks;
  std::vector<size_t> chunkBlocks;
};

enum class Kind { Group, Delete, String, Link, Attributes, Array, Slab };

struct Op {
  Kind kind = Kind::Group;
  std::string path;
  Attributes attributes;
  bool ifMissing = false;
  std::string text;    // string
  std::string file;    // link
  std::string target;  // link
  size_t array = 0;    // index into the arrays
  std::vector<hsize_t> offset;  // slab: where its array goes in the existing dataset
};

std::string StringProperty(Napi::Object object, const char* key) {
  Napi::Value value = object.Get(key);
  if (!value.IsString()) throw Napi::TypeError::New(object.Env(), std::string(key) + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

std::vector<double> NumberList(Napi::Env env, Napi::Value value, const char* what) {
  if (!value.IsArray()) throw Napi::TypeError::New(env, std::string(what) + " must be an array");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<double> out;
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value item = array.Get(i);
    if (!item.IsNumber()) throw Napi::TypeError::New(env, std::string(what) + " must hold numbers");
    out.push_back(item.As<Napi::Number>().DoubleValue());
  }
  return out;
}

Attributes ParseAttributes(Napi::Object spec) {
  Attributes out;
  Napi::Value attributes = spec.Get("attributes");
  if (!attributes.IsObject()) return out;
  Napi::Object object = attributes.As<Napi::Object>();
  Napi::Array names = object.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); i++) {
    std::string name = names.Get(i).As<Napi::String>().Utf8Value();
    out.emplace_back(name, StringProperty(object, name.c_str()));
  }
  return out;
}

Pipeline ParsePipeline(Napi::Env env, Napi::Object spec) {
  Pipeline pipeline;
  pipeline.shuffle = spec.Get("shuffle").ToBoolean().Value();
  Napi::Value level = spec.Get("level");
  if (!level.IsNumber()) throw Napi::TypeError::New(env, "level must be a number");
  pipeline.level = level.As<Napi::Number>().Int32Value();
  if (pipeline.level < 0 || pipeline.level > 9) throw Napi::RangeError::New(env, "level must be 0..9");
  Napi::Value engine = spec.Get("engine");
  if (engine.IsString()) {
    const std::string name = engine.As<Napi::String>().Utf8Value();
    if (name == "libdeflate") pipeline.engine = Engine::Libdeflate;
    else if (name == "isal") pipeline.engine = Engine::Isal;
    else if (name != "auto") throw Napi::RangeError::New(env, "engine must be auto, libdeflate or isal");
  }
  return pipeline;
}

// Shape, dtype and data of an array spec, checked against each other (an
// array whose chunks come compressed needs no data).
void ParseData(Napi::Env env, Napi::Object spec, ArrayOp& array, bool encoded = false) {
  array.dtype = StringProperty(spec, "dtype");
  const size_t item = H5Tget_size(FileType(array.dtype));
  size_t elements = 1;
  for (double d : NumberList(env, spec.Get("shape"), "shape")) {
    if (d < 0 || d != static_cast<double>(static_cast<hsize_t>(d))) {
      throw Napi::RangeError::New(env, "every axis of shape must be a whole number >= 0");
    }
    array.shape.push_back(static_cast<hsize_t>(d));
    elements *= static_cast<size_t>(d);
  }
  array.repeated = spec.Get("repeated").ToBoolean().Value();
  array.rows = array.shape.empty() ? 1 : static_cast<size_t>(array.shape[0]);
  array.rowBytes = array.rows == 0 ? 0 : elements / array.rows * item;
  if (encoded && spec.Get("data").IsUndefined()) return;
  array.data = TypedArrayBytes(env, spec.Get("data"), "data");
  array.hasData = true;
  Napi::Value rows = spec.Get("rows");
  if (rows.IsNumber()) {
    const double first = rows.As<Napi::Number>().DoubleValue();
    if (array.shape.empty() || array.repeated || first < 0 || first > static_cast<double>(array.rows) ||
        first != static_cast<double>(static_cast<size_t>(first))) {
      throw Napi::RangeError::New(env, "rows must be a whole number of rows 0..shape[0] of an array that is not repeated");
    }
    array.partial = true;
    array.firstRows = static_cast<size_t>(first);
  }
  const size_t expected = array.repeated ? array.rowBytes : array.partial ? array.firstRows * array.rowBytes : elements * item;
  if (array.data.size != expected) throw Napi::RangeError::New(env, "data does not match shape and dtype");
}

void ParseRowChunks(Napi::Env env, ArrayOp& array, size_t rowsPerChunk) {
  if (array.shape.empty() || rowsPerChunk < 1 || rowsPerChunk > array.shape[0]) {
    throw Napi::RangeError::New(env, "deflate chunks must hold 1..shape[0] whole rows");
  }
  array.chunks = array.shape;
  array.chunks[0] = rowsPerChunk;
}

ArrayOp ParseArray(Napi::Env env, Napi::Object spec) {
  ArrayOp array;
  Napi::Value encoded = spec.Get("encoded");
  ParseData(env, spec, array, encoded.IsObject());
  array.contiguous = StringProperty(spec, "layout") == "contiguous";
  if (array.contiguous && encoded.IsObject()) throw Napi::TypeError::New(env, "encoded chunks need deflate");
  if (array.contiguous && !array.hasData) throw Napi::TypeError::New(env, "data must be a typed array");
  if (array.contiguous && array.partial) throw Napi::TypeError::New(env, "a dataset given rows by rows must be chunked");
  if (array.contiguous) return array;
  array.fletcher32 = spec.Get("fletcher32").ToBoolean().Value();
  Napi::Value deflate = spec.Get("deflate");
  if (deflate.IsObject()) {
    array.deflate = true;
    array.pipeline = ParsePipeline(env, deflate.As<Napi::Object>());
    const double rowsPerChunk = deflate.As<Napi::Object>().Get("rowsPerChunk").As<Napi::Number>().DoubleValue();
    ParseRowChunks(env, array, static_cast<size_t>(rowsPerChunk));
  } else {
    for (double c : NumberList(env, spec.Get("chunks"), "chunks")) array.chunks.push_back(static_cast<hsize_t>(c));
    if (array.chunks.size() != array.shape.size()) throw Napi::RangeError::New(env, "chunks must have one entry per axis");
    for (size_t i = 0; i < array.chunks.size(); i++) {
      if (array.chunks[i] < 1 || array.chunks[i] > std::max<hsize_t>(array.shape[i], 1)) {
        throw Napi::RangeError::New(env, "every chunk axis must be 1..its axis");
      }
    }
  }
  if (encoded.IsObject() && !array.deflate) throw Napi::TypeError::New(env, "encoded chunks need deflate");
  if (encoded.IsObject() && array.partial) throw Napi::TypeError::New(env, "encoded chunks hold every row");
  if (array.partial && array.deflate) {
    array.encodeRows = array.firstRows % array.chunks[0] == 0 || array.firstRows == array.rows;
  }
  if (array.deflate && encoded.IsObject()) {
    Napi::Object e = encoded.As<Napi::Object>();
    array.preEncoded = true;
    array.encodedBytes = TypedArrayBytes(env, e.Get("bytes"), "encoded.bytes");
    const std::vector<double> blocks = NumberList(env, e.Get("blocks"), "encoded.blocks");
    for (size_t i = 0; i + 1 < blocks.size(); i += 2) {
      const size_t offset = static_cast<size_t>(blocks[i]);
      const size_t size = static_cast<size_t>(blocks[i + 1]);
      if (offset + size > array.encodedBytes.size) throw Napi::RangeError::New(env, "encoded block outside its bytes");
      array.blocks.push_back({offset, size});
    }
    for (double b : NumberList(env, e.Get("chunkBlocks"), "encoded.chunkBlocks")) {
      if (b < 0 || static_cast<size_t>(b) >= array.blocks.size()) {
        throw Napi::RangeError::New(env, "encoded.chunkBlocks names a block that does not exist");
      }
      array.chunkBlocks.push_back(static_cast<size_t>(b));
    }
    const size_t chunks = (array.rows + array.chunks[0] - 1) / array.chunks[0];
    if (array.chunkBlocks.size() != chunks) throw Napi::RangeError::New(env, "encoded.chunkBlocks must name a block per chunk");
  }
  return array;
}

Op ParseOp(Napi::Env env, Napi::Object spec, std::vector<ArrayOp>& arrays) {
  Op op;
  const std::string kind = StringProperty(spec, "op");
  op.path = StringProperty(spec, "path");
  op.attributes = ParseAttributes(spec);
  if (kind == "group") {
    op.kind = Kind::Group;
    op.ifMissing = spec.Get("ifMissing").ToBoolean().Value();
  } else if (kind == "delete") {
    op.kind = Kind::Delete;
  } else if (kind == "string") {
    op.kind = Kind::String;
    op.text = StringProperty(spec, "text");
  } else if (kind == "link") {
    op.kind = Kind::Link;
    op.file = StringProperty(spec, "file");
    op.target = StringProperty(spec, "target");
  } else if (kind == "attributes") {
    op.kind = Kind::Attributes;
  } else if (kind == "array") {
    op.kind = Kind::Array;
    op.array = arrays.size();
    arrays.push_back(ParseArray(env, spec));
  } else if (kind == "slab") {
    op.kind = Kind::Slab;
    op.array = arrays.size();
    ArrayOp slab;
    ParseData(env, spec, slab);
    if (slab.repeated || slab.shape.empty()) throw Napi::TypeError::New(env, "a slab is an array of whole values");
    for (double d : NumberList(env, spec.Get("offset"), "offset")) {
      if (d < 0 || d != static_cast<double>(static_cast<hsize_t>(d))) {
        throw Napi::RangeError::New(env, "every axis of offset must be a whole number >= 0");
      }
      op.offset.push_back(static_cast<hsize_t>(d));
    }
    if (op.offset.size() != slab.shape.size()) throw Napi::RangeError::New(env, "offset must have one entry per axis");
    Napi::Value deflate = spec.Get("deflate");
    if (deflate.IsObject()) {
      // The dataset's own pipeline, its chunks of `rowsPerChunk` whole rows; the
      // slab starts on a chunk and fills whole chunks or ends the dataset.
      slab.deflate = true;
      slab.encodeRows = true;
      slab.contiguous = false;
      slab.pipeline = ParsePipeline(env, deflate.As<Napi::Object>());
      const double perChunk = deflate.As<Napi::Object>().Get("rowsPerChunk").As<Napi::Number>().DoubleValue();
      if (perChunk < 1 || op.offset[0] % static_cast<hsize_t>(perChunk) != 0) {
        throw Napi::RangeError::New(env, "a compressed slab starts on a chunk of whole rows");
      }
      slab.chunks = slab.shape;
      slab.chunks[0] = static_cast<hsize_t>(perChunk);
    }
    arrays.push_back(std::move(slab));
  } else {
    throw Napi::TypeError::New(env, "unknown write operation " + kind);
  }
  return op;
}

// Whether `path` (absolute) names an object or link: each level is looked up in turn.
bool Exists(hid_t file, const std::string& path) {
  size_t at = 0;
  while (at < path.size()) {
    size_t next = path.find('/', at + 1);
    if (next == std::string::npos) next = path.size();
    const std::string prefix = path.substr(0, next);
    if (prefix != "/" && !prefix.empty()) {
      const htri_t found = H5Lexists(file, prefix.c_str(), H5P_DEFAULT);
      if (found <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
      }
    }
    at = next;
  }
  return true;
}

hid_t IntermediateGroups() {
  hid_t lcpl = Checked(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate");
  H5Pset_create_intermediate_group(lcpl, 1);
  H5Pset_char_encoding(lcpl, H5T_CSET_UTF8);
  return lcpl;
}

hid_t Utf8StringType() {
  hid_t type = Checked(H5Tcopy(H5T_C_S1), "H5Tcopy");
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

void WriteAttributes(hid_t object, const std::string& path, const Attributes& attributes) {
  for (const auto& [name, value] : attributes) {
    if (H5Aexists(object, name.c_str()) > 0) {
      Checked(H5Adelete(object, name.c_str()), "replacing attribute " + name, path);
    }
    Handle type(Utf8StringType(), H5Tclose);
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attribute(Checked(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                             "creating attribute " + name, path),
                     H5Aclose);
    const char* text = value.c_str();
    Checked(H5Awrite(attribute.get(), type.get(), &text), "writing attribute " + name, path);
  }
}

void WriteString(hid_t file, const Op& op) {
  Handle lcpl(IntermediateGroups(), H5Pclose);
  Handle type(Utf8StringType(), H5Tclose);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle dataset(Checked(H5Dcreate2(file, op.path.c_str(), type.get(), space.get(), lcpl.get(), H5P_DEFAULT,
                                    H5P_DEFAULT),
                         "creating the string " + op.path, op.path),
                 H5Dclose);
  const char* text = op.text.c_str();
  Checked(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), "writing " + op.path, op.path);
  WriteAttributes(dataset.get(), op.path, op.attributes);
}

// Writes every row of a repeated array from its one row.
void WriteRepeatedRows(hid_t dataset, hid_t type, const ArrayOp& array, const std::string& path) {
  Handle fileSpace(H5Dget_space(dataset), H5Sclose);
  std::vector<hsize_t> count(array.shape);
  count[0] = 1;
  Handle memory(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
  std::vector<hsize_t> start(array.shape.size(), 0);
  for (size_t r = 0; r < array.rows; r++) {
    start[0] = r;
    Checked(H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
            "selecting a row", path);
    Checked(H5Dwrite(dataset, type, memory.get(), fileSpace.get(), H5P_DEFAULT, array.data.data),
            "writing row " + std::to_string(r) + " of " + path, path);
  }
}

// Writes `data` (C order) into the block `count` at `start` of `dataset`.
void WriteBlock(hid_t dataset, hid_t type, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
                const uint8_t* data, const std::string& path) {
  Handle fileSpace(Checked(H5Dget_space(dataset), "H5Dget_space", path), H5Sclose);
  Checked(H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
          "selecting a block", path);
  Handle memory(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
  Checked(H5Dwrite(dataset, type, memory.get(), fileSpace.get(), H5P_DEFAULT, data), "writing a block of " + path, path);
}

// Stores the chunks `encoded` made of `array`'s rows from row `start` on (a chunk boundary).
void WriteEncodedChunks(hid_t dataset, const ArrayOp& array, hsize_t start, const Encoded& encoded,
                        size_t encodedIndex, const std::string& path) {
  const size_t rows = array.partial ? array.firstRows : array.rows;
  std::vector<hsize_t> offset(array.shape.size(), 0);
  const size_t chunks = (rows + array.chunks[0] - 1) / array.chunks[0];
  for (size_t c = 0; c < chunks; c++) {
    offset[0] = start + c * array.chunks[0];
    const Block& block = encoded.blocks[encoded.chunkBlocks[encodedIndex][c]];
    Checked(H5Dwrite_chunk(dataset, H5P_DEFAULT, 0, offset.data(), block.size, encoded.memory + block.offset),
            "writing chunk " + std::to_string(offset[0] / array.chunks[0]) + " of " + path, path);
  }
}

// Writes a slab into the existing dataset at `path`, extending it (within
// its maxshape) when the slab reaches past its end.
void WriteSlab(hid_t file, const std::string& path, const ArrayOp& slab, const std::vector<hsize_t>& offset,
               const Encoded& encoded, size_t encodedIndex) {
  Handle dataset(Checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "opening " + path, path), H5Dclose);
  Handle stored(Checked(H5Dget_type(dataset.get()), "H5Dget_type", path), H5Tclose);
  if (H5Tequal(stored.get(), FileType(slab.dtype)) <= 0) throw Failure("a " + slab.dtype + " slab does not fit " + path, path);
  Handle space(Checked(H5Dget_space(dataset.get()), "H5Dget_space", path), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank != static_cast<int>(slab.shape.size())) throw Failure("the slab's rank differs from " + path, path);
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  bool grow = false;
  for (int i = 0; i < rank; i++) {
    if (offset[i] + slab.shape[i] > dims[i]) {
      dims[i] = offset[i] + slab.shape[i];
      grow = true;
    }
  }
  if (grow) Checked(H5Dset_extent(dataset.get(), dims.data()), "extending " + path, path);
  if (slab.rows == 0 || slab.rowBytes == 0) return;
  if (slab.encodeRows) {
    WriteEncodedChunks(dataset.get(), slab, offset[0], encoded, encodedIndex, path);
    return;
  }
  WriteBlock(dataset.get(), FileType(slab.dtype), offset, slab.shape, slab.data.data, path);
}

void WriteArray(hid_t file, const std::string& path, const ArrayOp& array, const Attributes& attributes,
                const Encoded& encoded, size_t encodedIndex) {
  const hid_t type = FileType(array.dtype);
  const int rank = static_cast<int>(array.shape.size());
  Handle space(rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, array.shape.data(), array.shape.data()),
               H5Sclose);
  Checked(space.get(), "H5Screate", path);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (!array.contiguous) {
    Checked(H5Pset_chunk(dcpl.get(), rank, array.chunks.data()), "H5Pset_chunk", path);
    if (array.fletcher32) Checked(H5Pset_fletcher32(dcpl.get()), "H5Pset_fletcher32", path);
    if (array.deflate && array.pipeline.shuffle) Checked(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", path);
    if (array.deflate) {
      Checked(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(array.pipeline.level)), "H5Pset_deflate", path);
    }
  }
  Handle lcpl(IntermediateGroups(), H5Pclose);
  Handle dataset(
      Checked(H5Dcreate2(file, path.c_str(), type, space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT), "creating " + path,
              path),
      H5Dclose);
  if (array.partial && array.encodeRows) {
    WriteEncodedChunks(dataset.get(), array, 0, encoded, encodedIndex, path);
  } else if (array.partial) {
    // Through HDF5's own filter pipeline: the rows end inside a chunk.
    if (array.firstRows > 0 && array.rowBytes > 0) {
      std::vector<hsize_t> start(rank, 0);
      std::vector<hsize_t> count(array.shape);
      count[0] = array.firstRows;
      WriteBlock(dataset.get(), type, start, count, array.data.data, path);
    }
  } else if (array.deflate) {
    std::vector<hsize_t> offset(rank, 0);
    const size_t chunks = (array.rows + array.chunks[0] - 1) / array.chunks[0];
    for (size_t c = 0; c < chunks; c++) {
      offset[0] = c * array.chunks[0];
      const Block& block = array.preEncoded ? array.blocks[array.chunkBlocks[c]]
                                            : encoded.blocks[encoded.chunkBlocks[encodedIndex][c]];
      const uint8_t* bytes = (array.preEncoded ? array.encodedBytes.data : encoded.memory) + block.offset;
      Checked(H5Dwrite_chunk(dataset.get(), H5P_DEFAULT, 0, offset.data(), block.size, bytes),
              "writing chunk " + std::to_string(c) + " of " + path, path);
    }
  } else if (array.rows > 0 && array.rowBytes > 0) {
    if (array.repeated) {
      WriteRepeatedRows(dataset.get(), type, array, path);
    } else {
      Checked(H5Dwrite(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, array.data.data), "writing " + path, path);
    }
  }
  WriteAttributes(dataset.get(), path, attributes);
}

void RunOp(hid_t file, const Op& op, const std::vector<ArrayOp>& arrays, const Encoded& encoded,
           const std::vector<size_t>& encodedIndex) {
  switch (op.kind) {
    case Kind::Group: {
      if (op.ifMissing && Exists(file, op.path)) return;
      Handle lcpl(IntermediateGroups(), H5Pclose);
      Handle group(Checked(H5Gcreate2(file, op.path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                           "creating the group " + op.path, op.path),
                   H5Gclose);
      WriteAttributes(group.get(), op.path, op.attributes);
      return;
    }
    case Kind::Delete:
      // As h5py's del does: the link goes, the space is not reclaimed.
      if (Exists(file, op.path)) Checked(H5Ldelete(file, op.path.c_str(), H5P_DEFAULT), "deleting " + op.path, op.path);
      return;
    case Kind::String:
      WriteString(file, op);
      return;
    case Kind::Link: {
      Handle lcpl(IntermediateGroups(), H5Pclose);
      Checked(H5Lcreate_external(op.file.c_str(), op.target.c_str(), file, op.path.c_str(), lcpl.get(), H5P_DEFAULT),
              "creating the external link " + op.path, op.path);
      return;
    }
    case Kind::Attributes: {
      Handle object(Checked(H5Oopen(file, op.path.c_str(), H5P_DEFAULT), "opening " + op.path, op.path), H5Oclose);
      WriteAttributes(object.get(), op.path, op.attributes);
      return;
    }
    case Kind::Array:
      WriteArray(file, op.path, arrays[op.array], op.attributes, encoded, encodedIndex[op.array]);
      return;
    case Kind::Slab:
      WriteSlab(file, op.path, arrays[op.array], op.offset, encoded, encodedIndex[op.array]);
      return;
  }
}

EncodeInput InputOf(const ArrayOp& array) {
  EncodeInput input;
  input.data = array.data.data;
  input.rows = array.partial ? array.firstRows : array.rows;
  input.rowBytes = array.rowBytes;
  input.itemSize = H5Tget_size(FileType(array.dtype));
  input.rowsPerChunk = static_cast<size_t>(array.chunks[0]);
  input.repeated = array.repeated;
  input.pipeline = array.pipeline;
  return input;
}

Napi::Error ErrorOf(Napi::Env env, const Failure& failure) {
  Napi::Error error = Napi::Error::New(env, failure.message());
  if (!failure.path().empty()) error.Set("path", Napi::String::New(env, failure.path()));
  return error;
}

int ThreadsArgument(const Napi::CallbackInfo& info, size_t at) {
  return std::max(1, info[at].As<Napi::Number>().Int32Value());
}

// writeTree(file, create, ops, threads): creates `file` (create true) or opens
// it for writing, runs the operations in order, flushes and closes it. Arrays
// with deflate are compressed on `threads` threads first.
Napi::Value WriteTree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsString() || !info[1].IsBoolean() || !info[2].IsArray() || !info[3].IsNumber()) {
    throw Napi::TypeError::New(env, "writeTree(file, create, ops, threads)");
  }
  const std::string file = info[0].As<Napi::String>().Utf8Value();
  const bool create = info[1].As<Napi::Boolean>().Value();
  Napi::Array specs = info[2].As<Napi::Array>();
  std::vector<ArrayOp> arrays;
  std::vector<Op> ops;
  for (uint32_t i = 0; i < specs.Length(); i++) {
    Napi::Value spec = specs.Get(i);
    if (!spec.IsObject()) throw Napi::TypeError::New(env, "every operation must be an object");
    ops.push_back(ParseOp(env, spec.As<Napi::Object>(), arrays));
  }
  try {
    std::vector<EncodeInput> inputs;
    std::vector<size_t> encodedIndex(arrays.size(), 0);
    for (size_t a = 0; a < arrays.size(); a++) {
      if (!arrays[a].deflate || arrays[a].preEncoded || (arrays[a].partial && !arrays[a].encodeRows)) continue;
      encodedIndex[a] = inputs.size();
      inputs.push_back(InputOf(arrays[a]));
    }
    const Encoded encoded = Encode(inputs, ThreadsArgument(info, 3));
    Handle out(create ? CreateFile(file) : OpenFile(file), H5Fclose);
    for (const Op& op : ops) RunOp(out.get(), op, arrays, encoded, encodedIndex);
    Checked(H5Fflush(out.get(), H5F_SCOPE_LOCAL), "flushing " + file);
  } catch (const Failure& failure) {
    throw ErrorOf(env, failure);
  }
  return env.Undefined();
}

// encodeArrays(arrays, threads): each array ({dtype, shape, data, repeated,
// rowsPerChunk, shuffle, level, engine?}) compressed chunk by chunk as
// {bytes, blocks: [offset, size, ...], chunkBlocks}, for writeTree elsewhere.
Napi::Value EncodeArrays(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "encodeArrays(arrays, threads)");
  }
  Napi::Array specs = info[0].As<Napi::Array>();
  std::vector<ArrayOp> arrays;
  for (uint32_t i = 0; i < specs.Length(); i++) {
    Napi::Object spec = specs.Get(i).As<Napi::Object>();
    ArrayOp array;
    ParseData(env, spec, array);
    array.pipeline = ParsePipeline(env, spec);
    ParseRowChunks(env, array, static_cast<size_t>(spec.Get("rowsPerChunk").As<Napi::Number>().DoubleValue()));
    arrays.push_back(array);
  }
  std::vector<EncodeInput> inputs;
  for (const ArrayOp& array : arrays) inputs.push_back(InputOf(array));
  Napi::Array result = Napi::Array::New(env, arrays.size());
  try {
    const Encoded encoded = Encode(inputs, ThreadsArgument(info, 1));
    for (size_t a = 0; a < arrays.size(); a++) {
      // Each distinct block once, in order, packed together.
      std::vector<size_t> distinct(encoded.chunkBlocks[a]);
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      size_t total = 0;
      for (size_t b : distinct) total += encoded.blocks[b].size;
      Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, total);
      auto* bytes = static_cast<uint8_t*>(buffer.Data());
      Napi::Array blocks = Napi::Array::New(env, 2 * distinct.size());
      size_t offset = 0;
      for (size_t k = 0; k < distinct.size(); k++) {
        const Block& block = encoded.blocks[distinct[k]];
        std::memcpy(bytes + offset, encoded.memory + block.offset, block.size);
        blocks.Set(2 * k, Napi::Number::New(env, static_cast<double>(offset)));
        blocks.Set(2 * k + 1, Napi::Number::New(env, static_cast<double>(block.size)));
        offset += block.size;
      }
      Napi::Array chunkBlocks = Napi::Array::New(env, encoded.chunkBlocks[a].size());
      for (size_t c = 0; c < encoded.chunkBlocks[a].size(); c++) {
        const size_t k = std::lower_bound(distinct.begin(), distinct.end(), encoded.chunkBlocks[a][c]) - distinct.begin();
        chunkBlocks.Set(c, Napi::Number::New(env, static_cast<double>(k)));
      }
      Napi::Object item = Napi::Object::New(env);
      item.Set("bytes", Napi::Uint8Array::New(env, total, buffer, 0));
      item.Set("blocks", blocks);
      item.Set("chunkBlocks", chunkBlocks);
      result.Set(a, item);
    }
  } catch (const Failure& failure) {
    throw ErrorOf(env, failure);
  }
  return result;
}

// deflateEngines(): the deflate implementations built in, and which one each level uses.
Napi::Value DeflateEngines(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("libdeflate", EngineName(Engine::Libdeflate));
  out.Set("isal", HaveIsal() ? Napi::Value(Napi::String::New(env, EngineName(Engine::Isal))) : env.Null());
  Napi::Array levels = Napi::Array::New(env, 10);
  for (int level = 0; level <= 9; level++) levels.Set(level, EngineName(EngineFor(level)));
  out.Set("levels", levels);
  return out;
}

}  // namespace

void RegisterWrite(Napi::Env env, Napi::Object exports) {
  exports.Set("writeTree", Napi::Function::New(env, WriteTree));
  exports.Set("encodeArrays", Napi::Function::New(env, EncodeArrays));
  exports.Set("deflateEngines", Napi::Function::New(env, DeflateEngines));
}

}  // namespace ptyscan
