/* cmd_eval.c - `mlpbench eval`: load a checkpoint's network and report its
 * loss, accuracy and confusion matrix on the test (or training) set. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "nn/mlp.h"
#include "sys/atomic_file.h"
#include "train/checkpoint.h"

static const cli_opt eval_opts[] = {
    {"load", "FILE", NULL, "required", "checkpoint written by mlpbench train --save"},
    CLI_DATA_OPTS,
    {"set", "test|train", "test", NULL, "which set to evaluate"},
    {"threads", "N", NULL, "all cores", "OpenMP threads"},
    {"kernel", "ref|blocked|simd", "simd", NULL, "kernel rung"},
    {"isa", "auto|avx512|avx2|scalar", NULL, "$MLPB_ISA or auto", "micro-kernel ISA for --kernel simd"},
    {"seed", "N", "1", NULL, "seed of a synthetic set"},
    {"out", "FILE.csv", NULL, "none", "write the confusion matrix as CSV (rows: true class, columns: predicted)"},
    {NULL, NULL, NULL, NULL, NULL},
};

int mlpb_cmd_eval(int argc, char **argv) {
    cli c = { .cmd = "eval", .opts = eval_opts };
    cli_parse(&c, argc, argv);
    char err[MLPB_ERRLEN];
    const char *path = cli_get(&c, "load");
    if (!path) cli_usage_error(&c, "--load FILE is required");
    cli_check_data(&c);
    static const char *const sets[] = { "test", "train", NULL };
    int which = cli_word(&c, "--set", cli_get(&c, "set"), sets);
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    long threads = cli_get(&c, "threads") ? cli_long(&c, "--threads", cli_get(&c, "threads"), 1, 1024) : si.cores;
    mlpb_kernel kernel = (mlpb_kernel)cli_word(&c, "--kernel", cli_get(&c, "kernel"), cli_kernel_names);
    const mlpb_ukr *ukr = cli_isa(&c, cli_get(&c, "isa"));
    long seed = cli_long(&c, "--seed", cli_get(&c, "seed"), 0, 0x7fffffffffffffffL);

    mlpb_ckpt_meta meta;
    mlpb_mlp net;
    mlpb_train_state st;
    if (mlpb_ckpt_load(path, &meta, &net, &st, err, sizeof err)) cli_fail("--load %s", err);
    const int ck_epoch = st.epoch;
    const long ck_step = st.step;
    mlpb_train_state_free(&st);
    mlpb_dataset tr, te;
    const char *dname;
    cli_load_data(&c, seed, &tr, &te, &dname);
    mlpb_dataset *ds = which ? &tr : &te;
    if (ds->d != net.w[0] || ds->k != net.w[net.L])
        cli_fail("--load %s: the network takes %d features and %d classes, %s has %d and %d", path, net.w[0],
                 net.w[net.L], dname, ds->d, ds->k);
    const char *isa_used;
    mlpb_ctx *ctx = cli_make_ctx(&si, kernel, ukr, (int)threads, &isa_used);
    mlpb_acts acts;
    int *pred = malloc((size_t)ds->n * sizeof(int));
    long *conf = calloc((size_t)ds->k * ds->k, sizeof(long));
    if (!pred || !conf || mlpb_acts_init(&acts, &net, 1000)) cli_fail("out of memory evaluating %d rows", ds->n);
    long correct = 0;
    double loss = mlpb_predict(ctx, &net, &acts, ds->X, ds->Y, ds->label, ds->n, &correct, pred) / ds->n;
    for (int i = 0; i < ds->n; i++) conf[(size_t)ds->label[i] * ds->k + pred[i]]++;

    printf("checkpoint  %s (after %d epochs, %ld steps)\n", path, ck_epoch, ck_step);
    printf("data        %s, %s set, %d rows\n", dname, sets[which], ds->n);
    printf("loss        %.9g\n", loss);
    printf("accuracy    %.6f (%ld of %d)\n", (double)correct / ds->n, correct, ds->n);
    printf("confusion matrix (rows: true class, columns: predicted)\n      ");
    for (int j = 0; j < ds->k; j++) printf(" %6d", j);
    printf("\n");
    for (int i = 0; i < ds->k; i++) {
        printf("%6d", i);
        for (int j = 0; j < ds->k; j++) printf(" %6ld", conf[(size_t)i * ds->k + j]);
        printf("\n");
    }
    const char *out = cli_get(&c, "out");
    if (out) {
        mlpb_afile a;
        if (cli_mkdirs_for(out) || mlpb_afile_open(&a, out)) cli_fail("--out %s: cannot create: %s", out, strerror(errno));
        fprintf(a.f, "true_class");
        for (int j = 0; j < ds->k; j++) fprintf(a.f, ",pred_%d", j);
        fprintf(a.f, "\n");
        for (int i = 0; i < ds->k; i++) {
            fprintf(a.f, "%d", i);
            for (int j = 0; j < ds->k; j++) fprintf(a.f, ",%ld", conf[(size_t)i * ds->k + j]);
            fprintf(a.f, "\n");
        }
        if (mlpb_afile_commit(&a)) cli_fail("--out %s: cannot write: %s", out, strerror(errno));
    }
    free(pred); free(conf);
    mlpb_acts_free(&acts, &net);
    mlpb_ctx_free(ctx);
    mlpb_mlp_free(&net);
    mlpb_dataset_free(&tr);
    mlpb_dataset_free(&te);
    cli_free(&c);
    return 0;
}
