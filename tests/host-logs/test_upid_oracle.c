/* SPDX-License-Identifier: MIT */
/*
 * upid_decode against Proxmox's own decoding. The Proxmox API's task list returns each task's
 * UPID together with the fields pve-common decoded from it (pid, pstart, starttime, type, id,
 * user, node). The rows below are such answers of a real node, as printed in proxmoxer's
 * documentation (https://proxmoxer.github.io/docs/1.2/examples/tasks/, "Getting Task IDs"):
 * the UPID string and the API's decoded fields side by side, so this test holds our decoder to
 * the original's results rather than to our reading of its source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "upid.h"

struct api_task {
    const char *upid;
    const char *node, *type, *id, *user;
    uint32_t pid;
    uint64_t pstart;
    uint32_t starttime;
    char subdir; /* the last hex digit of the UPID's starttime: the log file's folder */
};

static const struct api_task api_tasks[] = {
    {"UPID:mini-pve-0:000CFFFA:03E8EF53:619480BA:vzdump:103:root@pam:", "mini-pve-0", "vzdump",
     "103", "root@pam", 851962, 65597267, 1637122234, 'A'},
    {"UPID:mini-pve-0:000CFC5C:03E8D0C3:6194806C:aptupdate::root@pam:", "mini-pve-0", "aptupdate",
     "", "root@pam", 851036, 65589443, 1637122156, 'C'},
    {"UPID:mini-pve-0:000CF1B2:03E836E2:61947EE2:vncshell::root@pam:", "mini-pve-0", "vncshell", "",
     "root@pam", 848306, 65550050, 1637121762, '2'},
};

static void test_api_decoding(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof api_tasks / sizeof api_tasks[0]; i++) {
        const struct api_task *t = &api_tasks[i];
        struct upid u;

        assert_true(upid_decode(t->upid, strlen(t->upid), &u));
        assert_string_equal(u.node, t->node);
        assert_string_equal(u.type, t->type);
        assert_string_equal(u.id, t->id);
        assert_string_equal(u.user, t->user);
        assert_int_equal(u.pid, t->pid);
        assert_int_equal(u.pstart, t->pstart);
        assert_int_equal(u.starttime, t->starttime);
        assert_int_equal(u.subdir, t->subdir);
        assert_true(upid_is_safe_filename(t->upid, strlen(t->upid)));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_api_decoding)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
