#!/usr/bin/env python3
"""Derive data/countries.csv from the npm package `world-countries` (ODbL 1.0, mledoze/countries).

Run once when the registry package changes; the output is committed and embedded in the binary:

    mkdir -p /tmp/wc && cd /tmp/wc && npm init -y >/dev/null && npm install world-countries@5.1.0
    python3 scripts/gen_countries.py /tmp/wc/node_modules/world-countries/countries.json > data/countries.csv

Columns: alpha2, alpha3, m49 (3 digits, empty where ISO assigns none), name (short English name),
lat, lon (the package's `latlng`, a point inside the country used to anchor flows), variants
(`|`-separated alternative names: the official name, `altSpellings`, the names in the country's
own languages and the package's translations, so `Deutschland` and `Allemagne` find Germany).
Variants that trade files use but the package lacks are kept by hand in data/country_variants.csv.
"""
import csv
import json
import sys

# Anchor points moved to where the country's trade concentrates (peninsular Malaysia rather than
# Borneo, Java rather than Kalimantan, Luzon rather than the Sibuyan Sea), each a point on land.
# The package's own `latlng` is a rough centre and is used for every other country.
LAND_POINT_FIXES = {
    "US": (39.5, -98.35),
    "CN": (34.0, 108.0),
    "RU": (56.0, 60.0),
    "NO": (61.5, 9.5),
    "CL": (-33.5, -70.7),
    "CA": (53.0, -106.0),
    "ID": (-6.9, 109.5),
    "MY": (3.5, 102.0),
    "HK": (22.35, 114.13),
    "SG": (1.35, 103.82),
    "PH": (14.6, 121.0),
    "JP": (36.2, 138.5),
    "FR": (46.6, 2.4),
    "GB": (52.5, -1.5),
    "NZ": (-41.5, 172.8),
    "VN": (21.0, 105.8),
    "IT": (43.0, 12.5),
    "GR": (39.5, 22.0),
    "DK": (56.0, 9.3),
    "HR": (45.5, 16.0),
    "AE": (24.2, 55.0),
    "TH": (15.5, 101.0),
}


def main(path):
    data = json.load(open(path, encoding="utf-8"))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["alpha2", "alpha3", "m49", "name", "lat", "lon", "variants"])
    rows = []
    for c in data:
        a2 = c["cca2"]
        a3 = c["cca3"] if c["cca3"] != "UNK" else "XKX"
        m49 = c.get("ccn3") or ""
        name = c["name"]["common"]
        lat, lon = LAND_POINT_FIXES.get(a2, c["latlng"])
        variants = []
        native = [n["common"] for n in c["name"].get("native", {}).values()]
        translated = [t["common"] for t in c.get("translations", {}).values()]
        for v in [c["name"]["official"], *c.get("altSpellings", []), *native, *translated]:
            v = v.strip()
            if v and v != name and v not in (a2, a3) and v not in variants and "|" not in v:
                variants.append(v)
        rows.append([a2, a3, m49, name, f"{lat:.4f}", f"{lon:.4f}", "|".join(variants)])
    # A spelling that names two countries (`Kongo`, `Saint-Martin`) identifies neither: drop it,
    # unless it is one country's own English name.
    owners = {}
    for r in rows:
        for v in r[6].split("|"):
            owners.setdefault(v.casefold(), set()).add(r[0])
    names = {r[3].casefold() for r in rows}
    for r in rows:
        kept = [v for v in r[6].split("|") if v and (len(owners[v.casefold()]) == 1 and v.casefold() not in names)]
        r[6] = "|".join(kept)
    rows.sort()
    out.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1])
