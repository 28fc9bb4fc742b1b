// How the element-wise kernels get one version per instruction set without compiler flags.
#ifndef CNEURALNET_MULTIVERSION_H
#define CNEURALNET_MULTIVERSION_H

// On x86-64 ELF systems the loader picks the best clone for the CPU (an ifunc); elsewhere
// (Apple platforms, other architectures) the single baseline version is compiled. Built with
// `-Xcc -DNN_MAX_ISA_AVX2`, no AVX-512 code runs even where the CPU has it: an AVX-512 machine
// then stands in for an AVX2-only one in benchmarks (bench/compare_pytorch.py --max-isa avx2).
#if defined(__x86_64__) && defined(__ELF__) && defined(__clang__) && defined(NN_MAX_ISA_AVX2)
#define NN_MULTIVERSIONED __attribute__((target_clones("arch=x86-64-v3", "default")))
#elif defined(__x86_64__) && defined(__ELF__) && defined(__clang__)
#define NN_MULTIVERSIONED __attribute__((target_clones("avx512f", "arch=x86-64-v3", "default")))
#else
#define NN_MULTIVERSIONED
#endif

// Keeps the compiler from turning short copy loops into calls to memcpy, which cost more than
// copying a few floats.
#if defined(__clang__)
#define NN_NO_LIBRARY_CALLS __attribute__((no_builtin("memcpy", "memmove", "memset")))
#else
#define NN_NO_LIBRARY_CALLS
#endif

#endif
