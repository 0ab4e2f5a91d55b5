/*
** lesson_run.c -- what needs a lesson's traces: recording its programs,
** checking its answers against them, grading a student's answers, filling
** in an explanation's figures, and a session's progress (see lesson.h).
*/
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alloc.h"
#include "lesson.h"

/* ---- recording ------------------------------------------------------------------ */

int lesson_record(lesson *L, const char *dir, ls_record_fn rec, void *ud, ls_diags *d)
{
    int rc = 0;
    for (size_t i = 0; i < L->n_programs; i++) {
        ls_program *p = &L->programs[i];
        if (!p->scenario && !p->text)
            continue;                      /* a file that could not be read: reported already */
        char out[4096];
        snprintf(out, sizeof out, "%s/%zu-%s.jsonl", dir, i + 1, p->name);
        char err[512] = "";
        if (rec(ud, p, out, err, sizeof err) < 0) {
            ls_diag_add(d, L->path, p->line, 1, 0, "program '%s' does not record: %s", p->name, err);
            rc = -1;
            continue;
        }
        tm_error te;
        tm_trace *tr = tm_load(out, 0, &te);
        if (!tr) {
            ls_diag_add(d, L->path, p->line, 1, 0, "program '%s': its trace does not load: %s", p->name, te.message);
            rc = -1;
            continue;
        }
        co_free(p->trace_path);
        tm_free(p->trace);
        p->trace_path = co_strdup(out);
        p->trace = tr;
    }
    return rc;
}

lq_env lesson_env(const lesson *L, int prog, const lq_env *proto)
{
    lq_env e = proto ? *proto : (lq_env){0};
    e.tr = prog >= 0 && (size_t)prog < L->n_programs ? L->programs[prog].trace : NULL;
    return e;
}

int lesson_answer(const lesson *L, const ls_block *b, const lq_env *proto, lq_value *out, lq_error *err)
{
    lq_env e = lesson_env(L, b->program, proto);
    if (!e.tr || !b->answer.q) {
        if (err)
            snprintf(err->message, sizeof err->message, "the program was not recorded");
        return -1;
    }
    return lq_eval(b->answer.q, &e, out, err);
}

size_t lesson_choices(const lesson *L, const ls_block *b, const char **out, size_t cap)
{
    size_t n = 0;
    if (b->n_options) {
        for (size_t i = 0; i < b->n_options && n < cap; i++)
            out[n++] = b->options[i].text;
        return n;
    }
    if (b->ask == LS_ASK_TRUEFALSE) {
        if (cap >= 2) {
            out[n++] = "True";
            out[n++] = "False";
        }
        return n;
    }
    if (b->ask == LS_ASK_NEXT) {
        lq_env e = lesson_env(L, b->program, NULL);
        if (!e.tr)
            return 0;
        lq_value at;
        lq_error err;
        if (!b->at.q || lq_eval(b->at.q, &e, &at, &err) < 0)
            return 0;
        const tm_trace *tr = e.tr;
        for (uint32_t t = 0; t < tr->n_tasks && n < cap; t++) {
            const tm_task *tk = &tr->tasks[t];
            if (tk->ev_new <= at.ev && (tk->ev_done == TM_NONE || tk->ev_done > at.ev))
                out[n++] = tm_text(tr, tk->name);
        }
        lq_value_free(&at);
    }
    return n;
}

/* Is option `i` the right answer? 1 yes, 0 no, -1 its text is not a value of that type. */
static int option_matches(const ls_option *o, const lq_value *right, char *err, size_t errlen)
{
    lq_value v;
    if (lq_value_read(o->value, right, &v, err, errlen) < 0)
        return -1;
    int eq = lq_value_equal(&v, right);
    lq_value_free(&v);
    return eq;
}

void lesson_check_traces(lesson *L, const lq_env *proto, const char *dir, ls_record_fn rec, void *ud,
                         ls_diags *d)
{
    for (size_t i = 0; i < L->n_blocks; i++) {
        ls_block *b = &L->blocks[i];
        if (b->program >= 0 && (size_t)b->program < L->n_programs && !L->programs[b->program].trace &&
            b->kind != LS_PROSE && b->kind != LS_VARIANT)
            continue;                      /* its program did not record: said already */
        lq_env e = lesson_env(L, b->program, proto);
        lq_error err;
        if (b->at.q) {
            for (size_t k = 0; k < (b->kind == LS_REVEAL ? b->n_programs : 1); k++) {
                lq_env ek = b->kind == LS_REVEAL ? lesson_env(L, b->programs[k], proto) : e;
                lq_value v;
                if (!ek.tr)
                    continue;
                if (lq_eval(b->at.q, &ek, &v, &err) < 0)
                    ls_diag_add(d, L->path, b->at.line, b->at.column + err.column - 1, 0, "%s: %s",
                                b->kind == LS_REVEAL ? ":until:" : ":at:", err.message);
                else
                    lq_value_free(&v);
            }
        }
        if (b->kind == LS_PREDICT && b->answer.q && e.tr) {
            lq_value right;
            if (lq_eval(b->answer.q, &e, &right, &err) < 0) {
                ls_diag_add(d, L->path, b->answer.line, b->answer.column + err.column - 1, 0, ":answer: %s",
                            err.message);
                continue;
            }
            char rt[512];
            lq_value_format(&right, e.tr, rt, sizeof rt);
            if (b->ask == LS_ASK_CHOICE || b->ask == LS_ASK_TRUEFALSE || b->ask == LS_ASK_NEXT) {
                int hits = 0;
                for (size_t k = 0; k < b->n_options; k++) {
                    char msg[256];
                    int m = option_matches(&b->options[k], &right, msg, sizeof msg);
                    if (m < 0)
                        ls_diag_add(d, L->path, b->options[k].line, 3, 0, "option '%s': %s (the answer is %s)",
                                    b->options[k].text, msg, lq_type_name(right.type));
                    hits += m == 1;
                    if (m == 0 && !b->options[k].feedback)
                        ls_diag_add(d, L->path, b->options[k].line, 3, 1,
                                    "wrong option '%s' has no feedback; say which misconception it stands for "
                                    "(a '> ...' line under it)", b->options[k].text);
                }
                if (b->n_options && hits != 1)
                    ls_diag_add(d, L->path, b->line, 1, 0,
                                "predict '%s': %d options equal the answer (%s = %s); exactly one must",
                                b->id ? b->id : "", hits, b->answer.text, rt);
            }
            if (b->ask == LS_ASK_ORDER) {
                if (right.type != LQ_LIST || right.n != b->n_options)
                    ls_diag_add(d, L->path, b->line, 1, 0,
                                "order '%s': the answer has %zu items (%s) but the question lists %zu",
                                b->id ? b->id : "", right.type == LQ_LIST ? right.n : 0, rt, b->n_options);
                else
                    for (size_t k = 0; k < b->n_options; k++) {
                        int found = 0;
                        for (size_t j = 0; j < right.n; j++) {
                            char msg[256];
                            lq_value v;
                            if (lq_value_read(b->options[k].value, &right.items[j], &v, msg, sizeof msg) == 0) {
                                found |= lq_value_equal(&v, &right.items[j]);
                                lq_value_free(&v);
                            }
                        }
                        if (!found)
                            ls_diag_add(d, L->path, b->options[k].line, 3, 0,
                                        "item '%s' is not in the answer (%s)", b->options[k].text, rt);
                    }
            }
            if (b->ask == LS_ASK_NUMBER)
                for (size_t k = 0; k < b->n_options; k++) {
                    char msg[256];
                    lq_value v;
                    if (lq_value_read(b->options[k].value, &right, &v, msg, sizeof msg) < 0)
                        ls_diag_add(d, L->path, b->options[k].line, 3, 0, "option '%s': %s", b->options[k].text, msg);
                    else
                        lq_value_free(&v);
                }
            lq_value_free(&right);
        }
        if (b->kind == LS_TASK && b->goal.q && e.tr) {
            lq_value v;
            if (lq_eval(b->goal.q, &e, &v, &err) < 0)
                ls_diag_add(d, L->path, b->goal.line, b->goal.column + err.column - 1, 0, ":goal: %s", err.message);
            else {
                if (v.num)
                    ls_diag_add(d, L->path, b->line, 1, 1,
                                "task '%s': the starting program already meets the goal; the student has nothing to do",
                                b->id ? b->id : "");
                lq_value_free(&v);
            }
            if (b->solution && rec) {
                ls_program sol = {0};
                sol.name = "solution";
                sol.path = b->solution;
                size_t len = 0;
                FILE *f = fopen(b->solution, "rb");
                char *text = NULL;
                if (f) {
                    text = co_malloc(1 << 20);
                    if (text) {
                        len = fread(text, 1, (1 << 20) - 1, f);
                        text[len] = 0;
                    }
                    fclose(f);
                }
                sol.text = text;
                char out[4096], msg[512] = "";
                snprintf(out, sizeof out, "%s/solution-%s.jsonl", dir, b->id ? b->id : "task");
                if (!text || rec(ud, &sol, out, msg, sizeof msg) < 0)
                    ls_diag_add(d, L->path, b->line, 1, 0, "task '%s': its solution does not record: %s",
                                b->id ? b->id : "", msg);
                else {
                    tm_error te;
                    tm_trace *tr = tm_load(out, 0, &te);
                    int ok = tr ? lesson_goal_holds(b, tr, proto, &err) : -1;
                    if (ok != 1)
                        ls_diag_add(d, L->path, b->line, 1, 0, "task '%s': its solution %s", b->id ? b->id : "",
                                    ok == 0 ? "does not meet the goal" : "cannot be judged");
                    tm_free(tr);
                }
                co_free(text);
            }
        }
        if (b->kind == LS_EXPLAIN || b->kind == LS_REVEAL) {
            char *s = lesson_interpolate(L, b->program, b->body ? b->body : "", proto);
            if (s && strstr(s, "[?: ")) {
                const char *bad = strstr(s, "[?: ");
                ls_diag_add(d, L->path, b->body_line, 1, 0, "a {{ query }} in '%s' fails: %.200s", b->id ? b->id : "",
                            bad + 4);
            }
            co_free(s);
        }
    }
}

/* ---- grading ----------------------------------------------------------------------- */

int lesson_goal_holds(const ls_block *b, const tm_trace *tr, const lq_env *proto, lq_error *err)
{
    lq_env e = proto ? *proto : (lq_env){0};
    e.tr = tr;
    lq_value v;
    if (!b->goal.q || lq_eval(b->goal.q, &e, &v, err) < 0)
        return -1;
    int yes = v.type == LQ_BOOL && v.num != 0;
    lq_value_free(&v);
    return yes;
}

int lesson_goal_why(const ls_block *b, const tm_trace *tr, const lq_env *proto, char *buf, size_t size)
{
    lq_env e = proto ? *proto : (lq_env){0};
    e.tr = tr;
    if (!b->goal.q) {
        if (size)
            buf[0] = 0;
        return 0;
    }
    return lq_explain(b->goal.q, &e, buf, size);
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* "2" or "b" (or "B") as a 0-based option index, or -1. */
static int option_pick(const char *s, size_t n)
{
    s = skip_ws(s);
    if (isdigit((unsigned char)*s)) {
        char *end;
        long v = strtol(s, &end, 10);
        end = (char *)skip_ws(end);
        if ((*end == 0 || *end == '\n' || *end == '\r' || *end == ')' || *end == '.') && v >= 1 && (size_t)v <= n)
            return (int)v - 1;
        return -1;
    }
    if (isalpha((unsigned char)*s) && !isalpha((unsigned char)s[1]) && *skip_ws(s + 1) == 0) {
        int v = tolower((unsigned char)*s) - 'a';
        return v >= 0 && (size_t)v < n ? v : -1;
    }
    return -1;
}

static void copy_text(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s);
    size_t n = strlen(dst);
    while (n && (dst[n - 1] == '\n' || dst[n - 1] == '\r' || dst[n - 1] == ' '))
        dst[--n] = 0;
}

/*
** The right answer said the way the options say it, so that a verdict reads
** "you said False; the answer is True" and not "... is yes": the text of the
** option (or built-in choice) whose value equals it; for an order, the
** options' numbers in the right order, then the items. Left as formatted
** when nothing matches.
*/
static void right_as_options(const ls_block *b, const lq_value *right, const char **choices, size_t n,
                             ls_verdict *out)
{
    char msg[256];
    if (b->ask == LS_ASK_ORDER) {
        if (right->type != LQ_LIST || !b->n_options || right->n != b->n_options)
            return;
        char nums[160];
        size_t k = 0;
        nums[0] = 0;
        for (size_t j = 0; j < right->n; j++) {
            int found = -1;
            for (size_t i = 0; i < b->n_options && found < 0; i++) {
                lq_value v;
                if (lq_value_read(b->options[i].value, &right->items[j], &v, msg, sizeof msg) == 0) {
                    if (lq_value_equal(&v, &right->items[j]))
                        found = (int)i;
                    lq_value_free(&v);
                }
            }
            if (found < 0 || k + 8 >= sizeof nums)
                return;
            k += (size_t)snprintf(nums + k, sizeof nums - k, "%s%d", j ? "," : "", found + 1);
        }
        char buf[sizeof out->right + sizeof nums + 4];
        snprintf(buf, sizeof buf, "%s (%s)", nums, out->right);
        copy_text(out->right, sizeof out->right, buf);   /* cut if need be */
        return;
    }
    if (b->ask != LS_ASK_CHOICE && b->ask != LS_ASK_TRUEFALSE && b->ask != LS_ASK_NEXT)
        return;
    for (size_t k = 0; k < n; k++) {
        const char *value = b->n_options ? b->options[k].value : choices[k];
        lq_value v;
        if (lq_value_read(value, right, &v, msg, sizeof msg) < 0)
            continue;
        int eq = lq_value_equal(&v, right);
        lq_value_free(&v);
        if (eq) {
            copy_text(out->right, sizeof out->right, choices[k]);
            return;
        }
    }
}

/* The step (index into tr->steps) an event belongs to, or TM_NONE. */
static uint32_t step_of(const tm_trace *tr, uint32_t ev)
{
    for (size_t i = 0; i < tr->n_steps; i++) {
        const tm_step *st = &tr->steps[i];
        uint32_t end = st->ev_end == TM_NONE ? (uint32_t)tr->n_events - 1 : st->ev_end;
        if (st->ev_begin <= ev && ev <= end)
            return (uint32_t)i;
    }
    return TM_NONE;
}

int lesson_grade(const lesson *L, const ls_block *b, const lq_env *proto, const char *answer, ls_verdict *out)
{
    memset(out, 0, sizeof *out);
    out->option = -1;
    out->graded = b->kind == LS_PREDICT && b->ask != LS_ASK_TEXT;
    const char *a = answer ? skip_ws(answer) : "";
    copy_text(out->given, sizeof out->given, a);
    out->answered = out->given[0] != 0;
    if (b->kind != LS_PREDICT)
        return 0;
    if (b->ask == LS_ASK_TEXT) {
        copy_text(out->right, sizeof out->right, b->model ? b->model : "");
        return 0;
    }
    lq_env e = lesson_env(L, b->program, proto);
    lq_value right;
    lq_error err;
    if (lesson_answer(L, b, proto, &right, &err) < 0) {
        snprintf(out->error, sizeof out->error, "the answer cannot be computed: %s", err.message);
        out->graded = 0;
        return -1;
    }
    lq_value_format(&right, e.tr, out->right, sizeof out->right);
    const char *choices[64];
    size_t n_choices = lesson_choices(L, b, choices, 64);
    right_as_options(b, &right, choices, n_choices, out);
    if (!out->answered) {
        lq_value_free(&right);
        return 0;
    }
    switch (b->ask) {
    case LS_ASK_CHOICE:
    case LS_ASK_TRUEFALSE:
    case LS_ASK_NEXT: {
        int k = option_pick(a, n_choices);
        lq_value v;
        char msg[256];
        if (k >= 0) {
            out->option = k;
            const char *value = b->n_options ? b->options[k].value : choices[k];
            copy_text(out->given, sizeof out->given, b->n_options ? b->options[k].text : choices[k]);
            if (lq_value_read(value, &right, &v, msg, sizeof msg) == 0) {
                out->correct = lq_value_equal(&v, &right);
                lq_value_free(&v);
            }
        } else if (b->ask == LS_ASK_CHOICE) {
            snprintf(out->error, sizeof out->error, "answer with the number (1 to %zu) or letter of an option",
                     n_choices);
            out->answered = 0;
        } else if (lq_value_read(a, &right, &v, msg, sizeof msg) == 0) {
            out->correct = lq_value_equal(&v, &right);
            for (size_t i = 0; i < b->n_options && out->option < 0; i++) {
                lq_value o;
                if (lq_value_read(b->options[i].value, &right, &o, msg, sizeof msg) == 0) {
                    if (lq_value_equal(&o, &v))
                        out->option = (int)i;
                    lq_value_free(&o);
                }
            }
            lq_value_free(&v);
        } else {
            snprintf(out->error, sizeof out->error, "%s", msg);
            out->answered = 0;
        }
        break;
    }
    case LS_ASK_NUMBER: {
        lq_value v;
        char msg[256];
        if (lq_value_read(a, &right, &v, msg, sizeof msg) < 0) {
            snprintf(out->error, sizeof out->error, "%s", msg);
            out->answered = 0;
            break;
        }
        out->correct = fabs(v.num - right.num) <= b->tolerance + 1e-9 * (1 + fabs(right.num));
        for (size_t i = 0; i < b->n_options && out->option < 0; i++) {
            lq_value o;
            if (lq_value_read(b->options[i].value, &right, &o, msg, sizeof msg) == 0) {
                if (fabs(o.num - v.num) <= b->tolerance + 1e-9 * (1 + fabs(v.num)))
                    out->option = (int)i;
                lq_value_free(&o);
            }
        }
        lq_value_free(&v);
        break;
    }
    case LS_ASK_ORDER: {
        /* "2,1,3" (option numbers) or the items themselves */
        lq_value v = {0};
        char msg[256];
        int numbers = 1;
        for (const char *p = a; *p; p++)
            if (!isdigit((unsigned char)*p) && *p != ',' && *p != ' ')
                numbers = 0;
        if (numbers) {
            v.type = LQ_LIST;
            v.items = co_calloc(b->n_options ? b->n_options : 1, sizeof *v.items);
            const char *p = a;
            while (v.items && *p && v.n < b->n_options) {
                char *end;
                long k = strtol(p, &end, 10);
                if (end == p || k < 1 || (size_t)k > b->n_options)
                    break;
                lq_value tmp;
                if (right.type == LQ_LIST && right.n &&
                    lq_value_read(b->options[k - 1].value, &right.items[0], &tmp, msg, sizeof msg) == 0)
                    v.items[v.n++] = tmp;
                p = skip_ws(end);
                if (*p == ',')
                    p = skip_ws(p + 1);
            }
            if (v.n != b->n_options) {
                snprintf(out->error, sizeof out->error, "give all %zu items, each once, by number: e.g. 2,1,3",
                         b->n_options);
                out->answered = 0;
                lq_value_free(&v);
                break;
            }
        } else if (lq_value_read(a, &right, &v, msg, sizeof msg) < 0) {
            snprintf(out->error, sizeof out->error, "%s", msg);
            out->answered = 0;
            break;
        }
        out->correct = lq_value_equal(&v, &right);
        lq_value_free(&v);
        break;
    }
    case LS_ASK_PICK: {
        char *end;
        long seq = strtol(a[0] == '#' ? a + 1 : a, &end, 10);
        uint32_t picked = TM_NONE;
        for (uint32_t i = 0; e.tr && i < e.tr->n_events && end != a; i++)
            if (tm_event_seq(e.tr, i) == (uint32_t)seq)
                picked = i;
        if (picked == TM_NONE) {
            snprintf(out->error, sizeof out->error, "give the number of an event or step (e.g. 12)");
            out->answered = 0;
            break;
        }
        uint32_t s1 = step_of(e.tr, picked), s2 = step_of(e.tr, right.ev);
        out->correct = picked == right.ev || (s1 != TM_NONE && s1 == s2);
        break;
    }
    default:
        break;
    }
    if (out->option >= 0 && (size_t)out->option < b->n_options)
        out->feedback = b->options[out->option].feedback;
    lq_value_free(&right);
    return 0;
}

/* ---- interpolation -------------------------------------------------------------------------- */

char *lesson_interpolate(const lesson *L, int prog, const char *text, const lq_env *proto)
{
    size_t cap = strlen(text) + 256, len = 0;
    char *out = co_malloc(cap);
    if (!out)
        return NULL;
    const char *p = text;
    while (*p) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open, "}}") : NULL;
        size_t plain = open && close ? (size_t)(open - p) : strlen(p);
        char piece[1024];
        const char *add = NULL;
        size_t add_n = 0;
        if (plain) {
            add = p;
            add_n = plain;
            p += plain;
        } else {
            char q[1024];
            snprintf(q, sizeof q, "%.*s", (int)(close - open - 2), open + 2);
            int use = prog;
            char *qt = q;
            char *colon = strchr(q, ':');
            if (colon) {
                char name[128];
                snprintf(name, sizeof name, "%.*s", (int)(colon - q), q);
                char *n = name;
                while (*n == ' ')
                    n++;
                for (char *z = n + strlen(n); z > n && z[-1] == ' ';)
                    *--z = 0;
                for (size_t i = 0; i < L->n_programs; i++)
                    if (!strcmp(L->programs[i].name, n)) {
                        use = (int)i;
                        qt = colon + 1;
                    }
            }
            lq_error err;
            lq_node *node = lq_parse(qt, &err);
            lq_env e = lesson_env(L, use, proto);
            lq_value v;
            if (!node)
                snprintf(piece, sizeof piece, "[?: %s]", err.message);
            else if (!e.tr)
                snprintf(piece, sizeof piece, "[?: the program was not recorded]");
            else if (lq_eval(node, &e, &v, &err) < 0)
                snprintf(piece, sizeof piece, "[?: %s]", err.message);
            else {
                lq_value_format(&v, e.tr, piece, sizeof piece);
                lq_value_free(&v);
            }
            lq_free(node);
            add = piece;
            add_n = strlen(piece);
            p = close + 2;
        }
        if (len + add_n + 1 > cap) {
            size_t nc = (len + add_n + 1) * 2;
            char *g = co_realloc(out, nc);
            if (!g) {
                co_free(out);
                return NULL;
            }
            out = g;
            cap = nc;
        }
        memcpy(out + len, add, add_n);
        len += add_n;
    }
    out[len] = 0;
    return out;
}

uint32_t lesson_pause_event(const lesson *L, const ls_block *b, int prog, const lq_env *proto)
{
    lq_env e = lesson_env(L, prog, proto);
    if (!e.tr || !e.tr->n_events)
        return TM_NONE;
    uint32_t ev = (uint32_t)e.tr->n_events - 1;
    if (b->at.q) {
        lq_value v;
        lq_error err;
        if (lq_eval(b->at.q, &e, &v, &err) < 0)
            return TM_NONE;
        if (v.type == LQ_EVENT)
            ev = v.ev;
        lq_value_free(&v);
    }
    return ev;
}

int lesson_cut_trace(const tm_trace *tr, const char *src, uint32_t ev, const char *dst)
{
    uint32_t last_seq = ev < tr->n_events ? tm_event_seq(tr, ev) : 0;
    FILE *in = fopen(src, "r"), *out = in ? fopen(dst, "w") : NULL;
    if (!in || !out) {
        if (in)
            fclose(in);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int first = 1;
    double seq_now = 0;   /* version 4 may leave `seq` out: then it is the previous one's + 1 */
    while ((n = getline(&line, &cap, in)) > 0) {
        if (!first) {
            cJSON *o = cJSON_ParseWithLength(line, (size_t)n);
            cJSON *seq = cJSON_GetObjectItemCaseSensitive(o, "seq");
            int keep;
            if (!cJSON_GetObjectItemCaseSensitive(o, "ev") && cJSON_GetObjectItemCaseSensitive(o, "str"))
                keep = 1;   /* a version-4 string table line, not an event: later ones may use it */
            else {
                seq_now = cJSON_IsNumber(seq) ? seq->valuedouble : seq_now + 1;
                keep = o && seq_now <= last_seq;
            }
            cJSON_Delete(o);
            if (!keep)
                break;
        }
        first = 0;
        fwrite(line, 1, (size_t)n, out);
    }
    free(line);
    fclose(in);
    return fclose(out) == 0 ? 0 : -1;
}

/* ---- sessions -------------------------------------------------------------------------------- */

int ls_session_init(ls_session *s, const lesson *L)
{
    memset(s, 0, sizeof *s);
    s->L = L;
    s->verdicts = co_calloc(L->n_blocks ? L->n_blocks : 1, sizeof *s->verdicts);
    s->done = co_calloc(L->n_blocks ? L->n_blocks : 1, 1);
    s->revealed = co_calloc(L->n_programs ? L->n_programs : 1, 1);
    if (!s->verdicts || !s->done || !s->revealed) {
        ls_session_free(s);
        return -1;
    }
    return 0;
}

void ls_session_free(ls_session *s)
{
    co_free(s->verdicts);
    co_free(s->done);
    co_free(s->revealed);
    memset(s, 0, sizeof *s);
}

static void mark_reveals(ls_session *s)
{
    const ls_block *b = &s->L->blocks[s->pos];
    if (b->kind == LS_REVEAL)
        for (size_t i = 0; i < b->n_programs; i++)
            s->revealed[b->programs[i]] = 1;
    if (b->kind != LS_PREDICT && b->kind != LS_TASK)
        s->done[s->pos] = 1;
}

int ls_session_next(ls_session *s)
{
    if (s->pos >= s->L->n_blocks)
        return -1;
    mark_reveals(s);
    if (s->pos + 1 >= s->L->n_blocks) {
        s->pos = s->L->n_blocks;
        return -1;
    }
    s->pos++;
    return 0;
}

int ls_session_prev(ls_session *s)
{
    if (s->pos == 0)
        return -1;
    s->pos--;
    return 0;
}

void ls_session_answer(ls_session *s, const ls_verdict *v)
{
    if (s->pos < s->L->n_blocks) {
        s->verdicts[s->pos] = *v;
        s->done[s->pos] = 1;
    }
}

void ls_session_score(const ls_session *s, size_t *right, size_t *graded)
{
    *right = 0;
    *graded = lesson_graded(s->L);
    for (size_t i = 0; i < s->L->n_blocks; i++)
        if (s->done[i] && s->verdicts[i].graded && s->verdicts[i].correct)
            (*right)++;
}
