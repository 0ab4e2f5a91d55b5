/*
** speedups.c -- the CPython recorder's hottest functions in C: the `locals`
** of a suspended frame first (module _coroscope_speedups).
**
** The recorder (coroscope_record.py) writes, at every suspension of a task,
** the local variables of the program's frames as JSON text (_locals_of).
** That is a fifth of a recorded run's time in Python. This module does the
** same work in C, call for call: it reads the frame's f_locals, calls repr()
** on each value exactly when the Python does, and keeps its results in the
** recorder's own caches (the dicts it is given by setup()), so the text it
** returns is the text the Python would have returned, byte for byte.
**
** The Python functions stay the reference. Whatever is not the common case
** goes back to them: a str, list, tuple, set or dict value (_bounded_repr),
** a repr with addresses other than the object's own (_stable), a value whose
** __class__ is not its type (_var_text), a frame whose f_locals is not a
** dict (_locals_of_py). tests/scripts/speedups.py checks both against each
** other on many values and whole traces; the recorder runs without this
** module (the pure-Python path) when it is missing or built for another
** interpreter.
**
** Built against the running interpreter's headers (Makefile:
** BUILD/pyext/_coroscope_speedups$(EXT_SUFFIX)); only the public C API, but for
** the frame walk below (CO_FRAME_WALK: internal/pycore_frame.h, 3.11 only).
** One recording per process, so the state is static.
**
** Also here: emit_body's catch-up (catch_up), which runs before nearly every
** event: the stack is walked on the interpreter's own frames (3.11's
** _PyInterpreterFrame, as sys._getframe and f_back walk it), without making
** a frame object for each of the recorder's and asyncio's frames passed;
** Recorder.emit_body itself (emit_body, mirroring _emit_body_py), made a
** method of the Recorder class by method(), so that an event costs no
** Python frame; and a task's suspension, its step_end with the locals
** (suspended, mirroring Task._rec_suspended_py). Each calls back into the
** Python for whatever is not its common case, and each Python function
** stays, the one used where this module is missing.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The interpreter's own frames (3.11): a stack walk that makes no frame
** objects. Only for the exact version built against (BUILT_FOR: the
** recorder checks it, and that the walk agrees with f_back, before use). */
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#define CO_FRAME_WALK 1
#define Py_BUILD_CORE 1
#include "internal/pycore_frame.h"
#undef Py_BUILD_CORE
#else
#define CO_FRAME_WALK 0
#endif

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* What setup() takes from the recorder's globals: caches (dicts shared with
** the Python code), the Python functions the rare cases go to, limits. */
static PyObject *fn_json;        /* id(code) -> (code, '{"fn":"name","line":') */
static PyObject *var_json;       /* name -> '"name":' */
static PyObject *json_seen;      /* repr text -> its JSON string */
static PyObject *plain_json;     /* id(list or tuple) -> (items, more, JSON) */
static PyObject *plain_seen;     /* (id, budget) -> (items, more, text) */
static PyObject *addresses;      /* "0x7f..." -> "0x1" */
static PyObject *py_qualname, *py_var_key, *py_bounded_repr, *py_stable, *py_stable_own;
static PyObject *py_stand_in, *py_esc, *py_var_text, *py_locals_of, *py_gettrace;
static PyObject *big_int, *neg_big_int;     /* 10**70, -10**70 */
static PyObject *plain_budget;              /* _PLAIN_BUDGET, an int */
static Py_ssize_t repr_limit, locals_limit, json_seen_limit, plain_seen_limit;
static PyObject *s_0x, *s_ellipsis, *s_quote, *s_comma, *s_empty;
static PyObject *s_f_code, *s_f_locals, *s_f_lineno, *s_class, *s_name;
static PyObject *s_vars_open, *s_vars_close;

/* A new reference to globals[name], or NULL with KeyError. */
static PyObject *global(PyObject *ns, const char *name)
{
    PyObject *v = PyDict_GetItemString(ns, name);      /* borrowed */
    if (v == NULL) {
        PyErr_Format(PyExc_KeyError, "_coroscope_speedups.setup: the recorder has no %s", name);
        return NULL;
    }
    Py_INCREF(v);
    return v;
}

static int global_size(PyObject *ns, const char *name, Py_ssize_t *out)
{
    PyObject *v = global(ns, name);
    if (v == NULL)
        return -1;
    *out = PyLong_AsSsize_t(v);
    Py_DECREF(v);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

static PyObject *call1(PyObject *fn, PyObject *a)
{
    return PyObject_CallOneArg(fn, a);
}

static PyObject *call2(PyObject *fn, PyObject *a, PyObject *b)
{
    PyObject *args[2] = {a, b};
    return PyObject_Vectorcall(fn, args, 2, NULL);
}

/* The n strs parts[] joined by `sep` (NULL for none): a new str, or NULL
** with an error. Copied at once when all are ASCII (the common case: JSON
** text), else by PyUnicode_Join, whose text it is either way. */
static PyObject *join(PyObject *sep, PyObject *const *parts, Py_ssize_t n)
{
    Py_ssize_t total = 0, gap = sep != NULL ? PyUnicode_GET_LENGTH(sep) : 0;
    int ascii = sep == NULL || PyUnicode_IS_ASCII(sep);
    for (Py_ssize_t i = 0; ascii && i < n; i++) {
        if (!PyUnicode_Check(parts[i]) || !PyUnicode_IS_ASCII(parts[i]))
            ascii = 0;
        else
            total += PyUnicode_GET_LENGTH(parts[i]) + (i > 0 ? gap : 0);
    }
    if (!ascii) {
        PyObject *all = PyTuple_New(n);
        if (all == NULL)
            return NULL;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_INCREF(parts[i]);
            PyTuple_SET_ITEM(all, i, parts[i]);
        }
        PyObject *r = PyUnicode_Join(sep != NULL ? sep : s_empty, all);
        Py_DECREF(all);
        return r;
    }
    PyObject *r = PyUnicode_New(total, 127);
    if (r == NULL)
        return NULL;
    char *out = (char *)PyUnicode_DATA(r);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i > 0 && gap > 0) {
            memcpy(out, PyUnicode_DATA(sep), (size_t)gap);
            out += gap;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(parts[i]);
        memcpy(out, PyUnicode_DATA(parts[i]), (size_t)len);
        out += len;
    }
    return r;
}

/* a + b + c (any of them may be NULL for ""): a new str. */
static PyObject *concat3(PyObject *a, PyObject *b, PyObject *c)
{
    PyObject *parts = PyTuple_Pack(3, a ? a : s_empty, b ? b : s_empty, c ? c : s_empty);
    if (parts == NULL)
        return NULL;
    PyObject *r = PyUnicode_Join(s_empty, parts);
    Py_DECREF(parts);
    return r;
}

/* text[lo:hi] contains "0x": 1, 0, or -1 with an error. */
static int has_0x(PyObject *text, Py_ssize_t lo, Py_ssize_t hi)
{
    if (hi - lo < 2)
        return 0;
    Py_ssize_t at = PyUnicode_Find(text, s_0x, lo, hi, 1);
    return at == -2 ? -1 : at >= 0;
}

static int is_hex_digit(Py_UCS4 c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
** _stable_own(text, value) of the recorder: the object's own address in its
** repr replaced by its stand-in at once, anything else through _stable.
** `text` is an exact str.
*/
static PyObject *stable_own(PyObject *text, PyObject *value)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int any = has_0x(text, 0, n);
    if (any <= 0) {
        if (any < 0)
            return NULL;
        Py_INCREF(text);
        return text;
    }
    char buf[32];
    int len = snprintf(buf, sizeof buf, "0x%lx", (unsigned long)(uintptr_t)value);   /* "%#x" % id(value) */
    PyObject *address = PyUnicode_FromStringAndSize(buf, len);
    if (address == NULL)
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t at = PyUnicode_Find(text, address, 0, n, 1);
    if (at == -2)
        goto done;
    if (at >= 0 && len >= 8 && len <= 18) {
        Py_ssize_t end = at + len;
        int in_head = has_0x(text, 0, at), in_tail;
        if (in_head < 0 || (in_tail = has_0x(text, end, n)) < 0)
            goto done;
        if (!in_head && !in_tail && (end == n || len == 18 || !is_hex_digit(PyUnicode_READ_CHAR(text, end)))) {
            PyObject *stand_in = PyDict_GetItemWithError(addresses, address);     /* borrowed */
            if (stand_in != NULL && PyObject_IsTrue(stand_in) == 1)
                Py_INCREF(stand_in);
            else if (PyErr_Occurred() || (stand_in = call1(py_stand_in, address)) == NULL)
                goto done;
            PyObject *head = PyUnicode_Substring(text, 0, at);
            PyObject *tail = head ? PyUnicode_Substring(text, end, n) : NULL;
            if (tail != NULL)
                result = concat3(head, stand_in, tail);
            Py_XDECREF(head);
            Py_XDECREF(tail);
            Py_DECREF(stand_in);
            goto done;
        }
    }
    result = call1(py_stable, text);
done:
    Py_DECREF(address);
    return result;
}

/* The JSON string "<unprintable TYPE>" for a value whose repr raised. */
static PyObject *unprintable(PyTypeObject *kind)
{
    PyObject *name = PyObject_GetAttr((PyObject *)kind, s_name);
    if (name == NULL)
        return NULL;
    PyObject *text = PyUnicode_FromFormat("<unprintable %S>", name);
    Py_DECREF(name);
    if (text == NULL)
        return NULL;
    PyObject *r = call1(py_esc, text);
    Py_DECREF(text);
    return r;
}

/* value[:k] are the very objects in `items` (a list or tuple of k). */
static int same_items(PyObject *value, PyObject *items, Py_ssize_t k)
{
    PyObject **a = PySequence_Fast_ITEMS(value), **b = PySequence_Fast_ITEMS(items);
    for (Py_ssize_t i = 0; i < k; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static int is_short_container(PyTypeObject *kind)
{
    return kind == &PyList_Type || kind == &PyTuple_Type || kind == &PySet_Type ||
           kind == &PyFrozenSet_Type || kind == &PyDict_Type;
}

/*
** _local_json(value) of the recorder: a local's value as the JSON string
** `vars` holds. A new reference, or NULL with an error (only one that is not
** an Exception, as the Python lets through: KeyboardInterrupt, say).
*/
static PyObject *local_json(PyObject *value)
{
    PyTypeObject *kind = Py_TYPE(value);
    int sequence = kind == &PyList_Type || kind == &PyTuple_Type;
    PyObject *id = NULL, *text = NULL, *done = NULL;
    if (sequence) {
        if ((id = PyLong_FromVoidPtr(value)) == NULL)
            return NULL;
        PyObject *seen = PyDict_GetItemWithError(plain_json, id);      /* borrowed */
        if (seen == NULL && PyErr_Occurred())
            goto fail;
        if (seen != NULL && PyTuple_CheckExact(seen) && PyTuple_GET_SIZE(seen) == 3) {
            PyObject *items = PyTuple_GET_ITEM(seen, 0), *more = PyTuple_GET_ITEM(seen, 1);
            if (PyList_CheckExact(items) || PyTuple_CheckExact(items)) {
                Py_ssize_t n = Py_SIZE(value), k = PySequence_Fast_GET_SIZE(items);
                if (n >= k && (more == Py_True || more == Py_False) && (n > k) == (more == Py_True) &&
                    same_items(value, items, k)) {
                    Py_DECREF(id);
                    done = PyTuple_GET_ITEM(seen, 2);
                    Py_INCREF(done);
                    return done;
                }
            }
        }
    }
    if (kind == &PyUnicode_Type || is_short_container(kind))
        text = call2(py_bounded_repr, value, plain_budget);
    else
        text = PyObject_Repr(value);
    if (text == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_Exception))
            goto fail;
        PyErr_Clear();
        Py_XDECREF(id);
        return unprintable(kind);
    }
    done = PyDict_GetItemWithError(json_seen, text);      /* borrowed */
    if (done != NULL)
        Py_INCREF(done);
    else if (PyErr_Occurred())
        goto fail;
    else {
        PyObject *stable = PyUnicode_CheckExact(text) ? stable_own(text, value) : call2(py_stable_own, text, value);
        if (stable == NULL)
            goto fail;
        if (!PyUnicode_Check(stable)) {
            Py_DECREF(stable);
            PyErr_SetString(PyExc_TypeError, "_stable returned a non-string");
            goto fail;
        }
        if (PyUnicode_GET_LENGTH(stable) > repr_limit) {
            PyObject *head = PyUnicode_Substring(stable, 0, repr_limit - 1);
            Py_DECREF(stable);
            if (head == NULL)
                goto fail;
            stable = PyUnicode_Concat(head, s_ellipsis);
            Py_DECREF(head);
            if (stable == NULL)
                goto fail;
        }
        done = call1(py_esc, stable);
        Py_DECREF(stable);
        if (done == NULL)
            goto fail;
        if (PyDict_GET_SIZE(json_seen) >= json_seen_limit)
            PyDict_Clear(json_seen);
        if (PyDict_SetItem(json_seen, text, done) < 0)
            goto fail;
    }
    if (sequence) {
        PyObject *key = PyTuple_Pack(2, id, plain_budget);
        if (key == NULL)
            goto fail;
        PyObject *plain = PyDict_GetItemWithError(plain_seen, key);       /* borrowed */
        Py_DECREF(key);
        if (plain == NULL && PyErr_Occurred())
            goto fail;
        if (plain != NULL && PyTuple_CheckExact(plain) && PyTuple_GET_SIZE(plain) == 3 &&
            PyTuple_GET_ITEM(plain, 2) == text) {
            if (PyDict_GET_SIZE(plain_json) >= plain_seen_limit)
                PyDict_Clear(plain_json);
            PyObject *entry = PyTuple_Pack(3, PyTuple_GET_ITEM(plain, 0), PyTuple_GET_ITEM(plain, 1), done);
            if (entry == NULL || PyDict_SetItem(plain_json, id, entry) < 0) {
                Py_XDECREF(entry);
                goto fail;
            }
            Py_DECREF(entry);
        }
    }
    Py_XDECREF(id);
    Py_DECREF(text);
    return done;
fail:
    Py_XDECREF(id);
    Py_XDECREF(text);
    Py_XDECREF(done);
    return NULL;
}

/* One local's entry, '"name":"text"'. A new reference or NULL. */
static PyObject *var_text(PyObject *name, PyObject *value)
{
    PyObject *key = PyDict_GetItemWithError(var_json, name);      /* borrowed */
    if (key != NULL && PyObject_IsTrue(key) == 1)
        Py_INCREF(key);
    else if (PyErr_Occurred() || (key = call1(py_var_key, name)) == NULL)
        return NULL;
    PyTypeObject *kind = Py_TYPE(value);
    PyObject *r = NULL;
    int plain = kind == &PyBool_Type || kind == &PyFloat_Type || value == Py_None;
    if (kind == &PyLong_Type) {
        int overflow;
        (void)PyLong_AsLongLongAndOverflow(value, &overflow);
        if (overflow == 0)
            plain = 1;
        else {
            int lo = PyObject_RichCompareBool(neg_big_int, value, Py_LT);
            int hi = lo == 1 ? PyObject_RichCompareBool(value, big_int, Py_LT) : lo;
            if (hi < 0)
                goto done;
            plain = hi == 1;
        }
    }
    if (plain) {
        /* repr is short, plain ASCII and without an address */
        PyObject *text = PyObject_Repr(value);
        if (text != NULL) {
            PyObject *parts[4] = {key, s_quote, text, s_quote};
            r = join(NULL, parts, 4);
            Py_DECREF(text);
        }
        goto done;
    }
    if (kind != &PyLong_Type) {
        /* The Python asks value.__class__, which an object may answer as it
        ** likes, and looks it up in dicts, where a metaclass could make it
        ** equal to another type: both left to the Python. */
        PyObject *claimed = PyObject_GetAttr(value, s_class);
        if (claimed == NULL)
            goto done;
        if (claimed != (PyObject *)kind || Py_TYPE(kind)->tp_hash != PyType_Type.tp_hash ||
            Py_TYPE(kind)->tp_richcompare != PyType_Type.tp_richcompare) {
            r = PyObject_CallFunctionObjArgs(py_var_text, key, value, claimed, NULL);
            Py_DECREF(claimed);
            goto done;
        }
        Py_DECREF(claimed);
    }
    PyObject *json = local_json(value);
    if (json != NULL) {
        PyObject *parts[2] = {key, json};
        r = PyUnicode_Check(json) ? join(NULL, parts, 2) : PyUnicode_Concat(key, json);
        Py_DECREF(json);
    }
done:
    Py_DECREF(key);
    return r;
}

/*
** locals_of(frame, line=None): _locals_of of the recorder, the same text.
** Reading f_locals fills the frame's own dict; it is emptied again when
** nobody else holds it (the Python's sys.getrefcount(values) <= 3 is two
** references here: the frame's and ours).
*/
static PyObject *locals_of(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "locals_of(frame, line=None)");
        return NULL;
    }
    PyObject *frame = args[0], *line = nargs > 1 ? args[1] : Py_None;
    PyObject *code = PyObject_GetAttr(frame, s_f_code);
    if (code == NULL)
        return NULL;
    PyObject *values = NULL, *shown = NULL, *result = NULL, *head;
    PyObject *code_id = PyLong_FromVoidPtr(code);
    if (code_id == NULL)
        goto done;
    PyObject *entry = PyDict_GetItemWithError(fn_json, code_id);      /* borrowed */
    if (entry == NULL && PyErr_Occurred())
        goto done;
    if (entry == NULL || !PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 2 ||
        PyTuple_GET_ITEM(entry, 0) != code) {
        PyObject *qual = call1(py_qualname, code);
        PyObject *esc = qual ? call1(py_esc, qual) : NULL;
        PyObject *text = esc ? PyUnicode_FromFormat("{\"fn\":%U,\"line\":", esc) : NULL;
        Py_XDECREF(qual);
        Py_XDECREF(esc);
        entry = text ? PyTuple_Pack(2, code, text) : NULL;
        Py_XDECREF(text);
        if (entry == NULL)
            goto done;
        int bad = PyDict_SetItem(fn_json, code_id, entry);
        Py_DECREF(entry);           /* the dict holds it */
        if (bad < 0)
            goto done;
    }
    head = PyTuple_GET_ITEM(entry, 1);
    Py_INCREF(head);
    values = PyObject_GetAttr(frame, s_f_locals);
    if (values == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_Exception) || (PyErr_Clear(), values = PyDict_New()) == NULL) {
            Py_DECREF(head);
            goto done;
        }
    }
    if (!PyDict_CheckExact(values)) {
        Py_DECREF(head);
        result = PyObject_CallFunctionObjArgs(py_locals_of, frame, line, NULL);
        goto done;
    }
    /* for name, value in values.items() (or islice of it): the dict's
    ** iterator's checks, in the same places. */
    Py_ssize_t size = PyDict_GET_SIZE(values), left = size, pos = 0;
    int sliced = size > locals_limit;
    Py_ssize_t take = sliced ? locals_limit : size;
    if ((shown = PyList_New(0)) == NULL) {
        Py_DECREF(head);
        goto done;
    }
    for (Py_ssize_t i = 0; i <= take; i++) {
        if (i == take && sliced)
            break;                  /* islice stops without asking for more */
        if (PyDict_GET_SIZE(values) != size) {
            PyErr_SetString(PyExc_RuntimeError, "dictionary changed size during iteration");
            break;
        }
        PyObject *name, *value;
        if (!PyDict_Next(values, &pos, &name, &value))
            break;
        if (left-- == 0) {
            PyErr_SetString(PyExc_RuntimeError, "dictionary keys changed during iteration");
            break;
        }
        Py_INCREF(name);
        Py_INCREF(value);
        PyObject *text = var_text(name, value);
        Py_DECREF(name);
        Py_DECREF(value);
        if (text == NULL || PyList_Append(shown, text) < 0) {
            Py_XDECREF(text);
            break;
        }
        Py_DECREF(text);
    }
    if (PyErr_Occurred()) {
        Py_DECREF(head);
        goto done;
    }
    Py_ssize_t more = PyDict_GET_SIZE(values) - locals_limit;
    if (Py_REFCNT(values) <= 2) {
        PyObject *tracing = PyObject_CallNoArgs(py_gettrace);
        if (tracing == NULL) {
            Py_DECREF(head);
            goto done;
        }
        Py_DECREF(tracing);
        if (tracing == Py_None)
            PyDict_Clear(values);
    }
    PyObject *lineno;
    if (line == Py_None)
        lineno = PyObject_GetAttr(frame, s_f_lineno);
    else {
        lineno = line;
        Py_INCREF(lineno);
    }
    if (lineno != NULL) {
        int truth = PyObject_IsTrue(lineno);
        if (truth == 0) {
            Py_DECREF(lineno);
            lineno = PyLong_FromLong(1);
        } else if (truth < 0)
            Py_CLEAR(lineno);
    }
    PyObject *joined = lineno ? join(s_comma, PySequence_Fast_ITEMS(shown), PyList_GET_SIZE(shown)) : NULL;
    if (joined != NULL) {
        if (more > 0)
            result = PyUnicode_FromFormat("%U%S,\"vars\":{%U},\"more\":%zd}", head,
                                          lineno, joined, more);
        else {
            PyObject *line_text = PyObject_Format(lineno, s_empty);
            if (line_text != NULL) {
                PyObject *parts[5] = {head, line_text, s_vars_open, joined, s_vars_close};
                result = join(NULL, parts, 5);
                Py_DECREF(line_text);
            }
        }
        Py_DECREF(joined);
    }
    Py_XDECREF(lineno);
    Py_DECREF(head);
done:
    Py_XDECREF(shown);
    Py_XDECREF(values);
    Py_XDECREF(code_id);
    Py_DECREF(code);
    return result;
}

#if CO_FRAME_WALK
/* The frame `depth` above the running one, as sys._getframe(depth) finds it
** (frames still starting up skipped), or NULL when the stack is shorter. */
static _PyInterpreterFrame *frame_up(_PyInterpreterFrame *frame, int depth)
{
    while (frame != NULL && depth > 0) {
        frame = frame->previous;
        if (frame != NULL && !_PyFrame_IsIncomplete(frame))
            depth--;
    }
    return frame;
}

/* f_back of `frame`, as PyFrame_GetBack finds it on a live stack. */
static _PyInterpreterFrame *frame_back(_PyInterpreterFrame *frame)
{
    _PyInterpreterFrame *prev = frame->previous;
    while (prev != NULL && _PyFrame_IsIncomplete(prev))
        prev = prev->previous;
    return prev;
}
#endif

static PyObject *passed_over;          /* ids of codes a stack walk passes over */
static PyObject *s_pending_new, *s_deferred, *s_step_task, *s_loop_thread, *s_flush_new;
static PyObject *s_flush_deferred, *s_rec_frames, *s_rec_watch, *s_rec_top, *s_sync, *s_f_back;
static PyObject *s_f_trace, *py_getframe;
/* (and for suspended, below) */
static PyObject *code_kinds, *py_code_kind, *py_future, *py_suspension_label, *py_scalar, *py_computed;
static PyObject *s_active, *s_rec_id, *s_fut_waiter, *s_rec_agen, *s_coro, *s_cr_frame, *s_cr_await;
static PyObject *s_gi_frame, *s_gi_yieldfrom, *s_ag_frame, *s_ag_await, *s_suspensions, *s_f_lasti;
static PyObject *s_suspended_at, *s_id_of, *s_labels, *s_rec_h, *s_rec_src, *s_fallback_src;
static PyObject *s_with_locals, *s_emit_body, *s_getattr, *s_getattribute, *s_locals_open, *s_locals_close;
static PyObject *kw_frames;       /* ("frames",) */
static PyObject *s_pending, *s_seq, *s_seq_limit, *s_sources, *s_batch_limit, *s_emit_locked, *s_append;
static PyObject *s_write_pending, *s_out_of_memory;
static PyObject *s_step_end_task, *s_await_fut, *s_on, *s_src, *s_yield_h;
static Py_ssize_t k_library, k_coroutine, k_agen;

/* Codes found in _passed_over, by address: the set only grows, and each
** code in it is kept alive (_codes_known), so an address found there once
** stays there and means the same code. (Emptied should the set shrink.) */
#define PASSED_SLOTS 256
static PyObject *passed_seen[PASSED_SLOTS];
static Py_ssize_t passed_size;      /* the set's size when a slot was last filled */

/* id(code) in _passed_over: 1, 0, or -1 with an error. */
static int passed(PyObject *code)
{
    size_t slot = ((uintptr_t)code >> 4) % PASSED_SLOTS;
    Py_ssize_t size = PySet_GET_SIZE(passed_over);
    if (size < passed_size) {
        memset(passed_seen, 0, sizeof passed_seen);
        passed_size = 0;
    }
    if (passed_seen[slot] == code)
        return 1;
    PyObject *id = PyLong_FromVoidPtr(code);
    if (id == NULL)
        return -1;
    int in = PySet_Contains(passed_over, id);
    Py_DECREF(id);
    if (in == 1) {
        passed_seen[slot] = code;
        passed_size = size;
    }
    return in;
}

/* Attribute `name` of `obj` is true: 1, 0, or -1 with an error. */
static int attr_true(PyObject *obj, PyObject *name)
{
    PyObject *v = PyObject_GetAttr(obj, name);
    if (v == NULL)
        return -1;
    int truth = PyObject_IsTrue(v);
    Py_DECREF(v);
    return truth;
}

/*
** The trace function of the first frame from `depth` up that the walk does
** not pass over, as a new reference (None for a frame without one); NULL
** with *found 0 when the stack ends first; NULL with an error. */
static PyObject *probe_trace(int depth, int *found)
{
    *found = 0;
#if CO_FRAME_WALK
    _PyInterpreterFrame *frame = frame_up(PyThreadState_Get()->cframe->current_frame, depth);
    if (frame == NULL) {
        /* sys._getframe's own error */
        PyObject *r = PyObject_CallFunction(py_getframe, "i", depth);
        Py_XDECREF(r);
        return NULL;
    }
    for (;;) {
        int in = passed((PyObject *)frame->f_code);
        if (in < 0)
            return NULL;
        if (!in)
            break;
        frame = frame_back(frame);
        if (frame == NULL)
            return NULL;
    }
    *found = 1;
    PyObject *trace = frame->frame_obj != NULL && frame->frame_obj->f_trace != NULL ?
                      frame->frame_obj->f_trace : Py_None;
    Py_INCREF(trace);
    return trace;
#else
    PyObject *probe = PyObject_CallFunction(py_getframe, "i", depth);
    while (probe != NULL && probe != Py_None) {
        PyObject *code = PyObject_GetAttr(probe, s_f_code);
        int in = code ? passed(code) : -1;
        Py_XDECREF(code);
        if (in < 0) {
            Py_DECREF(probe);
            return NULL;
        }
        if (!in) {
            *found = 1;
            PyObject *trace = PyObject_GetAttr(probe, s_f_trace);
            Py_DECREF(probe);
            return trace;
        }
        Py_SETREF(probe, PyObject_GetAttr(probe, s_f_back));
    }
    Py_XDECREF(probe);
    return NULL;
#endif
}

/* The Recorder type whose instances' own __dict__ catch_up and suspended read: none of
** the attributes it reads is its class's (so none is a descriptor that
** GetAttr would ask first); checked once per type. */
static PyTypeObject *rec_type_checked;
static int rec_type_plain;

/* rec.NAME as GetAttr finds it, read from the instance's __dict__ when its
** type was seen to leave these names to it. A new reference or NULL. */
static PyObject *rec_attr(PyObject *dict, PyObject *rec, PyObject *name)
{
    if (dict != NULL) {
        PyObject *v = PyDict_GetItemWithError(dict, name);      /* borrowed */
        if (v != NULL) {
            Py_INCREF(v);
            return v;
        }
        if (PyErr_Occurred())
            return NULL;
    }
    return PyObject_GetAttr(rec, name);
}

/* The __dict__ of `rec` when catch_up may read its attributes there (a new
** reference), else NULL (no error): GetAttr is used. */
static PyObject *rec_dict(PyObject *rec)
{
    PyTypeObject *kind = Py_TYPE(rec);
    if (kind != rec_type_checked) {
        PyObject *names[] = {s_pending_new, s_deferred, s_step_task, s_loop_thread, s_active,
                             s_suspensions, s_labels, s_with_locals, s_pending, s_seq, s_seq_limit,
                             s_sources, s_batch_limit};
        int plain = kind->tp_getattro == PyObject_GenericGetAttr;
        for (size_t i = 0; plain && i < sizeof names / sizeof names[0]; i++) {
            int has = PyObject_HasAttr((PyObject *)kind, names[i]);
            plain = has == 0;
        }
        PyErr_Clear();
        Py_INCREF(kind);
        Py_XSETREF(rec_type_checked, kind);
        rec_type_plain = plain;
    }
    if (!rec_type_plain)
        return NULL;
    PyObject *dict = PyObject_GenericGetDict(rec, NULL);
    if (dict == NULL || !PyDict_CheckExact(dict)) {
        PyErr_Clear();
        Py_XDECREF(dict);
        return NULL;
    }
    return dict;
}

/* rec.loop_thread == threading.get_ident(): 1, 0, or -1 with an error.
** The int last compared is remembered with its value, unconverted. */
static PyObject *thread_seen;
static unsigned long thread_value;

static int on_loop_thread(PyObject *thread)
{
    unsigned long me = PyThread_get_thread_ident();
    if (thread != thread_seen) {
        if (!PyLong_CheckExact(thread)) {
            PyObject *mine = PyLong_FromUnsignedLong(me);
            if (mine == NULL)
                return -1;
            int same = PyObject_RichCompareBool(mine, thread, Py_EQ);
            Py_DECREF(mine);
            return same;
        }
        unsigned long value = PyLong_AsUnsignedLong(thread);
        if (value == (unsigned long)-1 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;           /* negative or too big: no thread's ident */
        }
        Py_INCREF(thread);
        Py_XSETREF(thread_seen, thread);
        thread_value = value;
    }
    return thread_value == me;
}

/*
** catch_up(rec, depth): what Recorder.emit_body does before an event, the
** same calls in the same order: a task_new held back and deferred warnings
** written, then -- a task running, on the loop's thread -- the program's
** frame that made the event found `depth` frames up and past the ones
** passed over; unless it is the innermost coroutine frame seen last (and no
** watcher waits, nothing traces), rec.sync(task, sys._getframe(depth)).
*/
static int catch_up_in(PyObject *rec, PyObject *dict, int depth)
{
    PyObject *result = NULL, *task = NULL, *thread = NULL, *trace = NULL, *old = NULL, *last = NULL;
    PyObject *v = rec_attr(dict, rec, s_pending_new);
    if (v == NULL)
        goto done;
    int held = v != Py_None;
    Py_DECREF(v);
    if (held) {
        if ((v = PyObject_CallMethodNoArgs(rec, s_flush_new)) == NULL)
            goto done;
        Py_DECREF(v);
    }
    if ((v = rec_attr(dict, rec, s_deferred)) == NULL)
        goto done;
    int truth = PyObject_IsTrue(v);
    Py_DECREF(v);
    if (truth < 0)
        goto done;
    if (truth) {
        if ((v = PyObject_CallMethodNoArgs(rec, s_flush_deferred)) == NULL)
            goto done;
        Py_DECREF(v);
    }
    if ((task = rec_attr(dict, rec, s_step_task)) == NULL)
        goto done;
    if (task == Py_None) {
        result = Py_None;
        goto done;
    }
    if ((thread = rec_attr(dict, rec, s_loop_thread)) == NULL)
        goto done;
    int same = on_loop_thread(thread);
    if (same <= 0) {
        if (same == 0)
            result = Py_None;
        goto done;
    }
    int found;
    trace = probe_trace(depth, &found);      /* (called from emit_body: its frame is the running one) */
    if (trace == NULL && PyErr_Occurred())
        goto done;
    if ((old = PyObject_GetAttr(task, s_rec_frames)) == NULL)
        goto done;
    int resync = !found;
    if (!resync) {
        resync = attr_true(task, s_rec_watch);
        if (resync < 0)
            goto done;
    }
    if (!resync) {
#if CO_FRAME_WALK
        resync = PyThreadState_Get()->c_traceobj != NULL;
#else
        PyObject *tracing = PySys_GetObject("gettrace");
        tracing = tracing ? PyObject_CallNoArgs(tracing) : NULL;
        if (tracing == NULL)
            goto done;
        resync = tracing != Py_None;
        Py_DECREF(tracing);
#endif
    }
    if (!resync) {
        if (PyList_CheckExact(old) && PyList_GET_SIZE(old) > 0) {
            last = PyList_GET_ITEM(old, PyList_GET_SIZE(old) - 1);      /* old[-1] */
            Py_INCREF(last);
        } else {
            int some = PyList_CheckExact(old) ? 0 : PyObject_IsTrue(old);
            if (some < 0)
                goto done;
            last = some ? PySequence_GetItem(old, -1) : PyObject_GetAttr(task, s_rec_top);
            if (last == NULL)
                goto done;
        }
        resync = trace != last;
    }
    if (resync) {
        PyObject *start = PyObject_CallFunction(py_getframe, "i", depth);
        if (start == NULL)
            goto done;
        PyObject *r = PyObject_CallMethodObjArgs(rec, s_sync, task, start, NULL);
        Py_DECREF(start);
        if (r == NULL)
            goto done;
        Py_DECREF(r);
    }
    result = Py_None;
done:
    Py_XDECREF(last);
    Py_XDECREF(old);
    Py_XDECREF(trace);
    Py_XDECREF(thread);
    Py_XDECREF(task);
    return result == NULL ? -1 : 0;
}

static PyObject *catch_up(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 2 || !PyLong_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "catch_up(rec, depth)");
        return NULL;
    }
    PyObject *rec = args[0];
    int depth = (int)PyLong_AsLong(args[1]);
    if (depth == -1 && PyErr_Occurred())
        return NULL;
    PyObject *dict = rec_dict(rec);
    int r = catch_up_in(rec, dict, depth);
    Py_XDECREF(dict);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* rec.NAME(arg), or rec.NAME() when arg is NULL: 0, or -1 with an error. */
static int call_method(PyObject *rec, PyObject *name, PyObject *arg)
{
    PyObject *r = arg ? PyObject_CallMethodOneArg(rec, name, arg) : PyObject_CallMethodNoArgs(rec, name);
    if (r != NULL) {
        Py_DECREF(r);
        return 0;
    }
    return -1;
}

/* After a failure: a MemoryError goes to rec._out_of_memory(), as
** emit_body's `except MemoryError` sends it; 0, or -1 with an error. */
static int out_of_memory(PyObject *rec)
{
    if (!PyErr_ExceptionMatches(PyExc_MemoryError))
        return -1;
    PyErr_Clear();
    return call_method(rec, s_out_of_memory, NULL);
}

/*
** Recorder.emit_body in C (mirroring Recorder._emit_body_py), installed as
** the Recorder's own method (method()): it runs with no frame of its own,
** so the frame `depth` up from emit_body's is depth - 1 up from the running
** one (its caller's). The catch-up (catch_up_in), then the body appended
** to rec.pending -- or, at the event limit or with a source to embed
** first, written under the lock by rec._emit_locked.
*/
static PyObject *emit_body(PyObject *rec, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *given[3] = {NULL, Py_True, NULL};
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nargs < 1 - nkw || nargs > 3) {
        PyErr_SetString(PyExc_TypeError, "emit_body(body, catch_up=True, depth=2)");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        given[i] = args[i];
    for (Py_ssize_t i = 0; i < nkw; i++) {
        const char *name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(kwnames, i));
        int at = name == NULL ? -1 : !strcmp(name, "body") ? 0 : !strcmp(name, "catch_up") ? 1 :
                 !strcmp(name, "depth") ? 2 : -1;
        if (at < 0 || at < nargs) {
            if (name != NULL)
                PyErr_Format(PyExc_TypeError, "emit_body() got an unexpected or repeated argument '%s'", name);
            return NULL;
        }
        given[at] = args[nargs + i];
    }
    if (given[0] == NULL) {
        PyErr_SetString(PyExc_TypeError, "emit_body() missing its body");
        return NULL;
    }
    PyObject *body = given[0];
    int depth = 2;
    if (given[2] != NULL) {
        long d = PyLong_AsLong(given[2]);
        if (d == -1 && PyErr_Occurred())
            return NULL;
        depth = (int)d;
    }
    PyObject *dict = rec_dict(rec);
    PyObject *result = NULL, *pending = NULL, *seq = NULL, *limit = NULL, *v = NULL;
    if ((v = rec_attr(dict, rec, s_active)) == NULL)
        goto done;
    int truth = PyObject_IsTrue(v);
    Py_CLEAR(v);
    if (truth <= 0) {
        if (truth == 0)
            result = Py_None;
        goto done;
    }
    if ((truth = PyObject_IsTrue(given[1])) < 0 || (truth && catch_up_in(rec, dict, depth - 1) < 0))
        goto done;
    if ((pending = rec_attr(dict, rec, s_pending)) == NULL || (seq = rec_attr(dict, rec, s_seq)) == NULL)
        goto done;
    Py_ssize_t n = PyObject_Size(pending);
    if (n < 0)
        goto done;
    int locked = -1;
    if ((limit = rec_attr(dict, rec, s_seq_limit)) == NULL)
        goto done;
    /* self.seq + len(pending) >= self.seq_limit: in C for ints and an
    ** infinite limit (no limit), else as Python does it */
    int overflow = 1;
    long long at = PyLong_CheckExact(seq) ? PyLong_AsLongLongAndOverflow(seq, &overflow) : 0;
    if (overflow == 0 && at >= 0 && at < ((long long)1 << 60) && PyFloat_CheckExact(limit) &&
        Py_IS_INFINITY(PyFloat_AS_DOUBLE(limit)))
        locked = PyFloat_AS_DOUBLE(limit) < 0;
    else if (overflow == 0 && at >= 0 && at < ((long long)1 << 60) && PyLong_CheckExact(limit)) {
        long long most = PyLong_AsLongLongAndOverflow(limit, &overflow);
        if (overflow == 0)
            locked = at + n >= most;
        else if (!PyErr_Occurred())
            locked = overflow < 0;
    }
    if (locked < 0) {
        if (PyErr_Occurred())
            goto done;
        PyObject *count = PyLong_FromSsize_t(n);
        v = count ? PyNumber_Add(seq, count) : NULL;
        Py_XDECREF(count);
        if (v == NULL || (locked = PyObject_RichCompareBool(v, limit, Py_GE)) < 0)
            goto done;
        Py_CLEAR(v);
    }
    if (!locked) {
        PyObject *sources = rec_attr(dict, rec, s_sources);
        if (sources == NULL)
            goto done;
        if (sources != Py_None) {
            v = PyObject_GetAttr(sources, s_pending);
            locked = v == NULL ? -1 : PyObject_IsTrue(v);
            Py_CLEAR(v);
        }
        Py_DECREF(sources);
        if (locked < 0)
            goto done;
    }
    if (locked) {
        if (call_method(rec, s_emit_locked, body) == 0)
            result = Py_None;
        goto done;
    }
    /* One append, whole or not at all (see the Python). */
    int failed;
    if (PyList_CheckExact(pending))
        failed = PyList_Append(pending, body);
    else {
        v = PyObject_CallMethodOneArg(pending, s_append, body);
        failed = v == NULL ? -1 : 0;
        Py_CLEAR(v);
    }
    if (!failed) {
        n = PyObject_Size(pending);
        PyObject *batch = n < 0 ? NULL : rec_attr(dict, rec, s_batch_limit);
        int full = -1;
        if (batch != NULL && PyLong_CheckExact(batch)) {       /* len(pending) >= self.batch_limit */
            long long most = PyLong_AsLongLongAndOverflow(batch, &overflow);
            if (overflow == 0 && most != -1)
                full = n >= most;
            else if (overflow != 0)
                full = overflow < 0;
        }
        if (batch != NULL && full < 0 && !PyErr_Occurred()) {
            PyObject *size = PyLong_FromSsize_t(n);
            full = size == NULL ? -1 : PyObject_RichCompareBool(size, batch, Py_GE);
            Py_XDECREF(size);
        }
        Py_XDECREF(batch);
        failed = full < 0 ? -1 : full ? call_method(rec, s_write_pending, NULL) : 0;
    }
    if (failed && out_of_memory(rec) < 0)
        goto done;
    result = Py_None;
done:
    Py_XINCREF(result);
    Py_XDECREF(v);
    Py_XDECREF(limit);
    Py_XDECREF(seq);
    Py_XDECREF(pending);
    Py_XDECREF(dict);
    return result;
}

static PyMethodDef emit_body_def = {
    "emit_body", (PyCFunction)(void (*)(void))emit_body, METH_FASTCALL | METH_KEYWORDS,
    "emit_body(body, catch_up=True, depth=2): Recorder._emit_body_py, in C.",
};

/* method(Recorder): emit_body above as a method of the class (a method
** descriptor, as a C type's own methods are). */
static PyObject *method(PyObject *self, PyObject *kind)
{
    (void)self;
    if (!PyType_Check(kind)) {
        PyErr_SetString(PyExc_TypeError, "method(Recorder)");
        return NULL;
    }
    return PyDescr_NewMethod((PyTypeObject *)kind, &emit_body_def);
}

/*
** Task._rec_suspended in C (suspended): a suspension's step_end, at every
** await of every task. The await chain is read as _suspended_stack reads
** it, the line and src found in Recorder.suspended_at's cache, the locals
** by locals_of above; whatever is not the common case calls the Python
** that does it (rec.sync, _computed, rec.suspended_at on a miss, rec.id_of,
** _suspension_label, _scalar, rec.emit_body).
*/

/* Kinds of codes by address (_code_kinds only grows, its codes kept
** alive): _code_kinds.get(id(code)), else _code_kind(code). */
#define KIND_SLOTS 256
static struct { PyObject *code; long kind; } kind_seen[KIND_SLOTS];
static Py_ssize_t kinds_size;

static int code_kind(PyObject *code, long *kind)
{
    size_t slot = ((uintptr_t)code >> 4) % KIND_SLOTS;
    Py_ssize_t size = PyDict_GET_SIZE(code_kinds);
    if (size < kinds_size) {
        memset(kind_seen, 0, sizeof kind_seen);
        kinds_size = 0;
    }
    if (kind_seen[slot].code == code) {
        *kind = kind_seen[slot].kind;
        return 0;
    }
    PyObject *id = PyLong_FromVoidPtr(code);
    if (id == NULL)
        return -1;
    PyObject *v = PyDict_GetItemWithError(code_kinds, id);      /* borrowed */
    Py_DECREF(id);
    int known = v != NULL;
    if (known)
        Py_INCREF(v);
    else if (PyErr_Occurred() || (v = call1(py_code_kind, code)) == NULL)
        return -1;
    *kind = PyLong_AsLong(v);
    Py_DECREF(v);
    if (*kind == -1 && PyErr_Occurred())
        return -1;
    if (known) {
        kind_seen[slot].code = code;
        kind_seen[slot].kind = *kind;
        kinds_size = size;
    }
    return 0;
}

/* What the await chain walk knows of an immutable type (a built-in one:
** coroutine, generator, _asyncio.FutureIter ...): whether its instances'
** __class__ is the type itself (attributes looked up the usual way, no class
** in its MRO but object defining __class__), and -- that true, and no
** instance dict -- which of the chain's six attributes its instances have
** at all (the others: getattr's default at once, no AttributeError made). */
enum { A_CR_FRAME = 1, A_GI_FRAME = 2, A_AG_FRAME = 4, A_CR_AWAIT = 8, A_GI_YIELDFROM = 16, A_AG_AWAIT = 32,
       A_ALL = 63 };
#define TYPE_SLOTS 16
typedef struct {
    PyTypeObject *type;
    int class_plain;
    int has;            /* A_ bits; A_ALL when not known */
} TypeInfo;
static TypeInfo types_seen[TYPE_SLOTS];

/* `name` is in the dict of a class in kind's MRO other than object's: 1;
** 0; 1 too when that cannot be told. */
static int defines(PyTypeObject *kind, PyObject *name)
{
    PyObject *mro = kind->tp_mro;
    if (mro == NULL || !PyTuple_Check(mro))
        return 1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(mro); i++) {
        PyTypeObject *base = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        if (base == &PyBaseObject_Type)
            continue;
        PyObject *dict = base->tp_dict;
        if (dict == NULL || !PyDict_Check(dict))
            return 1;
        int in = PyDict_Contains(dict, name);
        if (in != 0) {
            PyErr_Clear();
            return 1;
        }
    }
    return 0;
}

static TypeInfo type_info(PyTypeObject *kind)
{
    TypeInfo info = {kind, 0, A_ALL};
    if (!PyType_HasFeature(kind, Py_TPFLAGS_IMMUTABLETYPE))
        return info;            /* (a class may change: asked each time) */
    size_t i;
    for (i = 0; i < TYPE_SLOTS && types_seen[i].type != NULL; i++)
        if (types_seen[i].type == kind)
            return types_seen[i];
    info.class_plain = kind->tp_getattro == PyObject_GenericGetAttr && !defines(kind, s_class);
    if (info.class_plain && kind->tp_dictoffset == 0 && !PyType_HasFeature(kind, Py_TPFLAGS_MANAGED_DICT)) {
        PyObject *names[] = {s_cr_frame, s_gi_frame, s_ag_frame, s_cr_await, s_gi_yieldfrom, s_ag_await};
        info.has = 0;
        for (int k = 0; k < 6; k++)
            if (defines(kind, names[k]))
                info.has |= 1 << k;
    }
    if (i < TYPE_SLOTS) {
        Py_INCREF(kind);        /* (kept: its address means it) */
        types_seen[i] = info;
    }
    return info;
}

/* getattr(obj, name, None): a new reference, or NULL with an error. */
static PyObject *opt_attr(PyObject *obj, PyObject *name, int bit, int has)
{
    if (!(has & bit))
        Py_RETURN_NONE;
    PyObject *v = PyObject_GetAttr(obj, name);
    if (v == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return v;
}

/* getattr(obj, a, None) or getattr(obj, b, None) or getattr(obj, c, None):
** the names and bits of the three from `first` on. */
static PyObject *first_of(PyObject *obj, int first, int has)
{
    PyObject *names[] = {s_cr_frame, s_gi_frame, s_ag_frame, s_cr_await, s_gi_yieldfrom, s_ag_await};
    for (int i = first;; i++) {
        PyObject *v = opt_attr(obj, names[i], 1 << i, has);
        if (v == NULL || i == first + 2)
            return v;
        int truth = PyObject_IsTrue(v);
        if (truth != 0) {
            if (truth > 0)
                return v;
            Py_DECREF(v);
            return NULL;
        }
        Py_DECREF(v);
    }
}

#define STACK_MAX 200           /* _suspended_stack's range(200) */
typedef struct {
    int n;
    PyObject *frame[STACK_MAX];     /* new references */
    long kind[STACK_MAX];
} Stack;

static void stack_clear(Stack *stack)
{
    for (int i = 0; i < stack->n; i++)
        Py_DECREF(stack->frame[i]);
    stack->n = 0;
}

/* _suspended_stack(coro) of the recorder: the frames of the await chain
** from `coro`, outermost first, with their code's kind. 0, or -1 with an
** error (the frames read so far in `stack`). */
static int suspended_stack(PyObject *coro, Stack *stack)
{
    PyObject *obj = coro, *frame = NULL, *following = NULL;
    int result = -1;
    Py_INCREF(obj);
    stack->n = 0;
    for (int round = 0; round < STACK_MAX; round++) {
        TypeInfo info = type_info(Py_TYPE(obj));
        PyObject *kind = info.class_plain ? (PyObject *)Py_TYPE(obj) : PyObject_GetAttr(obj, s_class);
        if (kind == NULL)
            goto done;
        if (!info.class_plain)
            Py_DECREF(kind);        /* (compared by identity only, below) */
        if (kind == (PyObject *)&PyCoro_Type) {
            if ((frame = PyObject_GetAttr(obj, s_cr_frame)) == NULL ||
                (following = PyObject_GetAttr(obj, s_cr_await)) == NULL)
                goto done;
        } else if (kind == py_future) {
            break;                  /* a future: the chain's end */
        } else {
            int has = info.class_plain ? info.has : A_ALL;
            if ((frame = first_of(obj, 0, has)) == NULL)
                goto done;
            if (frame == Py_None)
                break;              /* a future: the chain's end */
            if ((following = first_of(obj, 3, has)) == NULL)
                goto done;
        }
        if (frame == Py_None)
            break;
        PyObject *code = PyFrame_Check(frame) ? (PyObject *)PyFrame_GetCode((PyFrameObject *)frame)
                                              : PyObject_GetAttr(frame, s_f_code);
        if (code == NULL)
            goto done;
        long code_is;
        int bad = code_kind(code, &code_is);
        Py_DECREF(code);
        if (bad)
            goto done;
        stack->frame[stack->n] = frame;
        stack->kind[stack->n++] = code_is;
        frame = NULL;
        if (following == Py_None)
            break;
        Py_SETREF(obj, following);
        following = NULL;
    }
    result = 0;
done:
    Py_XDECREF(frame);
    Py_XDECREF(following);
    Py_DECREF(obj);
    return result;
}

/* Recorder.suspended_at(frame)'s (line, src) from its cache, else from the
** method itself. New references in *line and *src; -1 with an error. */
static int suspended_at(PyObject *rec, PyObject *dict, PyObject *frame, PyObject **line, PyObject **src)
{
    PyObject *found = NULL, *known = NULL, *lasti = NULL;
    PyObject *suspensions = rec_attr(dict, rec, s_suspensions);
    if (suspensions == NULL)
        return -1;
    PyObject *code = PyFrame_Check(frame) ? (PyObject *)PyFrame_GetCode((PyFrameObject *)frame) : NULL;
    if (code != NULL && PyDict_CheckExact(suspensions)) {
        PyObject *id = PyLong_FromVoidPtr(code);
        known = id ? PyDict_GetItemWithError(suspensions, id) : NULL;      /* borrowed */
        Py_XDECREF(id);
        if (known == NULL && PyErr_Occurred())
            goto fail;
        if (known != NULL && PyTuple_CheckExact(known) && PyTuple_GET_SIZE(known) == 2 &&
            PyTuple_GET_ITEM(known, 0) == code && PyDict_CheckExact(PyTuple_GET_ITEM(known, 1))) {
            if ((lasti = PyObject_GetAttr(frame, s_f_lasti)) == NULL)
                goto fail;
            found = PyDict_GetItemWithError(PyTuple_GET_ITEM(known, 1), lasti);     /* borrowed */
            if (found == NULL && PyErr_Occurred())
                goto fail;
            Py_XINCREF(found);
        }
    }
    if (found == NULL && (found = PyObject_CallMethodOneArg(rec, s_suspended_at, frame)) == NULL)
        goto fail;
    if (!PyTuple_CheckExact(found) || PyTuple_GET_SIZE(found) != 2) {
        PyErr_SetString(PyExc_TypeError, "suspended_at: not a (line, src) pair");
        goto fail;
    }
    *line = PyTuple_GET_ITEM(found, 0);
    *src = PyTuple_GET_ITEM(found, 1);
    Py_INCREF(*line);
    Py_INCREF(*src);
    Py_DECREF(found);
    Py_XDECREF(lasti);
    Py_XDECREF(code);
    Py_DECREF(suspensions);
    return 0;
fail:
    Py_XDECREF(found);
    Py_XDECREF(lasti);
    Py_XDECREF(code);
    Py_DECREF(suspensions);
    return -1;
}

/* A new list of the stack's frames. */
static PyObject *frame_list(Stack *stack)
{
    PyObject *list = PyList_New(stack->n);
    for (int i = 0; list != NULL && i < stack->n; i++) {
        Py_INCREF(stack->frame[i]);
        PyList_SET_ITEM(list, i, stack->frame[i]);
    }
    return list;
}

/* Part of a body, as an f-string's {x} writes it: format(x, ''). */
static PyObject *formatted(PyObject *x)
{
    return PyObject_Format(x, s_empty);
}

/* rec.step_task = None, whatever happened before (the Python's finally). */
static int step_task_none(PyObject *rec, int failed)
{
    PyObject *type, *value, *tb;
    if (failed)
        PyErr_Fetch(&type, &value, &tb);
    int r = PyObject_SetAttr(rec, s_step_task, Py_None);
    if (failed) {
        if (r == 0)
            PyErr_Restore(type, value, tb);
        else {
            Py_XDECREF(type);
            Py_XDECREF(value);
            Py_XDECREF(tb);
        }
    }
    return failed || r < 0 ? -1 : 0;
}

/* suspended(task, rec): Task._rec_suspended_py of the recorder, the same
** calls in the same order and the same step_end. */
static PyObject *suspended(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "suspended(task, rec)");
        return NULL;
    }
    PyObject *task = args[0], *rec = args[1];
    PyObject *dict = rec_dict(rec);
    PyObject *result = NULL, *task_id = NULL, *waiter = NULL, *root = NULL, *frames = NULL;
    PyObject *line = NULL, *src = NULL, *body = NULL, *v;
    Stack stack;
    stack.n = 0;
    if ((v = rec_attr(dict, rec, s_active)) == NULL)
        goto done;
    int truth = PyObject_IsTrue(v);
    Py_DECREF(v);
    if (truth <= 0) {
        if (truth == 0)
            result = Py_None;
        goto done;
    }
    if ((task_id = PyObject_GetAttr(task, s_rec_id)) == NULL ||
        (waiter = PyObject_GetAttr(task, s_fut_waiter)) == NULL ||
        (root = PyObject_GetAttr(task, s_rec_agen)) == NULL)
        goto done;
    if (root == Py_None) {
        Py_DECREF(root);
        if ((root = PyObject_GetAttr(task, s_coro)) == NULL)
            goto done;
    }
    if (suspended_stack(root, &stack) < 0)
        goto done;
    /* One pass: the program's coroutine frames below the task's own (for
    ** sync), those whose locals are shown, where it suspended. */
    int shown[STACK_MAX], n_shown = 0, where = -1;
    if ((frames = PyList_New(0)) == NULL)
        goto done;
    for (int i = 0; i < stack.n; i++) {
        long kind = stack.kind[i];
        if (kind != k_library) {
            where = i;
            if (kind == k_coroutine) {
                shown[n_shown++] = i;
                if (i > 0 && PyList_Append(frames, stack.frame[i]) < 0)
                    goto done;
            } else if (kind == k_agen)
                shown[n_shown++] = i;
        }
    }
    if (where < 0 && stack.n > 0)
        where = stack.n - 1;
    if (PyObject_SetAttr(rec, s_step_task, task) < 0)
        goto done;
    int some = PyList_GET_SIZE(frames) > 0;
    if (!some && (some = attr_true(task, s_rec_frames)) == 0)
        some = attr_true(task, s_rec_watch);
    if (some > 0) {
        PyObject *call[3] = {rec, task, frames};
        v = PyObject_VectorcallMethod(s_sync, call, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, kw_frames);
        if (v == NULL)
            some = -1;
        Py_XDECREF(v);
    }
    if (some >= 0) {
        v = call2(py_computed, rec, task);
        some = v == NULL ? -1 : 0;
        Py_XDECREF(v);
    }
    if (step_task_none(rec, some < 0) < 0)
        goto done;
    if (where >= 0) {
        if (suspended_at(rec, dict, stack.frame[where], &line, &src) < 0)
            goto done;
    } else {
        PyObject *named = PyObject_GetAttr(task, s_rec_src);
        if (named == NULL)
            goto done;
        truth = PyObject_IsTrue(named);
        if (truth == 0)
            Py_SETREF(named, PyObject_CallMethodNoArgs(rec, s_fallback_src));
        else if (truth < 0)
            Py_CLEAR(named);
        if (named == NULL)
            goto done;
        src = call1(py_esc, named);
        Py_DECREF(named);
        if (src == NULL)
            goto done;
    }
    PyObject *id_text = formatted(task_id), *src_text = id_text ? formatted(src) : NULL;
    if (src_text == NULL) {
        Py_XDECREF(id_text);
        goto done;
    }
    if (waiter != Py_None) {
        PyObject *fut_id = PyObject_CallMethodOneArg(rec, s_id_of, waiter), *label = NULL, *labels = NULL;
        PyObject *on = NULL, *fut_text = NULL;
        if (fut_id != NULL && (labels = rec_attr(dict, rec, s_labels)) != NULL) {
            if (PyDict_CheckExact(labels)) {
                label = PyDict_GetItemWithError(labels, fut_id);        /* borrowed */
                Py_XINCREF(label);
                if (label == NULL && !PyErr_Occurred()) {
                    label = Py_None;
                    Py_INCREF(label);
                }
            } else
                label = PyObject_CallMethod(labels, "get", "O", fut_id);
        }
        if (label == Py_None) {
            PyObject *all = frame_list(&stack);
            Py_SETREF(label, all ? call2(py_suspension_label, waiter, all) : NULL);
            Py_XDECREF(all);
        }
        if (label != NULL)
            on = PyUnicode_CheckExact(label) ? call1(py_esc, label) : call1(py_scalar, label);
        if (on != NULL && (fut_text = formatted(fut_id)) != NULL) {
            PyObject *parts[8] = {s_step_end_task, id_text, s_await_fut, fut_text, s_on, on, s_src, src_text};
            body = join(NULL, parts, 8);
        }
        Py_XDECREF(fut_text);
        Py_XDECREF(on);
        Py_XDECREF(label);
        Py_XDECREF(labels);
        Py_XDECREF(fut_id);
    } else {
        PyObject *h = PyObject_GetAttr(task, s_rec_h), *h_text = NULL;
        if (h != NULL && (h_text = h == Py_None ? PyUnicode_FromString("null") : formatted(h)) != NULL) {
            PyObject *parts[6] = {s_step_end_task, id_text, s_yield_h, h_text, s_src, src_text};
            body = join(NULL, parts, 6);
        }
        Py_XDECREF(h_text);
        Py_XDECREF(h);
    }
    Py_DECREF(id_text);
    Py_DECREF(src_text);
    if (body == NULL)
        goto done;
    if ((v = rec_attr(dict, rec, s_with_locals)) == NULL)
        goto done;
    truth = PyObject_IsTrue(v);
    Py_DECREF(v);
    if (truth < 0)
        goto done;
    if (truth) {
        PyObject *texts = PyList_New(n_shown);
        if (texts == NULL)
            goto done;
        for (int i = 0; i < n_shown; i++) {
            PyObject *call[2] = {stack.frame[shown[i]], shown[i] == where ? line : Py_None};
            PyObject *text = locals_of(NULL, call, 2);
            if (text == NULL) {
                Py_DECREF(texts);
                goto done;
            }
            PyList_SET_ITEM(texts, i, text);
        }
        PyObject *joined = join(s_comma, PySequence_Fast_ITEMS(texts), n_shown);
        Py_DECREF(texts);
        if (joined == NULL)
            goto done;
        PyObject *parts[4] = {body, s_locals_open, joined, s_locals_close};
        Py_SETREF(body, join(NULL, parts, 4));
        Py_DECREF(joined);
        if (body == NULL)
            goto done;
    }
    if ((v = PyObject_CallMethodOneArg(rec, s_emit_body, body)) == NULL)
        goto done;
    Py_DECREF(v);
    result = Py_None;
done:
    Py_XINCREF(result);
    stack_clear(&stack);
    Py_XDECREF(body);
    Py_XDECREF(src);
    Py_XDECREF(line);
    Py_XDECREF(frames);
    Py_XDECREF(root);
    Py_XDECREF(waiter);
    Py_XDECREF(task_id);
    Py_XDECREF(dict);
    return result;
}

/*
** walk_agrees(frame): the walk above finds, from the running frame up, the
** very frames f_back finds from `frame` (the caller's own frame): the
** recorder's check, at load, that this build's idea of the interpreter's
** frames is the running interpreter's.
*/
static PyObject *walk_agrees(PyObject *self, PyObject *frame)
{
    (void)self;
#if CO_FRAME_WALK
    _PyInterpreterFrame *f = PyThreadState_Get()->cframe->current_frame;
    Py_INCREF(frame);
    while (frame != Py_None) {
        if (f == NULL || f->frame_obj != (PyFrameObject *)frame) {
            Py_DECREF(frame);
            Py_RETURN_FALSE;
        }
        Py_SETREF(frame, PyObject_GetAttr(frame, s_f_back));
        if (frame == NULL)
            return NULL;
        f = frame_back(f);
    }
    Py_DECREF(frame);
    return PyBool_FromLong(f == NULL);
#else
    (void)frame;
    Py_RETURN_TRUE;
#endif
}

/* What setup() and setup_suspended() take from the recorder's globals. */
typedef struct {
    PyObject **slot;
    const char *name;
} Global;

/* Each names[i].slot set to a new reference to globals[name]: 0, or -1
** with an error (`ns` not a dict, or a name missing). */
static int take_globals(PyObject *ns, const Global *names, size_t n)
{
    if (!PyDict_Check(ns)) {
        PyErr_SetString(PyExc_TypeError, "_coroscope_speedups: setup(globals of the recorder)");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        PyObject *v = global(ns, names[i].name);
        if (v == NULL)
            return -1;
        Py_XSETREF(*names[i].slot, v);
    }
    return 0;
}

static PyObject *setup(PyObject *self, PyObject *ns)
{
    (void)self;
    static const Global names[] = {
        {&fn_json, "_fn_json"}, {&var_json, "_var_json"}, {&json_seen, "_json_seen"},
        {&plain_json, "_plain_json"}, {&plain_seen, "_plain_seen"}, {&addresses, "_addresses"},
        {&py_qualname, "_qualname"}, {&py_var_key, "_var_key"}, {&py_bounded_repr, "_bounded_repr"},
        {&py_stable, "_stable"}, {&py_stable_own, "_stable_own"}, {&py_stand_in, "_stand_in"},
        {&py_esc, "_esc"}, {&py_var_text, "_var_text"}, {&py_locals_of, "_locals_of_py"},
        {&py_gettrace, "_gettrace"}, {&big_int, "_BIG_INT"}, {&neg_big_int, "_NEG_BIG_INT"},
        {&plain_budget, "_PLAIN_BUDGET"}, {&passed_over, "_passed_over"}, {&py_getframe, "_getframe"},
    };
    if (take_globals(ns, names, sizeof names / sizeof names[0]) < 0)
        return NULL;
    PyObject *dicts[] = {fn_json, var_json, json_seen, plain_json, plain_seen, addresses};
    for (size_t i = 0; i < sizeof dicts / sizeof dicts[0]; i++)
        if (!PyDict_CheckExact(dicts[i])) {
            PyErr_SetString(PyExc_TypeError, "_coroscope_speedups.setup: a cache is not a dict");
            return NULL;
        }
    if (!PySet_CheckExact(passed_over)) {
        PyErr_SetString(PyExc_TypeError, "_coroscope_speedups.setup: _passed_over is not a set");
        return NULL;
    }
    if (!PyLong_CheckExact(big_int) || !PyLong_CheckExact(neg_big_int) || !PyLong_CheckExact(plain_budget)) {
        PyErr_SetString(PyExc_TypeError, "_coroscope_speedups.setup: a limit is not an int");
        return NULL;
    }
    if (global_size(ns, "REPR_LIMIT", &repr_limit) < 0 || global_size(ns, "LOCALS_LIMIT", &locals_limit) < 0 ||
        global_size(ns, "_JSON_SEEN_LIMIT", &json_seen_limit) < 0 ||
        global_size(ns, "_PLAIN_SEEN_LIMIT", &plain_seen_limit) < 0)
        return NULL;
    if (repr_limit < 1) {
        PyErr_SetString(PyExc_ValueError, "_coroscope_speedups.setup: REPR_LIMIT < 1");
        return NULL;
    }
    Py_RETURN_NONE;
}

/* setup_suspended(globals): what suspended takes from the recorder, once
** its Task and Future are defined. */
static PyObject *setup_suspended(PyObject *self, PyObject *ns)
{
    (void)self;
    static const Global names[] = {
        {&code_kinds, "_code_kinds"}, {&py_code_kind, "_code_kind"}, {&py_future, "Future"},
        {&py_suspension_label, "_suspension_label"}, {&py_scalar, "_scalar"}, {&py_computed, "_computed"},
    };
    if (take_globals(ns, names, sizeof names / sizeof names[0]) < 0)
        return NULL;
    if (!PyDict_CheckExact(code_kinds)) {
        PyErr_SetString(PyExc_TypeError, "_coroscope_speedups.setup_suspended: _code_kinds is not a dict");
        return NULL;
    }
    if (global_size(ns, "_K_LIBRARY", &k_library) < 0 || global_size(ns, "_K_COROUTINE", &k_coroutine) < 0 ||
        global_size(ns, "_K_AGEN", &k_agen) < 0)
        return NULL;
    if (kw_frames == NULL && (kw_frames = Py_BuildValue("(s)", "frames")) == NULL)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"setup", setup, METH_O, "setup(globals): the recorder's caches and functions, once."},
    {"locals_of", (PyCFunction)(void (*)(void))locals_of, METH_FASTCALL,
     "locals_of(frame, line=None): the recorder's _locals_of, in C."},
    {"catch_up", (PyCFunction)(void (*)(void))catch_up, METH_FASTCALL,
     "catch_up(rec, depth): Recorder.emit_body's catch-up before an event, in C."},
    {"setup_suspended", setup_suspended, METH_O,
     "setup_suspended(globals): what suspended needs, once Task and Future are defined."},
    {"suspended", (PyCFunction)(void (*)(void))suspended, METH_FASTCALL,
     "suspended(task, rec): Task._rec_suspended_py of the recorder, in C."},
    {"method", method, METH_O, "method(Recorder): Recorder._emit_body_py in C, as a method of the class."},
    {"walk_agrees", walk_agrees, METH_O,
     "walk_agrees(sys._getframe()): the C stack walk finds the frames f_back does."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_coroscope_speedups",
    "The CPython recorder's hottest functions in C (runtime/recorder/speedups.c).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__coroscope_speedups(void);

PyMODINIT_FUNC PyInit__coroscope_speedups(void)
{
    struct { PyObject **slot; const char *text; } strings[] = {
        {&s_0x, "0x"}, {&s_quote, "\""}, {&s_comma, ","}, {&s_empty, ""},
        {&s_f_code, "f_code"}, {&s_f_locals, "f_locals"}, {&s_f_lineno, "f_lineno"},
        {&s_class, "__class__"}, {&s_name, "__name__"}, {&s_vars_open, ",\"vars\":{"},
        {&s_vars_close, "}}"}, {&s_pending_new, "pending_new"}, {&s_deferred, "deferred"},
        {&s_step_task, "step_task"}, {&s_loop_thread, "loop_thread"}, {&s_flush_new, "_flush_new"},
        {&s_flush_deferred, "_flush_deferred"}, {&s_rec_frames, "_rec_frames"},
        {&s_rec_watch, "_rec_watch"}, {&s_rec_top, "_rec_top"}, {&s_sync, "sync"},
        {&s_f_back, "f_back"}, {&s_f_trace, "f_trace"}, {&s_active, "active"}, {&s_rec_id, "_rec_id"},
        {&s_fut_waiter, "_fut_waiter"}, {&s_rec_agen, "_rec_agen"}, {&s_coro, "_coro"},
        {&s_cr_frame, "cr_frame"}, {&s_cr_await, "cr_await"}, {&s_gi_frame, "gi_frame"},
        {&s_gi_yieldfrom, "gi_yieldfrom"}, {&s_ag_frame, "ag_frame"}, {&s_ag_await, "ag_await"},
        {&s_suspensions, "suspensions"}, {&s_f_lasti, "f_lasti"}, {&s_suspended_at, "suspended_at"},
        {&s_id_of, "id_of"}, {&s_labels, "labels"}, {&s_rec_h, "_rec_h"}, {&s_rec_src, "_rec_src"},
        {&s_fallback_src, "fallback_src"}, {&s_with_locals, "with_locals"}, {&s_emit_body, "emit_body"},
        {&s_getattr, "__getattr__"}, {&s_getattribute, "__getattribute__"},
        {&s_locals_open, ",\"locals\":["}, {&s_locals_close, "]"}, {&s_pending, "pending"},
        {&s_seq, "seq"}, {&s_seq_limit, "seq_limit"}, {&s_sources, "sources"}, {&s_batch_limit, "batch_limit"},
        {&s_emit_locked, "_emit_locked"}, {&s_append, "append"}, {&s_write_pending, "_write_pending"},
        {&s_out_of_memory, "_out_of_memory"}, {&s_step_end_task, "\"ev\":\"step_end\",\"task\":"},
        {&s_await_fut, ",\"reason\":\"await\",\"fut\":"}, {&s_on, ",\"on\":"}, {&s_src, ",\"src\":"},
        {&s_yield_h, ",\"reason\":\"yield\",\"h\":"},
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (*strings[i].slot == NULL && (*strings[i].slot = PyUnicode_InternFromString(strings[i].text)) == NULL)
            return NULL;
    if (s_ellipsis == NULL && (s_ellipsis = PyUnicode_FromOrdinal(0x2026)) == NULL)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && (PyModule_AddIntConstant(m, "BUILT_FOR", PY_VERSION_HEX) < 0 ||
                      PyModule_AddIntConstant(m, "FRAME_WALK", CO_FRAME_WALK) < 0))
        Py_CLEAR(m);
    return m;
}
