/*
** test_strtod.c -- the process's strtod (runtime/model/tm_strtod.c) is
** glibc's strtod on every input: the same result bits, end pointer and errno.
**
** The reference is glibc's strtod_l with an explicit locale object (its own
** entry point, not the one tm_strtod.c defers to), compared with strtod as
** this binary links it (the interposed one) and with the fast path alone
** where it answers. Texts come from a fixed-seed generator -- plain
** decimals of every length, signs, spaces, exponents, trailing characters,
** and every shortest and 17-digit spelling of random doubles -- and from a
** list of edge cases. The same runs in a locale whose decimal point is ','
** (de_DE, compiled here with localedef; skipped where that cannot be done).
*/
#include <criterion/criterion.h>
#include <errno.h>
#include <fenv.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tm_internal.h"

static uint64_t rng = 0x9E3779B97F4A7C15u;   /* fixed seed: the same texts every run */

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned below(unsigned n)
{
    return (unsigned)(next_random() % n);
}

/* Compare strtod (interposed), the fast path and glibc's strtod_l on s. */
static void check_text(const char *s, locale_t ref)
{
    char *end_ref, *end_got;
    errno = 0;
    double want = strtod_l(s, &end_ref, ref);
    int errno_ref = errno;
    errno = 0;
    double got = strtod(s, &end_got);
    int errno_got = errno;
    cr_assert(memcmp(&want, &got, sizeof want) == 0, "strtod(\"%s\") = %a, glibc %a", s, got, want);
    cr_assert(end_got == end_ref, "strtod(\"%s\") ends at %td, glibc at %td", s, end_got - s, end_ref - s);
    cr_assert(errno_got == errno_ref, "strtod(\"%s\") errno %d, glibc %d", s, errno_got, errno_ref);
    double fast = 0;
    char *end_fast = NULL;
    errno = 0;
    if (tm__strtod_fast(s, &end_fast, &fast)) {
        cr_assert(memcmp(&want, &fast, sizeof want) == 0, "fast(\"%s\") = %a, glibc %a", s, fast, want);
        cr_assert(end_fast == end_ref, "fast(\"%s\") ends at %td, glibc at %td", s, end_fast - s, end_ref - s);
        cr_assert(errno == 0, "fast(\"%s\") set errno %d", s, errno);
    }
}

static const char *const edge_cases[] = {
    "0", "-0", "0.0", "-0.0", "00", "0e0", "-0e-5", "0.000", "1", "-1", "9", "10",
    "9007199254740991", "9007199254740992", "9007199254740993", "-9007199254740993",
    "9007199254740994", "18014398509481985", "99999999999999999999", "12345678901234567890123",
    "1e22", "1e23", "-1e22", "1e-22", "1e-23", "123456789e22", "9007199254740992e22",
    "9007199254740993e-22", "0.1", "0.2", "0.3", "0.30000000000000004", "1.2999999999999998",
    "2.9000000000000004", "4.35", "8.5", "1.5", "2.5e-3", "1E5", "1e+5", "1e-5", "1.e5", ".5",
    "-.5", "1.", "-1.", ".", "-.", "-", "+", "+1", "+.5", "", " 1", "\t1", "\n-2", "1 ",
    "1e", "1e+", "1e-", "1E", "1ex", "1e5e5", "1.5.5", "1..5", "--1", "-+1", "1-", "1x",
    "0x1p3", "0X1P3", "-0x10", "0x", "0xg", "0x.8p1", "inf", "-inf", "INF", "infinity", "nan",
    "-nan", "nan(123)", "NaN", "1e308", "1.7976931348623157e308", "1.7976931348623159e308",
    "1e309", "-1e309", "2.2250738585072014e-308", "2.2250738585072011e-308", "4.9e-324",
    "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400", "-1e-400", "1e-324",
    "0e99999", "0e-99999", "1e99999999999", "1e-99999999999", "0.0000000000000000000000001",
    "1000000000000000000000000", "1,5", "1,", ",5", "3,25e2", "1]", "2}", "3,", "17\"",
    "123456789012345678", "1234567890123456789", "12345678901234567890",
    "0.000000000000000000001", "0.0000000000000000000001", "100000000000000000000000e-22",
    "4503599627370496.5", "4503599627370497.5", "9007199254740992.0", "9007199254740993.0",
};

/* A random text: mostly plain decimals, some with the odd parts glibc alone reads. */
static void random_text(char *buf, size_t size)
{
    static const char *const heads[] = {"", "", "", "", "-", "-", "+", " ", "0x", "."};
    static const char *const tails[] = {"", "", "", "", "", "x", ".", "e", ",", "]", "}", ",5", "e+", "5"};
    size_t n = 0;
    n += (size_t)snprintf(buf + n, size - n, "%s", heads[below(10)]);
    unsigned zeros = below(4) ? 0 : below(25);
    for (unsigned i = 0; i < zeros; i++)
        buf[n++] = '0';
    unsigned idigits = below(21);
    for (unsigned i = 0; i < idigits; i++)
        buf[n++] = (char)('0' + below(10));
    if (below(2)) {
        buf[n++] = below(8) ? '.' : ',';
        unsigned fdigits = below(24);
        for (unsigned i = 0; i < fdigits; i++)
            buf[n++] = (char)('0' + below(10));
    }
    if (!below(3)) {
        buf[n++] = below(2) ? 'e' : 'E';
        unsigned r = below(4);
        if (r == 0)
            buf[n++] = '-';
        else if (r == 1)
            buf[n++] = '+';
        unsigned edigits = below(5);
        for (unsigned i = 0; i < edigits; i++)
            buf[n++] = (char)('0' + below(10));
    }
    snprintf(buf + n, size - n, "%s", tails[below(14)]);
}

/* A random double spelled as printf spells it, with 1..17 significant digits. */
static void random_double_text(char *buf, size_t size, char point)
{
    double d;
    uint64_t bits = next_random();
    if (below(2)) {
        /* Mostly the magnitudes traces hold: times and ids. */
        d = (double)(next_random() >> 11) / (double)(UINT64_C(1) << (below(60)));
        if (below(2))
            d = -d;
    } else {
        memcpy(&d, &bits, sizeof d);
    }
    int prec = 1 + (int)below(17);
    snprintf(buf, size, below(2) ? "%.*g" : "%.*e", prec, d);
    for (char *p = buf; *p; p++)
        if (*p == '.' || *p == ',')
            *p = point;   /* the printing locale's point replaced by the one asked for */
}

static void check_many(locale_t ref, char point, int rounds)
{
    char buf[160];
    for (size_t i = 0; i < sizeof edge_cases / sizeof *edge_cases; i++)
        check_text(edge_cases[i], ref);
    for (int i = 0; i < rounds; i++) {
        random_text(buf, sizeof buf);
        check_text(buf, ref);
        random_double_text(buf, sizeof buf, below(4) ? point : '.');
        check_text(buf, ref);
    }
}

Test(strtod, matches_glibc_in_the_c_locale_on_random_and_edge_texts)
{
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    cr_assert(c != (locale_t)0);
    check_many(c, '.', 1000000);
    freelocale(c);
}

Test(strtod, takes_the_fast_path_for_short_decimals_only)
{
    static const char *const fast[] = {"0", "-0", "17", "123456", "0.3", "-2.5e-3", "1e22", "9007199254740992"};
    static const char *const slow[] = {"1.2999999999999998", "1e23", "9007199254740993", "0x1p3", "nan",
                                       " 1", "+1", "1e", "1e-23", "-"};
    double v;
    char *end;
    for (size_t i = 0; i < sizeof fast / sizeof *fast; i++)
        cr_assert(tm__strtod_fast(fast[i], &end, &v), "\"%s\" should take the fast path", fast[i]);
    for (size_t i = 0; i < sizeof slow / sizeof *slow; i++)
        cr_assert(!tm__strtod_fast(slow[i], &end, &v), "\"%s\" should go to glibc", slow[i]);
    cr_assert(tm__strtod_fast("0.3", NULL, &v) && v == 0.3);
    cr_assert(signbit(strtod("-0", NULL)));
}

Test(strtod, matches_glibc_in_every_rounding_mode)
{
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        cr_assert(fesetround(modes[i]) == 0);
        check_many(c, '.', 50000);
    }
    fesetround(FE_TONEAREST);
    freelocale(c);
}

/* A locale whose decimal point is ',', compiled into a scratch directory. */
static locale_t comma_locale(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/coroscope-strtod-%ld", (long)getpid());
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkdir -p %s && localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1", dir, dir);
    if (system(cmd) != 0)
        return (locale_t)0;
    setenv("LOCPATH", dir, 1);
    return newlocale(LC_ALL_MASK, "de_DE.UTF-8", (locale_t)0);
}

Test(strtod, matches_glibc_where_the_decimal_point_is_a_comma)
{
    char dir[128], cmd[160];
    locale_t de = comma_locale(dir, sizeof dir);
    if (de == (locale_t)0) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        (void)system(cmd);
        cr_skip_test("no de_DE locale could be compiled (localedef, /usr/share/i18n/locales)");
    }
    cr_assert(strcmp(nl_langinfo_l(RADIXCHAR, de), ",") == 0);
    locale_t before = uselocale(de);
    cr_assert(strtod("1,5", NULL) == 1.5);
    cr_assert(strtod("1.5", NULL) == 1.0);
    check_many(de, ',', 300000);
    /* The same with the locale set for the whole process. */
    uselocale(LC_GLOBAL_LOCALE);
    if (setlocale(LC_NUMERIC, "de_DE.UTF-8")) {
        check_many(de, ',', 20000);
        setlocale(LC_NUMERIC, "C");
    }
    uselocale(before);
    freelocale(de);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert(system(cmd) == 0);
}
