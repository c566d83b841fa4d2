// The system zlib, used to read gzipped dataset files.
#include <zlib.h>
