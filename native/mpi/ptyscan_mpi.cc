// Thin N-API binding over the few MPI calls ptyscan needs. Everything works on
// raw bytes or float64 arrays; framing, chunking above 1 GiB and typing live in
// TypeScript (src/parallel/mpi-communicator.ts). All calls are blocking and
// must be made from the main thread.
#include <mpi.h>
#include <napi.h>

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

namespace {

void Check(Napi::Env env, int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Napi::Error::New(env, std::string(call) + " failed: " + std::string(text, length));
}

struct Bytes {
  uint8_t* data;
  int count;
};

// Any typed array, seen as bytes. Counts are 32-bit in MPI: the TypeScript side
// splits larger transfers, so a bigger view here is a caller bug.
Bytes BytesOf(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsTypedArray()) throw Napi::TypeError::New(env, std::string(what) + " must be a typed array");
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  size_t length = array.ByteLength();
  if (length > static_cast<size_t>(INT_MAX)) {
    throw Napi::RangeError::New(env, std::string(what) + " is larger than one MPI message (2 GiB)");
  }
  uint8_t* base = static_cast<uint8_t*>(array.ArrayBuffer().Data());
  return {base + array.ByteOffset(), static_cast<int>(length)};
}

int IntArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (info.Length() <= index || !info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  }
  return info[index].As<Napi::Number>().Int32Value();
}

bool Initialized() {
  int flag = 0;
  MPI_Initialized(&flag);
  return flag != 0;
}

bool Finalized() {
  int flag = 0;
  MPI_Finalized(&flag);
  return flag != 0;
}

Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (Finalized()) throw Napi::Error::New(env, "MPI was already finalized in this process");
  if (!Initialized()) {
    Check(env, MPI_Init(nullptr, nullptr), "MPI_Init");
    // Errors become JS exceptions; the TypeScript side then aborts the job.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  }
  return env.Undefined();
}

Napi::Value Finalize(const Napi::CallbackInfo& info) {
  if (Initialized() && !Finalized()) Check(info.Env(), MPI_Finalize(), "MPI_Finalize");
  return info.Env().Undefined();
}

Napi::Value Rank(const Napi::CallbackInfo& info) {
  int rank = 0;
  Check(info.Env(), MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
  return Napi::Number::New(info.Env(), rank);
}

Napi::Value Size(const Napi::CallbackInfo& info) {
  int size = 0;
  Check(info.Env(), MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");
  return Napi::Number::New(info.Env(), size);
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  Check(info.Env(), MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
  return info.Env().Undefined();
}

// bcast(bytes, root): in place; every rank passes a view of the same length.
Napi::Value Bcast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes bytes = BytesOf(env, info[0], "bcast buffer");
  int root = IntArg(info, 1, "root");
  Check(env, MPI_Bcast(bytes.data, bytes.count, MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
  return env.Undefined();
}

// allreduce(float64Array, op): in place, op is 'sum' | 'max' | 'min'.
Napi::Value Allreduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw Napi::TypeError::New(env, "allreduce buffer must be a Float64Array");
  }
  Napi::Float64Array values = info[0].As<Napi::Float64Array>();
  if (values.ElementLength() > static_cast<size_t>(INT_MAX)) {
    throw Napi::RangeError::New(env, "allreduce buffer is larger than one MPI message");
  }
  std::string name = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  MPI_Op op;
  if (name == "sum") op = MPI_SUM;
  else if (name == "max") op = MPI_MAX;
  else if (name == "min") op = MPI_MIN;
  else throw Napi::TypeError::New(env, "allreduce op must be 'sum', 'max' or 'min'");
  Check(env,
        MPI_Allreduce(MPI_IN_PLACE, values.Data(), static_cast<int>(values.ElementLength()),
                      MPI_DOUBLE, op, MPI_COMM_WORLD),
        "MPI_Allreduce");
  return env.Undefined();
}

// gatherv(send, recv, counts, root): recv and counts (Int32Array, one per rank,
// bytes) matter on the root only; blocks land back to back in rank order.
Napi::Value Gatherv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes send = BytesOf(env, info[0], "gatherv send buffer");
  int root = IntArg(info, 3, "root");
  int rank = 0;
  int size = 0;
  Check(env, MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
  Check(env, MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");
  if (rank != root) {
    Check(env,
          MPI_Gatherv(send.data, send.count, MPI_BYTE, nullptr, nullptr, nullptr, MPI_BYTE, root,
                      MPI_COMM_WORLD),
          "MPI_Gatherv");
    return env.Undefined();
  }
  Bytes recv = BytesOf(env, info[1], "gatherv receive buffer");
  if (!info[2].IsTypedArray() ||
      info[2].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[2].As<Napi::Int32Array>().ElementLength() != static_cast<size_t>(size)) {
    throw Napi::TypeError::New(env, "gatherv counts must be an Int32Array with one entry per rank");
  }
  Napi::Int32Array counts = info[2].As<Napi::Int32Array>();
  std::vector<int> displs(size);
  int64_t offset = 0;
  for (int r = 0; r < size; r++) {
    displs[r] = static_cast<int>(offset);
    offset += counts[r];
  }
  if (offset != recv.count) {
    throw Napi::RangeError::New(env, "gatherv receive buffer does not match the sum of counts");
  }
  Check(env,
        MPI_Gatherv(send.data, send.count, MPI_BYTE, recv.data, counts.Data(), displs.data(),
                    MPI_BYTE, root, MPI_COMM_WORLD),
        "MPI_Gatherv");
  return env.Undefined();
}

// send(bytes, dest, tag)
Napi::Value Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes bytes = BytesOf(env, info[0], "send buffer");
  int dest = IntArg(info, 1, "dest");
  int tag = IntArg(info, 2, "tag");
  Check(env, MPI_Send(bytes.data, bytes.count, MPI_BYTE, dest, tag, MPI_COMM_WORLD), "MPI_Send");
  return env.Undefined();
}

// recv(bytes, source, tag) -> number of bytes received (at most bytes.length).
Napi::Value Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes bytes = BytesOf(env, info[0], "receive buffer");
  int source = IntArg(info, 1, "source");
  int tag = IntArg(info, 2, "tag");
  MPI_Status status;
  Check(env, MPI_Recv(bytes.data, bytes.count, MPI_BYTE, source, tag, MPI_COMM_WORLD, &status),
        "MPI_Recv");
  int received = 0;
  Check(env, MPI_Get_count(&status, MPI_BYTE, &received), "MPI_Get_count");
  return Napi::Number::New(env, received);
}

Napi::Value Abort(const Napi::CallbackInfo& info) {
  int code = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 1;
  MPI_Abort(MPI_COMM_WORLD, code);
  return info.Env().Undefined();
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init));
  exports.Set("finalize", Napi::Function::New(env, Finalize));
  exports.Set("rank", Napi::Function::New(env, Rank));
  exports.Set("size", Napi::Function::New(env, Size));
  exports.Set("barrier", Napi::Function::New(env, Barrier));
  exports.Set("bcast", Napi::Function::New(env, Bcast));
  exports.Set("allreduce", Napi::Function::New(env, Allreduce));
  exports.Set("gatherv", Napi::Function::New(env, Gatherv));
  exports.Set("send", Napi::Function::New(env, Send));
  exports.Set("recv", Napi::Function::New(env, Recv));
  exports.Set("abort", Napi::Function::New(env, Abort));
  return exports;
}

}  // namespace

NODE_API_MODULE(ptyscan_mpi, Module)
