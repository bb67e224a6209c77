/* What the add-on's C files share (strata_native.c defines these). */
#ifndef STRATA_NATIVE_H
#define STRATA_NATIVE_H

#include <node_api.h>

/* An Error whose `code` is the errno name, `errno` the number and message the strerror text. */
napi_value strata_errno_error(napi_env env, int err);
void strata_throw_errno(napi_env env, int err);

/* narHashTree(path: Buffer, algorithm: string) -> Promise<{ digest: Buffer, size: number }> */
napi_value strata_nar_hash_tree(napi_env env, napi_callback_info info);

#endif
