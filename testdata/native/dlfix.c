/* dlfix: a CPython extension module exercising what the dynamic linker must
 * get right: pointers in static data (data relocations), function pointers
 * in a method table, mutable static state, a function and data of a needed
 * library, and a main-module function pointer that must equal the main
 * module's own (its table slot, not a copy). */
#include "pyabi.h"

extern int helper_scale(int);
extern int helper_base;
extern const char *helper_greeting;

/* Not static, so that the compiler cannot fold them away: each stays a
 * pointer in static data that __wasm_apply_data_relocs must fill. */
const char *names[] = {"alpha", "beta", "gamma"};
int counter;
int *counter_ptr = &counter;
int (*scale_fn)(int) = helper_scale;
getattrofunc generic_getattr = PyObject_GenericGetAttr;

static PyObject *name_at(PyObject *self, PyObject *arg) {
    long i = PyLong_AsLong(arg);
    return PyUnicode_FromString(i >= 0 && i < 3 ? names[i] : "");
}

static PyObject *bump(PyObject *self, PyObject *unused) {
    return PyLong_FromLong(++*counter_ptr);
}

static PyObject *scale(PyObject *self, PyObject *arg) {
    return PyLong_FromLong(scale_fn(PyLong_AsLong(arg)));
}

static PyObject *set_base(PyObject *self, PyObject *arg) {
    helper_base = PyLong_AsLong(arg);
    return PyLong_FromLong(helper_base);
}

static PyObject *greeting(PyObject *self, PyObject *unused) {
    return PyUnicode_FromString(helper_greeting);
}

static PyObject *shares_main_pointers(PyObject *self, PyObject *unused) {
    return PyBool_FromLong(PyBaseObject_Type.tp_getattro == generic_getattr);
}

static PyMethodDef methods[] = {
    {"name_at", name_at, METH_O, "names[i], from pointers in static data"},
    {"bump", bump, METH_NOARGS, "increments a static counter"},
    {"scale", scale, METH_O, "libdlhelper's helper_scale through a function pointer"},
    {"set_base", set_base, METH_O, "writes libdlhelper's helper_base"},
    {"greeting", greeting, METH_NOARGS, "libdlhelper's helper_greeting"},
    {"shares_main_pointers", shares_main_pointers, METH_NOARGS,
     "object.tp_getattro == PyObject_GenericGetAttr as seen from here"},
    {0, 0, 0, 0},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "dlfix", "dynamic linking test module", -1, methods};

PyMODINIT_FUNC PyInit_dlfix(void) { return PyModule_Create2(&module, PYTHON_API_VERSION); }
