/*
** layout_overview.c -- the overview of a big trace (overview.h): the strip
** above the axis with the focused trace's concurrency track, and the minimap
** of every lane along the lanes' right edge. Both show the whole trace on
** their x axis (the doc's extent, not the zoomed view) and mark the visible
** window; a click or a drag on either moves the view there (input_apply.c).
**
** Both cost a bounded number of primitives whatever the trace's size: the
** track one column of three rectangles per pixel at most, merged where
** neighbours are alike; the minimap one band per two pixels of height, each
** combining at most MM_SAMPLE of its lanes' precomputed cells and merged
** into runs of one state.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "layout_internal.h"
#include "overview.h"
#include "tm_safe.h"

#define MM_SAMPLE 16   /* lanes combined per minimap band at most (evenly spaced) */

/* Window x of axis position p on a strip that shows the doc's whole extent. */
static float strip_x(const vz__lctx *c, vz_rect r, double p)
{
    double lo, hi;
    vz_ui_extent(c->ui, c->doc, &lo, &hi);
    double x = r.x + (p - lo) / (hi - lo) * r.w;
    return (float)(x < r.x - 1e4 ? r.x - 1e4 : x > r.x + r.w + 1e4 ? r.x + r.w + 1e4 : x);
}

/* The visible window on a strip: shade outside it, a frame around it. */
static void window_mark(vz__lctx *c, vz_rect r, float ya, float yb, vz_tag tag, unsigned sub)
{
    float xa = strip_x(c, r, c->ui->x0), xb = strip_x(c, r, c->ui->x1), s = c->s;
    if (xa < r.x)
        xa = r.x;
    if (xb > r.x + r.w)
        xb = r.x + r.w;
    if (ya < r.y)
        ya = r.y;
    if (yb > r.y + r.h)
        yb = r.y + r.h;
    if (xb - xa < 3 * s)   /* deep zoom: still a mark to find */
        xb = xa + 3 * s;
    if (yb - ya < 3 * s)
        yb = ya + 3 * s;
    vz_dl_tag(c->dl, tag, sub, 0, 0);
    vz_color shade = VZ_RGBA(0x1F, 0x23, 0x28, 40);
    if (xa > r.x)
        vz_dl_rect(c->dl, r.x, r.y, xa - r.x, r.h, shade);
    if (xb < r.x + r.w)
        vz_dl_rect(c->dl, xb, r.y, r.x + r.w - xb, r.h, shade);
    vz_dl_rect(c->dl, xa, r.y, xb - xa, ya - r.y, shade);
    vz_dl_rect(c->dl, xa, yb, xb - xa, r.y + r.h - yb, shade);
    vz_dl_frame(c->dl, xa, ya, xb - xa, yb - ya, VZ_C_TEXT);
    vz_dl_frame(c->dl, xa + 1, ya + 1, xb - xa - 2, yb - ya - 2, VZ_C_TEXT);
}

/* ---- the concurrency track ------------------------------------------------------------- */

/* The best sample among bins [b0, b1]: the moment with the most tasks alive. */
static size_t best_bin(const vz_conc *bins, size_t b0, size_t b1)
{
    size_t best = b0;
    for (size_t b = b0 + 1; b <= b1; b++) {
        uint32_t n = bins[b].running + bins[b].ready + bins[b].waiting,
                 m = bins[best].running + bins[best].ready + bins[best].waiting;
        if (n > m || (n == m && bins[b].running > bins[best].running))
            best = b;
    }
    return best;
}

static void track(vz__lctx *c, const vz_run *run, vz_rect r)
{
    const vz_ui *ui = c->ui;
    float s = c->s;
    vz_dl_tag(c->dl, VZ_TAG_OVERVIEW, VZ_OV_BG, 0, 0);
    vz_dl_rect(c->dl, r.x, r.y, r.w, r.h, VZ_C_PANEL);
    vz_dl_hit(c->dl, r.x, r.y, r.w, r.h, VZ_HIT_OVERVIEW, 0, 0, 0);
    if (!run->conc_peak || !run->tr->n_events)
        return;
    const vz_conc *bins = vz_ov_bins(run, ui->step_view);
    double lo, hi, rlo, rhi;
    vz_ui_extent(ui, c->doc, &lo, &hi);
    vz_ov_range(run, ui->step_view, &rlo, &rhi);
    float scale = (r.h - 2 * s) / (float)run->conc_peak, base = r.y + r.h;
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
    /* Column by column; a run of columns with the same heights is one set of rectangles. */
    int cols = (int)ceilf(r.w);
    float run_x = 0;
    int have = 0;
    float hr = 0, hq = 0, hw = 0;   /* heights of the run being gathered */
    size_t run_bin = 0;
    for (int i = 0; i <= cols; i++) {
        int ok = 0;
        float h1 = 0, h2 = 0, h3 = 0;
        size_t bb = 0;
        if (i < cols) {
            double pa = lo + (double)i / r.w * (hi - lo), pb = lo + (double)(i + 1) / r.w * (hi - lo);
            if (pb > rlo && pa <= rhi) {
                size_t b0 = vz_ov_bin(run, ui->step_view, pa, VZ_OV_BINS),
                       b1 = vz_ov_bin(run, ui->step_view, pb, VZ_OV_BINS);
                if (b1 > b0 && pb < rhi)   /* the bin that starts at pb belongs to the next column */
                    b1--;
                bb = best_bin(bins, b0, b1);
                h1 = roundf((float)bins[bb].running * scale);
                h2 = roundf((float)bins[bb].ready * scale);
                h3 = roundf((float)bins[bb].waiting * scale);
                ok = 1;
            }
        }
        if (have && (!ok || h1 != hr || h2 != hq || h3 != hw)) {   /* close the run */
            float x = r.x + run_x, w = (float)i - run_x;
            vz_dl_tag(c->dl, VZ_TAG_OVERVIEW, VZ_OV_RUNNING, 0, (uint32_t)run_bin);
            if (hr > 0)
                vz_dl_rect(c->dl, x, base - hr, w, hr, vz_state_color(TM_STATE_RUNNING));
            vz_dl_tag(c->dl, VZ_TAG_OVERVIEW, VZ_OV_READY, 0, (uint32_t)run_bin);
            if (hq > 0)
                vz_dl_rect(c->dl, x, base - hr - hq, w, hq, vz_state_color(TM_STATE_READY));
            vz_dl_tag(c->dl, VZ_TAG_OVERVIEW, VZ_OV_WAITING, 0, (uint32_t)run_bin);
            if (hw > 0)
                vz_dl_rect(c->dl, x, base - hr - hq - hw, w, hw, vz_state_color(TM_STATE_WAITING));
            have = 0;
        }
        if (ok && !have) {
            have = 1;
            run_x = (float)i;
            hr = h1;
            hq = h2;
            hw = h3;
            run_bin = bb;
        }
    }
    /* The playhead, and the visible window. */
    float px = strip_x(c, r, vz_ui_playhead_pos(ui, run));
    vz_dl_tag(c->dl, VZ_TAG_OVERVIEW, VZ_OV_PLAYHEAD, 0, 0);
    vz_dl_rect(c->dl, px - 1 * s, r.y, 2 * s, r.h, VZ_C_PLAYHEAD);
    vz_dl_unclip(c->dl);
    window_mark(c, r, r.y, r.y + r.h, VZ_TAG_OVERVIEW, VZ_OV_WINDOW);
    vz_dl_tag(c->dl, VZ_TAG_OVERVIEW, VZ_OV_BG, 0, 0);
    vz_dl_frame(c->dl, r.x, r.y, r.w, r.h, VZ_C_BORDER);
}

void vz__layout_overview(vz__lctx *c)
{
    vz_rect o = c->g.overview, r = c->g.track;
    if (o.h <= 0 || !c->doc->n_runs)
        return;
    const vz_run *run = vz__focus_run(c);
    float s = c->s, x = c->g.labels.x + 10 * s, w = c->g.labels.w - 16 * s;
    vz_dl_tag(c->dl, VZ_TAG_OVERVIEW, VZ_OV_CAPTION, 0, 0);
    vz_dl_rect(c->dl, o.x, o.y, o.w, o.h, VZ_C_PANEL_HEAD);
    vz_dl_rect(c->dl, o.x, o.y + o.h - 1, o.w, 1, VZ_C_BORDER);
    float lh = vz__line_h(c, VZ_FONT_SMALL), y = o.y + 4 * s;
    char line[160];
    if (c->doc->n_runs > 1)
        tm_safe_snprintf(line, sizeof line, "tasks alive: %.60s", run->label);
    else
        tm_safe_snprintf(line, sizeof line, "tasks alive over time");
    vz_dl_text(c->dl, VZ_FONT_BOLD, x, y, w, VZ_C_TEXT, line);
    y += vz__line_h(c, VZ_FONT_BOLD);
    if (run->n_rows == run->tr->n_tasks)
        tm_safe_snprintf(line, sizeof line, "peak %u  \xC2\xB7  %zu lanes", run->conc_peak, run->n_rows);
    else
        tm_safe_snprintf(line, sizeof line, "peak %u  \xC2\xB7  %zu of %zu lanes", run->conc_peak, run->n_rows, run->tr->n_tasks);
    vz_dl_text(c->dl, VZ_FONT_SMALL, x, y, w, VZ_C_TEXT_DIM, line);
    y += lh + 2 * s;
    /* The lanes' order: a click cycles it, like R. */
    tm_safe_snprintf(line, sizeof line, "lanes: %s  (R)", vz_sort_name((vz_sort)c->doc->sort));
    float bw = vz__text_w(c, VZ_FONT_SMALL, line) + 10 * s;
    if (bw > w)
        bw = w;
    vz_dl_tag(c->dl, VZ_TAG_OVERVIEW, VZ_OV_SORT, 0, c->doc->sort);
    vz_dl_rect(c->dl, x - 4 * s, y - 1 * s, bw, lh + 2 * s, VZ_C_BUTTON);
    vz_dl_frame(c->dl, x - 4 * s, y - 1 * s, bw, lh + 2 * s, VZ_C_BORDER);
    vz_dl_text(c->dl, VZ_FONT_SMALL, x + 1 * s, y, bw - 8 * s, VZ_C_TEXT, line);
    vz_dl_hit(c->dl, x - 4 * s, y - 1 * s, bw, lh + 2 * s, VZ_HIT_BUTTON, 0, VZ_ACT_SORT, (uint32_t)-1);   /* -1: the next order */
    track(c, run, r);
    /* Above the minimap, what it is. */
    vz_rect m = c->g.minimap;
    if (m.w > 0) {
        vz_dl_tag(c->dl, VZ_TAG_MINIMAP, VZ_MM_CAPTION, 0, 0);
        vz_dl_text(c->dl, VZ_FONT_SMALL, m.x + 4 * s, r.y, m.w - 8 * s, VZ_C_TEXT_DIM, "all lanes");
    }
}

/* ---- the minimap ------------------------------------------------------------------------- */

/* The first row of a run whose lane reaches block-relative y. */
static size_t row_at(const vz_run *run, float y, float s)
{
    size_t lo = 0, hi = run->n_rows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (vz__row_y(run, mid, s) + vz__lane_h(run, run->rows[mid], s) <= y)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void vz__layout_minimap(vz__lctx *c)
{
    vz_rect m = c->g.minimap;
    if (m.w <= 0 || m.h <= 0 || !c->doc->n_runs)
        return;
    const vz_ui *ui = c->ui;
    const vz_doc *doc = c->doc;
    float s = c->s, k = vz_ui_minimap_scale(ui, doc, &c->g);
    vz_dl_tag(c->dl, VZ_TAG_MINIMAP, VZ_MM_BG, 0, 0);
    vz_dl_rect(c->dl, m.x, m.y, m.w, m.h, VZ_C_PANEL);
    vz_dl_hit(c->dl, m.x, m.y, m.w, m.h, VZ_HIT_MINIMAP, 0, 0, 0);
    vz_dl_clip(c->dl, m.x, m.y, m.w, m.h);
    float band = 2 * s, inner = m.w - 2 * s, x0 = m.x + 1 * s;
    double lo, hi;
    vz_ui_extent(ui, doc, &lo, &hi);
    float top = 0;   /* the run's block, in content y */
    for (size_t r = 0; r < doc->n_runs; r++) {
        const vz_run *run = &doc->runs[r];
        float h = vz_layout_run_height(run, s), y_end = top + h;
        if (top * k > m.h)
            break;
        vz_dl_tag(c->dl, VZ_TAG_MINIMAP, VZ_MM_RUN, (unsigned)r, (uint32_t)r);
        vz_dl_rect(c->dl, m.x, m.y + top * k, m.w, 1 * s, VZ_C_TEXT_DIM);
        /* Where the run's cells lie across the strip. */
        double rlo, rhi;
        vz_ov_range(run, ui->step_view, &rlo, &rhi);
        float ca = x0 + (float)((rlo - lo) / (hi - lo)) * inner, cb = x0 + (float)((rhi - lo) / (hi - lo)) * inner;
        float cw = (cb - ca) / VZ_MM_COLS;
        for (float by = m.y + top * k; by < m.y + y_end * k && by < m.y + m.h; by += band) {
            float ya = (by - m.y) / k - top, yb = ya + band / k;   /* the band, block-relative */
            size_t first = row_at(run, ya, s), last = first;
            while (last < run->n_rows && vz__row_y(run, last, s) < yb)
                last++;
            if (last <= first)
                continue;
            /* The band's state per cell: the one most of its lanes are in (ties: the more telling). */
            uint8_t votes[VZ_MM_COLS][TM_STATE__COUNT + 1], cell[VZ_MM_COLS];
            memset(votes, 0, sizeof votes);
            size_t n = last - first, step = n > MM_SAMPLE ? n / MM_SAMPLE : 1;
            for (size_t i = first; i < last; i += step) {
                const uint8_t *src = vz_mm_cells(run, ui->step_view, run->rows[i]);
                for (int j = 0; j < VZ_MM_COLS; j++)
                    votes[j][src[j] <= TM_STATE__COUNT ? src[j] : 0]++;
            }
            for (int j = 0; j < VZ_MM_COLS; j++) {
                cell[j] = 0;
                for (unsigned v = 1; v <= TM_STATE__COUNT; v++)
                    if (votes[j][v] && (!cell[j] || votes[j][v] > votes[j][cell[j]] ||
                                        (votes[j][v] == votes[j][cell[j]] &&
                                         vz_state_rank(v - 1) > vz_state_rank(cell[j] - 1u))))
                        cell[j] = (uint8_t)v;
            }
            for (int j = 0; j < VZ_MM_COLS;) {
                int e = j + 1;
                while (e < VZ_MM_COLS && cell[e] == cell[j])
                    e++;
                if (cell[j]) {
                    unsigned st = cell[j] - 1u;
                    vz_dl_tag(c->dl, VZ_TAG_MINIMAP, VZ_MM_CELL, (unsigned)r, st);
                    vz_dl_rect(c->dl, ca + cw * (float)j, by, cw * (float)(e - j), band,
                               st >= TM_STATE_DONE ? vz_fade(vz_state_color((tm_state)st), 0.45f)
                                                   : vz_state_color((tm_state)st));
                }
                j = e;
            }
        }
        top = y_end;
    }
    vz_dl_unclip(c->dl);
    /* The window: the visible time range across, the lanes on screen down. */
    float ya = m.y + (float)ui->scroll * k, yb = ya + c->g.lanes.h * k;
    window_mark(c, (vz_rect){x0, m.y, inner, m.h}, ya, yb, VZ_TAG_MINIMAP, VZ_MM_WINDOW);
    vz_dl_tag(c->dl, VZ_TAG_MINIMAP, VZ_MM_BG, 0, 0);
    vz_dl_rect(c->dl, m.x, m.y, 1, m.h, VZ_C_BORDER);
}
