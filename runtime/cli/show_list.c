/*
** show_list.c -- `coroscope show --list`: a trace's events one per line, as
** the viewer's event list says them: "#27   1 s  the loop runs a step of
** worker". The #N is the event's sequence number, what a lesson's `pick`
** question takes and what `validate` and the viewer name an event by.
*/
#include <stdio.h>
#include <string.h>

#include "show_list.h"
#include "tm_safe.h"
#include "view_model.h"

int cli_show_list(FILE *out, const char *name, tm_trace *tr, const char *path, int width, size_t max_rows)
{
    vz_doc doc;
    vz_doc_init(&doc);
    if (vz_doc_add(&doc, tr, "list", path) != 0) {
        tm_free(tr);
        vz_doc_free(&doc);
        fprintf(stderr, "coroscope show: out of memory\n");
        return 1;
    }
    const vz_run *run = &doc.runs[0];
    size_t n = run->tr->n_events, shown = max_rows && n > max_rows ? max_rows : n;
    tm_safe_fprintf(out, "%s \xC2\xB7 %zu event%s\n", name, n, n == 1 ? "" : "s");
    int room = width - 18;                        /* "  #NNNNN  TTTTTTT  " */
    if (room < 20)
        room = 20;
    for (size_t i = 0; i < shown; i++) {
        char what[600], t[32];
        const tm_event *e = &run->tr->events[i];
        if (!vz_event_text(run, (uint32_t)i, what, sizeof what))
            snprintf(what, sizeof what, "%s", tm_kind_name((tm_kind)e->kind));
        char cut[600];
        tm_safe_snprintf(cut, sizeof cut, "%s", what);
        size_t len = strlen(cut), cols = 0, k = 0;
        for (; k < len; k++) {                       /* cut at `room` characters */
            if (((unsigned char)cut[k] & 0xC0) != 0x80 && ++cols > (size_t)room)
                break;
        }
        fprintf(out, "  #%-5u %8s  %.*s%s\n", tm_event_seq(run->tr, (uint32_t)i), tm_format_seconds(e->t, t, sizeof t), (int)k, cut,
                k < len ? "\xE2\x80\xA6" : "");
    }
    if (shown < n)
        fprintf(out, "  ... %zu more event%s (--max-rows N or --all shows more)\n", n - shown,
                n - shown == 1 ? "" : "s");
    vz_doc_free(&doc);
    return 0;
}
