// Declarations only: LLVMFuzzerRunDriver comes from the sanitizer runtime, LLVMFuzzerTestOneInput
// from the fuzzer's Swift code.
#include "CFuzzerDriver.h"
