// The row copy of the crop/orient kernel (src/frames/transform.ts rowCopy):
// each output row of a ROI is a run of one input row, reversed for a column
// flip, rows taken in reverse order for a row flip. Done here in one call per
// stack: the JavaScript version makes two subarray views per row, and its
// reverse pass reads every row twice. Values are only moved (any element size
// of 1, 2, 4 or 8 bytes); every index is checked against both arrays.
#include "rows.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>


namespace ptyscan {
namespace {

template <typename T>
void ReverseRun(const uint8_t* from, uint8_t* to, size_t count) {
  const T* s = reinterpret_cast<const T*>(from);
  T* d = reinterpret_cast<T*>(to);
  for (size_t k = 0; k < count; k++) d[k] = s[count - 1 - k];
}

void Reverse(const uint8_t* from, uint8_t* to, size_t count, size_t item) {
  switch (item) {
    case 1:
      ReverseRun<uint8_t>(from, to, count);
      return;
    case 2:
      ReverseRun<uint16_t>(from, to, count);
      return;
    case 4:
      ReverseRun<uint32_t>(from, to, count);
      return;
    default:
      ReverseRun<uint64_t>(from, to, count);
  }
}

size_t ItemSize(napi_typedarray_type kind) {
  switch (kind) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;
  }
}

struct View {
  uint8_t* data = nullptr;
  size_t length = 0;  // elements
  size_t item = 0;
};

View ViewOf(Napi::Env env, Napi::Value value, const char* what) {
  if (!value.IsTypedArray()) throw Napi::TypeError::New(env, std::string(what) + " must be a typed array");
  napi_typedarray_type kind;
  size_t length = 0;
  void* pointer = nullptr;
  size_t byteOffset = 0;
  napi_value buffer;
  if (napi_get_typedarray_info(env, value, &kind, &length, &pointer, &buffer, &byteOffset) != napi_ok) {
    throw Napi::TypeError::New(env, std::string(what) + ": cannot read the typed array");
  }
  return {static_cast<uint8_t*>(pointer), length, ItemSize(kind)};
}

// copyRows(src, dst, [n, inH, inW, roiH, roiW, low0, low1, flipud, fliplr]):
// what rowCopy does, for every frame of the stack.
Napi::Value CopyRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[2].IsArray()) throw Napi::TypeError::New(env, "copyRows(src, dst, plan)");
  const View src = ViewOf(env, info[0], "src");
  const View dst = ViewOf(env, info[1], "dst");
  if (src.item != dst.item) throw Napi::TypeError::New(env, "src and dst must have the same element size");
  Napi::Array plan = info[2].As<Napi::Array>();
  if (plan.Length() != 9) throw Napi::TypeError::New(env, "plan must hold 9 numbers");
  int64_t p[9];
  for (uint32_t i = 0; i < 9; i++) {
    Napi::Value v = plan.Get(i);
    if (!v.IsNumber()) throw Napi::TypeError::New(env, "plan must hold 9 numbers");
    p[i] = v.As<Napi::Number>().Int64Value();
  }
  const int64_t n = p[0], inH = p[1], inW = p[2], roiH = p[3], roiW = p[4], low0 = p[5], low1 = p[6];
  const bool flipud = p[7] != 0, fliplr = p[8] != 0;
  if (n < 0 || inH < 0 || inW < 0 || roiH < 0 || roiW < 0) throw Napi::RangeError::New(env, "negative size");
  if (static_cast<uint64_t>(n * inH * inW) > src.length || static_cast<uint64_t>(n * roiH * roiW) > dst.length) {
    throw Napi::RangeError::New(env, "the stack does not fit src or dst");
  }
  const int64_t x0 = std::max<int64_t>(0, low1);
  const int64_t x1 = std::min<int64_t>(roiW, inW + low1);
  const int64_t count = x1 - x0;
  if (count <= 0) return env.Undefined();
  const int64_t dstColumn = fliplr ? roiW - x1 : x0;
  const size_t item = src.item;
  for (int64_t f = 0; f < n; f++) {
    const int64_t inBase = f * inH * inW;
    const int64_t outBase = f * roiH * roiW;
    for (int64_t y = 0; y < roiH; y++) {
      const int64_t iy = (flipud ? roiH - 1 - y : y) - low0;
      if (iy < 0 || iy >= inH) continue;
      const uint8_t* from = src.data + (inBase + iy * inW + x0 - low1) * item;
      uint8_t* to = dst.data + (outBase + y * roiW + dstColumn) * item;
      if (fliplr) {
        Reverse(from, to, static_cast<size_t>(count), item);
      } else {
        std::memcpy(to, from, static_cast<size_t>(count) * item);
      }
    }
  }
  return env.Undefined();
}

}  // namespace

void RegisterRows(Napi::Env env, Napi::Object exports) {
  exports.Set("copyRows", Napi::Function::New(env, CopyRows));
}

}  // namespace ptyscan
