// Corpus replay: runs a fuzz target's LLVMFuzzerTestOneInput on every file of the directories (or
// files) named on the command line, like `fuzzer -runs=0 DIR` but without libFuzzer, so the
// checked-in corpora are regression tests in the ordinary build (ctest label `fuzz`).
//
// Exit status: 0 when every input ran (a broken invariant aborts inside the target); 1 when an
// argument cannot be read or names no input at all, so a missing corpus fails instead of passing
// vacuously.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

bool read_file(const std::filesystem::path& path, std::vector<uint8_t>* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 1;
  }
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());  // a stable order makes a failure reproducible
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      files.push_back(arg);
    }
    if (ec || files.empty()) {
      fprintf(stderr, "%s: no inputs (%s)\n", argv[i], ec ? ec.message().c_str() : "empty");
      return 1;
    }
    for (const auto& file : files) {
      std::vector<uint8_t> data;
      if (!read_file(file, &data)) {
        fprintf(stderr, "%s: cannot read\n", file.c_str());
        return 1;
      }
      // The path goes out first so that an abort inside the target names the input.
      fprintf(stderr, "replay %s (%zu bytes)\n", file.c_str(), data.size());
      LLVMFuzzerTestOneInput(data.data(), data.size());
      ++runs;
    }
  }
  printf("replayed %zu inputs\n", runs);
  return 0;
}
