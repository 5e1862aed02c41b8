/*
 * floe.h — the public interface of libfloe, for programs that embed Floe.
 *
 * Floe keeps derived ("dynamic") tables over Apache Iceberg lakes fresh by re-running their SQL
 * over only what changed. This header is the one include an embedding program needs; it grows
 * as the engine does. Conventions, as everywhere in Floe: functions return 0 or a negative
 * status (kernels/status.h), take an optional floe_error * for a message, never print or exit.
 */
#ifndef FLOE_H
#define FLOE_H

#include "kernels/status.h"  /* floe_error, FLOE_E* codes */
#include "kernels/types.h"   /* floe_type */
#include "kernels/vector.h"  /* floe_vector, floe_batch */

#define FLOE_VERSION_MAJOR 0
#define FLOE_VERSION_MINOR 1
#define FLOE_VERSION_PATCH 0
#define FLOE_VERSION_STRING "0.1.0"

/* The library's version string ("0.1.0"), which may differ from the header's when linked
 * against a newer archive. */
const char *floe_version(void);

#endif
