//! Cell values as trade files write them: numbers with currency signs and thousands separators,
//! decimal commas, and dates in every common order.

use crate::model::Date;

/// Reads a number as trade files write it: `1234.5`, `1,234.50`, `$1,234.50`, `USD 1234`, `1.2E+05`,
/// and with `decimal_comma` (files delimited by `;` that use them) `1.234,50`.
///
/// `None` when the text is not a number, or is ambiguous (`1,5` in a decimal-point file).
pub fn parse_number(raw: &str, decimal_comma: bool) -> Option<f64> {
    let mut s = raw.trim();
    // Fast path for the common case: plain digits with at most one decimal point.
    if !decimal_comma
        && !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.bytes().filter(|b| *b == b'.').count() <= 1
        && s != "."
    {
        return s.parse().ok();
    }
    for prefix in ["US$", "USD", "US $", "$"] {
        if s.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        {
            s = s[prefix.len()..].trim_start();
            break;
        }
    }
    for suffix in ["USD", "US$", "$"] {
        let cut = s.len().saturating_sub(suffix.len());
        if s.len() >= suffix.len() && s.get(cut..).is_some_and(|p| p.eq_ignore_ascii_case(suffix)) {
            s = s[..cut].trim_end();
            break;
        }
    }
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s[1..].trim_start()),
        Some(b'+') => (false, s[1..].trim_start()),
        _ => (false, s),
    };
    // `$-5` and `-$5` are both seen.
    let body = body.strip_prefix('$').unwrap_or(body);
    if body.is_empty() {
        return None;
    }
    let mut cleaned = String::with_capacity(body.len());
    let mut dots = 0;
    let mut commas = 0;
    let mut last_sep = None;
    let mut exponent = false;
    for (i, ch) in body.char_indices() {
        match ch {
            '0'..='9' => cleaned.push(ch),
            '.' => {
                dots += 1;
                last_sep = Some(('.', i));
                cleaned.push('.');
            }
            ',' => {
                commas += 1;
                last_sep = Some((',', i));
                cleaned.push(',');
            }
            // Thin, no-break and plain spaces and apostrophes group thousands in some locales.
            ' ' | '\u{a0}' | '\u{202f}' | '\'' => {}
            'e' | 'E' if !exponent && i > 0 => {
                exponent = true;
                cleaned.push('e');
            }
            '-' | '+' if cleaned.ends_with('e') => cleaned.push(ch),
            _ => return None,
        }
    }
    let decimal = match (dots, commas) {
        (0, 0) => None,
        (_, 0) if decimal_comma && groups_of_three(&cleaned, '.') => {
            cleaned = cleaned.replace('.', "");
            None
        }
        (1, 0) => Some('.'),
        (_, 0) => return None,
        (0, 1) if decimal_comma => Some(','),
        (0, _) => {
            if decimal_comma || !groups_of_three(&cleaned, ',') {
                return None;
            }
            cleaned = cleaned.replace(',', "");
            None
        }
        _ => {
            let (dec, _) = last_sep?;
            let thousands = if dec == '.' { ',' } else { '.' };
            let before = &cleaned[..cleaned.rfind(dec)?];
            if before.contains(dec) || !groups_of_three(before, thousands) {
                return None;
            }
            let (int, frac) = cleaned.split_at(cleaned.rfind(dec)?);
            cleaned = format!("{}{}", int.replace(thousands, ""), frac);
            Some(dec)
        }
    };
    if exponent && (commas > 0 || decimal == Some(',')) {
        return None;
    }
    if decimal == Some(',') {
        cleaned = cleaned.replace(',', ".");
    }
    let v: f64 = cleaned.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some(if negative { -v } else { v })
}

/// True when every group after the first `sep` has exactly three digits (`1,234,567`).
fn groups_of_three(s: &str, sep: char) -> bool {
    let mut parts = s.split(sep);
    let first = parts.next().unwrap_or("");
    if first.is_empty() || first.len() > 3 && s.contains(sep) {
        return false;
    }
    let mut any = false;
    for p in parts {
        any = true;
        let digits = p.split(['.', ',', 'e']).next().unwrap_or("");
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    any
}

/// A date as read from one cell, before the column's day/month order is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateCell {
    /// A date whose order the text itself fixes (`2024-03-15`, `15.03.2024`, `15-Mar-2024`).
    Known(Date),
    /// `a/b/year` or `a-b-year`: day/month order is decided for the whole column.
    Ambiguous { a: u32, b: u32, year: i32 },
}

/// Which number comes first in `03/04/2024`-style dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Month first (US): 03/15/2024.
    Mdy,
    /// Day first: 15/03/2024.
    Dmy,
}

impl DateOrder {
    /// Resolves an ambiguous cell in this order; `None` when that gives an impossible date.
    pub fn resolve(self, a: u32, b: u32, year: i32) -> Option<Date> {
        match self {
            DateOrder::Mdy => Date::from_ymd(year, a, b),
            DateOrder::Dmy => Date::from_ymd(year, b, a),
        }
    }

    /// Lower-case name as in mapping files.
    pub fn name(self) -> &'static str {
        match self {
            DateOrder::Mdy => "mdy",
            DateOrder::Dmy => "dmy",
        }
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_from_name(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let m = MONTHS.iter().position(|m| w.starts_with(m))? as u32 + 1;
    // `March` and `Mar` and `Sept` are fine; `Marble` is not a month.
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ][m as usize - 1];
    (full.starts_with(&w) || w == "sept").then_some(m)
}

fn year_of(text: &str) -> Option<i32> {
    let y: i32 = text.parse().ok()?;
    match text.len() {
        4 => Some(y),
        2 => Some(if y < 70 { 2000 + y } else { 1900 + y }),
        _ => None,
    }
}

/// Reads a date cell: ISO `2024-03-15`, `2024/03/15`, `20240315`, `15.03.2024`, `03/15/2024`,
/// `15/03/2024`, `15-Mar-2024`, `Mar 15, 2024`, with an optional time after it.
pub fn parse_date(raw: &str) -> Option<DateCell> {
    let mut s = raw.trim();
    if let Some(i) = s.find(['T', ' '])
        && s[i + 1..].contains(':')
    {
        s = &s[..i];
    }
    let s = s.trim_end_matches('Z');
    // Fast path for ISO dates, most of any file.
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *s.as_bytes() {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |i: usize| u32::from(digits[i] - b'0');
            let year = (n(0) * 1000 + n(1) * 100 + n(2) * 10 + n(3)) as i32;
            return Date::from_ymd(year, n(4) * 10 + n(5), n(6) * 10 + n(7)).map(DateCell::Known);
        }
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let (y, m, d) = (
            s[..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..].parse().ok()?,
        );
        return Date::from_ymd(y, m, d).map(DateCell::Known);
    }
    let parts: Vec<&str> = s
        .split(['-', '/', '.', ' ', ','])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 3 {
        return None;
    }
    let sep = s.chars().find(|c| matches!(c, '-' | '/' | '.' | ' '))?;
    let num = |p: &str| -> Option<u32> {
        (p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok())?
    };
    // Month names: 15-Mar-2024, 15 March 2024, Mar 15 2024.
    if let Some(m) = month_from_name(parts[1]) {
        let d = num(parts[0])?;
        return Date::from_ymd(year_of(parts[2])?, m, d).map(DateCell::Known);
    }
    if let Some(m) = month_from_name(parts[0]) {
        let d = num(parts[1])?;
        return Date::from_ymd(year_of(parts[2])?, m, d).map(DateCell::Known);
    }
    if parts[0].len() == 4 {
        let y: i32 = parts[0].parse().ok()?;
        return Date::from_ymd(y, num(parts[1])?, num(parts[2])?).map(DateCell::Known);
    }
    let (a, b, year) = (num(parts[0])?, num(parts[1])?, year_of(parts[2])?);
    if sep == '.' {
        // Dotted dates are day first wherever they are written.
        return Date::from_ymd(year, b, a).map(DateCell::Known);
    }
    if a == 0 || b == 0 || a > 31 || b > 31 || (a > 12 && b > 12) {
        return None;
    }
    if a == b {
        return Date::from_ymd(year, a, b).map(DateCell::Known);
    }
    Some(DateCell::Ambiguous { a, b, year })
}

/// Counts what a column's ambiguous dates say about their order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrderEvidence {
    /// Cells whose first number is over 12 (so day first).
    pub day_first: usize,
    /// Cells whose second number is over 12 (so month first).
    pub month_first: usize,
    /// Cells that fit either order.
    pub either: usize,
}

impl OrderEvidence {
    /// Adds one ambiguous cell.
    pub fn add(&mut self, a: u32, b: u32) {
        if a > 12 {
            self.day_first += 1;
        } else if b > 12 {
            self.month_first += 1;
        } else {
            self.either += 1;
        }
    }

    /// Adds the cells counted in another part of the same column.
    pub fn merge(&mut self, other: &OrderEvidence) {
        self.day_first += other.day_first;
        self.month_first += other.month_first;
        self.either += other.either;
    }

    /// The order the evidence supports, and a sentence for the user when it is not clear-cut.
    pub fn decide(self, column: &str, forced: Option<DateOrder>) -> (DateOrder, Option<String>) {
        if let Some(order) = forced {
            return (order, None);
        }
        match (self.day_first, self.month_first) {
            (0, 0) if self.either == 0 => (DateOrder::Mdy, None),
            (0, 0) => (
                DateOrder::Mdy,
                Some(format!(
                    "the day/month order of column '{column}' cannot be decided from the data \
                     ({} dates fit both); read as month/day (US). Set date_order = \"dmy\" in a \
                     mapping file or pass --date-order dmy if that is wrong",
                    self.either
                )),
            ),
            (d, 0) => (
                DateOrder::Dmy,
                (d > 0).then(|| {
                    format!("column '{column}' read as day/month ({d} dates have a day over 12)")
                }),
            ),
            (0, m) => (
                DateOrder::Mdy,
                (m > 0).then(|| {
                    format!("column '{column}' read as month/day ({m} dates have a day over 12)")
                }),
            ),
            (d, m) => {
                let order = if d > m {
                    DateOrder::Dmy
                } else {
                    DateOrder::Mdy
                };
                (
                    order,
                    Some(format!(
                        "column '{column}' mixes day/month orders ({d} day first, {m} month first); \
                         read as {}; dates impossible in that order are rejected",
                        if order == DateOrder::Dmy {
                            "day/month"
                        } else {
                            "month/day"
                        }
                    )),
                )
            }
        }
    }
}

/// True for the words files use for "no value" in optional columns.
pub fn is_missing(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || [
            "n/a", "n.a.", "na", "-", "--", "null", "none", "unknown", "nan", "#n/a",
        ]
        .iter()
        .any(|m| t.eq_ignore_ascii_case(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> Option<DateCell> {
        Date::from_ymd(y, m, day).map(DateCell::Known)
    }

    #[test]
    fn numbers_in_every_form_the_formats_doc_lists() {
        for (text, comma, want) in [
            ("1234.5", false, 1234.5),
            ("1,234.50", false, 1234.5),
            ("$1,234.50", false, 1234.5),
            ("USD 1234", false, 1234.0),
            ("US$ 1,000,000", false, 1_000_000.0),
            ("1234 USD", false, 1234.0),
            ("1.234,50", true, 1234.5),
            ("1234,5", true, 1234.5),
            ("1.234.567", true, 1_234_567.0),
            ("1.234", true, 1234.0),
            ("1.234", false, 1.234),
            ("12.5", true, 12.5),
            ("1 234 567", false, 1_234_567.0),
            ("7903767147.0", false, 7_903_767_147.0),
            ("1.2E+05", false, 120_000.0),
            ("-5", false, -5.0),
            ("$-5.00", false, -5.0),
            ("0", false, 0.0),
            (".5", false, 0.5),
        ] {
            assert_eq!(
                parse_number(text, comma),
                Some(want),
                "{text} comma={comma}"
            );
        }
        for text in [
            "",
            "abc",
            "1,5",
            "1,23,4",
            "12..3",
            "1.2.3",
            "$",
            "1e",
            "inf",
            "NaN",
            "1,234.5.6",
        ] {
            assert_eq!(parse_number(text, false), None, "{text}");
        }
    }

    #[test]
    fn dates_in_every_form_the_formats_doc_lists() {
        assert_eq!(parse_date("2024-03-15"), d(2024, 3, 15));
        assert_eq!(parse_date("2024/03/15"), d(2024, 3, 15));
        assert_eq!(parse_date("20240315"), d(2024, 3, 15));
        assert_eq!(parse_date("15.03.2024"), d(2024, 3, 15));
        assert_eq!(parse_date("2024-03-15T10:22:00Z"), d(2024, 3, 15));
        assert_eq!(parse_date("2024-03-15 10:22"), d(2024, 3, 15));
        assert_eq!(parse_date("15-Mar-2024"), d(2024, 3, 15));
        assert_eq!(parse_date("Mar 15, 2024"), d(2024, 3, 15));
        assert_eq!(parse_date("15 March 2024"), d(2024, 3, 15));
        assert_eq!(
            parse_date("03/15/2024"),
            Some(DateCell::Ambiguous {
                a: 3,
                b: 15,
                year: 2024
            })
        );
        assert_eq!(
            parse_date("15/03/2024"),
            Some(DateCell::Ambiguous {
                a: 15,
                b: 3,
                year: 2024
            })
        );
        assert_eq!(parse_date("03/03/2024"), d(2024, 3, 3));
        for bad in [
            "2024-02-30",
            "2024-13-01",
            "31/31/2024",
            "hello",
            "",
            "15-Marble-2024",
            "45366",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn column_order_is_decided_from_the_data_and_said_when_it_cannot_be() {
        let mut e = OrderEvidence::default();
        e.add(15, 3);
        e.add(4, 5);
        assert_eq!(e.decide("date", None).0, DateOrder::Dmy);
        let mut e = OrderEvidence::default();
        e.add(3, 15);
        assert_eq!(e.decide("date", None).0, DateOrder::Mdy);
        let mut e = OrderEvidence::default();
        e.add(3, 4);
        let (order, note) = e.decide("date", None);
        assert_eq!(order, DateOrder::Mdy);
        assert!(note.unwrap().contains("cannot be decided"));
        assert_eq!(
            e.decide("date", Some(DateOrder::Dmy)),
            (DateOrder::Dmy, None)
        );
    }

    proptest! {
        #[test]
        fn formatted_numbers_read_back(cents in 0u64..10_000_000_000u64) {
            let v = cents as f64 / 100.0;
            let int = cents / 100;
            let frac = cents % 100;
            let mut grouped = String::new();
            let digits = int.to_string();
            for (i, ch) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 { grouped.push(','); }
                grouped.push(ch);
            }
            let us = format!("${grouped}.{frac:02}");
            prop_assert_eq!(parse_number(&us, false), Some(v));
            let eu = format!("{}{}{frac:02}", grouped.replace(',', "."), ',');
            prop_assert_eq!(parse_number(&eu, true), Some(v));
        }

        #[test]
        fn any_text_never_panics(s in "\\PC{0,30}") {
            let _ = parse_number(&s, false);
            let _ = parse_number(&s, true);
            let _ = parse_date(&s);
        }

        #[test]
        fn iso_dates_round_trip(days in -20_000i32..60_000) {
            let date = Date(days);
            prop_assert_eq!(parse_date(&date.to_string()), Some(DateCell::Known(date)));
        }
    }
}
