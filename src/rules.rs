//! The rules file: every weight, threshold, window and list the scorer uses, with documented
//! defaults in `data/rules.toml` (compiled in). A user file overrides only the keys it names.

use serde::{Deserialize, Serialize};

/// The default rules, documented line by line.
pub const DEFAULT_RULES: &str = include_str!("../data/rules.toml");

/// All scoring settings.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub scoring: ScoringRules,
    pub routes: RouteRules,
    pub indicators: IndicatorRules,
    pub corridors: CorridorRules,
    pub products: Vec<ReferenceProduct>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScoringRules {
    pub flag_threshold: f64,
    pub delivery_floor: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RouteRules {
    pub max_hops: usize,
    pub window_days: i32,
    pub quantity_tolerance: f64,
    pub value_ratio_min: f64,
    pub value_ratio_max: f64,
    pub close_value_ratio: f64,
    pub carry_min_sensitivity: f64,
    pub carry_value_ratio_min: f64,
    pub weight_ratio_max: f64,
    pub source_inbound_share: f64,
    pub generic_word_share: f64,
    pub generic_name_words: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRules {
    pub destination_of_concern: DestinationRules,
    pub product_sensitivity: ProductRules,
    pub pass_through: PassThroughRules,
    pub relabelling: RelabellingRules,
    pub valuation: ValuationRules,
    pub new_party: NewPartyRules,
    pub structuring: StructuringRules,
    pub known_hub: KnownHubRules,
    pub circuity: CircuityRules,
    pub screening_match: ScreeningRules,
    pub surge: SurgeRules,
    pub mirror_gap: MirrorGapRules,
    pub corridor_pass_through: CorridorPassThroughRules,
    pub consignment_share: ConsignmentShareRules,
    pub licensed_consignee_leak: LeakRules,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LeakRules {
    pub covered_source_value: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DestinationRules {
    pub concern: f64,
    pub bis_d5: f64,
    pub bis_d1: f64,
    pub bis_d4: f64,
    pub transit_sink: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProductRules {
    pub sensitive_hs: Vec<String>,
    pub keyword_value: f64,
    pub min_reference_share: f64,
    pub accelerator_unit_usd: f64,
    pub accelerator_value: f64,
    pub system_hs: Vec<String>,
    pub system_unit_usd: f64,
    pub network_hs: Vec<String>,
    pub midrange_unit_usd: f64,
    pub midrange_value: f64,
    pub low_value: f64,
    pub uncontrolled_keywords: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PassThroughRules {
    pub weight: f64,
    pub fast_dwell_days: i32,
    pub min_conserved_share: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RelabellingRules {
    pub weight: f64,
    pub vague_descriptions: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ValuationRules {
    pub weight: f64,
    pub under_ratio: f64,
    pub over_ratio: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewPartyRules {
    pub weight: f64,
    pub new_within_days: i32,
    pub history_days: i32,
    pub single_purpose_share: f64,
    pub new_buyer_value: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StructuringRules {
    pub weight: f64,
    pub min_pieces: usize,
    pub max_piece_share: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KnownHubRules {
    pub weight: f64,
    pub groups: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CircuityRules {
    pub weight: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScreeningRules {
    pub elsewhere_factor: f64,
    pub sensitive_hs_value: f64,
    pub fuzzy_value: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CorridorRules {
    pub delivery_floor: f64,
    pub hub_destination: f64,
    pub min_months: usize,
    pub producers: Vec<String>,
    pub hubs: Vec<String>,
    pub hs_headings: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SurgeRules {
    pub weight: f64,
    pub baseline_years: usize,
    pub low_ratio: f64,
    pub high_ratio: f64,
    pub min_value_usd: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MirrorGapRules {
    pub weight: f64,
    pub cif_fob_factor: f64,
    pub baseline_years: usize,
    pub full_gap: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CorridorPassThroughRules {
    pub weight: f64,
    pub max_lag_months: usize,
    pub min_correlation_z: f64,
    pub full_correlation: f64,
    pub full_share: f64,
    pub baseline_years: usize,
    pub re_export_min_rise: f64,
    pub re_export_full_rise: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConsignmentShareRules {
    pub weight: f64,
    pub baseline_years: usize,
    pub min_rise: f64,
    pub full_rise: f64,
}

/// A product investigators watch for: keywords in descriptions and a reference unit price.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReferenceProduct {
    pub name: String,
    pub keywords: Vec<String>,
    pub unit_price_usd: f64,
    /// A whole system holding accelerators: a description under a system HS code that names
    /// chips is compared with it too.
    #[serde(default)]
    pub system: bool,
}

/// Why a rules file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("rules file is not valid TOML: {0}")]
    Syntax(String),
    #[error("unknown rules key `{key}` at line {line}; known keys here: {known}")]
    UnknownKey {
        key: String,
        line: usize,
        known: String,
    },
    #[error("rules key `{key}` at line {line}: {message}")]
    Invalid {
        key: String,
        line: usize,
        message: String,
    },
}

impl Default for Rules {
    fn default() -> Self {
        toml::from_str(DEFAULT_RULES).expect("data/rules.toml is valid (checked by the test suite)")
    }
}

impl Rules {
    /// Reads a user rules file: its keys replace the defaults', the rest keep their defaults.
    /// Arrays (lists, `[[products]]`) replace the default array whole.
    pub fn from_toml(text: &str) -> Result<Rules, RulesError> {
        let user: toml::Table = toml::from_str(text)
            .map_err(|e| RulesError::Syntax(e.to_string().trim().to_string()))?;
        let mut merged: toml::Table = toml::from_str(DEFAULT_RULES).expect("default rules parse");
        merge(&mut merged, &user, "", text)?;
        // Types are checked per key so that the error can name the key and its line.
        let defaults: toml::Table = toml::from_str(DEFAULT_RULES).expect("default rules parse");
        check_types(&user, &defaults, "", text)?;
        toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| RulesError::Syntax(e.to_string().trim().to_string()))
    }

    /// The rules in full, every key, as a rules file's text: [`Rules::from_toml`] reads it back
    /// equal (floats are written in the shortest form that reads back to the same number), and
    /// `chiptrail score --rules` takes it as it is. Case files keep their rules in this form.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("rules are plain tables, lists and numbers");
        format!(
            "# Chiptrail rules in full (what each key means: data/rules.toml in the source)\n{body}"
        )
    }

    /// SHA-256 of [`Rules::to_toml`], lowercase hex: names a set of rules in a case file and a
    /// report, so that two reports scored with the same rules show the same digest.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.to_toml().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Line (1-based) where `key` is set or opened as a table in `text`; 0 when not found.
fn line_of(text: &str, path: &str) -> usize {
    let key = path.rsplit('.').next().unwrap_or(path);
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            let assigned = t
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='));
            let table = t.starts_with('[')
                && t.trim_end()
                    .trim_end_matches(']')
                    .ends_with(&format!(".{key}"))
                || t.trim_start_matches('[').trim_end().trim_end_matches(']') == key;
            assigned || table
        })
        .map(|i| i + 1)
        .unwrap_or(0)
}

/// The dotted path of `key` under `prefix` (`indicators.surge.weight`), as errors name keys.
fn key_path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn merge(
    base: &mut toml::Table,
    user: &toml::Table,
    prefix: &str,
    text: &str,
) -> Result<(), RulesError> {
    for (key, value) in user {
        let path = key_path(prefix, key);
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(u)) => merge(b, u, &path, text)?,
            (Some(slot), v) => *slot = v.clone(),
            (None, _) => {
                return Err(RulesError::UnknownKey {
                    line: line_of(text, &path),
                    key: path,
                    known: base.keys().cloned().collect::<Vec<_>>().join(", "),
                });
            }
        }
    }
    Ok(())
}

/// Checks that every value in `user` has the type of its default in `node` (the defaults' table
/// at the same path).
fn check_types(
    user: &toml::Table,
    node: &toml::Table,
    prefix: &str,
    text: &str,
) -> Result<(), RulesError> {
    for (key, value) in user {
        let path = key_path(prefix, key);
        let Some(default) = node.get(key) else {
            continue;
        };
        let ok = match (default, value) {
            (toml::Value::Table(d), toml::Value::Table(u)) => {
                check_types(u, d, &path, text)?;
                true
            }
            (toml::Value::Float(_), toml::Value::Float(_) | toml::Value::Integer(_)) => true,
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        };
        if !ok {
            return Err(RulesError::Invalid {
                line: line_of(text, &path),
                key: path,
                message: format!(
                    "expected {}, found {}",
                    default.type_str(),
                    value.type_str()
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_defaults_parse_and_are_sane() {
        let r = Rules::default();
        assert!((0.0..=1.0).contains(&r.scoring.flag_threshold));
        assert_eq!(r.routes.max_hops, 4);
        assert!(
            r.products
                .iter()
                .any(|p| p.keywords.iter().any(|k| k == "h100"))
        );
        assert!(
            r.indicators
                .product_sensitivity
                .sensitive_hs
                .contains(&"854231".to_string())
        );
    }

    #[test]
    fn a_user_file_overrides_only_what_it_names() {
        let r = Rules::from_toml("[scoring]\nflag_threshold = 0.7\n[routes]\nwindow_days = 30\n")
            .unwrap();
        assert_eq!(r.scoring.flag_threshold, 0.7);
        assert_eq!(r.routes.window_days, 30);
        assert_eq!(r.routes.max_hops, Rules::default().routes.max_hops);
        assert_eq!(r.products, Rules::default().products);
        let r = Rules::from_toml("[indicators.circuity]\nlow = 2\n").unwrap();
        assert_eq!(
            r.indicators.circuity.low, 2.0,
            "an integer is fine where a float is expected"
        );
    }

    #[test]
    fn rules_written_in_full_read_back_equal() {
        let default = Rules::default();
        assert_eq!(Rules::from_toml(&default.to_toml()).unwrap(), default);
        let mut r = default.clone();
        r.scoring.flag_threshold = 0.1 + 0.2;
        r.indicators.circuity.low = 2.0;
        r.routes.generic_name_words.push("\"quoted\" words".into());
        r.products[0].system = !r.products[0].system;
        let text = r.to_toml();
        assert_eq!(Rules::from_toml(&text).unwrap(), r);
        assert_ne!(r.digest(), default.digest());
        assert_eq!(r.digest(), r.clone().digest());
        assert_eq!(default.digest().len(), 64);
    }

    #[test]
    fn unknown_and_mistyped_keys_name_the_key_and_the_line() {
        let err =
            Rules::from_toml("# mine\n[scoring]\nflag_threshold = 0.6\nflag_treshold = 0.7\n")
                .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("scoring.flag_treshold") && msg.contains("line 4"),
            "{msg}"
        );
        let err = Rules::from_toml("[indicators.pass_throgh]\nweight = 1\n").unwrap_err();
        assert!(
            err.to_string().contains("indicators.pass_throgh")
                && err.to_string().contains("line 1"),
            "{err}"
        );
        let err = Rules::from_toml("[routes]\n\nmax_hops = \"four\"\n").unwrap_err();
        assert!(
            err.to_string().contains("routes.max_hops") && err.to_string().contains("line 3"),
            "{err}"
        );
        assert!(matches!(
            Rules::from_toml("[routes\n"),
            Err(RulesError::Syntax(_))
        ));
    }
}
