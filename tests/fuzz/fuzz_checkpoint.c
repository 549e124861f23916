/* fuzz_checkpoint.c - libFuzzer target for the checkpoint reader
 * (mlpb_ckpt_parse). Each input is parsed as it is and, since random bytes
 * almost never carry the right CRC32, once more with its last four bytes
 * replaced by the CRC of the rest, so the fuzzer reaches the fields behind
 * the checksum. Everything a successful parse returns is freed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "train/checkpoint.h"

static void parse(const unsigned char *buf, size_t len) {
    mlpb_ckpt_meta m;
    mlpb_mlp net;
    mlpb_train_state st;
    char err[512], why[512];
    if (mlpb_ckpt_parse(buf, len, "fuzz.ckpt", &m, &net, &st, err, sizeof err) == 0) {
        if (net.L != m.L || !net.params || !st.perm || st.n != m.data_rows) abort();
        for (int i = 0; i < st.n; i++)
            if (st.perm[i] < 0 || st.perm[i] >= st.n) abort();
        mlpb_ckpt_meta other = m;
        other.widths[0] = m.widths[0] + 1;
        if (mlpb_ckpt_mismatch(&m, &m, why, sizeof why)[0] || !mlpb_ckpt_mismatch(&m, &other, why, sizeof why)[0])
            abort();
        mlpb_mlp_free(&net);
        mlpb_train_state_free(&st);
    } else if (!err[0] || st.perm || net.params) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf) abort();
    memcpy(buf, data, size);
    parse(buf, size);
    if (size >= 4) {
        uint32_t crc = (uint32_t)crc32_z(0L, buf, size - 4);
        memcpy(buf + size - 4, &crc, 4);
        parse(buf, size);
    }
    free(buf);
    return 0;
}
