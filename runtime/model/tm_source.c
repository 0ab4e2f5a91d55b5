/*
** tm_source.c -- what version 3 of the format adds to the model: the
** program's code carried in the trace (`source` events), where each event
** happened in it (`src`, and `csrc` for readers of the C runtime), the local
** variables recorded at each suspension (`locals`), and what a future waits
** for on a task's behalf (`of`) -- and the questions asked of them: which line
** a task stands on at an event, and the await graph (who waits for whom).
**
** Everything here is optional in a trace: a version-1 or -2 trace, or a C
** program's trace, simply has no sources and no locals, and every query says
** "unknown" (NULL or TM_NONE) instead of guessing.
*/
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alloc.h"
#include "tm_internal.h"

/* ---- loading ------------------------------------------------------------------- */

/* Index the lines of `text`: offsets of each line's first byte. 0 or -1. */
static int index_lines(tm_source *src)
{
    uint32_t n = 0;
    for (size_t i = 0; i < src->len; i++)
        if (src->text[i] == '\n')
            n++;
    if (src->len && src->text[src->len - 1] != '\n')
        n++;                                /* a last line without its newline */
    src->line_start = co_malloc((n ? n : 1) * sizeof *src->line_start);
    if (!src->line_start)
        return -1;
    uint32_t k = 0;
    if (src->len)
        src->line_start[k++] = 0;
    for (size_t i = 0; i + 1 < src->len; i++)
        if (src->text[i] == '\n')
            src->line_start[k++] = (uint32_t)(i + 1);
    src->n_lines = k;
    return 0;
}

int tm__on_source(tm__builder *b, uint32_t seq)
{
    tm_trace *tr = b->tr;
    const cJSON *file = b->fields[TM__F_FILE], *text = b->fields[TM__F_TEXT];
    tm_str name = tm__cstr(b, file->valuestring);
    for (size_t i = 0; i < tr->n_sources; i++) {
        if (tr->sources[i].file == name) {
            tm__rule(b, TM__F_FILE, "source: \"%s\" is embedded twice (first at seq %u)",
                     file->valuestring, tr->sources[i].seq);
            return 0;
        }
    }
    size_t len = strlen(text->valuestring);
    if (len > UINT32_MAX - 1) {
        tm__problem(b, TM__F_TEXT, "source: \"%s\" is too large to index", file->valuestring);
        return 0;
    }
    if (tm__reserve(&tr->sources, &b->cap_sources, tr->n_sources + 1, sizeof *tr->sources) < 0)
        return TM__NOMEM(b);
    char *copy = co_malloc(len + 1);
    if (!copy)
        return TM__NOMEM(b);
    memcpy(copy, text->valuestring, len + 1);
    tm_source *src = &tr->sources[tr->n_sources];
    *src = (tm_source){name, copy, len, NULL, 0, seq};
    if (index_lines(src) < 0) {
        co_free(copy);
        return TM__NOMEM(b);
    }
    tr->n_sources++;
    return 0;
}

/* Split "FILE:LINE" into FILE's length and LINE; 0 when it is not of that shape. */
static int parse_src(const char *s, size_t *file_len, uint32_t *line)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || !colon[1])
        return 0;
    unsigned long v = 0;
    for (const char *p = colon + 1; *p; p++) {
        if (*p < '0' || *p > '9' || v > 100000000UL)
            return 0;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v == 0)
        return 0;
    *file_len = (size_t)(colon - s);
    *line = (uint32_t)v;
    return 1;
}

static int add_srcref(tm__builder *b, uint32_t ev)
{
    tm_trace *tr = b->tr;
    const cJSON *src = b->fields[TM__F_SRC], *csrc = b->fields[TM__F_CSRC];
    if (!src || tm__is_null(src))
        return 0;
    if (!tm__is_string(src)) {
        tm__rule(b, TM__F_SRC, "%s: \"src\" must be a string \"FILE:LINE\"",
                 tm_kind_name((tm_kind)tr->events[ev].kind));
        return 0;
    }
    size_t flen;
    uint32_t line;
    if (!parse_src(src->valuestring, &flen, &line)) {
        tm__rule(b, TM__F_SRC, "%s: \"src\" \"%s\" is not FILE:LINE (LINE a positive number)",
                 tm_kind_name((tm_kind)tr->events[ev].kind), src->valuestring);
        return 0;
    }
    tm_str file = tm__str(b, src->valuestring, flen);
    tm_str c = 0;
    if (csrc && tm__is_string(csrc))
        c = tm__cstr(b, csrc->valuestring);
    else if (csrc && !tm__is_null(csrc))
        tm__rule(b, TM__F_CSRC, "\"csrc\" must be a string");
    uint32_t source = TM_NONE;
    for (size_t i = 0; i < tr->n_sources; i++)
        if (tr->sources[i].file == file)
            source = (uint32_t)i;
    if (source != TM_NONE && line > tr->sources[source].n_lines)
        tm__rule(b, TM__F_SRC, "\"src\" names line %u of %s, which has %u lines", line,
                 tm_text(tr, file), tr->sources[source].n_lines);
    if (tm__reserve(&tr->srcrefs, &b->cap_srcrefs, tr->n_srcrefs + 1, sizeof *tr->srcrefs) < 0)
        return TM__NOMEM(b);
    tr->srcrefs[tr->n_srcrefs++] = (tm_srcref){ev, source, line, file, c};
    return b->oom ? -1 : 0;
}

/* step_end's `locals`: [{"fn", "line", "vars": {name: repr}, "more"}, ...]. */
static int add_locals(tm__builder *b, uint32_t ev)
{
    tm_trace *tr = b->tr;
    const cJSON *frames = b->fields[TM__F_LOCALS];
    if (!frames || tm__is_null(frames))
        return 0;
    if (!cJSON_IsArray(frames)) {
        tm__rule(b, TM__F_LOCALS, "step_end: \"locals\" must be a list of frames");
        return 0;
    }
    uint32_t first = (uint32_t)tr->n_lframes, count = 0;
    for (const cJSON *fr = frames->child; fr; fr = fr->next) {
        const cJSON *fn = cJSON_GetObjectItemCaseSensitive(fr, "fn");
        const cJSON *line = cJSON_GetObjectItemCaseSensitive(fr, "line");
        const cJSON *vars = cJSON_GetObjectItemCaseSensitive(fr, "vars");
        const cJSON *more = cJSON_GetObjectItemCaseSensitive(fr, "more");
        if (!cJSON_IsObject(fr) || !tm__is_string(fn) || (vars && !cJSON_IsObject(vars))) {
            tm__rule(b, TM__F_LOCALS, "step_end: each of \"locals\" must be "
                                      "{\"fn\": string, \"line\": number, \"vars\": {...}}");
            continue;
        }
        if (tm__reserve(&tr->lframes, &b->cap_lframes, tr->n_lframes + 1, sizeof *tr->lframes) < 0)
            return TM__NOMEM(b);
        tm_lframe lf = {tm__cstr(b, fn->valuestring), 0, (uint32_t)tr->n_vars, 0, 0};
        if (tm__is_number(line) && line->valuedouble >= 1 && line->valuedouble < 1e9)
            lf.line = (uint32_t)line->valuedouble;
        if (tm__is_number(more) && more->valuedouble >= 1 && more->valuedouble < 1e9)
            lf.more = (uint32_t)more->valuedouble;
        for (const cJSON *v = vars ? vars->child : NULL; v; v = v->next) {
            if (!v->string || !tm__is_string(v)) {
                tm__rule(b, TM__F_LOCALS, "step_end: a local's value must be its repr, a string");
                continue;
            }
            if (tm__reserve(&tr->vars, &b->cap_vars, tr->n_vars + 1, sizeof *tr->vars) < 0)
                return TM__NOMEM(b);
            tr->vars[tr->n_vars++] = (tm_var){tm__cstr(b, v->string), tm__cstr(b, v->valuestring)};
            lf.var_count++;
        }
        tr->lframes[tr->n_lframes++] = lf;
        count++;
    }
    if (tm__reserve(&tr->locals, &b->cap_locals, tr->n_locals + 1, sizeof *tr->locals) < 0)
        return TM__NOMEM(b);
    tr->locals[tr->n_locals++] = (tm_locals){ev, first, count};
    return b->oom ? -1 : 0;
}

/* fut_new's `of`: the ids it waits for. */
static int add_of(tm__builder *b, uint32_t ev)
{
    tm_trace *tr = b->tr;
    const cJSON *of = b->fields[TM__F_OF];
    if (!of || tm__is_null(of))
        return 0;
    if (!tr->n_futures || tr->futures[tr->n_futures - 1].ev_new != ev)
        return 0;                              /* the fut_new itself was rejected */
    if (!cJSON_IsArray(of)) {
        tm__rule(b, TM__F_OF, "fut_new: \"of\" must be a list of ids");
        return 0;
    }
    tm_future *f = &tr->futures[tr->n_futures - 1];
    f->of_first = (uint32_t)tr->n_of_ids;
    for (const cJSON *v = of->child; v; v = v->next) {
        if (!tm__is_number(v) || v->valuedouble < 1 || v->valuedouble > UINT32_MAX) {
            tm__rule(b, TM__F_OF, "fut_new: each of \"of\" must be a positive integer id");
            continue;
        }
        if (tm__reserve(&tr->of_ids, &b->cap_of_ids, tr->n_of_ids + 1, sizeof *tr->of_ids) < 0)
            return TM__NOMEM(b);
        tr->of_ids[tr->n_of_ids++] = (uint32_t)v->valuedouble;
        f->of_count++;
    }
    return 0;
}

int tm__apply_v3(tm__builder *b, tm_kind kind, uint32_t ev)
{
    if (add_srcref(b, ev) < 0)
        return -1;
    if (kind == TM_EV_STEP_END && add_locals(b, ev) < 0)
        return -1;
    if (kind == TM_EV_FUT_NEW && add_of(b, ev) < 0)
        return -1;
    return 0;
}

void tm__finish_sources(tm__builder *b)
{
    tm_trace *tr = b->tr;
    if (!tr->n_sources)
        return;
    for (size_t i = 0; i < tr->n_srcrefs; i++) {
        tm_srcref *r = &tr->srcrefs[i];
        if (r->source != TM_NONE)
            continue;
        for (size_t k = 0; k < tr->n_sources; k++)
            if (tr->sources[k].file == r->file)
                r->source = (uint32_t)k;
    }
}

/* ---- queries ----------------------------------------------------------------------- */

uint32_t tm_find_source(const tm_trace *tr, const char *file)
{
    for (size_t i = 0; i < tr->n_sources; i++)
        if (!strcmp(tm_text(tr, tr->sources[i].file), file))
            return (uint32_t)i;
    return TM_NONE;
}

const char *tm_source_line(const tm_trace *tr, uint32_t source, uint32_t line, size_t *len)
{
    if (source >= tr->n_sources || line == 0 || line > tr->sources[source].n_lines)
        return NULL;
    const tm_source *s = &tr->sources[source];
    size_t a = s->line_start[line - 1];
    size_t z = line < s->n_lines ? s->line_start[line] : s->len;
    while (z > a && (s->text[z - 1] == '\n' || s->text[z - 1] == '\r'))
        z--;
    if (len)
        *len = z - a;
    return s->text + a;
}

const tm_srcref *tm_event_src(const tm_trace *tr, uint32_t ev)
{
    size_t i = tm__lower_bound(tr->srcrefs, tr->n_srcrefs, sizeof *tr->srcrefs, offsetof(tm_srcref, ev), ev);
    return i < tr->n_srcrefs && tr->srcrefs[i].ev == ev ? &tr->srcrefs[i] : NULL;
}

const tm_locals *tm_event_locals(const tm_trace *tr, uint32_t ev)
{
    size_t i = tm__lower_bound(tr->locals, tr->n_locals, sizeof *tr->locals, offsetof(tm_locals, ev), ev);
    return i < tr->n_locals && tr->locals[i].ev == ev ? &tr->locals[i] : NULL;
}

/* The last srcref at or before `ev` with event index >= `floor` made by task `task`. */
static const tm_srcref *last_src_in_step(const tm_trace *tr, uint32_t task, uint32_t floor,
                                         uint32_t ev)
{
    size_t lo = 0, hi = tr->n_srcrefs;
    while (lo < hi) {                          /* first srcref after ev */
        size_t mid = lo + (hi - lo) / 2;
        if (tr->srcrefs[mid].ev <= ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo-- > 0) {
        const tm_srcref *r = &tr->srcrefs[lo];
        if (r->ev < floor)
            break;
        if (tm_event_by(tr, r->ev) == task)
            return r;
    }
    return NULL;
}

const tm_srcref *tm_task_src_at(const tm_trace *tr, uint32_t task, uint32_t ev,
                                const tm_locals **locals)
{
    if (locals)
        *locals = NULL;
    if (task >= tr->n_tasks || !tr->n_srcrefs)
        return NULL;
    uint32_t si = tm_span_at(tr, task, ev);
    if (si == TM_NONE)
        return NULL;
    const tm_task *tk = &tr->tasks[task];
    const tm_span *sp = &tr->spans[si];
    if (sp->state == TM_STATE_RUNNING) {
        const tm_srcref *r = last_src_in_step(tr, task, sp->ev_begin, ev);
        if (r)
            return r;
    }
    /* Walk back to the step_end that suspended (or finished) the task. */
    for (uint32_t k = si + 1; k-- > tk->span_first;) {
        uint32_t e = tr->spans[k].ev_begin;
        if (tr->events[e].kind == TM_EV_STEP_END && tr->events[e].task == task) {
            if (locals)
                *locals = tm_event_locals(tr, e);
            return tm_event_src(tr, e);
        }
        if (k == tk->span_first || si - k > 4)
            break;
    }
    return NULL;
}

/* ---- the await graph ------------------------------------------------------------------ */

typedef struct graph {
    const tm_trace *tr;
    uint32_t ev;
    tm_await_node *out;
    size_t cap, n;
    uint8_t *seen;        /* per task: already placed in the graph */
} graph;

static int alive_at(const tm_trace *tr, uint32_t t, uint32_t ev)
{
    const tm_task *tk = &tr->tasks[t];
    return tk->ev_new <= ev && (tk->ev_done == TM_NONE || tk->ev_done > ev);
}

/* The future (index) or task (index) task `t` waits on at the cursor, if any. */
static void waits_on(const tm_trace *tr, uint32_t t, uint32_t ev, uint32_t *task, uint32_t *fut)
{
    *task = *fut = TM_NONE;
    if (!alive_at(tr, t, ev))
        return;
    uint32_t si = tm_span_at(tr, t, ev);
    if (si == TM_NONE || tr->spans[si].state != TM_STATE_WAITING || !tr->spans[si].fut)
        return;
    uint32_t id = tr->spans[si].fut;
    *task = tm_find_task(tr, id);
    if (*task == TM_NONE)
        *fut = tm_find_future(tr, id);
}

/* Calls visit(child task or future) for what future `f`, awaited by task `owner`, waits for. */
typedef void (*visit_fn)(graph *g, uint32_t task, uint32_t fut, uint32_t parent, uint32_t depth,
                         uint32_t owner);

static void future_children(graph *g, uint32_t f, uint32_t owner, uint32_t parent, uint32_t depth,
                            visit_fn visit)
{
    const tm_trace *tr = g->tr;
    const tm_future *fu = &tr->futures[f];
    for (uint32_t i = 0; i < fu->of_count; i++) {
        uint32_t id = tr->of_ids[fu->of_first + i];
        uint32_t ct = tm_find_task(tr, id);
        uint32_t cf = ct == TM_NONE ? tm_find_future(tr, id) : TM_NONE;
        if (ct != TM_NONE || cf != TM_NONE)
            visit(g, ct, cf, parent, depth, owner);
    }
    if (strcmp(tm_text(tr, fu->kind), "taskgroup") || owner == TM_NONE)
        return;
    /* A TaskGroup's exit waits for the members of the group its owner opened. */
    uint32_t group = 0;
    for (size_t m = 0; m < tr->n_marks; m++) {
        const tm_mark *mk = &tr->marks[m];
        if (mk->ev > g->ev)
            break;
        if (tr->events[mk->ev].kind != TM_EV_GROUP)
            continue;
        const char *op = tm_text(tr, mk->op);
        if (!strcmp(op, "new") && mk->task == owner)
            group = mk->obj;
        else if (!strcmp(op, "exit") && mk->obj == group)
            group = 0;
    }
    if (!group)
        return;
    for (size_t m = 0; m < tr->n_marks; m++) {
        const tm_mark *mk = &tr->marks[m];
        if (mk->ev > g->ev)
            break;
        if (tr->events[mk->ev].kind == TM_EV_GROUP && mk->obj == group && mk->task != TM_NONE &&
            !strcmp(tm_text(tr, mk->op), "add"))
            visit(g, mk->task, TM_NONE, parent, depth, owner);
    }
}

static void place(graph *g, uint32_t task, uint32_t fut, uint32_t parent, uint32_t depth,
                  uint32_t owner);

static void place_task_children(graph *g, uint32_t t, uint32_t me, uint32_t depth)
{
    uint32_t wt, wf;
    waits_on(g->tr, t, g->ev, &wt, &wf);
    if (wt != TM_NONE)
        place(g, wt, TM_NONE, me, depth + 1, t);
    else if (wf != TM_NONE)
        place(g, TM_NONE, wf, me, depth + 1, t);
}

static void place(graph *g, uint32_t task, uint32_t fut, uint32_t parent, uint32_t depth,
                  uint32_t owner)
{
    if (depth > 32)
        return;
    if (task != TM_NONE) {
        if (g->seen[task])
            return;                            /* a cycle, or awaited twice: shown once */
        g->seen[task] = 1;
    }
    uint32_t me = (uint32_t)g->n;
    if (g->n < g->cap)
        g->out[g->n] = (tm_await_node){task, fut, parent, depth};
    g->n++;
    if (task != TM_NONE)
        place_task_children(g, task, me, depth);
    else
        future_children(g, fut, owner, me, depth + 1, place);
}

/* Marks tasks that someone alive awaits (directly or through futures). */
static void mark(graph *g, uint32_t task, uint32_t fut, uint32_t parent, uint32_t depth,
                 uint32_t owner)
{
    (void)parent;
    (void)owner;
    if (depth > 32)
        return;
    if (task != TM_NONE) {
        g->seen[task] = 1;
        return;
    }
    future_children(g, fut, owner, 0, depth + 1, mark);
}

size_t tm_await_graph_at(const tm_trace *tr, uint32_t ev, tm_await_node *out, size_t cap)
{
    if (!tr->n_tasks || ev >= tr->n_events)
        return 0;
    graph g = {tr, ev, out, cap, 0, co_calloc(tr->n_tasks, 1)};
    if (!g.seen)
        return 0;
    uint8_t *awaited = g.seen;
    for (uint32_t t = 0; t < tr->n_tasks; t++) {
        uint32_t wt, wf;
        waits_on(tr, t, ev, &wt, &wf);
        if (wt != TM_NONE && wt != t)
            awaited[wt] = 1;
        else if (wf != TM_NONE)
            future_children(&g, wf, t, 0, 1, mark);
    }
    uint8_t *roots = co_malloc(tr->n_tasks);
    if (!roots) {
        co_free(g.seen);
        return 0;
    }
    for (uint32_t t = 0; t < tr->n_tasks; t++)
        roots[t] = !awaited[t] && alive_at(tr, t, ev);
    memset(g.seen, 0, tr->n_tasks);
    for (size_t i = 0; i < tr->n_tasks; i++) {
        uint32_t t = tr->lanes[i];             /* tree order: parents before children */
        if (roots[t])
            place(&g, t, TM_NONE, TM_NONE, 0, TM_NONE);
    }
    co_free(roots);
    co_free(g.seen);
    return g.n;
}
