{
  "targets": [
    {
      "target_name": "ptyscan_hdf5",
      "sources": ["ptyscan_hdf5.cc", "write.cc", "encode.cc", "rows.cc", "read.cc", "decode.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "H5_USE_110_API"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": [
        "-std=c++17",
        "-O3",
        "<!@(pkg-config --cflags hdf5 liblz4)",
        "<!@(pkg-config --exists libisal && echo -DPTYSCAN_HAVE_ISAL || true)"
      ],
      "libraries": [
        "<!@(pkg-config --libs hdf5 liblz4)",
        "-ldeflate",
        "<!@(pkg-config --exists libisal && pkg-config --libs libisal || true)",
        "-pthread"
      ]
    }
  ]
}
