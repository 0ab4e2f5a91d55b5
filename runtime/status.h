/*
** status.h -- the runtime's one status enum, with names and messages.
**
** 0 is success. Functions that can fail for reasons other than a Python-level
** exception (which travels as a co_exc value, see exc.h) return a co_status.
*/
#ifndef CO_STATUS_H
#define CO_STATUS_H

#define CO_STATUS_LIST(X)                                                          \
    X(CO_OK, "ok")                                                                 \
    X(CO_ENOMEM, "out of memory")                                                  \
    X(CO_EINVAL, "invalid argument")                                               \
    X(CO_EBUSY, "the loop still owns live tasks")                                  \
    X(CO_ERUNNING, "this event loop is already running")                           \
    X(CO_ECLOSED, "the event loop is closed")                                      \
    X(CO_ESTOPPED, "the event loop stopped before the future completed")           \
    X(CO_EDEADLOCK, "deadlock: tasks are waiting and nothing can ever wake them")  \
    X(CO_EIO, "input/output error")                                                \
    X(CO_EEXIT, "a task raised SystemExit or KeyboardInterrupt, which stops the loop")          \
    X(CO_ETHREAD, "Non-thread-safe operation invoked on an event loop other than the current one")

typedef enum co_status {
#define CO_X_ENUM(name, msg) name,
    CO_STATUS_LIST(CO_X_ENUM)
#undef CO_X_ENUM
} co_status;

const char *co_status_name(co_status s);     /* "CO_EBUSY" */
const char *co_status_message(co_status s);  /* "the loop still owns live tasks" */

#endif
