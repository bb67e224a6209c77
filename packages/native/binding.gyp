{
  "targets": [
    {
      "target_name": "strata_native",
      "sources": ["addon/strata_native.c", "addon/nar_hash_tree.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
