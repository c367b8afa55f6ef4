//! What a shipment carries, as far as export controls care: a controlled accelerator or AI server,
//! something that might be one, or ordinary goods. HS codes alone cannot tell an H100 from a
//! microcontroller (both ship under 8542.31), so keywords and unit value decide.

use crate::model::HsCode;
use crate::rules::Rules;

/// The product reading of one leg.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProductReading {
    /// 0 (ordinary goods) to 1 (a named controlled accelerator or AI server).
    pub sensitivity: f64,
    /// Index into `rules.products` when a keyword named the product.
    pub reference: Option<u16>,
    /// Every reference product the description names, as bits by index (the first 64).
    pub named: u64,
    /// The description says nothing of the product ("computer parts").
    pub vague: bool,
    /// The HS code is one accelerators and AI servers ship under.
    pub sensitive_hs: bool,
}

/// What a description says (see [`ProductClassifier::words`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DescriptionWords {
    /// Indices into `rules.products` of the products the description names.
    pub references: Vec<u16>,
    pub uncontrolled: bool,
    pub vague: bool,
}

/// Precomputed lower-case keyword lists, so classifying a million legs allocates little.
pub struct ProductClassifier {
    /// (index in rules.products, lower-case keywords, reference unit price).
    references: Vec<(u16, Vec<String>, f64)>,
    /// Indices of the reference products that are whole systems.
    systems: Vec<u16>,
    uncontrolled: Vec<String>,
    vague: Vec<String>,
    sensitive_hs: Vec<HsCode>,
    system_hs: Vec<HsCode>,
    /// Codes of networking gear: read at most `midrange_value` without a named product.
    network_hs: Vec<HsCode>,
    system_unit_usd: f64,
    keyword_value: f64,
    min_reference_share: f64,
    accelerator_unit_usd: f64,
    accelerator_value: f64,
    midrange_unit_usd: f64,
    midrange_value: f64,
    low_value: f64,
}

impl ProductClassifier {
    pub fn new(rules: &Rules) -> Self {
        let p = &rules.indicators.product_sensitivity;
        ProductClassifier {
            references: rules
                .products
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    (
                        i as u16,
                        r.keywords.iter().map(|k| k.to_lowercase()).collect(),
                        r.unit_price_usd,
                    )
                })
                .collect(),
            systems: rules
                .products
                .iter()
                .enumerate()
                .filter(|(_, r)| r.system)
                .map(|(i, _)| i as u16)
                .collect(),
            uncontrolled: p
                .uncontrolled_keywords
                .iter()
                .map(|k| k.to_lowercase())
                .collect(),
            vague: rules
                .indicators
                .relabelling
                .vague_descriptions
                .iter()
                .map(|k| k.to_lowercase())
                .collect(),
            sensitive_hs: p
                .sensitive_hs
                .iter()
                .filter_map(|h| HsCode::parse(h))
                .collect(),
            network_hs: p
                .network_hs
                .iter()
                .filter_map(|h| HsCode::parse(h))
                .collect(),
            system_hs: p
                .system_hs
                .iter()
                .filter_map(|h| HsCode::parse(h))
                .collect(),
            system_unit_usd: p.system_unit_usd,
            keyword_value: p.keyword_value,
            min_reference_share: p.min_reference_share,
            accelerator_unit_usd: p.accelerator_unit_usd,
            accelerator_value: p.accelerator_value,
            midrange_unit_usd: p.midrange_unit_usd,
            midrange_value: p.midrange_value,
            low_value: p.low_value,
        }
    }

    /// What a description says, independent of code and value: which reference products it
    /// names, whether it names uncontrolled goods, whether it is vague. Descriptions repeat a
    /// great deal, so callers reading many legs keep these per distinct description.
    pub fn words(&self, description: &str) -> DescriptionWords {
        let text = description.to_lowercase();
        let references: Vec<u16> = self
            .references
            .iter()
            .filter(|(_, kws, _)| kws.iter().any(|k| contains_word(&text, k)))
            .map(|(i, _, _)| *i)
            .collect();
        let listed_vague = self
            .vague
            .iter()
            .any(|v| text.starts_with(v.as_str()) || text == *v);
        DescriptionWords {
            uncontrolled: self.uncontrolled.iter().any(|k| contains_word(&text, k)),
            vague: !text.trim().is_empty()
                && references.is_empty()
                && (listed_vague || says_nothing_specific(&text)),
            references,
        }
    }

    /// Reads one leg's HS code, description and unit value.
    pub fn classify(
        &self,
        hs: HsCode,
        description: &str,
        unit_value_usd: Option<f64>,
    ) -> ProductReading {
        self.reading(hs, &self.words(description), unit_value_usd)
    }

    /// Reads one leg from its HS code, the words of its description and its unit value.
    pub fn reading(
        &self,
        hs: HsCode,
        words: &DescriptionWords,
        unit_value_usd: Option<f64>,
    ) -> ProductReading {
        let sensitive_hs = self.sensitive_hs.iter().any(|s| hs.starts_with(*s));
        // Several products may match ("server, 8x H100" names both): take the one whose reference
        // price is closest to the declared unit value, on a log scale.
        let unit = unit_value_usd.unwrap_or(0.0);
        let price = |i: u16| {
            self.references
                .iter()
                .find(|r| r.0 == i)
                .map(|r| r.2)
                .unwrap_or(1.0)
        };
        let distance = |i: u16| {
            if unit > 0.0 {
                (unit / price(i)).ln().abs()
            } else {
                0.0
            }
        };
        // A description that names a product at a small share of its price names what the goods
        // are for (a rail kit for an HGX server, a cable for an XE9680), not the product itself.
        let names_product = |i: u16| unit <= 0.0 || unit >= self.min_reference_share * price(i);
        // A whole system declared under a computer code may name the chips it holds ("server, 8x
        // H200"): the system references compete with the named chips on price.
        let systems: &[u16] = if self.system_hs.iter().any(|s| hs.starts_with(*s)) {
            &self.systems
        } else {
            &[]
        };
        let reference = words
            .references
            .iter()
            .chain(if words.references.is_empty() {
                [].iter()
            } else {
                systems.iter()
            })
            .copied()
            .filter(|i| names_product(*i))
            .min_by(|a, b| distance(*a).total_cmp(&distance(*b)));
        let (vague, uncontrolled) = (words.vague, words.uncontrolled);
        let sensitivity = if reference.is_some() && !uncontrolled {
            self.keyword_value
        } else if uncontrolled {
            if sensitive_hs || vague {
                self.low_value
            } else {
                0.0
            }
        } else if sensitive_hs {
            let network = self.network_hs.iter().any(|n| hs.starts_with(*n));
            if network {
                // Switches and network cards are on the control lists' high-priority tiers, but
                // they are not the accelerators: without a named product they stay mid-range.
                if unit >= self.midrange_unit_usd {
                    self.midrange_value
                } else {
                    self.low_value
                }
            } else if unit >= self.accelerator_bar(hs) {
                self.accelerator_value
            } else if unit >= self.midrange_unit_usd {
                self.midrange_value
            } else {
                self.low_value
            }
        } else if vague && unit >= self.accelerator_bar(hs) {
            // Goods under another code whose wording says nothing, at an accelerator's price.
            self.accelerator_value
        } else {
            0.0
        };
        let named = words
            .references
            .iter()
            .filter(|i| **i < 64 && names_product(**i))
            .fold(0u64, |m, i| m | (1 << i));
        ProductReading {
            sensitivity,
            reference,
            named,
            vague,
            sensitive_hs,
        }
    }
}

impl ProductClassifier {
    /// The unit value from which a sensitive code reads as an accelerator: higher for whole systems.
    fn accelerator_bar(&self, hs: HsCode) -> f64 {
        if self.system_hs.iter().any(|s| hs.starts_with(*s)) {
            self.system_unit_usd
        } else {
            self.accelerator_unit_usd
        }
    }
}

/// A description says nothing specific when it names no model, size or rating (no word with a
/// digit in it: `H100`, `48x25G`, `2U`, `16GB`) in a few words: "Computer parts", "Printed circuit
/// assemblies", "Power supply units". Such a wording cannot tell an accelerator from a cable, so
/// the unit value has to.
fn says_nothing_specific(text: &str) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    !words.is_empty()
        && words.len() <= 6
        && !words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()))
}

/// True when `needle` stands in `text` as a word or words (not inside a longer word:
/// `h100` in `nvidia h100 80gb`, not in `sh1000`).
fn contains_word(text: &str, needle: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find(needle) {
        let start = from + i;
        let end = start + needle.len();
        let before = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let after = end >= bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if before && after {
            return true;
        }
        from = start + needle.len().max(1);
        if from >= text.len() {
            break;
        }
        while !text.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(hs: &str, desc: &str, unit: f64) -> ProductReading {
        ProductClassifier::new(&Rules::default()).classify(
            HsCode::parse(hs).unwrap(),
            desc,
            Some(unit),
        )
    }

    #[test]
    fn keywords_and_unit_values_separate_accelerators_from_ordinary_chips() {
        let h100 = read("854231", "NVIDIA H100 SXM5 80GB GPU accelerator", 28_000.0);
        assert_eq!(h100.sensitivity, 1.0);
        assert!(h100.reference.is_some());
        let server = read(
            "847150",
            "Dell PowerEdge XE9680 server, 8x NVIDIA H100",
            300_000.0,
        );
        assert_eq!(server.sensitivity, 1.0);
        let rules = Rules::default();
        assert_eq!(
            rules.products[server.reference.unwrap() as usize].name,
            "8-GPU AI server",
            "closest price wins"
        );
        assert_eq!(
            rules.products[h100.reference.unwrap() as usize].name,
            "NVIDIA H100 / H800"
        );
        let system = read("847150", "HPE Cray XD670, 8x H200 SXM", 320_000.0);
        assert_eq!(
            rules.products[system.reference.unwrap() as usize].name,
            "8-GPU AI server",
            "a server naming its chips is read as a server"
        );
        assert_eq!(
            read("854231", "STM32F407 ARM microcontroller", 3.0).sensitivity,
            0.05
        );
        assert_eq!(
            read("847330", "NVIDIA GeForce RTX 4060 graphics card", 300.0).sensitivity,
            0.05
        );
        let housings = read("392690", "Plastic housings and fittings", 24_000.0);
        assert!(
            housings.vague && housings.sensitivity == 0.8,
            "a wording that says nothing, at an accelerator's price, under any code"
        );
        assert!(!read("851762", "Ethernet switch 48x25G 8x100G", 20_000.0).vague);
        let relabelled = read("847330", "Computer parts", 25_000.0);
        assert!(relabelled.vague && relabelled.sensitivity == 0.8);
        assert_eq!(read("847330", "Computer parts", 40.0).sensitivity, 0.05);
        assert_eq!(read("851713", "Smartphones", 500.0).sensitivity, 0.0);
        assert_eq!(
            read("847150", "Rack server, 2U, dual CPU", 15_000.0).sensitivity,
            0.3,
            "a plain server is mid-range"
        );
        assert_eq!(
            read("847150", "Server", 280_000.0).sensitivity,
            0.8,
            "a server at an AI server's price"
        );
        let kit = read("854442", "GPU riser cable kit for XE9680", 120.0);
        assert_eq!(
            (kit.reference, kit.sensitivity),
            (None, 0.0),
            "an accessory names the server it fits"
        );
        assert_eq!(
            read("854231", "SH1000 controller", 2.0).reference,
            None,
            "h100 inside a word"
        );
    }
}
