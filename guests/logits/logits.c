/* A guest that drives its own greedy decode over input_ids -> logits.
 *
 *   logits.wasm MODEL stateless|incremental STEPS ID...
 *
 * Each step sends every id so far as i64 [1, seq], reads the f32 logits and appends the argmax
 * of the last position. Stateless logits cover every position; incremental ones (option
 * incremental_logits) only the positions added since the previous call. Prints the generated
 * ids, space-separated, on one line. */
#include "nn_guest.h"

static const char kIncremental[] = "{\"incremental_logits\": true}";

static uint32_t argmax(const float* row, uint32_t vocab) {
  uint32_t best = 0;
  for (uint32_t i = 1; i < vocab; ++i)
    if (row[i] > row[best]) best = i;
  return best;
}

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: logits MODEL stateless|incremental STEPS ID...\n");
    return 2;
  }
  const char* model = argv[1];
  int incremental = strcmp(argv[2], "incremental") == 0;
  uint32_t steps = (uint32_t)strtoul(argv[3], NULL, 10);
  uint32_t seq = (uint32_t)(argc - 4);
  int64_t* ids = malloc((seq + steps) * sizeof(int64_t));
  for (uint32_t i = 0; i < seq; ++i) ids[i] = strtoll(argv[4 + i], NULL, 10);

  uint32_t graph, ctx;
  nn_check("load_by_name", wasi_nn_load_by_name(model, strlen(model), &graph));
  nn_check("init_execution_context", wasi_nn_init_execution_context(graph, &ctx));
  uint32_t sent = 0; /* positions the host already has, in incremental mode */
  for (uint32_t step = 0; step < steps; ++step, ++seq) {
    uint32_t dims[2] = {1, seq};
    wasi_nn_tensor_t input = {dims, 2, WASI_NN_TYPE_I64, (const uint8_t*)ids, seq * (uint32_t)sizeof(int64_t)};
    nn_check("set_input", wasi_nn_set_input(ctx, 0, &input));
    if (incremental) nn_check("set_input", nn_set_text(ctx, 1, kIncremental));
    nn_check("compute", wasi_nn_compute(ctx));
    uint8_t* bytes;
    uint32_t len;
    nn_check("get_output", nn_read_output(wasi_nn_get_output, ctx, 0, &bytes, &len));
    uint32_t positions = incremental ? seq - sent : seq;
    uint32_t vocab = len / (uint32_t)sizeof(float) / positions;
    const float* logits = (const float*)bytes; /* malloc'd: aligned for float */
    ids[seq] = argmax(logits + (uint64_t)(positions - 1) * vocab, vocab);
    printf(step == 0 ? "%lld" : " %lld", (long long)ids[seq]);
    free(bytes);
    sent = seq;
  }
  printf("\n");
  return 0;
}
