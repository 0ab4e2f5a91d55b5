/*
** font.c -- fontconfig lookups (see font.h).
*/
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "font.h"

/* Resolve a fontconfig pattern ("DejaVu Sans:bold") to a readable file. */
static int match(FcConfig *cfg, const char *pattern, char *path, size_t size)
{
    FcPattern *pat = FcNameParse((const FcChar8 *)pattern);
    if (!pat)
        return -1;
    FcConfigSubstitute(cfg, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *font = FcFontMatch(cfg, pat, &res);
    FcPatternDestroy(pat);
    if (!font)
        return -1;
    FcChar8 *file = NULL;
    int ok = FcPatternGetString(font, FC_FILE, 0, &file) == FcResultMatch && file &&
             access((const char *)file, R_OK) == 0;
    if (ok)
        snprintf(path, size, "%s", (const char *)file);
    FcPatternDestroy(font);
    return ok ? 0 : -1;
}

int vz_font_find(const char *body_override, vz_font_files *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (body_override) {
        if (access(body_override, R_OK) != 0) {
            snprintf(err, errlen, "cannot read the font file '%s'", body_override);
            return -1;
        }
        snprintf(out->regular, sizeof out->regular, "%s", body_override);
        snprintf(out->bold, sizeof out->bold, "%s", body_override);
    }
    FcConfig *cfg = FcInitLoadConfigAndFonts();
    if (!cfg) {
        snprintf(err, errlen, "fontconfig could not load its configuration");
        return -1;
    }
    int rc = 0;
    if (!body_override && (match(cfg, "DejaVu Sans", out->regular, sizeof out->regular) ||
                           match(cfg, "DejaVu Sans:bold", out->bold, sizeof out->bold)))
        rc = -1;
    if (!rc && match(cfg, "DejaVu Sans Mono", out->mono, sizeof out->mono))
        snprintf(out->mono, sizeof out->mono, "%s", out->regular);
    FcConfigDestroy(cfg);
    FcFini();   /* nothing else uses fontconfig: give its caches back */
    if (rc)
        snprintf(err, errlen,
                 "no font found through fontconfig (looked for DejaVu Sans); install fonts-dejavu-core "
                 "(sudo apt-get install fonts-dejavu-core) or pass --font FILE.ttf");
    return rc;
}
