#include "CNeuralNetThreads.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define MAX_WORKERS 63
// About 0.4 ms of spinning before a worker goes to sleep (a pause takes about 22 ns on the
// project's machines).
#define SPIN_ITERATIONS 20000

static inline void pause_briefly(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static struct {
    pthread_once_t once;
    pthread_mutex_t mutex;         // guards sleeping workers and the condition
    pthread_cond_t wake;
    atomic_flag busy;              // one parallel_for at a time
    long started;                  // workers created so far (under `mutex`)
    long generation;               // the number of jobs so far (written by the caller only)
    atomic_long assigned[MAX_WORKERS]; // the generation of the last job each worker was given
    atomic_long sleepers;
    // The current job.
    nn_task task;
    void *context;
    long count;
    atomic_long next;              // the next index to hand out
    atomic_long unfinished;        // workers still working on this job
} pool = { .once = PTHREAD_ONCE_INIT, .busy = ATOMIC_FLAG_INIT };

// Participant `first` (0 for the caller, rank + 1 for a worker) starts with its own index, so
// that a job split into one block per thread gives each thread the same block every time and
// its caches stay warm; further indices are handed out on demand.
static void run_indices(long first) {
    if (first < pool.count) pool.task(pool.context, first);
    long index;
    while ((index = atomic_fetch_add_explicit(&pool.next, 1, memory_order_relaxed)) < pool.count) {
        pool.task(pool.context, index);
    }
}

static void *worker(void *argument) {
    long rank = (long)argument;
    long seen = 0;
    for (;;) {
        long generation;
        int spins = 0;
        // Each worker waits on its own slot, so a job wakes only the workers it needs.
        while ((generation = atomic_load_explicit(&pool.assigned[rank], memory_order_acquire)) == seen) {
            if (++spins < SPIN_ITERATIONS) { pause_briefly(); continue; }
            pthread_mutex_lock(&pool.mutex);
            atomic_fetch_add(&pool.sleepers, 1);
            // Sequentially consistent, like the caller's store then load of `sleepers`: either
            // the caller sees this sleeper and signals, or this check sees the new job.
            while (atomic_load(&pool.assigned[rank]) == seen) {
                pthread_cond_wait(&pool.wake, &pool.mutex);
            }
            atomic_fetch_sub(&pool.sleepers, 1);
            pthread_mutex_unlock(&pool.mutex);
            spins = 0;
        }
        seen = generation;
        run_indices(rank + 1);
        atomic_fetch_sub_explicit(&pool.unfinished, 1, memory_order_release);
    }
    return 0;
}

static void initialise(void) {
    pthread_mutex_init(&pool.mutex, 0);
    pthread_cond_init(&pool.wake, 0);
}

static void ensure_workers(long wanted) {
    if (wanted > MAX_WORKERS) wanted = MAX_WORKERS;
    if (pool.started >= wanted) return;
    pthread_mutex_lock(&pool.mutex);
    while (pool.started < wanted) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&thread, &attributes, worker, (void *)pool.started) != 0) {
            pthread_attr_destroy(&attributes);
            break;
        }
        pthread_attr_destroy(&attributes);
        pool.started++;
    }
    pthread_mutex_unlock(&pool.mutex);
}

void nn_parallel_for(long count, long threads, nn_task task, void *context) {
    if (count <= 0) return;
    long helpers = (threads < count ? threads : count) - 1;
    pthread_once(&pool.once, initialise);
    if (helpers <= 0 || atomic_flag_test_and_set_explicit(&pool.busy, memory_order_acquire)) {
        for (long i = 0; i < count; i++) task(context, i);
        return;
    }
    ensure_workers(helpers);
    if (helpers > pool.started) helpers = pool.started;
    pool.task = task;
    pool.context = context;
    pool.count = count;
    atomic_store_explicit(&pool.next, helpers + 1, memory_order_relaxed);
    atomic_store_explicit(&pool.unfinished, helpers, memory_order_relaxed);
    pool.generation++;
    for (long rank = 0; rank < helpers; rank++) {
        atomic_store(&pool.assigned[rank], pool.generation);
    }
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.mutex);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.mutex);
    }
    run_indices(0);
    while (atomic_load_explicit(&pool.unfinished, memory_order_acquire) > 0) pause_briefly();
    atomic_flag_clear_explicit(&pool.busy, memory_order_release);
}
