/*
** status.c -- names and messages for co_status (see status.h).
*/
#include "status.h"

const char *co_status_name(co_status s)
{
    switch (s) {
#define CO_X_NAME(name, msg) case name: return #name;
        CO_STATUS_LIST(CO_X_NAME)
#undef CO_X_NAME
    }
    return "CO_?";
}

const char *co_status_message(co_status s)
{
    switch (s) {
#define CO_X_MSG(name, msg) case name: return msg;
        CO_STATUS_LIST(CO_X_MSG)
#undef CO_X_MSG
    }
    return "unknown status";
}
