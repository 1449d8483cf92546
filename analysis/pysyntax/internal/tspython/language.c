// A copy of the Python language of github.com/smacker/go-tree-sitter/python
// with the external scanner of scanner.c (the 16-bit indentation fix). The
// parse tables are the original's; only the scanner's functions differ.

#include "parser.h"

const TSLanguage *tree_sitter_python(void);

void *pw_python_scanner_create(void);
void pw_python_scanner_destroy(void *payload);
bool pw_python_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols);
unsigned pw_python_scanner_serialize(void *payload, char *buffer);
void pw_python_scanner_deserialize(void *payload, const char *buffer, unsigned length);

static TSLanguage pw_python;

const TSLanguage *pw_python_language(void) {
    if (pw_python.version == 0) {
        pw_python = *tree_sitter_python();
        pw_python.external_scanner.create = pw_python_scanner_create;
        pw_python.external_scanner.destroy = pw_python_scanner_destroy;
        pw_python.external_scanner.scan = pw_python_scanner_scan;
        pw_python.external_scanner.serialize = pw_python_scanner_serialize;
        pw_python.external_scanner.deserialize = pw_python_scanner_deserialize;
    }
    return &pw_python;
}
