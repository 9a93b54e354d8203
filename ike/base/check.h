#pragma once
// MIP_ASSERT: internal invariants, debug builds only. MIP_CHECK: always on, aborts; only for
// states we cannot recover from. Never use either on untrusted input: that is a Result error.
#include <cstdio>
#include <cstdlib>

#define MIP_CHECK(cond)                                                                     \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);         \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)

#ifdef NDEBUG
#define MIP_ASSERT(cond) \
  do {                   \
  } while (0)
#else
#define MIP_ASSERT(cond) MIP_CHECK(cond)
#endif
