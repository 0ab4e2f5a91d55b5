/*
** jobs.c -- the executor's worker lanes and its queue (see jobs.h).
**
** Jobs come in submission order. The worker lanes group the started jobs by
** worker, each worker's in start order. The queue needs, per job, how many
** jobs had started and how many had finished by its submit, and whether one
** finished between its submit and its start: two sorted arrays of event
** indexes and binary searches, O(jobs log jobs) in all. The queued jobs then
** get sub-rows of the queue lane as intervals get rooms: each takes the first
** sub-row free since before its submit.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "jobs.h"
#include "tm_safe.h"

/* Executor jobs by worker, each worker's in start order (jobs are in submission order). */
static int build_workers(vz_run *run)
{
    const tm_trace *tr = run->tr;
    size_t nw = tr->n_workers;
    run->wk_first = co_calloc(nw + 2, sizeof *run->wk_first);
    run->wk_job = co_malloc((tr->n_jobs ? tr->n_jobs : 1) * sizeof *run->wk_job);
    if (!run->wk_first || !run->wk_job)
        return -1;
    for (size_t j = 0; j < tr->n_jobs; j++)
        if (tr->jobs[j].worker >= 0 && (size_t)tr->jobs[j].worker < nw && tr->jobs[j].ev_start != TM_NONE)
            run->wk_first[tr->jobs[j].worker + 1]++;
    for (size_t w = 0; w < nw; w++)
        run->wk_first[w + 1] += run->wk_first[w];
    uint32_t *fill = co_malloc((nw ? nw : 1) * sizeof *fill);
    if (!fill)
        return -1;
    memcpy(fill, run->wk_first, nw * sizeof *fill);
    for (size_t j = 0; j < tr->n_jobs; j++) {
        const tm_job *jb = &tr->jobs[j];
        if (jb->worker < 0 || (size_t)jb->worker >= nw || jb->ev_start == TM_NONE)
            continue;
        uint32_t k = fill[jb->worker]++;   /* insertion keeps each worker's jobs in start order */
        while (k > run->wk_first[jb->worker] && tr->jobs[run->wk_job[k - 1]].ev_start > jb->ev_start) {
            run->wk_job[k] = run->wk_job[k - 1];
            k--;
        }
        run->wk_job[k] = (uint32_t)j;
    }
    co_free(fill);
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* How many of the n sorted values are <= v. */
static size_t count_le(const uint32_t *v, size_t n, uint32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Did a worker start the job? */
static int job_ran(const tm_job *jb)
{
    return jb->ev_start != TM_NONE;
}

static int build_queue(vz_run *run)
{
    const tm_trace *tr = run->tr;
    size_t nj = tr->n_jobs, ns = 0, nd = 0;
    run->job_busy = co_malloc((nj ? nj : 1) * sizeof *run->job_busy);
    uint32_t *starts = co_malloc((nj ? nj : 1) * sizeof *starts), *dones = co_malloc((nj ? nj : 1) * sizeof *dones);
    if (!run->job_busy || !starts || !dones) {
        co_free(starts);
        co_free(dones);
        return -1;
    }
    for (size_t j = 0; j < nj; j++) {
        const tm_job *jb = &tr->jobs[j];
        if (!job_ran(jb))
            continue;
        starts[ns++] = jb->ev_start;
        if (jb->ev_done != TM_NONE && jb->ev_done > jb->ev_start)
            dones[nd++] = jb->ev_done;
    }
    qsort(starts, ns, sizeof *starts, cmp_u32);
    qsort(dones, nd, sizeof *dones, cmp_u32);
    size_t queued = 0;
    for (size_t j = 0; j < nj; j++) {
        const tm_job *jb = &tr->jobs[j];
        size_t started = count_le(starts, ns, jb->ev_submit), done = count_le(dones, nd, jb->ev_submit);
        uint32_t busy = started > done ? (uint32_t)(started - done) : 0;
        int waited;
        if (job_ran(jb) && jb->ev_start > jb->ev_submit)   /* a worker came free for it in between */
            waited = busy > 0 && count_le(dones, nd, jb->ev_start - 1) > done;
        else
            waited = !job_ran(jb) && busy > 0;
        run->job_busy[j] = waited ? busy : TM_NONE;
        queued += (size_t)waited;
    }
    co_free(starts);
    co_free(dones);
    run->jq_job = co_malloc((queued ? queued : 1) * sizeof *run->jq_job);
    run->jq_row = co_malloc(queued ? queued : 1);
    if (!run->jq_job || !run->jq_row)
        return -1;
    uint32_t row_end[VZ_QUEUE_ROWS];   /* the last event of each sub-row's latest wait */
    int row_used[VZ_QUEUE_ROWS] = {0};
    for (size_t j = 0; j < nj; j++) {
        if (run->job_busy[j] == TM_NONE)
            continue;
        uint32_t from = tr->jobs[j].ev_submit, to = vz_job_queue_end(run, (uint32_t)j);
        int row = VZ_QUEUE_ROWS - 1;   /* all taken: share the last */
        for (int k = 0; k < VZ_QUEUE_ROWS; k++) {
            if (!row_used[k] || row_end[k] < from) {
                row = k;
                break;
            }
        }
        if (!row_used[row] || row_end[row] < to)
            row_end[row] = to;
        row_used[row] = 1;
        if (row + 1 > run->q_rows)
            run->q_rows = (uint8_t)(row + 1);
        run->jq_row[run->n_queued] = (uint8_t)row;
        run->jq_job[run->n_queued++] = (uint32_t)j;
    }
    return 0;
}

int vz_jobs_build(vz_run *run)
{
    return build_workers(run) < 0 || build_queue(run) < 0 ? -1 : 0;
}

void vz_jobs_free(vz_run *run)
{
    co_free(run->wk_first);
    co_free(run->wk_job);
    co_free(run->job_busy);
    co_free(run->jq_job);
    co_free(run->jq_row);
    run->wk_first = run->wk_job = run->job_busy = run->jq_job = NULL;
    run->jq_row = NULL;
    run->n_queued = 0;
    run->q_rows = 0;
}

uint32_t vz_job_busy(const vz_run *run, uint32_t job)
{
    return run->job_busy && job < run->tr->n_jobs ? run->job_busy[job] : TM_NONE;
}

uint32_t vz_job_queue_end(const vz_run *run, uint32_t job)
{
    const tm_job *jb = &run->tr->jobs[job];
    return jb->ev_start != TM_NONE ? jb->ev_start : (uint32_t)(run->tr->n_events - 1);
}

char *vz_job_wait_text(const vz_run *run, uint32_t job, char *buf, size_t size)
{
    uint32_t busy = vz_job_busy(run, job);
    if (busy == TM_NONE)
        return NULL;
    const tm_trace *tr = run->tr;
    const tm_job *jb = &tr->jobs[job];
    char a[32], b[32], d[32];
    vz_format_seconds(tr->events[jb->ev_submit].t, a, sizeof a);
    if (jb->ev_start == TM_NONE) {
        tm_safe_snprintf(buf, size, "waiting for a free worker (%u busy) from %s, still waiting when the trace ends", busy, a);
        return buf;
    }
    double t0 = tr->events[jb->ev_submit].t, t1 = tr->events[jb->ev_start].t;
    vz_format_seconds(t1, b, sizeof b);
    vz_format_seconds(t1 - t0, d, sizeof d);
    tm_safe_snprintf(buf, size, "waiting for a free worker (%u busy) from %s to %s (%s), then worker-%d takes it", busy, a, b,
             d, jb->worker);
    return buf;
}
