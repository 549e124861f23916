/* idx.c - loader for IDX image/label pairs (MNIST, Fashion-MNIST), plain or
 * gzip'd (zlib detects which by content). The file loader only reads (and
 * decompresses) the bytes; mlpb_idx_parse validates every header field and
 * the data length before building X/Y/label, for files and for memory (the
 * fuzzer) alike. Errors go to err, never stderr.
 * Not a general IDX reader: only uint8 3-D images and uint8 1-D labels. */
#define _GNU_SOURCE
#include "data/dataset.h"
#include "sys/hugemem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define IDX_MAGIC_IMAGES 0x00000803u
#define IDX_MAGIC_LABELS 0x00000801u
#define IDX_MAX_N        100000000ull
#define IDX_MAX_PIXELS   1000000ull

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- validation (memory) ---- */

/* The header of an image (magic 0x803, n, rows, cols) or label (magic 0x801,
 * n) file held in b[0..len): *n rows of *d bytes each (d = 1 for labels). */
static int idx_header(const unsigned char *b, size_t len, const char *name, uint32_t magic,
                      unsigned long long *n, unsigned long long *d, char *err, size_t errlen) {
    int images = magic == IDX_MAGIC_IMAGES;
    size_t hb = images ? 16 : 8;
    if (len >= 4 && be32(b) != magic) {
        set_err(err, errlen, "%s: wrong magic 0x%08x (expected 0x%08x, IDX %s file)",
                name, be32(b), magic, images ? "uint8 image" : "uint8 label");
        return -1;
    }
    if (len < hb) {
        set_err(err, errlen, "%s: truncated header: expected %zu bytes, got %zu", name, hb, len);
        return -1;
    }
    *n = be32(b + 4);
    if (!images) {
        *d = 1;
        if (*n == 0) set_err(err, errlen, "%s: zero dimension (label count is 0)", name);
        else if (*n > IDX_MAX_N)
            set_err(err, errlen, "%s: absurd label count %llu (limit %llu)", name, *n, IDX_MAX_N);
        return *n == 0 || *n > IDX_MAX_N ? -1 : 0;
    }
    unsigned long long rows = be32(b + 8), cols = be32(b + 12);
    if (*n == 0 || rows == 0 || cols == 0) {
        set_err(err, errlen, "%s: zero dimension (n=%llu rows=%llu cols=%llu)", name, *n, rows, cols);
        return -1;
    }
    /* rows * cols < 2^64 (two u32); n * rows * cols only once both are bounded */
    if (*n > IDX_MAX_N || rows * cols > IDX_MAX_PIXELS || *n * rows * cols > SIZE_MAX / sizeof(float)) {
        set_err(err, errlen, "%s: absurd dimensions n=%llu rows=%llu cols=%llu "
                "(limits: n <= %llu, rows*cols <= %llu)",
                name, *n, rows, cols, IDX_MAX_N, IDX_MAX_PIXELS);
        return -1;
    }
    *d = rows * cols;
    return 0;
}

/* Exactly header + data bytes: no fewer (truncated), no more (trailing). */
static int idx_length(size_t len, const char *name, size_t header_bytes, size_t need,
                      char *err, size_t errlen) {
    if (len - header_bytes < need) {
        set_err(err, errlen, "%s: truncated: expected %zu bytes (%zu header + %zu data), got %zu",
                name, header_bytes + need, header_bytes, need, len);
        return -1;
    }
    if (len - header_bytes > need) {
        set_err(err, errlen, "%s: trailing bytes after the %llu bytes of header and data",
                name, (unsigned long long)(header_bytes + need));
        return -1;
    }
    return 0;
}

int mlpb_idx_parse(const unsigned char *img, size_t img_len, const unsigned char *lbl, size_t lbl_len,
                   const char *img_name, const char *lbl_name, int classes, mlpb_dataset *out,
                   char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (classes < 2 || classes > 256) {
        set_err(err, errlen, "%s: invalid number of classes %d (need 2..256)", lbl_name, classes);
        return -1;
    }
    unsigned long long n, d, nl, one;
    if (idx_header(img, img_len, img_name, IDX_MAGIC_IMAGES, &n, &d, err, errlen) != 0) return -1;
    if (idx_header(lbl, lbl_len, lbl_name, IDX_MAGIC_LABELS, &nl, &one, err, errlen) != 0) return -1;
    if (nl != n) {
        set_err(err, errlen, "count mismatch: %s has %llu images but %s has %llu labels",
                img_name, n, lbl_name, nl);
        return -1;
    }
    size_t npix = (size_t)(n * d);
    if (idx_length(img_len, img_name, 16, npix, err, errlen) != 0) return -1;
    if (idx_length(lbl_len, lbl_name, 8, (size_t)n, err, errlen) != 0) return -1;
    const unsigned char *pix = img + 16, *lab = lbl + 8;
    for (size_t i = 0; i < n; i++) {
        if (lab[i] >= classes) {
            set_err(err, errlen, "%s: label %u at index %zu is out of range (classes = %d)",
                    lbl_name, (unsigned)lab[i], i, classes);
            return -1;
        }
    }

    float *X = mlpb_huge_alloc(npix * sizeof(float), 0); /* rows on huge pages (sys/hugemem.h) */
    float *Y = mlpb_huge_alloc((size_t)n * (size_t)classes * sizeof(float), 1);
    uint8_t *label = malloc((size_t)n);
    if (!X || !Y || !label) {
        set_err(err, errlen, "%s: out of memory for %llu x %llu floats", img_name, n, d);
        free(X);
        free(Y);
        free(label);
        return -1;
    }
    for (size_t i = 0; i < npix; i++) X[i] = (float)pix[i] / 255.0f;
    memcpy(label, lab, (size_t)n);
    for (size_t i = 0; i < n; i++) Y[i * (size_t)classes + lab[i]] = 1.0f;

    /* crc over the image file's bytes, continued over the label file's bytes */
    uLong crc = crc32_z(crc32_z(crc32(0L, Z_NULL, 0), img, img_len), lbl, lbl_len);
    out->n = (int)n;
    out->d = (int)d;
    out->k = classes;
    out->X = X;
    out->Y = Y;
    out->label = label;
    out->crc32 = (uint32_t)crc;
    return 0;
}

/* ---- reading (files) ---- */

/* An open IDX file: path for messages. */
typedef struct idx_file {
    const char *path;
    gzFile gz;
} idx_file;

static int idx_open(idx_file *f, const char *path, char *err, size_t errlen) {
    f->path = path;
    f->gz = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        set_err(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        set_err(err, errlen, "%s: cannot open: is a directory", path);
        close(fd);
        return -1;
    }
    f->gz = gzdopen(fd, "rb");
    if (!f->gz) {
        set_err(err, errlen, "%s: cannot open: out of memory", path);
        close(fd);
        return -1;
    }
    gzbuffer(f->gz, 1u << 17);
    return 0;
}

static void idx_close(idx_file *f) {
    if (f->gz) gzclose_r(f->gz);
    f->gz = NULL;
}

/* Read up to len bytes. Returns bytes read (< len only at end of data) or -1
 * on a read/decompression error, with the message in err. */
static long long idx_read(idx_file *f, unsigned char *buf, size_t len, char *err, size_t errlen) {
    size_t got = 0;
    while (got < len) {
        size_t want = len - got;
        if (want > (1u << 30)) want = 1u << 30;
        int r = gzread(f->gz, buf + got, (unsigned)want);
        if (r > 0) got += (size_t)r;
        int code;
        const char *msg = gzerror(f->gz, &code);
        if (code != Z_OK) {
            /* zlib prefixes "<fd:N>: " to its own message; drop it */
            const char *colon = strstr(msg, ": ");
            if (colon && msg[0] == '<') msg = colon + 2;
            if (code == Z_ERRNO)
                set_err(err, errlen, "%s: read error: %s", f->path, strerror(errno));
            else if (code == Z_BUF_ERROR)
                set_err(err, errlen, "%s: truncated gzip stream (%s)", f->path, msg);
            else
                set_err(err, errlen, "%s: corrupt gzip stream (%s)", f->path, msg);
            return -1;
        }
        if (r <= 0) break; /* clean end of data */
    }
    return (long long)got;
}

/* The (decompressed) bytes of one IDX file, for mlpb_idx_parse: the header,
 * then, if the header is valid, the data it announces plus one byte (so that
 * trailing bytes show). The buffer grows with what is actually present, so a
 * lying header cannot trigger a huge allocation; a refused header stops the
 * reading (the parser names the fault). */
static unsigned char *idx_slurp(const char *path, uint32_t magic, size_t *len, char *err, size_t errlen) {
    idx_file f;
    if (idx_open(&f, path, err, errlen) != 0) return NULL;
    size_t hb = magic == IDX_MAGIC_IMAGES ? 16 : 8, cap = hb, got = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        set_err(err, errlen, "%s: out of memory (%zu bytes)", path, cap);
        goto fail;
    }
    long long r = idx_read(&f, buf, hb, err, errlen);
    if (r < 0) goto fail;
    got = (size_t)r;
    unsigned long long n, d;
    if (got == hb && idx_header(buf, got, path, magic, &n, &d, NULL, 0) == 0) {
        size_t want = hb + (size_t)(n * d) + 1;
        while (got < want) {
            if (got == cap) {
                size_t ncap = cap < (1u << 19) ? (1u << 20) : cap * 2;
                if (ncap > want) ncap = want;
                unsigned char *nb = realloc(buf, ncap);
                if (!nb) {
                    set_err(err, errlen, "%s: out of memory (%zu bytes)", path, ncap);
                    goto fail;
                }
                buf = nb;
                cap = ncap;
            }
            r = idx_read(&f, buf + got, cap - got, err, errlen);
            if (r < 0) goto fail;
            got += (size_t)r;
            if (got < cap) break; /* short read: end of data */
        }
    }
    idx_close(&f);
    *len = got;
    return buf;
fail:
    idx_close(&f);
    free(buf);
    return NULL;
}

int mlpb_idx_load(const char *images_path, const char *labels_path, int classes,
                  mlpb_dataset *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    size_t ni = 0, nl = 0;
    unsigned char *img = NULL, *lbl = NULL;
    int rc = -1;
    if ((img = idx_slurp(images_path, IDX_MAGIC_IMAGES, &ni, err, errlen)) &&
        (lbl = idx_slurp(labels_path, IDX_MAGIC_LABELS, &nl, err, errlen)))
        rc = mlpb_idx_parse(img, ni, lbl, nl, images_path, labels_path, classes, out, err, errlen);
    free(img);
    free(lbl);
    return rc;
}

/* dir/name or dir/name.gz (plain preferred); NULL with a message if neither. */
static char *find_file(const char *dir, const char *name, char *err, size_t errlen) {
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] == '/';
    size_t len = dl + 1 + strlen(name) + 4;
    char *p = malloc(len);
    if (!p) {
        set_err(err, errlen, "%s: out of memory", dir);
        return NULL;
    }
    struct stat st;
    snprintf(p, len, "%s%s%s", dir, slash ? "" : "/", name);
    if (stat(p, &st) == 0) return p;
    snprintf(p, len, "%s%s%s.gz", dir, slash ? "" : "/", name);
    if (stat(p, &st) == 0) return p;
    set_err(err, errlen, "%s%s%s[.gz]: not found", dir, slash ? "" : "/", name);
    free(p);
    return NULL;
}

int mlpb_idx_load_dir(const char *dir, mlpb_dataset *train, mlpb_dataset *test,
                      char *err, size_t errlen) {
    static const char *names[4] = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    };
    char *paths[4] = {0};
    int rc = -1;
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);

    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT) set_err(err, errlen, "no such directory: %s", dir);
        else set_err(err, errlen, "%s: cannot access: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        set_err(err, errlen, "not a directory: %s", dir);
        return -1;
    }
    for (int i = 0; i < 4; i++)
        if (!(paths[i] = find_file(dir, names[i], err, errlen))) goto done;

    if (mlpb_idx_load(paths[0], paths[1], 10, train, err, errlen) != 0) goto done;
    if (mlpb_idx_load(paths[2], paths[3], 10, test, err, errlen) != 0) goto done;
    if (train->d != test->d) {
        set_err(err, errlen, "feature count mismatch: %s has %d pixels per image but %s has %d",
                paths[0], train->d, paths[2], test->d);
        goto done;
    }
    rc = 0;
done:
    if (rc != 0) {
        mlpb_dataset_free(train);
        mlpb_dataset_free(test);
    }
    for (int i = 0; i < 4; i++) free(paths[i]);
    return rc;
}

void mlpb_dataset_truncate(mlpb_dataset *ds, int n) {
    if (!ds || n < 0 || n >= ds->n) return;
    ds->n = n; /* rows are contiguous: the first n stay valid in place */
}

void mlpb_dataset_free(mlpb_dataset *ds) {
    if (!ds) return;
    free(ds->X);
    free(ds->Y);
    free(ds->label);
    memset(ds, 0, sizeof *ds);
}
