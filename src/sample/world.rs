//! The generator's world: the random stream, the vocabulary in use, the pools of invented firms,
//! and the rows written so far. Schemes (one file per family) add rows through [`World::leg`].

use std::collections::{HashMap, HashSet};

use super::firms::Firm;
use super::rng::Rng;
use super::vocabulary::{Lexicon, Product, Vocabulary};
use super::{LicenceRow, SampleShipment};
use crate::gazetteer::Gazetteer;
use crate::model::Date;

/// Countries that trade in the sample; the last two (sanctioned) only ever buy, in schemes.
pub(super) const COUNTRIES: &[&str] = &[
    "US", "TW", "KR", "JP", "SG", "MY", "TH", "HK", "AE", "IN", "VN", "ID", "PH", "CN", "RU", "KZ",
    "KG", "AM", "GE", "UZ", "TR", "MX", "DE", "NL", "FR", "GB", "AU", "CA", "IL", "CZ", "IE", "CH",
    "BY", "IR",
];

/// Allied buyers of hub distributors.
pub(super) const ALLIES: &[&str] = &[
    "JP", "KR", "AU", "DE", "GB", "FR", "NL", "US", "CA", "IE", "CH",
];

/// Final buyers of diversion schemes (weighted by repetition).
pub(super) const CONCERN: &[&str] = &["CN", "CN", "CN", "RU", "RU", "HK", "BY", "IR"];

/// The first day of the sample, and how many days it spans (to October 2026).
const START: (i32, u32, u32) = (2023, 1, 2);
const DAYS: i32 = 1_370;
/// The day licensed exports of H200-class accelerators to approved Chinese customers began.
const LICENCE_ERA: (i32, u32, u32) = (2025, 12, 8);

/// Port or airport codes per country, from the gazetteer.
struct Ports {
    by_country: HashMap<&'static str, Vec<(String, String)>>,
}

impl Ports {
    fn new() -> Ports {
        let g = Gazetteer::embedded();
        let mut by_country = HashMap::new();
        for &c in COUNTRIES {
            let id = g.by_alpha2(c);
            let hubs: Vec<(String, String)> = g
                .hubs()
                .iter()
                .filter(|h| Some(h.country) == id)
                .map(|h| (h.locode.clone(), h.name.clone()))
                .collect();
            by_country.insert(c, hubs);
        }
        Ports { by_country }
    }

    fn pick(&self, country: &str, rng: &mut Rng) -> String {
        match self.by_country.get(country) {
            Some(hubs) if !hubs.is_empty() => {
                // The first few hubs of a country carry most traffic.
                let n = hubs.len().min(3);
                let (code, name) = &hubs[if rng.chance(0.8) {
                    rng.int(0, n as i64 - 1) as usize
                } else {
                    rng.int(0, hubs.len() as i64 - 1) as usize
                }];
                if rng.chance(0.7) {
                    code.clone()
                } else {
                    name.clone()
                }
            }
            _ => String::new(),
        }
    }
}

/// What a row truly is.
#[derive(Clone, Copy, Debug)]
pub(super) struct Truth {
    pub pattern: &'static str,
    pub diversion: bool,
    pub scheme: u32,
}

/// One generated row and its truth, before ids are given out.
pub(super) struct Row {
    pub ship: SampleShipment,
    pub truth: Truth,
    pub tiebreak: u64,
}

/// What a row declares the goods to be.
#[derive(Clone, Copy, Debug)]
pub(super) enum Declared {
    /// One of the product's own descriptions and codes.
    AsProduct,
    /// A vague description and code instead (`Computer parts`, `847330`).
    Relabel((&'static str, &'static str)),
}

/// One shipment to write.
pub(super) struct Leg<'a> {
    pub date: Date,
    pub from: &'a Firm,
    pub to: &'a Firm,
    pub product: &'a Product,
    pub qty: u64,
    pub unit_value: f64,
    pub declared: Declared,
}

/// The generator's state: random stream, vocabulary, invented firms, rows so far.
pub(super) struct World {
    pub rng: Rng,
    pub lex: Lexicon,
    ports: Ports,
    pub used_names: HashSet<String>,
    pub rows: Vec<Row>,
    scheme: u32,
    pub start: Date,
    pub days: i32,
    /// Day (from `start`) of the H200 approval: licences are valid from then on.
    pub licence_era: i32,
    pub vendors_us: Vec<Firm>,
    pub vendors_tw: Vec<Firm>,
    pub vendors_kr: Vec<Firm>,
    pub distributors: Vec<Firm>,
    pub datacenters: Vec<Firm>,
    pub allied_buyers: Vec<Firm>,
    pub odms: Vec<Firm>,
    pub us_cloud: Vec<Firm>,
    pub cn_makers: Vec<Firm>,
    pub hk_traders: Vec<Firm>,
    pub concern_buyers: Vec<Firm>,
    /// Chinese consignees that hold licences and keep what they receive.
    pub approved_cn: Vec<Firm>,
    pub background: Vec<Firm>,
    pub screened: Vec<(Firm, &'static str)>,
    pub licences: Vec<LicenceRow>,
    /// (vendor, consignee) pairs a licence names: at most one licence each, so that which
    /// licence covers a shipment is never in doubt.
    pub licensed_pairs: HashSet<(String, String)>,
    pub next_licence: u64,
}

impl World {
    pub(super) fn new(seed: u64, rows: usize, vocabulary: Vocabulary) -> World {
        let start = Date::from_ymd(START.0, START.1, START.2).unwrap_or(Date(19_359));
        let era = Date::from_ymd(LICENCE_ERA.0, LICENCE_ERA.1, LICENCE_ERA.2)
            .map(|d| d.days_since(start))
            .unwrap_or(DAYS - 300);
        let mut w = World {
            rng: Rng::new(seed ^ 0x5EED_C41F_7A11_0000),
            lex: Lexicon::new(vocabulary),
            ports: Ports::new(),
            used_names: HashSet::new(),
            rows: Vec::with_capacity(rows + 64),
            scheme: 0,
            start,
            days: DAYS,
            licence_era: era,
            vendors_us: Vec::new(),
            vendors_tw: Vec::new(),
            vendors_kr: Vec::new(),
            distributors: Vec::new(),
            datacenters: Vec::new(),
            allied_buyers: Vec::new(),
            odms: Vec::new(),
            us_cloud: Vec::new(),
            cn_makers: Vec::new(),
            hk_traders: Vec::new(),
            concern_buyers: Vec::new(),
            approved_cn: Vec::new(),
            background: Vec::new(),
            screened: Vec::new(),
            licences: Vec::new(),
            licensed_pairs: HashSet::new(),
            next_licence: 0,
        };
        w.next_licence = 1_200_000 + w.rng.int(0, 99_999) as u64;
        // Pools grow slowly with size so big files have more firms, each with a long history.
        let scale = ((rows as f64 / 3000.0).sqrt()).max(1.0);
        let n = |base: f64| (base * scale).round() as usize;
        w.vendors_us = (0..n(8.0)).map(|_| w.firm("US")).collect();
        w.vendors_tw = (0..n(5.0)).map(|_| w.firm("TW")).collect();
        w.vendors_kr = (0..n(3.0)).map(|_| w.firm("KR")).collect();
        w.distributors = (0..n(14.0))
            .map(|_| {
                let c = *w.rng.pick(&w.lex.front_hubs);
                w.firm(c)
            })
            .collect();
        w.datacenters = (0..n(8.0))
            .map(|_| {
                let c = *w.rng.pick(&w.lex.datacenter_hubs);
                w.firm(c)
            })
            .collect();
        w.allied_buyers = (0..n(24.0))
            .map(|_| {
                let c = *w.rng.pick(ALLIES);
                w.firm(c)
            })
            .collect();
        w.odms = (0..n(5.0))
            .map(|_| {
                let c = *w.rng.pick(&["MX", "MX", "TW"]);
                w.firm(c)
            })
            .collect();
        w.us_cloud = (0..n(6.0)).map(|_| w.firm("US")).collect();
        w.cn_makers = (0..n(18.0)).map(|_| w.firm("CN")).collect();
        w.hk_traders = (0..n(10.0)).map(|_| w.firm("HK")).collect();
        w.concern_buyers = (0..n(10.0))
            .map(|_| {
                let c = *w.rng.pick(CONCERN);
                w.firm(c)
            })
            .collect();
        w.approved_cn = (0..n(8.0)).map(|_| w.firm("CN")).collect();
        w.background = (0..n(60.0))
            .map(|_| {
                let c = *w.rng.pick(&COUNTRIES[..COUNTRIES.len() - 2]);
                w.firm(c)
            })
            .collect();
        w
    }

    /// A date `lo..=hi` days after the start.
    pub(super) fn date(&mut self, lo: i32, hi: i32) -> Date {
        self.start
            .plus_days(self.rng.int(i64::from(lo), i64::from(hi.max(lo))) as i32)
    }

    pub(super) fn next_scheme(&mut self) -> u32 {
        self.scheme += 1;
        self.scheme
    }

    fn mode_for(&mut self, p: &Product, from: &str, to: &str) -> &'static str {
        let land = matches!(
            (from, to),
            ("KZ" | "KG" | "AM" | "GE" | "BY" | "UZ", "RU")
                | ("CN", "KZ" | "KG" | "RU")
                | ("MX", "US")
                | ("US", "MX")
                | ("MY", "TH")
                | ("TH", "MY")
                | ("SG", "MY")
                | ("MY", "SG")
                | ("HK", "CN")
        );
        if land && self.rng.chance(0.8) {
            return "ROAD";
        }
        if p.kg_per_unit > 20.0 && self.rng.chance(0.35) {
            "SEA"
        } else {
            "AIR"
        }
    }

    /// Adds one shipment row; returns its index, so a scheme can correct its truth later.
    pub(super) fn leg(&mut self, leg: &Leg, truth: Truth) -> usize {
        let p = leg.product;
        let (description, hs_code) = match leg.declared {
            Declared::Relabel((d, h)) => (d.to_string(), h.to_string()),
            Declared::AsProduct => (
                self.rng.pick(&p.descriptions).to_string(),
                self.rng.pick(p.hs).to_string(),
            ),
        };
        let qty = leg.qty.max(1);
        let value =
            (qty as f64 * leg.unit_value * self.rng.uniform(0.995, 1.005) * 100.0).round() / 100.0;
        let weight =
            (qty as f64 * p.kg_per_unit * self.rng.uniform(0.9, 1.15) * 10.0).round() / 10.0;
        let mode = self.mode_for(p, leg.from.country, leg.to.country);
        let exporter = self.spell(leg.from);
        let importer = self.spell(leg.to);
        let origin_country = *self.rng.pick(p.origins);
        let ship = SampleShipment {
            id: String::new(),
            date: leg.date,
            exporter,
            exporter_country: leg.from.country,
            importer,
            importer_country: leg.to.country,
            origin_country,
            hs_code,
            description,
            quantity: qty,
            unit: p.unit,
            value_usd: value,
            weight_kg: weight.max(0.1),
            port_of_loading: self.ports.pick(leg.from.country, &mut self.rng),
            port_of_discharge: self.ports.pick(leg.to.country, &mut self.rng),
            transport_mode: mode,
        };
        let tiebreak = self.rng.next_u64();
        self.rows.push(Row {
            ship,
            truth,
            tiebreak,
        });
        self.rows.len() - 1
    }

    /// Sends `leg.qty` onward in `pieces` after a short dwell from `leg.date` (the arrival);
    /// returns the date of the last piece.
    pub(super) fn forward(&mut self, leg: &Leg, truth: Truth, pieces: u64) -> Date {
        let dwell = self.rng.int(2, 35) as i32;
        let mut left = leg.qty;
        let mut last = leg.date;
        for i in 0..pieces {
            let part = if i + 1 == pieces {
                left
            } else {
                (leg.qty / pieces).max(1).min(left)
            };
            if part == 0 {
                break;
            }
            left -= part;
            last = leg
                .date
                .plus_days(dwell + (i as i32) * self.rng.int(0, 4) as i32);
            self.leg(
                &Leg {
                    date: last,
                    qty: part,
                    ..*leg
                },
                truth,
            );
        }
        last
    }

    /// An accelerator or an AI server.
    pub(super) fn controlled(&mut self) -> Product {
        if self.rng.chance(0.62) {
            self.rng.pick(&self.lex.gpus).clone()
        } else {
            self.rng.pick(&self.lex.servers).clone()
        }
    }

    /// The quantity of one consignment (accelerators in multiples of 8).
    pub(super) fn qty(&mut self, p: &Product) -> u64 {
        let q = self.rng.int(p.qty.0, p.qty.1) as u64;
        if p.unit == "PCS" && p.qty.1 <= 512 {
            (q / 8).max(1) * 8
        } else {
            q
        }
    }

    /// A licence quantity: at least `q`, in the product's multiples.
    pub(super) fn round_up(p: &Product, q: f64) -> u64 {
        let q = q.ceil().max(1.0) as u64;
        if p.unit == "PCS" && p.qty.1 <= 512 {
            q.div_ceil(8) * 8
        } else {
            q
        }
    }

    pub(super) fn vendor_for(&mut self, p: &Product) -> Firm {
        // Taiwanese board makers sell accelerators; servers come from US vendors.
        if p.unit == "PCS" && self.rng.chance(0.3) {
            self.rng.pick(&self.vendors_tw).clone()
        } else {
            self.rng.pick(&self.vendors_us).clone()
        }
    }

    /// A buyer of concern in `country` (any such country when `None`), not in `avoid`.
    pub(super) fn concern_buyer(&mut self, country: Option<&'static str>, avoid: &str) -> Firm {
        loop {
            let f = self.any_concern_buyer(country);
            if f.country != avoid {
                return f;
            }
        }
    }

    fn any_concern_buyer(&mut self, country: Option<&'static str>) -> Firm {
        // Buyers are reused across schemes about half the time (one end user, several fronts).
        if let Some(c) = country {
            if self.rng.chance(0.5) {
                let pool: Vec<Firm> = self
                    .concern_buyers
                    .iter()
                    .filter(|f| f.country == c)
                    .cloned()
                    .collect();
                if !pool.is_empty() {
                    return self.rng.pick(&pool).clone();
                }
            }
            return self.firm(c);
        }
        if self.rng.chance(0.5) {
            return self.rng.pick(&self.concern_buyers).clone();
        }
        let c = *self.rng.pick(CONCERN);
        self.firm(c)
    }

    /// A background firm of `country` (invented and added to the pool when there is none).
    pub(super) fn firm_from_pool(&mut self, country: &'static str) -> Firm {
        let pool: Vec<&Firm> = self
            .background
            .iter()
            .filter(|f| f.country == country)
            .collect();
        if pool.is_empty() {
            let f = self.firm(country);
            self.background.push(f.clone());
            f
        } else {
            (*self.rng.pick(&pool)).clone()
        }
    }
}

/// The truth of a row of scheme `scheme`.
pub(super) fn truth(pattern: &'static str, diversion: bool, scheme: u32) -> Truth {
    Truth {
        pattern,
        diversion,
        scheme,
    }
}
