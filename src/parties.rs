//! Party names: one normalised key per firm, whatever the spelling in the file.
//!
//! `Lion City Compute Pte. Ltd.` and `LION CITY COMPUTE PTE LTD` are one party: the key drops case,
//! punctuation, accents and legal-form words (Co., Ltd., Pte Ltd, Sdn Bhd, LLC, FZE, OOO, GmbH ...).
//! The name as written is kept beside the key for display.

use crate::text::fold;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

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
    "fzllc",
    "too",
    "pjsc",
    "sro",
    "aps",
    "kft",
    "zrt",
    "ulc",
    "sapi",
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
    "too",
    "pjsc",
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

/// Legal forms that belong to few jurisdictions, with those countries (ISO alpha-2): a name that
/// carries one says where the firm is registered even when no address is given.
const LEGAL_FORM_COUNTRIES: &[(&str, &[&str])] = &[
    ("ooo", &["RU", "BY", "UZ", "TJ", "AZ"]),
    ("ооо", &["RU", "BY", "UZ", "TJ", "AZ"]),
    ("zao", &["RU", "BY"]),
    ("oao", &["RU", "BY"]),
    ("pao", &["RU"]),
    ("пао", &["RU"]),
    ("ao", &["RU", "KZ", "UZ", "BY", "AM"]),
    ("ао", &["RU", "KZ", "UZ", "BY", "AM"]),
    (
        "jsc",
        &[
            "RU", "KZ", "UZ", "BY", "AZ", "GE", "AM", "KG", "TJ", "UA", "VN", "MN",
        ],
    ),
    ("ojsc", &["RU", "KZ", "UZ", "BY", "AZ", "KG", "TJ", "UA"]),
    ("cjsc", &["RU", "AM", "BY", "KG", "AZ"]),
    ("pjsc", &["RU", "UA", "AE"]),
    ("too", &["KZ"]),
    // Limited liability companies by that name: the US, the former Soviet states and the Gulf
    // (India, China and the Commonwealth register "Private Limited", "Co., Ltd.", "Limited").
    (
        "llc",
        &[
            "US", "RU", "BY", "UA", "GE", "AM", "AZ", "KZ", "KG", "UZ", "TJ", "TM", "MD", "MN",
            "AE", "OM", "QA", "SA", "BH", "KW", "JO", "LB", "IQ", "EG", "PR",
        ],
    ),
    ("osoo", &["KG"]),
    ("sdn", &["MY"]),
    ("bhd", &["MY"]),
    ("pte", &["SG"]),
    ("pvt", &["IN", "PK", "LK", "NP", "BD"]),
    ("fze", &["AE"]),
    ("fzco", &["AE"]),
    ("fzllc", &["AE"]),
    ("dmcc", &["AE"]),
    ("gmbh", &["DE", "AT", "CH", "LI"]),
    ("kk", &["JP"]),
    ("sti", &["TR"]),
    ("şti", &["TR"]),
];

/// The countries a firm's name places it in by its legal form (`OOO ...` -> RU, BY ...), if any.
pub fn legal_form_countries(name: &str) -> Option<&'static [&'static str]> {
    let folded = fold(name);
    let words: Vec<&str> = folded.split(' ').collect();
    // `FZ-LLC` folds to two words.
    if words.windows(2).any(|w| w == ["fz", "llc"]) {
        return Some(&["AE"]);
    }
    words.iter().find_map(|w| {
        LEGAL_FORM_COUNTRIES
            .iter()
            .find(|(form, _)| form == w)
            .map(|(_, c)| *c)
    })
}

/// Business words that say what a firm does, not which firm it is. A name may gain or lose them
/// (`Tien Shan` / `Tien Shan Trading (Branch)`) and stay the same firm; words that are frequent
/// in the data itself count as generic too (see [`NameIndex`]).
pub const GENERIC_WORDS: &[&str] = &[
    "and",
    "of",
    "the",
    "branch",
    "office",
    "trading",
    "trade",
    "traders",
    "international",
    "intl",
    "global",
    "group",
    "holding",
    "holdings",
    "company",
    "enterprise",
    "enterprises",
    "industrial",
    "industries",
    "industry",
    "import",
    "export",
    "imports",
    "exports",
    "commercial",
    "general",
    "services",
    "service",
    "solutions",
    "hk",
    "sg",
    "asia",
    "limited",
    "corporation",
    "co",
    "representative",
    "rep",
    "main",
    "head",
    "division",
    "unit",
    "new",
];

/// A name as tokens for matching: each word with a spelling-blind key, so that transliterations
/// (`Shenzhen` / `Shenzen`, `Kompyuter` / `Computer`) meet.
#[derive(Clone, Debug, PartialEq)]
pub struct NameTokens {
    /// The words of the normalised key.
    pub words: Vec<String>,
    /// The spelling-blind key of each word.
    pub sounds: Vec<String>,
}

impl NameTokens {
    /// Tokens of a normalised key (see [`normalise`]: legal forms at either end are already
    /// gone; one inside a name, like `BV` in `BV Semiconductor`, is a word of it).
    pub fn of_key(key: &str) -> NameTokens {
        let words: Vec<String> = key
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        let sounds = words.iter().map(|w| sound(w)).collect();
        NameTokens { words, sounds }
    }
}

/// A spelling-blind key of one word: common transliteration pairs folded (ph/f, ks/x, w/v, y/i,
/// k/c/q, zh/z, kh/h ...), h after a consonant and doubled letters dropped.
pub fn sound(word: &str) -> String {
    let mut lower = String::with_capacity(word.len());
    for ch in word.to_lowercase().chars() {
        if !lower.ends_with(ch) {
            lower.push(ch);
        }
    }
    let mut s = lower
        .replace("ph", "f")
        .replace("ks", "x")
        .replace("cs", "x")
        .replace("ck", "k")
        .replace("q", "k")
        .replace('w', "v")
        .replace(['y', 'j'], "i");
    s = s.replace('c', "k");
    let mut out = String::with_capacity(s.len());
    let mut prev: Option<char> = None;
    for ch in s.chars() {
        let after_consonant = prev.is_some_and(|p| p.is_alphabetic() && !"aeiou".contains(p));
        if ch == 'h' && after_consonant {
            continue;
        }
        if Some(ch) == prev {
            continue;
        }
        out.push(ch);
        prev = Some(ch);
    }
    out
}

/// True when `short` abbreviates `long`: a prefix of three letters or more, at least three
/// letters shorter (`tech`, `technology`; `semicon`, `semiconductor`), or its letters in order with the same first and last letter (`intl`,
/// `international`; `mfg`, `manufacturing`).
fn abbreviates(short: &str, long: &str) -> bool {
    let (s, l) = (short.as_bytes(), long.as_bytes());
    // An abbreviation cuts a good part of the word (`tech`, `semicon`, `intl`): `Huaxin` is not
    // an abbreviation of `Huaxing`.
    if s.len() < 3 || s.len() + 3 > l.len() || !s.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    if l.starts_with(s) {
        return true;
    }
    if s.len() > 5 {
        return false;
    }
    if s[0] != l[0] || s[s.len() - 1] != l[l.len() - 1] {
        return false;
    }
    let mut it = l.iter();
    s.iter().all(|c| it.any(|x| x == c))
}

/// How two words compare: the same, spelled alike, or one abbreviating the other.
fn words_match(a: &str, sa: &str, b: &str, sb: &str) -> bool {
    a == b || sa == sb || abbreviates(a, b) || abbreviates(b, a)
}

/// A slip of the pen: `long` with one letter more than `short`, where a vowel dropped from a long
/// word (`Systms`, `Poneer`) or any letter from a generic word (`Resouces`). A consonant that
/// differs in a distinctive word (`Huaxin` / `Huaxing`) is another name, not a slip.
fn slip(short: &str, long: &str, generic: bool) -> bool {
    // Bytes: a slip is judged on ASCII spellings (transliterated names), with no allocation on
    // this hot path.
    let (s, l) = (short.as_bytes(), long.as_bytes());
    if l.len() != s.len() + 1 || s.len() < 4 || !short.is_ascii() || !long.is_ascii() {
        return false;
    }
    let i = (0..s.len()).find(|&i| s[i] != l[i]).unwrap_or(s.len());
    if s[i..] != l[i + 1..] {
        return false;
    }
    generic || (l.len() >= 6 && b"aeiou".contains(&l[i]))
}

/// The keys a name is filed under for matching: the spelling-blind key of each distinctive word
/// (three letters or more), and its initials (`#bq` for `Boreal Quorra ...`) and short all-letter
/// words (`#bq` for `BQ Systems`), so that initialisms meet the names they stand for. Names that
/// share no key are never compared.
pub fn block_keys(t: &NameTokens, generic: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for (w, sound) in t.words.iter().zip(&t.sounds) {
        let n = w.chars().count();
        if n >= 3 && !generic(w) {
            keys.push(sound.clone());
            // Its consonants too, so that a slip of the pen (`Poneer`, `Pioneer`) meets.
            if n >= 5 {
                let skeleton: String = sound.chars().filter(|c| !"aeiou".contains(*c)).collect();
                keys.push(format!("~{skeleton}"));
            }
        }
        if (2..=5).contains(&n) && w.chars().all(|c| c.is_ascii_alphabetic()) {
            keys.push(format!("#{w}"));
        }
    }
    for k in 2..=3 {
        if t.words.len() > k {
            let initials: String = t.words[..k]
                .iter()
                .filter_map(|w| w.chars().next())
                .collect();
            keys.push(format!("#{initials}"));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// True when two names (tokens of normalised keys, in one country) are one firm: every word of
/// one is matched by a word of the other in any order (spelling-blind, abbreviations allowed; an
/// initialism such as `abc` may stand for `alpha beta commerce`), the words left over are all on
/// one side and all generic, and at least two words matched. A word swapped for another word
/// (`Lion City Compute` / `Lion City Logistics`, `Huaxin` / `Huaxia`) makes another firm.
pub fn same_firm(a: &NameTokens, b: &NameTokens, generic: &dyn Fn(&str) -> bool) -> bool {
    firm_match(a, b, generic).is_some()
}

/// Like [`same_firm`], and says how many distinctive words (not generic, not an initialism)
/// matched: a screening list spans the world, where `SK Technology` standing for `Suzhou Kexun
/// Technology` is too little to go on.
pub fn firm_match(a: &NameTokens, b: &NameTokens, generic: &dyn Fn(&str) -> bool) -> Option<usize> {
    if a.words == b.words {
        let distinctive = a.words.iter().filter(|w| !generic(w)).count();
        return (!a.words.is_empty()).then_some(distinctive);
    }
    let (short, long) = if a.words.len() <= b.words.len() {
        (a, b)
    } else {
        (b, a)
    };
    let mut used = vec![false; long.words.len()];
    let mut matched = 0usize;
    let mut distinctive = 0usize;
    let mut left: Vec<&str> = Vec::new();
    for (w, s) in short.words.iter().zip(&short.sounds) {
        let hit = (0..long.words.len())
            .find(|&j| !used[j] && words_match(w, s, &long.words[j], &long.sounds[j]))
            .or_else(|| {
                (0..long.words.len()).find(|&j| {
                    let (x, y) = (w.as_str(), long.words[j].as_str());
                    !used[j] && x.len().abs_diff(y.len()) == 1 && {
                        let g = generic(x) || generic(y);
                        slip(x, y, g) || slip(y, x, g)
                    }
                })
            });
        match hit {
            Some(j) => {
                used[j] = true;
                matched += 1;
                if !generic(w) && !generic(&long.words[j]) {
                    distinctive += 1;
                }
            }
            None => left.push(w),
        }
    }
    // An initialism: a word left over spells the first letters of consecutive unused words.
    let mut unmatched_short: Vec<&str> = Vec::new();
    for w in left {
        let letters: Vec<char> = w.chars().collect();
        let n = letters.len();
        let initials: Vec<char> = long
            .words
            .iter()
            .map(|x| x.chars().next().unwrap_or(' '))
            .collect();
        let start = ((2..=5).contains(&n) && letters.iter().all(char::is_ascii_alphabetic))
            .then(|| {
                (0..long.words.len().saturating_sub(n - 1)).find(|&st| {
                    (st..st + n).all(|j| !used[j]) && initials[st..st + n] == letters[..]
                })
            })
            .flatten();
        match start {
            Some(start) => {
                for u in used.iter_mut().skip(start).take(n) {
                    *u = true;
                }
                matched += 1;
            }
            None => unmatched_short.push(w),
        }
    }
    let extra_long = long
        .words
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(w, _)| w.as_str());
    // Leftovers on both sides are a substitution: another firm.
    let short_left_generic = unmatched_short.iter().all(|w| generic(w));
    let long_left: Vec<&str> = extra_long.collect();
    let long_left_generic = long_left.iter().all(|w| generic(w));
    let substitution = !unmatched_short.is_empty() && !long_left.is_empty();
    let enough = matched >= 2 || (matched == 1 && short.words.len() == 1 && long.words.len() == 1);
    (enough && !substitution && short_left_generic && long_left_generic).then_some(distinctive)
}

/// Word frequencies over a set of names, to tell distinctive words from generic ones.
#[derive(Clone, Debug, Default)]
pub struct WordFrequency {
    counts: rustc_hash::FxHashMap<String, u32>,
    names: u32,
}

impl WordFrequency {
    /// Counts in how many names each word appears.
    pub fn build<'a>(names: impl IntoIterator<Item = &'a NameTokens>) -> WordFrequency {
        let mut f = WordFrequency::default();
        for n in names {
            f.names += 1;
            let mut seen: Vec<&str> = Vec::new();
            for w in &n.words {
                if !seen.contains(&w.as_str()) {
                    seen.push(w);
                    *f.counts.entry(w.clone()).or_default() += 1;
                }
            }
        }
        f
    }

    /// In how many names a word appears.
    pub fn count(&self, word: &str) -> u32 {
        self.counts.get(word).copied().unwrap_or(0)
    }

    /// Every generic word of these names (see [`WordFrequency::is_generic`]), every legal form,
    /// and `extra`, worked out once: matching asks about the same words millions of times.
    pub fn generic_words(
        &self,
        share: f64,
        min_names: u32,
        extra: &[String],
    ) -> rustc_hash::FxHashSet<String> {
        self.counts
            .keys()
            .filter(|w| self.is_generic(w, share, min_names))
            .cloned()
            .chain(GENERIC_WORDS.iter().map(|w| w.to_string()))
            .chain(SUFFIXES.iter().chain(PREFIXES).map(|w| w.to_string()))
            .chain(extra.iter().cloned())
            .collect()
    }

    /// A word is generic when the fixed list names it, or when it appears in at least
    /// `share` of the names (and in at least `min_names` of them): such a word describes a trade,
    /// not a firm.
    pub fn is_generic(&self, word: &str, share: f64, min_names: u32) -> bool {
        if GENERIC_WORDS.contains(&word) || is_legal_form(word) {
            return true;
        }
        let c = self.count(word);
        c >= min_names && f64::from(c) >= share * f64::from(self.names)
    }
}

/// One distinct word of a [`Lexicon`], with what matching asks of it worked out once.
#[derive(Clone, Debug)]
struct Word {
    text: Box<str>,
    /// Id (in [`Lexicon::keys`]) of its spelling-blind key, [`sound`]: two words sound alike
    /// when these are equal, and it is the block key the word files its name under.
    sound: u32,
    /// `~` and the consonants of its sound, the block key of a slip (words of 5 letters or more).
    skeleton: Option<u32>,
    /// `#` and the word, for a short all-letter word (2 to 5 letters) that may be initials.
    short: Option<u32>,
    /// Letters (chars), for the length rules of blocking and initialisms.
    chars: u32,
    first: char,
    /// Every byte an ASCII letter.
    alpha: bool,
    /// Every byte ASCII (a slip is judged on ASCII spellings only).
    ascii: bool,
    /// Its first two bytes (0 past the end): an abbreviation keeps the first letter, and a slip
    /// keeps it or drops it, so most pairs of words are told apart without reading either.
    b0: u8,
    b1: u8,
}

/// Every distinct word of a set of names once, as an id, and every block key as an id: matching
/// millions of name pairs then compares numbers and allocates nothing (see [`Lexicon::firm_match`],
/// which judges exactly as [`firm_match`] does).
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    ids: rustc_hash::FxHashMap<Box<str>, u32>,
    words: Vec<Word>,
    keys: rustc_hash::FxHashMap<String, u32>,
    /// Per key id: a `#` key (initials or a short word).
    initials_keys: Vec<bool>,
    scratch: String,
}

impl Lexicon {
    /// The word ids of a normalised key (the words of [`NameTokens::of_key`]).
    pub fn name(&mut self, key: &str) -> Vec<u32> {
        key.split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| self.word(w))
            .collect()
    }

    /// Number of distinct words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when no word has been seen.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The text of a word.
    pub fn text(&self, id: u32) -> &str {
        &self.words[id as usize].text
    }

    fn key(&mut self, key: &str) -> u32 {
        if let Some(&id) = self.keys.get(key) {
            return id;
        }
        let id = self.keys.len() as u32;
        self.keys.insert(key.to_string(), id);
        self.initials_keys.push(key.starts_with('#'));
        id
    }

    /// True for a `#` key: initials (`#bq` for `Boreal Quorra ...`) or a short word (`#bq`).
    pub fn is_initials_key(&self, key: u32) -> bool {
        self.initials_keys[key as usize]
    }

    fn word(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let s = sound(w);
        let chars = w.chars().count() as u32;
        let sound_id = self.key(&s);
        let skeleton = (chars >= 5).then(|| {
            let k: String = std::iter::once('~')
                .chain(s.chars().filter(|c| !"aeiou".contains(*c)))
                .collect();
            self.key(&k)
        });
        let alpha = w.bytes().all(|b| b.is_ascii_alphabetic());
        let short = ((2..=5).contains(&chars) && alpha).then(|| self.key(&format!("#{w}")));
        let id = self.words.len() as u32;
        self.words.push(Word {
            text: w.into(),
            sound: sound_id,
            skeleton,
            short,
            chars,
            first: w.chars().next().unwrap_or(' '),
            alpha,
            ascii: w.is_ascii(),
            b0: w.as_bytes().first().copied().unwrap_or(0),
            b1: w.as_bytes().get(1).copied().unwrap_or(0),
        });
        self.ids.insert(w.into(), id);
        id
    }

    /// The `#w` key of a word that may stand for initials (2 to 5 ASCII letters).
    pub fn short_key(&self, id: u32) -> Option<u32> {
        self.words[id as usize].short
    }

    /// [`block_keys`] of a name, as key ids (sorted, each once): equal ids are equal keys.
    /// `generic` is indexed by word id (see [`Lexicon::generic_flags`]).
    pub fn block_keys(&mut self, name: &[u32], generic: &[bool]) -> Vec<u32> {
        let mut keys = Vec::with_capacity(name.len() * 3 + 2);
        for &id in name {
            let w = &self.words[id as usize];
            if w.chars >= 3 && !generic[id as usize] {
                keys.push(w.sound);
                keys.extend(w.skeleton);
            }
            keys.extend(w.short);
        }
        for k in 2..=3 {
            if name.len() > k {
                let mut s = std::mem::take(&mut self.scratch);
                s.clear();
                s.push('#');
                s.extend(name[..k].iter().map(|&id| self.words[id as usize].first));
                keys.push(self.key(&s));
                self.scratch = s;
            }
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Per word id, whether it is generic in these names: exactly the words of
    /// [`WordFrequency::generic_words`] over the same names.
    pub fn generic_flags<'a>(
        &self,
        names: impl IntoIterator<Item = &'a [u32]>,
        share: f64,
        min_names: u32,
        extra: &[String],
    ) -> Vec<bool> {
        let mut counts = vec![0u32; self.words.len()];
        let mut n_names = 0u32;
        for name in names {
            n_names += 1;
            for (i, &id) in name.iter().enumerate() {
                if !name[..i].contains(&id) {
                    counts[id as usize] += 1;
                }
            }
        }
        self.words
            .iter()
            .zip(counts)
            .map(|(w, c)| {
                let t: &str = &w.text;
                GENERIC_WORDS.contains(&t)
                    || is_legal_form(t)
                    || extra.iter().any(|e| e == t)
                    || (c > 0 && c >= min_names && f64::from(c) >= share * f64::from(n_names))
            })
            .collect()
    }

    /// A name's words as [`Token`]s, each marked generic or not by `generic` (indexed by word id).
    pub fn tokens(&self, name: &[u32], generic: &[bool]) -> Vec<Token> {
        name.iter().map(|&id| self.token(id, generic)).collect()
    }

    /// One word as a [`Token`] (see [`Lexicon::tokens`]).
    pub fn token(&self, id: u32, generic: &[bool]) -> Token {
        let w = &self.words[id as usize];
        let mut flags = 0;
        if generic[id as usize] {
            flags |= Token::GENERIC;
        }
        if w.alpha {
            flags |= Token::ALPHA;
        }
        if w.ascii {
            flags |= Token::ASCII;
        }
        if (2..=5).contains(&w.chars) && w.alpha {
            flags |= Token::INITIALS;
        }
        Token {
            id,
            sound: w.sound,
            len: w.text.len() as u32,
            b0: w.b0,
            b1: w.b1,
            flags,
        }
    }

    fn bytes(&self, t: &Token) -> &[u8] {
        self.words[t.id as usize].text.as_bytes()
    }

    /// [`abbreviates`] on tokens, with the cheap tests first.
    #[inline]
    fn abbreviates(&self, ts: &Token, tl: &Token) -> bool {
        let (sn, ln) = (ts.len as usize, tl.len as usize);
        if sn < 3 || sn + 3 > ln || !ts.has(Token::ALPHA) || ts.b0 != tl.b0 {
            return false;
        }
        let (s, l) = (self.bytes(ts), self.bytes(tl));
        if l.starts_with(s) {
            return true;
        }
        if sn > 5 || s[sn - 1] != l[ln - 1] {
            return false;
        }
        let mut it = l.iter();
        s.iter().all(|c| it.any(|x| x == c))
    }

    /// `words_match` on tokens.
    #[inline]
    fn words_match(&self, a: &Token, b: &Token) -> bool {
        a.id == b.id || a.sound == b.sound || self.abbreviates(a, b) || self.abbreviates(b, a)
    }

    /// `slip(x, y, g) || slip(y, x, g)` on tokens, `g` when either is generic, with the cheap
    /// tests first.
    #[inline]
    fn slipped(&self, x: &Token, y: &Token) -> bool {
        let (ts, tl) = if x.len < y.len { (x, y) } else { (y, x) };
        // `slip` wants one letter more, four letters or more, ASCII, and the rest unchanged: the
        // short word's first letter is the long word's first, or its second when the first was
        // the one added.
        if !Self::may_slip(ts, tl) {
            return false;
        }
        let generic = ts.has(Token::GENERIC) || tl.has(Token::GENERIC);
        slip(
            &self.words[ts.id as usize].text,
            &self.words[tl.id as usize].text,
            generic,
        )
    }

    /// What `slip(short, long, _)` needs that the tokens tell.
    #[inline]
    fn may_slip(ts: &Token, tl: &Token) -> bool {
        tl.len == ts.len + 1
            && ts.len >= 4
            && ts.has(Token::ASCII)
            && tl.has(Token::ASCII)
            && (ts.b0 == tl.b0 || ts.b0 == tl.b1)
    }

    /// True when `words_match(a, b)` or a slip between them may hold, from the tokens alone: the
    /// same sound, or the same first letter (an abbreviation), or a slip's lengths and letters.
    #[inline]
    fn may_match(a: &Token, b: &Token) -> bool {
        a.sound == b.sound
            || a.b0 == b.b0
            || (a.len < b.len && Self::may_slip(a, b))
            || (b.len < a.len && Self::may_slip(b, a))
    }

    /// True when [`Lexicon::firm_match`] may pair these two words, in either name: the same word
    /// or sound, one abbreviating the other, or a slip of the pen (the test of each word it pairs).
    #[inline]
    pub fn words_meet(&self, a: &Token, b: &Token) -> bool {
        self.words_match(a, b) || self.slipped(a, b)
    }

    /// Hands `f` the keys of a word for [`WordPartners`], such that two words `words_meet` accepts
    /// always share one: a word filed (`query` false) gives the keys of what it is, a word looked
    /// up (`query` true) the keys of what its partner would be.
    ///
    /// - The same word or sound: the sound.
    /// - `short` abbreviating `long` (see `abbreviates`): `short` has three ASCII letters or more,
    ///   `long` three bytes more; either `long` starts with `short`, so both start with the same
    ///   three bytes, or `short` has at most five letters and both have the same first and last
    ///   byte. Each kept apart by role (short or long), as the lookup asks for the other role.
    /// - A slip (see `slip`): the longer word with one byte left out is the shorter, both ASCII,
    ///   the shorter four bytes or more: every word as it is and with each byte left out.
    fn partner_keys(&self, id: u32, query: bool, f: &mut dyn FnMut(u64)) {
        let w = &self.words[id as usize];
        let b = w.text.as_bytes();
        let n = b.len();
        f(hash_key(0, &w.sound.to_le_bytes()));
        // Roles of the abbreviation keys: a filed word is what it is, a looked-up word asks for
        // the other.
        let (as_short, as_long) = if query { (2, 1) } else { (1, 2) };
        if w.alpha && n >= 3 {
            f(hash_key(as_short, &b[..3]));
        }
        if n >= 6 {
            f(hash_key(as_long, &b[..3]));
        }
        let (as_short, as_long) = if query { (4, 3) } else { (3, 4) };
        if w.alpha && (3..=5).contains(&n) {
            f(hash_key(as_short, &[b[0], b[n - 1]]));
        }
        if n >= 6 {
            f(hash_key(as_long, &[b[0], b[n - 1]]));
        }
        if w.ascii && n >= 4 {
            f(hash_key(5, b));
        }
        if w.ascii && n >= 5 {
            let mut scratch = Vec::with_capacity(n - 1);
            for i in 0..n {
                scratch.clear();
                scratch.extend_from_slice(&b[..i]);
                scratch.extend_from_slice(&b[i + 1..]);
                f(hash_key(5, &scratch));
            }
        }
    }

    /// [`firm_match`] of two names given as tokens (see [`Lexicon::tokens`]): the same answer,
    /// without allocating (for names of up to 16 words).
    pub fn firm_match(&self, a: &[Token], b: &[Token]) -> Option<usize> {
        if a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.id == y.id) {
            let distinctive = a.iter().filter(|w| !w.has(Token::GENERIC)).count();
            return (!a.is_empty()).then_some(distinctive);
        }
        let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        // A distinctive word that matches no word of the other name and cannot be initials leaves
        // the names apart whatever the other words do (below): the cheapest tests first.
        if short.iter().any(|w| {
            !w.has(Token::GENERIC)
                && !w.has(Token::INITIALS)
                && !long.iter().any(|x| Self::may_match(w, x))
        }) {
            return None;
        }
        const STACK: usize = 16;
        let (mut used_stack, mut left_stack) = ([false; STACK], [0usize; STACK]);
        let (mut used_heap, mut left_heap) = (Vec::new(), Vec::new());
        let (used, left_buf): (&mut [bool], &mut [usize]) = if long.len() <= STACK {
            (
                &mut used_stack[..long.len()],
                &mut left_stack[..short.len()],
            )
        } else {
            used_heap.resize(long.len(), false);
            left_heap.resize(short.len(), 0);
            (&mut used_heap, &mut left_heap)
        };
        let mut matched = 0usize;
        let mut distinctive = 0usize;
        let mut n_left = 0usize;
        for (i, w) in short.iter().enumerate() {
            let hit = (0..long.len())
                .find(|&j| !used[j] && self.words_match(w, &long[j]))
                .or_else(|| (0..long.len()).find(|&j| !used[j] && self.slipped(w, &long[j])));
            match hit {
                Some(j) => {
                    used[j] = true;
                    matched += 1;
                    if !w.has(Token::GENERIC) && !long[j].has(Token::GENERIC) {
                        distinctive += 1;
                    }
                }
                // A distinctive word that matches nothing and cannot be initials: another firm,
                // whatever the other words do.
                None if !w.has(Token::GENERIC) && !w.has(Token::INITIALS) => return None,
                None => {
                    left_buf[n_left] = i;
                    n_left += 1;
                }
            }
        }
        // An initialism: a word left over spells the first letters of consecutive unused words.
        let mut short_left = false;
        let mut short_left_generic = true;
        for &i in &left_buf[..n_left] {
            let w = &short[i];
            let n = w.len as usize;
            let start = w
                .has(Token::INITIALS)
                .then(|| {
                    let letters = self.bytes(w);
                    (0..long.len().saturating_sub(n - 1)).find(|&st| {
                        (st..st + n).all(|j| !used[j])
                            && (0..n).all(|k| long[st + k].b0 == letters[k])
                    })
                })
                .flatten();
            match start {
                Some(start) => {
                    for u in used.iter_mut().skip(start).take(n) {
                        *u = true;
                    }
                    matched += 1;
                }
                None => {
                    short_left = true;
                    short_left_generic &= w.has(Token::GENERIC);
                }
            }
        }
        let mut long_left = false;
        let mut long_left_generic = true;
        for (w, &u) in long.iter().zip(used.iter()) {
            if !u {
                long_left = true;
                long_left_generic &= w.has(Token::GENERIC);
            }
        }
        // Leftovers on both sides are a substitution: another firm.
        let substitution = short_left && long_left;
        let enough = matched >= 2 || (matched == 1 && short.len() == 1 && long.len() == 1);
        (enough && !substitution && short_left_generic && long_left_generic).then_some(distinctive)
    }
}

/// A word of a name as matching reads it: its id and what its word and the names at hand say of
/// it, in 16 bytes, so that a pair of names is judged from two short arrays (see
/// [`Lexicon::firm_match`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    id: u32,
    sound: u32,
    /// Bytes.
    len: u32,
    /// First two bytes (0 past the end).
    b0: u8,
    b1: u8,
    flags: u8,
}

impl Token {
    /// Generic in the names at hand.
    const GENERIC: u8 = 1;
    /// Every byte an ASCII letter.
    const ALPHA: u8 = 2;
    /// Every byte ASCII.
    const ASCII: u8 = 4;
    /// 2 to 5 ASCII letters: may be initials.
    const INITIALS: u8 = 8;

    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// Many names' tokens in one array, each name a slice of it.
#[derive(Clone, Debug, Default)]
pub struct NameTable {
    starts: Vec<u32>,
    tokens: Vec<Token>,
}

impl NameTable {
    /// Every name of `names` as tokens (see [`Lexicon::tokens`]).
    pub fn new(lexicon: &Lexicon, names: &[Vec<u32>], generic: &[bool]) -> NameTable {
        let mut t = NameTable {
            starts: Vec::with_capacity(names.len() + 1),
            tokens: Vec::with_capacity(names.iter().map(Vec::len).sum()),
        };
        t.starts.push(0);
        for n in names {
            t.tokens.extend(lexicon.tokens(n, generic));
            t.starts.push(t.tokens.len() as u32);
        }
        t
    }

    /// The tokens of name `i`.
    pub fn get(&self, i: usize) -> &[Token] {
        &self.tokens[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}

/// Per name, the words that [`Lexicon::firm_match`] must see accounted for by the other name:
/// every distinctive word, and every generic word on one side at least (words left over on both
/// sides are a substitution). With them, what the other name's words are checked against: its
/// words that may be initials (an initialism covers consecutive words of the other name by
/// their first letters) and the first letter of each of its words (what an initialism spells).
pub struct Required {
    starts: Vec<u32>,
    /// Per name: its distinctive words, then its generic ones, from `starts[i]`.
    words: Vec<NeedWord>,
    /// Per name: how many of its words are distinctive.
    distinctive: Vec<u32>,
    /// Per name: the first byte of each word, in order, from `starts[i]`.
    firsts: Vec<u8>,
    /// Per name: its words that may be initials, from `initialism_starts[i]`.
    initialisms: Vec<u32>,
    initialism_starts: Vec<u32>,
}

impl Needs<'_> {
    /// True when one of `initialisms` (word ids) spells the first letters of consecutive words
    /// of this name, word `at` among them.
    pub fn spelled_by(&self, lexicon: &Lexicon, initialisms: &[u32], at: usize) -> bool {
        initialisms
            .iter()
            .any(|&i| spells_run(lexicon.text(i).as_bytes(), self.firsts, at))
    }
}

/// True when `letters` are the first letters of consecutive words whose first letters are
/// `firsts`, word `at` among them.
fn spells_run(letters: &[u8], firsts: &[u8], at: usize) -> bool {
    let n = letters.len();
    n > 0
        && ((at + 1).saturating_sub(n)..=at)
            .any(|start| firsts.get(start..start + n) == Some(letters))
}

/// A word of [`Required`], with what [`initialism_accounts`] reads of it at hand.
#[derive(Clone, Copy)]
struct NeedWord {
    id: u32,
    /// Its place in its name.
    at: u32,
    /// May be initials (see [`Lexicon::short_key`]).
    initials: bool,
}

/// One name's part of [`Required`].
pub struct Needs<'a> {
    distinctive: &'a [NeedWord],
    generic: &'a [NeedWord],
    firsts: &'a [u8],
    initialisms: &'a [u32],
}

impl Required {
    pub fn new(lexicon: &Lexicon, names: &[Vec<u32>], generic: &[bool]) -> Required {
        let mut r = Required {
            starts: vec![0],
            words: Vec::new(),
            distinctive: Vec::with_capacity(names.len()),
            firsts: Vec::new(),
            initialisms: Vec::new(),
            initialism_starts: vec![0],
        };
        for name in names {
            for &w in name {
                if lexicon.short_key(w).is_some() {
                    r.initialisms.push(w);
                }
                r.firsts.push(lexicon.text(w).bytes().next().unwrap_or(0));
            }
            r.initialism_starts.push(r.initialisms.len() as u32);
            let word = |(at, &w): (usize, &u32)| NeedWord {
                id: w,
                at: at as u32,
                initials: lexicon.short_key(w).is_some(),
            };
            let start = r.words.len();
            r.words.extend(
                name.iter()
                    .enumerate()
                    .filter(|(_, w)| !generic[**w as usize])
                    .map(word),
            );
            r.distinctive.push((r.words.len() - start) as u32);
            r.words.extend(
                name.iter()
                    .enumerate()
                    .filter(|(_, w)| generic[**w as usize])
                    .map(word),
            );
            r.starts.push(r.words.len() as u32);
        }
        r
    }

    /// What name `i` needs accounted for, and what it accounts for the other name with.
    pub fn get(&self, i: usize) -> Needs<'_> {
        let span = self.starts[i] as usize..self.starts[i + 1] as usize;
        let (distinctive, generic) =
            self.words[span.clone()].split_at(self.distinctive[i] as usize);
        Needs {
            distinctive,
            generic,
            firsts: &self.firsts[span],
            initialisms: &self.initialisms
                [self.initialism_starts[i] as usize..self.initialism_starts[i + 1] as usize],
        }
    }
}

/// True when word `w` of name `own`, which no word of the other name meets, may still be
/// accounted for by `other` in [`Lexicon::firm_match`]: an initialism of `other` spells the first
/// letters of consecutive words of `own`, `w` among them, or `w` is itself an initialism
/// spelling consecutive first letters of `other`'s words.
fn initialism_accounts(
    lexicon: &Lexicon,
    w: &NeedWord,
    own: &Needs<'_>,
    other: &Needs<'_>,
) -> bool {
    own.spelled_by(lexicon, other.initialisms, w.at as usize)
        || (w.initials && {
            let letters = lexicon.text(w.id).as_bytes();
            other
                .firsts
                .windows(letters.len())
                .any(|run| run == letters)
        })
}

impl Lexicon {
    /// Calls `f` with the first bytes of every run of two to five consecutive words of `name`
    /// that includes word `at` (all runs when `at` is `None`): what an initialism standing for
    /// those words spells.
    pub fn initials_runs(&self, name: &[u32], at: Option<usize>, mut f: impl FnMut(&[u8])) {
        let firsts: Vec<u8> = name
            .iter()
            .map(|&w| self.text(w).as_bytes().first().copied().unwrap_or(0))
            .collect();
        for n in 2..=5.min(firsts.len()) {
            for start in 0..=firsts.len() - n {
                if at.is_none_or(|p| (start..start + n).contains(&p)) {
                    f(&firsts[start..start + n]);
                }
            }
        }
    }

    /// False when [`Lexicon::firm_match`] cannot pair names `a` and `b`, from what each needs
    /// accounted for (see [`Required`]): every distinctive word of both, and the generic words
    /// of one at least, must meet a word of the other name or be accounted for by an
    /// initialism. `a_meets(x)` says whether a word of `a` meets word `x` of `b`
    /// ([`Lexicon::words_meet`]), `b_meets(w)` the same of word `w` of `a`: callers answer from
    /// [`WordPartners`] found once, far quicker than matching every pair of names.
    pub fn may_be_one_firm(
        &self,
        a: &Needs<'_>,
        a_meets: impl Fn(u32) -> bool,
        b: &Needs<'_>,
        b_meets: impl Fn(u32) -> bool,
    ) -> bool {
        let in_b = |w: &NeedWord| b_meets(w.id) || initialism_accounts(self, w, a, b);
        let in_a = |x: &NeedWord| a_meets(x.id) || initialism_accounts(self, x, b, a);
        b.distinctive.iter().all(in_a)
            && a.distinctive.iter().all(in_b)
            && (b.generic.iter().all(in_a) || a.generic.iter().all(in_b))
    }
}

/// The items (indices below a fixed bound) found in every one of several sets, each set given as
/// lists that may repeat an item: counted, not sorted, so that a caller can intersect the sets of
/// every word of a name for each of many names. Reused from call to call (one per thread).
#[derive(Clone, Debug, Default)]
pub struct Intersection {
    /// Per item: the call that last counted it, and in how many sets (side by side: one cache
    /// line per item looked at, which is what the time goes to).
    counted: Vec<(u32, u32)>,
    /// Calls so far: each call's stamp.
    calls: u32,
}

impl Intersection {
    /// Ascending into `found`: the items above `after` (all with `None`) in each of `sets` sets,
    /// where `lists(k, f)` calls `f` with the lists of set `k` (give the smallest set first: an
    /// item is counted for a set only when every set before counted it). Items are below
    /// `bound`.
    pub fn of(
        &mut self,
        bound: usize,
        sets: usize,
        after: Option<u32>,
        mut lists: impl FnMut(usize, &mut dyn FnMut(&[u32])),
        found: &mut Vec<u32>,
    ) {
        if self.counted.len() != bound || self.calls == u32::MAX {
            self.counted = vec![(u32::MAX, 0); bound];
            self.calls = 0;
        }
        let call = self.calls;
        self.calls += 1;
        found.clear();
        for k in 0..sets {
            let (k32, last) = (k as u32, k + 1 == sets);
            lists(k, &mut |list| {
                let from = after.map_or(0, |a| list.partition_point(|&o| o <= a));
                for &item in &list[from..] {
                    let c = &mut self.counted[item as usize];
                    let counted_before = if k32 == 0 {
                        c.0 != call
                    } else {
                        *c == (call, k32 - 1)
                    };
                    if !counted_before {
                        continue;
                    }
                    *c = (call, k32);
                    if last {
                        found.push(item);
                    }
                }
            });
        }
        found.sort_unstable();
    }
}

/// Key kinds of [`AccountingIndex`]'s hashed keys.
const RUN: u8 = 0;
const INITIALISM: u8 = 1;

/// Names filed by what accounts for a word of another name as [`Lexicon::firm_match`] needs of
/// every distinctive word (see [`Lexicon::may_be_one_firm`]): a word of theirs meets it, an
/// initialism of theirs spells a run of the other name's words over it, or it spells a run of
/// their words. Names are filed within groups (a country), and only names of one group are
/// found. Also keeps, per word id of the names looked up, the filed names' words it meets.
pub struct AccountingIndex {
    names: usize,
    /// Per word id looked up: the words of the filed names it meets (ascending).
    partners: Vec<Vec<u32>>,
    /// By (group, word id), (group, letters of a word that may be initials) and (group, first
    /// letters of a run of two to five consecutive words): the names (ascending).
    with_word: FxHashMap<(u32, u32), Vec<u32>>,
    by_initialism: FxHashMap<(u32, u64), Vec<u32>>,
    by_spelling: FxHashMap<(u32, u64), Vec<u32>>,
}

/// Buffers one thread reuses for [`AccountingIndex::candidates`].
#[derive(Clone, Debug, Default)]
pub struct Candidates {
    intersection: Intersection,
    /// The last call's candidates, ascending.
    pub found: Vec<u32>,
}

impl AccountingIndex {
    /// Files `names` (word ids of `lexicon`) in the groups `group(i)` gives, and finds the
    /// partners of every word of `queries` (the names that will be looked up).
    pub fn new<'n>(
        lexicon: &Lexicon,
        generic: &[bool],
        names: &[Vec<u32>],
        group: impl Fn(usize) -> u32,
        queries: impl IntoIterator<Item = &'n Vec<u32>>,
    ) -> AccountingIndex {
        let mut filed: Vec<u32> = names.iter().flatten().copied().collect();
        filed.sort_unstable();
        filed.dedup();
        let meet = WordPartners::new(lexicon, filed);
        let mut words: Vec<u32> = queries.into_iter().flatten().copied().collect();
        words.sort_unstable();
        words.dedup();
        let found: Vec<Vec<u32>> = words
            .par_iter()
            .map(|&w| {
                let mut out = Vec::new();
                meet.partners(lexicon, w, generic, &mut out);
                out
            })
            .collect();
        let mut partners = vec![Vec::new(); lexicon.len()];
        for (w, p) in words.iter().zip(found) {
            partners[*w as usize] = p;
        }
        let mut index = AccountingIndex {
            names: names.len(),
            partners,
            with_word: FxHashMap::default(),
            by_initialism: FxHashMap::default(),
            by_spelling: FxHashMap::default(),
        };
        fn file(list: &mut Vec<u32>, i: u32) {
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
        for (i, name) in names.iter().enumerate() {
            let (g, i) = (group(i), i as u32);
            for &w in name {
                file(index.with_word.entry((g, w)).or_default(), i);
                if lexicon.short_key(w).is_some() {
                    let key = (g, hash_key(INITIALISM, lexicon.text(w).as_bytes()));
                    file(index.by_initialism.entry(key).or_default(), i);
                }
            }
            lexicon.initials_runs(name, None, |run| {
                file(
                    index
                        .by_spelling
                        .entry((g, hash_key(RUN, run)))
                        .or_default(),
                    i,
                );
            });
        }
        index
    }

    /// The words of the filed names that word `w` (of a name looked up) meets, ascending.
    pub fn partners(&self, w: u32) -> &[u32] {
        &self.partners[w as usize]
    }

    /// Marks with `stamp`, in `met` (by word id), every filed word that a word of `name` (a name
    /// looked up) meets: with [`AccountingIndex::met_in`], what [`Lexicon::may_be_one_firm`]
    /// asks of the two names' words.
    pub fn mark_met(&self, name: &[u32], stamp: u32, met: &mut [u32]) {
        for &w in name {
            for &x in self.partners(w) {
                met[x as usize] = stamp;
            }
        }
    }

    /// True when a word of `filed` (a filed name) meets word `w` of a name looked up.
    pub fn met_in(&self, w: u32, filed: &[u32]) -> bool {
        let partners = self.partners(w);
        filed.iter().any(|x| partners.binary_search(x).is_ok())
    }

    /// Calls `f` with lists of the names of `group` that together hold every name accounting
    /// for word `at` of `name`; a name may be in several.
    fn accounting_for<'s>(
        &'s self,
        lexicon: &Lexicon,
        group: u32,
        name: &[u32],
        at: usize,
        f: &mut dyn FnMut(&'s [u32]),
    ) {
        let w = name[at];
        for &x in self.partners(w) {
            if let Some(v) = self.with_word.get(&(group, x)) {
                f(v);
            }
        }
        lexicon.initials_runs(name, Some(at), |run| {
            if let Some(v) = self.by_initialism.get(&(group, hash_key(INITIALISM, run))) {
                f(v);
            }
        });
        if lexicon.short_key(w).is_some()
            && let Some(v) = self
                .by_spelling
                .get(&(group, hash_key(RUN, lexicon.text(w).as_bytes())))
        {
            f(v);
        }
    }

    /// Into `scratch.found`, ascending: the names of `group` above `after` that account for
    /// every distinctive word of `name` (the sets of each word intersected, the smallest
    /// first). False, with none found, when `name` has no distinctive word.
    pub fn candidates(
        &self,
        lexicon: &Lexicon,
        generic: &[bool],
        group: u32,
        name: &[u32],
        after: Option<u32>,
        scratch: &mut Candidates,
    ) -> bool {
        // Each distinctive word's lists, looked up once: sized, then intersected.
        let mut lists: Vec<&[u32]> = Vec::new();
        let mut sizes: Vec<(usize, usize, usize)> = (0..name.len())
            .filter(|&i| !generic[name[i] as usize])
            .map(|i| {
                let (from, mut n) = (lists.len(), 0);
                self.accounting_for(lexicon, group, name, i, &mut |v| {
                    n += v.len();
                    lists.push(v);
                });
                (n, from, lists.len())
            })
            .collect();
        sizes.sort_unstable();
        scratch.intersection.of(
            self.names,
            sizes.len(),
            after,
            |k, f| {
                let (_, from, to) = sizes[k];
                for v in &lists[from..to] {
                    f(v);
                }
            },
            &mut scratch.found,
        );
        !sizes.is_empty()
    }
}

/// A key of `kind` made of `bytes`, hashed: where keys only gather candidates that are then
/// checked, two keys that collide cost a check and change no answer.
pub fn hash_key(kind: u8, bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write_u8(kind);
    h.write(bytes);
    h.finish()
}

/// The words of a set that [`Lexicon::firm_match`] may pair with a given word, found without
/// testing the whole set: every pair `words_meet` accepts shares a key (see
/// `Lexicon::partner_keys`), and every word found through a key is tested, so the answer is
/// exactly the words of the set that meet it.
#[derive(Clone, Debug, Default)]
pub struct WordPartners {
    /// Per key: the range of `words` filed under it.
    by_key: rustc_hash::FxHashMap<u64, (u32, u32)>,
    words: Vec<u32>,
}

impl WordPartners {
    /// Files the words `words` (ids of `lexicon`). The keys of the words are worked out on
    /// rayon's threads and sorted, so that a key's words are one run of one array (tens of
    /// thousands of words give hundreds of thousands of keys).
    pub fn new(lexicon: &Lexicon, words: impl IntoIterator<Item = u32>) -> WordPartners {
        let words: Vec<u32> = words.into_iter().collect();
        let mut filed: Vec<(u64, u32)> = words
            .par_iter()
            .flat_map_iter(|&id| {
                let mut keys = Vec::new();
                lexicon.partner_keys(id, false, &mut |k| keys.push((k, id)));
                keys
            })
            .collect();
        filed.par_sort_unstable();
        // One word may give one key twice (`aab` and `abb` less a letter).
        filed.dedup();
        let mut by_key: rustc_hash::FxHashMap<u64, (u32, u32)> = Default::default();
        let mut start = 0;
        while start < filed.len() {
            let key = filed[start].0;
            let end = start + filed[start..].partition_point(|(k, _)| *k == key);
            by_key.insert(key, (start as u32, end as u32));
            start = end;
        }
        WordPartners {
            by_key,
            words: filed.into_iter().map(|(_, id)| id).collect(),
        }
    }

    /// Appends to `out` the filed words that meet `word` (see [`Lexicon::words_meet`]; word
    /// ids, ascending, each once), with `generic` indexed by word id as for [`Lexicon::tokens`].
    pub fn partners(&self, lexicon: &Lexicon, word: u32, generic: &[bool], out: &mut Vec<u32>) {
        let start = out.len();
        lexicon.partner_keys(word, true, &mut |k| {
            if let Some(&(from, to)) = self.by_key.get(&k) {
                out.extend_from_slice(&self.words[from as usize..to as usize]);
            }
        });
        out[start..].sort_unstable();
        let mut kept = start;
        let token = lexicon.token(word, generic);
        for i in start..out.len() {
            let x = out[i];
            if (kept > start && out[kept - 1] == x)
                || !lexicon.words_meet(&token, &lexicon.token(x, generic))
            {
                continue;
            }
            out[kept] = x;
            kept += 1;
        }
        out.truncate(kept);
    }
}

#[cfg(test)]
pub(crate) mod tests {
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

    fn same(a: &str, b: &str) -> bool {
        let g = |w: &str| GENERIC_WORDS.contains(&w) || is_legal_form(w);
        same_firm(
            &NameTokens::of_key(&normalise(a)),
            &NameTokens::of_key(&normalise(b)),
            &g,
        )
    }

    #[test]
    fn one_firm_survives_word_order_abbreviation_and_transliteration() {
        assert!(same("Tien Shan LLP", "Tien Shan Trading (Branch)"));
        assert!(same(
            "Lion City Compute Pte Ltd",
            "Compute Lion City Pte. Ltd."
        ));
        assert!(same(
            "Shenzhen Huaxin Electronics",
            "Shenzen Huaxin Electronics Co Ltd"
        ));
        assert!(same(
            "Pamir Technology International",
            "Pamir Technology Intl"
        ));
        assert!(
            same("Alpha Beta Gamma Computers Ltd", "ABG Computers Ltd"),
            "initialism"
        );
        assert!(
            same("Sapphire Kompyuter TOO", "Saphire Kompjuter"),
            "transliteration"
        );
        assert!(same("Gulf Compute FZE", "Gulf Compute FZ-LLC"));
        assert!(same("Boreal Quorra Systems Corp.", "BQ Systems Corp."));
        assert!(same(
            "Bluegrass Vertex Semiconductor LLC",
            "BV Semiconductor LLC"
        ));
        assert!(
            same("Boreal Quorra Systems Corp.", "Boreal Quorra Systms Corp."),
            "a slip"
        );
        assert!(same(
            "Pioneer Hyperscale Corporation",
            "Poneer Hyperscale Corporation"
        ));
    }

    #[test]
    fn firms_that_differ_in_one_distinctive_word_stay_apart() {
        assert!(!same("Lion City Compute", "Lion City Logistics"));
        assert!(!same(
            "Shenzhen Huaxin Electronics",
            "Shenzhen Huaxia Electronics"
        ));
        assert!(!same("Orion Data", "Orion Cloud"));
        assert!(
            !same("Nova", "Nova Branch"),
            "one word is too little to go on"
        );
        assert!(
            !same("Tien Shan", "Tien Shan Steel"),
            "steel is not a generic word"
        );
        assert!(!same("Singapore Nodes", "Sino Nodes"));
        assert!(!same(
            "Shenzhen Huaxin Electronics",
            "Shenzhen Huaxing Electronics"
        ));
    }

    #[test]
    fn legal_forms_say_where_a_firm_is_registered() {
        assert!(
            legal_form_countries("Tannisora Trading JSC")
                .unwrap()
                .contains(&"RU")
        );
        assert!(
            legal_form_countries("OOO \"Volga\"")
                .unwrap()
                .contains(&"RU")
        );
        assert_eq!(
            legal_form_countries("Gulf Compute FZ-LLC"),
            Some(&["AE"][..])
        );
        assert_eq!(
            legal_form_countries("Klang Data Sdn. Bhd."),
            Some(&["MY"][..])
        );
        assert_eq!(legal_form_countries("Pearl River Trading Co., Ltd."), None);
        assert!(
            !legal_form_countries("Kaveri Distribution LLC")
                .unwrap()
                .contains(&"IN")
        );
    }

    #[test]
    fn frequent_words_are_generic_in_their_data() {
        let names: Vec<NameTokens> = [
            "alpha electronics",
            "beta electronics",
            "gamma electronics",
            "delta steel",
        ]
        .iter()
        .map(|k| NameTokens::of_key(k))
        .collect();
        let f = WordFrequency::build(&names);
        assert!(f.is_generic("electronics", 0.5, 3));
        assert!(!f.is_generic("steel", 0.5, 3));
        assert!(f.is_generic("trading", 0.5, 3), "the fixed list");
    }

    /// Words that meet in every way matching knows: spellings, abbreviations, slips, initials,
    /// generic words, legal forms, non-ASCII letters.
    pub(crate) const VOCABULARY: &[&str] = &[
        "alpha",
        "alfa",
        "beta",
        "gamma",
        "abg",
        "ab",
        "bq",
        "boreal",
        "quorra",
        "systems",
        "systms",
        "intl",
        "international",
        "tech",
        "technology",
        "shenzhen",
        "shenzen",
        "huaxin",
        "huaxing",
        "huaxia",
        "trading",
        "mfg",
        "manufacturing",
        "kompyuter",
        "computer",
        "kompjuter",
        "pioneer",
        "poneer",
        "resources",
        "resouces",
        "lion",
        "city",
        "compute",
        "co",
        "bv",
        "semiconductor",
        "caf\u{e9}",
        "\u{6df1}\u{5733}",
        "\u{432}\u{43e}\u{43b}\u{433}\u{430}",
        "x",
        "sino",
        "singapore",
        "nodes",
        "sk",
        "suzhou",
        "kexun",
        "ltd",
        "ooo",
        "a",
        "cab",
        "electronics",
        "electronix",
        "2024",
        "h100",
    ];

    fn lexicon_agrees(names: &[Vec<usize>], share: f64, min_names: u32) {
        let keys: Vec<String> = names
            .iter()
            .map(|n| {
                n.iter()
                    .map(|&i| VOCABULARY[i])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let tokens: Vec<NameTokens> = keys.iter().map(|k| NameTokens::of_key(k)).collect();
        let extra = vec!["city".to_string()];
        let set = WordFrequency::build(&tokens).generic_words(share, min_names, &extra);
        let generic = |w: &str| set.contains(w);
        let mut lex = Lexicon::default();
        let ids: Vec<Vec<u32>> = keys.iter().map(|k| lex.name(k)).collect();
        let flags = lex.generic_flags(ids.iter().map(Vec::as_slice), share, min_names, &extra);
        for (id, flag) in flags.iter().enumerate() {
            assert_eq!(
                *flag,
                generic(lex.text(id as u32)),
                "{}",
                lex.text(id as u32)
            );
        }
        for (t, id) in tokens.iter().zip(&ids) {
            let mut by_string: Vec<u32> =
                block_keys(t, &generic).iter().map(|k| lex.key(k)).collect();
            by_string.sort_unstable();
            assert_eq!(lex.block_keys(id, &flags), by_string, "{:?}", t.words);
            for w in id {
                let short = lex.short_key(*w).map(|k| lex.is_initials_key(k));
                assert!(short.unwrap_or(true));
            }
        }
        let table = NameTable::new(&lex, &ids, &flags);
        let required = Required::new(&lex, &ids, &flags);
        let meets = |x: u32, name: &[u32]| {
            name.iter()
                .any(|&w| lex.words_meet(&lex.token(w, &flags), &lex.token(x, &flags)))
        };
        for (i, a) in tokens.iter().enumerate() {
            for (j, b) in tokens.iter().enumerate() {
                let matched = lex.firm_match(table.get(i), table.get(j));
                assert_eq!(
                    matched,
                    firm_match(a, b, &generic),
                    "{:?} / {:?}",
                    a.words,
                    b.words
                );
                // The quick test never turns away a match.
                let may = lex.may_be_one_firm(
                    &required.get(i),
                    |x| meets(x, &ids[i]),
                    &required.get(j),
                    |w| meets(w, &ids[j]),
                );
                assert!(
                    may || matched.is_none(),
                    "may_be_one_firm turns away {:?} / {:?}",
                    a.words,
                    b.words
                );
            }
        }
    }

    /// A name given as words of [`VOCABULARY`], as their indices there.
    pub(crate) fn vocabulary_name(words: &[&str]) -> Vec<usize> {
        words
            .iter()
            .map(|w| VOCABULARY.iter().position(|v| v == w).unwrap())
            .collect()
    }

    #[test]
    fn an_intersection_counts_each_item_once_per_set() {
        let mut x = Intersection::default();
        let mut found = Vec::new();
        let sets: [&[&[u32]]; 3] = [
            &[&[1, 3, 5, 7], &[3, 9]],
            &[&[3, 5, 9], &[9]],
            &[&[0, 3, 9]],
        ];
        x.of(
            10,
            3,
            None,
            |k, f| sets[k].iter().for_each(|l| f(l)),
            &mut found,
        );
        assert_eq!(found, vec![3, 9]);
        // Above an item, in a new call; an item missing from a middle set is never found.
        x.of(
            10,
            3,
            Some(3),
            |k, f| sets[k].iter().for_each(|l| f(l)),
            &mut found,
        );
        assert_eq!(found, vec![9]);
        x.of(
            10,
            2,
            None,
            |k, f| [&[1u32, 2][..], &[2, 1]][k..=k].iter().for_each(|l| f(l)),
            &mut found,
        );
        assert_eq!(found, vec![1, 2]);
    }

    #[test]
    fn the_lexicon_matches_as_the_words_do() {
        let n = vocabulary_name;
        lexicon_agrees(
            &[
                n(&["alpha", "beta", "gamma", "computer"]),
                n(&["abg", "computer"]),
                n(&["boreal", "quorra", "systems"]),
                n(&["bq", "systems"]),
                n(&["boreal", "quorra", "systms"]),
                n(&["pioneer", "tech"]),
                n(&["poneer", "technology"]),
                n(&["shenzhen", "huaxin", "electronics"]),
                n(&["shenzen", "huaxing", "electronix"]),
                n(&["lion", "city", "compute"]),
                n(&["compute", "lion", "city", "trading"]),
                n(&["caf\u{e9}", "\u{6df1}\u{5733}"]),
                n(&["x"]),
                n(&[]),
            ],
            0.3,
            3,
        );
    }

    proptest! {
        #[test]
        fn the_lexicon_agrees_with_the_words(
            names in proptest::collection::vec(
                proptest::collection::vec(0..VOCABULARY.len(), 0..7), 1..24),
            share in 0.05f64..0.9,
            min_names in 0u32..4,
        ) {
            lexicon_agrees(&names, share, min_names);
        }

        /// The words found through the keys of [`WordPartners`] are exactly the words a test of
        /// every filed word finds.
        #[test]
        fn word_partners_are_the_words_that_meet(
            filed in proptest::collection::vec(0..VOCABULARY.len(), 0..40),
            generic in proptest::collection::vec(any::<bool>(), VOCABULARY.len()),
        ) {
            let mut lex = Lexicon::default();
            let ids: Vec<u32> = VOCABULARY.iter().map(|w| lex.name(w)[0]).collect();
            let flags: Vec<bool> = (0..lex.len())
                .map(|id| ids.iter().zip(&generic).any(|(i, g)| *i as usize == id && *g))
                .collect();
            let filed: Vec<u32> = filed.iter().map(|&i| ids[i]).collect();
            let partners = WordPartners::new(&lex, filed.iter().copied());
            for &w in &ids {
                let mut found = vec![u32::MAX];
                partners.partners(&lex, w, &flags, &mut found);
                let mut all: Vec<u32> = filed
                    .iter()
                    .copied()
                    .filter(|&x| lex.words_meet(&lex.token(w, &flags), &lex.token(x, &flags)))
                    .collect();
                all.sort_unstable();
                all.dedup();
                prop_assert_eq!(&found[1..], &all[..], "{}", lex.text(w));
            }
        }

        #[test]
        fn key_is_idempotent_and_case_blind(name in "[A-Za-z .,&'()-]{0,40}") {
            let k = normalise(&name);
            prop_assert_eq!(normalise(&k), k.clone());
            prop_assert_eq!(normalise(&name.to_uppercase()), k);
        }
    }
}
