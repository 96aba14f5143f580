/*
 * windowfix.h — the three-site network of the suanli policy tests, in the
 * simulator (test_suanli.c) and in the live loop (test_serve_replan.c).
 *
 * Times from FIX_T0 = 2025-01-01T00:00Z, 1 h steps, 4 days, every day
 * alike:
 *   GRN  zone ZG, CN: 600 g/kWh except 100 in hours 6-7 (the green
 *        window), 0.5 CNY/kWh
 *   ALT  zone ZA, CN: 550 g/kWh, 0.5 CNY/kWh
 *   SGP  zone ZS, SG:  50 g/kWh, 0.1 CNY/kWh (greenest and cheapest)
 *   each 64 cores and 8 GPUs (cores 1/2 W, GPUs 100/400 W), PUE 1.2
 *   origin O (CN): ALT 1 ms, GRN 5 ms, SGP 10 ms; 100 Gbit/s, 0.1 CNY/GB
 *   tag CN_PI -> CN only; tag SEALED -> nowhere
 */
#ifndef WINDOWFIX_H
#define WINDOWFIX_H

#include "simfix.h"

enum { GRN, ALT, SGP };
enum { CN_PI, SEALED };

static inline sl_network *fix_net_window(void)
{
	sl_network *net = fix_net_new(FIX_T0, 3600, 96);
	int zg = fix_zone(net, "ZG", 600, 0.5);
	int za = fix_zone(net, "ZA", 550, 0.5);
	int zs = fix_zone(net, "ZS", 50, 0.1);
	for (int d = 0; d < 4; d++)
		for (int h = 6; h < 8; h++) {
			net->zones[zg].carbon_avg_g_per_kwh.v[d * 24 + h] = 100;
			net->zones[zg].carbon_marginal_g_per_kwh.v[d * 24 + h] = 100;
		}
	fix_site(net, "GRN", zg, "CN", 64, 8, 1, 2, 100, 400, 1.2);
	fix_site(net, "ALT", za, "CN", 64, 8, 1, 2, 100, 400, 1.2);
	fix_site(net, "SGP", zs, "SG", 64, 8, 1, 2, 100, 400, 1.2);
	int o = fix_origin(net, "O", "CN");
	fix_route(net, o, ALT, 1, 100, 0.1);
	fix_route(net, o, GRN, 5, 100, 0.1);
	fix_route(net, o, SGP, 10, 100, 0.1);
	const char *cn[] = {"CN", NULL}, *none[] = {NULL};
	fix_tag(net, "CN_PI", cn);
	fix_tag(net, "SEALED", none);
	return net;
}

#endif
