/* libdlhelper.so: a shared library that dlfix names in its dylink.0 NEEDED
 * list and finds through its RPATH ($ORIGIN/dlfix.libs). It exports a
 * function, a mutable datum and a pointer in static data. */
#define API __attribute__((visibility("default")))

API int helper_base = 40;
API const char *helper_greeting = "hello from libdlhelper";

API int helper_scale(int x) { return x * 3 + helper_base; }
