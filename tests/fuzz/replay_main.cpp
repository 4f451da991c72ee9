// Driver for fuzz targets built without libFuzzer (g++, the normal sanitizer build): runs
// LLVMFuzzerTestOneInput once over every file named on the command line or found (sorted) in a
// directory named there. A crash or sanitizer report fails the ctest that runs it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

size_t run_file(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // A fresh heap copy of exactly the input's size, so ASan catches any read past its end.
  auto* copy = new uint8_t[bytes.size() + 1];
  std::copy(bytes.begin(), bytes.end(), copy);
  LLVMFuzzerTestOneInput(copy, bytes.size());
  delete[] copy;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (!std::filesystem::exists(arg)) {
      std::fprintf(stderr, "no such seed file or folder: %s\n", argv[i]);
      return 1;
    }
    if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::recursive_directory_iterator(arg)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& p : files) count += run_file(p);
    } else {
      count += run_file(arg);
    }
  }
  // The empty input is always worth one run.
  LLVMFuzzerTestOneInput(nullptr, 0);
  std::printf("replayed %zu inputs\n", count);
  return count == 0 ? 1 : 0;  // an empty seed corpus is a mistake, not a pass
}
