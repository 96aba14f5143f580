/*
 * auth.h — bearer tokens: making them, hashing them, checking them fast.
 *
 * A token is "slt_" followed by 43 base64url characters: 32 random bytes
 * from libsodium.  The store keeps only a keyed BLAKE2b-256 hash of the
 * whole token string (crypto_generichash with the database's 32-byte token
 * key), never the token.  Why BLAKE2b and not a password hash (argon2):
 * the token already carries 256 bits of entropy, so a slow hash adds no
 * protection against guessing and would cap request throughput; the key
 * means a stolen hash list cannot even be checked offline without the
 * database's key.
 *
 * sl_auth caches verified hashes in memory (hash → tenant, admin); a miss
 * asks the store (a token added by `suanli token add` while the server runs
 * is found on first use).  Lookups compare hashes with sodium_memcmp, in
 * constant time.  Thread-safe: HTTP handler threads share one sl_auth.
 */
#ifndef SL_AUTH_H
#define SL_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "serve/store.h"

#define SL_TOKEN_PREFIX "slt_"
#define SL_TOKEN_LEN 47          /* "slt_" + 43 base64url characters */
#define SL_TOKEN_HASH_BYTES 32
#define SL_TENANT_NAME_MAX 64

/* Who a request is. */
typedef struct sl_principal {
	int64_t tenant;          /* tenants.id */
	int admin;
	char name[SL_TENANT_NAME_MAX + 1];
} sl_principal;

/* Is name a valid tenant name ([A-Za-z0-9_.-], 1..64 characters)? */
int sl_auth_tenant_valid(const char *name);

/* Make a new random token into buf (at least SL_TOKEN_LEN + 1 bytes). */
void sl_auth_token_new(char *buf, size_t n);

/* Hash a token with key into out[SL_TOKEN_HASH_BYTES]. */
void sl_auth_token_hash(const unsigned char key[SL_TOKEN_KEY_BYTES], const char *token,
                        size_t len, unsigned char out[SL_TOKEN_HASH_BYTES]);

/* Create a token for tenant (created if new) and store its hash; the token
 * itself goes into buf (SL_TOKEN_LEN + 1 bytes) and is shown once.  Returns
 * 0, SL_EINVAL (bad tenant name) or the store's error. */
int sl_auth_token_add(sl_store *st, const char *tenant, int admin, int64_t now, char *buf,
                      size_t n, sl_err *err);

typedef struct sl_auth sl_auth;

/* A verifier for the store's tokens; reads through its own read
 * connections.  Returns 0 or the store's error. */
int sl_auth_new(sl_store *st, sl_auth **out, sl_err *err);
void sl_auth_free(sl_auth *a);

/* Check the token of a request (the text after "Bearer ").  Returns 0 and
 * fills *who, SL_EINVAL for a token not shaped like one, SL_ENOTFOUND for
 * an unknown or revoked token, or SL_EIO. */
int sl_auth_check(sl_auth *a, const char *token, size_t len, sl_principal *who, sl_err *err);

#endif
