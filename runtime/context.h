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

/* Save the current context into `from`, resume `to`. */
void co__context_switch(co_context *from, co_context *to);

#endif
