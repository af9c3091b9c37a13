// The write side of the native HDF5 addon (write.cc): whole described writes
// (groups, arrays, strings, links, attributes) with chunks compressed outside
// HDF5, and compressing arrays alone for a writer elsewhere.
#pragma once

#include <napi.h>

namespace ptyscan {

// Adds writeTree, encodeArrays and deflateEngines to the addon's exports.
void RegisterWrite(Napi::Env env, Napi::Object exports);

}  // namespace ptyscan
