// The row copy of the crop/orient kernel, for src/frames/transform.ts.
#pragma once

#include <napi.h>

namespace ptyscan {

void RegisterRows(Napi::Env env, Napi::Object exports);

}  // namespace ptyscan
