#!/usr/bin/env python3
"""make_series.py — derive every hourly CSV of the xinjiang-chongqing scenario.

Usage:
    python3 tools/make_series.py SHARED_DATA_DIR [--out DIR]
    python3 tools/make_series.py --check [--out DIR]

SHARED_DATA_DIR is the project's shared data directory (the one holding
SOURCES.md, china-provincial-load-pypsa-china-pik/, electricitymaps-hourly-ci-
greendcc/ and electricity-prices-greendcc/).  The CSVs are written to DIR
(default: the scenario's data/ directory beside this tools/ directory), then
read back and checked: header, exactly 8,760 hourly rows covering
[2025-01-01T00:00+08:00, 2026-01-01T00:00+08:00), no gap, every value finite
and >= 0, and the load-weighted annual mean of each Chinese zone's average
carbon intensity equal to the published provincial factor.  --check only
re-reads and checks the committed CSVs (no shared data needed).

Standard library only.  Deterministic: the synthetic weather uses a fixed
seed and its own Box-Muller transform, so the output is byte-identical on
every run.  Every number below carries its source or is marked ESTIMATE;
SOURCES.md beside the scenario explains the method in prose.
"""
import argparse
import csv
import datetime as dt
import gzip
import math
import os
import random
import sys

# ---------------------------------------------------------------- the grid --
UTC = dt.timezone.utc
BJT = dt.timezone(dt.timedelta(hours=8))  # Beijing / Singapore / Malaysia time
T0 = dt.datetime(2025, 1, 1, 0, tzinfo=BJT).astimezone(UTC)  # 2024-12-31T16Z
N = 8760  # 365 days x 24 h

# ------------------------------------------------------------ source facts --
# Published provincial average emission factors, 2022, MEE/NBS (kgCO2/kWh),
# reference/scenario-facts.md s3a: Xinjiang 0.6231, Chongqing 0.5227, Sichuan
# 0.1404.  National fossil-only factor 2022: 0.8325 (same series).
EF_XJ_G, EF_CQ_G, EF_SC_G = 623.1, 522.7, 140.4
EF_FOSSIL_G = 832.5

# 2025 provincial consumption (MWh), shared/data/china-provincial-load-pypsa-
# china-pik/Provincial_Load_2020_2060_MWh.csv, column 2025.
PROVINCE_ROW = {"XJ": "Xinjiang", "CQ": "Chongqing", "SC": "Sichuan"}

# Xinjiang (scenario-facts s3b, BladeBend via NBS/grid, May 2025, M):
# wind 54.35 GW, PV 73.01 GW, hydro 10.75 GW.  Hami: ~23 GW new energy on its
# grid at end-2024 (Xinhua, M); its split is an ESTIMATE: 12 GW wind (Hami's
# 10-GW wind base plus others), 11 GW PV.  CSP: the 50 MW Naomaohu tower (H).
XJ_WIND_MW, XJ_PV_MW, XJ_HYDRO_MW = 54350.0, 73010.0, 10750.0
HAMI_WIND_MW, HAMI_PV_MW, HAMI_CSP_MW = 12000.0, 11000.0, 50.0
# Uncurtailed capacity factors (scenario-facts s7 and s9d): Hami wind 0.27,
# PV 0.19, CSP with storage 0.40; rest of Xinjiang wind 0.24, PV 0.18.
# Xinjiang hydro CF 0.35: ESTIMATE (snow/glacier-melt rivers).
CF_HAMI_WIND, CF_HAMI_PV, CF_CSP = 0.27, 0.19, 0.40
CF_NORTH_WIND, CF_NORTH_PV, CF_XJ_HYDRO = 0.24, 0.18, 0.35
HAMI_LOAD_SHARE = 0.06  # ESTIMATE: Hami ~5 % of XJ GDP, energy-heavy industry
# Xinjiang outbound 2025 (TWh, BladeBend, M): total 141.3, of which
# Hami-Zhengzhou 45.9, Changji-Guquan 69.9 and Hami-Chongqing 11.751
# (Jun-Dec, sent); all but the last are spread flat over the year.
XJ_OUT_TWH = 141.3
HVDC_SENT_MWH = 11751e3
HVDC_RATED_MW, HVDC_DESIGN_TWH = 8000.0, 36.0
HVDC_START = dt.datetime(2025, 6, 10, 0, tzinfo=BJT)  # first power (H)
# Curtailment for Xinjiang (scenario-facts s3c, ESTIMATE): ~5 % of wind,
# 5-8 % of solar; the model curtails 5 % of wind + 7 % of solar energy in
# total and reports how that splits.
TARGET_WIND_CURT, TARGET_PV_CURT = 0.05, 0.07
# Xinjiang grid batteries: 20.15 GW / 70.5 GWh at end-2025 (BladeBend, M);
# the 2025 average fleet is taken as 15 GW / 50 GWh, round-trip 85 %
# (ESTIMATES).
XJ_STORE_MW, XJ_STORE_MWH, XJ_STORE_RTE = 15000.0, 50000.0, 0.85
# Extra thermal must-run in the heating season (combined heat and power),
# as a fraction of mean generation: ESTIMATE.
XJ_CHP_EXTRA = 0.15

# Chongqing dispatched capacity Apr 2025 (BladeBend, M): hydro 6.19 GW, wind
# 2.60 GW, PV 1.18 GW.  CFs from 2025 local generation ~121 TWh with hydro
# ~16.5 %, wind ~4 %, PV ~1 % (BladeBend via NBS, M): 0.37, 0.2125, 0.117.
CQ_HYDRO_MW, CQ_WIND_MW, CQ_PV_MW = 6190.0, 2600.0, 1180.0
CF_CQ_HYDRO, CF_CQ_WIND, CF_CQ_PV = 0.37, 0.2125, 0.117
# Sichuan 2025 generation 508.8 TWh: hydro 75.0 %, wind 3.3 %, PV 2.6 %
# (BladeBend via NBS, M).  Modelled by energy (no capacities collected).
SC_GEN_TWH, SC_HYDRO_F, SC_WIND_F, SC_PV_F = 508.8, 0.750, 0.033, 0.026
# Highest hourly non-fossil share of consumption in Chongqing and Sichuan
# (some thermal always runs for system support): ESTIMATE.
S_MAX_CQ, S_MAX_SC = 0.95, 0.95
# Sichuan marginal intensity (scenario-facts s9d, L): ~100 g/kWh in hours of
# hydro surplus (wet season), 600 otherwise.
SC_MARG_WET_G, SC_MARG_DRY_G = 100.0, 600.0

# Singapore: USD->CNY 7.20 (2024 average market rate, rounded; ESTIMATE) and
# a network + retail adder of 0.35 CNY/kWh on the wholesale USEP (scenario-
# facts s4c, L).
USD_CNY, SG_ADDER_CNY = 7.20, 0.35

# Sites (lat, lon) used for the solar geometry: scenario-facts s9e.
LOC_HAMI, LOC_URC = (43.25, 94.70), (43.83, 87.62)
LOC_CKG, LOC_CTU = (29.56, 106.55), (30.66, 104.07)

# Monthly multipliers (Jan..Dec).  Hami wind: scenario-facts s9e (ESTIMATE,
# spring peak), also used for the rest of Xinjiang.  Hydro: ESTIMATES of the
# seasonal cycle (Xinjiang melt-fed rivers peak in Jul; south-west China
# reservoirs peak in the Jun-Sep wet season, cf. Chongqing hydro 8 % of
# generation in Jan-Feb vs 24 % in Jul, BladeBend).
WIND_MONTH_XJ = [0.85, 0.9, 1.15, 1.3, 1.25, 1.15, 1.0, 0.9, 0.9, 0.95, 0.85, 0.8]
HYDRO_MONTH_XJ = [0.6, 0.55, 0.6, 0.8, 1.2, 1.4, 1.55, 1.45, 1.15, 0.9, 0.7, 0.6]
HYDRO_MONTH_SW = [0.55, 0.5, 0.6, 0.8, 1.05, 1.35, 1.6, 1.55, 1.35, 1.05, 0.85, 0.65]
SEED = 20250610


# ------------------------------------------------------------- utilities --
def times_utc():
    return [T0 + dt.timedelta(hours=i) for i in range(N)]


def iso_z(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mean(xs):
    return sum(xs) / len(xs)


def wmean(xs, ws):
    return sum(x * w for x, w in zip(xs, ws)) / sum(ws)


def bisect(f, lo, hi, target, iters=100):
    """x in [lo, hi] with f(x) = target, f increasing."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def open_text(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, "rt", encoding="utf-8-sig", newline="")


class Noise:
    """Seeded standard normals (own Box-Muller: stable across Pythons)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def gauss(self):
        u1 = 1.0 - self.rng.random()
        u2 = self.rng.random()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def ar1(self, n, rho):
        y = [self.gauss()]
        k = math.sqrt(1.0 - rho * rho)
        for _ in range(n - 1):
            y.append(rho * y[-1] + k * self.gauss())
        return y


def fit_capped(raw, cf):
    """Per-unit output min(1, k*raw) with annual mean cf."""
    k = bisect(lambda x: mean([min(1.0, x * r) for r in raw]), 0.0, 1e3 / max(mean(raw), 1e-12), cf)
    return [min(1.0, k * r) for r in raw]


def normalise(raw):
    m = mean(raw)
    return [r / m for r in raw]


# ---------------------------------------------------------------- shapes --
def clear_sky_poa(lat, lon, tilt, t):
    """Clear-sky irradiance (W/m2) on a south-facing panel tilted `tilt`
    degrees at UTC instant t: Cooper declination, Spencer-style equation of
    time, Kasten-Young air mass, Meinel beam model, isotropic diffuse taken
    as 10 % of beam."""
    n = t.timetuple().tm_yday
    decl = math.radians(23.45) * math.sin(2 * math.pi * (284 + n) / 365)
    b = 2 * math.pi * (n - 81) / 364
    eot_min = 9.87 * math.sin(2 * b) - 7.53 * math.cos(b) - 1.5 * math.sin(b)
    solar_h = t.hour + t.minute / 60 + lon / 15 + eot_min / 60
    omega = math.radians(15 * (solar_h - 12))
    phi, beta = math.radians(lat), math.radians(tilt)
    cos_z = math.sin(phi) * math.sin(decl) + math.cos(phi) * math.cos(decl) * math.cos(omega)
    if cos_z <= 0.0:
        return 0.0
    zen_deg = math.degrees(math.acos(cos_z))
    air_mass = 1.0 / (cos_z + 0.50572 * (96.07995 - zen_deg) ** -1.6364)
    dni = 1353.0 * 0.7 ** (air_mass ** 0.678)
    cos_i = (math.sin(decl) * math.sin(phi - beta)
             + math.cos(decl) * math.cos(phi - beta) * math.cos(omega))
    return dni * max(0.0, cos_i) + 0.1 * dni * (1 + math.cos(beta)) / 2


def solar_raw(loc, clear_mean, seed, times):
    """Hourly PV shape: clear-sky plane-of-array irradiance averaged over four
    quarter-hour samples, times a daily clearness factor (AR(1) over days,
    rho 0.6, sd 0.2 around clear_mean, clipped to [0.15, 1])."""
    lat, lon = loc
    tilt = round(0.8 * lat)
    days = Noise(seed).ar1(N // 24 + 1, 0.6)
    out = []
    for i, t in enumerate(times):
        poa = mean([clear_sky_poa(lat, lon, tilt, t + dt.timedelta(minutes=m)) for m in (7.5, 22.5, 37.5, 52.5)])
        day = (t.astimezone(BJT) - T0.astimezone(BJT)).days
        k = min(1.0, max(0.15, clear_mean + 0.2 * days[day]))
        out.append(poa * k)
    return out


def wind_diurnal_xj(h):
    """Xinjiang wind, Beijing-time hour h: lower 08-11, a little higher late
    afternoon (scenario-facts s9e, ESTIMATE)."""
    return 1.0 - 0.25 * math.exp(-((h - 9.5) / 2.5) ** 2) + 0.1 * math.exp(-((h - 17) / 3) ** 2)


def wind_raw(months, diurnal, ar, sigma, times):
    """Hourly wind shape: monthly x diurnal multiplier x log-normal AR(1)
    weather factor (the synoptic variability of wind)."""
    out = []
    for t, y in zip(times, ar):
        loc = t.astimezone(BJT)
        out.append(months[loc.month - 1] * diurnal(loc.hour) * math.exp(sigma * y - sigma * sigma / 2))
    return out


def wind_ar(seed, shared_with=None, share=0.0):
    """Hourly AR(1) normal series, e-folding time 30 h; optionally correlated
    with another series (weight `share`)."""
    own = Noise(seed).ar1(N, math.exp(-1.0 / 30.0))
    if shared_with is None:
        return own
    k = math.sqrt(1.0 - share * share)
    return [share * a + k * b for a, b in zip(shared_with, own)]


def hydro_raw(months, load, times):
    """Hydro shape: monthly multiplier; with `load` given, reservoir output
    follows the day's load shape (peaking), otherwise flat within the day."""
    out = [months[t.astimezone(BJT).month - 1] for t in times]
    if load is None:
        return out
    for d in range(N // 24):
        day = load[24 * d:24 * d + 24]
        m = mean(day)
        for h in range(24):
            out[24 * d + h] *= day[h] / m
    return out


def csp_raw(pv):
    """CSP with molten-salt storage: the day's solar energy shifted five hours
    later (evening dispatch), ESTIMATE."""
    return [pv[(i - 5) % N] for i in range(N)]


# ------------------------------------------------------------ shared data --
def read_province_load(shared):
    """Hourly provincial demand (MW) for XJ, CQ, SC, rescaled to the 2025
    annual consumption of Provincial_Load_2020_2060_MWh.csv.  The PyPSA-China
    hour index 1..8760 is Beijing time and is laid on the scenario hours in
    order (2025-01-01 00:00 BJT = index 1); weekdays are not re-aligned."""
    base = os.path.join(shared, "china-provincial-load-pypsa-china-pik")
    with open_text(os.path.join(base, "Hourly_demand_of_31_province_China_modified_V2.1.csv.gz")) as f:
        rows = list(csv.reader(f))
    head = rows[0]
    body = rows[1:]
    if len(body) != N:
        raise SystemExit(f"expected {N} hourly rows in the PyPSA demand file, got {len(body)}")
    for k, r in enumerate(body):
        if int(r[0]) != k + 1:
            raise SystemExit(f"PyPSA demand: row {k + 2} has hour {r[0]}, expected {k + 1}")
    totals = {}
    with open_text(os.path.join(base, "Provincial_Load_2020_2060_MWh.csv")) as f:
        rd = csv.reader(f)
        col = next(rd).index("2025")
        for r in rd:
            totals[r[0]] = float(r[col])
    out = {}
    for code, name in PROVINCE_ROW.items():
        raw = [float(r[head.index(code)]) for r in body]
        k = totals[name] / sum(raw)
        out[code] = [x * k for x in raw]
    return out


def read_utc_series(path, time_col, value_col):
    """{UTC datetime: float} from a green-dcc CSV."""
    out = {}
    with open_text(path) as f:
        rd = csv.reader(f)
        head = next(rd)
        ti, vi = head.index(time_col), head.index(value_col)
        for r in rd:
            t = dt.datetime.strptime(r[ti][:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            out[t] = float(r[vi])
    return out


def map_2024_onto_2025(series, times):
    """Each 2025 hour takes the value of the same local (UTC+8) month, day and
    hour in 2024, so Feb 29 2024 is dropped; local 2024-01-01 00-07 h come
    from the 2023 file (UTC 2023-12-31 16-23 h)."""
    out = []
    for t in times:
        loc = t.astimezone(BJT)
        src = loc.replace(year=2024).astimezone(UTC)
        if src not in series:
            raise SystemExit(f"no source value for {src.isoformat()}")
        out.append(series[src])
    return out


def read_singapore(shared, times):
    price_dir = os.path.join(shared, "electricity-prices-greendcc", "standardized")
    ci_dir = os.path.join(shared, "electricitymaps-hourly-ci-greendcc")
    price, ci = {}, {}
    for year in (2023, 2024):
        price.update(read_utc_series(os.path.join(price_dir, f"SG_electricity_prices_{year}.csv.gz"),
                                     "Datetime (UTC)", "Price (USD/MWh)"))
        ci.update(read_utc_series(os.path.join(ci_dir, f"SG_{year}_hourly.csv.gz"),
                                  "Datetime (UTC)", "Carbon Intensity gCO\u2082eq/kWh (direct)"))
    usd_mwh = map_2024_onto_2025(price, times)
    return {
        "price_cny_per_kwh": [p * USD_CNY / 1000.0 + SG_ADDER_CNY for p in usd_mwh],
        "carbon_avg_g_per_kwh": map_2024_onto_2025(ci, times),
        "_usd_mwh": usd_mwh,
    }


# ----------------------------------------------------------- zone models --
def hvdc_flow(cq_load, times):
    """Hami-Chongqing flow (MW, sending end): zero before first power on
    2025-06-10 00:00 BJT; afterwards it follows Chongqing's hourly demand
    (receiving-end load following, ESTIMATE), scaled so the line sends the
    11,751 GWh reported for Jun-Dec 2025."""
    on = [t >= HVDC_START for t in times]
    hours = sum(on)
    m = mean([x for x, o in zip(cq_load, on) if o])
    fbar = HVDC_SENT_MWH / hours
    flow = [fbar * x / m if o else 0.0 for x, o in zip(cq_load, on)]
    if max(flow) > HVDC_RATED_MW:
        raise SystemExit("HVDC flow exceeds the line rating")
    return flow


def heating_season(t):
    """Xinjiang district-heating season, 15 Oct - 14 Apr (CHP must-run)."""
    loc = t.astimezone(BJT)
    return (loc.month, loc.day) >= (10, 15) or (loc.month, loc.day) < (4, 15)


def dispatch(wp, must, gen, heat, floors, gbar):
    """Hour-by-hour Xinjiang balance.  Thermal output may not fall below a
    must-run floor (a fraction of mean generation, higher in the heating
    season); hydro and CSP are taken first; wind+PV fill the rest; a surplus
    first charges the grid's batteries, what is left is curtailed; batteries
    discharge (displacing thermal above its floor) when there is room.
    Returns (curtailed MW, non-fossil MW delivered) per hour."""
    f_heat, f_other = floors
    eta = math.sqrt(XJ_STORE_RTE)
    soc = 0.5 * XJ_STORE_MWH
    curt, clean = [], []
    for x, m, g, h in zip(wp, must, gen, heat):
        room = max(0.0, g - (f_heat if h else f_other) * gbar - m)
        if x > room:
            ch = min(XJ_STORE_MW, x - room, (XJ_STORE_MWH - soc) / eta)
            soc += ch * eta
            curt.append(x - room - ch)
            clean.append(room + m)
        else:
            dis = min(XJ_STORE_MW, room - x, soc * eta)
            soc -= dis / eta
            curt.append(0.0)
            clean.append(x + dis + m)
    return curt, clean


def curt_rates(wind, pv, c):
    cw = sum(ci * w / (w + p) for ci, w, p in zip(c, wind, pv) if ci > 0)
    cp = sum(ci * p / (w + p) for ci, w, p in zip(c, wind, pv) if ci > 0)
    return cw / sum(wind), cp / sum(pv)


def calibrate_curtailment(wind, pv, must, gen, heat):
    """Find the must-run floor (outside the heating season; the heating-season
    floor is XJ_CHP_EXTRA higher) that curtails the target energy: 5 % of the
    wind energy plus 7 % of the solar energy."""
    gbar = mean(gen)
    wp = [w + p for w, p in zip(wind, pv)]
    target = TARGET_WIND_CURT * sum(wind) + TARGET_PV_CURT * sum(pv)
    fo = bisect(lambda f: sum(dispatch(wp, must, gen, heat, (f + XJ_CHP_EXTRA, f), gbar)[0]),
                0.0, 1.0, target, 40)
    curt, clean = dispatch(wp, must, gen, heat, (fo + XJ_CHP_EXTRA, fo), gbar)
    return fo + XJ_CHP_EXTRA, fo, curt, clean


def carbon_from_share(share, weights, target, s_max):
    """Average intensity EF_fossil * (1 - min(s_max, beta*share)), with beta
    chosen so the weighted annual mean equals the published factor."""
    def avg(beta):
        return -wmean([EF_FOSSIL_G * (1 - min(s_max, beta * s)) for s in share], weights)
    beta = bisect(avg, 0.0, 50.0, -target, 200)
    return beta, [EF_FOSSIL_G * (1 - min(s_max, beta * s)) for s in share]


def xinjiang(load_xj, flow, times):
    """Provincial Xinjiang balance split into the Hami area (XJ_HAMI) and the
    rest of the grid (XJ_NORTH).  Returns the CSV columns and diagnostics."""
    ar_h = wind_ar(SEED + 1)
    ar_n = wind_ar(SEED + 2, ar_h, 0.6)
    wind_h = [HAMI_WIND_MW * x for x in fit_capped(
        wind_raw(WIND_MONTH_XJ, wind_diurnal_xj, ar_h, 0.8, times), CF_HAMI_WIND)]
    wind_n = [(XJ_WIND_MW - HAMI_WIND_MW) * x for x in fit_capped(
        wind_raw(WIND_MONTH_XJ, wind_diurnal_xj, ar_n, 0.8, times), CF_NORTH_WIND)]
    pv_h_raw = solar_raw(LOC_HAMI, 0.85, SEED + 3, times)
    pv_h = [HAMI_PV_MW * x for x in fit_capped(pv_h_raw, CF_HAMI_PV)]
    csp_h = [HAMI_CSP_MW * x for x in fit_capped(csp_raw(pv_h_raw), CF_CSP)]
    pv_n = [(XJ_PV_MW - HAMI_PV_MW) * x for x in fit_capped(
        solar_raw(LOC_URC, 0.8, SEED + 4, times), CF_NORTH_PV)]
    hydro_n = [XJ_HYDRO_MW * x for x in fit_capped(hydro_raw(HYDRO_MONTH_XJ, None, times), CF_XJ_HYDRO)]
    other_out_mw = (XJ_OUT_TWH * 1e6 - HVDC_SENT_MWH) / N  # Tianzhong, Jiquan, 750 kV AC
    gen = [x + other_out_mw + f for x, f in zip(load_xj, flow)]
    wind = [a + b for a, b in zip(wind_h, wind_n)]
    pv = [a + b for a, b in zip(pv_h, pv_n)]
    must = [a + b for a, b in zip(hydro_n, csp_h)]
    heat = [heating_season(t) for t in times]
    fh, fo, curt, clean = calibrate_curtailment(wind, pv, must, gen, heat)
    share = [c / g for c, g in zip(clean, gen)]
    loads_h = [round(HAMI_LOAD_SHARE * x, 1) for x in load_xj]
    loads_n = [round((1 - HAMI_LOAD_SHARE) * x, 1) for x in load_xj]
    weights = [a + b for a, b in zip(loads_h, loads_n)]
    beta, avg = carbon_from_share(share, weights, EF_XJ_G, 1.0)
    re_h = [a + b + c for a, b, c in zip(wind_h, pv_h, csp_h)]
    re_n = [a + b + c for a, b, c in zip(wind_n, pv_n, hydro_n)]
    curt_h = [c * (a + b) / (w + p) if c > 0 else 0.0 for c, a, b, w, p in zip(curt, wind_h, pv_h, wind, pv)]
    cols = {
        "carbon_avg_g_per_kwh": avg,
        "carbon_marginal_g_per_kwh": [0.0 if c >= 1.0 else EF_FOSSIL_G for c in curt],
        "hami_renewable_mw": re_h,
        "hami_curtailment_mw": curt_h,
        "hami_load_mw": loads_h,
        "north_renewable_mw": re_n,
        "north_curtailment_mw": [c - h for c, h in zip(curt, curt_h)],
        "north_load_mw": loads_n,
    }
    rw, rp = curt_rates(wind, pv, curt)
    diag = {"beta": beta, "floor_heat": fh, "floor_other": fo, "wind_curt": rw, "pv_curt": rp,
            "curt_hours": sum(1 for c in curt if c >= 1.0), "mean_gen_mw": mean(gen),
            "wind_twh": sum(wind) / 1e6, "pv_twh": sum(pv) / 1e6, "hydro_twh": sum(hydro_n) / 1e6,
            "curt_twh": sum(curt) / 1e6, "raw_share": wmean(share, weights)}
    return cols, diag


def chongqing(load, times):
    """Chongqing: local hydro (following the daily load), wind and PV from
    capacity x capacity factor; non-fossil share of demand scaled (beta,
    which folds in imported Sichuan hydro) to the published factor."""
    loads = [round(x, 1) for x in load]
    hydro = [CQ_HYDRO_MW * x for x in fit_capped(hydro_raw(HYDRO_MONTH_SW, load, times), CF_CQ_HYDRO)]
    flat = [1.0] * 12
    wind = [CQ_WIND_MW * x for x in fit_capped(
        wind_raw(flat, lambda h: 1.0, wind_ar(SEED + 5), 0.8, times), CF_CQ_WIND)]
    pv = [CQ_PV_MW * x for x in fit_capped(solar_raw(LOC_CKG, 0.6, SEED + 6, times), CF_CQ_PV)]
    re = [a + b + c for a, b, c in zip(hydro, wind, pv)]
    share = [r / x for r, x in zip(re, loads)]
    beta, avg = carbon_from_share(share, loads, EF_CQ_G, S_MAX_CQ)
    cols = {"carbon_avg_g_per_kwh": avg, "renewable_mw": re, "load_mw": loads}
    return cols, {"beta": beta, "raw_share": wmean(share, loads), "re_twh": sum(re) / 1e6}


def sichuan(load, times):
    """Sichuan: hydro, wind and PV energy of 2025 laid on seasonal/daily
    shapes; non-fossil share of demand capped at S_MAX_SC and scaled (beta)
    to the published factor.  Marginal: low in hours of hydro surplus."""
    loads = [round(x, 1) for x in load]
    gen = SC_GEN_TWH * 1e6 / N
    flat = [1.0] * 12
    hydro = [gen * SC_HYDRO_F * x for x in normalise(hydro_raw(HYDRO_MONTH_SW, load, times))]
    wind = [gen * SC_WIND_F * x for x in normalise(
        wind_raw(flat, lambda h: 1.0, wind_ar(SEED + 7), 0.8, times))]
    pv = [gen * SC_PV_F * x for x in normalise(solar_raw(LOC_CTU, 0.6, SEED + 8, times))]
    re = [a + b + c for a, b, c in zip(hydro, wind, pv)]
    share = [r / x for r, x in zip(re, loads)]
    beta, avg = carbon_from_share(share, loads, EF_SC_G, S_MAX_SC)
    surplus = [beta * s >= S_MAX_SC for s in share]
    cols = {
        "carbon_avg_g_per_kwh": avg,
        "carbon_marginal_g_per_kwh": [SC_MARG_WET_G if s else SC_MARG_DRY_G for s in surplus],
        "renewable_mw": re,
        "load_mw": loads,
    }
    return cols, {"beta": beta, "raw_share": wmean(share, loads), "surplus_hours": sum(surplus),
                  "re_twh": sum(re) / 1e6}


# ------------------------------------------------------------ CSV output --
FORMATS = {"carbon": "{:.2f}", "price": "{:.4f}"}


def fmt(col, x):
    for prefix, f in FORMATS.items():
        if col.startswith(prefix):
            return f.format(x)
    return "{:.1f}".format(x)


def write_csv(path, times, cols):
    with open(path, "w", newline="") as f:
        f.write("time," + ",".join(cols) + "\n")
        for i, t in enumerate(times):
            f.write(iso_z(t) + "," + ",".join(fmt(c, v[i]) for c, v in cols.items()) + "\n")


def generate(shared, out):
    times = times_utc()
    loads = read_province_load(shared)
    flow = hvdc_flow(loads["CQ"], times)
    xj, xj_d = xinjiang(loads["XJ"], flow, times)
    cq, cq_d = chongqing(loads["CQ"], times)
    sc, sc_d = sichuan(loads["SC"], times)
    sg = read_singapore(shared, times)
    usd = sg.pop("_usd_mwh")
    os.makedirs(out, exist_ok=True)
    write_csv(os.path.join(out, "xinjiang.csv"), times, xj)
    write_csv(os.path.join(out, "chongqing.csv"), times, cq)
    write_csv(os.path.join(out, "sichuan.csv"), times, sc)
    write_csv(os.path.join(out, "singapore.csv"), times, sg)
    write_csv(os.path.join(out, "hvdc_hami_cq.csv"), times, {"flow_mw": flow})
    print("model diagnostics")
    for name, d in (("xinjiang", xj_d), ("chongqing", cq_d), ("sichuan", sc_d)):
        print(f"  {name}: " + ", ".join(f"{k}={v:.4g}" for k, v in d.items()))
    print(f"  singapore: USEP mean {mean(usd):.2f} USD/MWh (min {min(usd):.2f}, max {max(usd):.2f})")


# ---------------------------------------------------------------- checks --
EXPECTED = {
    "xinjiang.csv": ["carbon_avg_g_per_kwh", "carbon_marginal_g_per_kwh", "hami_renewable_mw",
                     "hami_curtailment_mw", "hami_load_mw", "north_renewable_mw",
                     "north_curtailment_mw", "north_load_mw"],
    "chongqing.csv": ["carbon_avg_g_per_kwh", "renewable_mw", "load_mw"],
    "sichuan.csv": ["carbon_avg_g_per_kwh", "carbon_marginal_g_per_kwh", "renewable_mw", "load_mw"],
    "singapore.csv": ["price_cny_per_kwh", "carbon_avg_g_per_kwh"],
    "hvdc_hami_cq.csv": ["flow_mw"],
}


def read_back(path, columns):
    """Columns of a generated CSV, after checking the header, the hourly time
    grid (no gap, no duplicate) and that every value is finite and >= 0."""
    times = [iso_z(t) for t in times_utc()]
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if rows[0] != ["time"] + columns:
        raise SystemExit(f"{path}:1: header {rows[0]} != {['time'] + columns}")
    if len(rows) - 1 != N:
        raise SystemExit(f"{path}: {len(rows) - 1} data rows, expected {N}")
    cols = {c: [] for c in columns}
    for k, r in enumerate(rows[1:]):
        if r[0] != times[k] or len(r) != len(columns) + 1:
            raise SystemExit(f"{path}:{k + 2}: expected time {times[k]} and {len(columns) + 1} fields")
        for c, v in zip(columns, r[1:]):
            x = float(v)
            if not math.isfinite(x) or x < 0:
                raise SystemExit(f"{path}:{k + 2}: {c} = {v} is not a finite value >= 0")
            cols[c].append(x)
    return cols


def check(out):
    """Re-read every CSV, check it and print the annual figures."""
    data = {name: read_back(os.path.join(out, name), cols) for name, cols in EXPECTED.items()}
    print(f"all {len(data)} CSVs: {N} hourly rows from {iso_z(T0)}, no gap, values finite and >= 0")
    for name, cols in data.items():
        for c, v in cols.items():
            print(f"  {name:17s} {c:28s} mean {mean(v):10.2f}  min {min(v):10.2f}  max {max(v):10.2f}")
    xj, cq, sc = data["xinjiang.csv"], data["chongqing.csv"], data["sichuan.csv"]
    xj_w = [a + b for a, b in zip(xj["hami_load_mw"], xj["north_load_mw"])]
    results = [("XJ_HAMI/XJ_NORTH", wmean(xj["carbon_avg_g_per_kwh"], xj_w), EF_XJ_G),
               ("CQ", wmean(cq["carbon_avg_g_per_kwh"], cq["load_mw"]), EF_CQ_G),
               ("SC", wmean(sc["carbon_avg_g_per_kwh"], sc["load_mw"]), EF_SC_G)]
    ok = True
    for zone, got, want in results:
        good = abs(got - want) < 0.01
        ok &= good
        print(f"  {zone}: load-weighted mean carbon {got:.3f} g/kWh, published {want} ({'ok' if good else 'MISMATCH'})")
    ok &= check_xinjiang(xj) & check_hvdc(data["hvdc_hami_cq.csv"]["flow_mw"])
    if not ok:
        raise SystemExit("check failed")
    print("check passed")


def check_xinjiang(xj):
    ok = True
    for area in ("hami", "north"):
        re, cu = xj[area + "_renewable_mw"], xj[area + "_curtailment_mw"]
        if any(c > r + 0.1 for c, r in zip(cu, re)):
            print(f"  {area}: curtailment exceeds renewable output")
            ok = False
        print(f"  {area}: renewable {sum(re) / 1e6:.1f} TWh, curtailed {sum(cu) / 1e6:.2f} TWh "
              f"({100 * sum(cu) / sum(re):.1f} % of all its renewables incl. hydro/CSP)")
    zero = sum(1 for m in xj["carbon_marginal_g_per_kwh"] if m == 0.0)
    print(f"  xinjiang: marginal intensity 0 (curtailing) in {zero} of {N} hours")
    return ok


def check_hvdc(flow):
    on = [f for f in flow if f > 0]
    scale = HVDC_DESIGN_TWH * 1e6 / (mean(on) * N)
    print(f"  HVDC: sent {sum(flow) / 1e6:.3f} TWh in {len(on)} h, mean in service {mean(on):.1f} MW, "
          f"peak {max(flow):.1f} MW; scale to the 36 TWh/yr design rate: {scale:.4f} "
          f"(peak then {scale * max(flow):.0f} MW)")
    return max(flow) <= HVDC_RATED_MW and scale * max(flow) <= HVDC_RATED_MW


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Derive the hourly CSVs of the xinjiang-chongqing scenario.")
    ap.add_argument("shared", nargs="?", help="the shared data directory (../shared/data)")
    ap.add_argument("--out", default=os.path.join(here, "..", "data"), help="where the CSVs go")
    ap.add_argument("--check", action="store_true", help="only re-read and check the CSVs")
    args = ap.parse_args(argv)
    if not args.check:
        if not args.shared:
            ap.error("the shared data directory is required (or --check)")
        if not os.path.isdir(args.shared):
            ap.error(f"{args.shared}: not a directory")
        generate(args.shared, args.out)
    check(args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
