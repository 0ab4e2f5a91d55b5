/*
** test_safe.c -- trace text made safe for terminals, logs and JSON
** (runtime/model/tm_safe.h), checked byte by byte.
**
** Each test feeds the escaping a string a hostile trace could hold -- the
** title-setting OSC, a screen clear, the one-byte CSI U+009B, bidi overrides,
** bytes that are not UTF-8 -- and compares the exact bytes that come out.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_safe.h"

/* The escaped form of s, in a static buffer. */
static const char *esc(const char *s)
{
    static char buf[1024];
    tm_safe_escape(buf, sizeof buf, s, strlen(s), NULL);
    return buf;
}

/* What a stream writer wrote, as a string the caller frees. */
#define CAPTURE(out, call)                                  \
    do {                                                    \
        size_t len_;                                        \
        FILE *f_ = open_memstream(&(out), &len_);           \
        cr_assert(f_ != NULL);                              \
        call;                                               \
        fclose(f_);                                         \
    } while (0)

Test(safe, plain_text_and_utf8_pass_unchanged)
{
    cr_expect(eq(str, (char *)esc("Task-1 main 'a' [1, 2] é ✓ 漢字 😀"), "Task-1 main 'a' [1, 2] é ✓ 漢字 😀"));
    cr_expect(eq(str, (char *)esc("'a\\nb'"), "'a\\nb'"), "backslashes are not doubled: reprs read as Python prints them");
    cr_expect(eq(int, tm_safe_needed("Task-1 é", 9), 0));
}

Test(safe, c0_controls_and_del_are_shown_escaped)
{
    cr_expect(eq(str, (char *)esc("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07"), "the title-setting OSC");
    cr_expect(eq(str, (char *)esc("\x1b[2J"), "\\x1b[2J"), "clear screen");
    cr_expect(eq(str, (char *)esc("a\nb\rc\td"), "a\\nb\\rc\\td"));
    cr_expect(eq(str, (char *)esc("\x01\x7f\x1f"), "\\x01\\x7f\\x1f"));
    cr_expect(eq(int, tm_safe_needed("a\x1b", 2), 1));
}

Test(safe, c1_controls_and_layout_characters_are_shown_by_number)
{
    cr_expect(eq(str, (char *)esc("\xc2\x9b" "31m"), "\\u009b31m"), "U+009B, the one-character CSI");
    cr_expect(eq(str, (char *)esc("\xc2\x80\xc2\x9f\xc2\xa0"), "\\u0080\\u009f\xc2\xa0"), "U+00A0 is text");
    cr_expect(eq(str, (char *)esc("ab\xe2\x80\xae" "cd"), "ab\\u202ecd"), "RIGHT-TO-LEFT OVERRIDE");
    cr_expect(eq(str, (char *)esc("\xe2\x80\xa8\xe2\x81\xa6\xd8\x9c"), "\\u2028\\u2066\\u061c"));
}

Test(safe, bytes_that_are_not_utf8_are_shown_one_by_one)
{
    cr_expect(eq(str, (char *)esc("a\x9b" "b"), "a\\x9bb"), "a lone 0x9B byte is not the CSI character");
    cr_expect(eq(str, (char *)esc("\xff\xfe"), "\\xff\\xfe"));
    cr_expect(eq(str, (char *)esc("\xc0\xaf"), "\\xc0\\xaf"), "an overlong '/'");
    cr_expect(eq(str, (char *)esc("\xed\xa0\x80"), "\\xed\\xa0\\x80"), "a surrogate");
    cr_expect(eq(str, (char *)esc("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"), "past U+10FFFF");
    cr_expect(eq(str, (char *)esc("\xe2\x80"), "\\xe2\\x80"), "a character cut short");
}

Test(safe, a_small_buffer_never_holds_half_a_unit)
{
    char buf[8];
    size_t used;
    size_t n = tm_safe_escape(buf, sizeof buf, "ab\x1b" "cd", 5, &used);
    cr_expect(eq(str, buf, "ab\\x1bc"));
    cr_expect(eq(sz, n, 7));
    cr_expect(eq(sz, used, 4));
    n = tm_safe_escape(buf, 6, "ab\x1b" "cd", 5, &used);
    cr_expect(eq(str, buf, "ab"), "the escape does not fit whole: left out");
    cr_expect(eq(sz, used, 2));
    n = tm_safe_escape(buf, 4, "a\xe6\xbc\xa2", 4, &used);
    cr_expect(eq(str, buf, "a"), "nor half a character");
}

Test(safe, printf_escapes_string_arguments_only)
{
    char *out = NULL;
    CAPTURE(out, tm_safe_fprintf(f_, "%s:%u: %s\n", "t\x1b.jsonl", 3u, "task \x1b]0;x\x07"));
    cr_expect(eq(str, out, "t\\x1b.jsonl:3: task \\x1b]0;x\\x07\n"), "the format's newline stays");
    free(out);
    CAPTURE(out, tm_safe_fprintf(f_, "[%-6s|%6s|%.5s|%*d|%zu|%g|%%|%c]", "a\x1b", "b", "\x1b[2J", 4, 7, (size_t)9, 2.5,
                                 '\x1b'));
    cr_expect(eq(str, out, "[a\\x1b |     b|\\x1b[|   7|9|2.5|%|\\x1b]"),
              "widths and precisions count the escaped bytes; a precision never cuts an escape");
    free(out);
}

Test(safe, snprintf_cuts_between_units)
{
    char buf[8];
    int n = tm_safe_snprintf(buf, sizeof buf, "%s!", "abcd\x1b");
    cr_expect(eq(str, buf, "abcd"), "\\x1b does not fit in what is left");
    cr_expect(eq(int, n, 4));
    n = tm_safe_snprintf(buf, 6, "x%s", "é漢");
    cr_expect(eq(str, buf, "xé"), "a cut never splits a character");
    char big[64];
    tm_safe_snprintf(big, sizeof big, "%*s%s %s", 2, "", "Task-1", "ma\xc2\x9bin");
    cr_expect(eq(str, big, "  Task-1 ma\\u009bin"));
}

Test(safe, json_output_keeps_its_value_and_loses_its_danger)
{
    char *out = NULL;
    CAPTURE(out, tm_safe_json_fputs("{\"name\":\"a\\u001bb\xc2\x9b\x7f\xff\xe2\x80\xae\"}\n", f_));
    cr_expect(eq(str, out, "{\"name\":\"a\\u001bb\\u009b\\u007f\\ufffd\\u202e\"}\n"),
              "cJSON's own escapes stay; C1, DEL, bidi and bad bytes become escapes");
    free(out);
    CAPTURE(out, tm_safe_json_string("q\"b\\s\n\x1b\xc2\x9b\xfe", f_));
    cr_expect(eq(str, out, "\"q\\\"b\\\\s\\n\\u001b\\u009b\\ufffd\""));
    free(out);
}
