// The reading side of the native HDF5 addon (read.cc): opening files (also
// under SWMR), describing datasets, refreshing them, and reading blocks of
// frames with chunks decoded on several threads (decode.cc).
#pragma once

#include <napi.h>

namespace ptyscan {

// Adds readOpen, readClose, readInfo, readRefresh, readBlock and readFileStatus to `exports`.
void RegisterRead(Napi::Env env, Napi::Object exports);

}  // namespace ptyscan
