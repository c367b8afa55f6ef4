//! Party names: one normalised key per firm, whatever the spelling in the file.
//!
//! `Lion City Compute Pte. Ltd.` and `LION CITY COMPUTE PTE LTD` are one party: the key drops case,
//! punctuation, accents and legal-form words (Co., Ltd., Pte Ltd, Sdn Bhd, LLC, FZE, OOO, GmbH ...).
//! The name as written is kept beside the key for display.

use crate::text::fold;

/// Legal-form words dropped from the end of a name (after folding; dots already gone).
const SUFFIXES: &[&str] = &[
    "co",
    "company",
    "corp",
    "corporation",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "plc",
    "pte",
    "pty",
    "pvt",
    "private",
    "sdn",
    "bhd",
    "berhad",
    "fze",
    "fzco",
    "fzc",
    "fz",
    "dmcc",
    "ooo",
    "oao",
    "zao",
    "pao",
    "jsc",
    "ojsc",
    "cjsc",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "ab",
    "as",
    "oy",
    "kk",
    "tbk",
    "jv",
    "tov",
    "sl",
    "ltda",
    "cv",
    "de",
    "rl",
    "co ltd",
    "有限公司",
    "股份有限公司",
    "有限责任公司",
    "株式会社",
];

/// Legal-form words dropped from the start of a name (Indonesian PT, Russian OOO ...).
const PREFIXES: &[&str] = &[
    "pt",
    "ooo",
    "oao",
    "zao",
    "pao",
    "jsc",
    "tov",
    "cv",
    "the",
    "ооо",
    "оао",
    "зао",
    "пао",
    "ао",
    "株式会社",
];

/// Two-word legal forms that are not legal forms word by word (`kabushiki kaisha`, `sp z o o`).
const PHRASES: &[&str] = &[
    "kabushiki kaisha",
    "sp z o o",
    "sp zoo",
    "s de rl",
    "sa de cv",
    "limited liability company",
];

/// True for a legal-form word (`ltd`, `gmbh`, `pte` ...), after folding.
pub fn is_legal_form(word: &str) -> bool {
    SUFFIXES.contains(&word) || PREFIXES.contains(&word)
}

/// The matching key of a party name: folded, legal forms removed, single spaces.
///
/// A name made only of legal-form words keeps them, so the key is never empty for a non-empty name.
pub fn normalise(name: &str) -> String {
    let mut folded = fold(name);
    for cjk in ["股份有限公司", "有限责任公司", "有限公司", "株式会社"] {
        if let Some(stripped) = folded.strip_suffix(cjk)
            && !stripped.trim().is_empty()
        {
            folded = stripped.trim_end().to_string();
        }
    }
    for phrase in PHRASES {
        if let Some(stripped) = folded.strip_suffix(phrase)
            && stripped.ends_with(' ')
            && !stripped.trim().is_empty()
        {
            folded = stripped.trim_end().to_string();
        }
    }
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut start = 0;
    let mut end = words.len();
    while end > start + 1 && SUFFIXES.contains(&words[end - 1]) {
        end -= 1;
    }
    while end > start + 1 && PREFIXES.contains(&words[start]) {
        start += 1;
    }
    if start == end {
        return folded;
    }
    words[start..end].join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spellings_of_one_firm_share_a_key() {
        let k = normalise("Lion City Compute Pte. Ltd.");
        assert_eq!(k, "lion city compute");
        for v in [
            "LION CITY COMPUTE PTE LTD",
            "Lion City Compute Pte Ltd",
            "lion city compute",
            "Lion-City Compute, PTE. LTD.",
        ] {
            assert_eq!(normalise(v), k, "{v}");
        }
    }

    #[test]
    fn legal_forms_of_many_countries_are_dropped() {
        for (name, key) in [
            ("Klang Data Sdn. Bhd.", "klang data"),
            ("Gulf Compute FZE", "gulf compute"),
            ("Gulf Compute FZCO", "gulf compute"),
            ("OOO Vector Trade", "vector trade"),
            ("Vector Trade JSC", "vector trade"),
            ("Almaty Systems LLP", "almaty systems"),
            ("Rhein Server GmbH", "rhein server"),
            ("Tokyo Denshi K.K.", "tokyo denshi"),
            ("Tokyo Denshi Kabushiki Kaisha", "tokyo denshi"),
            ("PT Maju Komputer", "maju komputer"),
            ("Mumbai Pharma Pvt. Ltd.", "mumbai pharma"),
            ("Pearl River Trading Co., Ltd.", "pearl river trading"),
            ("Smith & Sons Inc.", "smith and sons"),
            ("深圳市华强电子有限公司", "深圳市华强电子"),
        ] {
            assert_eq!(normalise(name), key, "{name}");
        }
    }

    #[test]
    fn a_name_made_of_legal_forms_keeps_a_key() {
        assert_eq!(normalise("Limited"), "limited");
        assert_eq!(normalise("Co Ltd"), "co");
        assert_eq!(normalise(""), "");
    }

    proptest! {
        #[test]
        fn key_is_idempotent_and_case_blind(name in "[A-Za-z .,&'()-]{0,40}") {
            let k = normalise(&name);
            prop_assert_eq!(normalise(&k), k.clone());
            prop_assert_eq!(normalise(&name.to_uppercase()), k);
        }
    }
}
