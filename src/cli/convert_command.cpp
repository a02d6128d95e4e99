// `wasinn convert FILE.gguf OUT_DIR [--precision ...]`: a GGUF file into a GenAI model directory,
// explicitly and without the cache (what --nn-preload and --models do on first use).
#include <iostream>

#include "cli/commands.h"
#include "wasinn/gguf/importer.h"

namespace wasinn::cli {

Action add_convert_command(CLI::App& app) {
  struct Flags {
    std::string gguf;
    std::string out_dir;
    std::string precision = "auto";
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("convert", "Convert a GGUF file into a GenAI model directory");
  cmd->add_option("gguf", flags->gguf, "The GGUF file (llama.cpp's format)")->required();
  cmd->add_option("out_dir", flags->out_dir, "The model directory to make (absent or empty); written atomically")
      ->required();
  cmd->add_option("--precision", flags->precision,
                  "auto keeps the GGUF's quantization where exact; int4/int8 requantize; fp16/fp32 dequantize")
      ->check(CLI::IsMember({"auto", "int4", "int8", "fp16", "fp32"}));
  return [cmd, flags] {
    if (!cmd->parsed()) return -1;
    auto options = gguf::Importer::options_from_environment();
    options.precision = flags->precision;
    gguf::Importer importer(std::move(options));
    importer.convert_to(flags->gguf, flags->out_dir);
    std::cout << "converted " << flags->gguf << " into " << flags->out_dir << " (precision " << flags->precision
              << ", converter " << importer.converter_version() << " at "
              << importer.options().converter.script.string() << ")\n";
    return 0;
  };
}

}  // namespace wasinn::cli
