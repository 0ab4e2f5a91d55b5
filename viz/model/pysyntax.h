/*
** pysyntax.h -- just enough of Python's lexical rules to colour a line of a
** program the way an editor would: keywords, strings, comments, numbers, the
** name a `def` or `class` introduces, and the builtins a beginner meets.
**
** It is a colouring, not a parser: it never fails, whatever the bytes (a
** trace's embedded source is untrusted text), and a triple-quoted string is
** followed from one line to the next through a small state the caller keeps.
*/
#ifndef VZ_PYSYNTAX_H
#define VZ_PYSYNTAX_H

#include <stddef.h>
#include <stdint.h>

typedef enum vz_py_kind {
    VZ_PY_PLAIN,      /* names, operators, spaces */
    VZ_PY_KEYWORD,    /* async, await, def, return, ... */
    VZ_PY_STRING,     /* '...', "...", f'...', triple-quoted, and their prefixes */
    VZ_PY_COMMENT,    /* # to the end of the line */
    VZ_PY_NUMBER,     /* 3, 0.5, 1e-3, 0x1F */
    VZ_PY_DEFNAME,    /* the name after def or class */
    VZ_PY_BUILTIN,    /* print, range, len, ... and asyncio */
    VZ_PY__COUNT
} vz_py_kind;

typedef struct vz_py_span {
    uint32_t start, len;   /* bytes of the line */
    uint8_t kind;          /* vz_py_kind */
} vz_py_span;

/*
** Split line[0..len) into coloured spans, in order and covering it (spans of
** one kind next to each other are merged). `*state` is 0 outside a string and
** the quote character ('\'' or '"') inside a triple-quoted one that goes on
** past the end of the line; pass 0 for a file's first line. Writes at most
** `cap` spans and returns how many it wrote (past cap, the rest of the line
** joins the last one).
*/
size_t vz_py_spans(const char *line, size_t len, int *state, vz_py_span *out, size_t cap);

#endif
