/* commands.h - the subcommands main.c dispatches to. Each parses its own
 * flags and returns the process exit status. */
#ifndef MLPB_COMMANDS_H
#define MLPB_COMMANDS_H

int mlpb_cmd_train(int argc, char **argv);
int mlpb_cmd_info(int argc, char **argv);
int mlpb_cmd_gemm(int argc, char **argv);
int mlpb_cmd_sweep(int argc, char **argv);
int mlpb_cmd_eval(int argc, char **argv);

#endif
