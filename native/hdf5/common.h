// What the parts of the native HDF5 addon share: HDF5 errors as one line,
// closing identifiers, our dtypes as HDF5 file types, opening a file for
// writing, and the memory behind a typed array.
#pragma once

#include <hdf5.h>
#include <napi.h>

#include <cstdint>
#include <string>
#include <utility>

namespace ptyscan {

// The messages on HDF5's error stack, innermost last, as one line.
inline std::string StackText() {
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

// A failure inside the addon, with the dataset or object path it concerns ("" for none).
class Failure {
 public:
  explicit Failure(std::string message, std::string path = "")
      : message_(std::move(message)), path_(std::move(path)) {}
  const std::string& message() const { return message_; }
  const std::string& path() const { return path_; }

 private:
  std::string message_;
  std::string path_;
};

template <typename T>
T Checked(T result, const std::string& what, const std::string& path = "") {
  if (result < 0) throw Failure(what + " failed: " + StackText(), path);
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

// The little-endian HDF5 file type of one of our dtypes (bool is stored as int8).
inline hid_t FileType(const std::string& dtype) {
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
inline hid_t OpenFile(const std::string& file) {
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

// Creates (truncates) `file` in the 1.10 format, as h5wasm creates our files.
inline hid_t CreateFile(const std::string& file) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  Checked(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110), "H5Pset_libver_bounds");
  return Checked(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), "creating " + file);
}

// The memory of a typed array (also one over a SharedArrayBuffer).
struct Bytes {
  uint8_t* data = nullptr;
  size_t size = 0;
};

inline Bytes TypedArrayBytes(Napi::Env env, Napi::Value value, const std::string& what) {
  if (!value.IsTypedArray()) throw Napi::TypeError::New(env, what + " must be a typed array");
  // The raw call: it also gives the memory of typed arrays over a SharedArrayBuffer.
  napi_typedarray_type kind;
  size_t length = 0;
  void* pointer = nullptr;
  size_t byteOffset = 0;
  napi_value buffer;
  if (napi_get_typedarray_info(env, value, &kind, &length, &pointer, &buffer, &byteOffset) != napi_ok) {
    throw Napi::TypeError::New(env, what + ": cannot read the typed array");
  }
  return {static_cast<uint8_t*>(pointer), value.As<Napi::TypedArray>().ByteLength()};
}

}  // namespace ptyscan
