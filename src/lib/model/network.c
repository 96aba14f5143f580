/*
 * network.c — lookups over a loaded network.
 */
#include "model/network.h"

#include <string.h>

void sl_network_free(sl_network *net)
{
	if (!net)
		return;
	sl_arena arena = net->arena; /* net itself lives in its arena */
	sl_arena_release(&arena);
}

#define FIND(arr, n, field, key)                                 \
	do {                                                     \
		for (int i_ = 0; i_ < (n); i_++)                 \
			if (strcmp((arr)[i_].field, (key)) == 0) \
				return i_;                       \
		return -1;                                       \
	} while (0)

int sl_network_zone(const sl_network *net, const char *id) { FIND(net->zones, net->nzones, id, id); }
int sl_network_site(const sl_network *net, const char *id) { FIND(net->sites, net->nsites, id, id); }
int sl_network_origin(const sl_network *net, const char *id) { FIND(net->origins, net->norigins, id, id); }
int sl_network_tag(const sl_network *net, const char *tag) { FIND(net->tags, net->ntags, tag, tag); }
int sl_network_class(const sl_network *net, const char *id) { FIND(net->classes, net->nclasses, id, id); }
int sl_network_tariff(const sl_network *net, const char *id) { FIND(net->tariffs, net->ntariffs, id, id); }

int sl_network_jurisdiction(const sl_network *net, const char *code)
{
	for (int i = 0; i < net->njurisdictions; i++)
		if (strcmp(net->jurisdictions[i], code) == 0)
			return i;
	return -1;
}

void sl_network_capacity(const sl_network *net, int64_t *cores, int64_t *gpus)
{
	int64_t c = 0, g = 0;
	for (int i = 0; i < net->nsites; i++) {
		c += net->sites[i].cores;
		g += net->sites[i].gpus;
	}
	*cores = c;
	*gpus = g;
}
