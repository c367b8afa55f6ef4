//! A shipment's id as its file writes it, held in 16 bytes.
//!
//! Every row has one, and every leg and every scored route's shipment list repeats it: at ten
//! million rows a shared text per id (a pointer in the row and one in the leg, and 32 bytes of
//! heap for the count, the length and the bytes) took 0.4 GB. Bills of lading, declaration
//! numbers and the `L<line>` of files without ids are 8 to 15 bytes: those are held in place,
//! and copied with the row or leg that holds them. Longer ids are shared texts, as before.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU8;
use std::ops::Deref;

use arcstr::ArcStr;

/// Bytes an id may take and still be held in place.
const INLINE: usize = 15;

/// A shipment's id: compares, hashes and orders as its text.
#[derive(Clone)]
pub struct ShipmentId(Repr);

#[derive(Clone)]
enum Repr {
    /// `len` is the length plus one: the one value a length never takes (zero) tells a shared
    /// id apart, so the enum needs no tag of its own and stays 16 bytes.
    Inline {
        bytes: [u8; INLINE],
        len: NonZeroU8,
    },
    Shared(ArcStr),
}

impl ShipmentId {
    /// The id `text`, in place when it is short enough.
    pub fn new(text: &str) -> ShipmentId {
        if text.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            let len = NonZeroU8::new(text.len() as u8 + 1).expect("a length plus one is never 0");
            ShipmentId(Repr::Inline { bytes, len })
        } else {
            ShipmentId(Repr::Shared(ArcStr::from(text)))
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { bytes, len } => {
                let text = &bytes[..usize::from(len.get() - 1)];
                // SAFETY: the bytes were copied whole from a `&str` in `new` (a length of at most
                // `INLINE` bytes of a `str` ends on a character boundary: it is the whole text),
                // and are never written again.
                unsafe { std::str::from_utf8_unchecked(text) }
            }
            Repr::Shared(text) => text,
        }
    }
}

impl Deref for ShipmentId {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ShipmentId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for ShipmentId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Default for ShipmentId {
    fn default() -> ShipmentId {
        ShipmentId::new("")
    }
}

impl From<&str> for ShipmentId {
    fn from(text: &str) -> ShipmentId {
        ShipmentId::new(text)
    }
}

impl From<String> for ShipmentId {
    fn from(text: String) -> ShipmentId {
        ShipmentId::new(&text)
    }
}

impl From<&String> for ShipmentId {
    fn from(text: &String) -> ShipmentId {
        ShipmentId::new(text)
    }
}

impl PartialEq for ShipmentId {
    fn eq(&self, other: &ShipmentId) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ShipmentId {}

impl PartialEq<str> for ShipmentId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ShipmentId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for ShipmentId {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<ShipmentId> for str {
    fn eq(&self, other: &ShipmentId) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<ShipmentId> for &str {
    fn eq(&self, other: &ShipmentId) -> bool {
        *self == other.as_str()
    }
}

impl Hash for ShipmentId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialOrd for ShipmentId {
    fn partial_cmp(&self, other: &ShipmentId) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ShipmentId {
    fn cmp(&self, other: &ShipmentId) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for ShipmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ShipmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ShipmentId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ShipmentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ShipmentId, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(ShipmentId::new(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_id_takes_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<ShipmentId>(), 16);
    }

    #[test]
    fn short_ids_are_held_in_place_and_long_ones_shared() {
        let short = ShipmentId::new("BL2023000000123");
        assert!(matches!(short.0, Repr::Inline { .. }));
        let long = ShipmentId::new("MAEU-2023-000000123");
        assert!(matches!(long.0, Repr::Shared(_)));
        assert_eq!(short, "BL2023000000123");
        assert_eq!(long.clone(), "MAEU-2023-000000123");
        assert_eq!(ShipmentId::default(), "");
    }

    #[test]
    fn an_id_cut_in_the_middle_of_a_character_is_shared_whole() {
        // Fifteen bytes would end inside the last "é": the id is 16 bytes, so it is shared.
        let id = ShipmentId::new("ABCDEFGHIJKLMNé");
        assert_eq!(id.len(), 16);
        assert_eq!(id, "ABCDEFGHIJKLMNé");
    }

    proptest! {
        #[test]
        fn an_id_reads_back_compares_and_orders_as_its_text(a in "\\PC{0,24}", b in "\\PC{0,24}") {
            let (x, y) = (ShipmentId::new(&a), ShipmentId::new(&b));
            prop_assert_eq!(x.as_str(), a.as_str());
            prop_assert_eq!(x == y, a == b);
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            let hash = |t: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                t(&mut h);
                h.finish()
            };
            prop_assert_eq!(hash(&|h| x.hash(h)), hash(&|h| a.as_str().hash(h)));
            prop_assert_eq!(format!("{x}"), a.clone());
            prop_assert_eq!(format!("{x:?}"), format!("{a:?}"));
        }
    }
}
