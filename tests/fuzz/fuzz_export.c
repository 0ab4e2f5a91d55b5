/*
** fuzz_export.c -- `coroscope export --format chrome` and `coroscope validate`
** on arbitrary bytes, with the exported JSON checked.
**
** The exporter writes JSON by hand (no tree in memory), so nothing but a
** check like this one says its output is JSON at all. Whenever the input
** loads, the export must parse with cJSON into {"traceEvents":[...]} where
** every event is an object with a string "ph"; every "ts" and "dur" is a
** finite number, and "dur" is not negative (the Trace Event Format's rule:
** Perfetto drops or misdraws slices that break it), and the whole text is
** well-formed UTF-8, as JSON must be, whatever bytes the trace's strings hold.
** `summary --json` must print JSON too, and validate must agree with itself:
** exit 0 exactly when it printed "ok".
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "fuzz.h"

static void check_number(const cJSON *ev, const char *key, size_t i, int nonneg)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, key);
    if (!v)
        return;
    FZ_CHECK(cJSON_IsNumber(v) && isfinite(v->valuedouble), "export: event %zu: \"%s\" is not a number",
             i, key);
    FZ_CHECK(!nonneg || v->valuedouble >= 0, "export: event %zu: \"%s\" is %g", i, key,
             v->valuedouble);
}

/* The offset of the first byte of text that is not well-formed UTF-8, or len. */
static size_t utf8_bad_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
        if (n == 0 || i + n > len)
            return i;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0) ||
            (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90))
            return i;
        i += n;
    }
    return len;
}

static void check_export(const char *text, size_t len)
{
    size_t bad = utf8_bad_at((const unsigned char *)text, len);
    FZ_CHECK(bad == len, "export wrote a byte that is not UTF-8 at %zu: %.40s", bad, text + bad);
    cJSON *doc = cJSON_ParseWithLength(text, len);
    FZ_CHECK(doc != NULL, "export wrote invalid JSON near byte %ld: %.60s",
             (long)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - text : -1),
             cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(doc, "traceEvents");
    FZ_CHECK(cJSON_IsArray(events), "export: no traceEvents array");
    size_t i = 0;
    for (const cJSON *ev = events->child; ev; ev = ev->next, i++) {
        FZ_CHECK(cJSON_IsObject(ev), "export: event %zu is not an object", i);
        const cJSON *ph = cJSON_GetObjectItemCaseSensitive(ev, "ph");
        FZ_CHECK(cJSON_IsString(ph), "export: event %zu has no \"ph\"", i);
        FZ_CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(ev, "name")),
                 "export: event %zu has no \"name\"", i);
        check_number(ev, "ts", i, 0);
        check_number(ev, "dur", i, 1);
    }
    cJSON_Delete(doc);
}

/*
** Run a command with argv (NULL-terminated), its stderr quieted; returns its
** exit status and, in *text (free it), what it printed to stdout -- or to the
** out file, for export's -o.
*/
static int capture(int (*cmd)(int, char **), char **argv, char **text, size_t *len)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    const char *out = fz_out_path();
    FILE *cap = fopen(out, "w");
    FZ_CHECK(cap != NULL, "cannot open the capture file");
    fz_quiet_begin();
    stdout = cap;
    int rc = cmd(argc, argv);
    fz_quiet_end();
    fclose(cap);
    *text = fz_out_read(len);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = (char *)fz_trace_path(data, size);
    char *text;
    size_t len;

    char export[] = "export", format[] = "--format", chrome[] = "chrome", o[] = "-o", dash[] = "-";
    char *eargv[] = {export, format, chrome, path, o, dash, NULL};
    int rc = capture(cli_export, eargv, &text, &len);
    FZ_CHECK(rc == 0 || rc == 1, "export exited %d", rc);
    if (rc == 0)
        check_export(text, len);
    free(text);

    char summary[] = "summary", json[] = "--json";
    char *sargv[] = {summary, json, path, NULL};
    int src = capture(cli_summary, sargv, &text, &len);
    FZ_CHECK(src == rc, "summary --json exits %d, export %d", src, rc);
    if (src == 0) {   /* one JSON document for a single file */
        cJSON *doc = cJSON_ParseWithLength(text, len);
        FZ_CHECK(cJSON_IsObject(doc), "summary --json wrote no JSON object: %.200s", text);
        cJSON_Delete(doc);
    }
    free(text);

    char validate[] = "validate";
    char *vargv[] = {validate, path, NULL};
    rc = capture(cli_validate, vargv, &text, &len);
    FZ_CHECK(rc == 0 || rc == 1, "validate exited %d", rc);
    char ok[96];
    snprintf(ok, sizeof ok, "%s: ok (", path);
    int says_ok = !strncmp(text, ok, strlen(ok)) && strchr(text, '\n') == text + len - 1;
    FZ_CHECK((rc == 0) == says_ok, "validate exited %d after printing: %.200s", rc, text);
    free(text);
    return 0;
}
