/*
** stack_wrap.c -- what linking with -fsplit-stack asks for, answered without
** libgcc's split-stack runtime.
**
** A program linked with `gcc -fsplit-stack` (the Makefile links so: under LTO
** the flag must reach the link for the prologue checks to be compiled) is
** linked with --wrap=pthread_create, so that libgcc can give each thread a
** stack segment of its own. coroscope does not grow stacks -- its __morestack
** reports an overflow (runtime/arch/switch_x86_64.S) -- and libgcc's wrapper
** would bring libgcc's __morestack with it, so threads are created here as
** they would be without the flag. This file is its own archive member: a
** program linked without -fsplit-stack never references the wrapper, and
** never links it.
*/
#include <pthread.h>

#if defined(CO_SPLIT_STACK)
int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg);
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg);

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
    return __real_pthread_create(thread, attr, start, arg);
}
#else
typedef int co__stack_wrap_unused;   /* ISO C wants a declaration in every file */
#endif
