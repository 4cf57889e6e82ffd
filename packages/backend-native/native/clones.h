/* CLONES: a function compiled for AVX-512, AVX2 and baseline x86-64, the copy to run picked at load from the
 * CPU's features (GCC on x86-64; elsewhere one baseline build). Kernels whose sums keep their order give
 * the same bits in every copy. */
#ifndef TENSILE_CLONES_H
#define TENSILE_CLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

#endif
