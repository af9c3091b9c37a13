{
  "targets": [
    {
      "target_name": "ptyscan_mpi",
      "sources": ["ptyscan_mpi.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["OMPI_SKIP_MPICXX", "NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["<!@(pkg-config --cflags mpi-c)"],
      "libraries": ["<!@(pkg-config --libs mpi-c)"]
    }
  ]
}
