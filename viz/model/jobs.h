/*
** jobs.h -- what the viewer shows of an executor (`run_in_executor`,
** `to_thread`): a lane per worker thread with the jobs it ran, and a queue
** lane with the jobs that waited for a free worker.
**
** A job is submitted by the running task, started by a worker thread and done
** (traces/FORMAT.md: `job` submit / start / done). When every worker of the
** pool is busy at the submit, the job waits in the executor's queue
** (ThreadPoolExecutor's _work_queue) until a worker finishes the job it has
** and takes the next. The viewer calls a job *queued* when a worker had to
** come free for it: some other job finished between its submit and its start
** -- or, when it never started, some worker was busy at its submit. A worker
** thread that is merely slow to pick work up (a real-clock recording) is not
** waiting for a free worker, so it is not drawn as queued.
**
** The trace does not say how big the pool was; what it does say is how many
** workers were running a job at the submit ("2 busy"), and for a queued job
** that is every worker the pool had.
**
** vz_jobs_build is called by vz_doc_add; everything is sized by the trace's
** jobs and owned by the run (vz_jobs_free releases it, NULL-safe on a zeroed
** run).
*/
#ifndef VZ_JOBS_H
#define VZ_JOBS_H

#include <stddef.h>

#include "view_model.h"

#define VZ_QUEUE_ROWS 4   /* sub-rows of the queue lane; more jobs queued at once share the last */

/* Build run->wk_first, run->wk_job and the queue (run->job_busy, jq_job,
** jq_row, n_queued, q_rows). Returns 0, or -1 when memory runs out. */
int vz_jobs_build(vz_run *run);

/* Free what vz_jobs_build made. */
void vz_jobs_free(vz_run *run);

/* How many workers were busy when job `job` was submitted, if it had to wait
** for one to come free; TM_NONE when it was not queued. */
uint32_t vz_job_busy(const vz_run *run, uint32_t job);

/* The last event of a queued job's wait: its start, or the trace's last event
** when it never started. */
uint32_t vz_job_queue_end(const vz_run *run, uint32_t job);

/*
** What a job's wait was, in one line: "waiting for a free worker (2 busy) from
** 0 s to 1 s, then worker-0 takes it", or "... (2 busy) from 0 s, still waiting
** when the trace ends". Returns buf, or NULL (buf untouched) when the job was
** not queued.
*/
char *vz_job_wait_text(const vz_run *run, uint32_t job, char *buf, size_t size);

#endif
