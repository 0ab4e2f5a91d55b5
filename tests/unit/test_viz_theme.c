/*
** test_viz_theme.c -- the viewer's colours (viz/layout/theme.h) stay telling:
** every task state can be told from every other, whether drawn as it is or
** dimmed (after the playhead), for normal vision and for the two common
** red-green deficiencies, and each state can be told from its own dimmed self
** and from the page.
**
** Colour difference is CIEDE2000 (Sharma, Wu and Dalal's formulation) in
** CIELAB (D65); the deficiencies are simulated with Machado, Oliveira and
** Fernandes' 2009 matrices at full severity, applied in linear RGB. A ΔE2000
** of 10 is far past a just-noticeable difference (about 1 to 2): colours that
** far apart are told apart at a glance, in a thin bar, on a projector.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>

#include "theme.h"

#define MIN_APART 10.0        /* between two different states, dimmed or not */
#define MIN_FROM_PAGE 6.0     /* a state, dimmed or not, against the background */
#define MIN_FROM_SELF 6.0     /* a state against its own dimmed colour */

typedef struct rgb { double r, g, b; } rgb;   /* linear RGB, 0..1 */
typedef struct lab { double L, a, b; } lab;

static double to_linear(uint8_t v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* What a viewer with a deficiency sees: Machado et al. 2009, severity 1. */
typedef enum vision { NORMAL, PROTANOPIA, DEUTERANOPIA, VISIONS } vision;
static const char *const vision_name[VISIONS] = {"normal vision", "protanopia", "deuteranopia"};
static const double machado[VISIONS][3][3] = {
    {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
    {{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}},
    {{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}},
};

static lab seen(vz_color c, vision v)
{
    double in[3] = {to_linear(c.r), to_linear(c.g), to_linear(c.b)}, o[3];
    for (int i = 0; i < 3; i++)
        o[i] = clamp01(machado[v][i][0] * in[0] + machado[v][i][1] * in[1] + machado[v][i][2] * in[2]);
    double X = (0.4124 * o[0] + 0.3576 * o[1] + 0.1805 * o[2]) / 0.95047;
    double Y = 0.2126 * o[0] + 0.7152 * o[1] + 0.0722 * o[2];
    double Z = (0.0193 * o[0] + 0.1192 * o[1] + 0.9505 * o[2]) / 1.08883;
#define F(t) ((t) > 0.008856 ? cbrt(t) : 7.787 * (t) + 16.0 / 116)
    lab out = {116 * F(Y) - 16, 500 * (F(X) - F(Y)), 200 * (F(Y) - F(Z))};
#undef F
    return out;
}

static double deg(double rad) { return rad * 180 / M_PI; }
static double rad(double d) { return d * M_PI / 180; }

/* CIEDE2000 colour difference. */
static double de2000(lab p, lab q)
{
    double C1 = hypot(p.a, p.b), C2 = hypot(q.a, q.b), Cb = (C1 + C2) / 2;
    double G = 0.5 * (1 - sqrt(pow(Cb, 7) / (pow(Cb, 7) + pow(25, 7))));
    double a1 = (1 + G) * p.a, a2 = (1 + G) * q.a;
    double C1p = hypot(a1, p.b), C2p = hypot(a2, q.b);
    double h1 = fmod(deg(atan2(p.b, a1)) + 360, 360), h2 = fmod(deg(atan2(q.b, a2)) + 360, 360);
    double dL = q.L - p.L, dC = C2p - C1p, dh = 0;
    if (C1p * C2p != 0) {
        dh = h2 - h1;
        if (dh > 180)
            dh -= 360;
        else if (dh < -180)
            dh += 360;
    }
    double dH = 2 * sqrt(C1p * C2p) * sin(rad(dh / 2));
    double Lb = (p.L + q.L) / 2, Cbp = (C1p + C2p) / 2, hb = h1 + h2;
    if (C1p * C2p != 0) {
        if (fabs(h1 - h2) <= 180)
            hb = (h1 + h2) / 2;
        else
            hb = h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2;
    }
    double T = 1 - 0.17 * cos(rad(hb - 30)) + 0.24 * cos(rad(2 * hb)) + 0.32 * cos(rad(3 * hb + 6)) -
               0.20 * cos(rad(4 * hb - 63));
    double dth = 30 * exp(-pow((hb - 275) / 25, 2));
    double RC = 2 * sqrt(pow(Cbp, 7) / (pow(Cbp, 7) + pow(25, 7)));
    double SL = 1 + 0.015 * pow(Lb - 50, 2) / sqrt(20 + pow(Lb - 50, 2));
    double SC = 1 + 0.045 * Cbp, SH = 1 + 0.015 * Cbp * T, RT = -sin(rad(2 * dth)) * RC;
    return sqrt(pow(dL / SL, 2) + pow(dC / SC, 2) + pow(dH / SH, 2) + RT * (dC / SC) * (dH / SH));
}

Test(viz_theme, the_formula_gives_the_published_differences)
{
    /* Pairs 1, 7 and 17 of Sharma et al.'s test data. */
    cr_assert(le(dbl, fabs(de2000((lab){50, 2.6772, -79.7751}, (lab){50, 0, -82.7485}) - 2.0425), 1e-4));
    cr_assert(le(dbl, fabs(de2000((lab){50, 0, 0}, (lab){50, -1, 2}) - 2.3669), 1e-4));
    cr_assert(le(dbl, fabs(de2000((lab){50, 2.5, 0}, (lab){73, 25, -18}) - 27.1492), 1e-4));
}

Test(viz_theme, the_simulation_collapses_red_and_green_for_red_green_deficiencies)
{
    /* Pure red and a green of like lightness are far apart normally, close for deuteranopia. */
    vz_color red = VZ_RGB(0xD0, 0x40, 0x30), green = VZ_RGB(0x70, 0x88, 0x30);
    double normal = de2000(seen(red, NORMAL), seen(green, NORMAL));
    double deutan = de2000(seen(red, DEUTERANOPIA), seen(green, DEUTERANOPIA));
    cr_assert(gt(dbl, normal, 30.0));
    cr_assert(lt(dbl, deutan, normal / 3), "a simulation that changes nothing would pass any palette");
}

static const char *const state_names[TM_STATE__COUNT] = {"ready", "running", "waiting", "done", "failed",
                                                          "cancelled"};

Test(viz_theme, every_state_is_told_apart_dimmed_or_not_for_common_colour_vision_deficiencies)
{
    for (int v = 0; v < VISIONS; v++) {
        for (int a = 0; a < TM_STATE__COUNT; a++) {
            for (int b = 0; b < TM_STATE__COUNT; b++) {
                if (a == b)
                    continue;
                for (int da = 0; da < 2; da++) {
                    for (int db = 0; db < 2; db++) {
                        vz_color ca = da ? vz_state_ghost((tm_state)a) : vz_state_color((tm_state)a);
                        vz_color cb = db ? vz_state_ghost((tm_state)b) : vz_state_color((tm_state)b);
                        double d = de2000(seen(ca, (vision)v), seen(cb, (vision)v));
                        cr_assert(ge(dbl, d, MIN_APART), "%s%s and %s%s are %.1f apart for %s",
                                  da ? "dimmed " : "", state_names[a], db ? "dimmed " : "", state_names[b], d,
                                  vision_name[v]);
                    }
                }
            }
        }
    }
}

Test(viz_theme, each_state_shows_against_the_page_and_against_its_dimmed_self)
{
    for (int v = 0; v < VISIONS; v++) {
        lab page = seen(VZ_C_BG, (vision)v);
        for (int a = 0; a < TM_STATE__COUNT; a++) {
            lab on = seen(vz_state_color((tm_state)a), (vision)v), dim = seen(vz_state_ghost((tm_state)a), (vision)v);
            cr_assert(ge(dbl, de2000(on, page), MIN_FROM_PAGE), "%s on the page, %s", state_names[a], vision_name[v]);
            cr_assert(ge(dbl, de2000(dim, page), MIN_FROM_PAGE), "dimmed %s on the page, %s", state_names[a],
                      vision_name[v]);
            cr_assert(ge(dbl, de2000(on, dim), MIN_FROM_SELF), "%s and dimmed %s, %s", state_names[a],
                      state_names[a], vision_name[v]);
        }
    }
}

Test(viz_theme, the_old_palette_would_have_failed)
{
    /* Issue 9's pair: a dimmed running block (186,221,194) and a done block (198,222,201). */
    double d = de2000(seen(VZ_RGB(186, 221, 194), NORMAL), seen(VZ_RGB(198, 222, 201), NORMAL));
    cr_assert(lt(dbl, d, MIN_APART), "the threshold rejects what the issue saw (%.1f)", d);
}
