//! Units of quantity as trade files write them (`PCS`, `NOS`, `SET`, `KGM`, `u`, `5` in Comtrade
//! ...), reduced to what can be compared: counts with counts, mass with mass. Stock linking never
//! compares numbers in different units; where a weight is known it converts through it.

/// What a quantity counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum UnitKind {
    /// Pieces, sets, units: a number of things.
    #[default]
    Count,
    /// Kilograms (tonnes and grams are converted).
    Mass,
    /// Litres, metres, pairs ...: nothing a chip shipment is counted in; never compared.
    Other,
}

impl UnitKind {
    /// Reads a unit as written, with the factor that turns its quantity into the kind's base
    /// unit (tonnes -> 1000 kg). An empty unit is a count: shipment files without a unit column
    /// count pieces (data-formats §1, `quantity` = number of units).
    pub fn parse(text: &str) -> (UnitKind, f64) {
        // Its ASCII letters and digits, upper-cased, on the stack: a unit longer than the buffer
        // is none of those below.
        let mut buf = [0u8; 16];
        let mut n = 0;
        for b in text.bytes().filter(u8::is_ascii_alphanumeric) {
            let Some(slot) = buf.get_mut(n) else {
                return (UnitKind::Other, 1.0);
            };
            *slot = b.to_ascii_uppercase();
            n += 1;
        }
        match std::str::from_utf8(&buf[..n]).unwrap_or_default() {
            "" | "PCS" | "PC" | "PCE" | "PIECE" | "PIECES" | "NO" | "NOS" | "NMB" | "NUMBER"
            | "U" | "UN" | "UNIT" | "UNITS" | "EA" | "EACH" | "ITEM" | "ITEMS" | "SET" | "SETS"
            | "ST" | "STK" | "C62" | "NAR" | "5" => (UnitKind::Count, 1.0),
            "KG" | "KGS" | "KGM" | "KILO" | "KILOS" | "KILOGRAM" | "KILOGRAMS" | "8" => {
                (UnitKind::Mass, 1.0)
            }
            "G" | "GR" | "GRM" | "GRAM" | "GRAMS" => (UnitKind::Mass, 0.001),
            "T" | "TON" | "TONS" | "TNE" | "TONNE" | "TONNES" | "MT" => (UnitKind::Mass, 1000.0),
            _ => (UnitKind::Other, 1.0),
        }
    }

    /// Short label for evidence.
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Count => "units",
            UnitKind::Mass => "kg",
            UnitKind::Other => "other units",
        }
    }
}

/// A quantity with its kind and, where known, its weight: what two legs need to be compared.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measure {
    pub kind: UnitKind,
    /// In the kind's base unit (pieces, kg).
    pub quantity: f64,
    /// Gross or net weight of the whole shipment; 0 when the file gives none (a weight of zero
    /// or less says nothing either). A plain number rather than an `Option`: every shipment
    /// is a leg with a measure, and the option's flag took 8 bytes of each.
    pub weight_kg: f64,
}

impl Measure {
    /// The shipment's weight, when the file gives one.
    pub fn weight(&self) -> Option<f64> {
        (self.weight_kg > 0.0).then_some(self.weight_kg)
    }

    /// Weight per counted unit, when both are known.
    pub fn kg_per_unit(&self) -> Option<f64> {
        match (self.kind, self.weight()) {
            (UnitKind::Count, Some(w)) if self.quantity > 0.0 => Some(w / self.quantity),
            _ => None,
        }
    }

    /// This quantity expressed in `other`'s kind, converting through weight where needed;
    /// `None` when the two cannot be compared.
    pub fn in_kind_of(&self, other: &Measure) -> Option<f64> {
        match (self.kind, other.kind) {
            (a, b) if a == b && a != UnitKind::Other => Some(self.quantity),
            (UnitKind::Count, UnitKind::Mass) => self.weight(),
            (UnitKind::Mass, UnitKind::Count) => {
                let per = other.kg_per_unit()?;
                Some(self.quantity / per)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_as_files_write_them() {
        assert_eq!(UnitKind::parse("PCS").0, UnitKind::Count);
        assert_eq!(UnitKind::parse("Nos.").0, UnitKind::Count);
        assert_eq!(UnitKind::parse("").0, UnitKind::Count);
        assert_eq!(UnitKind::parse("kgm"), (UnitKind::Mass, 1.0));
        assert_eq!(UnitKind::parse("Tonnes"), (UnitKind::Mass, 1000.0));
        assert_eq!(UnitKind::parse("LTR").0, UnitKind::Other);
    }

    #[test]
    fn quantities_convert_through_weight_or_not_at_all() {
        let pieces = Measure {
            kind: UnitKind::Count,
            quantity: 100.0,
            weight_kg: 250.0,
        };
        let kilos = Measure {
            kind: UnitKind::Mass,
            quantity: 125.0,
            weight_kg: 125.0,
        };
        assert_eq!(pieces.in_kind_of(&kilos), Some(250.0));
        assert_eq!(kilos.in_kind_of(&pieces), Some(50.0));
        let bare = Measure {
            weight_kg: 0.0,
            ..pieces
        };
        assert_eq!(bare.in_kind_of(&kilos), None, "no weight, no comparison");
        assert_eq!(kilos.in_kind_of(&bare), None);
        let litres = Measure {
            kind: UnitKind::Other,
            quantity: 5.0,
            weight_kg: 0.0,
        };
        assert_eq!(litres.in_kind_of(&litres), None);
    }
}
