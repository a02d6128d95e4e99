// The GBNF -> Lark translator: exact output for each construct (written from the two grammar
// languages' definitions), line:column errors, and llguidance (through GenAI, on the tiny
// model) accepting the translation of every grammar in tests/grammars. That generated text is
// accepted by the *source* GBNF is checked independently, in Python (oracle/check_constrained.py).
#include "grammar/gbnf_to_lark.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "genai/guidance.h"
#include "genai/loaded_model.h"
#include "test_support.h"
#include "wasinn/genai/options.h"

namespace wasinn::grammar {
namespace {

std::string body_of_root(const std::string& gbnf) {
  std::string lark = gbnf_to_lark(gbnf);
  const std::string head = "start: g_root\ng_root: ";
  EXPECT_EQ(lark.substr(0, head.size()), head) << lark;
  auto end = lark.find('\n', head.size());
  return lark.substr(head.size(), end - head.size());
}

GbnfError error_of(const std::string& gbnf) {
  try {
    gbnf_to_lark(gbnf);
  } catch (const GbnfError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a GbnfError for: " << gbnf;
  return GbnfError(0, 0, "none");
}

TEST(GbnfToLark, RootBecomesTheStartRuleAndRulesKeepTheirOrder) {
  EXPECT_EQ(gbnf_to_lark("root ::= a \"!\"\na ::= \"x\" | \"y\"\n"),
            "start: g_root\ng_root: g_a \"!\"\ng_a: \"x\" | \"y\"\n");
}

TEST(GbnfToLark, LiteralEscapesBecomeCharactersOrJsonEscapes) {
  EXPECT_EQ(body_of_root(R"(root ::= "\x41\u00e9\U0001F600")"), "\"A\xC3\xA9\xF0\x9F\x98\x80\"");
  EXPECT_EQ(body_of_root(R"(root ::= "\t\r\n\\\"\[\]")"), R"("\t\r\n\\\"[]")");
  EXPECT_EQ(body_of_root(R"(root ::= "\x01\x7F")"), R"("\u0001\u007f")");
  EXPECT_EQ(body_of_root("root ::= \"caf\xC3\xA9\""), "\"caf\xC3\xA9\"");
}

TEST(GbnfToLark, CharacterClassesBecomeRegexesWithEveryPunctuationEscaped) {
  EXPECT_EQ(body_of_root("root ::= [a-zA-Z0-9_]"), R"(/[a-zA-Z0-9\x{5F}]/)");
  EXPECT_EQ(body_of_root(R"(root ::= [^"\\\x00-\x1F])"), R"(/[^\x{22}\x{5C}\x{0}-\x{1F}]/)");
  EXPECT_EQ(body_of_root(R"(root ::= [\]\[/^-])"), R"(/[\x{5D}\x{5B}\x{2F}\x{5E}\x{2D}]/)");
  EXPECT_EQ(body_of_root(R"(root ::= [\u00E0-\U0001F600])"), R"(/[\x{E0}-\x{1F600}]/)");
  EXPECT_EQ(body_of_root("root ::= ."), "/(?s:.)/");
}

TEST(GbnfToLark, RepetitionsGroupsAndEmptyAlternatives) {
  EXPECT_EQ(body_of_root(R"(root ::= "a"{2} "b"{1,} "c"{0,3} "d"{ 1 , 2 })"), R"("a"{2} "b"{1,} "c"{0,3} "d"{1,2})");
  EXPECT_EQ(body_of_root(R"(root ::= "a"* "b"+ "c"? ("d" | "e")+)"), R"("a"* "b"+ "c"? ("d" | "e")+)");
  EXPECT_EQ(body_of_root(R"(root ::= "a"*? "b"+{2})"), R"(("a"*)? ("b"+){2})");
  EXPECT_EQ(body_of_root(R"(root ::= | "x")"), R"("" | "x")");
  EXPECT_EQ(body_of_root(R"(root ::= "x" ( | "y"))"), R"("x" ("" | "y"))");
}

TEST(GbnfToLark, CommentsAndNewlinesEndRulesOnlyWhereLlamaCppDoes) {
  // A rule continues after '::=', after '|' and inside parentheses; a newline ends it elsewhere.
  EXPECT_EQ(gbnf_to_lark("# leading comment\nroot ::=\n  \"a\" | # why\n  \"b\" (\n \"c\"\n )  # trailing\n\n"),
            "start: g_root\ng_root: \"a\" | \"b\" (\"c\")\n");
  EXPECT_EQ(gbnf_to_lark("root ::= [#] \"#\"\r\n"), "start: g_root\ng_root: /[\\x{23}]/ \"#\"\n");
}

TEST(GbnfToLark, RuleNamesMapOneToOne) {
  EXPECT_EQ(lark_rule_name("json-value"), "g_json__value");
  EXPECT_EQ(lark_rule_name("Value2"), "g__value2");
  EXPECT_NE(lark_rule_name("a-b"), lark_rule_name("aB"));
  EXPECT_NE(lark_rule_name("a--b"), lark_rule_name("a-B"));
  EXPECT_EQ(gbnf_to_lark("root ::= start\nstart ::= \"s\""), "start: g_root\ng_root: g_start\ng_start: \"s\"\n");
}

TEST(GbnfToLark, ErrorsSayWhereAndWhat) {
  struct Case {
    const char* gbnf;
    size_t line, column;
    const char* says;
  } cases[] = {
      {"root ::= \"abc", 1, 14, "unterminated string literal"},
      {"root ::= foo\n", 1, 10, "undefined rule 'foo'"},
      {"a ::= \"x\"\n", 2, 1, "no 'root' rule"},
      {"root ::= \"x\"\nbad rule\n", 2, 5, "expected '::='"},
      {"root ::= \"\\q\"", 1, 11, "unknown escape '\\q'"},
      {"root ::= \"x\"{3,1}", 1, 16, "m <= n"},
      {"root ::= *", 1, 10, "nothing before it"},
      {"root ::= (\"a\"\n", 2, 1, "expected ')'"},
      {"root ::= \"\\uD800\"", 1, 11, "surrogate"},
      {"root ::= \"\\x4\"", 1, 14, "2 hex digits"},
      {"root ::= [z-a]", 1, 13, "reversed"},
      {"root ::= []", 1, 12, "empty character class"},
      {"root ::= [a-", 1, 13, "unterminated character class"},
      {"root ::= <think>", 1, 10, "token references"},
      {"root ::= \"a\" )", 1, 14, "unexpected ')'"},
      {"root ::= \"a\"\nroot ::= \"b\"", 2, 1, "defined twice"},
      {"root ::= \"x\"{}", 1, 14, "expected a number"},
      {"root ::= \"x\"{2", 1, 15, "expected '}'"},
  };
  for (const auto& c : cases) {
    auto e = error_of(c.gbnf);
    EXPECT_EQ(e.line(), c.line) << c.gbnf << " -> " << e.what();
    EXPECT_EQ(e.column(), c.column) << c.gbnf << " -> " << e.what();
    EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos) << c.gbnf << " -> " << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("line " + std::to_string(c.line) + ", column " + std::to_string(c.column), 0), 0u)
        << e.what();
  }
}

TEST(GbnfToLark, TheGrammarOptionReportsTheParsersMessage) {
  auto message = test::expect_nn_error(nn::ErrorCode::invalid_argument, [] {
    genai::RequestOptions::parse_json(R"({"grammar": "root ::= value\nvalue ::= \"x\" | oops"})");
  });
  EXPECT_EQ(message, "option 'grammar': GBNF line 2, column 17: undefined rule 'oops'");
}

std::string read_grammar(const std::string& name) {
  std::ifstream in(std::string(WASINN_TEST_GRAMMAR_DIR) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// llguidance itself (GenAI creating a generator with the grammar) accepts every translation.
TEST(GbnfToLark, LlguidanceAcceptsTheTranslationOfEveryTestGrammar) {
  genai::LoadedModel model(test::kTinyModel, genai::BackendOptions{});
  for (const char* name : {"json.gbnf", "arithmetic.gbnf", "list.gbnf", "c_identifiers.gbnf", "chess.gbnf", "escapes.gbnf"}) {
    std::string lark = gbnf_to_lark(read_grammar(name));
    EXPECT_NO_THROW(genai::check_guidance(model, genai::Guidance{"lark_grammar", lark, "grammar"})) << name << "\n"
                                                                                                    << lark;
  }
  // and the check is real: a Lark grammar naming an undefined rule is rejected
  test::expect_nn_error(nn::ErrorCode::invalid_argument, [&] {
    genai::check_guidance(model, genai::Guidance{"lark_grammar", "start: nowhere", "lark"});
  });
}

}  // namespace
}  // namespace wasinn::grammar
