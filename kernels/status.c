/*
 * status.c — error codes and the floe_error message buffer (contract in status.h).
 */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void floe_error_clear(floe_error *err)
{
    if (err == NULL) return;
    err->code = FLOE_OK;
    err->message[0] = '\0';
}

int floe_error_set(floe_error *err, int code, const char *format, ...)
{
    if (err == NULL) return code;
    err->code = code;
    va_list args;
    va_start(args, format);
    vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
    return code;
}

int floe_error_prefix(floe_error *err, const char *format, ...)
{
    if (err == NULL) return FLOE_EINVAL;
    char prefix[FLOE_ERROR_MESSAGE_SIZE];
    va_list args;
    va_start(args, format);
    int prefix_length = vsnprintf(prefix, sizeof prefix, format, args);
    va_end(args);
    if (prefix_length < 0) return err->code;
    /* Truncation is intended: the innermost end of an over-long message is the least useful. */
    char combined[FLOE_ERROR_MESSAGE_SIZE];
    size_t used = (size_t)prefix_length < sizeof combined ? (size_t)prefix_length : sizeof combined - 1;
    memcpy(combined, prefix, used);
    size_t room = sizeof combined - 1 - used;
    const char separator[] = ": ";
    size_t separator_length = room < 2 ? room : 2;
    memcpy(combined + used, separator, separator_length);
    used += separator_length;
    room -= separator_length;
    size_t message_length = strlen(err->message);
    if (message_length > room) message_length = room;
    memcpy(combined + used, err->message, message_length);
    combined[used + message_length] = '\0';
    memcpy(err->message, combined, sizeof combined);
    return err->code;
}

const char *floe_status_name(int code)
{
    switch (code) {
    case FLOE_OK: return "ok";
    case FLOE_EINVAL: return "invalid argument";
    case FLOE_ENOMEM: return "out of memory";
    case FLOE_ECORRUPT: return "corrupt input";
    case FLOE_ENOTFOUND: return "not found";
    case FLOE_EUNSUPPORTED: return "unsupported";
    case FLOE_ECONFLICT: return "commit conflict";
    case FLOE_ESYNTAX: return "syntax error";
    case FLOE_ETYPE: return "type error";
    case FLOE_ERANGE: return "out of range";
    case FLOE_EUNAVAILABLE: return "unavailable";
    default:
        if (code < 0 && code > -4096) return strerror(-code);
        return "unknown status";
    }
}
