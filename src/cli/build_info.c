/* build_info.c - the commit this binary was built from (cli.h), from the
 * header scripts/build_commit.cmake writes at every build. */
#include "cli/cli.h"

#include "mlpb_build_commit.h"

const char *cli_build_commit(void) { return MLPB_BUILD_COMMIT; }
const char *cli_build_diff(void) { return MLPB_BUILD_DIFF; }
