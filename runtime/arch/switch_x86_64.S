/*
** switch_x86_64.S -- the context switch for x86-64 (System V ABI).
**
** co__context_switch(co_context *from  [rdi], co_context *to [rsi])
**   pushes the callee-saved registers rbp rbx r12-r15 and the SSE/x87 control
**   words, stores rsp in from->sp, loads to->sp, and pops the same set: the
**   `ret` then returns into the resumed context.
** co__context_trampoline is where a fresh stack starts (see context.c): it calls
**   entry(arg), which context.c left in r12 and r13.
** __morestack is where split-stack code reports a task's stack overflow.
*/
#if defined(__x86_64__)
    .text
    .globl co__context_switch
    .hidden co__context_switch          /* internal: no PLT detour in libcoroscope.so */
    .type co__context_switch, @function
co__context_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq (%rsi), %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size co__context_switch, .-co__context_switch

/*
** __morestack: where a split-stack prologue goes when its frame would pass the
** running task's stack limit (context.h, stack.h) -- the task overflowed its
** stack, and nothing of the frame is written yet. The limit is cleared (the
** report's own prologues must pass), the report runs on a stack of its own
** (the task's may have no room left), names the task and stops the process;
** it never returns. Called with the return address pointing into the
** overflowing function's prologue, r10 = its frame size. The report is
** co__stack_overflow_hook, which task.c sets before any task runs (a pointer,
** so that this file needs no symbol from the C files: a program that only
** links the model still links).
*/
    .globl __morestack
    .type __morestack, @function
__morestack:
    movq $0, %fs:0x70
    leaq co__overflow_stack+16384(%rip), %rsp
    andq $-16, %rsp
    movq co__stack_overflow_hook(%rip), %rax
    testq %rax, %rax
    jz 1f
    callq *%rax
1:  ud2
    .size __morestack, .-__morestack
    .local co__overflow_stack
    .comm co__overflow_stack, 16384, 16

    .data
    .globl co__stack_overflow_hook
    .hidden co__stack_overflow_hook     /* the library's own: PC-relative in a shared object too */
    .type co__stack_overflow_hook, @object
    .balign 8
co__stack_overflow_hook:
    .quad 0
    .size co__stack_overflow_hook, 8
    .text

    .globl co__context_trampoline
    .hidden co__context_trampoline
    .type co__context_trampoline, @function
co__context_trampoline:
    movq %r13, %rdi
    callq *%r12
    ud2
    .size co__context_trampoline, .-co__context_trampoline
#endif
    .section .note.GNU-stack,"",@progbits
