#include "CNeuralNetMemory.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int nn_keep_freed_memory(void) {
#if defined(__GLIBC__)
    // Buffers up to this size (glibc's largest allowed threshold) come from the heap instead
    // of a fresh mapping of their own.
    int kept = mallopt(M_MMAP_THRESHOLD, 32 << 20);
    // Freed heap memory up to this much is kept for the next allocations.
    kept &= mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return kept;
#else
    return 0;
#endif
}
