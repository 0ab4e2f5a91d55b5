/*
** theme.c -- colour lookups for states, markers, arrows and loop segments.
*/
#include "theme.h"

const float vz_font_px[VZ_FONT__COUNT] = {
    15,   /* VZ_FONT_BODY */
    15,   /* VZ_FONT_BOLD */
    13,   /* VZ_FONT_SMALL */
    14,   /* VZ_FONT_MONO */
    18,   /* VZ_FONT_TITLE */
};

/*
** The six states, undimmed and dimmed (after the playhead), were chosen
** together: every two different states stay at least 10 apart in CIEDE2000,
** dimmed or not, for normal vision and under a protanopia and a deuteranopia
** simulation (Machado et al. 2009, full severity), and each stays apart from
** its own dimmed self and from the page. test_viz_theme.c checks it. So a
** dimmed future "running" block never reads as "done", for anyone.
*/
static const struct { vz_color fill; float fade; } states[TM_STATE__COUNT] = {
    [TM_STATE_READY] = {VZ_RGB(0xFF, 0xC0, 0x00), 0.46f},
    [TM_STATE_RUNNING] = {VZ_RGB(0x5F, 0xA7, 0x10), 0.68f},
    [TM_STATE_WAITING] = {VZ_RGB(0x6F, 0xD5, 0xF4), 0.66f},
    [TM_STATE_DONE] = {VZ_RGB(0xAD, 0xC1, 0xAE), 0.50f},
    [TM_STATE_FAILED] = {VZ_RGB(0xB8, 0x5C, 0x4E), 0.30f},
    [TM_STATE_CANCELLED] = {VZ_RGB(0x8F, 0x53, 0xA0), 0.32f},
};

vz_color vz_state_color(tm_state state)
{
    return (unsigned)state < TM_STATE__COUNT ? states[state].fill : VZ_RGB(0x99, 0x99, 0x99);
}

vz_color vz_state_ghost(tm_state state)
{
    return (unsigned)state < TM_STATE__COUNT ? vz_fade(states[state].fill, states[state].fade)
                                             : VZ_RGB(0xCC, 0xCC, 0xCC);
}

vz_color vz_state_text_color(tm_state state)
{
    switch (state) {
    case TM_STATE_WAITING:
        return VZ_C_ON_WAITING;
    case TM_STATE_DONE:
        return VZ_C_ON_DONE;
    case TM_STATE_FAILED:
        return VZ_C_ON_FAILED;
    case TM_STATE_CANCELLED:
        return VZ_C_ON_CANCEL;
    default:
        return VZ_C_TEXT;
    }
}

vz_color vz_marker_color(vz_marker_kind kind)
{
    switch (kind) {
    case VZ_MK_CREATED:
        return VZ_RGB(0x3D, 0x4C, 0x5C);
    case VZ_MK_CANCEL_REQ:
    case VZ_MK_THROW:
        return VZ_RGB(0xB0, 0x1F, 0xB0);
    case VZ_MK_CANCELLED:
        return VZ_RGB(0x7A, 0x45, 0xD6);
    case VZ_MK_FAILED:
        return VZ_RGB(0xD1, 0x24, 0x2F);
    case VZ_MK_TIMER:
        return VZ_RGB(0x1B, 0x7F, 0x8C);
    case VZ_MK_PRINT:
        return VZ_RGB(0x24, 0x29, 0x2F);
    case VZ_MK_WARN:
        return VZ_RGB(0xD0, 0x7A, 0x00);
    case VZ_MK_OTHER:
        return VZ_RGB(0x6E, 0x57, 0x94);
    case VZ_MK_BLOCK:
        return VZ_RGB(0xC2, 0x3B, 0x22);
    case VZ_MK_TIMEOUT:
        return VZ_C_DEADLINE;
    case VZ_MK_TIMEOUT_FIRE:
        return VZ_RGB(0xD9, 0x2B, 0x1A);
    case VZ_MK_GROUP_ABORT:
        return VZ_C_ABORT;
    case VZ_MK_IO_READY:
        return VZ_C_IO_EDGE;
    default:
        return VZ_C_TEXT;
    }
}

vz_color vz_link_color(tm_link_kind kind)
{
    switch (kind) {
    case TM_LINK_SPAWN:
        return VZ_RGB(0x4A, 0x5A, 0x6C);
    case TM_LINK_WAKE:
        return VZ_RGB(0x09, 0x69, 0xDA);
    case TM_LINK_CANCEL:
        return VZ_RGB(0xB0, 0x1F, 0xB0);
    default:
        return VZ_C_TEXT_DIM;
    }
}

vz_color vz_seg_color(vz_seg_kind kind)
{
    switch (kind) {
    case VZ_SEG_STEP:
        return vz_state_color(TM_STATE_RUNNING);
    case VZ_SEG_CALLBACK:
        return VZ_C_CALLBACK;
    default:
        return VZ_C_IDLE;
    }
}

vz_color vz_fade(vz_color c, float amount)
{
    vz_color bg = VZ_C_BG;
    if (amount < 0)
        amount = 0;
    if (amount > 1)
        amount = 1;
    c.r = (uint8_t)(c.r + (bg.r - c.r) * amount + 0.5f);
    c.g = (uint8_t)(c.g + (bg.g - c.g) * amount + 0.5f);
    c.b = (uint8_t)(c.b + (bg.b - c.b) * amount + 0.5f);
    return c;
}

vz_color vz_task_color(uint32_t task)
{
    /* Okabe and Ito's eight, told apart with the common colour-vision deficiencies too. */
    static const vz_color colors[8] = {
        VZ_RGB(0x00, 0x72, 0xB2), VZ_RGB(0xE6, 0x9F, 0x00), VZ_RGB(0x00, 0x9E, 0x73), VZ_RGB(0xCC, 0x79, 0xA7),
        VZ_RGB(0x56, 0xB4, 0xE9), VZ_RGB(0xD5, 0x5E, 0x00), VZ_RGB(0x1F, 0x23, 0x28), VZ_RGB(0xF0, 0xE4, 0x42)};
    return colors[task % 8];
}
