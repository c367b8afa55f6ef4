//! The labelled synthetic data generator behind `chiptrail sample` and the embedded sample.
//!
//! It writes shipment rows in the native format with diversion schemes of every pattern in the
//! domain primer (pass-through, multi-hop, relabelling, valuation, shell fronts, structuring, the
//! Russia roundabout, screening hits, and imitations of the published reference cases), mixed into
//! legitimate trade built to look similar: hub distributors re-exporting to allies, data centres
//! that import and keep, ODM assembly, high-volume uncontrolled chips to China, Hong Kong consumer
//! re-exports. Labels go to a separate file. Every firm name is invented; the data is synthetic.
//!
//! Deterministic: the same rows and seed give byte-identical files on every platform (the random
//! generator is SplitMix64, written here so that no dependency update changes the output).

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use crate::export::{SafeCsv, write_atomic};
use crate::gazetteer::Gazetteer;
use crate::model::Date;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct SampleConfig {
    /// Approximate number of shipment rows (the generator stops at the first scheme past it).
    pub rows: usize,
    pub seed: u64,
}

/// One generated shipment row.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleShipment {
    pub id: String,
    pub date: Date,
    pub exporter: String,
    pub exporter_country: &'static str,
    pub importer: String,
    pub importer_country: &'static str,
    pub origin_country: &'static str,
    pub hs_code: String,
    pub description: String,
    pub quantity: u64,
    pub unit: &'static str,
    pub value_usd: f64,
    pub weight_kg: f64,
    pub port_of_loading: String,
    pub port_of_discharge: String,
    pub transport_mode: &'static str,
}

/// The truth about one shipment.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub shipment_id: String,
    /// True for every leg of a diversion scheme, including the vendor's sale to the front.
    pub diversion: bool,
    /// The scheme's pattern (`pass_through`, `structuring` ...) or the look-alike's (`distributor_allies` ...).
    pub pattern: &'static str,
    /// Shipments of one scheme or one legitimate business share an id.
    pub scheme_id: String,
}

/// One synthetic screening-list entry (Consolidated Screening List layout).
#[derive(Clone, Debug, PartialEq)]
pub struct ScreeningRow {
    pub source: &'static str,
    pub name: String,
    pub alt_names: Vec<String>,
    pub country: &'static str,
    pub city: &'static str,
}

/// A generated data set: shipments, their labels (same order), and a screening list.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub shipments: Vec<SampleShipment>,
    pub labels: Vec<Label>,
    pub screening: Vec<ScreeningRow>,
}

/// Patterns of diversion the generator writes (the label's `pattern` when `diversion` is true).
pub const DIVERSION_PATTERNS: &[&str] = &[
    "pass_through",
    "multi_hop",
    "relabelling",
    "valuation",
    "shell_front",
    "structuring",
    "russia_roundabout",
    "screening_hit",
    "ref_india_servers",
    "ref_hk_new_firm",
];

/// Legitimate look-alikes and background trade (the label's `pattern` when `diversion` is false).
pub const LEGITIMATE_PATTERNS: &[&str] = &[
    "distributor_allies",
    "datacenter_keep",
    "odm_assembly",
    "uncontrolled_china",
    "hk_consumer_reexport",
    "background",
];

/// The committed sample (synthetic, labelled), embedded as the app's default dataset.
pub const EMBEDDED_SHIPMENTS: &str = include_str!("../data/sample/shipments.csv");
/// Labels of the embedded sample.
pub const EMBEDDED_LABELS: &str = include_str!("../data/sample/labels.csv");
/// The synthetic screening list that goes with the embedded sample.
pub const EMBEDDED_SCREENING: &str = include_str!("../data/sample/screening_list.csv");
/// Settings that produced the committed sample (`chiptrail sample --rows 3000 --seed 7`).
pub const EMBEDDED_CONFIG: SampleConfig = SampleConfig {
    rows: 3000,
    seed: 7,
};

/// The embedded sample as a loaded dataset, the one the app opens on. Its source path reads
/// `embedded:data/sample/shipments.csv`.
pub fn embedded_dataset(
    gazetteer: &Gazetteer,
) -> Result<crate::model::Dataset, crate::ingest::IngestError> {
    crate::ingest::read_bytes(
        EMBEDDED_SHIPMENTS.as_bytes(),
        Path::new("embedded:data/sample/shipments.csv"),
        &crate::ingest::ReadOptions::default(),
        gazetteer,
        None,
    )
}

/// SplitMix64: tiny, fast, and stable forever.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    /// Uniform integer in [lo, hi].
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
    /// Index drawn with the given weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// A product line: what a row's description, HS code, price and weight look like.
struct Product {
    descriptions: &'static [&'static str],
    hs: &'static [&'static str],
    price: (f64, f64),
    kg_per_unit: f64,
    unit: &'static str,
    /// Typical quantity of one consignment.
    qty: (i64, i64),
    origins: &'static [&'static str],
}

const GPUS: &[Product] = &[
    Product {
        descriptions: &[
            "NVIDIA H100 SXM5 80GB GPU accelerator",
            "H100 80GB HBM3 Tensor Core GPU",
            "NVIDIA H100 PCIe 80GB GPU",
        ],
        hs: &["8542.31.00.40", "854231", "8542.31", "847330"],
        price: (22_000.0, 34_000.0),
        kg_per_unit: 2.8,
        unit: "PCS",
        qty: (8, 256),
        origins: &["TW"],
    },
    Product {
        descriptions: &[
            "NVIDIA H200 141GB GPU",
            "H200 SXM 141GB HBM3e accelerator module",
        ],
        hs: &["854231", "8542.31.00.40", "847330"],
        price: (30_000.0, 40_000.0),
        kg_per_unit: 3.0,
        unit: "PCS",
        qty: (8, 128),
        origins: &["TW"],
    },
    Product {
        descriptions: &[
            "NVIDIA A100 80GB PCIe GPU accelerator",
            "A100 SXM4 40GB Tensor Core GPU",
        ],
        hs: &["854231", "847330", "8542.31.00"],
        price: (9_000.0, 17_000.0),
        kg_per_unit: 2.5,
        unit: "PCS",
        qty: (8, 256),
        origins: &["TW"],
    },
    Product {
        descriptions: &["NVIDIA H800 80GB GPU", "NVIDIA A800 80GB GPU accelerator"],
        hs: &["854231", "847330"],
        price: (12_000.0, 28_000.0),
        kg_per_unit: 2.6,
        unit: "PCS",
        qty: (8, 128),
        origins: &["TW"],
    },
    Product {
        descriptions: &[
            "NVIDIA B200 192GB GPU module",
            "GB200 Grace Blackwell superchip module",
        ],
        hs: &["854231", "847330"],
        price: (35_000.0, 50_000.0),
        kg_per_unit: 3.2,
        unit: "PCS",
        qty: (8, 64),
        origins: &["TW"],
    },
];

const SERVERS: &[Product] = &[
    Product {
        descriptions: &[
            "Dell PowerEdge XE9680 server, 8x NVIDIA H100 80GB",
            "PowerEdge XE9680 GPU server (8x H100 SXM)",
        ],
        hs: &["847150", "8471.50.01", "8471.50"],
        price: (260_000.0, 380_000.0),
        kg_per_unit: 107.0,
        unit: "SET",
        qty: (2, 48),
        origins: &["US", "MX", "MY"],
    },
    Product {
        descriptions: &[
            "Supermicro SYS-821GE-TNHR GPU server 8x H100",
            "Supermicro HGX H100 8-GPU server",
        ],
        hs: &["847150", "847180"],
        price: (250_000.0, 360_000.0),
        kg_per_unit: 95.0,
        unit: "SET",
        qty: (2, 40),
        origins: &["US", "TW", "NL"],
    },
    Product {
        descriptions: &["NVIDIA DGX H100 system", "DGX H200 AI system"],
        hs: &["847150"],
        price: (300_000.0, 450_000.0),
        kg_per_unit: 130.0,
        unit: "SET",
        qty: (1, 16),
        origins: &["US", "TW"],
    },
    Product {
        descriptions: &[
            "HGX H100 8-GPU baseboard",
            "NVIDIA HGX H200 8-GPU board assembly",
        ],
        hs: &["847330", "8473.30.11"],
        price: (190_000.0, 280_000.0),
        kg_per_unit: 25.0,
        unit: "PCS",
        qty: (2, 32),
        origins: &["TW"],
    },
];

const UNCONTROLLED_CHIPS: &[Product] = &[
    Product {
        descriptions: &[
            "STM32F407 ARM microcontroller",
            "32-bit microcontroller MCU, reel",
            "MCU 8-bit flash microcontroller",
        ],
        hs: &["854231", "8542.31.00.25", "854231"],
        price: (0.6, 7.5),
        kg_per_unit: 0.002,
        unit: "PCS",
        qty: (20_000, 600_000),
        origins: &["US", "MY", "TW", "PH", "CN"],
    },
    Product {
        descriptions: &[
            "DDR5 32GB RDIMM memory module",
            "DRAM chips 16Gb DDR4",
            "LPDDR5 memory IC",
        ],
        hs: &["854232", "8542.32.00", "847330"],
        price: (3.0, 160.0),
        kg_per_unit: 0.03,
        unit: "PCS",
        qty: (2_000, 200_000),
        origins: &["KR", "TW", "US", "CN"],
    },
    Product {
        descriptions: &[
            "Power management IC",
            "Analog integrated circuits, assorted",
            "Electronic integrated circuits (logic)",
        ],
        hs: &["854239", "8542.39.00", "854233"],
        price: (0.2, 4.0),
        kg_per_unit: 0.001,
        unit: "PCS",
        qty: (50_000, 2_000_000),
        origins: &["US", "MY", "PH", "TH", "CN"],
    },
    Product {
        descriptions: &[
            "Intel Core i7-13700 desktop processor",
            "AMD Ryzen 7 7700 processor",
            "Intel Xeon Silver 4410Y processor",
        ],
        hs: &["854231", "8542.31.00.01"],
        price: (250.0, 900.0),
        kg_per_unit: 0.1,
        unit: "PCS",
        qty: (200, 12_000),
        origins: &["MY", "VN", "CN", "US"],
    },
];

const CONSUMER: &[Product] = &[
    Product {
        descriptions: &[
            "NVIDIA GeForce RTX 4060 graphics card",
            "GeForce RTX 4070 gaming graphics card",
            "Radeon RX 7600 graphics card",
        ],
        hs: &["847330", "8473.30.11"],
        price: (240.0, 650.0),
        kg_per_unit: 1.2,
        unit: "PCS",
        qty: (200, 6_000),
        origins: &["CN", "TW", "VN"],
    },
    Product {
        descriptions: &[
            "Laptop computer 14 inch",
            "Notebook computers",
            "Portable computer, 16GB RAM",
        ],
        hs: &["847130", "8471.30.01"],
        price: (450.0, 1_600.0),
        kg_per_unit: 2.2,
        unit: "PCS",
        qty: (100, 5_000),
        origins: &["CN", "TW", "VN"],
    },
    Product {
        descriptions: &["Smartphones", "Mobile phones, 5G", "Cellular telephones"],
        hs: &["851713", "8517.13.00"],
        price: (150.0, 1_000.0),
        kg_per_unit: 0.35,
        unit: "PCS",
        qty: (500, 20_000),
        origins: &["CN", "VN", "IN", "KR"],
    },
    Product {
        descriptions: &["Solid state drive 2TB NVMe", "SSD 1TB M.2"],
        hs: &["847170", "852351"],
        price: (45.0, 220.0),
        kg_per_unit: 0.05,
        unit: "PCS",
        qty: (500, 30_000),
        origins: &["KR", "CN", "TW", "MY"],
    },
];

const NETWORK: &[Product] = &[
    Product {
        descriptions: &[
            "Ethernet switch 48-port 100G",
            "Network switch, data centre",
            "InfiniBand switch QM9700",
        ],
        hs: &["851762", "8517.62.00"],
        price: (2_500.0, 30_000.0),
        kg_per_unit: 12.0,
        unit: "PCS",
        qty: (4, 200),
        origins: &["US", "MX", "CN", "TW", "IL"],
    },
    Product {
        descriptions: &[
            "Rack server, 2U, dual CPU",
            "General purpose server 1U",
            "Storage server 4U",
        ],
        hs: &["847150", "847180"],
        price: (4_000.0, 22_000.0),
        kg_per_unit: 28.0,
        unit: "SET",
        qty: (4, 300),
        origins: &["US", "MX", "CN", "TW", "CZ"],
    },
];

/// Vague descriptions and codes that relabelled outbound legs use.
const RELABELS: &[(&str, &str)] = &[
    ("Computer parts", "847330"),
    ("Electronic integrated circuits", "854239"),
    ("Electronic components", "854290"),
    ("Server parts and accessories", "847330"),
    ("Data processing equipment parts", "847330"),
    ("Network equipment", "851762"),
    ("Graphics cards", "847330"),
    ("Computer hardware", "847180"),
];

const NAME_HEADS: &[&str] = &[
    "Lion City",
    "Merlion",
    "Orchard",
    "Straits",
    "Temasek Bay",
    "Klang Valley",
    "Petaling",
    "Penang Bridge",
    "Johor Strait",
    "Chao Phraya",
    "Siam",
    "Gulf Star",
    "Desert Falcon",
    "Jebel",
    "Creekside",
    "Pearl River",
    "Victoria Harbour",
    "Kowloon Bay",
    "Golden Bauhinia",
    "Bharat",
    "Indus",
    "Deccan",
    "Steppe",
    "Tien Shan",
    "Ararat",
    "Caucasus",
    "Silk Road",
    "Ural",
    "Neva",
    "Volga",
    "Baikal",
    "Amber Coast",
    "Blue Ridge",
    "Pacific Crest",
    "Cascade",
    "Redwood",
    "Granite Peak",
    "Lakeshore",
    "Harbor Point",
    "Summit",
    "Meridian",
    "Northstar",
    "Evergreen",
    "Sunrise",
    "Jade Dragon",
    "Red Lotus",
    "Phoenix Wing",
    "Silver Crane",
    "Blue Ocean",
    "Emerald",
    "Sapphire",
    "Crystal Bay",
    "Iron Bridge",
    "Oak Valley",
    "Cedar",
    "Maple Leaf",
    "Rhine Valley",
    "Alpine",
    "Nordic",
    "Tasman",
    "Coral Sea",
    "Fuji",
    "Sakura",
    "Han River",
    "Mekong",
    "Sahara",
    "Oasis",
    "Horizon",
    "Zenith",
    "Apex",
    "Vertex",
    "Quantum Leap",
    "Nova",
    "Orion",
    "Polaris",
    "Vega",
    "Atlas",
    "Titan",
    "Helix",
    "Vector",
    "Nimbus",
    "Stratus",
    "Cirrus",
    "Aurora",
    "Boreal",
    "Tundra",
    "Kestrel",
    "Falcon Ridge",
    "Eagle Rock",
    "Hawk Hill",
    "Swift River",
    "Bright Path",
    "Clearwater",
    "Stonebridge",
    "Highland",
];

const NAME_TAILS: &[&str] = &[
    "Compute",
    "Technology",
    "Systems",
    "Electronics",
    "Trading",
    "Digital",
    "Data",
    "Logistics",
    "Solutions",
    "Micro",
    "Cloud",
    "Supply",
    "Tech Trading",
    "Components",
    "Semiconductor",
    "Info Tech",
    "IT Services",
    "Server",
    "Networks",
    "Distribution",
    "Import Export",
    "Industrial",
    "Engineering",
    "Commerce",
    "Holdings",
];

const QUALIFIERS: &[&str] = &[
    "International",
    "Global",
    "Asia",
    "Group",
    "Asia Pacific",
    "Worldwide",
    "Enterprise",
    "Ventures",
    "Partners",
    "Hi-Tech",
    "Smart",
    "Prime",
    "Resources",
    "Intertrade",
];

fn legal_form(country: &str, rng: &mut Rng) -> (&'static str, bool) {
    // (form, is_prefix)
    let forms: &[(&str, bool)] = match country {
        "SG" => &[("Pte. Ltd.", false), ("Pte Ltd", false)],
        "MY" => &[("Sdn. Bhd.", false), ("Sdn Bhd", false)],
        "TH" => &[("Co., Ltd.", false)],
        "HK" => &[
            ("Limited", false),
            ("Co., Limited", false),
            ("Trading Limited", false),
        ],
        "AE" => &[
            ("FZE", false),
            ("FZCO", false),
            ("LLC", false),
            ("DMCC", false),
        ],
        "IN" => &[("Pvt. Ltd.", false), ("Private Limited", false)],
        "KZ" => &[("LLP", false), ("TOO", false)],
        "KG" | "AM" | "GE" | "UZ" => &[("LLC", false)],
        "RU" => &[("OOO", true), ("LLC", false), ("JSC", false)],
        "BY" => &[("OOO", true), ("JSC", false)],
        "CN" => &[("Co., Ltd.", false), ("Technology Co., Ltd.", false)],
        "TW" => &[("Co., Ltd.", false), ("Corporation", false)],
        "JP" => &[("K.K.", false), ("Co., Ltd.", false)],
        "KR" => &[("Co., Ltd.", false)],
        "DE" | "AT" | "CH" => &[("GmbH", false), ("AG", false)],
        "NL" => &[("B.V.", false)],
        "FR" => &[("SAS", false), ("S.A.", false)],
        "GB" | "IE" => &[("Ltd", false), ("Limited", false), ("PLC", false)],
        "MX" => &[("S.A. de C.V.", false)],
        "VN" => &[("Co., Ltd.", false), ("JSC", false)],
        "ID" => &[("PT", true)],
        "TR" => &[("A.S.", false), ("Ltd. Sti.", false)],
        "AU" | "NZ" => &[("Pty Ltd", false), ("Limited", false)],
        "IR" => &[("Co.", false)],
        _ => &[("Inc.", false), ("LLC", false), ("Corp.", false)],
    };
    *rng.pick(forms)
}

/// An invented firm: its name as registered and the spellings clerks use.
#[derive(Clone, Debug)]
struct Firm {
    name: String,
    country: &'static str,
    variants: Vec<String>,
}

/// Port or airport codes per country, from the gazetteer.
struct Ports {
    by_country: std::collections::HashMap<&'static str, Vec<(String, String)>>,
}

/// Countries that trade in the sample; the last two (sanctioned) only ever buy, in schemes.
const COUNTRIES: &[&str] = &[
    "US", "TW", "KR", "JP", "SG", "MY", "TH", "HK", "AE", "IN", "VN", "ID", "PH", "CN", "RU", "KZ",
    "KG", "AM", "GE", "UZ", "TR", "MX", "DE", "NL", "FR", "GB", "AU", "CA", "IL", "CZ", "IE", "CH",
    "BY", "IR",
];

impl Ports {
    fn new() -> Ports {
        let g = Gazetteer::embedded();
        let mut by_country = std::collections::HashMap::new();
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

struct Row {
    ship: SampleShipment,
    diversion: bool,
    pattern: &'static str,
    scheme: u32,
    tiebreak: u64,
}

/// The generator's state: random stream, invented firms, rows so far.
struct Gen {
    rng: Rng,
    ports: Ports,
    used_names: HashSet<String>,
    rows: Vec<Row>,
    scheme: u32,
    start: Date,
    days: i32,
    vendors_us: Vec<Firm>,
    vendors_tw: Vec<Firm>,
    vendors_kr: Vec<Firm>,
    distributors: Vec<Firm>,
    datacenters: Vec<Firm>,
    allied_buyers: Vec<Firm>,
    odms: Vec<Firm>,
    us_cloud: Vec<Firm>,
    cn_makers: Vec<Firm>,
    hk_traders: Vec<Firm>,
    concern_buyers: Vec<Firm>,
    screened: Vec<(Firm, &'static str)>,
    background: Vec<Firm>,
}

const HUBS_AI: &[&str] = &["SG", "MY", "TH", "HK", "AE", "IN", "VN"];
const ALLIES: &[&str] = &[
    "JP", "KR", "AU", "DE", "GB", "FR", "NL", "US", "CA", "IE", "CH",
];
const ROUNDABOUT: &[&str] = &["KZ", "KG", "AM", "GE", "UZ", "TR"];

impl Gen {
    fn new(seed: u64, rows: usize) -> Gen {
        let mut g = Gen {
            rng: Rng(seed ^ 0x5EED_C41F_7A11_0000),
            ports: Ports::new(),
            used_names: HashSet::new(),
            rows: Vec::with_capacity(rows + 64),
            scheme: 0,
            start: Date::from_ymd(2023, 1, 2).unwrap_or(Date(19_359)),
            days: 900,
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
            screened: Vec::new(),
            background: Vec::new(),
        };
        // Pools grow slowly with size so big files have more firms, each with a long history.
        let scale = ((rows as f64 / 3000.0).sqrt()).max(1.0);
        let n = |base: f64| (base * scale).round() as usize;
        g.vendors_us = (0..n(8.0)).map(|_| g.firm("US")).collect();
        g.vendors_tw = (0..n(5.0)).map(|_| g.firm("TW")).collect();
        g.vendors_kr = (0..n(3.0)).map(|_| g.firm("KR")).collect();
        g.distributors = (0..n(14.0))
            .map(|_| {
                let c = *g
                    .rng
                    .pick(&["SG", "SG", "MY", "MY", "HK", "HK", "AE", "IN", "TH"]);
                g.firm(c)
            })
            .collect();
        g.datacenters = (0..n(8.0))
            .map(|_| {
                let c = *g.rng.pick(&["SG", "MY", "MY", "AE", "IN", "JP"]);
                g.firm(c)
            })
            .collect();
        g.allied_buyers = (0..n(24.0))
            .map(|_| {
                let c = *g.rng.pick(ALLIES);
                g.firm(c)
            })
            .collect();
        g.odms = (0..n(5.0))
            .map(|_| {
                let c = *g.rng.pick(&["MX", "MX", "TW"]);
                g.firm(c)
            })
            .collect();
        g.us_cloud = (0..n(6.0)).map(|_| g.firm("US")).collect();
        g.cn_makers = (0..n(18.0)).map(|_| g.firm("CN")).collect();
        g.hk_traders = (0..n(10.0)).map(|_| g.firm("HK")).collect();
        g.concern_buyers = (0..n(10.0))
            .map(|_| {
                let c = *g
                    .rng
                    .pick(&["CN", "CN", "CN", "RU", "RU", "HK", "BY", "IR"]);
                g.firm(c)
            })
            .collect();
        g.background = (0..n(60.0))
            .map(|_| {
                let c = *g.rng.pick(&COUNTRIES[..COUNTRIES.len() - 2]);
                g.firm(c)
            })
            .collect();
        g
    }

    /// Invents a firm with a name never used before, and its clerical variants.
    fn firm(&mut self, country: &'static str) -> Firm {
        let mut attempts = 0u32;
        let base = loop {
            attempts += 1;
            let head = *self.rng.pick(NAME_HEADS);
            let tail = *self.rng.pick(NAME_TAILS);
            let mut candidate = match (attempts > 20, self.rng.int(0, 6)) {
                (false, 0) => format!("{head} {tail} {}", self.rng.pick(QUALIFIERS)),
                (false, _) => format!("{head} {tail}"),
                (true, 0..=2) => format!("{head} {} {tail}", self.rng.pick(NAME_HEADS)),
                (true, _) => format!("{head} {tail} {}", self.rng.pick(QUALIFIERS)),
            };
            if attempts > 200 {
                // The invented-name space is large but finite: number the rest.
                candidate = format!("{candidate} {attempts}");
            }
            if self
                .used_names
                .insert(crate::parties::normalise(&candidate))
            {
                break candidate;
            }
        };
        let (form, prefix) = legal_form(country, &mut self.rng);
        let name = if prefix {
            format!("{form} {base}")
        } else {
            format!("{base} {form}")
        };
        let plain: String = name.replace(['.', ','], "");
        let variants = vec![
            name.to_uppercase(),
            plain.clone(),
            plain.to_uppercase(),
            base.clone(),
            name.replace(", ", " "),
        ];
        Firm {
            name,
            country,
            variants,
        }
    }

    /// How a clerk wrote this firm's name on one document.
    fn spell(&mut self, f: &Firm) -> String {
        if self.rng.chance(0.78) {
            f.name.clone()
        } else {
            self.rng.pick(&f.variants).clone()
        }
    }

    fn date(&mut self, lo: i32, hi: i32) -> Date {
        self.start
            .plus_days(self.rng.int(i64::from(lo), i64::from(hi)) as i32)
    }

    fn next_scheme(&mut self) -> u32 {
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

    /// Adds one shipment row.
    #[allow(clippy::too_many_arguments)]
    fn leg(
        &mut self,
        date: Date,
        from: &Firm,
        to: &Firm,
        p: &Product,
        qty: u64,
        unit_value: f64,
        relabel: Option<(&str, &str)>,
        pattern: &'static str,
        diversion: bool,
        scheme: u32,
    ) {
        let (description, hs_code) = match relabel {
            Some((d, h)) => (d.to_string(), h.to_string()),
            None => (
                self.rng.pick(p.descriptions).to_string(),
                self.rng.pick(p.hs).to_string(),
            ),
        };
        let value =
            (qty as f64 * unit_value * self.rng.uniform(0.995, 1.005) * 100.0).round() / 100.0;
        let weight =
            (qty as f64 * p.kg_per_unit * self.rng.uniform(0.9, 1.15) * 10.0).round() / 10.0;
        let mode = self.mode_for(p, from.country, to.country);
        let exporter = self.spell(from);
        let importer = self.spell(to);
        let origin_country = *self.rng.pick(p.origins);
        let ship = SampleShipment {
            id: String::new(),
            date,
            exporter,
            exporter_country: from.country,
            importer,
            importer_country: to.country,
            origin_country,
            hs_code,
            description,
            quantity: qty.max(1),
            unit: p.unit,
            value_usd: value,
            weight_kg: weight.max(0.1),
            port_of_loading: self.ports.pick(from.country, &mut self.rng),
            port_of_discharge: self.ports.pick(to.country, &mut self.rng),
            transport_mode: mode,
        };
        let tiebreak = self.rng.next_u64();
        self.rows.push(Row {
            ship,
            diversion,
            pattern,
            scheme,
            tiebreak,
        });
    }

    fn controlled(&mut self) -> &'static Product {
        if self.rng.chance(0.62) {
            self.rng.pick(GPUS)
        } else {
            self.rng.pick(SERVERS)
        }
    }

    fn qty(&mut self, p: &Product) -> u64 {
        let q = self.rng.int(p.qty.0, p.qty.1) as u64;
        if p.unit == "PCS" && p.qty.1 <= 512 {
            (q / 8).max(1) * 8
        } else {
            q
        }
    }

    fn vendor_for(&mut self, p: &Product) -> Firm {
        // Taiwanese board makers sell accelerators; servers come from US vendors.
        if p.unit == "PCS" && self.rng.chance(0.3) {
            self.rng.pick(&self.vendors_tw).clone()
        } else {
            self.rng.pick(&self.vendors_us).clone()
        }
    }

    fn concern_buyer(&mut self, country: Option<&'static str>, avoid: &str) -> Firm {
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
        let c = *self
            .rng
            .pick(&["CN", "CN", "CN", "RU", "RU", "HK", "BY", "IR"]);
        self.firm(c)
    }

    /// Sends `qty` onward from `holder` to `buyer` in one or a few pieces, after a short dwell.
    #[allow(clippy::too_many_arguments)]
    fn forward(
        &mut self,
        arrived: Date,
        holder: &Firm,
        buyer: &Firm,
        p: &Product,
        qty: u64,
        unit_value: f64,
        relabel: Option<(&str, &str)>,
        pattern: &'static str,
        scheme: u32,
        pieces: u64,
    ) -> Date {
        let dwell = self.rng.int(2, 35) as i32;
        let mut left = qty;
        let mut last = arrived;
        for i in 0..pieces {
            let part = if i + 1 == pieces {
                left
            } else {
                (qty / pieces).max(1).min(left)
            };
            if part == 0 {
                break;
            }
            left -= part;
            last = arrived.plus_days(dwell + (i as i32) * self.rng.int(0, 4) as i32);
            self.leg(
                last, holder, buyer, p, part, unit_value, relabel, pattern, true, scheme,
            );
        }
        last
    }

    // ---- diversion schemes ----

    fn pass_through(&mut self, pattern: &'static str) {
        let s = self.next_scheme();
        let p = self.controlled();
        let vendor = self.vendor_for(p);
        let hub = *self.rng.pick(HUBS_AI);
        let front = self.firm(hub);
        let buyer = self.concern_buyer(None, hub);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let consignments = self.rng.int(1, 3);
        for _ in 0..consignments {
            let q = self.qty(p);
            let d0 = self.date(0, self.days - 60);
            self.leg(d0, &vendor, &front, p, q, price, None, pattern, true, s);
            let (relabel, markup) = match pattern {
                "relabelling" => (Some(*self.rng.pick(RELABELS)), self.rng.uniform(0.9, 1.2)),
                "valuation" => {
                    if self.rng.chance(0.7) {
                        (None, self.rng.uniform(0.04, 0.3))
                    } else {
                        (None, self.rng.uniform(2.2, 4.0))
                    }
                }
                _ => (None, self.rng.uniform(1.0, 1.25)),
            };
            let pieces = self.rng.int(1, 2) as u64;
            self.forward(
                d0,
                &front,
                &buyer,
                p,
                q,
                price * markup,
                relabel,
                pattern,
                s,
                pieces,
            );
        }
    }

    fn multi_hop(&mut self) {
        let s = self.next_scheme();
        let p = self.controlled();
        let vendor = self.vendor_for(p);
        let hops = self.rng.int(2, 3);
        let mut chain = vec![vendor];
        let mut used = Vec::new();
        for _ in 0..hops {
            let c = loop {
                let c = *self.rng.pick(&["MY", "TH", "SG", "VN", "AE", "IN", "ID"]);
                if !used.contains(&c) {
                    break c;
                }
            };
            used.push(c);
            chain.push(self.firm(c));
        }
        let c = if self.rng.chance(0.75) { "CN" } else { "RU" };
        chain.push(self.concern_buyer(Some(c), ""));
        let q = self.qty(p);
        let mut price = self.rng.uniform(p.price.0, p.price.1);
        let mut d = self.date(0, self.days - 120);
        for w in 0..chain.len() - 1 {
            let (from, to) = (chain[w].clone(), chain[w + 1].clone());
            self.leg(d, &from, &to, p, q, price, None, "multi_hop", true, s);
            d = d.plus_days(self.rng.int(3, 28) as i32);
            price *= self.rng.uniform(1.0, 1.12);
        }
    }

    fn shell_front(&mut self) {
        let s = self.next_scheme();
        let hub = *self.rng.pick(HUBS_AI);
        let front = self.firm(hub);
        let p = self.controlled();
        let buyer = self.concern_buyer(None, hub);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 90);
        // Pools consignments from several vendors, then ships the pool on in pieces.
        let vendors = self.rng.int(2, 4);
        let mut pooled = 0;
        let mut last_in = d0;
        for _ in 0..vendors {
            let v = if self.rng.chance(0.5) {
                self.rng.pick(&self.vendors_us).clone()
            } else {
                self.rng.pick(&self.vendors_tw).clone()
            };
            let q = self.qty(p);
            last_in = d0.plus_days(self.rng.int(0, 20) as i32);
            let markup = self.rng.uniform(0.95, 1.05);
            self.leg(
                last_in,
                &v,
                &front,
                p,
                q,
                price * markup,
                None,
                "shell_front",
                true,
                s,
            );
            pooled += q;
        }
        let pieces = self.rng.int(2, 5) as u64;
        let markup = self.rng.uniform(1.02, 1.2);
        self.forward(
            last_in,
            &front,
            &buyer,
            p,
            pooled,
            price * markup,
            None,
            "shell_front",
            s,
            pieces,
        );
    }

    fn structuring(&mut self) {
        let s = self.next_scheme();
        let p = self.rng.pick(GPUS);
        let vendor = self.vendor_for(p);
        let hub = *self.rng.pick(HUBS_AI);
        let front = self.firm(hub);
        let buyer_country = if hub == "HK" {
            "CN"
        } else {
            *self.rng.pick(&["CN", "CN", "RU", "HK"])
        };
        let buyer = self.firm(buyer_country);
        let q = self.rng.int(24, 64) as u64 * 8;
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 80);
        self.leg(
            d0,
            &vendor,
            &front,
            p,
            q,
            price,
            None,
            "structuring",
            true,
            s,
        );
        // Many small consignments, to name variants of one buyer.
        let mut left = q;
        let mut d = d0.plus_days(self.rng.int(3, 15) as i32);
        let mut aliases = vec![buyer.clone()];
        for _ in 0..self.rng.int(1, 3) {
            let mut alias = buyer.clone();
            let v = self.rng.pick(&buyer.variants).clone();
            alias.name = match self.rng.int(0, 2) {
                0 => v,
                1 => buyer.name.replacen(' ', "  ", 1),
                _ => format!("{} (Branch)", buyer.name),
            };
            aliases.push(alias);
        }
        let piece = (q / self.rng.int(6, 14) as u64).max(1);
        while left > 0 {
            let part = piece.min(left);
            left -= part;
            let to = self.rng.pick(&aliases).clone();
            let markup = self.rng.uniform(1.0, 1.15);
            self.leg(
                d,
                &front,
                &to,
                p,
                part,
                price * markup,
                None,
                "structuring",
                true,
                s,
            );
            d = d.plus_days(self.rng.int(0, 4) as i32);
        }
    }

    fn russia_roundabout(&mut self) {
        let s = self.next_scheme();
        let p = self.controlled();
        let vendor = self.vendor_for(p);
        let cn_country = if self.rng.chance(0.6) { "HK" } else { "CN" };
        let cn = self.firm(cn_country);
        let mid_country = *self.rng.pick(ROUNDABOUT);
        let mid = self.firm(mid_country);
        let c = if self.rng.chance(0.85) { "RU" } else { "BY" };
        let ru = self.concern_buyer(Some(c), "");
        let q = self.qty(p);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let mut d = self.date(0, self.days - 100);
        if self.rng.chance(0.7) {
            self.leg(
                d,
                &vendor,
                &cn,
                p,
                q,
                price,
                None,
                "russia_roundabout",
                true,
                s,
            );
            d = d.plus_days(self.rng.int(4, 30) as i32);
        }
        let markup = self.rng.uniform(1.05, 1.3);
        self.leg(
            d,
            &cn,
            &mid,
            p,
            q,
            price * markup,
            None,
            "russia_roundabout",
            true,
            s,
        );
        d = d.plus_days(self.rng.int(2, 20) as i32);
        let pieces = self.rng.int(1, 3) as u64;
        let markup = self.rng.uniform(1.2, 1.6);
        self.forward(
            d,
            &mid,
            &ru,
            p,
            q,
            price * markup,
            None,
            "russia_roundabout",
            s,
            pieces,
        );
    }

    fn screening_hit(&mut self) {
        let s = self.next_scheme();
        let p = self.controlled();
        let vendor = self.vendor_for(p);
        let hub = *self.rng.pick(HUBS_AI);
        let front = self.firm(hub);
        let c = *self.rng.pick(&["CN", "RU", "RU", "IR"]);
        let buyer = self.concern_buyer(Some(c), "");
        // The list names the buyer (or now and then the front), spelled a little differently
        // from the shipping documents.
        let target = if self.rng.chance(0.75) {
            &buyer
        } else {
            &front
        };
        let listed = if self.rng.chance(0.5) {
            target.name.to_uppercase()
        } else {
            target.variants[3].clone()
        };
        let entry = Firm {
            name: listed,
            ..target.clone()
        };
        self.screened
            .push((entry, "Entity List (EL) - Bureau of Industry and Security"));
        let q = self.qty(p);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 60);
        self.leg(
            d0,
            &vendor,
            &front,
            p,
            q,
            price,
            None,
            "screening_hit",
            true,
            s,
        );
        let markup = self.rng.uniform(1.0, 1.2);
        self.forward(
            d0,
            &front,
            &buyer,
            p,
            q,
            price * markup,
            None,
            "screening_hit",
            s,
            1,
        );
    }

    /// After the 2024 reporting: an Indian firm with no computing business ships Dell XE9680
    /// servers bought from Malaysia to Russia.
    fn ref_india_servers(&mut self) {
        let s = self.next_scheme();
        let p = &SERVERS[0];
        let vendor = self.rng.pick(&self.vendors_us).clone();
        let my = self.firm("MY");
        let head = self.rng.pick(NAME_HEADS).to_string();
        let india = Firm {
            name: format!("{head} Pharma Pvt. Ltd."),
            country: "IN",
            variants: vec![
                format!("{} PHARMA PVT LTD", head.to_uppercase()),
                format!("{head} Pharma Private Limited"),
            ],
        };
        let ru = self.concern_buyer(Some("RU"), "");
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 120);
        let total = self.rng.int(6, 20) as u64 * 4;
        self.leg(
            d0,
            &vendor,
            &my,
            p,
            total,
            price,
            None,
            "ref_india_servers",
            true,
            s,
        );
        let d1 = d0.plus_days(self.rng.int(5, 20) as i32);
        let markup = self.rng.uniform(1.02, 1.1);
        self.leg(
            d1,
            &my,
            &india,
            p,
            total,
            price * markup,
            None,
            "ref_india_servers",
            true,
            s,
        );
        let pieces = self.rng.int(2, 4) as u64;
        let markup = self.rng.uniform(1.1, 1.4);
        self.forward(
            d1,
            &india,
            &ru,
            p,
            total,
            price * markup,
            None,
            "ref_india_servers",
            s,
            pieces,
        );
    }

    /// After the 2022 reporting: a Hong Kong firm incorporated weeks earlier becomes a large
    /// exporter of US chips to Russia.
    fn ref_hk_new_firm(&mut self) {
        let s = self.next_scheme();
        let hk = self.firm("HK");
        let ru = self.concern_buyer(Some("RU"), "");
        let d0 = self.date(0, self.days - 150);
        for k in 0..self.rng.int(2, 4) {
            let p = self.rng.pick(GPUS);
            let vendor = self.rng.pick(&self.vendors_us).clone();
            let q = self.qty(p);
            let price = self.rng.uniform(p.price.0, p.price.1);
            let d = d0.plus_days(k as i32 * self.rng.int(10, 30) as i32);
            self.leg(
                d,
                &vendor,
                &hk,
                p,
                q,
                price,
                None,
                "ref_hk_new_firm",
                true,
                s,
            );
            let markup = self.rng.uniform(1.1, 1.35);
            self.forward(
                d,
                &hk,
                &ru,
                p,
                q,
                price * markup,
                None,
                "ref_hk_new_firm",
                s,
                1,
            );
        }
    }

    // ---- legitimate look-alikes ----

    /// A hub distributor with a long history: buys accelerators from vendors, sells them on to
    /// allied buyers within weeks, in pieces.
    fn distributor_allies(&mut self) {
        let s = self.next_scheme();
        let dist = self.rng.pick(&self.distributors).clone();
        let p = self.controlled();
        let vendor = self.vendor_for(p);
        let q = self.qty(p);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 60);
        self.leg(
            d0,
            &vendor,
            &dist,
            p,
            q,
            price,
            None,
            "distributor_allies",
            false,
            s,
        );
        let pieces = self.rng.int(1, 3) as u64;
        let mut left = q;
        for i in 0..pieces {
            let part = if i + 1 == pieces {
                left
            } else {
                (q / pieces).max(1).min(left)
            };
            if part == 0 {
                break;
            }
            left -= part;
            let buyer = self.rng.pick(&self.allied_buyers).clone();
            let d = d0.plus_days(self.rng.int(3, 40) as i32);
            let markup = self.rng.uniform(1.03, 1.15);
            self.leg(
                d,
                &dist,
                &buyer,
                p,
                part,
                price * markup,
                None,
                "distributor_allies",
                false,
                s,
            );
        }
    }

    fn datacenter_keep(&mut self) {
        let s = self.next_scheme();
        let dc = self.rng.pick(&self.datacenters).clone();
        for _ in 0..self.rng.int(1, 3) {
            let p = self.controlled();
            let vendor = self.vendor_for(p);
            let q = self.qty(p);
            let price = self.rng.uniform(p.price.0, p.price.1);
            let d = self.date(0, self.days);
            self.leg(
                d,
                &vendor,
                &dc,
                p,
                q,
                price,
                None,
                "datacenter_keep",
                false,
                s,
            );
        }
    }

    fn odm_assembly(&mut self) {
        let s = self.next_scheme();
        let odm = self.rng.pick(&self.odms).clone();
        let gpu = self.rng.pick(GPUS);
        let vendor = self.rng.pick(&self.vendors_us).clone();
        let servers = self.rng.int(4, 60) as u64;
        let gpu_price = self.rng.uniform(gpu.price.0, gpu.price.1);
        let d0 = self.date(0, self.days - 90);
        self.leg(
            d0,
            &vendor,
            &odm,
            gpu,
            servers * 8,
            gpu_price,
            None,
            "odm_assembly",
            false,
            s,
        );
        let server = self.rng.pick(&SERVERS[..3]);
        let buyer = self.rng.pick(&self.us_cloud).clone();
        let d1 = d0.plus_days(self.rng.int(20, 60) as i32);
        let server_price = gpu_price * 8.0 * self.rng.uniform(1.25, 1.5);
        self.leg(
            d1,
            &odm,
            &buyer,
            server,
            servers,
            server_price,
            None,
            "odm_assembly",
            false,
            s,
        );
    }

    /// High-volume, low-value chips to China, direct or through a Hong Kong distributor.
    fn uncontrolled_china(&mut self) {
        let s = self.next_scheme();
        let p = self.rng.pick(UNCONTROLLED_CHIPS);
        let vendor = match self.rng.int(0, 2) {
            0 => self.rng.pick(&self.vendors_us).clone(),
            1 => self.rng.pick(&self.vendors_tw).clone(),
            _ => self.rng.pick(&self.vendors_kr).clone(),
        };
        let maker = self.rng.pick(&self.cn_makers).clone();
        let q = self.qty(p);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 30);
        if self.rng.chance(0.5) {
            let hk = self.rng.pick(&self.hk_traders).clone();
            self.leg(
                d0,
                &vendor,
                &hk,
                p,
                q,
                price,
                None,
                "uncontrolled_china",
                false,
                s,
            );
            let d1 = d0.plus_days(self.rng.int(2, 15) as i32);
            let markup = self.rng.uniform(1.02, 1.1);
            self.leg(
                d1,
                &hk,
                &maker,
                p,
                q,
                price * markup,
                None,
                "uncontrolled_china",
                false,
                s,
            );
        } else {
            self.leg(
                d0,
                &vendor,
                &maker,
                p,
                q,
                price,
                None,
                "uncontrolled_china",
                false,
                s,
            );
        }
    }

    fn hk_consumer_reexport(&mut self) {
        let s = self.next_scheme();
        let p = self.rng.pick(CONSUMER);
        let src = *self.rng.pick(&["TW", "KR", "JP", "US", "VN"]);
        let supplier = self.firm_from_pool(src);
        let hk = self.rng.pick(&self.hk_traders).clone();
        let maker = self.rng.pick(&self.cn_makers).clone();
        let q = self.qty(p);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 20);
        self.leg(
            d0,
            &supplier,
            &hk,
            p,
            q,
            price,
            None,
            "hk_consumer_reexport",
            false,
            s,
        );
        let d1 = d0.plus_days(self.rng.int(1, 12) as i32);
        let markup = self.rng.uniform(1.02, 1.08);
        self.leg(
            d1,
            &hk,
            &maker,
            p,
            q,
            price * markup,
            None,
            "hk_consumer_reexport",
            false,
            s,
        );
    }

    fn firm_from_pool(&mut self, country: &'static str) -> Firm {
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

    /// Ordinary trade between ordinary firms, a shipment or two.
    fn background(&mut self) {
        let s = self.next_scheme();
        // Accelerators and AI servers move in the businesses above, not between ordinary firms.
        let group = self.rng.weighted(&[3.0, 3.0, 2.0]);
        let p = match group {
            0 => self.rng.pick(UNCONTROLLED_CHIPS),
            1 => self.rng.pick(CONSUMER),
            _ => self.rng.pick(NETWORK),
        };
        let (from, to) = loop {
            let a = self.rng.pick(&self.background).clone();
            let b = self.rng.pick(&self.background).clone();
            if a.country != b.country {
                break (a, b);
            }
        };
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d = self.date(0, self.days);
        let q = self.qty(p);
        self.leg(d, &from, &to, p, q, price, None, "background", false, s);
    }

    fn screening_decoys(&mut self) {
        for _ in 0..12 {
            let c = *self.rng.pick(&["CN", "RU", "IR", "HK", "BY"]);
            let f = self.firm(c);
            let source = *self.rng.pick(&[
                "Entity List (EL) - Bureau of Industry and Security",
                "Specially Designated Nationals (SDN) - Treasury Department",
                "Military End User (MEU) List - Bureau of Industry and Security",
            ]);
            self.screened.push((f, source));
        }
    }
}

/// Generates a labelled sample.
pub fn generate(config: &SampleConfig) -> Sample {
    let mut g = Gen::new(config.seed, config.rows);
    g.screening_decoys();
    // Share of draws per generator; diversion schemes make up roughly 10% of rows.
    let kinds: [(f64, u8); 16] = [
        (0.8, 0),
        (0.4, 1),
        (0.35, 2),
        (0.3, 3),
        (0.25, 4),
        (0.15, 5),
        (0.4, 6),
        (0.25, 7),
        (0.08, 8),
        (0.1, 9),
        (6.0, 10),
        (3.5, 11),
        (1.5, 12),
        (10.0, 13),
        (7.0, 14),
        (48.0, 15),
    ];
    let weights: Vec<f64> = kinds.iter().map(|k| k.0).collect();
    // Make sure every pattern appears at least once, even in a small sample.
    let mut order: Vec<u8> = (0..16).collect();
    while g.rows.len() < config.rows || !order.is_empty() {
        let kind = match order.pop() {
            Some(k) => k,
            None => kinds[g.rng.weighted(&weights)].1,
        };
        match kind {
            0 => g.pass_through("pass_through"),
            1 => g.multi_hop(),
            2 => g.pass_through("relabelling"),
            3 => g.pass_through("valuation"),
            4 => g.shell_front(),
            5 => g.structuring(),
            6 => g.russia_roundabout(),
            7 => g.screening_hit(),
            8 => g.ref_india_servers(),
            9 => g.ref_hk_new_firm(),
            10 => g.distributor_allies(),
            11 => g.datacenter_keep(),
            12 => g.odm_assembly(),
            13 => g.uncontrolled_china(),
            14 => g.hk_consumer_reexport(),
            _ => g.background(),
        }
    }
    let mut rows = std::mem::take(&mut g.rows);
    rows.sort_by_key(|r| (r.ship.date, r.tiebreak));
    let mut shipments = Vec::with_capacity(rows.len());
    let mut labels = Vec::with_capacity(rows.len());
    for (i, mut r) in rows.into_iter().enumerate() {
        let (y, _, _) = r.ship.date.ymd();
        r.ship.id = format!("BL{y}{:07}", i + 1);
        labels.push(Label {
            shipment_id: r.ship.id.clone(),
            diversion: r.diversion,
            pattern: r.pattern,
            scheme_id: format!("S{:06}", r.scheme),
        });
        shipments.push(r.ship);
    }
    let cities = |c: &str| -> &'static str {
        match c {
            "CN" => "Shenzhen",
            "RU" => "Moscow",
            "IR" => "Tehran",
            "HK" => "Hong Kong",
            "BY" => "Minsk",
            "SG" => "Singapore",
            "MY" => "Kuala Lumpur",
            "AE" => "Dubai",
            "IN" => "Mumbai",
            "TH" => "Bangkok",
            "VN" => "Hanoi",
            _ => "",
        }
    };
    let screening = g
        .screened
        .iter()
        .map(|(f, source)| ScreeningRow {
            source,
            name: f.name.clone(),
            alt_names: f.variants.iter().take(1).cloned().collect(),
            country: f.country,
            city: cities(f.country),
        })
        .collect();
    Sample {
        shipments,
        labels,
        screening,
    }
}

/// The native shipment header, in the formats document's order.
pub const SHIPMENT_HEADER: [&str; 16] = [
    "shipment_id",
    "date",
    "exporter",
    "exporter_country",
    "importer",
    "importer_country",
    "origin_country",
    "hs_code",
    "description",
    "quantity",
    "unit",
    "value_usd",
    "weight_kg",
    "port_of_loading",
    "port_of_discharge",
    "transport_mode",
];

/// The Consolidated Screening List header.
pub const CSL_HEADER: [&str; 29] = [
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
];

impl Sample {
    /// Writes `shipments.csv`, `labels.csv` and `screening_list.csv` into `dir`, each atomically.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        write_atomic(&dir.join("shipments.csv"), |out| self.write_shipments(out))?;
        write_atomic(&dir.join("labels.csv"), |out| {
            let mut csv = SafeCsv::new(out);
            csv.row(["shipment_id", "label", "pattern", "scheme_id"])?;
            for l in &self.labels {
                csv.row([
                    l.shipment_id.as_str(),
                    if l.diversion {
                        "diversion"
                    } else {
                        "legitimate"
                    },
                    l.pattern,
                    &l.scheme_id,
                ])?;
            }
            csv.flush()
        })?;
        write_atomic(&dir.join("screening_list.csv"), |out| {
            let mut csv = SafeCsv::new(out);
            csv.row(CSL_HEADER)?;
            for (i, e) in self.screening.iter().enumerate() {
                let mut row = vec![String::new(); CSL_HEADER.len()];
                row[0] = format!("synthetic-{:04}", i + 1);
                row[1] = e.source.to_string();
                row[3] = "Entity".into();
                row[4] = "EAR".into();
                row[5] = e.name.clone();
                row[7] = format!("1 Example Road, {}, {}", e.city, e.country);
                row[20] =
                    "Synthetic entry generated by chiptrail sample; not a real listing.".into();
                row[22] = e.alt_names.join("; ");
                csv.row(&row)?;
            }
            csv.flush()
        })
    }

    /// Writes the shipment rows as native-format CSV.
    pub fn write_shipments(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut csv = SafeCsv::new(out);
        csv.row(SHIPMENT_HEADER)?;
        for s in &self.shipments {
            csv.row([
                s.id.as_str(),
                &s.date.to_string(),
                &s.exporter,
                s.exporter_country,
                &s.importer,
                s.importer_country,
                s.origin_country,
                &s.hs_code,
                &s.description,
                &s.quantity.to_string(),
                s.unit,
                &format!("{:.2}", s.value_usd),
                &format!("{:.1}", s.weight_kg),
                &s.port_of_loading,
                &s.port_of_discharge,
                s.transport_mode,
            ])?;
        }
        csv.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sample_other_seed_other_sample() {
        let a = generate(&SampleConfig { rows: 800, seed: 3 });
        let b = generate(&SampleConfig { rows: 800, seed: 3 });
        let c = generate(&SampleConfig { rows: 800, seed: 4 });
        assert_eq!(a, b);
        assert_ne!(a.shipments, c.shipments);
    }

    #[test]
    fn every_pattern_appears_and_labels_line_up() {
        let s = generate(&SampleConfig {
            rows: 1500,
            seed: 11,
        });
        assert!(s.shipments.len() >= 1500);
        assert_eq!(s.shipments.len(), s.labels.len());
        for (ship, label) in s.shipments.iter().zip(&s.labels) {
            assert_eq!(ship.id, label.shipment_id);
        }
        for p in DIVERSION_PATTERNS {
            assert!(
                s.labels.iter().any(|l| l.diversion && l.pattern == *p),
                "no {p}"
            );
        }
        for p in LEGITIMATE_PATTERNS {
            assert!(
                s.labels.iter().any(|l| !l.diversion && l.pattern == *p),
                "no {p}"
            );
        }
        let share = s.labels.iter().filter(|l| l.diversion).count() as f64 / s.labels.len() as f64;
        assert!((0.03..0.3).contains(&share), "diversion share {share}");
        let ids: HashSet<_> = s.shipments.iter().map(|x| &x.id).collect();
        assert_eq!(ids.len(), s.shipments.len(), "shipment ids are unique");
        assert!(s.screening.len() > 12);
    }

    #[test]
    fn shipments_are_in_date_order_with_plausible_values() {
        let s = generate(&SampleConfig {
            rows: 1000,
            seed: 5,
        });
        assert!(s.shipments.windows(2).all(|w| w[0].date <= w[1].date));
        for x in &s.shipments {
            assert!(x.value_usd > 0.0 && x.quantity > 0 && x.weight_kg > 0.0);
            assert_ne!(x.exporter_country, x.importer_country, "{x:?}");
        }
    }
}
