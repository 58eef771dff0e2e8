// SPDX-License-Identifier: GPL-2.0
/*
 * rl_kunit: a KUnit suite in a module.
 *
 * The suite is registered from the module's .kunit_test_suites section when
 * the module comes up and runs at once; both cases pass.  The results
 * appear in the kernel log in KTAP and, with CONFIG_KUNIT_DEBUGFS, under
 * /sys/kernel/debug/kunit/rl_kunit/results.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>

static void rl_kunit_arithmetic(struct kunit *test)
{
	static const int primes[] = { 2, 3, 5, 7, 11, 13 };
	unsigned int i;
	int sum = 0;

	for (i = 0; i < ARRAY_SIZE(primes); i++)
		sum += primes[i];
	KUNIT_EXPECT_EQ(test, sum, 41);
	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(primes), 6);
}

static void rl_kunit_strings(struct kunit *test)
{
	char buf[16];

	KUNIT_EXPECT_EQ(test, strscpy(buf, "rloader", sizeof(buf)), 7);
	KUNIT_EXPECT_STREQ(test, buf, "rloader");
	KUNIT_EXPECT_EQ(test, strscpy(buf, "a string that is too long",
				      sizeof(buf)), -E2BIG);
	KUNIT_EXPECT_EQ(test, strlen(buf), sizeof(buf) - 1);
}

static struct kunit_case rl_kunit_cases[] = {
	KUNIT_CASE(rl_kunit_arithmetic),
	KUNIT_CASE(rl_kunit_strings),
	{}
};

static struct kunit_suite rl_kunit_suite = {
	.name = "rl_kunit",
	.test_cases = rl_kunit_cases,
};

kunit_test_suite(rl_kunit_suite);

MODULE_DESCRIPTION("Module loader test: a KUnit suite with two passing cases");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
