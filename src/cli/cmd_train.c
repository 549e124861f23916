/* cmd_train.c - `mlpbench train`: one training run, one line per epoch on
 * stdout, the loss curve to --log CSV. Every flag is checked and the data
 * loaded before the CSV is created. */
#include <errno.h>
#include <signal.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "nn/mlp.h"
#include "sys/dist.h"
#include "sys/hugemem.h"
#include "sys/pin.h"
#include "train/checkpoint.h"
#include "train/train.h"

#define MAX_LAYERS 64

static const cli_opt train_opts[] = {
    CLI_DATA_OPTS,
    {"hidden", "LIST", "256,128", NULL, "hidden layer widths, e.g. 256,128 or 1024x512x256"},
    {"batch", "full|N", "64", NULL, "rows per step: full = gradient descent, 1 = SGD, N = mini-batch"},
    {"epochs", "N", "10", NULL, "passes over the training set"},
    {"lr", "ETA", "0.5", NULL, "learning rate eta of update (18)"},
    {"reduction", "mean|sum", "mean", NULL, "mean: loss and gradients / batch size; sum: the seed's literal (7)-(18)"},
    {"threads", "N", NULL, "all cores", "OpenMP threads for every kernel"},
    {"seed", "N", "1", NULL, "seeds weights and shuffling; same seed => same bits for any thread count"},
    {"kernel", "ref|blocked|simd", "simd", NULL, "ref: naive loops; blocked: packed GEMM, scalar micro-kernel; simd: ISA micro-kernel"},
    {"isa", "auto|avx512|avx2|scalar", NULL, "$MLPB_ISA or auto", "micro-kernel ISA for --kernel simd"},
    {"log", "FILE.csv", NULL, "none", "write the loss curve (one row per epoch) to this CSV (appended to on --resume)"},
    {"save", "FILE", NULL, "none", "write a checkpoint after every epoch, at the end, and on Ctrl-C"},
    {"resume", "FILE", NULL, "none", "continue the run saved in FILE, bit for bit (the same flags, more --epochs)"},
    {NULL, NULL, NULL, NULL, NULL},
};

static volatile sig_atomic_t interrupted = 0;
static void on_sigint(int sig) { (void)sig; interrupted = 1; }

typedef struct saver { const char *path; mlpb_ckpt_meta meta; int saved; } saver;

static int save_checkpoint(const mlpb_train_state *st, const mlpb_mlp *net, void *user, char *err, size_t errlen) {
    saver *sv = user;
    if (mlpb_ckpt_save(sv->path, &sv->meta, net, st, err, errlen)) return -1;
    sv->saved = 1;
    return 0;
}

typedef struct run_log {
    FILE *csv;
    const char *path, *isa, *kernel;
    int threads, batch, root;
} run_log;

static int on_point(const mlpb_point *p, void *user) {
    run_log *lg = user;
    if (!lg->root) return 0;
    printf("%5.0f %9ld %11.5g %10.5g %9.4f %12.0f %9.2f\n", p->epoch, p->step, p->train_loss, p->test_loss,
           p->test_acc, p->samples_per_s, p->wall_s);
    fflush(stdout);
    if (lg->csv) {
        fprintf(lg->csv, "%.6g,%ld,%ld,%.6f,%.6f,%.8g,%.8g,%.6f,%.1f,%s,%s,%d,%d\n", p->epoch, p->step,
                p->samples_seen, p->wall_s, p->eval_s, p->train_loss, p->test_loss, p->test_acc,
                p->samples_per_s, lg->isa, lg->kernel, lg->threads, lg->batch);
        if (fflush(lg->csv) || ferror(lg->csv)) {
            fprintf(stderr, "mlpbench: %s: write failed: %s\n", lg->path, strerror(errno));
            return 1;
        }
    }
    return 0;
}

int mlpb_cmd_train(int argc, char **argv) {
    cli c = { .cmd = "train", .opts = train_opts };
    cli_parse(&c, argc, argv);
    char err[MLPB_ERRLEN];

    /* 1. every flag, before any work */
    cli_check_data(&c);
    int hidden[MAX_LAYERS], nh;
    if (mlpb_parse_int_list("--hidden", cli_get(&c, "hidden"), 1, 1 << 20, hidden, MAX_LAYERS - 2, &nh, err,
                            sizeof err))
        cli_usage_error(&c, "%s", err);
    const char *bs = cli_get(&c, "batch");
    long batch = strcmp(bs, "full") ? cli_long(&c, "--batch", bs, 1, 2147483647L) : 0;
    long epochs = cli_long(&c, "--epochs", cli_get(&c, "epochs"), 1, 1000000);
    double lr = cli_double(&c, "--lr", cli_get(&c, "lr"), FLT_MIN, FLT_MAX);
    static const char *const reds[] = { "mean", "sum", NULL };
    mlpb_reduction red = (mlpb_reduction)cli_word(&c, "--reduction", cli_get(&c, "reduction"), reds);
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    const mlpb_dist *dist = mlpb_dist_world();
    const int R = dist ? dist->size : 1, root = !dist || dist->rank == 0;
    long per_rank = si.cores / mlpb_pin_local_ranks(); /* the cores of this machine's ranks, shared */
    long threads = cli_get(&c, "threads") ? cli_long(&c, "--threads", cli_get(&c, "threads"), 1, 1024)
                                          : per_rank > 0 ? per_rank : 1;
    if (batch && batch < R)
        cli_usage_error(&c, "--batch %ld is smaller than the %d MPI ranks: every rank needs a row", batch, R);
    long seed = cli_long(&c, "--seed", cli_get(&c, "seed"), 0, 0x7fffffffffffffffL);
    mlpb_kernel kernel = (mlpb_kernel)cli_word(&c, "--kernel", cli_get(&c, "kernel"), cli_kernel_names);
    const mlpb_ukr *ukr = cli_isa(&c, cli_get(&c, "isa"));

    /* 2. data */
    mlpb_dataset tr, te;
    const char *dname;
    cli_load_data(&c, seed, &tr, &te, &dname);

    /* 3. network (fresh or from --resume), kernels, memory */
    int widths[MAX_LAYERS];
    widths[0] = tr.d;
    for (int i = 0; i < nh; i++) widths[i + 1] = hidden[i];
    widths[nh + 1] = tr.k;
    const int B = batch && batch < tr.n ? (int)batch : tr.n;
    double need = (double)mlpb_mlp_bytes(nh + 1, widths) + (double)mlpb_acts_bytes(widths, nh + 1, B) +
                  (double)mlpb_acts_bytes(widths, nh + 1, 1000) + (B < tr.n ? (double)B * (tr.d + tr.k) * 4 : 0) +
                  (double)tr.n * 4;
    char what[128];
    snprintf(what, sizeof what, "training with batch %d (activations of %d rows)", B, B);
    cli_check_memory(&c, cli_get(&c, "max-memory"), need, what);
    saver sv = { root ? cli_get(&c, "save") : NULL, { .L = nh + 1, .reduction = red, .seed = (uint64_t)seed, .batch = (int)batch,
                 .lr = (float)lr, .points_per_epoch = 1, .data_crc32 = tr.crc32, .data_rows = tr.n }, 0 };
    memcpy(sv.meta.widths, widths, (size_t)(nh + 2) * sizeof(int));
    mlpb_mlp net;
    mlpb_train_state resume = {0};
    const char *rpath = cli_get(&c, "resume");
    if (rpath) {
        mlpb_ckpt_meta have;
        char why[512];
        if (mlpb_ckpt_load(rpath, &have, &net, &resume, err, sizeof err)) cli_fail("--resume %s", err);
        if (*mlpb_ckpt_mismatch(&have, &sv.meta, why, sizeof why)) cli_fail("--resume %s: %s", rpath, why);
        if (resume.epoch >= epochs)
            cli_fail("--resume %s: the run already has %d epochs; ask for more with --epochs", rpath, resume.epoch);
    } else if (mlpb_mlp_init(&net, nh + 1, widths, (uint64_t)seed)) {
        cli_fail("out of memory allocating the network");
    }
    const char *isa_used;
    mlpb_ctx *ctx = cli_make_ctx(&si, kernel, ukr, (int)threads, &isa_used);
    const mlpb_kcfg *kc = mlpb_ctx_cfg(ctx);

    /* 4. the log, only now that everything is valid (appended to when resuming) */
    run_log lg = { NULL, cli_get(&c, "log"), isa_used, cli_kernel_names[kernel], (int)threads,
                   batch ? (int)batch : tr.n, root };
    if (lg.path && root) { /* only rank 0 writes */
        int append = rpath && access(lg.path, F_OK) == 0;
        if (cli_mkdirs_for(lg.path) || !(lg.csv = fopen(lg.path, append ? "a" : "w")))
            cli_fail("--log %s: cannot create: %s", lg.path, strerror(errno));
        if (!append)
            fprintf(lg.csv, "epoch,step,samples_seen,wall_s,eval_s,train_loss,test_loss,test_acc,samples_per_s,"
                            "isa,kernel,threads,batch\n");
        fflush(lg.csv);
    }

    if (root) {
    char thp[64];
    fprintf(stderr, "mlpbench: %s: %d train / %d test rows, %d features, %d classes; training rows on %ld KiB of "
            "huge pages (THP %s)\n", dname, tr.n, te.n, tr.d, tr.k, mlpb_huge_kb(tr.X),
            cli_thp_mode(thp, sizeof thp));
    fprintf(stderr, "mlpbench: network");
    for (int i = 0; i <= nh + 1; i++) fprintf(stderr, "%s%d", i ? "-" : " ", widths[i]);
    fprintf(stderr, ", batch %s, lr %g, reduction %s, seed %ld\n", batch ? bs : "full", lr, reds[red], seed);
    char binding[256];
    fprintf(stderr, "mlpbench: kernel %s, isa %s (%s), threads %ld, MC/KC/NC %d/%d/%d%s, ftz+daz on, binding %s\n",
            cli_kernel_names[kernel], isa_used, kc->ukr->name, threads, kc->mc, kc->kc, kc->nc,
            kc->ir_outer && kernel != MLPB_KERNEL_REF ? " (1 thread: IR outer)" : "",
            mlpb_pin_threads((int)threads, binding, sizeof binding));
    if (threads > 1) {
        char par[512];
        fprintf(stderr, "mlpbench: %s\n", cli_par_line(ctx, par, sizeof par));
    }
    if (R > 1)
        fprintf(stderr, "mlpbench: %d MPI ranks x %ld threads, %s; the global batch is split over the ranks\n", R,
                threads, dist->library);
    printf("epoch      step  train_loss  test_loss  test_acc    samples/s   seconds\n");
    }

    if (rpath && root)
        fprintf(stderr, "mlpbench: resuming %s at epoch %d, step %ld\n", rpath, resume.epoch + 1, resume.step + 1);
    mlpb_train_opts to = { .batch = (int)batch, .epochs = (int)epochs, .points_per_epoch = 1, .lr = (float)lr,
                           .reduction = red, .seed = (uint64_t)seed, .eval_rows = 1000,
                           .resume = rpath ? &resume : NULL, .on_save = sv.path ? save_checkpoint : NULL,
                           .save_user = &sv, .stop = &interrupted, .dist = dist };
    struct sigaction sa = { .sa_handler = on_sigint };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    mlpb_train_result res;
    int rc = mlpb_train(ctx, &net, &tr, NULL, &te, &to, on_point, &lg, &res, err, sizeof err);
    if (rc && R > 1) cli_fail("%s", err); /* stops every rank */
    if (rc) fprintf(stderr, "mlpbench: %s\n", err);
    else if (interrupted && root) {
        fprintf(stderr, "mlpbench: interrupted at epoch %.2f, step %ld%s%s%s\n", res.last.epoch, res.last.step,
                sv.saved ? "; continue with --resume " : " (no --save: nothing to resume from)",
                sv.saved ? sv.path : "", sv.saved ? " and the same flags" : "");
        rc = 130;
    } else if (interrupted) {
        rc = 130;
    }
    mlpb_train_state_free(&resume);
    if (lg.csv && fclose(lg.csv)) {
        fprintf(stderr, "mlpbench: %s: %s\n", lg.path, strerror(errno));
        rc = -1;
    }
    mlpb_ctx_free(ctx);
    mlpb_mlp_free(&net);
    mlpb_dataset_free(&tr);
    mlpb_dataset_free(&te);
    return rc == 130 ? 130 : rc ? 1 : 0;
}
