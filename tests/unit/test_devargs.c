/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mig_devargs.h"
#include "mig_log.h"

static const char *const g_valid[] = { "size", "rate", "on", "name", "n",
				       "lat", NULL };

static void
expect_error(const char *args, const char *needle)
{
	mig_err_clear();
	assert_null(mig_devargs_parse("drv", args, g_valid));
	if (strstr(mig_err_last(), needle) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", args, mig_err_last(),
			 needle);
	assert_non_null(strstr(mig_err_last(), "drv"));
}

static void
test_parse_errors(void **state)
{
	(void)state;
	expect_error("szie=1", "unknown key 'szie'");
	expect_error("szie=1", "valid keys: size, rate");
	expect_error("size=1,size=2", "key 'size' given twice");
	expect_error("size", "is not key=value");
	expect_error("size=", "empty value");
	expect_error("size=1,,rate=2", "empty argument");
	expect_error("size=1,", "trailing ','");
	expect_error("=3", "bad key");
}

static void
test_parse_ok(void **state)
{
	struct rte_kvargs *kv;

	(void)state;
	kv = mig_devargs_parse("drv", "", g_valid);
	assert_non_null(kv);
	rte_kvargs_free(kv);
	kv = mig_devargs_parse("drv", NULL, g_valid);
	assert_non_null(kv);
	rte_kvargs_free(kv);
	kv = mig_devargs_parse("drv", "size=4G,on=yes", g_valid);
	assert_non_null(kv);
	assert_int_equal(rte_kvargs_count(kv, "size"), 1);
	rte_kvargs_free(kv);
}

static void
test_sizes(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "0x1000", 4096 },
		{ "4K", 4096 },
		{ "4kib", 4096 },
		{ "2M", 2u << 20 },
		{ "64G", UINT64_C(64) << 30 },
		{ "1T", UINT64_C(1) << 40 },
		{ "16383T", UINT64_C(16383) << 40 },
	};
	static const char *const bad[] = { "", "G", "-1", "4Q", "4 G", "1.5G",
					   "16777216T", "99999999999999999999" };
	unsigned int i;
	uint64_t v;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(mig_parse_size(ok[i].s, &v), 0);
		assert_int_equal(v, ok[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mig_parse_size(bad[i], &v) != -EINVAL)
			fail_msg("'%s' accepted as %llu", bad[i],
				 (unsigned long long)v);
}

static void
test_durations(void **state)
{
	static const uint64_t ms = 1000000;
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{ "0", 0 },
		{ "500", 500 * ms },
		{ "500ms", 500 * ms },
		{ "500MS", 500 * ms },
		{ "2s", 2000 * ms },
		{ "1.5s", 1500 * ms },
		{ "0.25ms", 250000 },
		{ "1.5", 1500000 },
		{ "7ns", 7 },
		{ "3us", 3000 },
		{ "1.000000001s", 1000000001 },
		{ "18446744073709551615ns", UINT64_MAX },
	};
	/* Size suffixes are not units of time: "1K" was once 1024 ms. */
	static const char *const bad[] = {
		"", "x", "1K", "1k", "1M", "2G", "1KB", "5min", "1m", "1h",
		"1.", ".5s", "1.5ns", "1.0000000001s", "1e3", " 5", "-5", "+5",
		"5 ms", "0x10", "1.5.5s", "99999999999999999999s",
		"18446744073709551616ns", "18446744074s",
	};
	unsigned int i;
	uint64_t v;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (mig_parse_duration(ok[i].s, ms, &v) != 0)
			fail_msg("'%s' refused", ok[i].s);
		if (v != ok[i].v)
			fail_msg("'%s' is %llu ns, expected %llu", ok[i].s,
				 (unsigned long long)v,
				 (unsigned long long)ok[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mig_parse_duration(bad[i], ms, &v) != -EINVAL)
			fail_msg("'%s' accepted as %llu ns", bad[i],
				 (unsigned long long)v);
	/* The default unit is the caller's. */
	assert_int_equal(mig_parse_duration("5", 1000, &v), 0);
	assert_int_equal(v, 5000);
	assert_int_equal(mig_parse_duration("5ms", 1000, &v), 0);
	assert_int_equal(v, 5000000);
}

static void
test_getters(void **state)
{
	struct rte_kvargs *kv;
	uint64_t size = 7, rate = 9, n = 3, lat = 0;
	bool on = false;
	char name[8] = "dflt";

	(void)state;
	kv = mig_devargs_parse("drv", "size=2M,on=1,name=abc,lat=3ms", g_valid);
	assert_non_null(kv);
	assert_int_equal(mig_devargs_size(kv, "drv", "size", &size, 0,
					  UINT64_MAX), 0);
	assert_int_equal(size, 2u << 20);
	/* Absent keys keep their default. */
	assert_int_equal(mig_devargs_size(kv, "drv", "rate", &rate, 0, 10), 0);
	assert_int_equal(rate, 9);
	assert_int_equal(mig_devargs_u64(kv, "drv", "n", &n, 0, 10), 0);
	assert_int_equal(n, 3);
	assert_int_equal(mig_devargs_bool(kv, "drv", "on", &on), 0);
	assert_true(on);
	assert_int_equal(mig_devargs_str(kv, "drv", "name", name,
					 sizeof(name)), 0);
	assert_string_equal(name, "abc");
	assert_int_equal(mig_devargs_duration(kv, "drv", "lat", &lat, 1000),
			 0);
	assert_int_equal(lat, 3000000);
	/* Range check names key and value. */
	assert_int_equal(mig_devargs_size(kv, "drv", "size", &size, 0, 1024),
			 -EINVAL);
	assert_non_null(strstr(mig_err_last(), "'2M' for key 'size'"));
	assert_non_null(strstr(mig_err_last(), "out of range"));
	rte_kvargs_free(kv);
}

static void
test_getter_errors(void **state)
{
	struct rte_kvargs *kv;
	uint64_t v = 0;
	bool b;
	char s[4];

	(void)state;
	kv = mig_devargs_parse("drv",
			       "size=lots,n=12x,on=maybe,name=toolong,lat=1h",
			       g_valid);
	assert_non_null(kv);
	assert_int_equal(mig_devargs_size(kv, "drv", "size", &v, 0, UINT64_MAX),
			 -EINVAL);
	assert_non_null(strstr(mig_err_last(), "'lots' for key 'size'"));
	assert_int_equal(mig_devargs_u64(kv, "drv", "n", &v, 0, UINT64_MAX),
			 -EINVAL);
	assert_non_null(strstr(mig_err_last(), "key 'n' is not a number"));
	assert_int_equal(mig_devargs_bool(kv, "drv", "on", &b), -EINVAL);
	assert_non_null(strstr(mig_err_last(), "not a boolean"));
	assert_int_equal(mig_devargs_str(kv, "drv", "name", s, sizeof(s)),
			 -EINVAL);
	assert_non_null(strstr(mig_err_last(), "longer than 3"));
	assert_int_equal(mig_devargs_duration(kv, "drv", "lat", &v, 1),
			 -EINVAL);
	assert_non_null(strstr(mig_err_last(), "not a duration"));
	assert_int_equal(v, 0);
	rte_kvargs_free(kv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_getter_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
