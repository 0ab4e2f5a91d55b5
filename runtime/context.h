/*
** context.h -- switching between C stacks: the machinery under every task.
**
** A context is a saved stack pointer; the callee-saved registers (and the
** floating-point control words) live on the stack it points to. Switching
** costs about 11 ns on x86-64 here, against ~218 ns for glibc's swapcontext,
** which also saves the signal mask with a system call. The switch is written in
** assembly for x86-64 (SysV ABI) and AArch64 (runtime/arch/); other targets use
** a ucontext fallback in context.c.
**
** co__context_init prepares a fresh stack so that the first switch into it
** calls entry(arg) on that stack. entry must never return: it ends by switching
** away for good.
*/
#ifndef CO_CONTEXT_H
#define CO_CONTEXT_H

#include <stddef.h>

#if defined(__x86_64__) || defined(__aarch64__)
#define CO_CONTEXT_ASM 1
typedef struct co_context {
    void *sp;                      /* saved stack pointer; registers are below it */
} co_context;
#else
#include <ucontext.h>
typedef struct co_context {
    ucontext_t uc;                 /* portable fallback: slow but correct */
    void (*entry)(void *);         /* what the first switch calls */
    void *arg;                     /* its argument */
} co_context;
#endif

void co__context_init(co_context *ctx, void *stack_lo, size_t size,
                      void (*entry)(void *), void *arg);

/*
** The stack limit of the calling thread, as split-stack code reads it: on
** x86-64 with glibc, a function compiled with -fsplit-stack compares its stack
** pointer minus its frame with the word at %fs:0x70 of the thread's TCB (the
** slot glibc reserves for it) and calls __morestack when it would go below.
** The loop sets it to the task's co__stack_limit() just before switching to
** the task and back to NULL (no limit: the loop's own stack and other threads
** are never checked) when the task gives control back. Elsewhere a no-op.
*/
#if defined(__x86_64__) && defined(__GLIBC__)
static inline void co__context_set_limit(const void *limit)
{
    __asm__ volatile("movq %0, %%fs:0x70" : : "r"(limit) : "memory");
}
#else
static inline void co__context_set_limit(const void *limit)
{
    (void)limit;
}
#endif

/* What __morestack calls when a task's stack overflows (task.c sets it; it
** never returns). */
#if defined(__x86_64__) && defined(CO_CONTEXT_ASM)
extern void (*co__stack_overflow_hook)(void);
#endif

/* The saved stack pointer of a context not running (NULL where unknown). */
static inline const void *co__context_sp(const co_context *ctx)
{
#if defined(CO_CONTEXT_ASM)
    return ctx->sp;
#else
    (void)ctx;
    return NULL;
#endif
}

/* Save the current context into `from`, resume `to`. */
void co__context_switch(co_context *from, co_context *to);

#endif
