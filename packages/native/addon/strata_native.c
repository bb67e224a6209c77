/*
 * The few system calls Node lacks that Strata needs to share a store with Nix:
 * BSD flock(2) (Nix's big lock, GC lock and per-path locks; spec store-format §5.4) and
 * getsockopt(SO_PEERCRED) (how the daemon identifies a client; spec worker-protocol §10.1).
 *
 * Written against the C N-API only (no node-addon-api), so it builds from Node's headers
 * with nothing else. Failures throw an Error whose `code` is the errno name (`EBADF`),
 * `errno` the number and message the strerror text; the TypeScript wrapper turns them into
 * StrataErrors.
 *
 *   flock(fd, op, wait) -> boolean   op: 0 unlock, 1 shared, 2 exclusive; false = EWOULDBLOCK
 *   flockAsync(fd, op)  -> Promise<void>   blocking flock on the libuv thread pool
 *   peerCredentials(fd) -> { pid, uid, gid }
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <node_api.h>

#define CHECK(env, call)                                   \
  do {                                                     \
    if ((call) != napi_ok) {                               \
      napi_throw_error((env), NULL, "N-API call failed: " #call); \
      return NULL;                                         \
    }                                                      \
  } while (0)

static const char *errno_name(int err) {
  switch (err) {
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENOLCK: return "ENOLCK";
    case EWOULDBLOCK: return "EWOULDBLOCK";
    case EINTR: return "EINTR";
    case ENOTSOCK: return "ENOTSOCK";
    case ENOTCONN: return "ENOTCONN";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case ENOSYS: return "ENOSYS";
    case EFAULT: return "EFAULT";
    case ENOMEM: return "ENOMEM";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    default: return "EUNKNOWN";
  }
}

/* Builds the Error described in the header comment. */
static napi_value errno_error(napi_env env, int err) {
  napi_value code, msg, error, num;
  if (napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &msg) != napi_ok ||
      napi_create_error(env, code, msg, &error) != napi_ok ||
      napi_create_int32(env, err, &num) != napi_ok ||
      napi_set_named_property(env, error, "errno", num) != napi_ok)
    return NULL;
  return error;
}

static void throw_errno(napi_env env, int err) {
  napi_value error = errno_error(env, err);
  if (error != NULL) napi_throw(env, error);
  else napi_throw_error(env, NULL, strerror(err));
}

/* Reads argument `i` as an int32 (the wrapper has already checked it is an integer). */
static int get_int(napi_env env, napi_value *argv, size_t argc, size_t i, int32_t *out) {
  if (i >= argc || napi_get_value_int32(env, argv[i], out) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected an integer argument");
    return 0;
  }
  return 1;
}

static int lock_operation(int32_t op) {
  return op == 0 ? LOCK_UN : op == 1 ? LOCK_SH : LOCK_EX;
}

/* flock(2), retried on EINTR (a signal to the process must not look like a lock failure).
   Returns 0, or the errno. */
static int flock_retrying(int fd, int operation) {
  while (flock(fd, operation) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

static napi_value js_flock(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd, op;
  bool wait = false;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_int(env, argv, argc, 0, &fd) || !get_int(env, argv, argc, 1, &op)) return NULL;
  if (argc > 2) CHECK(env, napi_get_value_bool(env, argv[2], &wait));

  int err = flock_retrying(fd, lock_operation(op) | (wait ? 0 : LOCK_NB));
  napi_value result;
  if (err == EWOULDBLOCK && !wait) {
    CHECK(env, napi_get_boolean(env, false, &result));
    return result;
  }
  if (err != 0) {
    throw_errno(env, err);
    return NULL;
  }
  CHECK(env, napi_get_boolean(env, true, &result));
  return result;
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int fd;
  int operation;
  int err;
} FlockJob;

/* Runs on a libuv thread-pool thread: may block for as long as another process holds the lock. */
static void flock_execute(napi_env env, void *data) {
  (void)env;
  FlockJob *job = data;
  job->err = flock_retrying(job->fd, job->operation);
}

static void flock_complete(napi_env env, napi_status status, void *data) {
  FlockJob *job = data;
  napi_value value = NULL;
  if (status != napi_ok) {
    napi_value msg;
    napi_create_string_utf8(env, "flock work was cancelled", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &value);
    napi_reject_deferred(env, job->deferred, value);
  } else if (job->err != 0) {
    value = errno_error(env, job->err);
    napi_reject_deferred(env, job->deferred, value);
  } else {
    napi_get_undefined(env, &value);
    napi_resolve_deferred(env, job->deferred, value);
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value js_flock_async(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], promise, name;
  int32_t fd, op;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_int(env, argv, argc, 0, &fd) || !get_int(env, argv, argc, 1, &op)) return NULL;

  FlockJob *job = calloc(1, sizeof *job);
  if (job == NULL) {
    throw_errno(env, ENOMEM);
    return NULL;
  }
  job->fd = fd;
  job->operation = lock_operation(op);
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "strata:flock", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, flock_execute, flock_complete, job, &job->work) !=
          napi_ok) {
    free(job);
    napi_throw_error(env, NULL, "N-API call failed: creating the flock work");
    return NULL;
  }
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    napi_delete_async_work(env, job->work);
    free(job);
    napi_throw_error(env, NULL, "N-API call failed: napi_queue_async_work");
    return NULL;
  }
  return promise;
}

static napi_value js_peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_int(env, argv, argc, 0, &fd)) return NULL;

#ifdef SO_PEERCRED
  int domain = 0;
  socklen_t len = sizeof domain;
  /* SO_PEERCRED "succeeds" on TCP and unconnected sockets with pid 0 and the overflow uid;
     those must be errors, never an identity the daemon could trust. */
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) {
    throw_errno(env, errno);
    return NULL;
  }
  if (domain != AF_UNIX) {
    throw_errno(env, EAFNOSUPPORT);
    return NULL;
  }
  struct ucred cred;
  len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    throw_errno(env, errno);
    return NULL;
  }
  if (cred.pid == 0) {
    throw_errno(env, ENOTCONN);
    return NULL;
  }
  napi_value result, pid, uid, gid;
  CHECK(env, napi_create_object(env, &result));
  CHECK(env, napi_create_int32(env, cred.pid, &pid));
  CHECK(env, napi_create_uint32(env, cred.uid, &uid));
  CHECK(env, napi_create_uint32(env, cred.gid, &gid));
  CHECK(env, napi_set_named_property(env, result, "pid", pid));
  CHECK(env, napi_set_named_property(env, result, "uid", uid));
  CHECK(env, napi_set_named_property(env, result, "gid", gid));
  return result;
#else
  (void)fd;
  throw_errno(env, ENOSYS);
  return NULL;
#endif
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"flock", NULL, js_flock, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flockAsync", NULL, js_flock_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"peerCredentials", NULL, js_peer_credentials, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
