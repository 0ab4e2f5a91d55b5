/*
** cmd_lesson.c -- `coroscope lesson`: the classroom lesson runner.
**
**   coroscope lesson                   the lesson menu (a window; in a terminal
**                                      without a display, a numbered menu)
**   coroscope lesson menu              the same, explicitly (--terminal: in the terminal)
**   coroscope lesson list              the lessons found, with the student's progress
**   coroscope lesson run ID|FILE       take a lesson (the viewer's lesson mode, or
**                                      the terminal with --terminal / no display)
**   coroscope lesson check [FILE...]   a teacher's check of lessons (all by default)
**   coroscope lesson new NAME          a commented template lesson and program
**
** The lesson engine is runtime/lesson; lesson_host.c finds lessons, records
** their programs and keeps progress; lesson_term.c is the terminal runner.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "cli.h"
#include "lesson_host.h"
#include "tm_safe.h"

static const char lesson_usage[] =
    "usage: coroscope lesson [menu|list] [--dir DIR] [--terminal]\n"
    "       coroscope lesson run ID|FILE [--terminal] [--present] [--answers A,B,...]\n"
    "                                    [--answers-file F] [--width N] [--dir DIR]\n"
    "                                    [--screenshot F.png [--layout-dump F] [--block ID]]\n"
    "                                    [--size WxH] [--scale F]\n"
    "       coroscope lesson check [FILE...] [--dir DIR]\n"
    "       coroscope lesson new NAME [--dir DIR]\n"
    "\n"
    "Lessons that make a student predict how asyncio schedules a program before\n"
    "the timeline shows it, then explain, change the program, and write code\n"
    "(lessons/FORMAT.md; how to write one: docs/LESSONS.md).\n"
    "\n"
    "  (none), menu     the lesson menu: every lesson with its minutes and your\n"
    "                   progress; Enter or a click opens one, and closing it comes\n"
    "                   back to the menu. Without a display, or with --terminal, a\n"
    "                   numbered menu in the terminal (with no command and no\n"
    "                   terminal to ask in, the list below)\n"
    "  list             each lesson: id, level, minutes, title, your best score\n"
    "  run ID|FILE      take a lesson: in the viewer's lesson mode (the lesson beside\n"
    "                   the timeline: 1-9 choose, Enter answers, N next, P back), or\n"
    "                   in the terminal with --terminal or without a display.\n"
    "                   Answers: the number of a choice, a number (3, 1.5 s), an\n"
    "                   order (2 1 3), a task's name; an empty line skips\n"
    "  check [FILE...]  parse every lesson (or those given), record its programs,\n"
    "                   evaluate every query, and check that each choice has exactly\n"
    "                   one right option, every variant applies, every reveal and\n"
    "                   task works; problems as FILE:LINE:COL: message\n"
    "  new NAME         write NAME.md and NAME.py, a commented template, in DIR\n"
    "                   (default: the current directory)\n"
    "\n"
    "  --answers A,B    scripted answers, in order (then standard input is read; its\n"
    "                   end counts as no answer); for a task, a file with your program\n"
    "  --answers-file F one answer per line\n"
    "  --terminal       the terminal runner even when a display is available\n"
    "  --present        presenter mode for a projector: large type, R reveals the\n"
    "                   answer to the class, N goes on; nobody types\n"
    "  --screenshot F   render the lesson mode offscreen to F (PNG, or SVG) and exit;\n"
    "                   --block ID: at that block (answered if --answers reaches it),\n"
    "                   --layout-dump F: its draw commands as text, --size WxH\n"
    "  --width N        wrap at N columns (default: the terminal's, else 80)\n"
    "  --dir DIR        look for lessons in DIR too (also: COROSCOPE_LESSONS=DIR:DIR)\n"
    "\n"
    "Lessons are found in --dir, $COROSCOPE_LESSONS, the checkout's lessons/, and\n"
    "PREFIX/share/coroscope/lessons. Progress is kept in\n"
    "$XDG_STATE_HOME/coroscope (default ~/.local/state/coroscope).\n"
    "Exit status: 0, 1 when a lesson has problems or cannot run, 2 on a usage error.\n";

typedef struct lesson_args {
    const char *sub;
    char *targets[64];
    int n_targets;
    char *dirs[LH_MAX_DIRS];
    int n_dirs;
    int terminal, width;
    char *answers;             /* --answers (split in place) */
    const char *answers_file;
    int present, w, h;         /* --present, --size */
    float scale;               /* --scale */
    const char *screenshot, *layout_dump, *block;
} lesson_args;

static int terminal_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col > 200 ? 200 : ws.ws_col;
    const char *c = getenv("COLUMNS");
    int w = c ? atoi(c) : 0;
    return w >= 40 && w <= 200 ? w : 80;
}

static int parse(int argc, char **argv, lesson_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            fputs(lesson_usage, stdout);
            return -1;
        } else if (!strcmp(s, "--dir")) {
            if (!next)
                return cli_usage_error("lesson", "--dir needs a folder");
            if (a->n_dirs < LH_MAX_DIRS)
                a->dirs[a->n_dirs++] = argv[++i];
        } else if (!strcmp(s, "--answers")) {
            if (!next)
                return cli_usage_error("lesson", "--answers needs a list, e.g. --answers 2,1,b");
            a->answers = argv[++i];
        } else if (!strcmp(s, "--answers-file")) {
            if (!next)
                return cli_usage_error("lesson", "--answers-file needs a file");
            a->answers_file = argv[++i];
        } else if (!strcmp(s, "--terminal")) {
            a->terminal = 1;
        } else if (!strcmp(s, "--present")) {
            a->present = 1;
        } else if (!strcmp(s, "--screenshot") || !strcmp(s, "--layout-dump") || !strcmp(s, "--block")) {
            if (!next)
                return cli_usage_error("lesson", "%s needs a value", s);
            if (s[2] == 's')
                a->screenshot = argv[++i];
            else if (s[2] == 'l')
                a->layout_dump = argv[++i];
            else
                a->block = argv[++i];
        } else if (!strcmp(s, "--size")) {
            char *end;
            long w = next ? strtol(next, &end, 10) : 0, h = 0;
            if (next && (*end == 'x' || *end == 'X'))
                h = strtol(end + 1, &end, 10);
            if (!next || *end || w < 640 || h < 400 || w > 16384 || h > 16384)
                return cli_usage_error("lesson", "--size takes WIDTHxHEIGHT, at least 640x400");
            a->w = (int)w;
            a->h = (int)h;
            i++;
        } else if (!strcmp(s, "--scale")) {
            char *end;
            double f = next ? strtod(next, &end) : 0;
            if (!next || *end || !(f >= 0.5 && f <= 4))
                return cli_usage_error("lesson", "--scale takes a number from 0.5 to 4");
            a->scale = (float)f;
            i++;
        } else if (!strcmp(s, "--width")) {
            char *end;
            long w = next ? strtol(next, &end, 10) : 0;
            if (!next || *end || w < 40 || w > 1000)
                return cli_usage_error("lesson", "--width takes a number of columns from 40 to 1000");
            a->width = (int)w;
            i++;
        } else if (s[0] == '-' && s[1]) {
            return cli_usage_error("lesson", "unknown option '%s'", s);
        } else if (!a->sub) {
            a->sub = s;
        } else if (a->n_targets < 64) {
            a->targets[a->n_targets++] = argv[i];
        }
    }
    if (!a->width)
        a->width = terminal_width();
    return 0;
}

/* ---- list ------------------------------------------------------------------------------ */

static int cmd_list(lesson_args *a)
{
    lh_dirs d;
    lh_dirs_init(&d, a->dirs, a->n_dirs);
    char **all;
    int n;
    if (!d.n) {
        fprintf(stderr, "coroscope lesson: no lesson folder found; name one with --dir DIR or "
                        "COROSCOPE_LESSONS=DIR\n");
        lh_dirs_free(&d);
        return 1;
    }
    if (lh_find_all(&d, &all, &n) < 0) {
        lh_dirs_free(&d);
        return 1;
    }
    printf("%-28s %-13s %4s  %-11s %s\n", "id", "level", "min", "progress", "title");
    for (int i = 0; i < n; i++) {
        ls_diags dg = {0};
        lesson *L = lesson_load(all[i], &dg);
        if (L && L->id) {
            int best = 0, of = 0, done = 0;
            char prog[32] = "new";
            if (lh_progress_get(L->id, &best, &of, &done))
                snprintf(prog, sizeof prog, "%s %d/%d", done ? "done" : "begun", best, of);
            tm_safe_fprintf(stdout, "%-28s %-13s %4d  %-11s %s\n", L->id, L->level ? L->level : "", L->minutes,
                            prog, L->title ? L->title : "");
        }
        lesson_free(L);
        ls_diags_free(&dg);
    }
    if (!n)
        printf("(no lessons in %s)\n", d.dir[0]);
    lh_free_list(all, n);
    lh_dirs_free(&d);
    return 0;
}

/* ---- check ------------------------------------------------------------------------------ */

static int check_one(const char *path)
{
    ls_diags dg = {0};
    lesson *L = lesson_load(path, &dg);
    int rc = 0;
    if (L && !dg.errors) {
        lh_host h;
        if (lh_host_init(&h, L) == 0) {
            if (lesson_record(L, h.tmpdir, lh_record, &h, &dg) == 0 || dg.errors == 0) {
                lq_env proto = {NULL, lh_findings, &h};
                lesson_check_traces(L, &proto, h.tmpdir, lh_record, &h, &dg);
            }
        } else
            rc = 1;
        lh_host_free(&h);
    }
    ls_diags_print(&dg, stdout);
    if (!L || dg.errors)
        rc = 1;
    else {
        size_t q = lesson_graded(L);
        printf("%s: ok (%zu blocks, %zu graded question%s, %zu program%s)\n", path, L->n_blocks, q,
               q == 1 ? "" : "s", L->n_programs, L->n_programs == 1 ? "" : "s");
    }
    lesson_free(L);
    ls_diags_free(&dg);
    return rc;
}

static int cmd_check(lesson_args *a)
{
    int rc = 0;
    if (a->n_targets) {
        for (int i = 0; i < a->n_targets; i++)
            rc |= check_one(a->targets[i]);
        return rc;
    }
    lh_dirs d;
    lh_dirs_init(&d, a->dirs, a->n_dirs);
    char **all;
    int n;
    if (!d.n || lh_find_all(&d, &all, &n) < 0) {
        fprintf(stderr, "coroscope lesson check: no lessons found; give files or --dir DIR\n");
        lh_dirs_free(&d);
        return 1;
    }
    /* ids must be unique across the folders */
    char **ids = co_calloc((size_t)n + 1, sizeof *ids);
    for (int i = 0; i < n; i++) {
        rc |= check_one(all[i]);
        ls_diags dg = {0};
        lesson *L = lesson_load(all[i], &dg);
        if (ids && L && L->id) {
            for (int j = 0; j < i; j++)
                if (ids[j] && !strcmp(ids[j], L->id)) {
                    printf("%s:2:1: id '%s' is also the id of %s; lesson ids must be unique\n", all[i], L->id,
                           all[j]);
                    rc = 1;
                }
            ids[i] = co_strdup(L->id);
        }
        lesson_free(L);
        ls_diags_free(&dg);
    }
    for (int i = 0; ids && i < n; i++)
        co_free(ids[i]);
    co_free(ids);
    printf("%d lesson%s checked%s\n", n, n == 1 ? "" : "s", rc ? "; some have problems" : ", all ok");
    lh_free_list(all, n);
    lh_dirs_free(&d);
    return rc;
}

/* ---- new ------------------------------------------------------------------------------------ */

static const char template_md[] =
    "---\n"
    "# The front matter: what the menu shows, and the programs the lesson runs.\n"
    "title: %s\n"
    "id: %s\n"
    "level: beginner          # beginner, intermediate or advanced\n"
    "topics: [await, gather]\n"
    "minutes: 10\n"
    "programs:\n"
    "  main: %s.py            # a Python file beside this one, or scenario:NAME\n"
    "---\n"
    "\n"
    "# %s\n"
    "\n"
    "Say what the student is about to see, in a sentence or two. Plain Markdown.\n"
    "\n"
    ":::{predict} how-long\n"
    ":program: main\n"
    ":ask: choice\n"
    ":answer: makespan\n"
    "Ask before showing anything. The right option is the one equal to the\n"
    "query's value on the recorded run -- never typed in.\n"
    "\n"
    "- 2 s\n"
    "  > Feedback for this answer: name the misconception it stands for.\n"
    "- 3 s\n"
    "  > Feedback for the right answer: say why it is right.\n"
    ":::\n"
    "\n"
    ":::{reveal} watch\n"
    ":program: main\n"
    ":until: end\n"
    "The timeline plays to the key event and pauses there.\n"
    ":::\n"
    "\n"
    ":::{explain} why\n"
    ":program: main\n"
    "Figures come from the run: it took {{ makespan }}, and the tasks finished\n"
    "in the order {{ finish_order }}.\n"
    ":::\n"
    "\n"
    ":::{variant} shorter\n"
    ":from: main\n"
    ":change: job(\"b\", 2) => job(\"b\", 1)\n"
    "The same program with one value changed.\n"
    ":::\n"
    "\n"
    ":::{predict} how-long-now\n"
    ":program: shorter\n"
    ":ask: number\n"
    ":answer: makespan\n"
    ":tolerance: 0.1\n"
    "And now, how many seconds?\n"
    ":::\n"
    "\n"
    ":::{reveal} both\n"
    ":programs: main, shorter\n"
    ":::\n";

static const char template_py[] =
    "\"\"\"%s: the program the lesson %s runs.\"\"\"\n"
    "import asyncio\n"
    "\n"
    "\n"
    "async def job(name, delay):\n"
    "    await asyncio.sleep(delay)\n"
    "    return name\n"
    "\n"
    "\n"
    "async def main():\n"
    "    print(await asyncio.gather(job(\"a\", 3), job(\"b\", 2)))\n"
    "\n"
    "\n"
    "asyncio.run(main())\n";

static int cmd_new(lesson_args *a)
{
    if (a->n_targets != 1)
        return cli_usage_error("lesson", "lesson new takes one NAME (letters, digits, '-', '_')");
    const char *name = a->targets[0];
    for (const char *p = name; *p; p++)
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') && *p != '-' &&
            *p != '_')
            return cli_usage_error("lesson", "lesson name '%s': use letters, digits, '-' and '_'", name);
    const char *dir = a->n_dirs ? a->dirs[0] : ".";
    char md[4096], py[4096];
    snprintf(md, sizeof md, "%s/%s.md", dir, name);
    snprintf(py, sizeof py, "%s/%s.py", dir, name);
    if (access(md, F_OK) == 0 || access(py, F_OK) == 0) {
        fprintf(stderr, "coroscope lesson new: %s or %s exists already; choose another name\n", md, py);
        return 1;
    }
    FILE *f = fopen(md, "w");
    if (!f) {
        fprintf(stderr, "coroscope lesson new: cannot write %s: %s\n", md, strerror(errno));
        return 1;
    }
    int bad = fprintf(f, template_md, name, name, name, name) < 0;
    bad |= fclose(f) != 0;
    f = bad ? NULL : fopen(py, "w");
    if (!f || fprintf(f, template_py, name, name) < 0 || fclose(f) != 0) {
        fprintf(stderr, "coroscope lesson new: cannot write %s: %s\n", bad ? md : py, strerror(errno));
        unlink(md);
        unlink(py);
        return 1;
    }
    printf("wrote %s and %s\ncheck it with: coroscope lesson check %s\ntake it with: coroscope lesson run %s "
           "--terminal\n", md, py, md, md);
    return 0;
}

/* ---- run ------------------------------------------------------------------------------------- */

static int split_answers(lesson_args *a, char **out, int cap, char **buf)
{
    int n = 0;
    *buf = NULL;
    if (a->answers_file) {
        FILE *f = fopen(a->answers_file, "r");
        if (!f) {
            fprintf(stderr, "coroscope lesson: cannot read %s: %s\n", a->answers_file, strerror(errno));
            return -1;
        }
        *buf = co_malloc(1 << 16);
        size_t len = *buf ? fread(*buf, 1, (1 << 16) - 1, f) : 0;
        fclose(f);
        if (!*buf)
            return -1;
        (*buf)[len] = 0;
        for (char *line = strtok(*buf, "\n"); line && n < cap; line = strtok(NULL, "\n"))
            out[n++] = line;
        return n;
    }
    if (!a->answers)
        return 0;
    char *s = a->answers;
    while (s && n < cap) {
        char *comma = strchr(s, ',');
        if (comma)
            *comma = 0;
        out[n++] = s;
        s = comma ? comma + 1 : NULL;
    }
    return n;
}

static int display_missing(void)
{
    const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    return (!x || !*x) && (!wl || !*wl);
}

/* Take the lesson at `path`: in a window, or in the terminal. */
static int run_path(lesson_args *a, const char *path)
{
    ls_diags dg = {0};
    lesson *L = lesson_load(path, &dg);
    if (!L || dg.errors) {
        ls_diags_print(&dg, stderr);
        fprintf(stderr, "coroscope lesson: the lesson has problems (`coroscope lesson check` lists them)\n");
        lesson_free(L);
        ls_diags_free(&dg);
        return 1;
    }
    lh_host h;
    if (lh_host_init(&h, L) < 0) {
        lesson_free(L);
        ls_diags_free(&dg);
        return 1;
    }
    printf("(recording the lesson's programs...)\n");
    fflush(stdout);
    if (lesson_record(L, h.tmpdir, lh_record, &h, &dg) < 0) {
        ls_diags_print(&dg, stderr);
        lh_host_free(&h);
        lesson_free(L);
        ls_diags_free(&dg);
        return 1;
    }
    char *answers[256], *buf = NULL;
    int n = split_answers(a, answers, 256, &buf);
    int rc = 1;
    if (n >= 0) {
        int window = a->screenshot || (!a->terminal && !display_missing());
        if (window) {
            lh_window_opts wo = {a->w, a->h, a->scale, a->present, a->screenshot, a->layout_dump, a->block,
                                 answers, n};
            rc = lh_run_window(L, &h, &wo);
            if (rc == -2) {
                fprintf(stderr, "coroscope lesson: no window could open; taking the lesson in the terminal\n");
                window = 0;
            }
        }
        if (!window) {
            lh_term_opts o = {a->width, answers, n, 0, stdin, 0};
            rc = lh_run_terminal(L, &h, &o);
        }
    }
    co_free(buf);
    lh_host_free(&h);
    lesson_free(L);
    ls_diags_free(&dg);
    return rc;
}

static int cmd_run(lesson_args *a)
{
    if (a->n_targets != 1)
        return cli_usage_error("lesson", "lesson run takes one lesson: its id or its file");
    if ((a->layout_dump || a->block) && !a->screenshot)
        return cli_usage_error("lesson", "--layout-dump and --block go with --screenshot");
    lh_dirs d;
    lh_dirs_init(&d, a->dirs, a->n_dirs);
    char *path = lh_resolve(&d, a->targets[0]);
    lh_dirs_free(&d);
    if (!path) {
        fprintf(stderr, "coroscope lesson: no lesson '%s'; `coroscope lesson list` shows them\n", a->targets[0]);
        return 1;
    }
    int rc = run_path(a, path);
    co_free(path);
    return rc;
}

/* ---- menu ------------------------------------------------------------------------------ */

static int open_from_menu(void *ud, const char *path)
{
    return run_path(ud, path);
}

/* The menu in the terminal: the lessons numbered, one chosen by number or id,
** taken, and the menu again; an empty line or the end of input leaves. */
static int terminal_menu(lesson_args *a, const lh_dirs *d)
{
    for (;;) {
        char **all;
        int n;
        if (lh_find_all(d, &all, &n) < 0)
            return 1;
        printf("\ncoroscope lessons: %d, from", n);
        for (int i = 0; i < d->n; i++)
            tm_safe_fprintf(stdout, "%s %s", i ? "," : "", d->dir[i]);
        printf("\n\n");
        for (int i = 0; i < n; i++) {
            ls_diags dg = {0};
            lesson *L = lesson_load(all[i], &dg);
            ls_diags_free(&dg);
            int best = 0, of = 0, done = 0;
            char prog[32] = "new";
            if (L && L->id && lh_progress_get(L->id, &best, &of, &done))
                snprintf(prog, sizeof prog, "%s %d/%d", done ? "done" : "begun", best, of);
            tm_safe_fprintf(stdout, "  %2d) %-11s %3d min  %s\n", i + 1, prog, L ? L->minutes : 0,
                            L && L->title ? L->title : all[i]);
            lesson_free(L);
        }
        if (!n) {
            printf("  (none: `coroscope lesson new NAME` writes one)\n");
            lh_free_list(all, n);
            return 0;
        }
        printf("\nWhich lesson? (its number or id; an empty line leaves) ");
        fflush(stdout);
        char line[512];
        if (!fgets(line, sizeof line, stdin)) {
            printf("\n");
            lh_free_list(all, n);
            return 0;
        }
        line[strcspn(line, "\r\n")] = 0;
        char *pick = line + strspn(line, " \t");
        if (!*pick) {
            lh_free_list(all, n);
            return 0;
        }
        char *end;
        long k = strtol(pick, &end, 10);
        char *path = NULL;
        if (!*end && k >= 1 && k <= n)
            path = co_strdup(all[k - 1]);
        else if (!(path = lh_resolve(d, pick)))
            tm_safe_fprintf(stdout, "No lesson '%s': give a number from 1 to %d, or an id.\n", pick, n);
        lh_free_list(all, n);
        if (path) {
            run_path(a, path);
            co_free(path);
        }
    }
}

static int cmd_menu(lesson_args *a, int explicit)
{
    if (a->n_targets)
        return cli_usage_error("lesson", "the menu takes no lesson; `coroscope lesson run ID` opens one");
    if (a->block)
        return cli_usage_error("lesson", "--block goes with `lesson run`");
    if (a->layout_dump && !a->screenshot)
        return cli_usage_error("lesson", "--layout-dump goes with --screenshot");
    lh_dirs d;
    lh_dirs_init(&d, a->dirs, a->n_dirs);
    if (!d.n) {
        fprintf(stderr, "coroscope lesson: no lesson folder found; name one with --dir DIR or "
                        "COROSCOPE_LESSONS=DIR\n");
        lh_dirs_free(&d);
        return 1;
    }
    int rc = -2;
    if (a->screenshot || (!a->terminal && !display_missing())) {
        lh_window_opts wo = {a->w, a->h, a->scale, a->present, a->screenshot, a->layout_dump, NULL, NULL, 0};
        rc = lh_run_menu(&d, &wo, open_from_menu, a);
        if (rc == -2)
            fprintf(stderr, "coroscope lesson: no window could open; the menu is in the terminal\n");
    }
    if (rc == -2) {
        if (explicit || a->terminal || (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))) {
            rc = terminal_menu(a, &d);
        } else {
            lh_dirs_free(&d);
            return cmd_list(a);
        }
    }
    lh_dirs_free(&d);
    return rc;
}

int cli_lesson(int argc, char **argv)
{
    lesson_args a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!a.sub || !strcmp(a.sub, "menu"))
        return cmd_menu(&a, a.sub != NULL);
    if (!strcmp(a.sub, "list"))
        return cmd_list(&a);
    if (!strcmp(a.sub, "check"))
        return cmd_check(&a);
    if (!strcmp(a.sub, "new"))
        return cmd_new(&a);
    if (!strcmp(a.sub, "run"))
        return cmd_run(&a);
    return cli_usage_error("lesson", "unknown lesson command '%s' (menu, list, run, check, new)", a.sub);
}
