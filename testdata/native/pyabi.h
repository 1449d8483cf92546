/* The slice of CPython 3.13's ABI the native test modules use, for wasm32
 * (Pyodide 0.28: Py_ssize_t and long are 32 bits, pointers are table or
 * memory indices). Declared here rather than taken from Python.h because no
 * wasm32-emscripten pyconfig.h is at hand; the layouts follow CPython's
 * Include/object.h, Include/moduleobject.h, Include/methodobject.h and
 * Include/cpython/object.h for 3.13. */
#ifndef PYABI_H
#define PYABI_H

typedef long Py_ssize_t;
typedef struct _typeobject PyTypeObject;
typedef struct _object {
    Py_ssize_t ob_refcnt;
    PyTypeObject *ob_type;
} PyObject;
typedef struct {
    PyObject ob_base;
    Py_ssize_t ob_size;
} PyVarObject;

typedef PyObject *(*PyCFunction)(PyObject *, PyObject *);
typedef PyObject *(*getattrofunc)(PyObject *, PyObject *);

/* The head of PyTypeObject, up to tp_getattro. */
struct _typeobject {
    PyVarObject ob_base;
    const char *tp_name;
    Py_ssize_t tp_basicsize, tp_itemsize;
    void *tp_dealloc;
    Py_ssize_t tp_vectorcall_offset;
    void *tp_getattr, *tp_setattr, *tp_as_async, *tp_repr;
    void *tp_as_number, *tp_as_sequence, *tp_as_mapping;
    void *tp_hash, *tp_call, *tp_str;
    getattrofunc tp_getattro;
};

typedef struct PyMethodDef {
    const char *ml_name;
    PyCFunction ml_meth;
    int ml_flags;
    const char *ml_doc;
} PyMethodDef;
#define METH_NOARGS 0x0004
#define METH_O 0x0008

typedef struct PyModuleDef_Base {
    PyObject ob_base;
    PyObject *(*m_init)(void);
    Py_ssize_t m_index;
    PyObject *m_copy;
} PyModuleDef_Base;
typedef struct PyModuleDef {
    PyModuleDef_Base m_base;
    const char *m_name;
    const char *m_doc;
    Py_ssize_t m_size;
    PyMethodDef *m_methods;
    void *m_slots, *m_traverse, *m_clear, *m_free;
} PyModuleDef;
/* PyObject_HEAD_INIT(NULL) with 3.13's immortal refcount on 32 bits. */
#define PyModuleDef_HEAD_INIT {{0x3fffffff, 0}, 0, 0, 0}
#define PYTHON_API_VERSION 1013

#define PyMODINIT_FUNC __attribute__((visibility("default"))) PyObject *

extern PyTypeObject PyBaseObject_Type;
PyObject *PyModule_Create2(PyModuleDef *, int apiver);
PyObject *PyLong_FromLong(long);
long PyLong_AsLong(PyObject *);
PyObject *PyUnicode_FromString(const char *);
PyObject *PyBool_FromLong(long);
PyObject *PyObject_GenericGetAttr(PyObject *, PyObject *);

#endif
