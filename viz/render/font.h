/*
** font.h -- finding the viewer's fonts through fontconfig.
**
** The viewer sets text in DejaVu Sans (fonts-dejavu-core) by default: it is
** on every Debian desktop, covers the symbols the viewer uses (✓ ✗ ⊘ → ·), and
** its mono face lines up the event list. fontconfig resolves a family name to
** a file; when it offers a substitute, the viewer takes it. `--font FILE`
** overrides the body face.
*/
#ifndef VZ_FONT_H
#define VZ_FONT_H

#include <stddef.h>

/* The three faces the renderer opens. */
typedef struct vz_font_files {
    char regular[1024];   /* body text */
    char bold[1024];      /* headings and names */
    char mono[1024];      /* the event list */
} vz_font_files;

/*
** Fill `out` for the family "DejaVu Sans" (or `body_override`, a font file,
** used for the regular and bold faces). Returns 0, or -1 with a message in
** err when no readable font file could be found.
*/
int vz_font_find(const char *body_override, vz_font_files *out, char *err, size_t errlen);

#endif
