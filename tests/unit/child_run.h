/*
** child_run.h -- run a coroutine on a fresh loop in a child process, for the
** tests whose subject ends the process (a stack overflow stops it).
*/
#ifndef TEST_CHILD_RUN_H
#define TEST_CHILD_RUN_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coroscope.h"

/* Run main on a loop made with cfg (NULL: defaults) in a child process;
** returns its wait status, and what it wrote to stderr in err. */
static int run_in_child(co_fn main, const co_loop_config *cfg, char *err, size_t errlen)
{
    int fds[2];
    cr_assert(pipe(fds) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        co_loop *L = co_loop_new(cfg);
        co_exc *e = co_run(L, co_coro_make(main, "main", 0, NULL), NULL, NULL);
        _exit(e ? 3 : 0);
    }
    close(fds[1]);
    memset(err, 0, errlen);
    ssize_t n, got = 0;
    while ((n = read(fds[0], err + got, errlen - 1 - (size_t)got)) > 0)
        got += n;
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return status;
}

#endif
