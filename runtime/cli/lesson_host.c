/*
** lesson_host.c -- finding lessons, recording their programs, findings and
** progress for the lesson engine (see lesson_host.h).
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alloc.h"
#include "cli.h"
#include "findings.h"
#include "lesson_host.h"
#include "scenarios/scenarios.h"
#include "view_model.h"

/* ---- where lessons are ------------------------------------------------------------- */

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void add_dir(lh_dirs *d, const char *p)
{
    if (d->n >= LH_MAX_DIRS || !p || !*p || !is_dir(p))
        return;
    char real[PATH_MAX];
    const char *use = realpath(p, real) ? real : p;
    for (int i = 0; i < d->n; i++)
        if (!strcmp(d->dir[i], use))
            return;
    d->dir[d->n] = co_strdup(use);
    if (d->dir[d->n])
        d->n++;
}

void lh_dirs_init(lh_dirs *d, char **extra, int n_extra)
{
    memset(d, 0, sizeof *d);
    for (int i = 0; i < n_extra; i++)
        add_dir(d, extra[i]);
    const char *env = getenv("COROSCOPE_LESSONS");
    if (env) {
        char *copy = co_strdup(env);
        for (char *tok = copy ? strtok(copy, ":") : NULL; tok; tok = strtok(NULL, ":"))
            add_dir(d, tok);
        co_free(copy);
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            char p[PATH_MAX + 64];
            snprintf(p, sizeof p, "%s/../lessons", exe);
            add_dir(d, p);
            snprintf(p, sizeof p, "%s/../share/coroscope/lessons", exe);
            add_dir(d, p);
        }
    }
}

void lh_dirs_free(lh_dirs *d)
{
    for (int i = 0; i < d->n; i++)
        co_free(d->dir[i]);
    d->n = 0;
}

void lh_free_list(char **list, int n)
{
    for (int i = 0; i < n; i++)
        co_free(list[i]);
    co_free(list);
}

/* A lesson file: NAME.md whose first line is "---" (FORMAT.md and READMEs are not). */
static int is_lesson_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[8] = "";
    int ok = fgets(line, sizeof line, f) && !strncmp(line, "---", 3);
    fclose(f);
    return ok;
}

typedef struct entry {
    char *path;
    double order;
    int has_order;
} entry;

static int by_order(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->has_order != y->has_order)
        return x->has_order ? -1 : 1;
    if (x->has_order && x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->path, y->path);
}

int lh_find_all(const lh_dirs *d, char ***out, int *n)
{
    entry *list = NULL;
    int count = 0;
    for (int i = 0; i < d->n; i++) {
        DIR *dir = opendir(d->dir[i]);
        if (!dir)
            continue;
        struct dirent *de;
        while ((de = readdir(dir))) {
            size_t len = strlen(de->d_name);
            if (len < 4 || strcmp(de->d_name + len - 3, ".md"))
                continue;
            char path[PATH_MAX + 256];
            snprintf(path, sizeof path, "%s/%s", d->dir[i], de->d_name);
            if (!is_lesson_file(path))
                continue;
            entry *g = co_realloc(list, (size_t)(count + 1) * sizeof *g);
            if (!g)
                break;
            list = g;
            list[count] = (entry){co_strdup(path), 0, 0};
            ls_diags dg = {0};
            lesson *L = lesson_load(path, &dg);
            if (L && L->has_order) {
                list[count].order = L->order;
                list[count].has_order = 1;
            }
            lesson_free(L);
            ls_diags_free(&dg);
            if (list[count].path)
                count++;
        }
        closedir(dir);
    }
    qsort(list, (size_t)count, sizeof *list, by_order);
    *out = co_calloc((size_t)count + 1, sizeof **out);
    if (!*out) {
        for (int i = 0; i < count; i++)
            co_free(list[i].path);
        co_free(list);
        return -1;
    }
    for (int i = 0; i < count; i++)
        (*out)[i] = list[i].path;
    co_free(list);
    *n = count;
    return 0;
}

char *lh_resolve(const lh_dirs *d, const char *arg)
{
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISREG(st.st_mode))
        return co_strdup(arg);
    char **all;
    int n;
    if (lh_find_all(d, &all, &n) < 0)
        return NULL;
    char *found = NULL;
    for (int i = 0; i < n && !found; i++) {
        ls_diags dg = {0};
        lesson *L = lesson_load(all[i], &dg);
        const char *base = strrchr(all[i], '/');
        base = base ? base + 1 : all[i];
        size_t bl = strlen(base) - 3;
        if ((L && L->id && !strcmp(L->id, arg)) || (strlen(arg) == bl && !strncmp(base, arg, bl)))
            found = co_strdup(all[i]);
        lesson_free(L);
        ls_diags_free(&dg);
    }
    lh_free_list(all, n);
    return found;
}

/* ---- the host ------------------------------------------------------------------------ */

static void remove_tree(const char *path)
{
    DIR *dir = opendir(path);
    if (dir) {
        struct dirent *de;
        while ((de = readdir(dir))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char p[PATH_MAX + 256];
            snprintf(p, sizeof p, "%s/%s", path, de->d_name);
            if (is_dir(p))
                remove_tree(p);
            else
                unlink(p);
        }
        closedir(dir);
    }
    rmdir(path);
}

int lh_host_init(lh_host *h, const lesson *L)
{
    memset(h, 0, sizeof *h);
    h->L = L;
    const char *base = getenv("TMPDIR");
    snprintf(h->tmpdir, sizeof h->tmpdir, "%s/coroscope-lesson-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(h->tmpdir)) {
        fprintf(stderr, "coroscope lesson: cannot make a temporary directory: %s\n", strerror(errno));
        h->tmpdir[0] = 0;
        return -1;
    }
    if (L && L->n_programs) {
        h->findings = co_malloc(L->n_programs * sizeof *h->findings);
        if (!h->findings)
            return -1;
        for (size_t i = 0; i < L->n_programs; i++)
            h->findings[i] = -1;
    }
    return 0;
}

void lh_host_free(lh_host *h)
{
    if (h->tmpdir[0])
        remove_tree(h->tmpdir);
    co_free(h->findings);
    memset(h, 0, sizeof *h);
}

/* The last line of a log, for a message. */
static void log_tail(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    buf[0] = 0;
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (line[0] != '\n' && line[0] != ' ') {
            size_t n = strlen(line) < size - 1 ? strlen(line) : size - 1;
            memcpy(buf, line, n);
            buf[n] = 0;
        }
    fclose(f);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = 0;
}

int lh_record(void *ud, const ls_program *p, const char *out, char *err, size_t errlen)
{
    lh_host *h = ud;
    if (p->scenario) {
        const co_scenario *sc = co_scenario_find(p->scenario);
        if (!sc) {
            snprintf(err, errlen, "no built-in scenario '%s'", p->scenario);
            return -1;
        }
        /* In a child: task names (Task-N) count from 1 in each recording. */
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            char e2[256];
            _exit(co_scenario_record_file(sc, out, "coroscope-runtime 0.1", e2, sizeof e2) == CO_OK ? 0 : 1);
        }
        int st = 0;
        while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
            snprintf(err, errlen, "recording scenario %s failed", p->scenario);
            return -1;
        }
        return 0;
    }
    /* A Python program; a variant's text (or a student's copy) is written to a
    ** file of the same base name, so that its trace names the same file. */
    const char *program = p->path;
    char copy[PATH_MAX + 256];
    if (p->variant || !p->path) {
        const char *base = p->path ? strrchr(p->path, '/') : NULL;
        base = base ? base + 1 : p->path ? p->path : "program.py";
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/%s", h->tmpdir, p->name);
        mkdir(dir, 0700);
        snprintf(copy, sizeof copy, "%s/%s", dir, base);
        FILE *f = fopen(copy, "w");
        if (!f || fputs(p->text ? p->text : "", f) < 0 || fclose(f) != 0) {
            snprintf(err, errlen, "cannot write %s: %s", copy, strerror(errno));
            return -1;
        }
        program = copy;
    }
    char logp[PATH_MAX + 64];
    snprintf(logp, sizeof logp, "%s.log", out);
    int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    /* Nothing of the run may show before its reveal: the program's output goes to a log. */
    int rc = cli_record_program_to("lesson", program, out, NULL, 0, NULL, 0, fd, fd);
    if (fd >= 0)
        close(fd);
    struct stat st;
    if (stat(out, &st) < 0 || st.st_size == 0) {
        char tail[300];
        log_tail(logp, tail, sizeof tail);
        snprintf(err, errlen, "%s (recorder exit status %d)", tail[0] ? tail : "no trace was written", rc);
        return -1;
    }
    (void)rc;   /* a program that raises still gives a trace: the lesson may be about that */
    return 0;
}

static const char *const kinds[] = {
    "sequential_awaits", "loop_stall", "never_retrieved", "pending_at_close", "swallowed_cancel", "deadlock",
};

int lh_findings(void *ud, const tm_trace *tr, const char *kind)
{
    lh_host *h = ud;
    int k = -1;
    for (int i = 0; i < 6; i++)
        if (!strcmp(kinds[i], kind))
            k = i;
    if (k < 0)
        return -1;
    const lesson *L = h->L;
    for (size_t p = 0; L && p < L->n_programs; p++) {
        if (L->programs[p].trace != tr)
            continue;
        if (h->findings[p] < 0) {
            /* The viewer's findings, from a fresh load (the doc owns its trace). */
            h->findings[p] = 0;
            tm_error err;
            tm_trace *copy = tm_load(L->programs[p].trace_path, 0, &err);
            vz_doc doc;
            vz_doc_init(&doc);
            if (copy && vz_doc_add(&doc, copy, "lesson", L->programs[p].trace_path) == 0) {
                const vz_run *run = &doc.runs[0];
                for (size_t i = 0; i < run->n_findings; i++)
                    for (int j = 0; j < 6; j++)
                        if (!strcmp(vz_finding_name((vz_finding_kind)run->findings[i].kind), kinds[j]))
                            h->findings[p] |= 1 << j;
            } else
                tm_free(copy);
            vz_doc_free(&doc);
        }
        return (h->findings[p] >> k) & 1;
    }
    return 0;
}

/* ---- progress -------------------------------------------------------------------------- */

static void state_dir(char *buf, size_t size)
{
    const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    if (x && *x == '/')
        snprintf(buf, size, "%s/coroscope", x);
    else
        snprintf(buf, size, "%s/.local/state/coroscope", home && *home ? home : "/tmp");
}

static void mkdirs(const char *path)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0700);
            *s = '/';
        }
    mkdir(p, 0700);
}

void lh_work_dir(const char *id, char *buf, size_t size)
{
    char s[PATH_MAX];
    state_dir(s, sizeof s);
    snprintf(buf, size, "%s/work/%s", s, id);
    mkdirs(buf);
}

static cJSON *progress_load(char *path, size_t size)
{
    char s[PATH_MAX];
    state_dir(s, sizeof s);
    snprintf(path, size, "%s/progress.json", s);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return cJSON_Parse(buf);
}

int lh_progress_get(const char *id, int *best, int *of, int *completed)
{
    char path[PATH_MAX + 32];
    cJSON *root = progress_load(path, sizeof path);
    cJSON *e = root ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "lessons"), id)
                    : NULL;
    int found = e != NULL;
    if (e) {
        cJSON *b = cJSON_GetObjectItemCaseSensitive(e, "best"), *o = cJSON_GetObjectItemCaseSensitive(e, "of"),
              *c = cJSON_GetObjectItemCaseSensitive(e, "completed");
        *best = cJSON_IsNumber(b) ? b->valueint : 0;
        *of = cJSON_IsNumber(o) ? o->valueint : 0;
        *completed = cJSON_IsTrue(c);
    }
    cJSON_Delete(root);
    return found;
}

void lh_progress_put(const char *id, int score, int of, int completed)
{
    char path[PATH_MAX + 32];
    cJSON *root = progress_load(path, sizeof path);
    if (!root)
        root = cJSON_CreateObject();
    cJSON *lessons = cJSON_GetObjectItemCaseSensitive(root, "lessons");
    if (!lessons)
        lessons = cJSON_AddObjectToObject(root, "lessons");
    cJSON *e = cJSON_GetObjectItemCaseSensitive(lessons, id);
    int best = score, was_done = 0;
    if (e) {
        cJSON *b = cJSON_GetObjectItemCaseSensitive(e, "best");
        if (cJSON_IsNumber(b) && b->valueint > best)
            best = b->valueint;
        was_done = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "completed"));
        cJSON_DeleteItemFromObjectCaseSensitive(lessons, id);
    }
    e = cJSON_AddObjectToObject(lessons, id);
    char day[32];
    time_t now = time(NULL);
    strftime(day, sizeof day, "%Y-%m-%d", gmtime(&now));
    cJSON_AddNumberToObject(e, "best", best);
    cJSON_AddNumberToObject(e, "last", score);
    cJSON_AddNumberToObject(e, "of", of);
    cJSON_AddBoolToObject(e, "completed", completed || was_done);
    cJSON_AddStringToObject(e, "date", day);
    char *text = cJSON_Print(root);
    char dir[PATH_MAX];
    state_dir(dir, sizeof dir);
    mkdirs(dir);
    char tmp[PATH_MAX + 40];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = text ? fopen(tmp, "w") : NULL;
    if (f && fputs(text, f) >= 0 && fclose(f) == 0)
        rename(tmp, path);            /* a crash mid-write never loses the old progress */
    else {
        if (f)
            fclose(f);
        unlink(tmp);
        fprintf(stderr, "coroscope lesson: cannot save progress to %s: %s\n", path, strerror(errno));
    }
    cJSON_free(text);
    cJSON_Delete(root);
}

int lh_event_sentence(const char *path, uint32_t ev, char *buf, size_t size)
{
    if (size)
        buf[0] = 0;
    tm_error err;
    tm_trace *tr = path ? tm_load(path, 0, &err) : NULL;
    if (!tr)
        return -1;
    vz_doc doc;
    vz_doc_init(&doc);
    int rc = -1;
    if (vz_doc_add(&doc, tr, "lesson", path) == 0) {
        if (ev < doc.runs[0].tr->n_events && vz_event_text(&doc.runs[0], ev, buf, size))
            rc = 0;
    } else
        tm_free(tr);
    vz_doc_free(&doc);
    return rc;
}
