/* idx.c - loader for IDX image/label pairs (MNIST, Fashion-MNIST), plain or
 * gzip'd (zlib detects which by content). Validates every header field and
 * the data length before building X/Y/label; errors go to err, never stderr.
 * Not a general IDX reader: only uint8 3-D images and uint8 1-D labels. */
#define _GNU_SOURCE
#include "data/dataset.h"

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

/* An open IDX file: path for messages, running crc over everything read. */
typedef struct idx_file {
    const char *path;
    gzFile gz;
    uLong crc;
} idx_file;

static int idx_open(idx_file *f, const char *path, uLong crc, char *err, size_t errlen) {
    f->path = path;
    f->gz = NULL;
    f->crc = crc;
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
        if (r > 0) {
            f->crc = crc32(f->crc, buf + got, (uInt)r);
            got += (size_t)r;
        }
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

/* After the expected data: any further byte (or a broken gzip trailer) fails. */
static int idx_expect_end(idx_file *f, unsigned long long data_bytes, char *err, size_t errlen) {
    unsigned char extra[64];
    uLong crc = f->crc;
    long long r = idx_read(f, extra, sizeof extra, err, errlen);
    f->crc = crc;
    if (r < 0) return -1;
    if (r > 0) {
        set_err(err, errlen, "%s: trailing bytes after the %llu bytes of header and data",
                f->path, data_bytes);
        return -1;
    }
    return 0;
}

/* Read exactly `need` data bytes into a buffer that grows with what is
 * actually present, so a lying header cannot trigger a huge allocation.
 * header_bytes is only for the truncation message. */
static unsigned char *idx_read_data(idx_file *f, size_t need, size_t header_bytes,
                                    char *err, size_t errlen) {
    size_t cap = need < (1u << 20) ? need : (1u << 20), got = 0;
    unsigned char *buf = malloc(cap ? cap : 1);
    if (!buf) {
        set_err(err, errlen, "%s: out of memory (%zu bytes)", f->path, cap);
        return NULL;
    }
    while (got < need) {
        if (got == cap) {
            size_t ncap = cap > need / 2 ? need : cap * 2;
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                set_err(err, errlen, "%s: out of memory (%zu bytes)", f->path, ncap);
                free(buf);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        long long r = idx_read(f, buf + got, cap - got, err, errlen);
        if (r < 0) { free(buf); return NULL; }
        got += (size_t)r;
        if (got < cap) break; /* short read: end of data */
    }
    if (got < need) {
        set_err(err, errlen, "%s: truncated: expected %zu bytes (%zu header + %zu data), got %zu",
                f->path, header_bytes + need, header_bytes, need, header_bytes + got);
        free(buf);
        return NULL;
    }
    return buf;
}

/* Read the magic plus ndims u32 dims. */
static int idx_header(idx_file *f, uint32_t magic, int ndims, uint32_t *dims,
                      char *err, size_t errlen) {
    unsigned char h[16];
    size_t hb = 4 + 4 * (size_t)ndims;
    long long r = idx_read(f, h, hb, err, errlen);
    if (r < 0) return -1;
    if (r >= 4 && be32(h) != magic) {
        set_err(err, errlen, "%s: wrong magic 0x%08x (expected 0x%08x, IDX %s file)",
                f->path, be32(h), magic, magic == IDX_MAGIC_IMAGES ? "uint8 image" : "uint8 label");
        return -1;
    }
    if ((size_t)r < hb) {
        set_err(err, errlen, "%s: truncated header: expected %zu bytes, got %lld", f->path, hb, r);
        return -1;
    }
    for (int i = 0; i < ndims; i++) dims[i] = be32(h + 4 + 4 * i);
    return 0;
}

int mlpb_idx_load(const char *images_path, const char *labels_path, int classes,
                  mlpb_dataset *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    idx_file fi = {0}, fl = {0};
    unsigned char *pix = NULL, *lab = NULL;
    float *X = NULL, *Y = NULL;
    uint8_t *label = NULL;

    if (classes < 2 || classes > 256) {
        set_err(err, errlen, "%s: invalid number of classes %d (need 2..256)", labels_path, classes);
        return -1;
    }

    uint32_t idim[3], ldim[1];
    if (idx_open(&fi, images_path, crc32(0L, Z_NULL, 0), err, errlen) != 0) goto fail;
    if (idx_header(&fi, IDX_MAGIC_IMAGES, 3, idim, err, errlen) != 0) goto fail;
    unsigned long long n = idim[0], rows = idim[1], cols = idim[2];
    if (n == 0 || rows == 0 || cols == 0) {
        set_err(err, errlen, "%s: zero dimension (n=%llu rows=%llu cols=%llu)",
                images_path, n, rows, cols);
        goto fail;
    }
    if (n > IDX_MAX_N || rows * cols > IDX_MAX_PIXELS || n * rows * cols > SIZE_MAX / sizeof(float)) {
        set_err(err, errlen, "%s: absurd dimensions n=%llu rows=%llu cols=%llu "
                "(limits: n <= %llu, rows*cols <= %llu)",
                images_path, n, rows, cols, IDX_MAX_N, IDX_MAX_PIXELS);
        goto fail;
    }

    if (idx_open(&fl, labels_path, crc32(0L, Z_NULL, 0), err, errlen) != 0) goto fail;
    if (idx_header(&fl, IDX_MAGIC_LABELS, 1, ldim, err, errlen) != 0) goto fail;
    unsigned long long nl = ldim[0];
    if (nl == 0 || nl > IDX_MAX_N) {
        if (nl == 0) set_err(err, errlen, "%s: zero dimension (label count is 0)", labels_path);
        else set_err(err, errlen, "%s: absurd label count %llu (limit %llu)", labels_path, nl, IDX_MAX_N);
        goto fail;
    }
    if (nl != n) {
        set_err(err, errlen, "count mismatch: %s has %llu images but %s has %llu labels",
                images_path, n, labels_path, nl);
        goto fail;
    }

    size_t d = (size_t)(rows * cols), npix = (size_t)n * d;
    pix = idx_read_data(&fi, npix, 16, err, errlen);
    if (!pix || idx_expect_end(&fi, 16 + (unsigned long long)npix, err, errlen) != 0) goto fail;
    lab = idx_read_data(&fl, (size_t)n, 8, err, errlen);
    if (!lab || idx_expect_end(&fl, 8 + n, err, errlen) != 0) goto fail;

    for (size_t i = 0; i < n; i++) {
        if (lab[i] >= classes) {
            set_err(err, errlen, "%s: label %u at index %zu is out of range (classes = %d)",
                    labels_path, (unsigned)lab[i], i, classes);
            goto fail;
        }
    }

    X = malloc(npix * sizeof *X);
    Y = calloc((size_t)n * (size_t)classes, sizeof *Y);
    if (!X || !Y) {
        set_err(err, errlen, "%s: out of memory for %llu x %zu floats", images_path, n, d);
        goto fail;
    }
    for (size_t i = 0; i < npix; i++) X[i] = (float)pix[i] / 255.0f;
    for (size_t i = 0; i < n; i++) Y[i * (size_t)classes + lab[i]] = 1.0f;

    /* crc over the image file's bytes, continued over the label file's bytes */
    uLong crc = crc32_combine(fi.crc, fl.crc, (z_off_t)(8 + n));

    free(pix);
    idx_close(&fi);
    idx_close(&fl);
    label = lab;
    out->n = (int)n;
    out->d = (int)d;
    out->k = classes;
    out->X = X;
    out->Y = Y;
    out->label = label;
    out->crc32 = (uint32_t)crc;
    return 0;

fail:
    idx_close(&fi);
    idx_close(&fl);
    free(pix);
    free(lab);
    free(X);
    free(Y);
    memset(out, 0, sizeof *out);
    return -1;
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
