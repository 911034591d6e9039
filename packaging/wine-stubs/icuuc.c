/* Build-only stand-in for Windows' icuuc.dll, for wine 8 (which lacks it).
 *
 * Qt6Core.dll (PySide6 wheels) imports these ICU converter functions from the
 * system ICU that Windows 10 1903+ ships. Every converter here is "unavailable":
 * ucnv_open fails, so Qt falls back to its own UTF-8/UTF-16/Latin-1 codecs.
 * Installed into wine's system32 only, never shipped: PyInstaller treats it as a
 * system DLL. Signatures follow ICU's ucnv.h / ucnv_cb.h.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -o icuuc.dll icuuc.c
 */
#include <stddef.h>
#include <stdint.h>

#define EXPORT __declspec(dllexport)
typedef int UErrorCode;          /* > 0 means failure */
typedef uint16_t UChar;
typedef int8_t UBool;
typedef struct UConverter UConverter;
typedef void (*UConverterCallback)(void);
#define U_FILE_ACCESS_ERROR 4    /* "the requested file cannot be found" */
#define U_UNSUPPORTED_ERROR 16

static void fail(UErrorCode *err, UErrorCode code) {
    if (err != NULL && *err <= 0) *err = code;
}

EXPORT UConverter *ucnv_open(const char *name, UErrorCode *err) {
    (void)name; fail(err, U_FILE_ACCESS_ERROR); return NULL;
}
EXPORT void ucnv_close(UConverter *conv) { (void)conv; }
EXPORT void ucnv_reset(UConverter *conv) { (void)conv; }
EXPORT int8_t ucnv_getMaxCharSize(const UConverter *conv) { (void)conv; return 1; }
EXPORT const char *ucnv_getName(const UConverter *conv, UErrorCode *err) {
    (void)conv; fail(err, U_UNSUPPORTED_ERROR); return NULL;
}
EXPORT void ucnv_getToUCallBack(const UConverter *conv, UConverterCallback *action,
                                const void **context) {
    (void)conv; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_getFromUCallBack(const UConverter *conv, UConverterCallback *action,
                                  const void **context) {
    (void)conv; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_setToUCallBack(UConverter *conv, UConverterCallback action, const void *context,
                                UConverterCallback *old_action, const void **old_context,
                                UErrorCode *err) {
    (void)conv; (void)action; (void)context; (void)old_action; (void)old_context;
    fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT void ucnv_setFromUCallBack(UConverter *conv, UConverterCallback action,
                                  const void *context, UConverterCallback *old_action,
                                  const void **old_context, UErrorCode *err) {
    (void)conv; (void)action; (void)context; (void)old_action; (void)old_context;
    fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args,
                                            const UChar *units, int32_t length,
                                            int32_t code_point, int reason, UErrorCode *err) {
    (void)context; (void)args; (void)units; (void)length; (void)code_point; (void)reason;
    (void)err;
}
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units,
                                          int32_t length, int reason, UErrorCode *err) {
    (void)context; (void)args; (void)units; (void)length; (void)reason; (void)err;
}
EXPORT void ucnv_cbToUWriteUChars(void *args, const UChar *source, int32_t length,
                                  int32_t offset_index, UErrorCode *err) {
    (void)args; (void)source; (void)length; (void)offset_index; fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT void ucnv_cbFromUWriteUChars(void *args, const UChar **source, const UChar *source_limit,
                                    int32_t offset_index, UErrorCode *err) {
    (void)args; (void)source; (void)source_limit; (void)offset_index;
    fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT void ucnv_toUnicode(UConverter *conv, UChar **target, const UChar *target_limit,
                           const char **source, const char *source_limit, int32_t *offsets,
                           UBool flush, UErrorCode *err) {
    (void)conv; (void)target; (void)target_limit; (void)source; (void)source_limit;
    (void)offsets; (void)flush; fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT void ucnv_fromUnicode(UConverter *conv, char **target, const char *target_limit,
                             const UChar **source, const UChar *source_limit, int32_t *offsets,
                             UBool flush, UErrorCode *err) {
    (void)conv; (void)target; (void)target_limit; (void)source; (void)source_limit;
    (void)offsets; (void)flush; fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT int32_t ucnv_toUCountPending(const UConverter *conv, UErrorCode *err) {
    (void)conv; (void)err; return 0;
}
EXPORT int32_t ucnv_fromUCountPending(const UConverter *conv, UErrorCode *err) {
    (void)conv; (void)err; return 0;
}
EXPORT const char *ucnv_getStandardName(const char *name, const char *standard,
                                        UErrorCode *err) {
    (void)name; (void)standard; fail(err, U_UNSUPPORTED_ERROR); return NULL;
}
EXPORT int32_t ucnv_countAvailable(void) { return 0; }
EXPORT const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
