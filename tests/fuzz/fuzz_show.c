/*
** fuzz_show.c -- `coroscope show` and `coroscope summary` on arbitrary bytes.
**
** The input is written to an in-memory file and the commands run on its path
** exactly as from the shell, with their output sent to /dev/null: show with
** the default Unicode glyphs and width, with --events --ascii --color at the
** narrowest width, and with two copies of the trace at a wide one (the shared
** time axis); summary as text and as --json. The loader is fuzz_load's job;
** this target is after the drawing code, which indexes the model's arrays
** and does column arithmetic on names and results it did not choose.
*/
#include <stdio.h>

#include "cli.h"
#include "fuzz.h"

/* Run a command with argv (NULL-terminated); its exit status must be 0 or 1. */
static int run(int (*cmd)(int, char **), char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    fz_quiet_begin();
    int rc = cmd(argc, argv);
    fz_quiet_end();
    FZ_CHECK(rc == 0 || rc == 1, "coroscope %s exited %d", argv[0], rc);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = (char *)fz_trace_path(data, size);
    char show[] = "show", summary[] = "summary", events[] = "--events", ascii[] = "--ascii",
         color[] = "--color", width[] = "--width", narrow[] = "40", wide[] = "300",
         json[] = "--json";

    char *plain[] = {show, path, NULL};
    int rc = run(cli_show, plain);
    char *small[] = {show, events, ascii, color, width, narrow, path, NULL};
    FZ_CHECK(run(cli_show, small) == rc, "show's exit status depends on its options");
    char *two[] = {show, width, wide, path, path, NULL};
    FZ_CHECK(run(cli_show, two) == rc, "show of two copies exits differently from one");

    char *text[] = {summary, path, NULL};
    FZ_CHECK(run(cli_summary, text) == rc, "summary and show disagree on loading");
    char *as_json[] = {summary, json, path, NULL};
    FZ_CHECK(run(cli_summary, as_json) == rc, "summary --json and show disagree on loading");
    return 0;
}
