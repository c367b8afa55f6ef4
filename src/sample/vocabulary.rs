//! Every word list the generator draws from, each split into a tuning half and a held-out half.
//!
//! The scorer's rules (vague descriptions, uncontrolled-goods keywords, generic name words ...)
//! were written while looking at generated data. A score measured on data drawn from the same
//! words says little about data nobody has looked at, so each list here comes in two halves:
//! tune on samples drawn from [`Vocabulary::Tuning`], measure on [`Vocabulary::HeldOut`].
//! [`Vocabulary::Full`] draws from both (the committed sample and the default).
//!
//! The halves share no firm-name word, no relabel wording and no product phrasing. Where the
//! rules were tuned on a list (relabel wordings, product phrasings, consignee generic words), the
//! words the generator used before the split are the tuning half and the held-out half is new.
//! Both halves keep every kind: each product line has phrasings in both, each half has relabel
//! wordings under several HS headings, firm names with and without qualifiers, and hubs for
//! every pattern. Hub lists are split too (a scorer that learnt "Singapore is suspicious" shows
//! it on held-out data), but need not be disjoint: legal forms, countries of concern and ports
//! are the world's, not the generator's, and are shared.

use std::fmt;
use std::str::FromStr;

/// Which half of every word list a sample draws from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Vocabulary {
    /// The half to look at while tuning rules and weights.
    Tuning,
    /// The half to measure on, never looked at while tuning.
    HeldOut,
    /// Both halves (the committed sample).
    #[default]
    Full,
}

impl Vocabulary {
    /// The name used on the command line: `tuning`, `held-out`, `full`.
    pub fn name(self) -> &'static str {
        match self {
            Vocabulary::Tuning => "tuning",
            Vocabulary::HeldOut => "held-out",
            Vocabulary::Full => "full",
        }
    }
}

impl fmt::Display for Vocabulary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Vocabulary {
    type Err = String;

    fn from_str(s: &str) -> Result<Vocabulary, String> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "tuning" => Ok(Vocabulary::Tuning),
            "held-out" | "heldout" => Ok(Vocabulary::HeldOut),
            "full" => Ok(Vocabulary::Full),
            other => Err(format!(
                "unknown vocabulary '{other}': expected tuning, held-out or full"
            )),
        }
    }
}

/// One list in its two halves.
pub(super) struct Halves<T: 'static> {
    pub tuning: &'static [T],
    pub held_out: &'static [T],
}

impl<T: Copy> Halves<T> {
    /// The entries a sample of this vocabulary draws from (tuning first for `Full`).
    pub fn get(&self, v: Vocabulary) -> Vec<T> {
        match v {
            Vocabulary::Tuning => self.tuning.to_vec(),
            Vocabulary::HeldOut => self.held_out.to_vec(),
            Vocabulary::Full => self.tuning.iter().chain(self.held_out).copied().collect(),
        }
    }
}

/// A product line as defined: how rows describe it in each half, and its codes and prices.
pub(super) struct ProductLine {
    pub descriptions: Halves<&'static str>,
    pub hs: &'static [&'static str],
    pub price: (f64, f64),
    pub kg_per_unit: f64,
    pub unit: &'static str,
    /// Typical quantity of one consignment.
    pub qty: (i64, i64),
    pub origins: &'static [&'static str],
    /// For licensed lines: the HS prefix a licence names, as licences write it (every code in
    /// `hs` falls under it).
    pub licence_hs: &'static [&'static str],
}

/// A product line with the descriptions of one vocabulary.
#[derive(Clone, Debug)]
pub(super) struct Product {
    pub descriptions: Vec<&'static str>,
    pub hs: &'static [&'static str],
    pub price: (f64, f64),
    pub kg_per_unit: f64,
    pub unit: &'static str,
    pub qty: (i64, i64),
    pub origins: &'static [&'static str],
    pub licence_hs: &'static [&'static str],
}

impl ProductLine {
    fn resolve(&self, v: Vocabulary) -> Product {
        Product {
            descriptions: self.descriptions.get(v),
            hs: self.hs,
            price: self.price,
            kg_per_unit: self.kg_per_unit,
            unit: self.unit,
            qty: self.qty,
            origins: self.origins,
            licence_hs: self.licence_hs,
        }
    }
}

const H200_PHRASES: Halves<&str> = Halves {
    tuning: &[
        "NVIDIA H200 141GB GPU",
        "H200 SXM 141GB HBM3e accelerator module",
    ],
    held_out: &[
        "NVIDIA H200 NVL 141GB PCIe card",
        "GPU module H200 141G HBM3E",
    ],
};

/// Accelerators (chips and boards), controlled.
pub(super) const GPUS: &[ProductLine] = &[
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "NVIDIA H100 SXM5 80GB GPU accelerator",
                "H100 80GB HBM3 Tensor Core GPU",
                "NVIDIA H100 PCIe 80GB GPU",
            ],
            held_out: &[
                "GPU H100 80G SXM module",
                "Graphics processing unit, NVIDIA H100 80GB",
                "Accelerator card H100 PCIe 80 GB HBM2e",
            ],
        },
        hs: &["8542.31.00.40", "854231", "8542.31", "847330"],
        price: (22_000.0, 34_000.0),
        kg_per_unit: 2.8,
        unit: "PCS",
        qty: (8, 256),
        origins: &["TW"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: H200_PHRASES,
        hs: &["854231", "8542.31.00.40", "847330"],
        price: (30_000.0, 40_000.0),
        kg_per_unit: 3.0,
        unit: "PCS",
        qty: (8, 128),
        origins: &["TW"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "NVIDIA A100 80GB PCIe GPU accelerator",
                "A100 SXM4 40GB Tensor Core GPU",
            ],
            held_out: &[
                "GPU card NVIDIA A100 80G",
                "A100 PCIe 40GB accelerator board",
            ],
        },
        hs: &["854231", "847330", "8542.31.00"],
        price: (9_000.0, 17_000.0),
        kg_per_unit: 2.5,
        unit: "PCS",
        qty: (8, 256),
        origins: &["TW"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &["NVIDIA H800 80GB GPU", "NVIDIA A800 80GB GPU accelerator"],
            held_out: &["H800 SXM5 GPU module 80GB", "A800 PCIe 80GB compute card"],
        },
        hs: &["854231", "847330"],
        price: (12_000.0, 28_000.0),
        kg_per_unit: 2.6,
        unit: "PCS",
        qty: (8, 128),
        origins: &["TW"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "NVIDIA B200 192GB GPU module",
                "GB200 Grace Blackwell superchip module",
            ],
            held_out: &[
                "Blackwell B200 SXM accelerator 192GB",
                "NVIDIA GB200 NVL superchip board",
            ],
        },
        hs: &["854231", "847330"],
        price: (35_000.0, 50_000.0),
        kg_per_unit: 3.2,
        unit: "PCS",
        qty: (8, 64),
        origins: &["TW"],
        licence_hs: &[],
    },
];

/// AI servers and 8-GPU boards, controlled.
pub(super) const SERVERS: &[ProductLine] = &[
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "Dell PowerEdge XE9680 server, 8x NVIDIA H100 80GB",
                "PowerEdge XE9680 GPU server (8x H100 SXM)",
            ],
            held_out: &[
                "DELL XE9680 RACK SERVER W/ 8 H100 GPU",
                "Server Dell PowerEdge XE9680 with eight H100",
            ],
        },
        hs: &["847150", "8471.50.01", "8471.50"],
        price: (260_000.0, 380_000.0),
        kg_per_unit: 107.0,
        unit: "SET",
        qty: (2, 48),
        origins: &["US", "MX", "MY"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "Supermicro SYS-821GE-TNHR GPU server 8x H100",
                "Supermicro HGX H100 8-GPU server",
            ],
            held_out: &[
                "SMC AS-8125GS-TNHR 8U GPU system H100",
                "Supermicro 8U AI server, HGX H100 8GPU",
            ],
        },
        hs: &["847150", "847180"],
        price: (250_000.0, 360_000.0),
        kg_per_unit: 95.0,
        unit: "SET",
        qty: (2, 40),
        origins: &["US", "TW", "NL"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &["NVIDIA DGX H100 system", "DGX H100 AI supercomputer node"],
            held_out: &[
                "DGX H100 640GB system",
                "NVIDIA DGX H100 deep learning server",
            ],
        },
        hs: &["847150"],
        price: (300_000.0, 450_000.0),
        kg_per_unit: 130.0,
        unit: "SET",
        qty: (1, 16),
        origins: &["US", "TW"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "HGX H100 8-GPU baseboard",
                "NVIDIA HGX H100 8-GPU board assembly",
            ],
            held_out: &[
                "HGX H100 8 GPU baseboard assy",
                "GPU baseboard HGX H100 (8x SXM5)",
            ],
        },
        hs: &["847330", "8473.30.11"],
        price: (190_000.0, 280_000.0),
        kg_per_unit: 25.0,
        unit: "PCS",
        qty: (2, 32),
        origins: &["TW"],
        licence_hs: &[],
    },
];

/// H200-class goods as licences name them and licensed shipments carry them. Every HS code of a
/// line falls under its licence prefix.
pub(super) const LICENSED: &[ProductLine] = &[
    ProductLine {
        descriptions: H200_PHRASES,
        hs: &["854231", "8542.31.00.40", "8542.31.00"],
        price: (30_000.0, 40_000.0),
        kg_per_unit: 3.0,
        unit: "PCS",
        qty: (16, 256),
        origins: &["TW"],
        licence_hs: &["8542.31", "854231"],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "NVIDIA HGX H200 8-GPU board assembly",
                "HGX H200 8-GPU baseboard",
            ],
            held_out: &["Baseboard HGX H200 8x141GB", "HGX H200 8 GPU board assy"],
        },
        hs: &["847330", "8473.30.11", "8473.30"],
        price: (240_000.0, 320_000.0),
        kg_per_unit: 25.0,
        unit: "PCS",
        qty: (2, 32),
        origins: &["TW"],
        licence_hs: &["8473.30", "847330"],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "Supermicro SYS-821GE-TNHR server, 8x NVIDIA H200",
                "Dell PowerEdge XE9680 server, 8x H200 141GB",
            ],
            held_out: &[
                "GPU server 8U, HGX H200 8-GPU, Supermicro",
                "DELL XE9680 W/ 8 H200 GPU",
            ],
        },
        hs: &["847150", "8471.50.01", "8471.50"],
        price: (300_000.0, 420_000.0),
        kg_per_unit: 105.0,
        unit: "SET",
        qty: (2, 40),
        origins: &["US", "MX", "TW"],
        licence_hs: &["8471.50", "847150"],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &["DGX H200 AI system", "NVIDIA DGX H200 system"],
            held_out: &[
                "DGX H200 1128GB AI server",
                "NVIDIA DGX H200 deep learning system",
            ],
        },
        hs: &["847150", "8471.50"],
        price: (380_000.0, 500_000.0),
        kg_per_unit: 130.0,
        unit: "SET",
        qty: (1, 16),
        origins: &["US", "TW"],
        licence_hs: &["8471.50", "847150"],
    },
];

/// High-volume, low-value chips anyone may buy.
pub(super) const UNCONTROLLED_CHIPS: &[ProductLine] = &[
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "STM32F407 ARM microcontroller",
                "32-bit microcontroller MCU, reel",
                "MCU 8-bit flash microcontroller",
            ],
            held_out: &[
                "ESP32 WiFi SoC chip, tape and reel",
                "Embedded controller IC 32-bit LQFP100",
            ],
        },
        hs: &["854231", "8542.31.00.25", "854231"],
        price: (0.6, 7.5),
        kg_per_unit: 0.002,
        unit: "PCS",
        qty: (20_000, 600_000),
        origins: &["US", "MY", "TW", "PH", "CN"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "DDR5 32GB RDIMM memory module",
                "DRAM chips 16Gb DDR4",
                "LPDDR5 memory IC",
            ],
            held_out: &[
                "SDRAM memory IC 8Gb BGA",
                "Server memory RDIMM 64GB registered",
            ],
        },
        hs: &["854232", "8542.32.00", "847330"],
        price: (3.0, 160.0),
        kg_per_unit: 0.03,
        unit: "PCS",
        qty: (2_000, 200_000),
        origins: &["KR", "TW", "US", "CN"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "Power management IC",
                "Analog integrated circuits, assorted",
                "Electronic integrated circuits (logic)",
            ],
            held_out: &["Voltage regulator ICs", "Logic ICs, 74-series, assorted"],
        },
        hs: &["854239", "8542.39.00", "854233"],
        price: (0.2, 4.0),
        kg_per_unit: 0.001,
        unit: "PCS",
        qty: (50_000, 2_000_000),
        origins: &["US", "MY", "PH", "TH", "CN"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "Intel Core i7-13700 desktop processor",
                "AMD Ryzen 7 7700 processor",
                "Intel Xeon Silver 4410Y processor",
            ],
            held_out: &[
                "Desktop CPU i5-14400F, tray",
                "AMD EPYC 9124 16-core server CPU",
            ],
        },
        hs: &["854231", "8542.31.00.01"],
        price: (250.0, 900.0),
        kg_per_unit: 0.1,
        unit: "PCS",
        qty: (200, 12_000),
        origins: &["MY", "VN", "CN", "US"],
        licence_hs: &[],
    },
];

/// Consumer electronics (Hong Kong re-exports, background trade).
pub(super) const CONSUMER: &[ProductLine] = &[
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "NVIDIA GeForce RTX 4060 graphics card",
                "GeForce RTX 4070 gaming graphics card",
                "Radeon RX 7600 graphics card",
            ],
            held_out: &[
                "VGA card RTX4060 8GB GDDR6",
                "Gaming video card RTX4070 Super 12G",
            ],
        },
        hs: &["847330", "8473.30.11"],
        price: (240.0, 650.0),
        kg_per_unit: 1.2,
        unit: "PCS",
        qty: (200, 6_000),
        origins: &["CN", "TW", "VN"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "Laptop computer 14 inch",
                "Notebook computers",
                "Portable computer, 16GB RAM",
            ],
            held_out: &[
                "Portable automatic data processing machines, 15.6in",
                "Ultrabook 13.3 inch, 16GB",
            ],
        },
        hs: &["847130", "8471.30.01"],
        price: (450.0, 1_600.0),
        kg_per_unit: 2.2,
        unit: "PCS",
        qty: (100, 5_000),
        origins: &["CN", "TW", "VN"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &["Smartphones", "Mobile phones, 5G", "Cellular telephones"],
            held_out: &["Handsets, 5G cellular", "Android handheld phone sets"],
        },
        hs: &["851713", "8517.13.00"],
        price: (150.0, 1_000.0),
        kg_per_unit: 0.35,
        unit: "PCS",
        qty: (500, 20_000),
        origins: &["CN", "VN", "IN", "KR"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &["Solid state drive 2TB NVMe", "SSD 1TB M.2"],
            held_out: &[
                "NVMe M.2 storage drive 1TB",
                "Flash storage drive 2TB PCIe 4.0",
            ],
        },
        hs: &["847170", "852351"],
        price: (45.0, 220.0),
        kg_per_unit: 0.05,
        unit: "PCS",
        qty: (500, 30_000),
        origins: &["KR", "CN", "TW", "MY"],
        licence_hs: &[],
    },
];

/// Network gear and general-purpose servers (background trade).
pub(super) const NETWORK: &[ProductLine] = &[
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "Ethernet switch 48-port 100G",
                "Network switch, data centre",
                "InfiniBand switch QM9700",
            ],
            held_out: &[
                "Spectrum SN4600 32-port 200GbE switch",
                "Top-of-rack switching unit 25G/100G",
            ],
        },
        hs: &["851762", "8517.62.00"],
        price: (2_500.0, 30_000.0),
        kg_per_unit: 12.0,
        unit: "PCS",
        qty: (4, 200),
        origins: &["US", "MX", "CN", "TW", "IL"],
        licence_hs: &[],
    },
    ProductLine {
        descriptions: Halves {
            tuning: &[
                "Rack server, 2U, dual CPU",
                "General purpose server 1U",
                "Storage server 4U",
            ],
            held_out: &[
                "Dual-socket 2U rackmount host",
                "File server chassis 4U, 24 bays",
            ],
        },
        hs: &["847150", "847180"],
        price: (4_000.0, 22_000.0),
        kg_per_unit: 28.0,
        unit: "SET",
        qty: (4, 300),
        origins: &["US", "MX", "CN", "TW", "CZ"],
        licence_hs: &[],
    },
];

/// Vague descriptions and codes that relabelled outbound legs declare.
pub(super) const RELABELS: Halves<(&str, &str)> = Halves {
    tuning: &[
        ("Computer parts", "847330"),
        ("Electronic integrated circuits", "854239"),
        ("Electronic components", "854290"),
        ("Server parts and accessories", "847330"),
        ("Data processing equipment parts", "847330"),
        ("Network equipment", "851762"),
        ("Graphics cards", "847330"),
        ("Computer hardware", "847180"),
    ],
    held_out: &[
        ("Parts for ADP machines", "847330"),
        ("IC modules, assorted", "854239"),
        ("Electrical apparatus parts, n.e.s.", "854390"),
        ("Printed circuit board assemblies", "847330"),
        ("Office machine accessories", "847330"),
        ("Telecom apparatus", "851762"),
        ("Video adapters", "847330"),
        ("Industrial control units", "853710"),
    ],
};

/// First words of invented firm names. No word appears in both halves.
pub(super) const NAME_HEADS: Halves<&str> = Halves {
    tuning: &[
        "Lion City",
        "Orchard",
        "Temasek Bay",
        "Kowloon Bay",
        "Crystal Bay",
        "Penang Bridge",
        "Iron Bridge",
        "Johor Strait",
        "Straits",
        "Siam",
        "Blue Ridge",
        "Blue Ocean",
        "Falcon Ridge",
        "Desert Falcon",
        "Creekside",
        "Golden Bauhinia",
        "Bharat",
        "Deccan",
        "Tien Shan",
        "Caucasus",
        "Ural",
        "Volga",
        "Amber Coast",
        "Cascade",
        "Granite Peak",
        "Summit",
        "Northstar",
        "Sunrise",
        "Red Lotus",
        "Silver Crane",
        "Emerald",
        "Cedar",
        "Alpine",
        "Tasman",
        "Fuji",
        "Mekong",
        "Oasis",
        "Zenith",
        "Vertex",
        "Nova",
        "Polaris",
        "Atlas",
        "Helix",
        "Nimbus",
        "Cirrus",
        "Boreal",
        "Kestrel",
        "Hawk Hill",
        "Acacia",
        "Banyan",
        "Bluebell",
        "Cobalt",
        "Condor",
        "Coronet",
        "Delta",
        "Dolphin",
        "Ember",
        "Garnet",
        "Glacier",
        "Halcyon",
        "Heron",
        "Ivory",
        "Juniper",
        "Kinabalu",
        "Lagoon",
        "Lantau",
        "Lotus Gate",
        "Magnolia",
        "Marina",
        "Monsoon",
        "Obsidian",
        "Onyx",
        "Osprey",
        "Pagoda",
        "Pinnacle",
        "Quartz",
        "Raffles",
        "Rainier",
        "Sentosa",
        "Sequoia",
        "Solstice",
        "Sterling",
        "Talon",
        "Topaz",
        "Trident",
        "Tulip",
        "Willow",
        "Zephyr",
    ],
    held_out: &[
        "Merlion",
        "Klang Valley",
        "Oak Valley",
        "Rhine Valley",
        "Petaling",
        "Pearl River",
        "Han River",
        "Swift River",
        "Chao Phraya",
        "Gulf Star",
        "Jebel",
        "Victoria Harbour",
        "Harbor Point",
        "Indus",
        "Steppe",
        "Ararat",
        "Silk Road",
        "Neva",
        "Baikal",
        "Crestline",
        "Redwood",
        "Lakeshore",
        "Meridian",
        "Evergreen",
        "Jade Dragon",
        "Phoenix Wing",
        "Sapphire",
        "Maple Leaf",
        "Nordic",
        "Coral Sea",
        "Sakura",
        "Sahara",
        "Horizon",
        "Apex",
        "Quantum Leap",
        "Orion",
        "Vega",
        "Titan",
        "Vector",
        "Stratus",
        "Aurora",
        "Tundra",
        "Eagle Rock",
        "Bright Path",
        "Clearwater",
        "Stonebridge",
        "Highland",
        "Saffron",
        "Almaz",
        "Amur",
        "Andes",
        "Arcadia",
        "Aspen",
        "Bamboo",
        "Borneo",
        "Camellia",
        "Canopy",
        "Caspian",
        "Chinook",
        "Citadel",
        "Comet",
        "Cypress",
        "Dragonfly",
        "Dune",
        "Equinox",
        "Everest",
        "Firefly",
        "Galaxy",
        "Granada",
        "Hibiscus",
        "Ibis",
        "Jasmine",
        "Kunlun",
        "Lighthouse",
        "Lumen",
        "Mistral",
        "Monarch",
        "Neptune",
        "Opal",
        "Orchid",
        "Pamir",
        "Peregrine",
        "Pioneer",
        "Radiant",
        "Sirocco",
        "Tamarind",
        "Tigris",
        "Yangtze",
    ],
};

/// Second words of invented firm names: the line of business they claim.
pub(super) const NAME_TAILS: Halves<&str> = Halves {
    tuning: &[
        "Compute",
        "Technology",
        "Electronics",
        "Trading",
        "Tech Trading",
        "Info Tech",
        "Data",
        "Solutions",
        "Cloud",
        "Components",
        "Server",
        "Distribution",
        "Commerce",
        "Hardware",
        "Peripherals",
        "Automation",
        "Robotics",
        "Enterprises",
    ],
    held_out: &[
        "Systems",
        "Digital",
        "Logistics",
        "Micro",
        "Supply",
        "Semiconductor",
        "IT Services",
        "Networks",
        "Import Export",
        "Industrial",
        "Engineering",
        "Holdings",
        "Devices",
        "Instruments",
        "Silicon",
        "Infotech",
        "Power",
        "Optics",
    ],
};

/// Words some firms add after their name.
pub(super) const QUALIFIERS: Halves<&str> = Halves {
    tuning: &[
        "International",
        "Asia",
        "Asia Pacific",
        "Hi-Tech",
        "Enterprise",
        "Partners",
        "Resources",
    ],
    held_out: &[
        "Global",
        "Group",
        "Worldwide",
        "Ventures",
        "Smart",
        "Prime",
        "Intertrade",
    ],
};

/// Unrelated lines of business of fronts that suddenly ship servers (the Indian pharmaceutical
/// firm of the 2024 reporting).
pub(super) const SIDE_TRADES: Halves<&str> = Halves {
    tuning: &["Pharma", "Textiles", "Agro"],
    held_out: &["Ceramics", "Garments", "Spices"],
};

/// How clerks shorten words of a firm's name (`Technology` as `Tech.`).
pub(super) const ABBREVIATIONS: Halves<(&str, &str)> = Halves {
    tuning: &[
        ("Technology", "Tech."),
        ("Electronics", "Elec."),
        ("International", "Intl"),
        ("Distribution", "Distrib."),
        ("Components", "Comp."),
        ("Hardware", "Hdwe"),
    ],
    held_out: &[
        ("Systems", "Sys."),
        ("Semiconductor", "Semicon"),
        ("Logistics", "Logis."),
        ("Engineering", "Engg."),
        ("Industrial", "Ind."),
        ("Holdings", "Hldgs"),
        ("Instruments", "Instr."),
    ],
};

/// Words a buyer's name gains on some documents without becoming another buyer
/// (`... (Branch)`), used for the consignee spellings of structured shipments.
pub(super) const BRANCH_WORDS: Halves<&str> = Halves {
    tuning: &["(Branch)", "Branch Office", "HK Office"],
    held_out: &[
        "(Purchasing Dept)",
        "Import Division",
        "Procurement Centre",
        "(Shenzhen)",
    ],
};

/// Hubs where fronts of pass-through, relabelling, valuation, shell, structuring and screening
/// schemes sit, and where hub distributors trade (the same list, so that within each half the hub
/// alone tells nothing).
pub(super) const FRONT_HUBS: Halves<&str> = Halves {
    tuning: &["SG", "TH", "AE", "VN"],
    held_out: &["MY", "HK", "IN"],
};

/// Intermediaries of multi-hop chains (a chain uses up to three of them, all different).
pub(super) const MULTI_HOP_HUBS: Halves<&str> = Halves {
    tuning: &["MY", "SG", "AE", "ID"],
    held_out: &["TH", "VN", "IN", "PH"],
};

/// Where the Russia roundabout crosses to Russia by road.
pub(super) const ROUNDABOUT_TRANSIT: Halves<&str> = Halves {
    tuning: &["KZ", "AM", "UZ"],
    held_out: &["KG", "GE", "TR"],
};

/// Transit countries where controlled goods enter a new firm and are not seen again.
pub(super) const DEAD_END_HUBS: Halves<&str> = Halves {
    tuning: &["KZ", "AE", "UZ"],
    held_out: &["AM", "KG", "AE"],
};

/// Where a licensed consignee's leak crosses on its way to Russia, when it does not go direct.
pub(super) const LEAK_TRANSIT: Halves<&str> = Halves {
    tuning: &["KZ", "UZ"],
    held_out: &["KG", "AM"],
};

/// Data centres that import accelerators and keep them (each half has them in the transit
/// countries of its dead ends too).
pub(super) const DATACENTER_HUBS: Halves<&str> = Halves {
    tuning: &["SG", "MY", "AE", "JP", "KZ"],
    held_out: &["SG", "IN", "AE", "KR", "AM"],
};

/// Legal forms by country, `(form, written before the name)`. Shared by both halves: they are
/// the countries' law, not the generator's vocabulary, and matching drops them anyway.
pub(super) fn legal_forms(country: &str) -> &'static [(&'static str, bool)] {
    match country {
        "SG" => &[("Pte. Ltd.", false), ("Pte Ltd", false)],
        "MY" => &[("Sdn. Bhd.", false), ("Sdn Bhd", false)],
        "TH" => &[("Co., Ltd.", false)],
        "HK" => &[
            ("Limited", false),
            ("Co., Limited", false),
            ("Company Limited", false),
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
        "CN" => &[("Co., Ltd.", false), ("Company Limited", false)],
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
    }
}

/// Every word of every legal form the generator writes, folded (`pte`, `ltd`, `too` ...): the
/// words firm names of both halves may share.
pub fn legal_form_words() -> std::collections::BTreeSet<String> {
    let countries = [
        "SG", "MY", "TH", "HK", "AE", "IN", "KZ", "KG", "RU", "BY", "CN", "TW", "JP", "KR", "DE",
        "NL", "FR", "GB", "MX", "VN", "ID", "TR", "AU", "IR", "US",
    ];
    countries
        .iter()
        .flat_map(|c| legal_forms(c).iter())
        .flat_map(|(form, _)| words(form))
        .collect()
}

/// The lists of one vocabulary, as the generator draws from them.
pub(super) struct Lexicon {
    pub gpus: Vec<Product>,
    pub servers: Vec<Product>,
    pub licensed: Vec<Product>,
    pub uncontrolled: Vec<Product>,
    pub consumer: Vec<Product>,
    pub network: Vec<Product>,
    pub relabels: Vec<(&'static str, &'static str)>,
    pub heads: Vec<&'static str>,
    pub tails: Vec<&'static str>,
    pub qualifiers: Vec<&'static str>,
    pub side_trades: Vec<&'static str>,
    pub abbreviations: Vec<(&'static str, &'static str)>,
    pub branch_words: Vec<&'static str>,
    pub front_hubs: Vec<&'static str>,
    pub multi_hop_hubs: Vec<&'static str>,
    pub roundabout_transit: Vec<&'static str>,
    pub dead_end_hubs: Vec<&'static str>,
    pub leak_transit: Vec<&'static str>,
    pub datacenter_hubs: Vec<&'static str>,
}

impl Lexicon {
    pub fn new(v: Vocabulary) -> Lexicon {
        let products = |lines: &[ProductLine]| lines.iter().map(|l| l.resolve(v)).collect();
        Lexicon {
            gpus: products(GPUS),
            servers: products(SERVERS),
            licensed: products(LICENSED),
            uncontrolled: products(UNCONTROLLED_CHIPS),
            consumer: products(CONSUMER),
            network: products(NETWORK),
            relabels: RELABELS.get(v),
            heads: NAME_HEADS.get(v),
            tails: NAME_TAILS.get(v),
            qualifiers: QUALIFIERS.get(v),
            side_trades: SIDE_TRADES.get(v),
            abbreviations: ABBREVIATIONS.get(v),
            branch_words: BRANCH_WORDS.get(v),
            front_hubs: FRONT_HUBS.get(v),
            multi_hop_hubs: MULTI_HOP_HUBS.get(v),
            roundabout_transit: ROUNDABOUT_TRANSIT.get(v),
            dead_end_hubs: DEAD_END_HUBS.get(v),
            leak_transit: LEAK_TRANSIT.get(v),
            datacenter_hubs: DATACENTER_HUBS.get(v),
        }
    }
}

/// Whether the halves of a list share nothing (firm-name words, phrasings, wordings) or may
/// share entries (hub countries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlap {
    /// The tuning and held-out halves share no entry (and, for firm-name parts, no word).
    Disjoint,
    /// The halves may share entries: a country can be a hub in both.
    Shared,
}

/// One vocabulary list as a sample of one vocabulary draws from it.
#[derive(Clone, Debug, PartialEq)]
pub struct VocabularyList {
    /// What the list holds (`firm name heads`, `GPU phrasings`, `front hubs` ...).
    pub name: &'static str,
    pub overlap: Overlap,
    pub items: Vec<String>,
}

/// Every list the generator draws from, with the entries of `v`: for reports, and for tests
/// that the halves keep apart.
pub fn lists(v: Vocabulary) -> Vec<VocabularyList> {
    use Overlap::{Disjoint, Shared};
    let strings = |h: &Halves<&'static str>| h.get(v).iter().map(|s| s.to_string()).collect();
    let phrasings = |lines: &[ProductLine]| {
        let mut out: Vec<String> = Vec::new();
        for l in lines {
            for d in l.descriptions.get(v) {
                if !out.iter().any(|o| o == d) {
                    out.push(d.to_string());
                }
            }
        }
        out
    };
    let list = |name, overlap, items| VocabularyList {
        name,
        overlap,
        items,
    };
    vec![
        list("firm name heads", Disjoint, strings(&NAME_HEADS)),
        list("firm name tails", Disjoint, strings(&NAME_TAILS)),
        list("firm name qualifiers", Disjoint, strings(&QUALIFIERS)),
        list("front side trades", Disjoint, strings(&SIDE_TRADES)),
        list(
            "name abbreviations",
            Disjoint,
            ABBREVIATIONS
                .get(v)
                .iter()
                .map(|(w, a)| format!("{w} -> {a}"))
                .collect(),
        ),
        list("consignee generic words", Disjoint, strings(&BRANCH_WORDS)),
        list("GPU phrasings", Disjoint, phrasings(GPUS)),
        list("AI server phrasings", Disjoint, phrasings(SERVERS)),
        list("licensed H200 phrasings", Disjoint, phrasings(LICENSED)),
        list(
            "uncontrolled chip phrasings",
            Disjoint,
            phrasings(UNCONTROLLED_CHIPS),
        ),
        list("consumer goods phrasings", Disjoint, phrasings(CONSUMER)),
        list("network and server phrasings", Disjoint, phrasings(NETWORK)),
        list(
            "relabel wordings",
            Disjoint,
            RELABELS.get(v).iter().map(|(d, _)| d.to_string()).collect(),
        ),
        list(
            "relabel HS codes",
            Shared,
            RELABELS.get(v).iter().map(|(_, h)| h.to_string()).collect(),
        ),
        list("front hubs", Shared, strings(&FRONT_HUBS)),
        list("multi-hop hubs", Shared, strings(&MULTI_HOP_HUBS)),
        list("roundabout transit", Shared, strings(&ROUNDABOUT_TRANSIT)),
        list("dead-end transit", Shared, strings(&DEAD_END_HUBS)),
        list("leak transit", Shared, strings(&LEAK_TRANSIT)),
        list("data centre hubs", Shared, strings(&DATACENTER_HUBS)),
    ]
}

/// The words of a name part, folded the way party matching folds them.
pub(super) fn words(text: &str) -> Vec<String> {
    crate::text::fold(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn halves_share_no_name_word_phrasing_or_wording() {
        let tuning = lists(Vocabulary::Tuning);
        let held_out = lists(Vocabulary::HeldOut);
        let full = lists(Vocabulary::Full);
        assert_eq!(tuning.len(), held_out.len());
        for ((t, h), f) in tuning.iter().zip(&held_out).zip(&full) {
            assert_eq!(t.name, h.name);
            assert!(!t.items.is_empty() && !h.items.is_empty(), "{}", t.name);
            assert_eq!(f.items.len(), t.items.len() + h.items.len(), "{}", t.name);
            if t.overlap == Overlap::Shared {
                continue;
            }
            let t_items: HashSet<String> = t.items.iter().map(|s| s.to_lowercase()).collect();
            for i in &h.items {
                assert!(!t_items.contains(&i.to_lowercase()), "{}: {i}", t.name);
            }
        }
        // Firm names: not a single word in common between the halves, across all name parts.
        let name_words = |v: Vocabulary| -> HashSet<String> {
            let l = Lexicon::new(v);
            let mut out = HashSet::new();
            for part in l
                .heads
                .iter()
                .chain(&l.tails)
                .chain(&l.qualifiers)
                .chain(&l.side_trades)
                .chain(&l.branch_words)
                .chain(l.abbreviations.iter().map(|(_, a)| a))
            {
                out.extend(words(part));
            }
            out
        };
        let t = name_words(Vocabulary::Tuning);
        let h = name_words(Vocabulary::HeldOut);
        let shared: Vec<_> = t.intersection(&h).collect();
        assert!(shared.is_empty(), "{shared:?}");
    }

    #[test]
    fn both_halves_keep_every_kind() {
        for v in [Vocabulary::Tuning, Vocabulary::HeldOut] {
            let l = Lexicon::new(v);
            for p in l
                .gpus
                .iter()
                .chain(&l.servers)
                .chain(&l.licensed)
                .chain(&l.uncontrolled)
                .chain(&l.consumer)
                .chain(&l.network)
            {
                assert!(!p.descriptions.is_empty());
            }
            let headings: HashSet<&str> = l.relabels.iter().map(|(_, h)| &h[..4]).collect();
            assert!(headings.len() >= 3, "{v}: {headings:?}");
            // A multi-hop chain needs three different intermediaries.
            assert!(l.multi_hop_hubs.len() >= 3, "{v}");
            for list in [
                &l.front_hubs,
                &l.roundabout_transit,
                &l.dead_end_hubs,
                &l.leak_transit,
                &l.datacenter_hubs,
            ] {
                assert!(!list.is_empty(), "{v}");
            }
            // Each half abbreviates words its own names use.
            for (word, _) in &l.abbreviations {
                assert!(
                    l.tails
                        .iter()
                        .chain(&l.qualifiers)
                        .any(|t| t.contains(word)),
                    "{v}: {word}"
                );
            }
        }
    }

    #[test]
    fn licensed_codes_fall_under_their_licence_prefix() {
        for line in LICENSED {
            assert!(!line.licence_hs.is_empty());
            for prefix in line.licence_hs {
                let digits: String = prefix.chars().filter(char::is_ascii_digit).collect();
                for hs in line.hs {
                    let code: String = hs.chars().filter(char::is_ascii_digit).collect();
                    assert!(code.starts_with(&digits), "{hs} under {prefix}");
                }
            }
        }
    }

    #[test]
    fn vocabulary_names_round_trip() {
        for v in [Vocabulary::Tuning, Vocabulary::HeldOut, Vocabulary::Full] {
            assert_eq!(v.name().parse::<Vocabulary>(), Ok(v));
        }
        assert_eq!("HELD_OUT".parse::<Vocabulary>(), Ok(Vocabulary::HeldOut));
        assert!("all".parse::<Vocabulary>().is_err());
    }
}
