/*
** switch_aarch64.S -- the context switch for AArch64 (AAPCS64).
**
** co__context_switch(co_context *from [x0], co_context *to [x1])
**   saves x19-x28, the frame pointer x29, the link register x30 and d8-d15
**   in a 176-byte frame, stores sp in from->sp, loads to->sp and restores the
**   same set; `ret` jumps to the restored x30.
** co__context_trampoline starts a fresh stack: entry is in x19, arg in x20.
*/
#if defined(__aarch64__)
    .text
    .globl co__context_switch
    .hidden co__context_switch
    .type co__context_switch, %function
co__context_switch:
    sub sp, sp, #176
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mov x9, sp
    str x9, [x0]
    ldr x9, [x1]
    mov sp, x9
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    add sp, sp, #176
    ret
    .size co__context_switch, .-co__context_switch

    .globl co__context_trampoline
    .hidden co__context_trampoline
    .type co__context_trampoline, %function
co__context_trampoline:
    mov x0, x20
    blr x19
    brk #0
    .size co__context_trampoline, .-co__context_trampoline
#endif
    .section .note.GNU-stack,"",%progbits
