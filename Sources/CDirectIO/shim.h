// O_DIRECT is a GNU extension the Swift Glibc module does not export.
#define _GNU_SOURCE 1
#include <fcntl.h>

static inline int pilegate_o_direct(void) { return O_DIRECT; }
