/*
 * scenario_int.h — private to the scenario loader (scenario*.c).
 *
 * The loader walks the YAML tree section by section with one context that
 * carries the key path of where it is ("sites[2].power"), the diagnostics
 * collected so far and the network being filled.  Field readers report
 * every problem with the node's file:line:col, the key path and "expected
 * X, got Y", and never stop the walk: a bad field is skipped and the next
 * one is read, so one bad site does not hide the next one's errors.
 *
 * Reader return convention: 1 = present and valid (out written), 0 = absent
 * and optional (out untouched), -1 = invalid or required-but-missing
 * (reported).
 */
#ifndef SL_SCENARIO_INT_H
#define SL_SCENARIO_INT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "io/yaml.h"
#include "model/network.h"

#define SL__SC_PATH_MAX 512
#define SL__SC_MAX_STEPS 1000000 /* signal length cap: 114 years hourly */
#define SL__SC_ID_MAX 64

typedef struct sl__sc {
	const char *file;      /* the scenario path as given, for diagnostics */
	char *dir;             /* its directory ("" = cwd), for CSV paths; heap */
	sl_diags *diags;
	size_t nerr;
	sl_network *net;       /* being filled; everything from net->arena */
	int grid_ok;           /* the time grid is valid: signals can be expanded */
	struct sl__sc_energy *energy; /* scenario_energy.c's pending work, NULL until needed */
	char path[SL__SC_PATH_MAX];
	size_t plen;
} sl__sc;

/* Allowed values of a number; lo/hi may be -INFINITY/INFINITY. */
typedef struct sl__sc_bounds {
	double lo, hi;
	unsigned char lo_open, hi_open; /* exclusive ends */
	unsigned char integer;          /* must be a whole number (int32 range) */
} sl__sc_bounds;

static inline sl__sc_bounds sl__sc_any(void) { return (sl__sc_bounds){-INFINITY, INFINITY, 0, 0, 0}; }
static inline sl__sc_bounds sl__sc_ge(double lo) { return (sl__sc_bounds){lo, INFINITY, 0, 0, 0}; }
static inline sl__sc_bounds sl__sc_gt(double lo) { return (sl__sc_bounds){lo, INFINITY, 1, 0, 0}; }
static inline sl__sc_bounds sl__sc_in(double lo, double hi) { return (sl__sc_bounds){lo, hi, 0, 0, 0}; }
static inline sl__sc_bounds sl__sc_in_open_hi(double lo, double hi) { return (sl__sc_bounds){lo, hi, 0, 1, 0}; }
static inline sl__sc_bounds sl__sc_int_in(double lo, double hi) { return (sl__sc_bounds){lo, hi, 0, 0, 1}; }

/* A list of names to look references up in or suggest from: n items of
 * `stride` bytes starting at base, each beginning with its `const char *`
 * name (the id field is the first member of every model struct). */
typedef struct sl__sc_names {
	const void *base;
	size_t stride;
	int n;
} sl__sc_names;

#define SL__SC_NAMES(arr, cnt) ((sl__sc_names){(arr), sizeof *(arr), (cnt)})

const char *sl__sc_name_at(sl__sc_names s, int i);
/* A NULL-terminated string array as a name list. */
sl__sc_names sl__sc_words(const char *const *words);

/* --- key path and diagnostics (scenario_field.c) --- */
size_t sl__sc_push(sl__sc *c, const char *key);      /* appends ".key"; returns the mark */
size_t sl__sc_push_index(sl__sc *c, size_t i);       /* appends "[i]" */
void   sl__sc_pop(sl__sc *c, size_t mark);
void   sl__sc_error(sl__sc *c, const sl_yaml_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "\"text\"", "1.5", "a list", "a mapping", "null": the Y of "got Y". */
const char *sl__sc_describe(const sl_yaml_node *n, char *buf, size_t size);
/* The closest name within a small edit distance of word, or NULL. */
const char *sl__sc_nearest(const char *word, sl__sc_names names);
/* "a, b, c" (at most 12 names, then "...") into buf. */
void sl__sc_join_names(sl__sc_names names, char *buf, size_t size);

/* --- structure --- */
/* Report every key of map not in known (NULL-terminated), with a hint. */
void sl__sc_check_keys(sl__sc *c, const sl_yaml_node *map, const char *const *known);
/* The value under key; reports a missing required key at the mapping. */
const sl_yaml_node *sl__sc_get(sl__sc *c, const sl_yaml_node *map, const char *key, int required);
/* 1 if n is a mapping / list, else report "expected <what>, got ..." and 0. */
int sl__sc_expect_map(sl__sc *c, const sl_yaml_node *n, const char *what);
int sl__sc_expect_list(sl__sc *c, const sl_yaml_node *n, const char *what);
/* The list under key, reported when missing (required), not a list, or
 * empty (nonempty); NULL then.  An absent optional list is NULL silently. */
const sl_yaml_node *sl__sc_list(sl__sc *c, const sl_yaml_node *map, const char *key,
                                int required, int nonempty, const char *what);
/* Report a repeated `id` among the mappings of seq (path at seq). */
void sl__sc_unique_ids(sl__sc *c, const sl_yaml_node *seq);

/* "a number >= 1", "an integer in [0, 24]", "a duration > 0" (what
 * replaces "a number" when given). */
const char *sl__sc_bounds_text(sl__sc_bounds b, const char *what, char *buf, size_t size);
int sl__sc_in_bounds(sl__sc_bounds b, double v);

/* --- values at a node (path already at the node); 0 ok, -1 reported --- */
int sl__sc_node_num(sl__sc *c, const sl_yaml_node *n, sl__sc_bounds b, double *out);
int sl__sc_node_str(sl__sc *c, const sl_yaml_node *n, const char **out);
int sl__sc_node_id(sl__sc *c, const sl_yaml_node *n, const char **out);
int sl__sc_node_duration(sl__sc *c, const sl_yaml_node *n, int64_t *out_s);
int sl__sc_node_bytes(sl__sc *c, const sl_yaml_node *n, int64_t *out);
int sl__sc_node_lookup(sl__sc *c, const sl_yaml_node *n, const char *what, sl__sc_names names,
                       int *out);
int sl__sc_node_jurisdiction(sl__sc *c, const sl_yaml_node *n, int *out);
int sl__sc_node_signal(sl__sc *c, const sl_yaml_node *n, sl__sc_bounds b, sl_signal *out);

/* --- values under a key (1 / 0 / -1, see above) --- */
int sl__sc_num(sl__sc *c, const sl_yaml_node *map, const char *key, int req, sl__sc_bounds b,
               double *out);
int sl__sc_int(sl__sc *c, const sl_yaml_node *map, const char *key, int req, sl__sc_bounds b,
               int32_t *out);
int sl__sc_str(sl__sc *c, const sl_yaml_node *map, const char *key, int req, const char **out);
int sl__sc_id(sl__sc *c, const sl_yaml_node *map, const char *key, int req, const char **out);
/* true or false (YAML's words only). */
int sl__sc_bool(sl__sc *c, const sl_yaml_node *map, const char *key, int req, int *out);
int sl__sc_offset(sl__sc *c, const sl_yaml_node *map, const char *key, int req, int32_t *out_s);
int sl__sc_time(sl__sc *c, const sl_yaml_node *map, const char *key, int req,
                int32_t default_offset_s, int64_t *out);
int sl__sc_duration(sl__sc *c, const sl_yaml_node *map, const char *key, int req,
                    int64_t *out_s);
int sl__sc_ref(sl__sc *c, const sl_yaml_node *map, const char *key, int req, const char *what,
               sl__sc_names names, int *out);
int sl__sc_jurisdiction(sl__sc *c, const sl_yaml_node *map, const char *key, int req, int *out);
int sl__sc_signal(sl__sc *c, const sl_yaml_node *map, const char *key, int req, sl__sc_bounds b,
                  sl_signal *out);

/* Ranges: [lo, hi] (or one value v = [v, v]) of integers, durations (s) or
 * byte sizes, each element within b; lo <= hi. */
enum { SL__SC_RANGE_NUM, SL__SC_RANGE_DURATION, SL__SC_RANGE_BYTES };
int sl__sc_range(sl__sc *c, const sl_yaml_node *map, const char *key, int req, int kind,
                 sl__sc_bounds b, sl_range *out);
int sl__sc_node_range(sl__sc *c, const sl_yaml_node *n, int kind, sl__sc_bounds b,
                      sl_range *out);

/* --- sections --- */
void sl__sc_time_section(sl__sc *c, const sl_yaml_node *root);  /* scenario.c */
void sl__sc_tariffs(sl__sc *c, const sl_yaml_node *root);       /* scenario_tariff.c */
void sl__sc_zones(sl__sc *c, const sl_yaml_node *root);         /* scenario_grid.c */
void sl__sc_interconnects(sl__sc *c, const sl_yaml_node *root);
void sl__sc_sites(sl__sc *c, const sl_yaml_node *root);         /* scenario_site.c */
/* A site's `slurm` mapping (scenario_slurm.c), after its backend is read. */
void sl__sc_site_slurm(sl__sc *c, const sl_yaml_node *site, sl_site *s);
void sl__sc_data_rules(sl__sc *c, const sl_yaml_node *root);    /* scenario_origin.c */
void sl__sc_origins(sl__sc *c, const sl_yaml_node *root);
void sl__sc_job_classes(sl__sc *c, const sl_yaml_node *root);   /* scenario_class.c */

/* Energy keys (scenario_energy.c), called by the section readers after
 * their own keys: zone generation, curtailment_rule, surplus, mix load and
 * residual mix; an interconnect's fossil intensity (and the receiving
 * zone's load check); site generation, surplus share and green claim; an
 * origin's zone or intensity; a route's kwh_per_gb (returns 0 when it is
 * invalid); the top-level `energy` section.  sl__sc_energy_finish runs the
 * curtailment rules once every flow is known and frees the hooks' state
 * (call it once after the walk, whatever the errors). */
void sl__sc_zone_energy(sl__sc *c, const sl_yaml_node *n, sl_zone *z, int zi);
void sl__sc_line_energy(sl__sc *c, const sl_yaml_node *n, sl_interconnect *l);
void sl__sc_site_energy(sl__sc *c, const sl_yaml_node *n, sl_site *s);
void sl__sc_origin_energy(sl__sc *c, const sl_yaml_node *n, sl_origin *o);
int sl__sc_route_energy(sl__sc *c, const sl_yaml_node *map, sl_route *r);
void sl__sc_energy_section(sl__sc *c, const sl_yaml_node *root);
void sl__sc_energy_finish(sl__sc *c);

/* Check that shares sum to 1 within 0.001 (reported at seq). */
void sl__sc_shares_sum(sl__sc *c, const sl_yaml_node *seq, const char *what, double sum);

#endif
