/*
** switch_x86_64.S -- the context switch for x86-64 (System V ABI).
**
** co__context_switch(co_context *from  [rdi], co_context *to [rsi])
**   pushes the callee-saved registers rbp rbx r12-r15 and the SSE/x87 control
**   words, stores rsp in from->sp, loads to->sp, and pops the same set: the
**   `ret` then returns into the resumed context.
** co__context_trampoline is where a fresh stack starts (see context.c): it calls
**   entry(arg), which context.c left in r12 and r13.
*/
#if defined(__x86_64__)
    .text
    .globl co__context_switch
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

    .globl co__context_trampoline
    .type co__context_trampoline, @function
co__context_trampoline:
    movq %r13, %rdi
    callq *%r12
    ud2
    .size co__context_trampoline, .-co__context_trampoline
#endif
    .section .note.GNU-stack,"",@progbits
