/*
 * library.c — library-wide entry points declared in include/floe.h.
 */
#include "floe.h"

const char *floe_version(void) { return FLOE_VERSION_STRING; }
