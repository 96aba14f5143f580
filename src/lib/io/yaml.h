/*
 * yaml.h — a small YAML document tree built from libyaml's event parser.
 *
 * Three node kinds (scalar, sequence, mapping), each carrying the 1-based
 * line and column of its first character, in block or flow style alike.
 * The tree is deliberately plain: no type resolution (a scalar is text; the
 * caller decides whether "1.5" is a number), no anchors or aliases, no tags,
 * one document per file, scalar mapping keys only and no duplicate keys.
 * Each of those, and every YAML syntax error, becomes a located diagnostic.
 *
 * Everything in a document lives in doc->arena and is freed by
 * sl_yaml_release.
 */
#ifndef SL_YAML_H
#define SL_YAML_H

#include <stddef.h>

#include "core/diag.h"
#include "core/err.h"
#include "core/mem.h"

#define SL_YAML_MAX_DEPTH 64 /* deeper nesting is rejected, not recursed into */

typedef enum sl_yaml_kind { SL_YAML_SCALAR = 1, SL_YAML_SEQ, SL_YAML_MAP } sl_yaml_kind;

typedef struct sl_yaml_node sl_yaml_node;

typedef struct sl_yaml_pair {
	sl_yaml_node *key; /* always a scalar */
	sl_yaml_node *value;
} sl_yaml_pair;

/* One node.  Invariant: str is non-NULL and NUL-terminated for scalars
 * (len excludes the terminator; an escaped "\0" inside makes strlen(str) <
 * len); items has n entries for sequences, pairs has n for mappings, in
 * document order. */
struct sl_yaml_node {
	sl_yaml_kind kind;
	int line, col;        /* 1-based position of the node's first character */
	int plain;            /* scalar written without quotes (plain style) */
	const char *str;      /* SCALAR */
	size_t len;
	size_t n;
	sl_yaml_node **items; /* SEQ */
	sl_yaml_pair *pairs;  /* MAP */
};

/* A parsed document.  Zero-initialise before sl_yaml_parse. */
typedef struct sl_yaml_doc {
	sl_arena arena;
	sl_yaml_node *root; /* NULL for an empty document */
} sl_yaml_doc;

/* Parse len bytes of YAML text into doc.  file names the text in
 * diagnostics (may be NULL).  Returns 0, or SL_EPARSE after appending every
 * problem found to diags (may be NULL) and a summary to err; on failure
 * doc->root is NULL.  Call sl_yaml_release(doc) in both cases. */
int sl_yaml_parse(sl_yaml_doc *doc, const char *text, size_t len, const char *file,
                  sl_diags *diags, sl_err *err);

/* Free everything the document holds.  Accepts a zeroed or released doc. */
void sl_yaml_release(sl_yaml_doc *doc);

/* The value under key in a mapping (NULL if map is not a mapping or has no
 * such key). */
const sl_yaml_node *sl_yaml_get(const sl_yaml_node *map, const char *key);

/* The pair whose key is `key`, or NULL. */
const sl_yaml_pair *sl_yaml_pair_of(const sl_yaml_node *map, const char *key);

/* True for a plain scalar spelling null: "", "~", "null", "Null", "NULL". */
int sl_yaml_is_null(const sl_yaml_node *n);

/* "a mapping", "a list", "null" or "a scalar": words for "expected X, got
 * Y" messages. */
const char *sl_yaml_kind_name(const sl_yaml_node *n);

#endif
