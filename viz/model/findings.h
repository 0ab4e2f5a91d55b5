/*
** findings.h -- things worth pointing out in a trace, each with a paragraph
** that explains it in asyncio's terms.
**
** Findings are computed once per run when it is added to a doc, from the trace
** model alone:
**
**   sequential awaits   a chain of coroutine calls (`await job()`, one frame
**                       after another in the same task) that each spent their
**                       time waiting, so the chain took the sum of the waits
**                       where running them together would take about the
**                       longest;
**   loop stall          a step that took loop time (a blocking call) while
**                       other handles sat in the ready queue or timers came
**                       due, or a `slow_callback` warning about a step not
**                       already reported;
**   never retrieved     a `never_retrieved` warning: a task's exception that
**                       nothing awaited or asked for;
**   pending at close    a `pending_at_close` warning: a task the loop left
**                       suspended when it closed;
**   swallowed cancel    a task that cancel() reached (a cancel link ending at
**                       a CancelledError `throw` in it) that still finished
**                       with a result;
**   deadlock            the recording ended with tasks waiting and nothing
**                       left that could wake them.
**
** At most VZ_FINDINGS_MAX are kept per run (a trace with thousands of stalls
** lists the first ones and says how many more there were).
*/
#ifndef VZ_FINDINGS_H
#define VZ_FINDINGS_H

#include "view_model.h"

#define VZ_FINDINGS_MAX 40   /* findings kept per run */

typedef enum vz_finding_kind {
    VZ_FIND_SEQUENTIAL,
    VZ_FIND_STALL,
    VZ_FIND_NEVER_RETRIEVED,
    VZ_FIND_PENDING_AT_CLOSE,
    VZ_FIND_SWALLOWED_CANCEL,
    VZ_FIND_DEADLOCK,
    VZ_FIND__COUNT
} vz_finding_kind;

/* Compute run->findings from run->tr. Returns 0, or -1 when memory runs out. */
int vz_findings_build(vz_run *run);

/* A kind's name for machines: "sequential_awaits", "loop_stall", "never_retrieved",
** "pending_at_close", "swallowed_cancel", "deadlock" (`coroscope lint --json`). */
const char *vz_finding_name(vz_finding_kind kind);

/* A short heading for a kind: "Awaits that could run concurrently". */
const char *vz_finding_heading(vz_finding_kind kind);

/* The explanation paragraph for a kind (plain text, one paragraph). */
const char *vz_finding_explain(vz_finding_kind kind);

#endif
