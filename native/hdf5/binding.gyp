{
  "targets": [
    {
      "target_name": "ptyscan_hdf5",
      "sources": ["ptyscan_hdf5.cc", "read.cc", "decode.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "H5_USE_110_API"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "<!@(pkg-config --cflags hdf5 liblz4)"],
      "libraries": ["<!@(pkg-config --libs hdf5 liblz4)", "-ldeflate", "-pthread"]
    }
  ]
}
