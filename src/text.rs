//! Text folding shared by country, port and party matching.

/// Folds text for matching: lower case, Latin accents removed, `&` as `and`, every run of
/// punctuation or white space as one space, dots dropped so `K.K.` and `KK` agree.
///
/// Non-Latin letters (CJK, Cyrillic) are kept, lower-cased, so such names still match themselves.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.chars() {
        if ch == '.' || ch == '\'' || ch == '\u{2019}' {
            continue;
        }
        if ch == '&' {
            push_word(&mut out, &mut pending_space, "and");
            pending_space = true;
            continue;
        }
        if ch.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            match deaccent(ch) {
                Some(s) => out.push_str(s),
                None => out.extend(ch.to_lowercase()),
            }
        } else {
            pending_space = true;
        }
    }
    out
}

fn push_word(out: &mut String, pending_space: &mut bool, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
    *pending_space = false;
}

/// ASCII for the Latin letters with diacritics that appear in trade names.
fn deaccent(ch: char) -> Option<&'static str> {
    Some(match ch {
        'a'..='z' | '0'..='9' => return None,
        'A'..='Z' => return None,
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ě' => {
            "e"
        }
        'ğ' | 'Ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'İ' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "i",
        'ł' | 'ľ' | 'Ł' | 'Ľ' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō'
        | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ř' | 'Ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' | 'Ś' | 'Š' | 'Ş' | 'Ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' | 'Ť' | 'Ţ' | 'Ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => {
            "u"
        }
        'ý' | 'ÿ' | 'Ý' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => return None,
    })
}

/// Folds and drops the spaces too: for header names, where `Value (USD)` must meet `VALUE_IN_USD`'s family.
pub fn squash(text: &str) -> String {
    fold(text).replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_ignores_case_accents_and_punctuation() {
        assert_eq!(fold("Türkiye"), "turkiye");
        assert_eq!(fold("  Korea,  Republic of "), "korea republic of");
        assert_eq!(fold("Côte d'Ivoire"), "cote divoire");
        assert_eq!(fold("K.K."), "kk");
        assert_eq!(fold("Smith & Sons"), "smith and sons");
        assert_eq!(fold("深圳市华强电子有限公司"), "深圳市华强电子有限公司");
        assert_eq!(fold("ООО Ромашка"), "ооо ромашка");
        assert_eq!(squash("Value (USD)"), "valueusd");
        assert_eq!(squash("VALUE_IN_USD"), "valueinusd");
    }
}
