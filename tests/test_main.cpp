// Test entry point: checks the GenAI symbol table before anything calls into the library, and
// shuts GenAI down cleanly once every test has released its objects.
#include <gtest/gtest.h>

#include "genai/oga.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  wasinn::oga::verify_symbols();
  int status = RUN_ALL_TESTS();
  OgaShutdown();
  return status;
}
