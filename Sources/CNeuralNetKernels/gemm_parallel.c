// The packed multiply on several threads. Splitting C's rows between threads that each run the
// single-threaded driver would have every thread pack the same blocks of B; here the threads
// pack each KC x NC block of B together, a share of its micro-panels each, and then multiply
// their own rows by the one shared copy. Each element of C is summed exactly as
// `nn_sgemm_blocked` sums it (the same KC slices in the same order), whatever the thread count.
#include "CNeuralNetKernels.h"
#include "gemm_blocking.h"

#define ALIGNED_FLOATS(count) (((count) + 15) & ~15L)

typedef struct {
    gemm_problem problem;
    long parts;
    // Rows of each row block of the multiply phase (see row_blocks).
    long rows_per_part;
    float *packed_b;
    // Row block i's packed A and edge tile, at part_space + i * part_floats: the pool gives
    // the first blocks to the same threads each call, so this memory stays in their caches.
    float *part_space;
    long part_floats;
    long packed_a_floats;
    // The block being worked on.
    long j0, nc, p0, kc;
} shared_job;

static long packed_a_floats(long rows, long k) {
    long kc = gemm_slice_depth(k), mc = rows < MC ? rows : MC;
    return ALIGNED_FLOATS(((mc + MR - 1) / MR) * MR * kc);
}

static long packed_b_floats(long n, long k) {
    long kc = gemm_slice_depth(k), nc = n < NC ? n : NC;
    return ALIGNED_FLOATS(((nc + NR_MAX - 1) / NR_MAX) * NR_MAX * kc);
}

// Row blocks of the multiply phase: two a thread when each still has at least MC rows, taken
// as threads come free, so that a thread the host slowed does not keep the other waiting at
// the end of every slice of K (gemm n = 1024 and 2048 on two threads: about 1% faster).
static long row_blocks(long m, long parts) {
    return m >= 2 * parts * MC ? 2 * parts : parts;
}

static long rows_per_part(long m, long parts) {
    // Whole micro-tiles per part, so that no tile straddles two threads.
    return ((m + parts - 1) / parts + MR - 1) / MR * MR;
}

long nn_sgemm_parallel_workspace_size(long m, long n, long k, long threads) {
    long blocks = row_blocks(m, threads < 1 ? 1 : threads);
    long part = packed_a_floats(rows_per_part(m, blocks), k) + ALIGNED_FLOATS(MR * NR_MAX);
    return packed_b_floats(n, k) + blocks * part + nn_sgemm_workspace_size(m, n, k);
}

// Part `index` packs its share of the block's micro-panels.
static void pack_share(void *context, long index) {
    shared_job *job = context;
    long nr = job->problem.kernels.nr;
    long panels = (job->nc + nr - 1) / nr;
    long per_part = (panels + job->parts - 1) / job->parts;
    long first = index * per_part;
    if (first >= panels) return;
    long columns = (first + per_part) * nr <= job->nc ? per_part * nr : job->nc - first * nr;
    gemm_pack_b(&job->problem, job->p0, job->j0 + first * nr, job->kc, columns, job->packed_b + first * nr * job->kc);
}

// Row block `index` is multiplied by the shared block.
static void multiply_share(void *context, long index) {
    shared_job *job = context;
    long begin = index * job->rows_per_part;
    if (begin >= job->problem.m) return;
    long end = begin + job->rows_per_part < job->problem.m ? begin + job->rows_per_part : job->problem.m;
    float *packed_a = job->part_space + index * job->part_floats;
    gemm_multiply_rows(&job->problem, begin, end, job->j0, job->nc, job->p0, job->kc, job->packed_b,
                       packed_a, packed_a + job->packed_a_floats);
}

void nn_sgemm_parallel(nn_kernel kernel, int transpose_a, int transpose_b, long m, long n, long k,
                       const float *a, long lda, const float *b, long ldb, float *c, long ldc,
                       int accumulate, long threads, float *workspace, const nn_epilogue *epilogue) {
    long parts = threads < 1 ? 1 : threads;
    if (parts == 1 || m <= MR || n <= 0 || k <= 0) {
        nn_sgemm_blocked(kernel, transpose_a, transpose_b, m, n, k, a, lda, b, ldb, c, ldc,
                         accumulate, workspace, epilogue);
        return;
    }
    shared_job job = {
        .problem = {
            .transpose_a = transpose_a, .transpose_b = transpose_b, .m = m, .n = n, .k = k,
            .a = a, .lda = lda, .b = b, .ldb = ldb, .c = c, .ldc = ldc,
            .accumulate = accumulate, .epilogue = epilogue,
        },
        .parts = parts,
        .rows_per_part = rows_per_part(m, row_blocks(m, parts)),
    };
    nn_select_micro_kernel(kernel, &job.problem.kernels);
    job.packed_a_floats = packed_a_floats(job.rows_per_part, k);
    job.part_floats = job.packed_a_floats + ALIGNED_FLOATS(MR * NR_MAX);
    job.packed_b = workspace;
    job.part_space = workspace + packed_b_floats(n, k);

    for (job.j0 = 0; job.j0 < n; job.j0 += NC) {
        job.nc = n - job.j0 < NC ? n - job.j0 : NC;
        long depth = gemm_slice_depth(k);
        for (job.p0 = 0; job.p0 < k; job.p0 += depth) {
            job.kc = k - job.p0 < depth ? k - job.p0 : depth;
            nn_parallel_for(parts, parts, pack_share, &job);
            nn_parallel_for(row_blocks(m, parts), parts, multiply_share, &job);
        }
    }
}
