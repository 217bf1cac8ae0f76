/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptdiag/cpuid.h"

/* Registers as KVM returns them: EBX "KVMK", ECX "VMKV", EDX "M\0\0\0". */
static void test_kvm_signature(void **state)
{
    char sig[13];

    (void)state;
    ptd_cpuid_signature(0x4b4d564b, 0x564b4d56, 0x0000004d, sig);
    assert_string_equal(sig, "KVMKVMKVM");
    assert_string_equal(ptd_cpuid_hypervisor_kind(true, sig), "kvm");
}

static void test_hyperv_and_vendor_id(void **state)
{
    char sig[13];

    (void)state;
    ptd_cpuid_signature(0x7263694d, 0x666f736f, 0x76482074, sig); /* "Microsoft Hv" */
    assert_string_equal(sig, "Microsoft Hv");
    assert_string_equal(ptd_cpuid_hypervisor_kind(true, sig), "hyperv");
    ptd_cpuid_signature(0x756e6547, 0x6c65746e, 0x49656e69, sig); /* "GenuineIntel" order */
    assert_string_equal(ptd_cpuid_hypervisor_kind(true, sig), "other");
}

static void test_none_and_garbage(void **state)
{
    char sig[13];

    (void)state;
    assert_string_equal(ptd_cpuid_hypervisor_kind(false, ""), "none");
    assert_string_equal(ptd_cpuid_hypervisor_kind(true, ""), "other");
    ptd_cpuid_signature(0x01020304, 0, 0, sig);
    assert_int_equal(strlen(sig), 4);
    assert_int_equal(strspn(sig, "?"), 4);
}

static void test_read_is_consistent(void **state)
{
    struct ptd_cpuid_view v;

    (void)state;
    ptd_cpuid_read(&v);
#if defined(__x86_64__)
    assert_true(v.available);
    if (!v.hypervisor_bit)
        assert_string_equal(v.signature, "");
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kvm_signature),
        cmocka_unit_test(test_hyperv_and_vendor_id),
        cmocka_unit_test(test_none_and_garbage),
        cmocka_unit_test(test_read_is_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
