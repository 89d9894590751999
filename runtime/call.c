/*
 * call.c -- ws_spawn_call: spawn an existing function of any (non-variadic)
 * C signature, described at run time, as a task.  Built on libffi and on the
 * public ws_spawn_ex only; nothing here touches the scheduler.
 *
 * The task's captures are one self-describing record:
 *
 *   call_header (fn, ret, ret type, nargs) | arg types, 1 byte each | values
 *
 * each value at its natural alignment from the start of the record.  The
 * record is built on the spawner's stack and handed to ws_spawn_ex, which
 * copies it (inline in the descriptor up to WS_INLINE_CAPTURE bytes, else
 * one malloc, else -- no memory -- it runs the call inline), so the caller's
 * arrays need not outlive the spawn and this file never allocates.  A
 * two-int call takes 28 bytes; eight 8-byte arguments fit in 96.
 *
 * An ffi_cif points at its argument-type array, which cannot travel inside
 * a record that ws_spawn_ex copies to an unknown address, so the trampoline
 * rebuilds the cif from the type bytes.  The spawn prepares it once too, so
 * that a signature libffi refuses is WS_EINVAL at the call site rather than a
 * silently skipped task.
 */
#include "ws.h"

#include <ffi.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

/* Only the fixed-width types travel in a record: the C-named ones (int,
 * long, size_t) are mapped to them at spawn.  1 + the last canonical type: */
#define CANON_END (WS_TYPE_POINTER + 1)

_Static_assert(WS_TYPE_VOID == 0 && WS_TYPE_INT == WS_TYPE_POINTER + 1,
               "canonical types are 0..WS_TYPE_POINTER (see ffi_types)");
_Static_assert(WS_CALL_MAX_ARGS <= UINT8_MAX, "nargs is stored in a byte");

/* Indexed by canonical ws_type.  These are libffi's static descriptors of
 * scalar types, read-only once built, so any thread may use them. */
static ffi_type *const ffi_types[CANON_END] = {
    [WS_TYPE_VOID] = &ffi_type_void,
    [WS_TYPE_INT8] = &ffi_type_sint8,
    [WS_TYPE_UINT8] = &ffi_type_uint8,
    [WS_TYPE_INT16] = &ffi_type_sint16,
    [WS_TYPE_UINT16] = &ffi_type_uint16,
    [WS_TYPE_INT32] = &ffi_type_sint32,
    [WS_TYPE_UINT32] = &ffi_type_uint32,
    [WS_TYPE_INT64] = &ffi_type_sint64,
    [WS_TYPE_UINT64] = &ffi_type_uint64,
    [WS_TYPE_FLOAT] = &ffi_type_float,
    [WS_TYPE_DOUBLE] = &ffi_type_double,
    [WS_TYPE_LONG_DOUBLE] = &ffi_type_longdouble,
    [WS_TYPE_POINTER] = &ffi_type_pointer,
};

#define SIGNED_OF(T)                                                           \
  (sizeof(T) == 1   ? WS_TYPE_INT8                                             \
   : sizeof(T) == 2 ? WS_TYPE_INT16                                            \
   : sizeof(T) == 4 ? WS_TYPE_INT32                                            \
                    : WS_TYPE_INT64)
#define UNSIGNED_OF(T) (SIGNED_OF(T) + 1) /* UINTn follows INTn */

/* The canonical type for `t`, or -1 if `t` is not a ws_type. */
static int canonical(int t) {
  switch (t) {
  case WS_TYPE_INT:
    return SIGNED_OF(int);
  case WS_TYPE_UINT:
    return UNSIGNED_OF(unsigned);
  case WS_TYPE_LONG:
    return SIGNED_OF(long);
  case WS_TYPE_ULONG:
    return UNSIGNED_OF(unsigned long);
  case WS_TYPE_SIZE:
    return UNSIGNED_OF(size_t);
  default:
    return t >= 0 && t < CANON_END ? t : -1;
  }
}

typedef struct call_header {
  ws_call_fn fn;
  void *ret;        /* NULL: the result is dropped */
  uint8_t ret_type; /* canonical */
  uint8_t nargs;
  uint8_t types[]; /* nargs canonical argument types, then the values */
} call_header;

/* The largest record: header, types, and every value at the largest size
 * and alignment (long double, 16 and 16 on x86-64). */
#define RECORD_MAX                                                             \
  (sizeof(call_header) + WS_CALL_MAX_ARGS + 16 + WS_CALL_MAX_ARGS * 16)
#define RECORD_ALIGN 16
_Static_assert(sizeof(long double) <= 16 && alignof(long double) <= 16 &&
                   alignof(call_header) <= RECORD_ALIGN,
               "RECORD_MAX and RECORD_ALIGN cover every value");

/* Places the values after the header and type bytes; fills offsets[] and
 * returns the record's size.  The spawner and the trampoline both call it,
 * on the same type bytes, so they agree on the layout. */
static size_t layout(int nargs, const uint8_t *types, size_t *offsets) {
  size_t at = offsetof(call_header, types) + (size_t)nargs;
  for (int i = 0; i < nargs; i++) {
    const ffi_type *ft = ffi_types[types[i]];
    size_t align = ft->alignment ? ft->alignment : 1;
    at = (at + align - 1) / align * align;
    offsets[i] = at;
    at += ft->size;
  }
  return at > sizeof(call_header) ? at : sizeof(call_header);
}

/* Writes a result in `ret_type`'s own width.  libffi widens integral results
 * narrower than ffi_arg to a whole ffi_arg; narrowing through the signed or
 * unsigned view is what makes this right on big-endian targets too.  memcpy
 * because nothing promises `ret` is aligned beyond its own type. */
static void store_result(int ret_type, void *ret, const void *rv_) {
  const union {
    ffi_arg a;
    ffi_sarg s;
    float f;
    double d;
    long double ld;
    void *p;
    uint64_t u64;
  } *rv = rv_;
#define STORE(T, expr)                                                         \
  do {                                                                         \
    T v_ = (T)(expr);                                                          \
    memcpy(ret, &v_, sizeof v_);                                               \
  } while (0)
  switch (ret_type) {
  case WS_TYPE_INT8:
    STORE(int8_t, rv->s);
    break;
  case WS_TYPE_UINT8:
    STORE(uint8_t, rv->a);
    break;
  case WS_TYPE_INT16:
    STORE(int16_t, rv->s);
    break;
  case WS_TYPE_UINT16:
    STORE(uint16_t, rv->a);
    break;
  case WS_TYPE_INT32:
    STORE(int32_t, rv->s);
    break;
  case WS_TYPE_UINT32:
    STORE(uint32_t, rv->a);
    break;
  case WS_TYPE_INT64: /* widened only where ffi_arg is 64 bits or more */
    STORE(int64_t, sizeof(ffi_arg) >= 8 ? (int64_t)rv->s : (int64_t)rv->u64);
    break;
  case WS_TYPE_UINT64:
    STORE(uint64_t, sizeof(ffi_arg) >= 8 ? (uint64_t)rv->a : rv->u64);
    break;
  case WS_TYPE_FLOAT:
    STORE(float, rv->f);
    break;
  case WS_TYPE_DOUBLE:
    STORE(double, rv->d);
    break;
  case WS_TYPE_LONG_DOUBLE:
    STORE(long double, rv->ld);
    break;
  case WS_TYPE_POINTER:
    STORE(void *,
          sizeof(void *) <= sizeof(ffi_arg) ? (void *)(uintptr_t)rv->a : rv->p);
    break;
  default: /* WS_TYPE_VOID */
    break;
  }
#undef STORE
}

/* Rebuilds the cif from an aligned record and makes the call. */
static void call_run(call_header *h) {
  int nargs = h->nargs;
  size_t offsets[WS_CALL_MAX_ARGS];
  ffi_type *atypes[WS_CALL_MAX_ARGS];
  void *avalues[WS_CALL_MAX_ARGS];
  layout(nargs, h->types, offsets);
  for (int i = 0; i < nargs; i++) {
    atypes[i] = ffi_types[h->types[i]];
    avalues[i] = (unsigned char *)h + offsets[i];
  }
  ffi_cif cif;
  /* The same preparation succeeded at spawn, on the same types. */
  if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, (unsigned)nargs,
                   ffi_types[h->ret_type], atypes) != FFI_OK)
    return;
  /* At least an ffi_arg, as libffi requires for narrow integral results. */
  union {
    ffi_arg a;
    ffi_sarg s;
    float f;
    double d;
    long double ld;
    void *p;
    uint64_t u64;
  } rv;
  memset(&rv, 0, sizeof rv);
  ffi_call(&cif, h->fn, &rv, avalues);
  if (h->ret)
    store_result(h->ret_type, h->ret, &rv);
}

/* A misaligned record: call from an aligned copy. */
static __attribute__((noinline, cold)) void call_realigned(const void *rec) {
  alignas(RECORD_ALIGN) unsigned char copy[RECORD_MAX];
  size_t offsets[WS_CALL_MAX_ARGS];
  const unsigned char *src = rec;
  int nargs = src[offsetof(call_header, nargs)];
  memcpy(copy, src, layout(nargs, src + offsetof(call_header, types), offsets));
  call_run((call_header *)(void *)copy);
}

/* The task.  ws_spawn_ex hands the record back 16-byte aligned today (inline
 * captures are alignas(16), heap ones come from malloc, a timeout header is
 * a multiple of 16); should that change, the values are read from an aligned
 * copy rather than misaligned in place. */
static void call_task(void *captures) {
  if (__builtin_expect((uintptr_t)captures % RECORD_ALIGN != 0, 0))
    call_realigned(captures);
  else
    call_run(captures);
}

int ws_spawn_call(ws_frame *frame, ws_call_fn fn, ws_type ret_type, void *ret,
                  int nargs, const ws_type *arg_types, void *const *args,
                  const ws_task_opts *opts) {
  if (!frame || !fn || nargs < 0 || nargs > WS_CALL_MAX_ARGS)
    return WS_EINVAL;
  if (nargs > 0 && (!arg_types || !args))
    return WS_EINVAL;
  int rt = canonical((int)ret_type);
  if (rt < 0)
    return WS_EINVAL;

  alignas(RECORD_ALIGN) unsigned char record[RECORD_MAX];
  call_header *h = (call_header *)(void *)record;
  ffi_type *atypes[WS_CALL_MAX_ARGS];
  for (int i = 0; i < nargs; i++) {
    int t = canonical((int)arg_types[i]);
    if (t <= WS_TYPE_VOID || !args[i]) /* -1: unknown; void: no value */
      return WS_EINVAL;
    h->types[i] = (uint8_t)t;
    atypes[i] = ffi_types[t];
  }
  ffi_cif cif;
  if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, (unsigned)nargs, ffi_types[rt],
                   atypes) != FFI_OK)
    return WS_EINVAL;

  h->fn = fn;
  h->ret = rt == WS_TYPE_VOID ? NULL : ret;
  h->ret_type = (uint8_t)rt;
  h->nargs = (uint8_t)nargs;
  size_t offsets[WS_CALL_MAX_ARGS];
  size_t size = layout(nargs, h->types, offsets);
  for (int i = 0; i < nargs; i++)
    memcpy(record + offsets[i], args[i], ffi_types[h->types[i]]->size);
  return ws_spawn_ex(frame, call_task, record, size, opts);
}
