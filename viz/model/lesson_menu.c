/*
** lesson_menu.c -- the lesson menu's model (lesson_menu.h): the items, the
** highlight and the scroll.
*/
#include "lesson_menu.h"

#include "alloc.h"

void vz_menu_init(vz_lesson_menu *m, const char *where)
{
    m->items = NULL;
    m->n = m->cap = 0;
    m->sel = m->top = 0;
    m->where = where;
}

void vz_menu_free(vz_lesson_menu *m)
{
    for (size_t i = 0; i < m->n; i++)
        lesson_free(m->items[i].L);
    co_free(m->items);
    m->items = NULL;
    m->n = m->cap = 0;
}

int vz_menu_add(vz_lesson_menu *m, lesson *L, vz_menu_state state, int best, int of)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        vz_menu_item *p = co_realloc(m->items, cap * sizeof *p);
        if (!p) {
            lesson_free(L);
            return -1;
        }
        m->items = p;
        m->cap = cap;
    }
    m->items[m->n++] = (vz_menu_item){L, state, best, of};
    return 0;
}

void vz_menu_select(vz_lesson_menu *m, size_t i)
{
    if (m->n)
        m->sel = i < m->n ? i : m->n - 1;
}

void vz_menu_move(vz_lesson_menu *m, long delta)
{
    if (!m->n)
        return;
    long i = (long)m->sel + delta;
    if (i < 0)
        i = 0;
    vz_menu_select(m, (size_t)i);
}

void vz_menu_follow(vz_lesson_menu *m, size_t rows)
{
    if (!rows)
        rows = 1;
    if (m->sel < m->top)
        m->top = m->sel;
    else if (m->sel >= m->top + rows)
        m->top = m->sel - rows + 1;
    if (m->n > rows && m->top > m->n - rows)
        m->top = m->n - rows;
    if (m->n <= rows)
        m->top = 0;
}

size_t vz_menu_count(const vz_lesson_menu *m, vz_menu_state state)
{
    size_t k = 0;
    for (size_t i = 0; i < m->n; i++)
        k += m->items[i].state == state;
    return k;
}
