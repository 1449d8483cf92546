/* dlctorfail: its constructor traps; importing it must raise an ImportError
 * (every time: a failed load does not count as loaded). */
#include "pyabi.h"

__attribute__((constructor)) static void boom(void) { __builtin_trap(); }

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "dlctorfail", 0, -1, 0};

PyMODINIT_FUNC PyInit_dlctorfail(void) { return PyModule_Create2(&module, PYTHON_API_VERSION); }
