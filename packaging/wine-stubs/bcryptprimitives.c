/* Build-only stand-in for Windows' bcryptprimitives.dll, for wine 8 (which lacks it).
 *
 * cryptography's Rust code gets random bytes from ProcessPrng (Windows 10+). Here
 * it calls RtlGenRandom (advapi32!SystemFunction036), which wine implements.
 * Installed into wine's system32 only, never shipped.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);  /* RtlGenRandom */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
