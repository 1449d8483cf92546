/* dlmissing: imports a function neither the interpreter nor any library
 * defines; importing it must raise an ImportError that names the symbol. */
#include "pyabi.h"

extern long pyworkers_no_such_function(long);

static PyObject *call(PyObject *self, PyObject *arg) {
    return PyLong_FromLong(pyworkers_no_such_function(PyLong_AsLong(arg)));
}

static PyMethodDef methods[] = {{"call", call, METH_O, 0}, {0, 0, 0, 0}};
static PyModuleDef module = {PyModuleDef_HEAD_INIT, "dlmissing", 0, -1, methods};

PyMODINIT_FUNC PyInit_dlmissing(void) { return PyModule_Create2(&module, PYTHON_API_VERSION); }
