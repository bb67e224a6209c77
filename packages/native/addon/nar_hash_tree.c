/*
 * narHashTree(path, algorithm) -> Promise<{ digest: Buffer, size: number }>
 *
 * The hash of the NAR serialisation of the file system object at `path` (not following a
 * symlink there), as `nix-hash --type <algorithm> path` and a store path's narHash/narSize,
 * computed without the bytes ever reaching JavaScript. Nix does this one file after another
 * (lstat, open, read, close, hash); for trees of many small files the time goes into those
 * system calls. Here they are spread over threads, so they run on every core while the hash
 * goes on:
 *
 *   - the walker (the libuv pool thread) lists directories (sorted byte-wise, as NARs are),
 *     lstat()s every entry and writes the NAR's framing; each regular file becomes an item;
 *   - READERS threads read small files (≤ SMALL_FILE bytes) ahead, in NAR order;
 *   - the hasher thread takes the items in order and hashes them; a big file it reads itself,
 *     a step at a time, so memory stays bounded (≤ READ_AHEAD bytes of files read ahead).
 *
 * Failures reject with the errno Error plus `op` and `path` (the first failure in NAR order,
 * as a sequential dump would meet it): op 0 getting status of, 1 opening directory, 2 opening
 * file, 3 reading file, 4 reading symbolic link, 5 unsupported file type (no errno), 6 file
 * ended before its size (no errno).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <node_api.h>
#include <openssl/evp.h>

#include "strata_native.h"

#define READERS 2
#define SMALL_FILE ((uint64_t)1 << 20)
#define READ_AHEAD ((uint64_t)16 << 20)
#define MAX_ITEMS_AHEAD 65536
#define BIG_STEP ((size_t)1 << 20)
/* Items change hands in batches: a lock and a wake-up per item cost more than reading it. */
#define BATCH_ITEMS 256
#define BATCH_BYTES ((uint64_t)4 << 20)
#define CLAIM_ITEMS 32
#define CLAIM_BYTES ((uint64_t)1 << 20)

enum { OP_STAT, OP_OPENDIR, OP_OPEN, OP_READ, OP_READLINK, OP_TYPE, OP_EOF };
enum { ITEM_BYTES, ITEM_SMALL, ITEM_BIG };
enum { FILE_PENDING, FILE_READING, FILE_READ, FILE_FAILED };

typedef struct {
  int kind;
  unsigned char *data; /* ITEM_BYTES: the framing; ITEM_SMALL once read: the contents */
  size_t len;
  char *path;          /* files */
  uint64_t size;
  int state;
  int err, op;
} Item;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char *root;
  const EVP_MD *md;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len;
  uint64_t nar_size;

  pthread_mutex_t mu;
  pthread_cond_t walker_cv, reader_cv, hasher_cv;
  Item **items;
  size_t count, capacity;
  size_t next_read;   /* no unread small file before this index */
  size_t hashed;      /* items the hasher is done with */
  uint64_t ahead;     /* bytes of small files published and not yet hashed */
  int walk_done, stop;
  /* who sleeps on its condition variable: only they are woken (a futex call each) */
  int walker_waits, readers_wait, hasher_waits;

  /* the walker's items not yet published (handed over in batches, one lock each) */
  Item *batch[BATCH_ITEMS];
  size_t batch_len;
  uint64_t batch_bytes;

  /* the walker's framing not yet made an item */
  unsigned char *bytes;
  size_t bytes_len, bytes_cap;

  /* the first failure (in NAR order, decided by the hasher) */
  int err, op;
  char *err_path;
} TreeJob;

static void fail(TreeJob *job, int err, int op, const char *path) {
  if (job->op >= 0) return;
  job->err = err;
  job->op = op;
  job->err_path = path != NULL ? strdup(path) : NULL;
}

/* ---- the walker ------------------------------------------------------------------------ */

/* Appends the framing bytes; 0 on success, ENOMEM otherwise. */
static int put(TreeJob *job, const void *p, size_t n) {
  if (job->bytes_len + n > job->bytes_cap) {
    size_t cap = job->bytes_cap == 0 ? 4096 : job->bytes_cap;
    while (cap < job->bytes_len + n) cap *= 2;
    unsigned char *b = realloc(job->bytes, cap);
    if (b == NULL) return ENOMEM;
    job->bytes = b;
    job->bytes_cap = cap;
  }
  memcpy(job->bytes + job->bytes_len, p, n);
  job->bytes_len += n;
  job->nar_size += n;
  return 0;
}

static int put_u64(TreeJob *job, uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
  return put(job, b, 8);
}

static int put_padding(TreeJob *job, uint64_t len) {
  static const unsigned char zeros[8];
  size_t pad = (size_t)((8 - len % 8) % 8);
  return pad == 0 ? 0 : put(job, zeros, pad);
}

static int put_str(TreeJob *job, const void *p, size_t n) {
  int e = put_u64(job, n);
  if (e == 0) e = put(job, p, n);
  if (e == 0) e = put_padding(job, n);
  return e;
}

#define PUT_TOKEN(job, s) put_str((job), (s), sizeof(s) - 1)

/* Hands the batch to the hasher and the readers, waiting while too much is ahead of them. */
static int publish(TreeJob *job) {
  if (job->batch_len == 0) return 0;
  pthread_mutex_lock(&job->mu);
  while (!job->stop && (job->count - job->hashed >= MAX_ITEMS_AHEAD ||
                        (job->ahead > 0 && job->ahead + job->batch_bytes > READ_AHEAD))) {
    job->walker_waits = 1;
    pthread_cond_wait(&job->walker_cv, &job->mu);
    job->walker_waits = 0;
  }
  if (job->stop) {
    pthread_mutex_unlock(&job->mu);
    return -1;
  }
  if (job->count + job->batch_len > job->capacity) {
    size_t cap = job->capacity == 0 ? 1024 : job->capacity;
    while (cap < job->count + job->batch_len) cap *= 2;
    Item **items = realloc(job->items, cap * sizeof *items);
    if (items == NULL) {
      pthread_mutex_unlock(&job->mu);
      return ENOMEM;
    }
    job->items = items;
    job->capacity = cap;
  }
  memcpy(job->items + job->count, job->batch, job->batch_len * sizeof *job->batch);
  job->count += job->batch_len;
  job->ahead += job->batch_bytes;
  job->batch_len = 0;
  job->batch_bytes = 0;
  if (job->readers_wait > 0) pthread_cond_broadcast(&job->reader_cv);
  if (job->hasher_waits) pthread_cond_signal(&job->hasher_cv);
  pthread_mutex_unlock(&job->mu);
  return 0;
}

/* Queues an item (the job owns it from here on, also when this fails). */
static int push_item(TreeJob *job, Item *item) {
  if (job->batch_len == BATCH_ITEMS) {
    int e = publish(job);
    if (e != 0) {
      free(item->data);
      free(item->path);
      free(item);
      return e;
    }
  }
  job->batch[job->batch_len++] = item;
  if (item->kind == ITEM_SMALL) job->batch_bytes += item->size;
  return job->batch_bytes >= BATCH_BYTES ? publish(job) : 0;
}

/* The framing gathered so far becomes an item. */
static int flush_bytes(TreeJob *job) {
  if (job->bytes_len == 0) return 0;
  Item *item = calloc(1, sizeof *item);
  if (item == NULL) return ENOMEM;
  item->kind = ITEM_BYTES;
  item->data = job->bytes;
  item->len = job->bytes_len;
  job->bytes = NULL;
  job->bytes_len = job->bytes_cap = 0;
  return push_item(job, item);
}

/* Walker failures are recorded as an item, so the hasher reports them in NAR order. */
static int push_failure(TreeJob *job, int err, int op, const char *path) {
  if (flush_bytes(job) != 0) return -1;
  Item *item = calloc(1, sizeof *item);
  if (item == NULL) return -1;
  item->kind = ITEM_SMALL;
  item->state = FILE_FAILED;
  item->err = err;
  item->op = op;
  item->path = strdup(path);
  push_item(job, item);
  return -1;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(TreeJob *job, const char *path, const struct stat *st);

static int walk_directory(TreeJob *job, const char *path) {
  DIR *dir = opendir(path);
  if (dir == NULL) return push_failure(job, errno, OP_OPENDIR, path);
  char **names = NULL;
  size_t n = 0, cap = 0;
  int e = 0;
  for (;;) {
    errno = 0;
    struct dirent *d = readdir(dir);
    if (d == NULL) {
      if (errno != 0) e = push_failure(job, errno, OP_OPENDIR, path);
      break;
    }
    if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) continue;
    if (n == cap) {
      cap = cap == 0 ? 64 : cap * 2;
      char **grown = realloc(names, cap * sizeof *names);
      if (grown == NULL) {
        e = push_failure(job, ENOMEM, OP_OPENDIR, path);
        break;
      }
      names = grown;
    }
    if ((names[n] = strdup(d->d_name)) == NULL) {
      e = push_failure(job, ENOMEM, OP_OPENDIR, path);
      break;
    }
    n++;
  }
  closedir(dir);
  if (e == 0) {
    /* strcmp compares as unsigned char: NAR's byte-wise order. */
    qsort(names, n, sizeof *names, compare_names);
    e = PUT_TOKEN(job, "(");
    if (e == 0) e = PUT_TOKEN(job, "type");
    if (e == 0) e = PUT_TOKEN(job, "directory");
    size_t plen = strlen(path);
    for (size_t i = 0; i < n && e == 0; i++) {
      /* Framing of entries without contents (symlinks, empty files) reaches the hasher too. */
      if (job->bytes_len >= BIG_STEP && (e = flush_bytes(job)) != 0) break;
      size_t nlen = strlen(names[i]);
      char *child = malloc(plen + 1 + nlen + 1);
      if (child == NULL) {
        e = push_failure(job, ENOMEM, OP_OPENDIR, path);
        break;
      }
      memcpy(child, path, plen);
      child[plen] = '/';
      memcpy(child + plen + 1, names[i], nlen + 1);
      struct stat cst;
      if (lstat(child, &cst) != 0) {
        e = push_failure(job, errno, OP_STAT, child);
      } else {
        e = PUT_TOKEN(job, "entry");
        if (e == 0) e = PUT_TOKEN(job, "(");
        if (e == 0) e = PUT_TOKEN(job, "name");
        if (e == 0) e = put_str(job, names[i], nlen);
        if (e == 0) e = PUT_TOKEN(job, "node");
        if (e == 0) e = walk(job, child, &cst);
        if (e == 0) e = PUT_TOKEN(job, ")");
      }
      free(child);
    }
    if (e == 0) e = PUT_TOKEN(job, ")");
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return e;
}

static int walk(TreeJob *job, const char *path, const struct stat *st) {
  int e;
  if (S_ISREG(st->st_mode)) {
    e = PUT_TOKEN(job, "(");
    if (e == 0) e = PUT_TOKEN(job, "type");
    if (e == 0) e = PUT_TOKEN(job, "regular");
    if (e == 0 && (st->st_mode & S_IXUSR)) {
      e = PUT_TOKEN(job, "executable");
      if (e == 0) e = put_str(job, "", 0);
    }
    if (e == 0) e = PUT_TOKEN(job, "contents");
    if (e == 0) e = put_u64(job, (uint64_t)st->st_size);
    if (e == 0) e = flush_bytes(job);
    if (e != 0) return e;
    Item *item = calloc(1, sizeof *item);
    if (item == NULL || (item->path = strdup(path)) == NULL) {
      free(item);
      return push_failure(job, ENOMEM, OP_READ, path);
    }
    item->size = (uint64_t)st->st_size;
    item->kind = item->size <= SMALL_FILE ? ITEM_SMALL : ITEM_BIG;
    job->nar_size += item->size;
    if ((e = push_item(job, item)) != 0) return e;
    e = put_padding(job, item->size);
    if (e == 0) e = PUT_TOKEN(job, ")");
    return e;
  }
  if (S_ISDIR(st->st_mode)) return walk_directory(job, path);
  if (S_ISLNK(st->st_mode)) {
    char target[PATH_MAX + 1];
    ssize_t n = readlink(path, target, sizeof target);
    if (n < 0) return push_failure(job, errno, OP_READLINK, path);
    if ((size_t)n >= sizeof target) return push_failure(job, ENAMETOOLONG, OP_READLINK, path);
    e = PUT_TOKEN(job, "(");
    if (e == 0) e = PUT_TOKEN(job, "type");
    if (e == 0) e = PUT_TOKEN(job, "symlink");
    if (e == 0) e = PUT_TOKEN(job, "target");
    if (e == 0) e = put_str(job, target, (size_t)n);
    if (e == 0) e = PUT_TOKEN(job, ")");
    return e;
  }
  return push_failure(job, 0, OP_TYPE, path);
}

/* ---- readers and hasher ---------------------------------------------------------------- */

/* Reads exactly `size` bytes into `buf`; 0, errno, or -1 when the file ended early. */
static int read_file(int fd, unsigned char *buf, uint64_t size) {
  uint64_t got = 0;
  while (got < size) {
    ssize_t n = read(fd, buf + got, (size_t)(size - got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return -1;
    got += (uint64_t)n;
  }
  return 0;
}

/* O_NONBLOCK: should a FIFO have replaced the file since its lstat, open must not hang. */
static int open_file(const char *path) {
  return open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
}

/* Reads a small file into `item->data`; 0, or -1 with the failure recorded in `item`. */
static int read_small(Item *item) {
  int fd = open_file(item->path);
  if (fd < 0) {
    item->err = errno;
    item->op = OP_OPEN;
    return -1;
  }
  item->data = malloc(item->size > 0 ? item->size : 1);
  int e = item->data == NULL ? ENOMEM : read_file(fd, item->data, item->size);
  close(fd);
  if (e == 0) return 0;
  item->err = e < 0 ? 0 : e;
  item->op = e < 0 ? OP_EOF : OP_READ;
  return -1;
}

static void *reader_thread(void *arg) {
  TreeJob *job = arg;
  Item *claimed[CLAIM_ITEMS];
  pthread_mutex_lock(&job->mu);
  for (;;) {
    while (job->next_read < job->count &&
           (job->items[job->next_read]->kind != ITEM_SMALL ||
            job->items[job->next_read]->state != FILE_PENDING))
      job->next_read++;
    if (job->stop || (job->walk_done && job->next_read >= job->count)) break;
    if (job->next_read >= job->count) {
      job->readers_wait++;
      pthread_cond_wait(&job->reader_cv, &job->mu);
      job->readers_wait--;
      continue;
    }
    /* A run of the next unread small files, the other reader taking the run after it. */
    size_t n = 0;
    uint64_t bytes = 0;
    while (job->next_read < job->count && n < CLAIM_ITEMS && bytes < CLAIM_BYTES) {
      Item *item = job->items[job->next_read++];
      if (item->kind != ITEM_SMALL || item->state != FILE_PENDING) continue;
      item->state = FILE_READING;
      claimed[n++] = item;
      bytes += item->size;
    }
    pthread_mutex_unlock(&job->mu);
    int failed[CLAIM_ITEMS];
    for (size_t k = 0; k < n; k++) failed[k] = read_small(claimed[k]) != 0;
    pthread_mutex_lock(&job->mu);
    for (size_t k = 0; k < n; k++) claimed[k]->state = failed[k] ? FILE_FAILED : FILE_READ;
    if (job->hasher_waits) pthread_cond_signal(&job->hasher_cv);
  }
  pthread_mutex_unlock(&job->mu);
  return NULL;
}

/* Hashes a big file a step at a time; 0, or the failure recorded in `item`. */
static int hash_big(EVP_MD_CTX *ctx, Item *item, unsigned char *buf) {
  int fd = open_file(item->path);
  if (fd < 0) {
    item->err = errno;
    item->op = OP_OPEN;
    return -1;
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  uint64_t left = item->size;
  int e = 0;
  while (left > 0 && e == 0) {
    size_t want = left < BIG_STEP ? (size_t)left : BIG_STEP;
    e = read_file(fd, buf, want);
    if (e == 0 && EVP_DigestUpdate(ctx, buf, want) != 1) e = ENOMEM;
    left -= want;
  }
  close(fd);
  if (e != 0) {
    item->err = e < 0 ? 0 : e;
    item->op = e < 0 ? OP_EOF : OP_READ;
    return -1;
  }
  return 0;
}

/* Whether the hasher can take `item` now. */
static int ready(const Item *item) {
  return item->kind != ITEM_SMALL || item->state >= FILE_READ;
}

static void *hasher_thread(void *arg) {
  TreeJob *job = arg;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned char *buf = malloc(BIG_STEP);
  int ok = ctx != NULL && buf != NULL && EVP_DigestInit_ex(ctx, job->md, NULL) == 1;
  static const unsigned char magic[] = {13, 0, 0, 0, 0, 0, 0, 0, 'n', 'i', 'x', '-', 'a', 'r',
                                        'c', 'h', 'i', 'v', 'e', '-', '1', 0, 0, 0};
  if (ok) ok = EVP_DigestUpdate(ctx, magic, sizeof magic) == 1;
  pthread_mutex_lock(&job->mu);
  if (!ok) {
    fail(job, ENOMEM, OP_READ, job->root);
    job->stop = 1;
  }
  size_t i = 0;
  Item *taken[BATCH_ITEMS];
  while (!job->stop) {
    while (!job->stop && (i >= job->count ? !job->walk_done : !ready(job->items[i]))) {
      job->hasher_waits = 1;
      pthread_cond_wait(&job->hasher_cv, &job->mu);
      job->hasher_waits = 0;
    }
    if (job->stop || i >= job->count) break;
    /* Every ready item from here on, in one go (copied out: the walker may grow the array). */
    size_t end = i + 1;
    while (end < job->count && end - i < BATCH_ITEMS && ready(job->items[end])) end++;
    memcpy(taken, job->items + i, (end - i) * sizeof *taken);
    pthread_mutex_unlock(&job->mu);
    Item *failed = NULL;
    uint64_t small = 0;
    for (size_t k = 0; k < end - i && failed == NULL && ok; k++) {
      Item *item = taken[k];
      if (item->kind == ITEM_BYTES) {
        ok = EVP_DigestUpdate(ctx, item->data, item->len) == 1;
      } else if (item->kind == ITEM_SMALL) {
        small += item->size;
        if (item->state == FILE_FAILED) failed = item;
        else ok = EVP_DigestUpdate(ctx, item->data, item->size) == 1;
      } else if (hash_big(ctx, item, buf) != 0) {
        failed = item;
      }
      free(item->data);
      item->data = NULL;
    }
    pthread_mutex_lock(&job->mu);
    if (failed != NULL) {
      fail(job, failed->err, failed->op, failed->path);
      job->stop = 1;
    } else if (!ok) {
      fail(job, ENOMEM, OP_READ, job->root);
      job->stop = 1;
    }
    job->ahead -= small;
    job->hashed = i = end;
    if (job->walker_waits) pthread_cond_signal(&job->walker_cv);
  }
  if (job->stop) {
    pthread_cond_broadcast(&job->walker_cv);
    pthread_cond_broadcast(&job->reader_cv);
  }
  pthread_mutex_unlock(&job->mu);
  if (job->op < 0 && EVP_DigestFinal_ex(ctx, job->digest, &job->digest_len) != 1)
    fail(job, ENOMEM, OP_READ, job->root);
  EVP_MD_CTX_free(ctx);
  free(buf);
  return NULL;
}

/* ---- the job --------------------------------------------------------------------------- */

static void tree_execute(napi_env env, void *data) {
  (void)env;
  TreeJob *job = data;
  pthread_t hasher, readers[READERS];
  int started = 0;
  job->nar_size = 24; /* the magic, hashed by the hasher */
  if (pthread_create(&hasher, NULL, hasher_thread, job) != 0) {
    fail(job, EAGAIN, OP_READ, job->root);
    return;
  }
  for (; started < READERS; started++)
    if (pthread_create(&readers[started], NULL, reader_thread, job) != 0) break;
  if (started == 0) {
    pthread_mutex_lock(&job->mu);
    fail(job, EAGAIN, OP_READ, job->root);
    job->stop = 1;
    pthread_cond_broadcast(&job->hasher_cv);
    pthread_mutex_unlock(&job->mu);
    pthread_join(hasher, NULL);
    return;
  }
  struct stat st;
  int e = lstat(job->root, &st) != 0 ? push_failure(job, errno, OP_STAT, job->root)
                                     : walk(job, job->root, &st);
  if (e == 0) e = flush_bytes(job);
  if (e > 0) push_failure(job, e, OP_READ, job->root);
  /* A failed publish has set `stop`: the hasher has recorded why, or the failure below does. */
  int p = publish(job);
  if (p > 0) {
    pthread_mutex_lock(&job->mu);
    fail(job, p, OP_READ, job->root);
    job->stop = 1;
    pthread_mutex_unlock(&job->mu);
  }
  pthread_mutex_lock(&job->mu);
  job->walk_done = 1;
  pthread_cond_broadcast(&job->hasher_cv);
  pthread_cond_broadcast(&job->reader_cv);
  pthread_mutex_unlock(&job->mu);
  pthread_join(hasher, NULL);
  pthread_mutex_lock(&job->mu);
  job->stop = 1;
  pthread_cond_broadcast(&job->reader_cv);
  pthread_mutex_unlock(&job->mu);
  for (int i = 0; i < started; i++) pthread_join(readers[i], NULL);
}

static void tree_free(TreeJob *job) {
  for (size_t i = 0; i < job->count; i++) {
    free(job->items[i]->data);
    free(job->items[i]->path);
    free(job->items[i]);
  }
  for (size_t i = 0; i < job->batch_len; i++) {
    free(job->batch[i]->data);
    free(job->batch[i]->path);
    free(job->batch[i]);
  }
  free(job->items);
  free(job->bytes);
  free(job->root);
  free(job->err_path);
  pthread_mutex_destroy(&job->mu);
  pthread_cond_destroy(&job->walker_cv);
  pthread_cond_destroy(&job->reader_cv);
  pthread_cond_destroy(&job->hasher_cv);
  free(job);
}

static void tree_complete(napi_env env, napi_status status, void *data) {
  TreeJob *job = data;
  napi_value value = NULL;
  if (status != napi_ok) {
    napi_value msg;
    napi_create_string_utf8(env, "narHashTree work was cancelled", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &value);
    napi_reject_deferred(env, job->deferred, value);
  } else if (job->op >= 0) {
    napi_value op, path;
    if (job->err != 0) {
      value = strata_errno_error(env, job->err);
    } else {
      napi_value msg;
      napi_create_string_utf8(env, job->op == OP_TYPE ? "unsupported file type" : "unexpected end-of-file",
                              NAPI_AUTO_LENGTH, &msg);
      napi_create_error(env, NULL, msg, &value);
    }
    if (value != NULL && napi_create_int32(env, job->op, &op) == napi_ok)
      napi_set_named_property(env, value, "op", op);
    if (value != NULL && job->err_path != NULL &&
        napi_create_string_utf8(env, job->err_path, NAPI_AUTO_LENGTH, &path) == napi_ok)
      napi_set_named_property(env, value, "path", path);
    napi_reject_deferred(env, job->deferred, value);
  } else {
    napi_value result, digest, size;
    void *out;
    if (napi_create_object(env, &result) == napi_ok &&
        napi_create_buffer_copy(env, job->digest_len, job->digest, &out, &digest) == napi_ok &&
        napi_create_double(env, (double)job->nar_size, &size) == napi_ok &&
        napi_set_named_property(env, result, "digest", digest) == napi_ok &&
        napi_set_named_property(env, result, "size", size) == napi_ok)
      napi_resolve_deferred(env, job->deferred, result);
    else
      napi_reject_deferred(env, job->deferred, NULL);
  }
  napi_delete_async_work(env, job->work);
  tree_free(job);
}

napi_value strata_nar_hash_tree(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], promise, name;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  char algo[16];
  size_t algo_len = 0, path_len = 0;
  bool is_buffer = false;
  void *path;
  if (argc == 2) napi_is_buffer(env, argv[0], &is_buffer);
  if (argc != 2 || !is_buffer || napi_get_buffer_info(env, argv[0], &path, &path_len) != napi_ok ||
      path_len == 0 || memchr(path, 0, path_len) != NULL ||
      napi_get_value_string_utf8(env, argv[1], algo, sizeof algo, &algo_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "narHashTree(path: Buffer, algorithm: string)");
    return NULL;
  }
  const EVP_MD *md = EVP_get_digestbyname(algo);
  if (md == NULL) {
    napi_throw_type_error(env, NULL, "narHashTree: unknown hash algorithm");
    return NULL;
  }
  TreeJob *job = calloc(1, sizeof *job);
  if (job == NULL || (job->root = strndup(path, path_len)) == NULL) {
    free(job);
    strata_throw_errno(env, ENOMEM);
    return NULL;
  }
  job->md = md;
  job->op = -1;
  pthread_mutex_init(&job->mu, NULL);
  pthread_cond_init(&job->walker_cv, NULL);
  pthread_cond_init(&job->reader_cv, NULL);
  pthread_cond_init(&job->hasher_cv, NULL);
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "strata:narHashTree", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, tree_execute, tree_complete, job, &job->work) !=
          napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    tree_free(job);
    napi_throw_error(env, NULL, "N-API call failed: queueing the narHashTree work");
    return NULL;
  }
  return promise;
}
