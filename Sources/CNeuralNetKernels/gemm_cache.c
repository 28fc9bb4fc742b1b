// Whether the micro-kernel may read an untransposed A in place, from the L1 data cache's
// geometry. Read in place, a micro-panel of A is MR runs of KC floats, one per row, lda floats
// apart; beside it the kernel keeps its KC x NR panel of B in L1. When lda is near a multiple
// of the 4 KB an L1 way spans, the MR runs fall into the same sets, and with B's lines there
// too a set can need more lines than it has ways: lines are then evicted and read again from
// L2 on every step. Simulated (cachegrind, AVX2 kernel) with Zen 3's 32 KB 8-way L1, reading
// in place had 25 to 45% more L1 misses than packing at n = 1000 to 2048 and no more at the
// inference shapes (lda = 784); with Zen 5's 48 KB 12-way L1 the two were even, and there
// reading in place measured 1 to 1.5% faster (AVX-512, n = 1024 and 2048).
#include "gemm_blocking.h"

#include <stdatomic.h>
#if defined(__linux__)
#include <unistd.h>
#endif

// Sets of a 4 KB way of 64-byte lines, as in the L1 data cache of every AMD Zen and Intel
// Core since Nehalem (its size is ways x 4 KB, so that the page offset indexes it).
#define L1_SETS 64
#define LINE_FLOATS 16

static atomic_int assumed_ways;  // 0: not set, detect

void nn_gemm_assume_l1_ways(int ways) { atomic_store(&assumed_ways, ways < 0 ? 0 : ways); }

static int detected_ways(void) {
    static atomic_int cached = -1;
    int ways = atomic_load(&cached);
    if (ways >= 0) return ways;
#if defined(__linux__) && defined(_SC_LEVEL1_DCACHE_ASSOC)
    long reported = sysconf(_SC_LEVEL1_DCACHE_ASSOC);
    ways = reported > 0 && reported < 1024 ? (int)reported : 0;
#else
    ways = 0;
#endif
    atomic_store(&cached, ways);
    return ways;
}

int nn_gemm_reads_a_in_place(long lda, long kc, long nr) {
    int ways = atomic_load(&assumed_ways);
    if (ways == 0) ways = detected_ways();
    // Unknown geometry, or enough ways for any layout measured so far: in place.
    if (ways == 0 || ways >= 12) return 1;
    long run = kc / LINE_FLOATS + 1 < L1_SETS ? kc / LINE_FLOATS + 1 : L1_SETS;
    long stride = (lda / LINE_FLOATS) % L1_SETS;
    int lines[L1_SETS] = {0}, busiest = 0;
    for (long i = 0; i < MR; i++) {
        for (long l = 0; l < run; l++) {
            int set = (int)((i * stride + l) % L1_SETS);
            if (++lines[set] > busiest) busiest = lines[set];
        }
    }
    long panel_b = (kc * nr + L1_SETS * LINE_FLOATS - 1) / (L1_SETS * LINE_FLOATS);
    return busiest + panel_b <= ways;
}
