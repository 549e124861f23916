/* main.c - `mlpbench COMMAND [--flag VALUE]...`: dispatch only. Data rows go
 * to stdout (or CSV); diagnostics to stderr. Exit 0 on success, 1 on a
 * failure at run time, 2 on bad usage. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "sys/dist.h"

static const struct { const char *name; int (*run)(int, char **); const char *summary; } commands[] = {
    {"train", mlpb_cmd_train, "train the seed's network (sigmoid hidden layers, softmax, cross-entropy)"},
    {"sweep", mlpb_cmd_sweep, "run the cross product of batch sizes, threads, widths, kernels, rates into a results folder"},
    {"gemm", mlpb_cmd_gemm, "GEMM GFLOP/s: square sizes and a training step's GEMMs, vs the measured peak and OpenBLAS"},
    {"eval", mlpb_cmd_eval, "loss, accuracy and confusion matrix of a checkpoint's network"},
    {"info", mlpb_cmd_info, "the machine: CPU, cores, caches, micro-kernels and their blocking"},
};

static void usage(FILE *f) {
    fprintf(f, "usage: mlpbench COMMAND [--flag VALUE]...\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-7s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nmlpbench COMMAND --help lists the command's flags with their defaults.\n"
               "environment: MLPBENCH_DATA (fashion-mnist folder), MLPB_ISA (default --isa), MLPB_PAR_MIN (GEMMs\n"
               "  below this many flops run on one thread; 0 or unset: the measured thresholds; -1: split all)\n");
}

static int run(int argc, char **argv) {
    if (argc < 2) { usage(stderr); return 2; }
    long par_min; /* a bad $MLPB_PAR_MIN refused before a command writes anything */
    char err[256];
    if (cli_env_par_min(&par_min, err, sizeof err) < 0) {
        fprintf(stderr, "mlpbench: %s\n", err);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) { usage(stdout); return 0; }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "mlpbench: unknown command '%s' (see mlpbench --help)\n", argv[1]);
    return 2;
}

int main(int argc, char **argv) {
    mlpb_dist dist; /* one rank unless started by mpirun */
    mlpb_dist_init(&dist, &argc, &argv);
    mlpb_dist_set_world(&dist);
    int rc = run(argc, argv);
    mlpb_dist_finalize(&dist);
    return rc;
}
