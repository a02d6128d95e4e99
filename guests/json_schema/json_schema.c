/* A WasmEdge-style guest asking for JSON by schema (the `json-schema` load option), then
 * parsing what comes back and printing it field by field.
 *
 *   json_schema.wasm MODEL PROMPT [SCHEMA_JSON]
 *
 * The default schema asks for {"name": string, "capital": string, "population_millions":
 * number}. Prints the raw response on stderr (`response: ...`) and one `path = value` line per
 * leaf on stdout, e.g. `capital = "Paris"`; `metadata: {...}` goes to stderr. A response that
 * does not parse as JSON is reported (`error: not JSON at byte N`) with exit status 3. */
#include <ctype.h>

#include "nn_guest.h"

static const char* kDefaultSchema =
    "{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\"}, \"capital\": {\"type\": \"string\"},"
    " \"population_millions\": {\"type\": \"number\"}}, \"required\": [\"name\", \"capital\", \"population_millions\"],"
    " \"additionalProperties\": false}";

/* A small JSON reader: enough to show the guest can use the answer as data. */
typedef struct {
  const char* s;
  size_t pos, len;
} Reader;

static int parse_value(Reader* r, char* path, size_t path_len);

static void skip_ws(Reader* r) {
  while (r->pos < r->len && isspace((unsigned char)r->s[r->pos])) r->pos++;
}

static int parse_string(Reader* r, char* out, size_t cap) { /* out may be NULL; returns 0 on error */
  size_t n = 0;
  if (r->s[r->pos] != '"') return 0;
  r->pos++;
  while (r->pos < r->len && r->s[r->pos] != '"') {
    size_t k = (r->s[r->pos] == '\\' && r->pos + 1 < r->len) ? 2 : 1; /* an escape, kept as written */
    for (size_t i = 0; i < k; ++i)
      if (out != NULL && n + 1 < cap) out[n++] = r->s[r->pos + i];
    r->pos += k;
  }
  if (r->pos >= r->len) return 0;
  r->pos++;
  if (out != NULL) out[n] = 0;
  return 1;
}

static int parse_container(Reader* r, char* path, size_t path_len, int object) {
  char close = object ? '}' : ']';
  r->pos++;
  skip_ws(r);
  if (r->pos < r->len && r->s[r->pos] == close) {
    r->pos++;
    printf("%s = %s\n", path, object ? "{}" : "[]");
    return 1;
  }
  for (int index = 0;; ++index) {
    size_t at = strlen(path);
    skip_ws(r);
    if (object) {
      char key[128];
      if (!parse_string(r, key, sizeof key)) return 0;
      snprintf(path + at, path_len - at, "%s%s", at ? "." : "", key);
      skip_ws(r);
      if (r->pos >= r->len || r->s[r->pos++] != ':') return 0;
    } else {
      snprintf(path + at, path_len - at, "[%d]", index);
    }
    if (!parse_value(r, path, path_len)) return 0;
    path[at] = 0;
    skip_ws(r);
    if (r->pos < r->len && r->s[r->pos] == ',') {
      r->pos++;
      continue;
    }
    if (r->pos < r->len && r->s[r->pos] == close) {
      r->pos++;
      return 1;
    }
    return 0;
  }
}

static int parse_value(Reader* r, char* path, size_t path_len) {
  skip_ws(r);
  if (r->pos >= r->len) return 0;
  char c = r->s[r->pos];
  if (c == '{' || c == '[') return parse_container(r, path, path_len, c == '{');
  size_t start = r->pos;
  if (c == '"') {
    if (!parse_string(r, NULL, 0)) return 0;
  } else {
    while (r->pos < r->len && (isalnum((unsigned char)r->s[r->pos]) || strchr("+-.", r->s[r->pos]))) r->pos++;
    if (r->pos == start) return 0;
  }
  printf("%s = %.*s\n", path[0] ? path : "(root)", (int)(r->pos - start), r->s + start);
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: json_schema MODEL PROMPT [SCHEMA_JSON]\n");
    return 2;
  }
  const char* model = argv[1];
  const char* schema = argc == 4 ? argv[3] : kDefaultSchema;
  /* WasmEdge's key, the schema as a JSON string; the prompt in the model's chat template. */
  size_t config_cap = strlen(schema) * 2 + 128;
  char* config = malloc(config_cap);
  size_t n = (size_t)snprintf(config, config_cap, "{\"chat_template\": true, \"n-predict\": 256, \"json-schema\": \"");
  for (const char* p = schema; *p; ++p) {
    if (*p == '"' || *p == '\\') config[n++] = '\\';
    config[n++] = *p == '\n' ? ' ' : *p;
  }
  snprintf(config + n, config_cap - n, "\"}");

  uint32_t graph, ctx;
  nn_check("load_by_name_with_config", wasi_nn_load_by_name_with_config(model, strlen(model), config, strlen(config), &graph));
  nn_check("init_execution_context", wasi_nn_init_execution_context(graph, &ctx));
  nn_check("set_input", nn_set_text(ctx, 0, argv[2]));
  nn_check("compute", wasi_nn_compute(ctx));
  uint8_t* text;
  uint32_t len;
  nn_check("get_output", nn_read_output(wasi_nn_get_output, ctx, 0, &text, &len));
  fprintf(stderr, "response: %s\n", (const char*)text);
  uint8_t* metadata;
  uint32_t meta_len;
  nn_check("get_output", nn_read_output(wasi_nn_get_output, ctx, 1, &metadata, &meta_len));
  fprintf(stderr, "metadata: %s\n", (const char*)metadata);

  char path[512] = "";
  Reader reader = {(const char*)text, 0, len};
  int ok = parse_value(&reader, path, sizeof path);
  skip_ws(&reader);
  if (!ok || reader.pos != reader.len) {
    fprintf(stderr, "error: not JSON at byte %zu\n", reader.pos);
    return 3;
  }
  free(text);
  free(metadata);
  free(config);
  nn_check("finalize_execution_context", wasi_nn_finalize_execution_context(ctx));
  nn_check("unload", wasi_nn_unload(graph));
  return 0;
}
