/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: kernel log splitting (dmesg and /dev/kmsg formats, continuation lines)
 * and classification into events, as the host probe and the Linux agent run them. */
#include <stddef.h>
#include <stdint.h>

#include "ptdiag/kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool classify_each(double time_s, const char *msg, void *user)
{
    struct ptd_kmsg_event ev;
    cJSON *j;

    (void)user;
    if (ptd_kmsg_classify(msg, &ev)) {
        ev.time_s = time_s;
        j = ptd_kmsg_event_to_json(&ev);
        cJSON_Delete(j);
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *events = cJSON_CreateArray();

    ptd_kmsg_split((const char *)data, size, classify_each, NULL);
    if (events) {
        (void)ptd_kmsg_collect((const char *)data, size, events, 8);
        cJSON_Delete(events);
    }
    return 0;
}
