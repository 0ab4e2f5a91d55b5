/*
** tm_strtod.c -- strtod for the whole process, exactly glibc's, with a fast
** path for the short decimals a trace is made of.
**
** cJSON (a shared library) turns every number of every line into a double
** with strtod, integers included: before this file, glibc's strtod was about
** a fifth of a trace load's instructions. glibc's strtod is general (any
** number of digits, hexadecimal, inf/nan, multi-precision rounding), and
** pays for it on "17" and "0.3" too. Defining strtod in the binaries that
** load traces (the coroscope CLI, which holds the viewer, and the unit tests;
** see the Makefile) interposes it for every caller in the process, cJSON's
** calls included -- so it must be glibc's strtod on every input: the same
** result bits, the same end pointer, the same errno, in the current locale
** and the current rounding mode.
**
** It is, because it answers only where the answer is provably the same and
** hands everything else to glibc's own strtod (found with dlsym(RTLD_NEXT)):
**
**   - the text is an optional '-', decimal digits with at most one '.', and
**     at least one digit, then an optional exponent [eE][+-]?digits -- no
**     leading space, no '+', no hexadecimal, no inf or nan, no exponent
**     without digits (those go to glibc);
**   - the digits, read as one integer m (the '.' dropped), are at most 2^53,
**     and the power of ten k (the exponent less the digits after the '.')
**     is within -22..22.
**
** Then m and 10^|k| are both doubles exactly (10^k is 5^k * 2^k, and
** 5^22 < 2^53), so the value
** m * 10^k is one IEEE multiplication or division of two exact operands,
** which IEEE 754 rounds correctly -- in whatever rounding mode is current,
** which is what glibc's strtod rounds in too (W. D. Clinger, "How to read
** floating point numbers accurately", 1990: the fast path). The sign is put
** on m before the operation, so directed rounding rounds the signed value.
** Such a value is never out of range (at least 1e-22 unless zero, at most
** 2^53 * 1e22), so glibc would not set errno, and neither does this.
**
** The locale: glibc's strtod takes the decimal point of the thread's current
** locale (uselocale, else setlocale's). When the text has a '.', or the
** character after the number is not the terminating NUL (so that it could
** begin a decimal point such as ','), the fast path is taken only if that
** decimal point is "." (nl_langinfo(RADIXCHAR), which reads the same
** locale). cJSON hands strtod a NUL-terminated copy of the number with its
** '.' already replaced by the locale's decimal point.
**
** Where the arithmetic cannot be trusted to be one correctly rounded IEEE
** double operation (FLT_EVAL_METHOD other than 0, as with x87), every call
** goes to glibc. tests/unit/test_strtod.c compares this with glibc's
** strtod_l on millions of random texts and on the edge cases, bit for bit,
** end pointer and errno, in the "C" locale and in one whose decimal point
** is ','.
*/
#include <dlfcn.h>
#include <stddef.h>
#include <float.h>
#include <langinfo.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tm_internal.h"

typedef double (*strtod_fn)(const char *, char **);

static strtod_fn glibc_strtod;          /* the next strtod after this one: libc's */
static pthread_once_t glibc_once = PTHREAD_ONCE_INIT;

static void find_glibc_strtod(void)
{
    glibc_strtod = (strtod_fn)dlsym(RTLD_NEXT, "strtod");
    if (!glibc_strtod || glibc_strtod == strtod) {
        /* Not a dynamically linked glibc process: nothing to defer to, and
        ** answering on our own would not be glibc's strtod. */
        fprintf(stderr, "coroscope: the C library's strtod was not found (dlsym: %s)\n", dlerror());
        abort();
    }
}

#if FLT_EVAL_METHOD == 0
/* 10^0 .. 10^22: every one a double exactly (5^22 < 2^53). */
static const double pow10_exact[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* The current locale's decimal point is exactly ".". */
static int decimal_point_is_dot(void)
{
    const char *dp = nl_langinfo(RADIXCHAR);
    return dp && dp[0] == '.' && dp[1] == '\0';
}

/* The general fast path (see the top of this file), apart from
** tm__strtod_fast's integers so that theirs saves no registers. */
static int decimal_fast(const char *s, char **end, double *out)
#if defined(__GNUC__)
    __attribute__((noinline))
#endif
    ;
static int decimal_fast(const char *s, char **end, double *out)
{
    const char *p = s;
    int neg = *p == '-';
    p += neg;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        return 0;          /* hexadecimal, or "0x" that glibc reads as 0: glibc says */
    const char *first = p; /* where the digits begin, if there are any */
    while (*p == '0')
        p++;               /* leading zeros add nothing to m */
    const char *from = p;
    uint64_t m = 0;        /* the digits as one integer, '.' dropped (checked below) */
    unsigned d;
    while ((d = (unsigned)(unsigned char)*p - '0') <= 9) {
        m = m * 10 + d;
        p++;
    }
    ptrdiff_t sig = p - from;   /* digits in m, from its first nonzero one */
    int any = p > first;        /* a digit was seen */
    ptrdiff_t after_dot = 0;    /* digits after the '.' */
    int dot = *p == '.';
    if (dot) {
        const char *frac = ++p;
        if (!sig)
            while (*p == '0')
                p++;            /* "0.00": places, not digits of m */
        from = p;
        while ((d = (unsigned)(unsigned char)*p - '0') <= 9) {
            m = m * 10 + d;
            p++;
        }
        sig += p - from;
        after_dot = p - frac;
        any |= p > frac;
    }
    if (!any)
        return 0;          /* "", "-", ".", "-." and the like: glibc says */
    if (sig > 19 || after_dot > 400)
        return 0;          /* more digits than m holds (it may have wrapped): glibc rounds them */
    int exp10 = 0;
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        int eneg = 0;
        if (*q == '+' || *q == '-')
            eneg = *q++ == '-';
        if ((unsigned)(unsigned char)*q - '0' > 9)
            return 0;      /* an exponent without digits: glibc stops before the 'e' */
        for (; (unsigned)(unsigned char)*q - '0' <= 9; q++) {
            exp10 = exp10 * 10 + (*q - '0');
            if (exp10 > 100000)
                return 0;
        }
        if (eneg)
            exp10 = -exp10;
        p = q;
    }
    if ((dot || *p != '\0') && !decimal_point_is_dot())
        return 0;          /* the locale's decimal point is not '.': glibc reads it */
    int k = exp10 - (int)after_dot;
    if (m > (UINT64_C(1) << 53) || k < -22 || k > 22)
        return 0;
    double v = (double)m;  /* exact: m <= 2^53 */
    if (neg)
        v = -v;
    *out = k >= 0 ? v * pow10_exact[k] : v / pow10_exact[-k];
    if (end)
        *end = (char *)p;
    return 1;
}
#endif

int tm__strtod_fast(const char *s, char **end, double *out)
{
#if FLT_EVAL_METHOD == 0
    /* The commonest text by far, an integer as cJSON copies it out: an
    ** optional '-' and 1 to 15 digits up to the NUL. m < 10^15 < 2^53 is a
    ** double exactly, so is -m, and with nothing after the digits no
    ** decimal point can matter. */
    const char *p = s + (*s == '-');
    const char *q = p;
    uint64_t m = 0;
    unsigned d;
    while ((d = (unsigned)(unsigned char)*q - '0') <= 9 && q - p < 15) {
        m = m * 10 + d;
        q++;
    }
    if (*q == '\0' && q > p) {
        *out = p > s ? -(double)m : (double)m;
        if (end)
            *end = (char *)q;
        return 1;
    }
    return decimal_fast(s, end, out);
#else
    (void)s;
    (void)end;
    (void)out;
    return 0;
#endif
}

double tm__strtod_glibc(const char *s, char **end)
{
    pthread_once(&glibc_once, find_glibc_strtod);
    return glibc_strtod(s, end);
}

/* The process's strtod (see the top of this file): C11 7.22.1.3, glibc's answers. */
double strtod(const char *restrict s, char **restrict end)
{
    double v;
    if (tm__strtod_fast(s, end, &v))
        return v;
    return tm__strtod_glibc(s, end);
}
