/*
** context.c -- preparing fresh stacks for the assembly switch, and the
** ucontext fallback for targets without one (see context.h).
*/
#include <stdint.h>
#include <string.h>

#include "context.h"

#if defined(__x86_64__)

void co__context_trampoline(void);

void co__context_init(co_context *ctx, void *stack_lo, size_t size,
                      void (*entry)(void *), void *arg)
{
    /* The first switch pops what co__context_switch pushed: control words,
    ** r15 r14 r13 r12 rbx rbp, then returns into the trampoline with rsp
    ** 16-byte aligned, as a function's caller must leave it. */
    uintptr_t top = ((uintptr_t)stack_lo + size) & ~(uintptr_t)15;
    uint64_t *sp = (uint64_t *)(top - 16);
    *--sp = (uint64_t)(uintptr_t)co__context_trampoline;  /* ret address */
    *--sp = 0;                                            /* rbp */
    *--sp = 0;                                            /* rbx */
    *--sp = (uint64_t)(uintptr_t)entry;                   /* r12 */
    *--sp = (uint64_t)(uintptr_t)arg;                     /* r13 */
    *--sp = 0;                                            /* r14 */
    *--sp = 0;                                            /* r15 */
    *--sp = 0x037F00001F80ull;                            /* fpu cw | mxcsr */
    ctx->sp = sp;
}

#elif defined(__aarch64__)

void co__context_trampoline(void);

void co__context_init(co_context *ctx, void *stack_lo, size_t size,
                      void (*entry)(void *), void *arg)
{
    uintptr_t top = ((uintptr_t)stack_lo + size) & ~(uintptr_t)15;
    uint64_t *frame = (uint64_t *)(top - 176);
    memset(frame, 0, 176);
    frame[0] = (uint64_t)(uintptr_t)entry;                 /* x19 */
    frame[1] = (uint64_t)(uintptr_t)arg;                   /* x20 */
    frame[11] = (uint64_t)(uintptr_t)co__context_trampoline; /* x30 */
    ctx->sp = frame;
}

#else

static void ucontext_start(unsigned hi, unsigned lo)
{
    /* makecontext passes only int arguments portably: the context's address
    ** arrives in two halves. */
    co_context *ctx = (co_context *)(((uintptr_t)hi << 16 << 16) | (uintptr_t)lo);
    ctx->entry(ctx->arg);
}

void co__context_init(co_context *ctx, void *stack_lo, size_t size,
                      void (*entry)(void *), void *arg)
{
    getcontext(&ctx->uc);
    ctx->uc.uc_stack.ss_sp = stack_lo;
    ctx->uc.uc_stack.ss_size = size;
    ctx->uc.uc_link = NULL;
    ctx->entry = entry;
    ctx->arg = arg;
    uintptr_t p = (uintptr_t)ctx;
    makecontext(&ctx->uc, (void (*)(void))ucontext_start, 2,
                (unsigned)(p >> 16 >> 16), (unsigned)(p & 0xffffffffu));
}

void co__context_switch(co_context *from, co_context *to)
{
    swapcontext(&from->uc, &to->uc);
}

#endif
