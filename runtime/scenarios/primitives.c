/*
** primitives.c -- tasks coordinating through asyncio's queues and locks: a
** producer/consumer pipeline over a bounded Queue, ten downloads limited by a
** Semaphore, a Lock around a read-modify-write that yields, an Event
** releasing its waiters, and a Condition with notify / notify_all. Each
** mirrors its twin NAME.py line for line; `async with x:` is acquire, the
** body, then release whatever the body raised.
*/
#include <string.h>

#include "scenarios.h"

static const char *pybool(bool b) { return b ? "True" : "False"; }

/* --- pipeline --------------------------------------------------------------- */

static co_exc *producer(const co_value *args, co_value *result)
{
    (void)result;
    co_queue *queue = args[0].u.p;
    for (int i = 0; i < 5; i++) {
        TRY(co_queue_put(queue, co_int(i)));
        co_print("put %d (size %zu)", i, co_queue_qsize(queue));
    }
    return NULL;
}

static co_exc *consumer(const co_value *args, co_value *result)
{
    (void)result;
    co_queue *queue = args[0].u.p;
    for (;;) {
        co_value item;
        TRY(co_queue_get(queue, &item));
        TRY(co_sleep(1));
        co_print("consumed %s", co_strv(item));
        TRY(co_queue_task_done(queue));
    }
}

co_exc *scn_pipeline(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_queue *queue = co_queue_new(co_running_loop(), 2);
    co_task *worker = co_create_task(CO_CORO(consumer, co_ptr(queue)), NULL);
    TRY(co_await_coro(CO_CORO(producer, co_ptr(queue)), NULL));
    TRY(co_queue_join(queue));
    co_print("all items processed");
    co_task_cancel(worker, NULL);
    co_exc *e = co_await(co_task_future(worker), NULL);
    if (co_exc_is_cancel(e))
        co_print("consumer stopped");
    else if (e)
        return e;
    return NULL;
}

/* --- semaphore_downloads ------------------------------------------------------ */

static co_exc *download(const co_value *args, co_value *result)
{
    co_semaphore *sem = args[0].u.p;
    long long n = args[1].u.i;
    TRY(co_semaphore_acquire(sem));             /* async with sem: */
    co_print("start %lld", n);
    co_exc *e = co_sleep((double)(1 + n % 3));
    if (!e)
        co_print("done %lld", n);
    co_semaphore_release(sem);
    if (e)
        return e;
    *result = co_int(n * 10);
    return NULL;
}

co_exc *scn_semaphore_downloads(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_semaphore *sem = co_semaphore_new(co_running_loop(), 3);
    co_aw downloads[10];
    for (int n = 0; n < 10; n++)
        downloads[n] = co_aw_coro(CO_CORO(download, co_ptr(sem), co_int(n)));
    co_value results;
    TRY(co_await(co_gather(downloads, 10, false), &results));
    co_print("%s", co_repr(results));
    return NULL;
}

/* --- lock_counter ------------------------------------------------------------------ */

static long long counter;

static co_exc *add(const co_value *args, co_value *result)
{
    (void)result;
    co_lock *lock = args[0].u.p;
    for (long long i = 0; i < args[2].u.i; i++) {
        TRY(co_lock_acquire(lock));             /* async with lock: */
        long long value = counter;
        co_exc *e = co_sleep(0.1);
        if (!e) {
            counter = value + 1;
            co_print("%s: counter=%lld", args[1].u.s, counter);
        }
        co_lock_release(lock);
        if (e)
            return e;
    }
    return NULL;
}
#define ADD(lock, name, times) CO_CORO(add, co_ptr(lock), co_str(name), co_int(times))

co_exc *scn_lock_counter(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    counter = 0;
    co_lock *lock = co_lock_new(co_running_loop());
    co_aw adders[] = {co_aw_coro(ADD(lock, "a", 2)), co_aw_coro(ADD(lock, "b", 2)),
                      co_aw_coro(ADD(lock, "c", 2))};
    TRY(co_await(co_gather(adders, 3, false), NULL));
    co_print("final counter=%lld", counter);
    return NULL;
}

/* --- event_release ---------------------------------------------------------------- */

static co_exc *waiter(const co_value *args, co_value *result)
{
    (void)result;
    co_event *event = args[0].u.p;
    co_print("%s waiting", args[1].u.s);
    TRY(co_event_wait(event));
    co_print("%s released", args[1].u.s);
    return NULL;
}

co_exc *scn_event_release(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_event *event = co_event_new(co_running_loop());
    static const char *const names[] = {"a", "b", "c"};
    co_aw tasks[3];
    for (int i = 0; i < 3; i++)
        tasks[i] = co_aw_fut(co_task_future(co_create_task(CO_CORO(waiter, co_ptr(event), co_str(names[i])), NULL)));
    TRY(co_sleep(1));
    co_print("setting the event");
    co_event_set(event);
    TRY(co_await(co_gather(tasks, 3, false), NULL));
    co_print("is_set=%s", pybool(co_event_is_set(event)));
    co_event_clear(event);
    co_print("after clear: is_set=%s", pybool(co_event_is_set(event)));
    return NULL;
}

/* --- condition_notify --------------------------------------------------------------- */

typedef struct item_list {
    int items[8];
    int n;
} item_list;

static bool has_items(void *items) { return ((item_list *)items)->n > 0; }   /* lambda: len(items) > 0 */

static co_exc *cond_consumer(const co_value *args, co_value *result)
{
    (void)result;
    co_condition *cond = args[0].u.p;
    item_list *items = args[1].u.p;
    TRY(co_condition_acquire(cond));            /* async with cond: */
    co_exc *e = co_condition_wait_for(cond, has_items, items, NULL);
    if (!e) {
        int first = items->items[0];            /* items.pop(0) */
        memmove(items->items, items->items + 1, (size_t)(--items->n) * sizeof items->items[0]);
        co_print("%s took %d", args[2].u.s, first);
    }
    co_condition_release(cond);
    return e;
}

co_exc *scn_condition_notify(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_condition *cond = co_condition_new(co_running_loop(), NULL);
    static item_list items;     /* outlives main's stack, as the Python list outlives main */
    memset(&items, 0, sizeof items);
    static const char *const names[] = {"a", "b"};
    co_aw tasks[2];
    for (int i = 0; i < 2; i++)
        tasks[i] = co_aw_fut(co_task_future(co_create_task(
            co_coro_make(cond_consumer, "consumer", 3, (co_value[]){co_ptr(cond), co_ptr(&items), co_str(names[i])}),
            NULL)));
    TRY(co_sleep(1));
    TRY(co_condition_acquire(cond));
    items.items[items.n++] = 1;
    items.items[items.n++] = 2;
    co_condition_notify(cond, 1);
    co_print("notified one");
    co_condition_release(cond);
    TRY(co_sleep(1));
    TRY(co_condition_acquire(cond));
    co_condition_notify_all(cond);
    co_print("notified all");
    co_condition_release(cond);
    TRY(co_await(co_gather(tasks, 2, false), NULL));
    return NULL;
}
