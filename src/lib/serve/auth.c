/*
 * auth.c — token making, hashing and the verified-token cache.
 *
 * The cache is an open-addressing table of verified hashes under a
 * read-write lock: the hot path (a known token) takes the read lock, hashes
 * 47 bytes with BLAKE2b and compares 32 bytes in constant time.  Tokens
 * are never revoked while the server runs (there is no revoke verb yet), so
 * entries are never evicted; the table grows by doubling.
 */
#include "serve/auth.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/mem.h"
#include "core/banned.h"

typedef struct entry {
	unsigned char hash[SL_TOKEN_HASH_BYTES];
	int used;
	sl_principal who;
} entry;

struct sl_auth {
	unsigned char key[SL_TOKEN_KEY_BYTES];
	pthread_rwlock_t lock;
	entry *tab;
	size_t cap, n;            /* cap is a power of two; n < cap / 2 */
	pthread_mutex_t rd_lock;  /* guards rd */
	sl_store_reader *rd;
};

int sl_auth_tenant_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > SL_TENANT_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

void sl_auth_token_new(char *buf, size_t n)
{
	unsigned char raw[32];
	char b64[64];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(buf, n, "%s%s", SL_TOKEN_PREFIX, b64);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(b64, sizeof b64);
}

void sl_auth_token_hash(const unsigned char key[SL_TOKEN_KEY_BYTES], const char *token,
                        size_t len, unsigned char out[SL_TOKEN_HASH_BYTES])
{
	crypto_generichash(out, SL_TOKEN_HASH_BYTES, (const unsigned char *)token, len, key,
	                   SL_TOKEN_KEY_BYTES);
}

int sl_auth_token_add(sl_store *st, const char *tenant, int admin, int64_t now, char *buf,
                      size_t n, sl_err *err)
{
	unsigned char key[SL_TOKEN_KEY_BYTES], hash[SL_TOKEN_HASH_BYTES];
	char tok[SL_TOKEN_LEN + 1];
	int64_t tid;
	int rc;
	if (!sl_auth_tenant_valid(tenant))
		return sl_err_set(err, SL_EINVAL, "--tenant",
		                  "tenant name must be 1-%d characters of A-Z a-z 0-9 _ . -",
		                  SL_TENANT_NAME_MAX);
	if (n < sizeof tok)
		return sl_err_set(err, SL_EINVAL, NULL, "token buffer too small");
	if ((rc = sl_store_token_key(st, key, err)) < 0)
		return rc;
	sl_auth_token_new(tok, sizeof tok);
	sl_auth_token_hash(key, tok, strlen(tok), hash);
	rc = sl_store_token_add(st, tenant, hash, sizeof hash, admin, now, &tid, err);
	if (rc == 0)
		snprintf(buf, n, "%s", tok);
	sodium_memzero(key, sizeof key);
	sodium_memzero(tok, sizeof tok);
	return rc;
}

int sl_auth_new(sl_store *st, sl_auth **out, sl_err *err)
{
	sl_auth *a = sl_calloc(1, sizeof *a);
	int rc = sl_store_token_key(st, a->key, err);
	if (rc < 0 || (rc = sl_store_reader_open(st, &a->rd, err)) < 0) {
		sl_free(a);
		return rc;
	}
	pthread_rwlock_init(&a->lock, NULL);
	pthread_mutex_init(&a->rd_lock, NULL);
	a->cap = 64;
	a->tab = sl_calloc(a->cap, sizeof *a->tab);
	*out = a;
	return 0;
}

void sl_auth_free(sl_auth *a)
{
	if (!a)
		return;
	sl_store_reader_free(a->rd);
	pthread_rwlock_destroy(&a->lock);
	pthread_mutex_destroy(&a->rd_lock);
	sodium_memzero(a->key, sizeof a->key);
	sl_free(a->tab);
	sl_free(a);
}

static size_t slot_of(const unsigned char *hash, size_t cap)
{
	uint64_t h;
	memcpy(&h, hash, sizeof h);
	return (size_t)(h & (cap - 1));
}

/* Find hash in the table (caller holds the lock); NULL if absent. */
static const entry *find(const sl_auth *a, const unsigned char *hash)
{
	for (size_t i = slot_of(hash, a->cap);; i = (i + 1) & (a->cap - 1)) {
		const entry *e = &a->tab[i];
		if (!e->used)
			return NULL;
		if (sodium_memcmp(e->hash, hash, SL_TOKEN_HASH_BYTES) == 0)
			return e;
	}
}

static void put(entry *tab, size_t cap, const entry *e)
{
	size_t i = slot_of(e->hash, cap);
	while (tab[i].used)
		i = (i + 1) & (cap - 1);
	tab[i] = *e;
}

/* Insert under the write lock, growing first if needed. */
static void insert(sl_auth *a, const entry *e)
{
	pthread_rwlock_wrlock(&a->lock);
	if (!find(a, e->hash)) {
		if (2 * (a->n + 1) >= a->cap) {
			size_t ncap = a->cap * 2;
			entry *nt = sl_calloc(ncap, sizeof *nt);
			for (size_t i = 0; i < a->cap; i++)
				if (a->tab[i].used)
					put(nt, ncap, &a->tab[i]);
			sl_free(a->tab);
			a->tab = nt;
			a->cap = ncap;
		}
		put(a->tab, a->cap, e);
		a->n++;
	}
	pthread_rwlock_unlock(&a->lock);
}

static int shaped_like_token(const char *t, size_t len)
{
	if (len != SL_TOKEN_LEN || memcmp(t, SL_TOKEN_PREFIX, 4) != 0)
		return 0;
	for (size_t i = 4; i < len; i++) {
		char c = t[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int sl_auth_check(sl_auth *a, const char *token, size_t len, sl_principal *who, sl_err *err)
{
	entry e = {0};
	const entry *hit;
	int rc;
	if (!shaped_like_token(token, len))
		return sl_err_set(err, SL_EINVAL, "Authorization",
		                  "the bearer token is not a suanli token (slt_...)");
	sl_auth_token_hash(a->key, token, len, e.hash);
	pthread_rwlock_rdlock(&a->lock);
	hit = find(a, e.hash);
	if (hit)
		*who = hit->who;
	pthread_rwlock_unlock(&a->lock);
	if (hit)
		return 0;
	pthread_mutex_lock(&a->rd_lock);
	rc = sl_store_token_lookup(a->rd, e.hash, sizeof e.hash, &e.who.tenant, &e.who.admin,
	                           e.who.name, sizeof e.who.name, err);
	pthread_mutex_unlock(&a->rd_lock);
	if (rc < 0)
		return rc == SL_ENOTFOUND
			? sl_err_set(err, SL_ENOTFOUND, "Authorization", "unknown or revoked token")
			: rc;
	e.used = 1;
	insert(a, &e);
	*who = e.who;
	return 0;
}
