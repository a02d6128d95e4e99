// llama.cpp's GBNF grammars, translated into the Lark dialect llguidance reads (GenAI's
// "lark_grammar" guidance). WasmEdge guests send GBNF (`grammar`); GenAI constrains decoding
// with llguidance, which does not read GBNF. Backend-neutral: any backend that hands grammars
// to llguidance can use it.
//
// The whole GBNF syntax of llama.cpp's grammar parser is covered: rules `name ::= ...` (names of
// letters, digits and '-'), alternatives `|`, groups `( )`, literals "..." and character classes
// [...] / [^...] with ranges and the escapes \t \r \n \\ \" \[ \] \xHH \uHHHH \UHHHHHHHH, `.`
// (any character), the postfix operators * + ? {m} {m,} {m,n}, `#` comments, and `root` as the
// start rule. A newline ends a rule except inside parentheses and after `::=` or `|`, as in
// llama.cpp. Token references (<[id]>, <name>) are refused: they name tokens of one vocabulary.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace wasinn::grammar {

// A GBNF text that does not parse; what() reads "line L, column C: <problem>".
class GbnfError : public std::runtime_error {
 public:
  GbnfError(size_t line, size_t column, const std::string& problem);
  size_t line() const noexcept { return line_; }
  size_t column() const noexcept { return column_; }

 private:
  size_t line_, column_;
};

// The Lark grammar (start rule `start`, which derives `root`) accepting exactly the strings
// `gbnf` accepts. GBNF rule `x-y` becomes Lark rule `g_x__y` (see the .cpp for the mapping).
// Throws GbnfError.
std::string gbnf_to_lark(std::string_view gbnf);

// The Lark name of a GBNF rule name (exposed for tests and error messages).
std::string lark_rule_name(std::string_view gbnf_name);

}  // namespace wasinn::grammar
