//! Invented firms: names drawn from the vocabulary's halves, legal forms by country, and the
//! spellings clerks give them on documents.

use super::vocabulary::legal_forms;
use super::world::World;

/// An invented firm: its name as registered and the spellings clerks use.
#[derive(Clone, Debug)]
pub(super) struct Firm {
    /// The registered name, legal form included.
    pub name: String,
    /// The name without its legal form.
    pub base: String,
    pub country: &'static str,
    /// Other spellings of the name seen on documents.
    pub variants: Vec<String>,
}

impl Firm {
    /// The spelling screening lists print: the name in capitals.
    pub fn listed_name(&self) -> String {
        self.name.to_uppercase()
    }
}

impl World {
    /// Invents a firm in `country` with a name never used before (`Head Tail [Qualifier]`).
    pub(super) fn firm(&mut self, country: &'static str) -> Firm {
        let base = self.unique_base(None);
        self.register(base, country)
    }

    /// Invents a firm whose name claims an unrelated line of business (`Head Pharma`).
    pub(super) fn firm_in_trade(&mut self, country: &'static str, trade: &'static str) -> Firm {
        let base = self.unique_base(Some(trade));
        self.register(base, country)
    }

    /// A base name whose core (the name without its qualifier) no other firm has, so two firms
    /// never differ only by a generic word.
    fn unique_base(&mut self, tail: Option<&'static str>) -> String {
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let head = *self.rng.pick(&self.lex.heads);
            let tail = tail.unwrap_or_else(|| *self.rng.pick(&self.lex.tails));
            let mut core = if attempts > 20 {
                // The simple name space of one half is a few hundred names: pair two heads.
                let second = *self.rng.pick(&self.lex.heads);
                if second == head {
                    continue;
                }
                format!("{head} {second} {tail}")
            } else {
                format!("{head} {tail}")
            };
            if attempts > 200 {
                core = format!("{core} {attempts}");
            }
            let qualifier = if self.rng.int(0, 6) == 0 {
                Some(*self.rng.pick(&self.lex.qualifiers))
            } else {
                None
            };
            if self.used_names.insert(crate::parties::normalise(&core)) {
                return match qualifier {
                    Some(q) => format!("{core} {q}"),
                    None => core,
                };
            }
        }
    }

    fn register(&mut self, base: String, country: &'static str) -> Firm {
        let (form, prefix) = *self.rng.pick(legal_forms(country));
        let name = if prefix {
            format!("{form} {base}")
        } else {
            format!("{base} {form}")
        };
        let plain: String = name.replace(['.', ','], "");
        let mut variants = vec![
            name.to_uppercase(),
            plain.clone(),
            plain.to_uppercase(),
            base.clone(),
            name.replace(", ", " "),
        ];
        // Clerks shorten long words of the name (`Technology` as `Tech.`).
        let mut short = name.clone();
        for (word, abbreviation) in &self.lex.abbreviations {
            short = short.replace(word, abbreviation);
        }
        if short != name {
            variants.push(short);
        }
        Firm {
            name,
            base,
            country,
            variants,
        }
    }

    /// How a clerk wrote this firm's name on one document.
    pub(super) fn spell(&mut self, f: &Firm) -> String {
        if self.rng.chance(0.78) {
            f.name.clone()
        } else {
            self.rng.pick(&f.variants).clone()
        }
    }

    /// One more name for a buyer: a clerical variant, a doubled space, or a generic word added
    /// (`... (Branch)`). The result is the same buyer on paper.
    pub(super) fn alias(&mut self, buyer: &Firm) -> Firm {
        let mut alias = buyer.clone();
        alias.name = match self.rng.int(0, 2) {
            0 => self.rng.pick(&buyer.variants).clone(),
            1 => buyer.name.replacen(' ', "  ", 1),
            _ => format!("{} {}", buyer.name, self.rng.pick(&self.lex.branch_words)),
        };
        alias
    }
}
