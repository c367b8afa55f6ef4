#!/usr/bin/env python3
"""Convert Natural Earth country polygons (npm package `world-atlas` 2.0.2, TopoJSON, public
domain) into the compact binary basemap compiled into the app.

    mkdir -p /tmp/wa && cd /tmp/wa && npm init -y >/dev/null && npm install world-atlas@2.0.2
    python3 scripts/gen_basemap.py /tmp/wa/node_modules/world-atlas/countries-110m.json assets/basemap/countries-110m.bin
    python3 scripts/gen_basemap.py /tmp/wa/node_modules/world-atlas/countries-50m.json assets/basemap/countries-50m.bin

Format (little-endian): b"CTBM", u32 version (1), u32 countries; per country: u16 M49 code
(0 when none), u16 name length, UTF-8 name, u32 polygons; per polygon: u32 rings (outer first);
per ring: u32 points, then points x (f32 lon, f32 lat). Rings never cross the antimeridian: a
ring whose longitudes jump by more than 180 degrees is unwrapped and clipped into an east and a
west part at +-180.
"""
import json
import struct
import sys


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring_points(arcs, ring):
    pts = []
    for i in ring:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        pts.extend(arc if not pts else arc[1:])
    return pts


def clip(ring, edge, keep):
    """Sutherland-Hodgman against the vertical line x = edge; keep(x) says which side stays."""
    out = []
    n = len(ring)
    for i in range(n):
        a, b = ring[i], ring[(i + 1) % n]
        ina, inb = keep(a[0]), keep(b[0])
        if ina:
            out.append(a)
        if ina != inb and b[0] != a[0]:
            t = (edge - a[0]) / (b[0] - a[0])
            out.append((edge, a[1] + t * (b[1] - a[1])))
    return out


def cut_antimeridian(ring):
    if all(abs(ring[i + 1][0] - ring[i][0]) <= 180 for i in range(len(ring) - 1)):
        return [ring]
    un = [ring[0]]
    for x, y in ring[1:]:
        px = un[-1][0]
        while x - px > 180:
            x -= 360
        while x - px < -180:
            x += 360
        un.append((x, y))
    parts = []
    if max(p[0] for p in un) > 180:
        parts.append(clip(un, 180.0, lambda x: x <= 180))
        parts.append([(x - 360, y) for x, y in clip(un, 180.0, lambda x: x >= 180)])
    else:
        parts.append(clip(un, -180.0, lambda x: x >= -180))
        parts.append([(x + 360, y) for x, y in clip(un, -180.0, lambda x: x <= -180)])
    for p in parts:
        bad = [q for q in p if not -180.0 <= q[0] <= 180.0 or not -90.0 <= q[1] <= 90.0]
        assert not bad, f"clipped ring left the globe: {bad[:3]}"
    return [p for p in parts if len(p) >= 3]


def main(src, dst):
    topo = json.load(open(src))
    arcs = decode_arcs(topo)
    geoms = topo["objects"]["countries"]["geometries"]
    out = bytearray(b"CTBM")
    countries = []
    cut = 0
    for g in geoms:
        if g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        parts = []
        for poly in polys:
            rings = [ring_points(arcs, r) for r in poly]
            pieces = cut_antimeridian(rings[0])
            if len(pieces) > 1:
                cut += 1
                parts.extend([p] for p in pieces)  # holes dropped on the rare cut polygon
            else:
                parts.append([pieces[0]] + [h for r in rings[1:] for h in cut_antimeridian(r)])
        code = int(g["id"]) if str(g.get("id", "")).isdigit() else 0
        countries.append((code, g.get("properties", {}).get("name", ""), parts))
    out += struct.pack("<II", 1, len(countries))
    points = 0
    for code, name, polys in countries:
        nb = name.encode("utf-8")
        out += struct.pack("<HH", code, len(nb)) + nb + struct.pack("<I", len(polys))
        for rings in polys:
            out += struct.pack("<I", len(rings))
            for ring in rings:
                out += struct.pack("<I", len(ring))
                for x, y in ring:
                    out += struct.pack("<ff", x, y)
                points += len(ring)
    open(dst, "wb").write(out)
    print(f"{dst}: {len(countries)} countries, {points} points, {cut} polygons cut at the antimeridian, {len(out)} bytes")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
