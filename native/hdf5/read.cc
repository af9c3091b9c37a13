// Native reading of frame blocks. HDF5 itself (one thread: Debian's libhdf5
// is not thread-safe) opens files, describes datasets and finds where each
// chunk is stored; the chunks are then read straight from the file and
// decoded (decode.cc) on several threads. What this cannot do alone (a filter
// it does not decode, a chunk never written, a virtual mapping that is not a
// box) is left to H5Dread, so the values are always HDF5's. A virtual
// dataset is read from its source files, each checked to exist: HDF5 would
// give fill values for a missing one.
#include "read.h"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common.h"
#include "decode.h"

namespace ptyscan {
namespace {

// A failure, with the kind the TypeScript side turns into one of its errors.
struct ReadFailure {
  std::string code;  // "hdf5", "missing-source", "decode", "usage"
  std::string message;
  std::string file;
};

template <typename T>
T Hdf(T result, const std::string& what, const std::string& file) {
  if (result < 0) throw ReadFailure{"hdf5", what + " failed: " + StackText(), file};
  return result;
}

using Dims = std::vector<hsize_t>;

struct File;

// One mapping of a virtual dataset whose selections are boxes of one shape.
struct VirtualMap {
  std::string file;
  std::string dataset;
  Dims vstart, count, sstart;
  bool whole = false;  // the source's selection is all of it
};

struct Dataset {
  File* owner = nullptr;
  std::string path;
  hid_t id = -1;
  hid_t type = -1;
  int rank = 0;
  Dims dims, maxdims;
  H5D_layout_t layout = H5D_LAYOUT_ERROR;
  Dims chunk;
  std::vector<FilterStep> filters;
  std::vector<std::string> filterNames;
  std::string dtype;  // empty: not a plain number type
  size_t elemSize = 0;
  bool littleEndian = true;
  haddr_t offset = HADDR_UNDEF;
  bool boxMaps = false;  // every virtual mapping is a box (read per source)
  std::vector<VirtualMap> maps;
  ~Dataset() {
    if (type >= 0) H5Tclose(type);
    if (id >= 0) H5Dclose(id);
  }
};

struct File {
  hid_t id = -1;
  std::string path;
  bool swmr = false;
  int fd = -1;
  hsize_t userblock = 0;
  // The file mapped into memory (read straight from the page cache), or null.
  const uint8_t* map = nullptr;
  size_t mapped = 0;
  std::map<std::string, std::unique_ptr<Dataset>> datasets;
  // Source files of virtual datasets, by the path they were found at.
  std::map<std::string, std::unique_ptr<File>> sources;
  ~File() {
    datasets.clear();
    sources.clear();
    if (map != nullptr) munmap(const_cast<uint8_t*>(map), mapped);
    if (fd >= 0) close(fd);
    if (id >= 0) H5Fclose(id);
  }
};

std::map<int, std::unique_ptr<File>> openFiles;
int nextHandle = 1;

std::unique_ptr<File> OpenFile(const std::string& path, bool swmr) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  auto file = std::make_unique<File>();
  file->path = path;
  file->swmr = swmr;
  const unsigned flags = H5F_ACC_RDONLY | (swmr ? H5F_ACC_SWMR_READ : 0u);
  file->id = Hdf(H5Fopen(path.c_str(), flags, H5P_DEFAULT), "opening " + path, path);
  Handle fcpl(H5Fget_create_plist(file->id), H5Pclose);
  if (fcpl.get() >= 0) H5Pget_userblock(fcpl.get(), &file->userblock);
  file->fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  return file;
}

File& FileOf(int handle) {
  auto it = openFiles.find(handle);
  if (it == openFiles.end()) throw ReadFailure{"usage", "the file is not open (closed already?)", ""};
  return *it->second;
}

std::string TypeName(hid_t type, size_t* size, bool* little) {
  const H5T_class_t cls = H5Tget_class(type);
  *size = H5Tget_size(type);
  *little = H5Tget_order(type) == H5T_ORDER_LE;
  if (cls == H5T_INTEGER) {
    const bool sign = H5Tget_sign(type) == H5T_SGN_2;
    switch (*size) {
      case 1: return sign ? "int8" : "uint8";
      case 2: return sign ? "int16" : "uint16";
      case 4: return sign ? "int32" : "uint32";
      case 8: return sign ? "int64" : "uint64";
      default: return "";
    }
  }
  if (cls == H5T_FLOAT && *size == 4) return "float32";
  if (cls == H5T_FLOAT && *size == 8) return "float64";
  return "";
}

hid_t MemoryType(const std::string& dtype) {
  if (dtype == "int8") return H5T_NATIVE_INT8;
  if (dtype == "uint8") return H5T_NATIVE_UINT8;
  if (dtype == "int16") return H5T_NATIVE_INT16;
  if (dtype == "uint16") return H5T_NATIVE_UINT16;
  if (dtype == "int32") return H5T_NATIVE_INT32;
  if (dtype == "uint32") return H5T_NATIVE_UINT32;
  if (dtype == "int64") return H5T_NATIVE_INT64;
  if (dtype == "uint64") return H5T_NATIVE_UINT64;
  if (dtype == "float32") return H5T_NATIVE_FLOAT;
  return H5T_NATIVE_DOUBLE;
}

// A selection as a box (start, count), when it is one.
bool SelectionBox(hid_t space, Dims* start, Dims* count) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 1) return false;
  Dims dims(rank);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  const H5S_sel_type sel = H5Sget_select_type(space);
  if (sel == H5S_SEL_ALL) {
    *start = Dims(rank, 0);
    *count = dims;
    return true;
  }
  if (sel != H5S_SEL_HYPERSLABS || H5Sis_regular_hyperslab(space) <= 0) return false;
  Dims s(rank), stride(rank), n(rank), block(rank);
  if (H5Sget_regular_hyperslab(space, s.data(), stride.data(), n.data(), block.data()) < 0) return false;
  start->assign(rank, 0);
  count->assign(rank, 0);
  for (int d = 0; d < rank; d++) {
    if (n[d] == H5S_UNLIMITED || block[d] == H5S_UNLIMITED) return false;
    (*start)[d] = s[d];
    if (n[d] == 1) (*count)[d] = block[d];
    else if (block[d] == 1 && stride[d] == 1) (*count)[d] = n[d];
    else if (stride[d] == block[d]) (*count)[d] = n[d] * block[d];
    else return false;
  }
  return true;
}

void DescribeVirtual(Dataset& ds, hid_t dcpl) {
  size_t count = 0;
  if (H5Pget_virtual_count(dcpl, &count) < 0) return;
  ds.boxMaps = true;
  for (size_t i = 0; i < count; i++) {
    VirtualMap map;
    const ssize_t fileLen = H5Pget_virtual_filename(dcpl, i, nullptr, 0);
    const ssize_t dsetLen = H5Pget_virtual_dsetname(dcpl, i, nullptr, 0);
    if (fileLen < 0 || dsetLen < 0) {
      ds.boxMaps = false;
      continue;
    }
    std::vector<char> name(fileLen + 1), dset(dsetLen + 1);
    H5Pget_virtual_filename(dcpl, i, name.data(), name.size());
    H5Pget_virtual_dsetname(dcpl, i, dset.data(), dset.size());
    map.file = name.data();
    map.dataset = dset.data();
    Handle vspace(H5Pget_virtual_vspace(dcpl, i), H5Sclose);
    Handle sspace(H5Pget_virtual_srcspace(dcpl, i), H5Sclose);
    Dims vcount, scount;
    bool boxes = vspace.get() >= 0 && sspace.get() >= 0 &&
                 SelectionBox(vspace.get(), &map.vstart, &vcount) &&
                 static_cast<int>(vcount.size()) == ds.rank && map.file.find('%') == std::string::npos;
    if (boxes && H5Sget_select_type(sspace.get()) == H5S_SEL_ALL) {
      // The whole source (HDF5 keeps no extent for it): it must be the box's shape.
      map.sstart.assign(ds.rank, 0);
      map.whole = true;
      scount = vcount;
    } else if (boxes) {
      boxes = SelectionBox(sspace.get(), &map.sstart, &scount);
    }
    boxes = boxes && vcount == scount;
    if (!boxes) ds.boxMaps = false;
    map.count = vcount;
    ds.maps.push_back(std::move(map));
  }
}

void ReadDims(Dataset& ds) {
  Handle space(Hdf(H5Dget_space(ds.id), "reading the shape of " + ds.path, ds.owner->path), H5Sclose);
  ds.rank = H5Sget_simple_extent_ndims(space.get());
  ds.dims.assign(std::max(ds.rank, 0), 0);
  ds.maxdims.assign(std::max(ds.rank, 0), 0);
  if (ds.rank > 0) H5Sget_simple_extent_dims(space.get(), ds.dims.data(), ds.maxdims.data());
}

Dataset& DatasetOf(File& file, const std::string& path) {
  auto it = file.datasets.find(path);
  if (it != file.datasets.end()) return *it->second;
  auto ds = std::make_unique<Dataset>();
  ds->owner = &file;
  ds->path = path;
  ds->id = Hdf(H5Dopen2(file.id, path.c_str(), H5P_DEFAULT), "opening " + path, file.path);
  ds->type = H5Dget_type(ds->id);
  ds->dtype = TypeName(ds->type, &ds->elemSize, &ds->littleEndian);
  ReadDims(*ds);
  Handle dcpl(Hdf(H5Dget_create_plist(ds->id), "reading the layout of " + path, file.path), H5Pclose);
  ds->layout = H5Pget_layout(dcpl.get());
  if (ds->layout == H5D_CHUNKED) {
    ds->chunk.assign(ds->rank, 0);
    H5Pget_chunk(dcpl.get(), ds->rank, ds->chunk.data());
    const int n = H5Pget_nfilters(dcpl.get());
    for (int i = 0; i < n; i++) {
      unsigned flags = 0;
      size_t cdCount = 32;
      std::vector<unsigned> cd(cdCount);
      char name[256] = {0};
      unsigned config = 0;
      const H5Z_filter_t id =
          H5Pget_filter2(dcpl.get(), i, &flags, &cdCount, cd.data(), sizeof(name), name, &config);
      cd.resize(std::min<size_t>(cdCount, 32));
      ds->filters.push_back({static_cast<unsigned>(id), cd});
      ds->filterNames.emplace_back(name);
    }
  } else if (ds->layout == H5D_CONTIGUOUS) {
    ds->offset = H5Dget_offset(ds->id);
  } else if (ds->layout == H5D_VIRTUAL) {
    DescribeVirtual(*ds, dcpl.get());
  }
  H5Eclear2(H5E_DEFAULT);
  Dataset& out = *ds;
  file.datasets[path] = std::move(ds);
  return out;
}

size_t Volume(const Dims& d) {
  size_t v = 1;
  for (hsize_t x : d) v *= static_cast<size_t>(x);
  return v;
}

// Copies the box `count` from `src` (dims `srcDims`, at `srcAt`) to `dst`
// (dims `dstDims`, at `dstAt`), elements of `es` bytes, whole last-axis runs at a time.
void CopyBox(const uint8_t* src, const Dims& srcDims, const Dims& srcAt, uint8_t* dst,
             const Dims& dstDims, const Dims& dstAt, const Dims& count, size_t es) {
  const int rank = static_cast<int>(count.size());
  if (Volume(count) == 0) return;
  const size_t run = count[rank - 1] * es;
  Dims idx(rank, 0);
  for (;;) {
    size_t s = 0, d = 0;
    for (int k = 0; k < rank; k++) {
      s = s * srcDims[k] + srcAt[k] + idx[k];
      d = d * dstDims[k] + dstAt[k] + idx[k];
    }
    std::memcpy(dst + d * es, src + s * es, run);
    int k = rank - 2;
    for (; k >= 0; k--) {
      if (++idx[k] < count[k]) break;
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

bool ReadAll(int fd, uint8_t* into, size_t bytes, off_t at) {
  while (bytes > 0) {
    const ssize_t got = pread(fd, into, bytes, at);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    into += got;
    bytes -= static_cast<size_t>(got);
    at += got;
  }
  return true;
}

// Maps the file through byte `end` (a file written under SWMR grows: mapped
// again, larger). False when it cannot be mapped: then it is read with pread.
bool EnsureMapped(File& file, size_t end) {
  if (file.map != nullptr && end <= file.mapped) return true;
  struct stat st;
  if (file.fd < 0 || fstat(file.fd, &st) != 0 || static_cast<size_t>(st.st_size) < end) return false;
  if (file.map != nullptr) munmap(const_cast<uint8_t*>(file.map), file.mapped);
  file.map = nullptr;
  file.mapped = 0;
  void* at = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, file.fd, 0);
  if (at == MAP_FAILED) return false;
  file.map = static_cast<const uint8_t*>(at);
  file.mapped = static_cast<size_t>(st.st_size);
  return true;
}

// Runs `work(task, worker)` for tasks 0..n-1 on up to `threads` threads (this one included).
template <typename Work>
void OnThreads(size_t n, int threads, Work work) {
  const size_t count = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), n));
  std::atomic<size_t> next{0};
  std::vector<std::string> errors(count);
  std::vector<std::string> codes(count);
  auto run = [&](size_t worker) {
    try {
      for (size_t t = next++; t < n; t = next++) work(t, worker);
    } catch (const DecodeError& e) {
      codes[worker] = "decode";
      errors[worker] = e.what();
      next = n;
    } catch (const ReadFailure& f) {
      codes[worker] = f.code;
      errors[worker] = f.message;
      next = n;
    } catch (const std::exception& e) {
      codes[worker] = "decode";
      errors[worker] = e.what();
      next = n;
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < count; w++) pool.emplace_back(run, w);
  run(0);
  for (auto& t : pool) t.join();
  for (size_t w = 0; w < count; w++) {
    if (!errors[w].empty()) throw ReadFailure{codes[w], errors[w], ""};
  }
}

// Per-thread memory: the stored chunk, the decoded chunk, and the decoder.
struct Worker {
  std::vector<uint8_t> raw, chunk, band;
  ChunkDecoder decoder;
};

std::vector<std::unique_ptr<Worker>>& Workers(size_t n) {
  static std::vector<std::unique_ptr<Worker>> workers;
  while (workers.size() < n) workers.push_back(std::make_unique<Worker>());
  return workers;
}

struct Target {
  uint8_t* data;
  Dims dims;  // of the whole output block
};

void ReadBox(Dataset& ds, const Dims& start, const Dims& count, const Target& out, const Dims& at,
             int threads, std::string* how);

// H5Dread of the box into its place in the output: HDF5 does everything.
void ReadByHdf5(Dataset& ds, const Dims& start, const Dims& count, const Target& out, const Dims& at,
                std::string* how) {
  const int rank = ds.rank;
  Handle file(Hdf(H5Dget_space(ds.id), "reading the shape of " + ds.path, ds.owner->path), H5Sclose);
  Hdf(H5Sselect_hyperslab(file.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
      "selecting a block of " + ds.path, ds.owner->path);
  Handle memory(H5Screate_simple(rank, out.dims.data(), nullptr), H5Sclose);
  Hdf(H5Sselect_hyperslab(memory.get(), H5S_SELECT_SET, at.data(), nullptr, count.data(), nullptr),
      "selecting memory", ds.owner->path);
  Hdf(H5Dread(ds.id, MemoryType(ds.dtype), memory.get(), file.get(), H5P_DEFAULT, out.data),
      "reading " + ds.path, ds.owner->path);
  if (how->empty()) *how = "hdf5";
}

struct ChunkTask {
  Dims offset;  // the chunk's first element
  haddr_t addr;
  hsize_t size;
  unsigned mask;
};

// Returns false when a chunk was never written (HDF5 then gives its fill value).
bool ReadChunks(Dataset& ds, const Dims& start, const Dims& count, const Target& out, const Dims& at,
                int threads) {
  const int rank = ds.rank;
  Dims first(rank), last(rank);
  for (int d = 0; d < rank; d++) {
    first[d] = start[d] / ds.chunk[d];
    last[d] = (start[d] + count[d] - 1) / ds.chunk[d];
  }
  std::vector<ChunkTask> tasks;
  Dims c = first;
  for (;;) {
    ChunkTask task{Dims(rank), HADDR_UNDEF, 0, 0};
    for (int d = 0; d < rank; d++) task.offset[d] = c[d] * ds.chunk[d];
    Hdf(H5Dget_chunk_info_by_coord(ds.id, task.offset.data(), &task.mask, &task.addr, &task.size),
        "finding a chunk of " + ds.path, ds.owner->path);
    if (task.addr == HADDR_UNDEF || task.size == 0) return false;
    tasks.push_back(std::move(task));
    int d = rank - 1;
    for (; d >= 0; d--) {
      if (++c[d] <= last[d]) break;
      c[d] = first[d];
    }
    if (d < 0) break;
  }
  const size_t chunkBytes = Volume(ds.chunk) * ds.elemSize;
  auto& workers = Workers(std::max(threads, 1));
  const int fd = ds.owner->fd;
  const hsize_t base = ds.owner->userblock;
  const std::string& file = ds.owner->path;
  size_t end = 0;
  for (const ChunkTask& task : tasks) end = std::max<size_t>(end, base + task.addr + task.size);
  const uint8_t* map = EnsureMapped(*ds.owner, end) ? ds.owner->map : nullptr;
  OnThreads(tasks.size(), threads, [&](size_t t, size_t w) {
    const ChunkTask& task = tasks[t];
    Worker& worker = *workers[w];
    const uint8_t* stored = map == nullptr ? nullptr : map + base + task.addr;
    if (stored == nullptr) {
      worker.raw.resize(task.size);
      if (!ReadAll(fd, worker.raw.data(), task.size, static_cast<off_t>(base + task.addr))) {
        throw ReadFailure{"hdf5", "reading a chunk of " + ds.path + " failed (file truncated?)", file};
      }
      stored = worker.raw.data();
    }
    Dims lo(rank), n(rank), inChunk(rank), inOut(rank);
    size_t from = 0, to = 0;
    for (int d = 0; d < rank; d++) {
      const hsize_t a = std::max(task.offset[d], start[d]);
      const hsize_t b = std::min(task.offset[d] + ds.chunk[d], start[d] + count[d]);
      n[d] = b - a;
      inChunk[d] = a - task.offset[d];
      inOut[d] = at[d] + (a - start[d]);
      from = from * ds.chunk[d] + inChunk[d];
      to = to * ds.chunk[d] + inChunk[d] + n[d] - 1;
    }
    worker.chunk.resize(chunkBytes);
    try {
      worker.decoder.Decode(ds.filters, task.mask, stored, task.size, worker.chunk.data(),
                            chunkBytes, ds.elemSize, from * ds.elemSize, (to + 1) * ds.elemSize);
    } catch (const DecodeError& e) {
      std::string where;
      for (int d = 0; d < rank; d++) where += (d ? ", " : "") + std::to_string(task.offset[d]);
      throw ReadFailure{"decode", "the chunk at (" + where + ") of " + ds.path + ": " + e.what(), file};
    }
    CopyBox(worker.chunk.data(), ds.chunk, inChunk, out.data, out.dims, inOut, n, ds.elemSize);
  });
  return true;
}

// A contiguous dataset straight from the file: for every index of the axes
// before the last two (a frame), the span of its rows in one read, then the
// rows of the box copied out of it.
void ReadContiguous(Dataset& ds, const Dims& start, const Dims& count, const Target& out,
                    const Dims& at, int threads) {
  const int rank = ds.rank;
  const int inner = std::min(rank, 2);
  const int lead = rank - inner;
  const Dims outer(count.begin(), count.begin() + lead);
  auto& workers = Workers(std::max(threads, 1));
  const int fd = ds.owner->fd;
  const hsize_t base = ds.owner->userblock + ds.offset;
  const size_t es = ds.elemSize;
  const uint8_t* map = EnsureMapped(*ds.owner, base + Volume(ds.dims) * es) ? ds.owner->map : nullptr;
  OnThreads(Volume(outer), threads, [&](size_t g, size_t w) {
    Dims idx(lead);
    for (size_t k = lead, r = g; k-- > 0;) {
      idx[k] = r % outer[k];
      r /= outer[k];
    }
    size_t firstEl = 0, lastEl = 0;
    for (int d = 0; d < rank; d++) {
      const hsize_t i0 = d < lead ? start[d] + idx[d] : start[d];
      const hsize_t i1 = d < lead ? start[d] + idx[d] : start[d] + count[d] - 1;
      firstEl = firstEl * ds.dims[d] + i0;
      lastEl = lastEl * ds.dims[d] + i1;
    }
    Worker& worker = *workers[w];
    const size_t span = (lastEl - firstEl + 1) * es;
    const uint8_t* band = map == nullptr ? nullptr : map + base + firstEl * es;
    if (band == nullptr) {
      worker.band.resize(span);
      if (!ReadAll(fd, worker.band.data(), span, static_cast<off_t>(base + firstEl * es))) {
        throw ReadFailure{"hdf5", "reading " + ds.path + " failed (file truncated?)", ds.owner->path};
      }
      band = worker.band.data();
    }
    // In the span, row k of the box starts k whole rows of the dataset after the first element.
    Dims srcDims(rank, 1), srcAt(rank, 0), n(rank, 1), dstAt = at;
    for (int d = lead; d < rank; d++) {
      srcDims[d] = ds.dims[d];
      n[d] = count[d];
    }
    for (int d = 0; d < lead; d++) dstAt[d] = at[d] + idx[d];
    CopyBox(band, srcDims, srcAt, out.data, out.dims, dstAt, n, es);
  });
}

// Finds a virtual mapping's source file as HDF5 does: HDF5_VDS_PREFIX, next
// to the virtual dataset's file, then from the working folder.
std::string SourcePath(const File& file, const std::string& name) {
  if (name == ".") return file.path;
  if (!name.empty() && name[0] == '/') return name;
  std::vector<std::string> candidates;
  if (const char* prefix = std::getenv("HDF5_VDS_PREFIX"); prefix != nullptr && prefix[0] != '\0') {
    candidates.push_back(std::string(prefix) + "/" + name);
  }
  const size_t slash = file.path.rfind('/');
  candidates.push_back(slash == std::string::npos ? name : file.path.substr(0, slash + 1) + name);
  candidates.push_back(name);
  for (const std::string& c : candidates) {
    struct stat st;
    if (stat(c.c_str(), &st) == 0) return c;
  }
  return "";
}

void ReadVirtual(Dataset& ds, const Dims& start, const Dims& count, const Target& out, const Dims& at,
                 int threads, std::string* how) {
  const int rank = ds.rank;
  size_t covered = 0;
  struct Part {
    const VirtualMap* map;
    Dims lo, n;
  };
  std::vector<Part> parts;
  for (const VirtualMap& map : ds.maps) {
    Part part{&map, Dims(rank), Dims(rank)};
    bool empty = false;
    for (int d = 0; d < rank; d++) {
      const hsize_t a = std::max(start[d], map.vstart[d]);
      const hsize_t b = std::min(start[d] + count[d], map.vstart[d] + map.count[d]);
      if (b <= a) empty = true;
      part.lo[d] = a;
      part.n[d] = b > a ? b - a : 0;
    }
    if (empty) continue;
    covered += Volume(part.n);
    parts.push_back(std::move(part));
  }
  if (covered != Volume(count)) {
    // Parts of the block no mapping covers hold the fill value: HDF5 knows it.
    ReadByHdf5(ds, start, count, out, at, how);
    return;
  }
  File& owner = *ds.owner;
  for (const Part& part : parts) {
    const std::string path = SourcePath(owner, part.map->file);
    if (path.empty()) {
      throw ReadFailure{"missing-source",
                        ds.path + " is a virtual dataset whose data file " + part.map->file + " (" +
                            part.map->dataset + ") does not exist",
                        part.map->file};
    }
    File* source = &owner;
    if (path != owner.path) {
      auto it = owner.sources.find(path);
      if (it == owner.sources.end()) it = owner.sources.emplace(path, OpenFile(path, owner.swmr)).first;
      source = it->second.get();
    }
    Dataset& src = DatasetOf(*source, part.map->dataset);
    Dims sstart(rank), dstAt(rank);
    for (int d = 0; d < rank; d++) {
      sstart[d] = part.map->sstart[d] + (part.lo[d] - part.map->vstart[d]);
      dstAt[d] = at[d] + (part.lo[d] - start[d]);
    }
    if (src.rank != rank || src.dtype != ds.dtype || !src.littleEndian ||
        (part.map->whole && src.dims != part.map->count)) {
      ReadByHdf5(ds, start, count, out, at, how);
      return;
    }
    for (int d = 0; d < rank; d++) {
      if (sstart[d] + part.n[d] > src.dims[d]) {
        throw ReadFailure{"missing-source",
                          ds.path + ": its data file " + part.map->file + " holds " + part.map->dataset +
                              " with fewer frames than the virtual dataset maps (" +
                              std::to_string(src.dims[0]) + ")",
                          path};
      }
    }
    ReadBox(src, sstart, part.n, out, dstAt, threads, how);
  }
  *how = "virtual+" + *how;
}

void ReadBox(Dataset& ds, const Dims& start, const Dims& count, const Target& out, const Dims& at,
             int threads, std::string* how) {
  if (Volume(count) == 0) return;
  const bool plain = !ds.dtype.empty() && ds.littleEndian;
  const bool rawFile = ds.owner->fd >= 0;
  if (plain && rawFile && ds.layout == H5D_CHUNKED && DecodesPipeline(ds.filters, nullptr)) {
    if (ReadChunks(ds, start, count, out, at, threads)) {
      if (how->empty()) *how = "chunks";
      return;
    }
  } else if (plain && rawFile && ds.layout == H5D_CONTIGUOUS && ds.offset != HADDR_UNDEF) {
    ReadContiguous(ds, start, count, out, at, threads);
    if (how->empty()) *how = "contiguous";
    return;
  } else if (plain && ds.layout == H5D_VIRTUAL && ds.boxMaps) {
    ReadVirtual(ds, start, count, out, at, threads, how);
    return;
  }
  ReadByHdf5(ds, start, count, out, at, how);
}

// ---------------------------------------------------------------- N-API

Napi::Error ToJs(Napi::Env env, const ReadFailure& failure) {
  Napi::Error error = Napi::Error::New(env, failure.message);
  error.Set("code", Napi::String::New(env, failure.code));
  if (!failure.file.empty()) error.Set("file", Napi::String::New(env, failure.file));
  return error;
}

Dims DimsArg(Napi::Env env, Napi::Value value, const char* what) {
  if (!value.IsArray()) throw Napi::TypeError::New(env, std::string(what) + " must be an array");
  Napi::Array array = value.As<Napi::Array>();
  Dims out;
  for (uint32_t i = 0; i < array.Length(); i++) {
    const double v = array.Get(i).As<Napi::Number>().DoubleValue();
    if (!(v >= 0) || v > 9.0e15) throw Napi::RangeError::New(env, std::string(what) + ": bad value");
    out.push_back(static_cast<hsize_t>(v));
  }
  return out;
}

Napi::Array DimsValue(Napi::Env env, const Dims& dims) {
  Napi::Array array = Napi::Array::New(env, dims.size());
  for (size_t i = 0; i < dims.size(); i++) {
    array.Set(static_cast<uint32_t>(i), Napi::Number::New(env, dims[i] == H5S_UNLIMITED ? -1.0 : static_cast<double>(dims[i])));
  }
  return array;
}

// readOpen(file, swmr): a handle for the other read calls.
Napi::Value ReadOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString()) throw Napi::TypeError::New(env, "readOpen(file, swmr)");
  try {
    auto file = OpenFile(info[0].As<Napi::String>().Utf8Value(), info[1].ToBoolean().Value());
    const int handle = nextHandle++;
    openFiles[handle] = std::move(file);
    return Napi::Number::New(env, handle);
  } catch (const ReadFailure& f) {
    throw ToJs(env, f);
  }
}

Napi::Value ReadClose(const Napi::CallbackInfo& info) {
  if (info.Length() >= 1 && info[0].IsNumber()) openFiles.erase(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

// readInfo(handle, path): what the reader knows of a dataset.
Napi::Value ReadInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsString()) {
    throw Napi::TypeError::New(env, "readInfo(handle, path)");
  }
  try {
    Dataset& ds = DatasetOf(FileOf(info[0].As<Napi::Number>().Int32Value()), info[1].As<Napi::String>().Utf8Value());
    Napi::Object out = Napi::Object::New(env);
    out.Set("shape", DimsValue(env, ds.dims));
    out.Set("maxshape", DimsValue(env, ds.maxdims));
    out.Set("dtype", ds.dtype.empty() ? env.Null() : Napi::String::New(env, ds.dtype));
    out.Set("littleEndian", Napi::Boolean::New(env, ds.littleEndian));
    const char* layout = ds.layout == H5D_CHUNKED      ? "chunked"
                         : ds.layout == H5D_CONTIGUOUS ? "contiguous"
                         : ds.layout == H5D_VIRTUAL    ? "virtual"
                                                       : "compact";
    out.Set("layout", Napi::String::New(env, layout));
    out.Set("chunks", ds.layout == H5D_CHUNKED ? Napi::Value(DimsValue(env, ds.chunk)) : env.Null());
    Napi::Array filters = Napi::Array::New(env, ds.filters.size());
    for (size_t i = 0; i < ds.filters.size(); i++) {
      Napi::Object f = Napi::Object::New(env);
      f.Set("id", Napi::Number::New(env, ds.filters[i].id));
      f.Set("name", Napi::String::New(env, ds.filterNames[i]));
      Napi::Array cd = Napi::Array::New(env, ds.filters[i].cd.size());
      for (size_t k = 0; k < ds.filters[i].cd.size(); k++) cd.Set(static_cast<uint32_t>(k), ds.filters[i].cd[k]);
      f.Set("cdValues", cd);
      filters.Set(static_cast<uint32_t>(i), f);
    }
    out.Set("filters", filters);
    unsigned unknown = 0;
    out.Set("decodes", Napi::Boolean::New(env, DecodesPipeline(ds.filters, &unknown)));
    H5D_space_status_t status = H5D_SPACE_STATUS_ERROR;
    if (ds.layout == H5D_CHUNKED) {
      // HDF5's space status compares compressed bytes with the full size: count the chunks instead.
      Handle space(H5Dget_space(ds.id), H5Sclose);
      hsize_t written = 0;
      size_t total = 1;
      for (int d = 0; d < ds.rank; d++) total *= static_cast<size_t>((ds.dims[d] + ds.chunk[d] - 1) / ds.chunk[d]);
      if (space.get() >= 0 && H5Dget_num_chunks(ds.id, space.get(), &written) >= 0) {
        status = written >= total ? H5D_SPACE_STATUS_ALLOCATED
                 : written > 0    ? H5D_SPACE_STATUS_PART_ALLOCATED
                                  : H5D_SPACE_STATUS_NOT_ALLOCATED;
      }
    } else {
      H5Dget_space_status(ds.id, &status);
    }
    H5Eclear2(H5E_DEFAULT);
    out.Set("allocated", Napi::String::New(env, status == H5D_SPACE_STATUS_ALLOCATED       ? "all"
                                                : status == H5D_SPACE_STATUS_PART_ALLOCATED ? "part"
                                                : status == H5D_SPACE_STATUS_NOT_ALLOCATED  ? "none"
                                                                                            : "unknown"));
    Napi::Array maps = Napi::Array::New(env, ds.maps.size());
    for (size_t i = 0; i < ds.maps.size(); i++) {
      Napi::Object m = Napi::Object::New(env);
      m.Set("file", ds.maps[i].file);
      m.Set("dataset", ds.maps[i].dataset);
      m.Set("start", DimsValue(env, ds.maps[i].vstart));
      m.Set("count", DimsValue(env, ds.maps[i].count));
      maps.Set(static_cast<uint32_t>(i), m);
    }
    out.Set("virtual", ds.layout == H5D_VIRTUAL ? Napi::Value(maps) : env.Null());
    out.Set("boxes", Napi::Boolean::New(env, ds.boxMaps));
    return out;
  } catch (const ReadFailure& f) {
    throw ToJs(env, f);
  }
}

// readRefresh(handle, path): a dataset written under SWMR as it is now.
Napi::Value ReadRefresh(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsString()) {
    throw Napi::TypeError::New(env, "readRefresh(handle, path)");
  }
  try {
    File& file = FileOf(info[0].As<Napi::Number>().Int32Value());
    Dataset& ds = DatasetOf(file, info[1].As<Napi::String>().Utf8Value());
    Hdf(H5Drefresh(ds.id), "refreshing " + ds.path, file.path);
    ReadDims(ds);
    return env.Undefined();
  } catch (const ReadFailure& f) {
    throw ToJs(env, f);
  }
}

// readBlock(handle, path, start, count, out, threads): the block into `out`
// (a typed array of the dataset's dtype); returns how it was read.
Napi::Value ReadBlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 6 || !info[0].IsNumber() || !info[1].IsString() || !info[4].IsTypedArray()) {
    throw Napi::TypeError::New(env, "readBlock(handle, path, start, count, out, threads)");
  }
  const Dims start = DimsArg(env, info[2], "start");
  const Dims count = DimsArg(env, info[3], "count");
  const int threads = std::max(1, info[5].As<Napi::Number>().Int32Value());
  napi_typedarray_type kind;
  size_t length = 0;
  void* pointer = nullptr;
  size_t byteOffset = 0;
  napi_value buffer;
  if (napi_get_typedarray_info(env, info[4], &kind, &length, &pointer, &buffer, &byteOffset) != napi_ok) {
    throw Napi::TypeError::New(env, "out: cannot read the typed array");
  }
  const size_t bytes = info[4].As<Napi::TypedArray>().ByteLength();
  try {
    Dataset& ds = DatasetOf(FileOf(info[0].As<Napi::Number>().Int32Value()), info[1].As<Napi::String>().Utf8Value());
    if (ds.dtype.empty()) throw ReadFailure{"usage", ds.path + " does not hold plain numbers", ds.owner->path};
    if (static_cast<int>(start.size()) != ds.rank || count.size() != start.size()) {
      throw ReadFailure{"usage", "the block does not have the rank of " + ds.path, ds.owner->path};
    }
    for (int d = 0; d < ds.rank; d++) {
      if (start[d] + count[d] > ds.dims[d]) throw ReadFailure{"usage", "the block is outside " + ds.path, ds.owner->path};
    }
    if (bytes != Volume(count) * ds.elemSize) throw ReadFailure{"usage", "out does not hold the block", ds.owner->path};
    std::string how;
    const Target target{static_cast<uint8_t*>(pointer), count};
    ReadBox(ds, start, count, target, Dims(ds.rank, 0), threads, &how);
    return Napi::String::New(env, how);
  } catch (const ReadFailure& f) {
    throw ToJs(env, f);
  }
}

}  // namespace

void RegisterRead(Napi::Env env, Napi::Object exports) {
  exports.Set("readOpen", Napi::Function::New(env, ReadOpen));
  exports.Set("readClose", Napi::Function::New(env, ReadClose));
  exports.Set("readInfo", Napi::Function::New(env, ReadInfo));
  exports.Set("readRefresh", Napi::Function::New(env, ReadRefresh));
  exports.Set("readBlock", Napi::Function::New(env, ReadBlock));
}

}  // namespace ptyscan
