/*
 * test_auth.c — tokens: shape, keyed hashing, storage (hash only), lookup,
 * the cache, tenants and admin.
 */
#include "testutil.h"

#include "serve/auth.h"
#include "serve/store.h"

static char dir[256];

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof dir, "/tmp/suanli-test-auth.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	return tu_rmrf(dir);
}

static void test_token_shape(void **st)
{
	char a[SL_TOKEN_LEN + 1], b[SL_TOKEN_LEN + 1];
	(void)st;
	sl_auth_token_new(a, sizeof a);
	sl_auth_token_new(b, sizeof b);
	assert_int_equal(strlen(a), SL_TOKEN_LEN);
	assert_memory_equal(a, "slt_", 4);
	assert_string_not_equal(a, b);
	for (size_t i = 4; i < strlen(a); i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
		                       a[i]));
}

static void test_hash_is_keyed(void **st)
{
	unsigned char k1[SL_TOKEN_KEY_BYTES] = {1}, k2[SL_TOKEN_KEY_BYTES] = {2};
	unsigned char h1[SL_TOKEN_HASH_BYTES], h2[SL_TOKEN_HASH_BYTES], h3[SL_TOKEN_HASH_BYTES];
	const char *t = "slt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	(void)st;
	sl_auth_token_hash(k1, t, strlen(t), h1);
	sl_auth_token_hash(k1, t, strlen(t), h3);
	sl_auth_token_hash(k2, t, strlen(t), h2);
	assert_memory_equal(h1, h3, sizeof h1);
	assert_memory_not_equal(h1, h2, sizeof h1);
}

static void test_tenant_names(void **st)
{
	(void)st;
	assert_true(sl_auth_tenant_valid("team-a.prod_1"));
	assert_false(sl_auth_tenant_valid(""));
	assert_false(sl_auth_tenant_valid("a b"));
	assert_false(sl_auth_tenant_valid("a/b"));
	assert_false(sl_auth_tenant_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

/* The token's text appears nowhere in the database file. */
static int file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	static char buf[1 << 20];
	size_t n, m = strlen(needle);
	int hit = 0;
	assert_non_null(f);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	for (size_t i = 0; i + m <= n && !hit; i++)
		hit = memcmp(buf + i, needle, m) == 0;
	return hit;
}

static void test_add_and_check(void **st)
{
	sl_store *s = NULL;
	sl_auth *a = NULL;
	sl_err e = {0};
	char alice[SL_TOKEN_LEN + 1], root[SL_TOKEN_LEN + 1], late[SL_TOKEN_LEN + 1];
	sl_principal who;
	(void)st;
	assert_int_equal(sl_store_open(dir, 0, &s, &e), 0);
	assert_int_equal(sl_auth_token_add(s, "alice", 0, 100, alice, sizeof alice, &e), 0);
	assert_int_equal(sl_auth_token_add(s, "ops", 1, 100, root, sizeof root, &e), 0);
	assert_int_equal(sl_auth_token_add(s, "bad name", 0, 100, late, sizeof late, &e), SL_EINVAL);
	assert_non_null(strstr(e.origin, "--tenant"));
	assert_int_equal(sl_auth_new(s, &a, &e), 0);

	assert_int_equal(sl_auth_check(a, alice, strlen(alice), &who, &e), 0);
	assert_string_equal(who.name, "alice");
	assert_int_equal(who.admin, 0);
	int64_t alice_id = who.tenant;
	/* second time from the cache: same answer */
	memset(&who, 0, sizeof who);
	assert_int_equal(sl_auth_check(a, alice, strlen(alice), &who, &e), 0);
	assert_int_equal(who.tenant, alice_id);
	assert_int_equal(sl_auth_check(a, root, strlen(root), &who, &e), 0);
	assert_string_equal(who.name, "ops");
	assert_int_equal(who.admin, 1);
	assert_true(who.tenant != alice_id);

	/* a second token for the same tenant maps to the same tenant id; a
	 * token added after the verifier started is found on first use */
	assert_int_equal(sl_auth_token_add(s, "alice", 0, 200, late, sizeof late, &e), 0);
	assert_int_equal(sl_auth_check(a, late, strlen(late), &who, &e), 0);
	assert_int_equal(who.tenant, alice_id);

	/* wrong tokens */
	char wrong[SL_TOKEN_LEN + 1];
	snprintf(wrong, sizeof wrong, "%s", alice);
	wrong[10] = wrong[10] == 'A' ? 'B' : 'A';
	assert_int_equal(sl_auth_check(a, wrong, strlen(wrong), &who, &e), SL_ENOTFOUND);
	assert_int_equal(sl_auth_check(a, "hunter2", 7, &who, &e), SL_EINVAL);
	assert_int_equal(sl_auth_check(a, alice, strlen(alice) - 1, &who, &e), SL_EINVAL);
	assert_int_equal(sl_auth_check(a, "", 0, &who, &e), SL_EINVAL);

	sl_auth_free(a);
	/* checkpoint so the file holds everything, then look for the secret */
	assert_int_equal(sqlite3_exec(sl_store_db(s), "PRAGMA wal_checkpoint(TRUNCATE)", 0, 0, 0),
	                 SQLITE_OK);
	assert_false(file_contains(sl_store_path(s), alice + 4));
	assert_false(file_contains(sl_store_path(s), root + 4));
	assert_true(file_contains(sl_store_path(s), "alice")); /* the file is readable */
	sl_store_free(s);
}

static void test_many_tokens_grow_cache(void **st)
{
	enum { N = 300 };
	sl_store *s = NULL;
	sl_auth *a = NULL;
	sl_err e = {0};
	static char toks[N][SL_TOKEN_LEN + 1];
	sl_principal who;
	(void)st;
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_NORMAL, &s, &e), 0);
	assert_int_equal(sl_auth_new(s, &a, &e), 0);
	for (int i = 0; i < N; i++) {
		char name[16];
		snprintf(name, sizeof name, "t%d", i % 7);
		assert_int_equal(sl_auth_token_add(s, name, i == 5, 1, toks[i], sizeof toks[i], &e), 0);
		assert_int_equal(sl_auth_check(a, toks[i], SL_TOKEN_LEN, &who, &e), 0);
	}
	for (int i = 0; i < N; i++) {
		char name[16];
		snprintf(name, sizeof name, "t%d", i % 7);
		assert_int_equal(sl_auth_check(a, toks[i], SL_TOKEN_LEN, &who, &e), 0);
		assert_string_equal(who.name, name);
		assert_int_equal(who.admin, i == 5);
	}
	sl_auth_free(a);
	sl_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_shape),
		cmocka_unit_test(test_hash_is_keyed),
		cmocka_unit_test(test_tenant_names),
		cmocka_unit_test_setup_teardown(test_add_and_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_tokens_grow_cache, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
