// Thin N-API binding over the native HDF5 library (Debian's libhdf5) for
// what h5wasm cannot do or does slowly. The write side (whole described
// writes, chunks compressed outside HDF5 on several threads) is write.cc and
// encode.cc, the row copy of the crop/orient kernel rows.cc; this file
// deletes links, offers memory for huge pages and says which library it runs
// on. Calls are synchronous and must not overlap with
// another open of the same file (h5wasm's included).
#include <hdf5.h>
#include <napi.h>

#ifdef __linux__
#include <sys/mman.h>
#endif
#include <cstdint>
#include <string>

#include "common.h"
#include "read.h"
#include "rows.h"
#include "write.h"

namespace ptyscan {
namespace {

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
  exports.Set("deleteLinks", Napi::Function::New(env, DeleteLinks));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("threadSafe", Napi::Function::New(env, ThreadSafe));
  exports.Set("adviseHugePages", Napi::Function::New(env, AdviseHugePages));
  RegisterWrite(env, exports);
  RegisterRows(env, exports);
  RegisterRead(env, exports);
  return exports;
}

}  // namespace
}  // namespace ptyscan

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return ptyscan::Init(env, exports); }

NODE_API_MODULE(ptyscan_hdf5, InitAddon)
