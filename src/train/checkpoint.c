/* checkpoint.c - see checkpoint.h. The parser trusts nothing: every count is
 * checked against the bytes that are there before anything is allocated. */
#include "train/checkpoint.h"

#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sys/atomic_file.h"

static const char magic[8] = { 'M', 'L', 'P', 'B', 'C', 'K', 'P', 'T' };
#define BOM 0x01020304u

/* ---- writing ---- */

typedef struct wbuf { unsigned char *p; size_t len, cap; int oom; } wbuf;

static void put(wbuf *w, const void *src, size_t n) {
    if (w->oom) return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->len + n) cap *= 2;
        unsigned char *p = realloc(w->p, cap);
        if (!p) { w->oom = 1; return; }
        w->p = p; w->cap = cap;
    }
    memcpy(w->p + w->len, src, n);
    w->len += n;
}
#define PUT(w, x) put(w, &(x), sizeof(x))

static void put_i32(wbuf *w, int v) { int32_t x = v; PUT(w, x); }
static void put_i64(wbuf *w, long v) { int64_t x = v; PUT(w, x); }

int mlpb_ckpt_save(const char *path, const mlpb_ckpt_meta *m, const mlpb_mlp *net, const mlpb_train_state *st,
                   char *err, size_t errlen) {
    wbuf w = {0};
    uint32_t ver = MLPB_CKPT_VERSION, bom = BOM;
    put(&w, magic, sizeof magic);
    PUT(&w, ver); PUT(&w, bom);
    put_i32(&w, m->L);
    for (int i = 0; i <= m->L; i++) put_i32(&w, m->widths[i]);
    put_i32(&w, m->reduction);
    PUT(&w, m->seed);
    put_i32(&w, m->batch);
    PUT(&w, m->lr);
    put_i32(&w, m->points_per_epoch);
    PUT(&w, m->data_crc32);
    put_i32(&w, m->data_rows);
    /* the weights in the dense layout (no row padding): files do not depend on
     * the in-memory layout (mlp.h) */
    uint64_t np = mlpb_mlp_dense_count(net->L, net->w);
    float *dense = malloc((size_t)np * sizeof(float));
    if (dense) mlpb_mlp_get_dense(net, dense);
    else w.oom = 1;
    PUT(&w, np);
    if (dense) put(&w, dense, (size_t)np * sizeof(float));
    free(dense);
    put_i32(&w, st->epoch); put_i32(&w, st->r0); put_i32(&w, st->next_point);
    put_i64(&w, st->step); put_i64(&w, st->seen); put_i64(&w, st->seen_at_point);
    PUT(&w, st->wall); PUT(&w, st->eval); PUT(&w, st->wall_at_point); PUT(&w, st->loss_since);
    put(&w, st->phase_s, sizeof st->phase_s);
    put(&w, st->rng.s, sizeof st->rng.s);
    put_i32(&w, st->n);
    put(&w, st->perm, (size_t)st->n * sizeof(int32_t));
    uint32_t crc = w.oom ? 0 : (uint32_t)crc32_z(0L, w.p, w.len);
    PUT(&w, crc);
    if (w.oom) {
        free(w.p);
        snprintf(err, errlen, "%s: out of memory building the checkpoint", path);
        return -1;
    }
    mlpb_afile a;
    int rc = mlpb_afile_open(&a, path);
    if (!rc) {
        if (fwrite(w.p, 1, w.len, a.f) != w.len) { mlpb_afile_abort(&a); rc = -1; }
        else rc = mlpb_afile_commit(&a);
    }
    if (rc) snprintf(err, errlen, "%s: cannot write checkpoint: %s", path, strerror(errno));
    free(w.p);
    return rc;
}

/* ---- reading ---- */

typedef struct rbuf { const unsigned char *p; size_t len, off; int short_read; } rbuf;

static void get(rbuf *r, void *dst, size_t n) {
    if (r->short_read || n > r->len - r->off) { r->short_read = 1; memset(dst, 0, n); return; }
    memcpy(dst, r->p + r->off, n);
    r->off += n;
}
#define GET(r, x) get(r, &(x), sizeof(x))

static int get_i32(rbuf *r) { int32_t x; GET(r, x); return x; }
static long get_i64(rbuf *r) { int64_t x; GET(r, x); return (long)x; }

int mlpb_ckpt_parse(const unsigned char *buf, size_t len, const char *name, mlpb_ckpt_meta *m, mlpb_mlp *net,
                    mlpb_train_state *st, char *err, size_t errlen) {
    rbuf r = { buf, len, 0, 0 };
    char mg[8];
    uint32_t ver, bom;
    memset(m, 0, sizeof *m);
    memset(st, 0, sizeof *st);
    memset(net, 0, sizeof *net);
    get(&r, mg, sizeof mg);
    if (r.short_read || memcmp(mg, magic, sizeof mg)) {
        snprintf(err, errlen, "%s: not an mlpbench checkpoint (bad magic)", name);
        return -1;
    }
    GET(&r, ver); GET(&r, bom);
    if (ver != MLPB_CKPT_VERSION) {
        snprintf(err, errlen, "%s: checkpoint format version %u, this mlpbench reads version %d", name, ver,
                 MLPB_CKPT_VERSION);
        return -1;
    }
    if (bom != BOM) {
        snprintf(err, errlen, "%s: written on a machine of the other byte order", name);
        return -1;
    }
    if (len < r.off + 4) { snprintf(err, errlen, "%s: truncated", name); return -1; }
    uint32_t want_crc;
    memcpy(&want_crc, buf + len - 4, 4);
    if ((uint32_t)crc32_z(0L, buf, len - 4) != want_crc) {
        snprintf(err, errlen, "%s: checksum mismatch (truncated or corrupt)", name);
        return -1;
    }
    r.len = len - 4;
    m->L = get_i32(&r);
    if (m->L < 1 || m->L > MLPB_CKPT_MAX_LAYERS) {
        snprintf(err, errlen, "%s: %d layers (expected 1..%d)", name, m->L, MLPB_CKPT_MAX_LAYERS);
        return -1;
    }
    for (int i = 0; i <= m->L; i++) {
        m->widths[i] = get_i32(&r);
        if (m->widths[i] < 1 || m->widths[i] > (1 << 20)) {
            snprintf(err, errlen, "%s: layer width %d is %d", name, i, m->widths[i]);
            return -1;
        }
    }
    m->reduction = get_i32(&r);
    GET(&r, m->seed);
    m->batch = get_i32(&r);
    GET(&r, m->lr);
    m->points_per_epoch = get_i32(&r);
    GET(&r, m->data_crc32);
    m->data_rows = get_i32(&r);
    uint64_t np;
    GET(&r, np);
    size_t want_np = mlpb_mlp_dense_count(m->L, m->widths);
    if (r.short_read || np != want_np || np * sizeof(float) > r.len - r.off) {
        snprintf(err, errlen, "%s: %llu parameters stored, the widths need %zu (truncated or corrupt)", name,
                 (unsigned long long)np, want_np);
        return -1;
    }
    /* lr as the flags allow it: a NaN would never equal itself in mlpb_ckpt_mismatch */
    if ((m->reduction != 0 && m->reduction != 1) || m->batch < 0 || m->data_rows < 1 || m->points_per_epoch < 1 ||
        !(m->lr >= FLT_MIN && m->lr <= FLT_MAX)) {
        snprintf(err, errlen, "%s: corrupt settings (reduction %d, batch %d, rows %d, points %d, lr %g)", name,
                 m->reduction, m->batch, m->data_rows, m->points_per_epoch, (double)m->lr);
        return -1;
    }
    size_t poff = r.off;
    r.off += np * sizeof(float);
    st->epoch = get_i32(&r); st->r0 = get_i32(&r); st->next_point = get_i32(&r);
    st->step = get_i64(&r); st->seen = get_i64(&r); st->seen_at_point = get_i64(&r);
    GET(&r, st->wall); GET(&r, st->eval); GET(&r, st->wall_at_point); GET(&r, st->loss_since);
    get(&r, st->phase_s, sizeof st->phase_s);
    get(&r, st->rng.s, sizeof st->rng.s);
    st->n = get_i32(&r);
    if (r.short_read || st->n != m->data_rows || st->epoch < 0 || st->r0 < 0 || st->r0 >= st->n ||
        st->step < 0 || st->seen < 0 || st->next_point < 1 || (size_t)st->n * sizeof(int32_t) != r.len - r.off) {
        snprintf(err, errlen, "%s: corrupt training state (epoch %d, row %d of %d)", name, st->epoch, st->r0, st->n);
        memset(st, 0, sizeof *st);
        return -1;
    }
    st->perm = malloc((size_t)st->n * sizeof(int));
    unsigned char *seen = calloc((size_t)st->n, 1);
    int ok = st->perm && seen;
    for (int i = 0; ok && i < st->n; i++) {
        int32_t v;
        memcpy(&v, r.p + r.off + (size_t)i * 4, 4);
        ok = v >= 0 && v < st->n && !seen[v];
        if (ok) seen[v] = 1, st->perm[i] = v;
    }
    free(seen);
    if (!ok) {
        snprintf(err, errlen, "%s: the saved permutation is not a permutation of %d rows", name, st->n);
        mlpb_train_state_free(st);
        return -1;
    }
    float *dense = malloc((size_t)np * sizeof(float)); /* buf + poff need not be float-aligned */
    if (!dense || mlpb_mlp_init(net, m->L, m->widths, 0)) {
        free(dense);
        snprintf(err, errlen, "%s: out of memory for the network", name);
        mlpb_train_state_free(st);
        return -1;
    }
    memcpy(dense, buf + poff, np * sizeof(float));
    mlpb_mlp_set_dense(net, dense);
    free(dense);
    return 0;
}

int mlpb_ckpt_load(const char *path, mlpb_ckpt_meta *m, mlpb_mlp *net, mlpb_train_state *st, char *err,
                   size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0, got;
    unsigned char *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            unsigned char *nb = cap < ((size_t)1 << 34) ? realloc(buf, cap * 2) : NULL;
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb; cap *= 2;
        }
    }
    int rd_err = ferror(f);
    fclose(f);
    if (!buf || rd_err) {
        free(buf);
        snprintf(err, errlen, "%s: cannot read (%s)", path, buf ? "read error" : "out of memory");
        return -1;
    }
    int rc = mlpb_ckpt_parse(buf, len, path, m, net, st, err, errlen);
    free(buf);
    return rc;
}

const char *mlpb_ckpt_mismatch(const mlpb_ckpt_meta *h, const mlpb_ckpt_meta *w, char *buf, size_t len) {
    buf[0] = 0;
    int same_w = h->L == w->L;
    for (int i = 0; same_w && i <= h->L; i++) same_w = h->widths[i] == w->widths[i];
    if (!same_w) {
        char a[256] = "", b[256] = "";
        for (int i = 0; i <= h->L; i++) snprintf(a + strlen(a), sizeof a - strlen(a), "%s%d", i ? "-" : "", h->widths[i]);
        for (int i = 0; i <= w->L; i++) snprintf(b + strlen(b), sizeof b - strlen(b), "%s%d", i ? "-" : "", w->widths[i]);
        snprintf(buf, len, "the checkpoint's network is %s, this run's is %s", a, b);
    } else if (h->data_rows != w->data_rows || h->data_crc32 != w->data_crc32) {
        snprintf(buf, len, "the checkpoint was trained on %d rows (crc32 %08x), this run has %d rows (crc32 %08x)",
                 h->data_rows, h->data_crc32, w->data_rows, w->data_crc32);
    } else if (h->reduction != w->reduction) {
        snprintf(buf, len, "the checkpoint uses --reduction %s, this run %s", h->reduction ? "sum" : "mean",
                 w->reduction ? "sum" : "mean");
    } else if (h->seed != w->seed) {
        snprintf(buf, len, "the checkpoint's --seed is %llu, this run's %llu", (unsigned long long)h->seed,
                 (unsigned long long)w->seed);
    } else if (h->batch != w->batch) {
        snprintf(buf, len, "the checkpoint's --batch is %d, this run's %d (0 = full)", h->batch, w->batch);
    } else if (h->lr != w->lr) {
        snprintf(buf, len, "the checkpoint's --lr is %g, this run's %g", (double)h->lr, (double)w->lr);
    } else if (h->points_per_epoch != w->points_per_epoch) {
        snprintf(buf, len, "the checkpoint logs %d points per epoch, this run %d", h->points_per_epoch,
                 w->points_per_epoch);
    }
    return buf;
}
