#pragma once
// A temporary directory for one test (under ::testing::TempDir()): the files handed out by
// path() and the directory itself are removed when it goes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace test {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix) {
    std::string tmpl = ::testing::TempDir() + prefix + "-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) {
      dir_ = tmpl;
    }
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    for (const auto& f : files_) {
      std::remove(f.c_str());
    }
    if (!dir_.empty()) {
      rmdir(dir_.c_str());
    }
  }

  // False when the directory could not be made (assert it in SetUp).
  [[nodiscard]] bool ok() const { return !dir_.empty(); }
  [[nodiscard]] const std::string& dir() const { return dir_; }
  // DIR/name, removed with the directory.
  std::string path(const std::string& name) {
    files_.push_back(dir_ + "/" + name);
    return files_.back();
  }

 private:
  std::string dir_;
  std::vector<std::string> files_;
};

}  // namespace test
