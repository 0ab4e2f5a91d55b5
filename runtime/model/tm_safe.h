/*
** tm_safe.h -- trace text made safe for a terminal or a log.
**
** Every string in a trace came from a program or from whoever wrote the file:
** a task name can hold ESC ] 0 ; ... BEL (which retitles a terminal), ESC [ 2 J
** (which clears it), or the one-character CSI U+009B, and a damaged file can
** hold bytes that are not UTF-8 at all. Everything coroscope prints -- each
** command's output, every warning and error message, and what the viewer draws
** -- goes through the escaping below, so such text is shown, never obeyed:
**
**   bytes 0x00-0x1F, 0x7F          \n \r \t, else \xNN       (C0 controls, DEL)
**   U+0080-U+009F                  \u0080 .. \u009f          (C1 controls, CSI among them)
**   U+061C U+200E U+200F U+2028    \uNNNN                    (direction marks,
**   U+2029 U+202A-U+202E U+2066-9                             line/paragraph separators,
**                                                             bidi embeddings and isolates)
**   a byte that is not part of     \xNN                      (one per bad byte)
**   well-formed UTF-8
**
** Everything else, other UTF-8 text included, passes unchanged; backslashes
** are not doubled, so ordinary reprs ('a\\n') read as Python prints them. One
** unit of output (an escape, or a whole character) is never cut in two.
**
** For JSON output (summary --json, export) tm_safe_json_fputs escapes the same
** characters inside JSON strings as \u00NN / \uNNNN, and replaces bytes that
** are not UTF-8 with \ufffd, so the JSON stays valid and the terminal safe.
*/
#ifndef TM_SAFE_H
#define TM_SAFE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* 1 when s[0..n) holds anything the table above escapes. */
int tm_safe_needed(const char *s, size_t n);

/*
** Escape s[0..n) into buf (size bytes, NUL-terminated when size > 0), as many
** whole units as fit. Returns the bytes written (not counting the NUL); when
** `used` is not NULL, *used gets how many bytes of s they cover.
*/
size_t tm_safe_escape(char *buf, size_t size, const char *s, size_t n, size_t *used);

/* Write a NUL-terminated string escaped. Returns EOF on a write error. */
int tm_safe_fputs(const char *s, FILE *f);

/*
** printf with every %s argument escaped (the format itself is trusted text:
** its newlines and literal characters are written as they are). Supports the
** conversions of C99 printf with their flags, width, precision (also `*`) and
** length modifiers; widths and precisions of %s count bytes of the escaped text.
** tm_safe_fprintf returns the bytes written, or a negative number on a write
** error. tm_safe_snprintf always NUL-terminates a buffer of size > 0, cuts a
** long output after its last whole unit (character or escape) that fits, and
** returns the bytes it wrote.
*/
int tm_safe_fprintf(FILE *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int tm_safe_vfprintf(FILE *f, const char *fmt, va_list ap);
int tm_safe_snprintf(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/*
** Write JSON text (as cJSON prints it) with the characters of the table above
** escaped inside its strings, and bytes that are not UTF-8 as \ufffd. JSON
** puts every byte >= 0x80 and every control character inside a string, so the
** result is the same JSON value, readable anywhere. Returns EOF on a write error.
*/
int tm_safe_json_fputs(const char *json, FILE *f);

/* Write s as a JSON string literal, quotes included: `"` `\` and the control
** characters escaped (\n \r \t by name), the characters of the table above as
** \uNNNN, bytes that are not UTF-8 as \ufffd. Returns EOF on a write error. */
int tm_safe_json_string(const char *s, FILE *f);

#endif
