// The system zlib, used to read gzip-compressed dataset files.
#include <zlib.h>
