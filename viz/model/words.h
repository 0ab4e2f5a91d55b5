/*
** words.h -- what the viewer calls things: CPython's internal names said the
** way a student would say them, and the glossary of the words the viewer
** itself uses.
**
** A trace names what asyncio really ran: a timer's callback is
** `_set_result_unless_cancelled`, `asyncio.run` stops the loop with
** `_run_until_complete_cb`, `wait_for` gives up through `_cancel_and_wait()`.
** Those names are true but say nothing to someone learning asyncio, so the
** lanes, the loop panel and the event list show what they mean ("ends a
** sleep", "asyncio.run sees main finish") and the inspector and tooltips keep
** the raw name beside it. Names not in the table are shown as they are: a
** program's own callbacks mean what their authors called them.
*/
#ifndef VZ_WORDS_H
#define VZ_WORDS_H

#include "view_model.h"

/* What a callback does, for a student; NULL when `fn` is not an asyncio internal. */
const char *vz_plain_callback(const char *fn);

/* A callback as the viewer shows it: the plain words, else the name itself. */
const char *vz_callback_words(const char *fn);

/*
** What a waiting span waits on, for a student: `label` itself unless it names
** an asyncio internal ("_cancel_and_wait()" -> "the cancelled task to finish
** (wait_for)"; as_completed's "queue.get()" -> "the next completion").
*/
const char *vz_wait_words(const vz_run *run, const char *label);

/* The words the viewer uses, each with a definition (the help's glossary and
** the legend's and panels' tooltips). */
typedef enum vz_term {
    VZ_TERM_RUNNING, VZ_TERM_READY, VZ_TERM_WAITING, VZ_TERM_DONE, VZ_TERM_STEP, VZ_TERM_HANDLE,
    VZ_TERM_CALLBACK, VZ_TERM_TIMER, VZ_TERM_FUTURE, VZ_TERM_WAKEUP, VZ_TERM_IDLE, VZ_TERM_CANCEL,
    VZ_TERM__COUNT,
    VZ__TERM_NONE = VZ_TERM__COUNT   /* no entry */
} vz_term;

const char *vz_term_word(vz_term term);         /* "ready" */
const char *vz_term_meaning(vz_term term);      /* one or two sentences */

#endif
