{
  "targets": [
    {
      "target_name": "tensile_native",
      "sources": ["native/binding.c", "native/pool.c", "native/gemm.c", "native/conv.c", "native/elementwise.c", "native/fused.c", "native/scratch.c", "native/reduce.c", "native/hog.c", "native/resize_gray.c", "native/window_scores.c"],
      "cflags": ["-O3", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno", "-fno-tree-loop-distribute-patterns", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags!": ["-O2"],
      "libraries": ["-lpthread", "-lm"]
    }
  ]
}
