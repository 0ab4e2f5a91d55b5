/*
** pyprog.c -- Python programs as a front door: `coroscope record prog.py`,
** and `show` / `view` / `summary` / `validate` / `export` / `lint` given a
** .py file instead of a trace.
**
** A Python program is recorded by the CPython recorder
** (coroscope_record.py), run by python3 in a child process: CPython runs
** Python exactly, and the recorder writes the same trace format as the
** runtime. This file finds the recorder (beside an installed coroscope, or in
** a checkout), checks that the interpreter is there and new enough (3.11: its
** asyncio is the reference), and runs it -- as python3 runs a script, but with
** its compiled code cached in the build directory when it is a checkout's
** (RECORDER_BOOT): a script is compiled anew at every run, which is a tenth of
** a short recording's time. Commands that read traces record
** each program into a private temporary directory, read that trace, and remove
** it when they are done.
*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "cli.h"

#define RECORDER_NAME "coroscope_record.py"

/*
** `python3 -c RECORDER_BOOT RECORDER CACHE ARGS...` runs the recorder as
** `python3 RECORDER ARGS...` would (the same sys.argv, sys.path[0], __main__
** and __file__), except that its code object comes through importlib's
** SourceFileLoader, which reads it from a .pyc under CACHE -- and writes it
** there, the first time or after the recorder changed, even when
** PYTHONDONTWRITEBYTECODE is set -- instead of compiling the file. CACHE ""
** writes nothing (an installed recorder, or one named by COROSCOPE_RECORDER:
** no .pyc appears beside it), and reads a .pyc only where Python would.
** Both flags are as they were before the program runs. The recorder finds
** CACHE as _coroscope_cache (its speedups are built beside it: BUILD/pyext).
*/
static const char RECORDER_BOOT[] =
    "import sys\n"
    "def _boot():\n"
    "    import importlib.machinery, os\n"
    "    path, cache = sys.argv[1], sys.argv[2]\n"
    "    sys.argv[:3] = [path]\n"
    "    sys.path[0] = os.path.dirname(os.path.realpath(path))\n"
    "    saved = sys.dont_write_bytecode, sys.pycache_prefix\n"
    "    sys.dont_write_bytecode, sys.pycache_prefix = (False, cache) if cache else (True, saved[1])\n"
    "    try:\n"
    "        return path, importlib.machinery.SourceFileLoader('__main__', path).get_code('__main__'), cache\n"
    "    finally:\n"
    "        sys.dont_write_bytecode, sys.pycache_prefix = saved\n"
    "__file__, _code, _coroscope_cache = _boot()\n"
    "del _boot\n"
    "exec(_code)\n";

int cli_is_program(const char *arg)
{
    size_t n = strlen(arg);
    return n > 3 && !strcmp(arg + n - 3, ".py");
}

static const char *python(void)
{
    const char *p = getenv("COROSCOPE_PYTHON");
    return p && *p ? p : "python3";
}

static int readable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

/*
** The recorder: $COROSCOPE_RECORDER, else beside the executable as installed
** (BIN/../share/coroscope/recorder/), else in the checkout it was built in
** (build/coroscope -> runtime/recorder/). 0 and the path in buf, or -1; in
** `cache`, where its compiled code is kept: BUILD/pycache for a checkout's,
** else "" (RECORDER_BOOT).
*/
static int find_recorder(char *buf, size_t cap, char *cache, size_t cache_cap)
{
    cache[0] = 0;
    const char *env = getenv("COROSCOPE_RECORDER");
    if (env && *env) {
        snprintf(buf, cap, "%s", env);
        return readable(buf) ? 0 : -1;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    *slash = 0;                              /* exe is now the executable's directory */
    static const char *const tries[] = {
        "/../share/coroscope/recorder/" RECORDER_NAME,
        "/../runtime/recorder/" RECORDER_NAME,
        "/../../runtime/recorder/" RECORDER_NAME,
    };
    for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
        snprintf(buf, cap, "%s%s", exe, tries[i]);
        if (readable(buf)) {
            if (i > 0 && (size_t)snprintf(cache, cache_cap, "%s/pycache", exe) >= cache_cap)
                cache[0] = 0;
            return 0;
        }
    }
    return -1;
}

/*
** Run argv, with its stdout on fd `out` (-1: ours). While it runs we ignore
** SIGINT and SIGTERM ourselves: a Ctrl-C reaches the child (same process
** group), which closes its trace, and its status is what we report. Returns
** the exit status, 128 + signal if it was killed, or -1 (errno set) when it
** could not be started at all (127 from the child: exec failed).
*/
static int run_child(char *const argv[], int out, int err_fd)
{
    int pipefd[2];
    if (pipe(pipefd) < 0)
        return -1;
    fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_term;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGTERM, &ign, &old_term);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        close(pipefd[0]);
        if (out >= 0 && out != 1)
            dup2(out, 1);
        if (err_fd >= 0 && err_fd != 2)
            dup2(err_fd, 2);
        execvp(argv[0], argv);
        int e = errno;
        if (write(pipefd[1], &e, sizeof e) < 0) {
            /* nothing more to say */
        }
        _exit(127);
    }
    close(pipefd[1]);
    int rc = -1, e = 0;
    if (pid > 0) {
        ssize_t got = read(pipefd[0], &e, sizeof e);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (got == (ssize_t)sizeof e) {
            errno = e;
            rc = -1;
        } else if (WIFEXITED(st))
            rc = WEXITSTATUS(st);
        else if (WIFSIGNALED(st))
            rc = 128 + WTERMSIG(st);
    }
    close(pipefd[0]);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;
}

/* Is the interpreter there, and 3.11 or newer? 0, or 1 with a message printed.
** -S: the version needs no site packages, and starts in a fifth of the time. */
static int check_python(const char *cmd)
{
    char *argv[] = {(char *)python(), "-S", "-c",
                    "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 10)", NULL};
    int devnull = open("/dev/null", O_WRONLY);
    int rc = run_child(argv, devnull, -1);
    if (devnull >= 0)
        close(devnull);
    if (rc == 0)
        return 0;
    if (rc < 0 && errno == ENOENT)
        fprintf(stderr,
                "coroscope %s: recording a Python program needs %s (Python 3.11 or newer), and it is "
                "not installed.\n  Install it:  sudo apt-get install -y python3\n"
                "  (or name another interpreter with COROSCOPE_PYTHON=/path/to/python3.11)\n",
                cmd, python());
    else if (rc == 10)
        fprintf(stderr,
                "coroscope %s: %s is older than Python 3.11; the recorder needs 3.11, whose asyncio is "
                "the schedule coroscope follows.\n  Install it:  sudo apt-get install -y python3.11\n"
                "  then run with COROSCOPE_PYTHON=python3.11\n",
                cmd, python());
    else
        fprintf(stderr, "coroscope %s: %s does not run (%s); check the installation\n", cmd, python(),
                rc < 0 ? strerror(errno) : "it failed to start");
    return 1;
}

int cli_record_program(const char *cmd, const char *program, const char *out, char **extra, int n_extra,
                       char **prog_args, int n_prog, int stdout_fd)
{
    return cli_record_program_to(cmd, program, out, extra, n_extra, prog_args, n_prog, stdout_fd, -1);
}

int cli_record_program_to(const char *cmd, const char *program, const char *out, char **extra, int n_extra,
                          char **prog_args, int n_prog, int stdout_fd, int stderr_fd)
{
    if (!readable(program)) {
        fprintf(stderr, "coroscope %s: cannot read program %s: %s; check the path and try again\n", cmd,
                program, access(program, F_OK) ? strerror(errno) : "not a readable file");
        return 2;
    }
    char recorder[PATH_MAX], cache[PATH_MAX];
    if (find_recorder(recorder, sizeof recorder, cache, sizeof cache) < 0) {
        fprintf(stderr,
                "coroscope %s: cannot find the CPython recorder (%s); it is installed with coroscope "
                "under PREFIX/share/coroscope/recorder/ -- reinstall (make install), or set "
                "COROSCOPE_RECORDER to its path\n",
                cmd, RECORDER_NAME);
        return 1;
    }
    if (check_python(cmd))
        return 1;
    size_t n = 0, cap = (size_t)(n_extra + n_prog) + 11;
    char **argv = co_calloc(cap, sizeof *argv);
    if (!argv) {
        fprintf(stderr, "coroscope %s: out of memory\n", cmd);
        return 1;
    }
    argv[n++] = (char *)python();
    argv[n++] = "-c";
    argv[n++] = (char *)RECORDER_BOOT;
    argv[n++] = recorder;
    argv[n++] = cache;
    argv[n++] = (char *)program;
    argv[n++] = "-o";
    argv[n++] = (char *)out;
    for (int i = 0; i < n_extra; i++)
        argv[n++] = extra[i];
    if (n_prog > 0) {
        argv[n++] = "--";
        for (int i = 0; i < n_prog; i++)
            argv[n++] = prog_args[i];
    }
    argv[n] = NULL;
    int rc = run_child(argv, stdout_fd, stderr_fd);
    co_free(argv);
    if (rc < 0) {
        fprintf(stderr, "coroscope %s: cannot run %s: %s\n", cmd, python(), strerror(errno));
        return 1;
    }
    return rc;
}

int cli_trace_size(const char *path, unsigned long *events, double *t_end)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long count = 0, lines = 0;
    double t = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (lines++ == 0)
            continue;                               /* the header */
        const char *head = line;
        if (n > 0 && memmem(head, (size_t)(n < 80 ? n : 80), "\"ev\":\"source\"", 14))
            continue;                               /* the program's text, not an event */
        if (!strncmp(head, "{\"str\":", 7))
            continue;                               /* version 4's string table, not an event */
        count++;
        const char *tp = strstr(line, "\"t\":");
        if (tp)
            t = strtod(tp + 4, NULL);
    }
    free(line);
    fclose(f);
    *events = count;
    *t_end = t;
    return 0;
}

/* ---- commands that read traces ----------------------------------------------------- */

static char tmpdir[PATH_MAX];               /* where programs' traces go, "" until needed */
static char **made;                         /* the trace files made there */
static const char **made_from;              /* the program each was recorded from */
static int n_made;

/* Names given with cli_show_as: path -> name, both owned. */
static char **alias_path, **alias_name;
static int n_alias;

void cli_show_as(const char *path, const char *name)
{
    for (int i = 0; i < n_alias; i++)
        if (!strcmp(alias_path[i], path)) {
            char *n = co_strdup(name);
            if (n) {
                co_free(alias_name[i]);
                alias_name[i] = n;
            }
            return;
        }
    char **p = co_realloc(alias_path, (size_t)(n_alias + 1) * sizeof *p);
    if (!p)
        return;
    alias_path = p;
    char **q = co_realloc(alias_name, (size_t)(n_alias + 1) * sizeof *q);
    if (!q)
        return;
    alias_name = q;
    char *a = co_strdup(path), *b = co_strdup(name);
    if (!a || !b) {
        co_free(a);
        co_free(b);
        return;
    }
    alias_path[n_alias] = a;
    alias_name[n_alias++] = b;
}

const char *cli_shown(const char *path)
{
    for (int i = 0; i < n_made; i++)
        if (!strcmp(made[i], path))
            return made_from[i];
    for (int i = 0; i < n_alias; i++)
        if (!strcmp(alias_path[i], path))
            return alias_name[i];
    return path;
}

void cli_programs_cleanup(void)
{
    for (int i = 0; i < n_alias; i++) {
        co_free(alias_path[i]);
        co_free(alias_name[i]);
    }
    co_free(alias_path);
    co_free(alias_name);
    alias_path = alias_name = NULL;
    n_alias = 0;
    for (int i = 0; i < n_made; i++) {
        unlink(made[i]);
        co_free(made[i]);
    }
    co_free(made);
    co_free(made_from);
    made = NULL;
    made_from = NULL;
    n_made = 0;
    if (tmpdir[0])
        rmdir(tmpdir);
    tmpdir[0] = 0;
}

int cli_resolve_programs(const char *cmd, char **files, int n)
{
    for (int i = 0; i < n; i++) {
        if (!cli_is_program(files[i]))
            continue;
        if (!tmpdir[0]) {
            static int registered;
            if (!registered && atexit(cli_programs_cleanup) == 0)
                registered = 1;
            const char *base = getenv("TMPDIR");
            snprintf(tmpdir, sizeof tmpdir, "%s/coroscope-XXXXXX", base && *base ? base : "/tmp");
            if (!mkdtemp(tmpdir)) {
                fprintf(stderr, "coroscope %s: cannot make a temporary directory in %s: %s\n", cmd,
                        base && *base ? base : "/tmp", strerror(errno));
                tmpdir[0] = 0;
                return 1;
            }
        }
        const char *stem = strrchr(files[i], '/');
        stem = stem ? stem + 1 : files[i];
        char path[PATH_MAX + 64];
        int len = snprintf(path, sizeof path, "%s/%d-%.*s.jsonl", tmpdir, i + 1,
                           (int)(strlen(stem) - 3), stem);
        if (len < 0 || (size_t)len >= sizeof path) {
            fprintf(stderr, "coroscope %s: the program's name is too long: %s\n", cmd, files[i]);
            return 2;
        }
        char **grown = co_realloc(made, (size_t)(n_made + 1) * sizeof *made);
        if (grown)
            made = grown;
        const char **from = co_realloc(made_from, (size_t)(n_made + 1) * sizeof *made_from);
        if (from)
            made_from = from;
        char *copy = co_strdup(path);
        if (!grown || !from || !copy) {
            co_free(copy);
            fprintf(stderr, "coroscope %s: out of memory\n", cmd);
            return 1;
        }
        made_from[n_made] = files[i];
        made[n_made++] = copy;
        /* The program's own output goes to stderr: stdout is the command's. */
        int rc = cli_record_program(cmd, files[i], copy, NULL, 0, NULL, 0, 2);
        struct stat st;
        if (stat(copy, &st) < 0 || st.st_size == 0) {
            fprintf(stderr, "coroscope %s: recording %s gave no trace (recorder exit status %d)\n", cmd,
                    files[i], rc);
            return 1;
        }
        if (rc >= 128) {
            fprintf(stderr, "coroscope %s: recording %s was interrupted\n", cmd, files[i]);
            return rc;
        }
        files[i] = copy;
    }
    return 0;
}
