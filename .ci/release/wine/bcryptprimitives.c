/* Debian 12's Wine 8.0 has no bcryptprimitives.dll (Windows 8 and later,
 * and Wine 9, do), and Go's Windows runtime (1.24+) stops at start without
 * its ProcessPrng. For the release check only, this stand-in forwards
 * ProcessPrng to RtlGenRandom (advapi32's SystemFunction036), which Wine 8
 * has; it is installed into the check's own Wine prefix, never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) {
      return FALSE;
    }
    data += n;
    len -= n;
  }
  return TRUE;
}
