/* test_data.c - tests for src/data: `test_data idx` (hand-written IDX files,
 * plain and gzip'd, good and broken), `test_data synthetic` (determinism,
 * ranges, labels; the arrays' allocator), `test_data fashion` (the real Fashion-MNIST files).
 * Temporary files go under ./data_tmp (run from the build's tests folder). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "data/dataset.h"
#include "sys/hugemem.h"

#ifndef MLPB_DEFAULT_DATA_DIR
#define MLPB_DEFAULT_DATA_DIR "/usr/share/datasets/fashion-mnist"
#endif

#define TMP "data_tmp"

/* ---------- helpers ---------- */

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);  p[3] = (unsigned char)v;
}

/* Write bytes to path, gzip'd if gz. Returns 0 on success. */
static int write_bytes(const char *path, const unsigned char *b, size_t len, int gz) {
    unlink(path);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        if (!f) return -1;
        int ok = len == 0 || gzwrite(f, b, (unsigned)len) == (int)len;
        return gzclose(f) == Z_OK && ok ? 0 : -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(b, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, r;
    unsigned char *b = malloc(cap);
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) b = realloc(b, cap *= 2);
    }
    fclose(f);
    *len = n;
    return b;
}

/* Image file: magic, n, rows, cols, then n*rows*cols pixels from seed. */
static size_t make_images(unsigned char *buf, uint32_t magic, uint32_t n, uint32_t rows,
                          uint32_t cols, unsigned seed) {
    put32(buf, magic); put32(buf + 4, n); put32(buf + 8, rows); put32(buf + 12, cols);
    size_t np = (size_t)n * rows * cols;
    for (size_t i = 0; i < np; i++) buf[16 + i] = (unsigned char)((i * 37u + seed) & 255u);
    buf[16] = 0; buf[17] = 255; /* both extremes present */
    return 16 + np;
}

static size_t make_labels(unsigned char *buf, uint32_t magic, uint32_t n, const unsigned char *lab) {
    put32(buf, magic); put32(buf + 4, n);
    memcpy(buf + 8, lab, n);
    return 8 + n;
}

/* Fill with junk so a "zeroed on failure" check can fail. */
static void junk(mlpb_dataset *ds) { memset(ds, 0x5a, sizeof *ds); }

static int is_zeroed(const mlpb_dataset *ds) {
    return ds->X == NULL && ds->Y == NULL && ds->label == NULL && ds->n == 0 && ds->d == 0 &&
           ds->k == 0 && ds->crc32 == 0;
}

/* Expect mlpb_idx_load to refuse; message must contain all of need[] (NULL-terminated). */
#define EXPECT_REFUSED(img, lab, classes, ...) do { \
    mlpb_dataset ds_; char e_[MLPB_ERRLEN] = ""; junk(&ds_); \
    int rc_ = mlpb_idx_load((img), (lab), (classes), &ds_, e_, sizeof e_); \
    CHECK(rc_ == -1, "expected refusal for %s / %s, got rc=%d", (img), (lab), rc_); \
    CHECK(is_zeroed(&ds_), "output not zeroed after refusal (%s)", e_); \
    fprintf(stderr, "refused: %s\n", e_); \
    const char *need_[] = {__VA_ARGS__, NULL}; \
    for (int i_ = 0; need_[i_]; i_++) \
        CHECK(strstr(e_, need_[i_]) != NULL, "message \"%s\" lacks \"%s\"", e_, need_[i_]); \
    if (rc_ == 0) mlpb_dataset_free(&ds_); \
} while (0)

/* ---------- idx ---------- */

static const unsigned char LAB5[5] = {3, 0, 9, 1, 7};

static void check_good(const mlpb_dataset *ds, const unsigned char *img, const unsigned char *lab,
                       int n, int d, int k, uLong crc) {
    CHECK(ds->n == n && ds->d == d && ds->k == k, "shape %d %d %d, want %d %d %d",
          ds->n, ds->d, ds->k, n, d, k);
    if (ds->n != n || ds->d != d || ds->k != k || !ds->X || !ds->Y || !ds->label) return;
    int bad_x = 0, bad_y = 0, bad_l = 0;
    for (int i = 0; i < n * d; i++) bad_x += ds->X[i] != (float)img[16 + i] / 255.0f;
    for (int i = 0; i < n; i++) {
        bad_l += ds->label[i] != lab[8 + i];
        float s = 0;
        for (int c = 0; c < k; c++) s += ds->Y[i * k + c];
        bad_y += s != 1.0f || ds->Y[i * k + lab[8 + i]] != 1.0f;
    }
    CHECK(bad_x == 0, "%d pixels differ from byte/255", bad_x);
    CHECK(bad_l == 0, "%d labels differ", bad_l);
    CHECK(bad_y == 0, "%d one-hot rows wrong", bad_y);
    CHECK(ds->crc32 == (uint32_t)crc, "crc32 %08x, want %08lx", ds->crc32, crc);
}

static int test_idx(void) {
    char err[MLPB_ERRLEN];
    mkdir(TMP, 0755);
    unsigned char img[16 + 5 * 12], lab[8 + 5], buf[256];
    size_t ni = make_images(img, 0x803, 5, 3, 4, 11);
    size_t nl = make_labels(lab, 0x801, 5, LAB5);
    uLong crc = crc32(crc32(0, Z_NULL, 0), img, (uInt)ni);
    crc = crc32(crc, lab, (uInt)nl);

    const char *gi = TMP "/good-img", *gl = TMP "/good-lab";
    const char *zi = TMP "/good-img.gz", *zl = TMP "/good-lab.gz";
    CHECK(write_bytes(gi, img, ni, 0) == 0 && write_bytes(gl, lab, nl, 0) == 0 &&
          write_bytes(zi, img, ni, 1) == 0 && write_bytes(zl, lab, nl, 1) == 0,
          "cannot write test files: %s", strerror(errno));

    /* good plain pair */
    mlpb_dataset a, b;
    junk(&a);
    int rc = mlpb_idx_load(gi, gl, 10, &a, err, sizeof err);
    CHECK(rc == 0, "good pair refused: %s", err);
    if (rc == 0) check_good(&a, img, lab, 5, 12, 10, crc);

    /* same pair gzip'd (and mixed) -> identical arrays and crc */
    junk(&b);
    rc = mlpb_idx_load(zi, zl, 10, &b, err, sizeof err);
    CHECK(rc == 0, "gzip pair refused: %s", err);
    if (rc == 0) {
        check_good(&b, img, lab, 5, 12, 10, crc);
        CHECK(a.X && memcmp(a.X, b.X, 5 * 12 * sizeof(float)) == 0, "gz X differs");
        CHECK(a.Y && memcmp(a.Y, b.Y, 5 * 10 * sizeof(float)) == 0, "gz Y differs");
        CHECK(a.crc32 == b.crc32, "gz crc %08x vs plain %08x", b.crc32, a.crc32);
        mlpb_dataset_free(&b);
        CHECK(is_zeroed(&b), "free does not zero the struct");
    }
    rc = mlpb_idx_load(zi, gl, 10, &b, err, sizeof err);
    CHECK(rc == 0 && b.crc32 == (uint32_t)crc, "gz images + plain labels: rc=%d %s", rc, err);
    if (rc == 0) mlpb_dataset_free(&b);

    /* truncate keeps the first rows */
    if (a.X) {
        mlpb_dataset_truncate(&a, 3);
        CHECK(a.n == 3 && a.label[2] == LAB5[2] && a.X[2 * 12 + 1] == (float)img[16 + 25] / 255.0f,
              "truncate: n=%d", a.n);
        mlpb_dataset_truncate(&a, 7);
        CHECK(a.n == 3, "truncate to more rows than present changed n to %d", a.n);
    }
    mlpb_dataset_free(&a);

    /* classes argument: label 9 needs classes >= 10 */
    EXPECT_REFUSED(gi, gl, 9, gl, "label 9", "index 2");

    /* wrong magic, both files */
    const char *p = TMP "/bad-magic-img";
    memcpy(buf, img, ni); put32(buf, 0x802);
    write_bytes(p, buf, ni, 0);
    EXPECT_REFUSED(p, gl, 10, p, "magic", "0x00000802", "0x00000803");
    p = TMP "/bad-magic-lab";
    memcpy(buf, lab, nl); put32(buf, 0x803);
    write_bytes(p, buf, nl, 0);
    EXPECT_REFUSED(gi, p, 10, p, "magic", "0x00000801");

    /* truncated: in the pixels, in the header, in the labels */
    p = TMP "/trunc-pix";
    write_bytes(p, img, ni - 7, 0);
    EXPECT_REFUSED(p, gl, 10, p, "truncated", "76", "69");
    p = TMP "/trunc-hdr";
    write_bytes(p, img, 10, 0);
    EXPECT_REFUSED(p, gl, 10, p, "truncated");
    p = TMP "/trunc-magic";
    write_bytes(p, img, 2, 0);
    EXPECT_REFUSED(p, gl, 10, p, "truncated");
    p = TMP "/empty";
    write_bytes(p, img, 0, 0);
    EXPECT_REFUSED(p, gl, 10, p, "truncated");
    p = TMP "/trunc-lab";
    write_bytes(p, lab, nl - 1, 0);
    EXPECT_REFUSED(gi, p, 10, p, "truncated");

    /* trailing garbage */
    p = TMP "/trailing-img";
    memcpy(buf, img, ni); buf[ni] = 0;
    write_bytes(p, buf, ni + 1, 0);
    EXPECT_REFUSED(p, gl, 10, p, "trailing");
    p = TMP "/trailing-lab.gz";
    memcpy(buf, lab, nl); memcpy(buf + nl, "junk", 4);
    write_bytes(p, buf, nl + 4, 1);
    EXPECT_REFUSED(gi, p, 10, p, "trailing");

    /* counts disagree: 5 images, 4 labels */
    p = TMP "/four-lab";
    size_t n4 = make_labels(buf, 0x801, 4, LAB5);
    write_bytes(p, buf, n4, 0);
    EXPECT_REFUSED(gi, p, 10, gi, p, "5 images", "4 labels");

    /* label out of range */
    p = TMP "/label10";
    unsigned char l10[5] = {3, 0, 9, 10, 7};
    make_labels(buf, 0x801, 5, l10);
    write_bytes(p, buf, nl, 0);
    EXPECT_REFUSED(gi, p, 10, p, "index 3", "label 10");

    /* zero / absurd dimensions (small files, huge headers: must not allocate) */
    p = TMP "/zero-dim";
    memcpy(buf, img, ni); put32(buf + 8, 0);
    write_bytes(p, buf, ni, 0);
    EXPECT_REFUSED(p, gl, 10, p, "zero");
    p = TMP "/huge-n";
    memcpy(buf, img, ni); put32(buf + 4, 100000001u);
    write_bytes(p, buf, ni, 0);
    EXPECT_REFUSED(p, gl, 10, p, "absurd");
    p = TMP "/huge-pixels";
    memcpy(buf, img, ni); put32(buf + 8, 1001); put32(buf + 12, 1000);
    write_bytes(p, buf, ni, 0);
    EXPECT_REFUSED(p, gl, 10, p, "absurd");
    p = TMP "/overflow";
    memcpy(buf, img, ni); put32(buf + 8, 0xffffffffu); put32(buf + 12, 0xffffffffu);
    write_bytes(p, buf, ni, 0);
    EXPECT_REFUSED(p, gl, 10, p, "absurd");
    p = TMP "/zero-lab";
    put32(buf, 0x801); put32(buf + 4, 0);
    write_bytes(p, buf, 8, 0);
    EXPECT_REFUSED(gi, p, 10, p, "zero");
    /* a big but allowed header with little data: refused as truncated */
    p = TMP "/big-claim";
    memcpy(buf, img, ni); put32(buf + 8, 1000); put32(buf + 12, 1000);
    write_bytes(p, buf, ni, 0);
    EXPECT_REFUSED(p, gl, 10, p, "truncated");

    /* truncated .gz: cut mid-stream and cut in the 8-byte trailer */
    size_t zlen = 0;
    unsigned char *z = slurp(zi, &zlen);
    CHECK(z && zlen > 20, "cannot read back %s", zi);
    if (z && zlen > 20) {
        p = TMP "/trunc-mid.gz";
        write_bytes(p, z, zlen / 2, 0);
        EXPECT_REFUSED(p, gl, 10, p);
        p = TMP "/trunc-trailer.gz";
        write_bytes(p, z, zlen - 3, 0);
        EXPECT_REFUSED(p, gl, 10, p);
        p = TMP "/bad-crc.gz";
        z[zlen - 6] ^= 0x55; /* corrupt the gzip CRC */
        write_bytes(p, z, zlen, 0);
        EXPECT_REFUSED(p, gl, 10, p);
    }
    free(z);

    /* missing files */
    p = TMP "/does-not-exist";
    EXPECT_REFUSED(p, gl, 10, p, "cannot open");
    EXPECT_REFUSED(gi, p, 10, p, "cannot open");
    EXPECT_REFUSED(TMP, gl, 10, TMP);

    /* ---- load_dir ---- */
    const char *dir = TMP "/mnist";
    mkdir(dir, 0755);
    unsigned char timg[16 + 3 * 12], tlab[8 + 3];
    size_t nti = make_images(timg, 0x803, 3, 3, 4, 99);
    size_t ntl = make_labels(tlab, 0x801, 3, (const unsigned char[]){5, 6, 2});
    uLong tcrc = crc32(crc32(crc32(0, Z_NULL, 0), timg, (uInt)nti), tlab, (uInt)ntl);
    char path[512];
    /* train images plain, train labels .gz, test images .gz, test labels plain */
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", dir); unlink(path);
    snprintf(path, sizeof path, "%s/train-labels-idx1-ubyte", dir); unlink(path);
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", dir); unlink(path);
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte.gz", dir); unlink(path);
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte", dir); write_bytes(path, img, ni, 0);
    snprintf(path, sizeof path, "%s/train-labels-idx1-ubyte.gz", dir); write_bytes(path, lab, nl, 1);
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte.gz", dir); write_bytes(path, timg, nti, 1);
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte", dir); write_bytes(path, tlab, ntl, 0);
    mlpb_dataset tr, te;
    junk(&tr); junk(&te);
    rc = mlpb_idx_load_dir(dir, &tr, &te, err, sizeof err);
    CHECK(rc == 0, "load_dir refused: %s", err);
    if (rc == 0) {
        check_good(&tr, img, lab, 5, 12, 10, crc);
        check_good(&te, timg, tlab, 3, 12, 10, tcrc);
        mlpb_dataset_free(&tr);
        mlpb_dataset_free(&te);
    }
    /* trailing slash accepted */
    snprintf(path, sizeof path, "%s/", dir);
    rc = mlpb_idx_load_dir(path, &tr, &te, err, sizeof err);
    CHECK(rc == 0 && tr.n == 5 && te.n == 3, "load_dir with trailing slash: %s", err);
    if (rc == 0) { mlpb_dataset_free(&tr); mlpb_dataset_free(&te); }

    /* plain preferred: a broken .gz next to a good plain file is ignored */
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", dir);
    write_bytes(path, (const unsigned char *)"broken", 6, 0);
    rc = mlpb_idx_load_dir(dir, &tr, &te, err, sizeof err);
    CHECK(rc == 0, "plain file not preferred over .gz: %s", err);
    if (rc == 0) { mlpb_dataset_free(&tr); mlpb_dataset_free(&te); }
    unlink(path);

    /* a broken test file: both outputs zeroed (train had loaded fine) */
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte", dir);
    write_bytes(path, tlab, ntl - 1, 0);
    junk(&tr); junk(&te);
    rc = mlpb_idx_load_dir(dir, &tr, &te, err, sizeof err);
    CHECK(rc == -1 && strstr(err, path), "broken test labels: rc=%d \"%s\"", rc, err);
    CHECK(is_zeroed(&tr) && is_zeroed(&te), "outputs not zeroed after load_dir failure");

    /* train and test with different d */
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte", dir);
    write_bytes(path, tlab, ntl, 0);
    size_t nwi = make_images(buf, 0x803, 3, 2, 4, 5);
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte.gz", dir);
    write_bytes(path, buf, nwi, 1);
    junk(&tr); junk(&te);
    rc = mlpb_idx_load_dir(dir, &tr, &te, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "12") && strstr(err, "8"), "d mismatch: rc=%d \"%s\"", rc, err);
    CHECK(is_zeroed(&tr) && is_zeroed(&te), "outputs not zeroed after d mismatch");

    /* a directory lacking one file */
    unlink(path);
    junk(&tr); junk(&te);
    rc = mlpb_idx_load_dir(dir, &tr, &te, err, sizeof err);
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", dir);
    CHECK(rc == -1 && strstr(err, path) && strstr(err, "not found"), "missing file: rc=%d \"%s\"",
          rc, err);
    CHECK(is_zeroed(&tr) && is_zeroed(&te), "outputs not zeroed after missing file");

    /* a missing directory */
    const char *nodir = TMP "/no-such-dir";
    junk(&tr); junk(&te);
    rc = mlpb_idx_load_dir(nodir, &tr, &te, err, sizeof err);
    CHECK(rc == -1 && strstr(err, nodir), "missing dir: rc=%d \"%s\"", rc, err);
    CHECK(is_zeroed(&tr) && is_zeroed(&te), "outputs not zeroed after missing dir");
    /* a file given as the directory */
    rc = mlpb_idx_load_dir(gi, &tr, &te, err, sizeof err);
    CHECK(rc == -1 && strstr(err, gi), "file as dir: rc=%d \"%s\"", rc, err);

    /* a tiny err buffer is not overrun, and NULL err is tolerated */
    char small[8];
    memset(small, 'x', sizeof small);
    rc = mlpb_idx_load(TMP "/does-not-exist", gl, 10, &a, small, 4);
    CHECK(rc == -1 && small[3] == '\0' && small[4] == 'x', "err buffer overrun");
    rc = mlpb_idx_load(TMP "/does-not-exist", gl, 10, &a, NULL, 0);
    CHECK(rc == -1, "NULL err");

    return check_summary("data_idx");
}

/* ---------- synthetic ---------- */

static int test_synthetic(void) {
    char err[MLPB_ERRLEN];
    mlpb_dataset a, b, c, e;
    int n = 1000, d = 20, k = 10;
    int ra = mlpb_synthetic(n, d, k, 7, 8, &a, err, sizeof err);
    int rb = mlpb_synthetic(n, d, k, 7, 8, &b, err, sizeof err);
    int rcc = mlpb_synthetic(n, d, k, 7, 9, &c, err, sizeof err);
    int re = mlpb_synthetic(n, d, k, 6, 8, &e, err, sizeof err);
    CHECK(ra == 0 && rb == 0 && rcc == 0 && re == 0, "synthetic refused: %s", err);
    if (ra || rb || rcc || re) return check_summary("data_synthetic");

    CHECK(a.n == n && a.d == d && a.k == k && a.crc32 == 0, "shape %d %d %d crc %08x",
          a.n, a.d, a.k, a.crc32);
    CHECK(memcmp(a.X, b.X, (size_t)n * d * sizeof(float)) == 0, "same seeds, different X");
    CHECK(memcmp(a.Y, b.Y, (size_t)n * k * sizeof(float)) == 0, "same seeds, different Y");
    CHECK(memcmp(a.label, b.label, (size_t)n) == 0, "same seeds, different labels");
    CHECK(memcmp(a.X, c.X, (size_t)n * d * sizeof(float)) != 0, "different sample seed, same X");
    CHECK(memcmp(a.label, c.label, (size_t)n) != 0, "different sample seed, same labels");
    CHECK(memcmp(a.X, e.X, (size_t)n * d * sizeof(float)) != 0, "different centre seed, same X");

    int out_of_range = 0, bad_onehot = 0, count[10] = {0}, bad_label = 0;
    for (size_t i = 0; i < (size_t)n * d; i++) out_of_range += !(a.X[i] >= 0.0f && a.X[i] <= 1.0f);
    for (int i = 0; i < n; i++) {
        if (a.label[i] >= k) { bad_label++; continue; }
        count[a.label[i]]++;
        float s = 0;
        for (int j = 0; j < k; j++) s += a.Y[i * k + j];
        bad_onehot += s != 1.0f || a.Y[i * k + a.label[i]] != 1.0f;
    }
    CHECK(out_of_range == 0, "%d values outside [0,1]", out_of_range);
    CHECK(bad_label == 0, "%d labels >= k", bad_label);
    CHECK(bad_onehot == 0, "%d rows where Y is not the one-hot of label", bad_onehot);
    for (int j = 0; j < k; j++) CHECK(count[j] > 0, "class %d never appears", j);

    /* the noise is real: rows of one class are not all equal */
    int differ = 0;
    for (int i = 1; i < n && !differ; i++)
        if (a.label[i] == a.label[0]) differ = memcmp(a.X, a.X + (size_t)i * d, d * sizeof(float)) != 0;
    CHECK(differ, "rows of one class are identical");

    mlpb_dataset_free(&a); mlpb_dataset_free(&b); mlpb_dataset_free(&c); mlpb_dataset_free(&e);

    /* small d still valid (different sigma branch) */
    int rs = mlpb_synthetic(50, 3, 2, 1, 2, &a, err, sizeof err);
    CHECK(rs == 0 && a.n == 50 && a.d == 3, "d=3 refused: %s", err);
    if (rs == 0) mlpb_dataset_free(&a);

    /* bad arguments */
    struct { int n, d, k; const char *what; } bad[] = {
        {0, 4, 2, "n=0"}, {-1, 4, 2, "n=-1"}, {10, 0, 2, "d=0"}, {10, 4, 1, "k=1"},
        {10, 4, 256, "k=256"}, {1 << 20, 1 << 12, 10, "n*d too large"},
        {1 << 30, 1, 255, "n*k too large"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        junk(&a);
        int r = mlpb_synthetic(bad[i].n, bad[i].d, bad[i].k, 1, 2, &a, err, sizeof err);
        CHECK(r == -1, "%s accepted", bad[i].what);
        CHECK(err[0] != '\0', "%s: no message", bad[i].what);
        CHECK(is_zeroed(&a), "%s: output not zeroed", bad[i].what);
        if (r == 0) mlpb_dataset_free(&a);
    }
    /* mlpb_huge_alloc (sys/hugemem.h, the data sets' allocator): every size
     * usable to its end, zeroed on request, 64-byte aligned, from 2 MiB up on
     * 2 MiB boundaries (where huge pages can back it) */
    const size_t hf = ((size_t)2 << 20) / sizeof(float);
    const size_t sizes[] = { 0, 1, 1000, hf - 1, hf, hf + 3, 3 * hf + 1 };
    for (int i = 0; i < (int)(sizeof sizes / sizeof *sizes); i++) {
        const size_t m = sizes[i];
        float *p = mlpb_huge_alloc(m * sizeof(float), 1);
        CHECK(p != NULL, "mlpb_huge_alloc(%zu floats) failed", m);
        if (!p) continue;
        size_t nonzero = 0;
        for (size_t j = 0; j < m; j++) nonzero += p[j] != 0.0f;
        CHECK(nonzero == 0, "mlpb_huge_alloc(%zu floats, zero): %zu floats not zero", m, nonzero);
        CHECK((uintptr_t)p % 64 == 0, "mlpb_huge_alloc(%zu floats): %p not on 64 bytes", m, (void *)p);
        CHECK(m < hf || (uintptr_t)p % ((size_t)2 << 20) == 0, "mlpb_huge_alloc(%zu floats): %p not on 2 MiB", m, (void *)p);
        p[m ? m - 1 : 0] = 1.0f; /* the last float is ours (ASan checks it) */
        if (m == 3 * hf + 1) { /* mlpb_huge_kb: a mapped block's AnonHugePages (>= 0), -1 off any mapping */
            FILE *f = fopen("/proc/self/smaps", "r");
            if (f) {
                fclose(f);
                const long kb = mlpb_huge_kb(p);
                CHECK(kb >= 0, "mlpb_huge_kb of a mapped block: %ld", kb);
                CHECK(mlpb_huge_kb((const void *)16) == -1, "mlpb_huge_kb((void *)16) is not -1");
            } else {
                fprintf(stderr, "SKIP mlpb_huge_kb: no /proc/self/smaps\n");
            }
        }
        free(p);
    }
    return check_summary("data_synthetic");
}

/* ---------- fashion ---------- */

static int test_fashion(void) {
    const char *dir = getenv("MLPBENCH_DATA");
    if (!dir || !*dir) dir = MLPB_DEFAULT_DATA_DIR;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        CHECK(0, "Fashion-MNIST folder %s not found: install the Debian package "
                 "dataset-fashion-mnist (or set MLPBENCH_DATA)", dir);
        return check_summary("data_fashion_mnist");
    }
    char err[MLPB_ERRLEN];
    mlpb_dataset tr, te;
    int rc = mlpb_idx_load_dir(dir, &tr, &te, err, sizeof err);
    CHECK(rc == 0, "loading %s: %s", dir, err);
    if (rc != 0) return check_summary("data_fashion_mnist");

    CHECK(tr.n == 60000 && te.n == 10000, "n train %d test %d", tr.n, te.n);
    CHECK(tr.d == 784 && te.d == 784, "d train %d test %d", tr.d, te.d);
    CHECK(tr.k == 10 && te.k == 10, "k train %d test %d", tr.k, te.k);
    CHECK(tr.label[0] == 9, "first train label %d, want 9 (Ankle boot)", tr.label[0]);
    CHECK(te.label[0] == 9, "first test label %d, want 9 (Ankle boot)", te.label[0]);
    mlpb_dataset *sets[2] = {&tr, &te};
    int want[2] = {6000, 1000};
    for (int s = 0; s < 2; s++) {
        const mlpb_dataset *ds = sets[s];
        int count[10] = {0}, bad = 0, bad_y = 0;
        float lo = 1, hi = 0;
        for (size_t i = 0; i < (size_t)ds->n * ds->d; i++) {
            float v = ds->X[i];
            bad += !(v >= 0.0f && v <= 1.0f);
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        for (int i = 0; i < ds->n; i++) {
            if (ds->label[i] < 10) count[ds->label[i]]++;
            bad_y += ds->Y[(size_t)i * 10 + ds->label[i] % 10] != 1.0f;
        }
        CHECK(bad == 0 && lo == 0.0f && hi == 1.0f, "%s: %d pixels outside [0,1], range [%g,%g]",
              s ? "test" : "train", bad, lo, hi);
        CHECK(bad_y == 0, "%s: %d Y rows do not match labels", s ? "test" : "train", bad_y);
        for (int c = 0; c < 10; c++)
            CHECK(count[c] == want[s], "%s: class %d has %d rows, want %d",
                  s ? "test" : "train", c, count[c], want[s]);
    }
    CHECK(tr.crc32 != 0 && tr.crc32 != te.crc32, "crc32 train %08x test %08x", tr.crc32, te.crc32);
    mlpb_dataset_free(&tr);
    mlpb_dataset_free(&te);
    return check_summary("data_fashion_mnist");
}

int main(int argc, char **argv) {
    const char *g = argc > 1 ? argv[1] : "";
    if (!strcmp(g, "idx")) return test_idx();
    if (!strcmp(g, "synthetic")) return test_synthetic();
    if (!strcmp(g, "fashion")) return test_fashion();
    fprintf(stderr, "usage: %s idx|synthetic|fashion\n", argv[0]);
    return 2;
}
