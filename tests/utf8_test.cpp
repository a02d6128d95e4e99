// nn::is_valid_utf8: what the ABIs use to refuse text before it reaches a backend. Overlong
// encodings, surrogates, code points past U+10FFFF, truncated and stray bytes are all invalid.
#include <gtest/gtest.h>

#include "wasinn/nn/utf8.h"

namespace wasinn::nn {
namespace {

TEST(Utf8, AcceptsEveryEncodingLengthAtItsBounds) {
  for (std::string_view ok : {std::string_view(""), std::string_view("plain ascii \x7f"), std::string_view("\x00", 1),
                              std::string_view("\xC2\x80"),          // U+0080, the smallest 2-byte
                              std::string_view("\xDF\xBF"),          // U+07FF
                              std::string_view("\xE0\xA0\x80"),      // U+0800, the smallest 3-byte
                              std::string_view("\xED\x9F\xBF"),      // U+D7FF, just below the surrogates
                              std::string_view("\xEE\x80\x80"),      // U+E000, just above them
                              std::string_view("\xEF\xBF\xBF"),      // U+FFFF
                              std::string_view("\xF0\x90\x80\x80"),  // U+10000, the smallest 4-byte
                              std::string_view("\xF4\x8F\xBF\xBF"),  // U+10FFFF, the largest
                              std::string_view("h\xC3\xA9llo, w\xC3\xB6rld \xE2\x9C\x93 \xF0\x9F\x98\x80")})
    EXPECT_TRUE(is_valid_utf8(ok)) << testing::PrintToString(std::string(ok));
}

TEST(Utf8, RejectsOverlongEncodings) {
  for (std::string_view overlong : {std::string_view("\xC0\xAF"),          // '/' in 2 bytes
                                    std::string_view("\xC1\xBF"),          // U+007F in 2 bytes
                                    std::string_view("\xC0\x80"),          // NUL in 2 bytes
                                    std::string_view("\xE0\x80\xAF"),      // '/' in 3 bytes
                                    std::string_view("\xE0\x9F\xBF"),      // U+07FF in 3 bytes
                                    std::string_view("\xF0\x80\x80\xAF"),  // '/' in 4 bytes
                                    std::string_view("\xF0\x8F\xBF\xBF")})  // U+FFFF in 4 bytes
    EXPECT_FALSE(is_valid_utf8(overlong)) << testing::PrintToString(std::string(overlong));
}

TEST(Utf8, RejectsSurrogatesAndCodePointsPastTheLast) {
  for (std::string_view bad : {std::string_view("\xED\xA0\x80"),      // U+D800
                               std::string_view("\xED\xBF\xBF"),      // U+DFFF
                               std::string_view("\xF4\x90\x80\x80"),  // U+110000
                               std::string_view("\xF7\xBF\xBF\xBF"),  // U+1FFFFF
                               std::string_view("\xF8\x88\x80\x80\x80"), std::string_view("\xFF"),
                               // 0xF8-0xFF lead no sequence, even where the bits after them
                               // would spell a code point in range
                               std::string_view("\xF8\x90\x80\x80"), std::string_view("\xFB\xBF\xBF\xBF"),
                               std::string_view("\xFC\x80\x80\x80"), std::string_view("\xFE\x80")})
    EXPECT_FALSE(is_valid_utf8(bad)) << testing::PrintToString(std::string(bad));
}

TEST(Utf8, RejectsTruncatedAndStrayBytes) {
  for (std::string_view bad : {std::string_view("\x80"),  // a continuation byte alone
                               std::string_view("ok\xBF"), std::string_view("\xC3"), std::string_view("\xE2\x9C"),
                               std::string_view("\xF0\x9F\x98"),
                               std::string_view("\xC3\x28"),          // lead byte, then ASCII
                               std::string_view("\xE2\x28\xA1"), std::string_view("\xE2\x9C\x28"),
                               std::string_view("\xF0\x9F\x98\x28"), std::string_view("\xF0\x28\x98\x80"),
                               std::string_view("valid \xC3\xA9 then \xC3")})
    EXPECT_FALSE(is_valid_utf8(bad)) << testing::PrintToString(std::string(bad));
}

}  // namespace
}  // namespace wasinn::nn
