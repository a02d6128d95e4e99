#include "grammar/gbnf_to_lark.h"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace wasinn::grammar {
namespace {

// One element of a sequence, as Lark text. `postfixed` when it already ends in an operator, so
// a second operator must parenthesize it first ("x*" then "+" is "(x*)+").
struct Item {
  std::string text;
  bool postfixed = false;
};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A Lark string literal: llguidance reads JSON-style escapes; control characters are \u-escaped
// and everything else is kept as UTF-8.
std::string lark_string(const std::vector<uint32_t>& cps) {
  std::string out = "\"";
  for (uint32_t cp : cps) {
    if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x20 || cp == 0x7F) {
      static const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[cp >> 4];
      out += hex[cp & 0xF];
    } else {
      append_utf8(out, cp);
    }
  }
  return out + "\"";
}

// A code point inside a Rust-regex character class: letters and digits as themselves, anything
// else as \x{H} so no character is special (']', '^', '-', '\\', '/', '&', '~', ...).
std::string class_char(uint32_t cp) {
  if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'))
    return std::string(1, static_cast<char>(cp));
  static const char* hex = "0123456789ABCDEF";
  std::string digits;
  do {
    digits.insert(digits.begin(), hex[cp & 0xF]);
    cp >>= 4;
  } while (cp != 0);
  return "\\x{" + digits + "}";
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

class Parser {
 public:
  explicit Parser(std::string_view src) : src_(src) {}

  std::string translate() {
    skip_space(true);
    while (!at_end()) parse_rule();
    for (const auto& [name, where] : references_)
      if (!rules_.count(name)) fail_at(where, "undefined rule '" + name + "'");
    if (!rules_.count("root")) fail_at(src_.size(), "the grammar has no 'root' rule (the start rule)");
    std::string out = "start: " + lark_rule_name("root") + "\n";
    for (const auto& name : order_) out += lark_rule_name(name) + ": " + rules_.at(name) + "\n";
    return out;
  }

 private:
  bool at_end() const { return pos_ >= src_.size(); }
  char peek(size_t ahead = 0) const { return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0'; }

  [[noreturn]] void fail_at(size_t at, const std::string& problem) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at && i < src_.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(src_[i]);
      if (c == '\n') {
        ++line;
        column = 1;
      } else if ((c & 0xC0) != 0x80) {  // count characters, not UTF-8 continuation bytes
        ++column;
      }
    }
    throw GbnfError(line, column, problem);
  }
  [[noreturn]] void fail(const std::string& problem) const { fail_at(pos_, problem); }

  // Blanks and comments; newlines too where a rule may continue over lines.
  void skip_space(bool newline_ok) {
    while (!at_end()) {
      char c = peek();
      if (c == ' ' || c == '\t' || (newline_ok && (c == '\r' || c == '\n'))) {
        ++pos_;
      } else if (c == '#') {
        while (!at_end() && peek() != '\r' && peek() != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  std::string parse_name() {
    size_t start = pos_;
    while (!at_end() && is_word_char(peek())) ++pos_;
    if (pos_ == start) fail("expected a rule name");
    return std::string(src_.substr(start, pos_ - start));
  }

  void parse_rule() {
    size_t name_at = pos_;
    std::string name = parse_name();
    skip_space(false);
    if (src_.substr(pos_, 3) != "::=") fail("expected '::=' after rule name '" + name + "'");
    pos_ += 3;
    skip_space(true);
    std::string body = parse_alternates(false);
    if (peek() == '\r') {
      pos_ += peek(1) == '\n' ? 2 : 1;
    } else if (peek() == '\n') {
      ++pos_;
    } else if (!at_end()) {
      fail(std::string("unexpected '") + peek() + "' (expected the end of rule '" + name + "')");
    }
    skip_space(true);
    if (rules_.count(name)) fail_at(name_at, "rule '" + name + "' is defined twice");
    rules_[name] = std::move(body);
    order_.push_back(name);
  }

  std::string parse_alternates(bool nested) {
    std::string out = parse_sequence(nested);
    while (peek() == '|') {
      ++pos_;
      skip_space(true);
      out += " | " + parse_sequence(nested);
    }
    return out;
  }

  std::string parse_sequence(bool nested) {
    std::vector<Item> items;
    while (!at_end()) {
      char c = peek();
      if (c == '"') {
        ++pos_;
        items.push_back({parse_literal(), false});
      } else if (c == '[') {
        ++pos_;
        items.push_back({parse_class(), false});
      } else if (is_word_char(c)) {
        size_t at = pos_;
        std::string name = parse_name();
        references_.emplace(name, at);
        items.push_back({lark_rule_name(name), false});
      } else if (c == '(') {
        ++pos_;
        skip_space(true);
        std::string inner = parse_alternates(true);
        if (peek() != ')') fail("expected ')'");
        ++pos_;
        items.push_back({"(" + inner + ")", false});
      } else if (c == '.') {
        ++pos_;
        items.push_back({"/(?s:.)/", false});
      } else if (c == '*' || c == '+' || c == '?') {
        if (items.empty()) fail(std::string("'") + c + "' has nothing before it to repeat");
        ++pos_;
        apply_postfix(items.back(), std::string(1, c));
      } else if (c == '{') {
        if (items.empty()) fail("'{' has nothing before it to repeat");
        ++pos_;
        apply_postfix(items.back(), parse_repetition());
      } else if (c == '<') {
        fail("token references (<...>) are not supported: they name tokens of one vocabulary");
      } else {
        break;
      }
      skip_space(nested);
    }
    if (items.empty()) return "\"\"";  // an empty alternative matches the empty string
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : " ") + item.text;
    return out;
  }

  static void apply_postfix(Item& item, const std::string& op) {
    if (item.postfixed) item.text = "(" + item.text + ")";
    item.text += op;
    item.postfixed = true;
  }

  // After '{': "m}", "m,}" or "m,n}"; returns the Lark operator.
  std::string parse_repetition() {
    skip_space(true);
    auto number = [&]() -> std::optional<unsigned long> {
      size_t start = pos_;
      while (peek() >= '0' && peek() <= '9') ++pos_;
      if (pos_ == start) return std::nullopt;
      if (pos_ - start > 6) fail_at(start, "repetition count is too large");
      return std::stoul(std::string(src_.substr(start, pos_ - start)));
    };
    auto min = number();
    if (!min) fail("expected a number after '{'");
    skip_space(true);
    std::string op = "{" + std::to_string(*min);
    if (peek() == ',') {
      ++pos_;
      skip_space(true);
      op += ",";
      size_t max_at = pos_;
      if (auto max = number()) {
        if (*max < *min) fail_at(max_at, "repetition {m,n} needs m <= n");
        op += std::to_string(*max);
      }
      skip_space(true);
    }
    if (peek() != '}') fail("expected '}' to close the repetition");
    ++pos_;
    return op + "}";
  }

  // After the opening quote.
  std::string parse_literal() {
    std::vector<uint32_t> cps;
    while (peek() != '"') {
      if (at_end()) fail("unterminated string literal");
      if (peek() == '\n' || peek() == '\r') fail("newline inside a string literal (write \\n)");
      cps.push_back(parse_char());
    }
    ++pos_;
    return lark_string(cps);
  }

  // After '['.
  std::string parse_class() {
    std::string out = "/[";
    if (peek() == '^') {
      ++pos_;
      out += '^';
    }
    size_t members = 0;
    while (peek() != ']') {
      if (at_end()) fail("unterminated character class");
      uint32_t first = parse_char();
      out += class_char(first);
      if (peek() == '-' && peek(1) != ']' && pos_ + 1 < src_.size()) {
        ++pos_;
        size_t last_at = pos_;
        uint32_t last = parse_char();
        if (last < first) fail_at(last_at, "character range is reversed");
        out += "-" + class_char(last);
      }
      ++members;
    }
    ++pos_;
    if (members == 0) fail("empty character class");
    return out + "]/";
  }

  // One character of a literal or class: an escape or one UTF-8 encoded character.
  uint32_t parse_char() {
    size_t at = pos_;
    unsigned char c = static_cast<unsigned char>(peek());
    if (c == '\\') {
      ++pos_;
      char e = peek();
      ++pos_;
      switch (e) {
        case 'x': return parse_hex(2, at);
        case 'u': return parse_hex(4, at);
        case 'U': return parse_hex(8, at);
        case 't': return '\t';
        case 'r': return '\r';
        case 'n': return '\n';
        case '\\': case '"': case '[': case ']': return static_cast<unsigned char>(e);
        default:
          if (e == '\0' && pos_ > src_.size()) fail_at(at, "unterminated escape");
          fail_at(at, std::string("unknown escape '\\") + e + "'");
      }
    }
    int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (extra < 0) fail("invalid UTF-8");
    uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    ++pos_;
    for (int i = 0; i < extra; ++i) {
      unsigned char next = static_cast<unsigned char>(peek());
      if ((next & 0xC0) != 0x80) fail_at(at, "invalid UTF-8");
      cp = (cp << 6) | (next & 0x3F);
      ++pos_;
    }
    return cp;
  }

  uint32_t parse_hex(int digits, size_t escape_at) {
    uint32_t value = 0;
    for (int i = 0; i < digits; ++i) {
      char h = peek();
      int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
      if (v < 0) fail("expected " + std::to_string(digits) + " hex digits in the escape");
      value = value * 16 + static_cast<uint32_t>(v);
      ++pos_;
    }
    if (value > 0x10FFFF) fail_at(escape_at, "escape is beyond U+10FFFF");
    if (value >= 0xD800 && value <= 0xDFFF) fail_at(escape_at, "escape is a UTF-16 surrogate, not a character");
    return value;
  }

  std::string_view src_;
  size_t pos_ = 0;
  std::map<std::string, std::string> rules_;    // GBNF name -> Lark body
  std::vector<std::string> order_;              // definition order, for readable output
  std::multimap<std::string, size_t> references_;  // name -> where it is used
};

}  // namespace

GbnfError::GbnfError(size_t line, size_t column, const std::string& problem)
    : std::runtime_error("line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + problem),
      line_(line),
      column_(column) {}

// Lark rule names are lower-case words; GBNF's may hold capitals and '-'. The mapping is
// one-to-one (a prefix code): a-z, 0-9 stay, 'X' -> "_x", '-' -> "__", and a "g_" prefix keeps
// names off Lark's own (start) and off a leading digit or underscore.
std::string lark_rule_name(std::string_view gbnf_name) {
  std::string out = "g_";
  for (char c : gbnf_name) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else if (c == '-') {
      out += "__";
    } else {
      out += c;
    }
  }
  return out;
}

std::string gbnf_to_lark(std::string_view gbnf) { return Parser(gbnf).translate(); }

}  // namespace wasinn::grammar
