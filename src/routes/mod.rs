//! Reconstructing routes from shipments: vendor -> intermediaries -> final buyer.
//!
//! Each holder's inbound legs are stock; each outbound leg draws on the holder's open stock of a
//! compatible product, first in first out, within the window ([`RouteRules`]). Those draws are the
//! links between legs. A route ends at a leg nothing draws on, and holds every leg it drew on back
//! to the vendor, up to `max_hops` legs; routes with the same chain of holders that share a leg
//! (a consignment split in pieces, a pooled stock shipped on) are one route. Everything is indexed
//! by holder and date: there is no all-pairs comparison.

pub mod corridors;
mod holders;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use holders::UnionFind;
pub use holders::{Holder, HolderId, Holders};

use crate::gazetteer::CountryId;
use crate::model::{Dataset, Date, HsCode};
use crate::product::{ProductClassifier, ProductReading};
use crate::rules::{RouteRules, Rules};
use crate::units::{Measure, UnitKind};

/// One shipment as a leg of possible routes.
#[derive(Clone, Debug, PartialEq)]
pub struct Leg {
    /// Copied to the scored routes that carry it.
    pub shipment_id: crate::model::ShipmentId,
    pub date: Date,
    pub from: HolderId,
    pub to: HolderId,
    pub from_country: CountryId,
    pub to_country: CountryId,
    pub hs: HsCode,
    /// Country of manufacture, where the file gives it ([`Leg::origin`]): goods carried on keep
    /// their origin. [`NO_ORIGIN`] where it does not.
    origin: CountryId,
    pub value_usd: f64,
    /// The description as written: an index into [`Ledger::descriptions`].
    pub description: u32,
    /// What the quantity counts, the quantity in the kind's base unit and the shipment's weight
    /// (0 when the file gives none): a [`Measure`] ([`Leg::measure`]) laid out in the leg, where
    /// the measure's own padding took 7 bytes of each leg.
    pub unit: UnitKind,
    pub quantity: f64,
    pub weight_kg: f64,
    /// What the goods are, as far as export controls care: an index into
    /// [`Ledger::readings`] ([`Ledger::reading`] reads it). Ten million legs show a few hundred
    /// distinct readings: numbered, a leg is 20 bytes smaller.
    pub reading: u32,
    /// The consignee as its file spells it: a party of the leg's dataset, which evidence quotes
    /// (in what would be padding: a leg is no bigger for it).
    pub consignee: crate::model::PartyId,
}

/// A leg's [`Leg::origin`] when its file gives none: a number no country has.
const NO_ORIGIN: CountryId = CountryId(u16::MAX);

impl Leg {
    /// Declared value per unit; `None` when the quantity or the value is missing or zero, so that
    /// a missing value is no evidence either way.
    pub fn unit_value(&self) -> Option<f64> {
        (self.quantity > 0.0 && self.value_usd > 0.0).then(|| self.value_usd / self.quantity)
    }

    /// What the quantity counts, and the shipment's weight where the file gives it.
    pub fn measure(&self) -> Measure {
        Measure {
            kind: self.unit,
            quantity: self.quantity,
            weight_kg: self.weight_kg,
        }
    }

    /// Country of manufacture, where the file gives it.
    pub fn origin(&self) -> Option<CountryId> {
        (self.origin != NO_ORIGIN).then_some(self.origin)
    }
}

/// An outbound leg drawing `quantity` units on an inbound leg's stock.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub inbound: u32,
    pub outbound: u32,
    pub quantity: f64,
}

/// All legs with their holders and links, indexed both ways.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    pub legs: Vec<Leg>,
    pub holders: Holders,
    pub links: Vec<Link>,
    /// Link indices by inbound leg (who drew on this leg): `drawn_by[leg]` is a slice.
    pub drawn_by: LinksByLeg,
    /// Link indices by outbound leg (what this leg drew on): `draws_on[leg]` is a slice.
    pub draws_on: LinksByLeg,
    /// Where each shipment dataset's legs start, in the order of the datasets, and one past
    /// the last leg: legs are made in file and row order, so a leg's number says which file and
    /// which of its rows it is ([`Ledger::source`]), and a leg need not (8 bytes of each).
    pub starts: Vec<u32>,
    /// First and last shipment dates in the data.
    pub first_date: Option<Date>,
    pub last_date: Option<Date>,
    /// What evidence quotes of a leg's row beside the leg: the distinct descriptions as written
    /// (a leg's [`Leg::description`] indexes them). Kept here so that the rows can go once the
    /// legs are built: at ten million rows they weigh more than a gigabyte (the command line
    /// lets them go).
    pub descriptions: Vec<arcstr::ArcStr>,
    /// The distinct product readings, numbered in the order the legs first show them (a leg's
    /// [`Leg::reading`] indexes them).
    pub readings: Vec<ProductReading>,
}

/// The links of each leg, ascending, as one array cut in runs: `links[leg]` is the leg's slice.
///
/// One vector per leg cost 24 bytes per leg and an allocation per leg with links, for what is
/// most often no link or one: at ten million legs, two such tables held more than the links.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinksByLeg {
    /// Leg `i`'s links are `links[start[i]..start[i + 1]]`; one more entry than legs.
    start: Vec<u32>,
    links: Vec<u32>,
}

impl LinksByLeg {
    /// The indices of `links` by the leg `leg_of` names, each leg's in link order.
    fn build(legs: usize, links: &[Link], leg_of: impl Fn(&Link) -> u32) -> LinksByLeg {
        let mut start = vec![0u32; legs + 1];
        for l in links {
            start[leg_of(l) as usize + 1] += 1;
        }
        for i in 0..legs {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut by_leg = vec![0u32; links.len()];
        for (i, l) in links.iter().enumerate() {
            let slot = &mut fill[leg_of(l) as usize];
            by_leg[*slot as usize] = i as u32;
            *slot += 1;
        }
        LinksByLeg {
            start,
            links: by_leg,
        }
    }

    /// Number of legs.
    pub fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// True when there are no legs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::ops::Index<usize> for LinksByLeg {
    type Output = [u32];

    /// The links of leg `leg`.
    fn index(&self, leg: usize) -> &[u32] {
        &self.links[self.start[leg] as usize..self.start[leg + 1] as usize]
    }
}

/// A reconstructed route: its legs in order, and the chain of holders and countries.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Leg indices in leg order (earliest hop first, then by date).
    pub legs: Vec<u32>,
    /// Hop of each leg (0 = the first leg out of the vendor), parallel to `legs`.
    pub hops: Vec<u8>,
    /// The chain of holders, vendor first.
    pub holders: Vec<HolderId>,
    /// The countries of `holders`.
    pub countries: Vec<CountryId>,
}

impl Route {
    /// Legs of the last hop (deliveries to the final buyer).
    pub fn final_legs(&self) -> impl Iterator<Item = u32> + '_ {
        let last = self.hops.iter().copied().max().unwrap_or(0);
        self.legs
            .iter()
            .zip(&self.hops)
            .filter(move |(_, h)| **h == last)
            .map(|(l, _)| *l)
    }
}

/// Entries (a leg on two traces or more, a trace) route merging sorts at a time: 24 MB.
const SHARED_BLOCK: usize = 1 << 21;

/// Rows whose product readings a thread numbers in a table of its own (see
/// [`LegReader::legs_into`]).
const READING_CHUNK: usize = 1 << 14;

/// Distinct product readings, numbered in the order they are first met.
#[derive(Default)]
struct Readings {
    list: Vec<ProductReading>,
    number_of: FxHashMap<ReadingKey, u32>,
}

/// A reading as a key: its sensitivity by its bits (a reading is found again only when it is
/// the same in every bit).
type ReadingKey = (u64, Option<u16>, u64, bool, bool);

impl Readings {
    /// The number of `reading`, numbering it when it is new.
    fn number(&mut self, reading: ProductReading) -> u32 {
        let Readings { list, number_of } = self;
        let key = (
            reading.sensitivity.to_bits(),
            reading.reference,
            reading.named,
            reading.vague,
            reading.sensitive_hs,
        );
        *number_of.entry(key).or_insert_with(|| {
            list.push(reading);
            (list.len() - 1) as u32
        })
    }

    /// Numbers the readings again in the order `legs` first show them, and the legs with them.
    fn renumber_in_order(&mut self, legs: &mut [Leg]) {
        let mut new = vec![u32::MAX; self.list.len()];
        let mut order = Vec::with_capacity(self.list.len());
        for leg in legs.iter() {
            let slot = &mut new[leg.reading as usize];
            if *slot == u32::MAX {
                *slot = order.len() as u32;
                order.push(leg.reading);
            }
        }
        legs.par_iter_mut()
            .for_each(|leg| leg.reading = new[leg.reading as usize]);
        let list: Vec<ProductReading> = order.iter().map(|&o| self.list[o as usize]).collect();
        *self = Readings::default();
        for r in list {
            self.number(r);
        }
    }
}

/// Where each of datasets of `rows` rows starts in legs made in order, and one past the last.
fn starts(rows: impl Iterator<Item = usize>) -> Vec<u32> {
    let mut starts = vec![0u32];
    let mut at = 0usize;
    for n in rows {
        at += n;
        starts.push(u32::try_from(at).expect("fewer than 2^32 shipments"));
    }
    starts
}

/// The holders of `datasets`' parties, names merged.
fn merged_names(datasets: &[&Dataset], rules: &Rules) -> Holders {
    let _stage = crate::timing::Stage::start("holders (name merging)");
    Holders::build(datasets, &rules.routes)
}

/// What making a row's leg reads beyond the row: the holders its parties belong to, the words
/// of each distinct description and what each unit counts.
struct LegReader {
    classifier: ProductClassifier,
    /// `None` while the names are not merged yet: a leg's `from` and `to` are then its
    /// parties' numbers in its dataset ([`LegReader::merge_names`] makes them holders).
    holders: Option<Holders>,
    words: Vec<crate::product::DescriptionWords>,
    /// The distinct descriptions, in the order of `words`.
    descriptions: Vec<arcstr::ArcStr>,
    /// A description's index in `words` by the address of its text.
    description_at: FxHashMap<usize, usize>,
    unit_at: FxHashMap<usize, (UnitKind, f64)>,
    no_unit: (UnitKind, f64),
}

/// The address of a shared text, by which a text is found again without hashing it.
fn address(t: &arcstr::ArcStr) -> usize {
    t.as_ptr() as usize
}

impl LegReader {
    /// Merges the holders of `datasets`' parties and reads each distinct description and unit.
    fn new(datasets: &[&Dataset], rules: &Rules) -> LegReader {
        // Read beside the name merging, whose word tables keep one core busy and the other idle.
        let (holders, reader) = rayon::join(
            || merged_names(datasets, rules),
            || LegReader::without_holders(datasets.iter().map(|d| d.shipments()), rules),
        );
        // Name merging's word tables were just let go, and the legs are about to be asked for.
        crate::memory::give_back_freed();
        LegReader {
            holders: Some(holders),
            ..reader
        }
    }

    /// Reads each distinct description and unit of the rows of each dataset, `rows`, and leaves
    /// the names to be merged once the legs are made ([`LegReader::merge_names`]).
    fn without_holders<'a>(
        rows: impl Iterator<Item = &'a [crate::model::Shipment]>,
        rules: &Rules,
    ) -> LegReader {
        let classifier = ProductClassifier::new(rules);
        // Descriptions and units repeat, each a shared copy per chunk of a file: read each
        // distinct text once, and find it again by its address.
        let mut words: Vec<crate::product::DescriptionWords> = Vec::new();
        let mut descriptions: Vec<arcstr::ArcStr> = Vec::new();
        let mut words_of: FxHashMap<&str, usize> = FxHashMap::default();
        let mut description_at: FxHashMap<usize, usize> = FxHashMap::default();
        let mut unit_at: FxHashMap<usize, (UnitKind, f64)> = FxHashMap::default();
        for rows in rows {
            for s in rows {
                description_at
                    .entry(address(&s.description))
                    .or_insert_with(|| {
                        *words_of.entry(&*s.description).or_insert_with(|| {
                            words.push(classifier.words(&s.description));
                            descriptions.push(s.description.clone());
                            words.len() - 1
                        })
                    });
                if let Some(unit) = &s.unit {
                    unit_at
                        .entry(address(unit))
                        .or_insert_with(|| UnitKind::parse(unit));
                }
            }
        }
        LegReader {
            classifier,
            holders: None,
            words,
            descriptions,
            description_at,
            unit_at,
            no_unit: UnitKind::parse(""),
        }
    }

    /// Makes each leg's `from` and `to`, made while the names were not merged, the holders of
    /// those parties (`holders`: the names of the datasets the legs were made from merged,
    /// their legs starting at `starts`).
    fn merge_names(&mut self, holders: Holders, legs: &mut [Leg], starts: &[u32]) {
        let stage = crate::timing::Stage::start("legs: holders");
        for (dataset, range) in starts.windows(2).enumerate() {
            legs[range[0] as usize..range[1] as usize]
                .par_iter_mut()
                .for_each(|l| {
                    l.from = holders.of(dataset, crate::model::PartyId(l.from.0));
                    l.to = holders.of(dataset, crate::model::PartyId(l.to.0));
                });
        }
        stage.end();
        self.holders = Some(holders);
        crate::memory::give_back_freed();
    }

    /// The holder of party `party` of dataset `dataset`; while the names are not merged, the
    /// party's number.
    fn holder(&self, dataset: usize, party: crate::model::PartyId) -> HolderId {
        match &self.holders {
            Some(holders) => holders.of(dataset, party),
            None => HolderId(party.0),
        }
    }

    /// What a row's unit counts, and how many of the kind's base unit one unit is.
    fn unit(&self, s: &crate::model::Shipment) -> (UnitKind, f64) {
        s.unit
            .as_ref()
            .map_or(self.no_unit, |u| self.unit_at[&address(u)])
    }

    /// The product reading of row `s` (for tests: [`LegReader::leg`] reads it as it makes the
    /// leg).
    #[cfg(test)]
    fn reading(&self, s: &crate::model::Shipment) -> ProductReading {
        let description = self.description_at[&address(&s.description)];
        self.reading_of(s, self.unit(s).0, description)
    }

    /// The product reading of row `s`, whose unit counts `kind` and whose description is number
    /// `description`.
    fn reading_of(
        &self,
        s: &crate::model::Shipment,
        kind: UnitKind,
        description: usize,
    ) -> ProductReading {
        self.classifier.reading(
            s.hs_code,
            &self.words[description],
            // A price per kilogram says nothing of a price per chip.
            (kind == UnitKind::Count)
                .then(|| s.unit_value_usd())
                .flatten(),
        )
    }

    /// The leg of `s`, a row of shipment dataset `dataset`, its product reading numbered by
    /// `number`.
    fn leg(
        &self,
        dataset: usize,
        s: &crate::model::Shipment,
        number: impl FnOnce(ProductReading) -> u32,
    ) -> Leg {
        let (unit, factor) = self.unit(s);
        let description = self.description_at[&address(&s.description)];
        let reading = number(self.reading_of(s, unit, description));
        Leg {
            shipment_id: s.id.clone(),
            date: s.date,
            from: self.holder(dataset, s.exporter),
            to: self.holder(dataset, s.importer),
            from_country: s.exporter_country,
            to_country: s.importer_country,
            hs: s.hs_code,
            origin: s.origin_country.unwrap_or(NO_ORIGIN),
            value_usd: s.value_usd,
            description: description as u32,
            unit,
            quantity: s.quantity * factor,
            weight_kg: s.weight_kg.filter(|w| *w > 0.0).unwrap_or(0.0),
            reading,
            consignee: s.importer,
        }
    }

    /// Makes the legs of `rows`, rows of shipment dataset `dataset`, into `slots` (as many),
    /// numbering their product readings in `readings`. Each leg reads only its own
    /// row: chunks of rows are read in parallel, each numbering its readings in a table of its
    /// own; the tables are then merged in row order and the legs renumbered, so that a
    /// reading's number is the same whatever the number of threads.
    fn legs_into(
        &self,
        dataset: usize,
        rows: &[crate::model::Shipment],
        slots: &mut [std::mem::MaybeUninit<Leg>],
        readings: &mut Readings,
        chunk: usize,
    ) {
        let chunk = chunk.max(1);
        assert_eq!(rows.len(), slots.len(), "a slot for every row");
        let tables: Vec<Readings> = slots
            .par_chunks_mut(chunk)
            .zip(rows.par_chunks(chunk))
            .map(|(slots, rows)| {
                let mut table = Readings::default();
                for (slot, s) in slots.iter_mut().zip(rows) {
                    slot.write(self.leg(dataset, s, |r| table.number(r)));
                }
                table
            })
            .collect();
        let renumbered: Vec<Vec<u32>> = tables
            .iter()
            .map(|t| t.list.iter().map(|r| readings.number(*r)).collect())
            .collect();
        slots
            .par_chunks_mut(chunk)
            .zip(renumbered.par_iter())
            .for_each(|(slots, numbers)| {
                for slot in slots {
                    // SAFETY: every slot was written above (one leg per row, as many rows as
                    // slots), and a `MaybeUninit` written is initialised.
                    let leg = unsafe { slot.assume_init_mut() };
                    leg.reading = numbers[leg.reading as usize];
                }
            });
    }

    /// The unlinked ledger of `legs`, made by [`LegReader::legs_into`] in row order with
    /// `readings`.
    fn ledger(self, legs: Vec<Leg>, readings: Readings, starts: Vec<u32>) -> Ledger {
        let first_date = legs.iter().map(|l| l.date).min();
        let last_date = legs.iter().map(|l| l.date).max();
        Ledger {
            legs,
            holders: self
                .holders
                .expect("the names are merged before the ledger is made"),
            links: Vec::new(),
            drawn_by: LinksByLeg::default(),
            draws_on: LinksByLeg::default(),
            starts,
            first_date,
            last_date,
            descriptions: self.descriptions,
            readings: readings.list,
        }
    }
}

impl Ledger {
    /// What a leg's goods are, as far as export controls care.
    pub fn reading(&self, leg: &Leg) -> &ProductReading {
        &self.readings[leg.reading as usize]
    }

    /// Which shipment dataset (in the order the legs were made from) and which of its rows leg
    /// `leg` is. A number past the last leg reads as past the last dataset's rows.
    pub fn source(&self, leg: u32) -> (u32, u32) {
        // The datasets before the first whose legs start after `leg`.
        let after = self.starts.partition_point(|&s| s <= leg);
        let last = self.starts.len().saturating_sub(2);
        let dataset = after.saturating_sub(1).min(last);
        let start = self.starts.get(dataset).copied().unwrap_or(0);
        (dataset as u32, leg - start)
    }

    /// Builds legs from every shipment dataset and links them.
    pub fn build(datasets: &[&Dataset], rules: &Rules) -> Ledger {
        Ledger::unlinked(datasets, rules).linked(rules)
    }

    /// The legs of every shipment dataset, with their holders and the words evidence quotes,
    /// not yet linked ([`Ledger::linked`] links them). Nothing in the ledger reads the rows
    /// again: a caller can let them go before linking ([`Ledger::unlinked_taking_rows`] does).
    pub fn unlinked(datasets: &[&Dataset], rules: &Rules) -> Ledger {
        Ledger::unlinked_by(datasets, rules, READING_CHUNK)
    }

    /// [`Ledger::unlinked`], `chunk` rows to a table of readings.
    fn unlinked_by(datasets: &[&Dataset], rules: &Rules, chunk: usize) -> Ledger {
        let reader = LegReader::new(datasets, rules);
        let stage = crate::timing::Stage::start("legs (product readings)");
        let total: usize = datasets.iter().map(|d| d.shipments().len()).sum();
        let mut legs: Vec<Leg> = Vec::with_capacity(total);
        let mut readings = Readings::default();
        let mut slots = &mut legs.spare_capacity_mut()[..total];
        for (di, d) in datasets.iter().enumerate() {
            let rows = d.shipments();
            let (made, rest) = slots.split_at_mut(rows.len());
            reader.legs_into(di, rows, made, &mut readings, chunk);
            slots = rest;
        }
        // SAFETY: `legs_into` wrote the first `total` slots, each dataset's just after those
        // of the dataset before it.
        unsafe { legs.set_len(total) };
        stage.end();
        reader.ledger(
            legs,
            readings,
            starts(datasets.iter().map(|d| d.shipments().len())),
        )
    }

    /// [`Ledger::unlinked`], taking the rows out of `datasets` (the shipment datasets, in the
    /// order their legs are numbered) as their legs are made: from the last row to the first,
    /// a block at a time, each block's rows let go and their memory handed back before the next.
    /// The rows and the legs are never all held together: at ten million rows that was 2.4 GB.
    /// The datasets keep their party tables, which evidence quotes.
    pub fn unlinked_taking_rows(datasets: &mut [&mut Dataset], rules: &Rules) -> Ledger {
        let rows: usize = datasets.iter().map(|d| d.shipments().len()).sum();
        let names_beside = rows < crate::memory::ONE_AT_A_TIME_FROM;
        Ledger::unlinked_taking_rows_by(datasets, rules, 1 << 20, READING_CHUNK, names_beside)
    }

    /// [`Ledger::unlinked_taking_rows`], `block` rows at a time, `chunk` rows to a table of
    /// readings; the names merged beside making the legs, or after (`names_beside` false).
    fn unlinked_taking_rows_by(
        datasets: &mut [&mut Dataset],
        rules: &Rules,
        block: usize,
        chunk: usize,
        names_beside: bool,
    ) -> Ledger {
        // What reading freed (its chunks' tables) goes back before the legs are asked for.
        crate::memory::give_back_freed();
        let starts = starts(datasets.iter().map(|d| d.shipments().len()));
        let mut taken: Vec<Vec<crate::model::Shipment>> =
            datasets.iter_mut().map(|d| d.take_shipments()).collect();
        let refs: Vec<&Dataset> = datasets.iter().map(|d| &**d).collect();
        let make = || {
            let reader = LegReader::without_holders(taken.iter().map(Vec::as_slice), rules);
            let stage = crate::timing::Stage::start("legs (product readings)");
            let total = *starts.last().expect("starts begin at 0") as usize;
            let mut legs: Vec<Leg> = Vec::with_capacity(total);
            let mut readings = Readings::default();
            let slots = &mut legs.spare_capacity_mut()[..total];
            let mut end = total;
            for (di, rows) in taken.iter_mut().enumerate().rev() {
                while !rows.is_empty() {
                    let start = rows.len().saturating_sub(block.max(1));
                    let made = &mut slots[end - (rows.len() - start)..end];
                    reader.legs_into(di, &rows[start..], made, &mut readings, chunk);
                    end -= rows.len() - start;
                    rows.truncate(start);
                    crate::memory::give_back_spare(rows);
                }
            }
            assert_eq!(end, 0, "every row made a leg");
            // SAFETY: the first `total` slots were all written: each dataset's rows, from its
            // last block to its first, filled the slots just before those of the dataset after
            // it, `total` rows in all (the assertion above).
            unsafe { legs.set_len(total) };
            stage.end();
            // The blocks numbered the readings from the last row: numbered again from the
            // first, as the legs made in place number them.
            readings.renumber_in_order(&mut legs);
            (reader, legs, readings)
        };
        // The name merging keeps one core busy and the other mostly idle: beside the legs, it
        // costs no time. Many rows are made into legs after it instead, so that its tables are
        // never held beside the rows (at ten million rows, the two took 2.2 GB).
        let ((mut reader, mut legs, readings), holders) =
            crate::memory::join_if(names_beside, make, || merged_names(&refs, rules));
        drop(taken);
        reader.merge_names(holders, &mut legs, &starts);
        reader.ledger(legs, readings, starts)
    }

    /// This ledger with its legs linked: each outbound leg drawing on its holder's stock
    /// (any links it had are drawn again).
    pub fn linked(self, rules: &Rules) -> Ledger {
        let stage = crate::timing::Stage::start("links (stock drawn on)");
        // A leg's product reading names its reference product; the price is the rules'.
        let prices: Vec<f64> = rules.products.iter().map(|p| p.unit_price_usd).collect();
        let links = link_legs(
            &self.legs,
            &self.readings,
            self.holders.list.len(),
            &rules.routes,
            &prices,
        );
        stage.end();
        let drawn_by = LinksByLeg::build(self.legs.len(), &links, |l| l.inbound);
        let draws_on = LinksByLeg::build(self.legs.len(), &links, |l| l.outbound);
        // Linking's tables by holder were let go.
        crate::memory::give_back_freed();
        Ledger {
            links,
            drawn_by,
            draws_on,
            ..self
        }
    }

    /// Reconstructs the routes. Every leg is on at least one route. A route never runs back into
    /// a leg marked in `boundary` (a shipment a licence covers is a legitimate delivery: what its
    /// consignee ships on starts a route of its own); `boundary` may be empty.
    pub fn routes(&self, rules: &RouteRules, boundary: &[bool]) -> Vec<Route> {
        let traced = self.traced_routes(rules, boundary);
        let _stage = crate::timing::Stage::start("routes: build");
        (0..traced.len())
            .into_par_iter()
            .map(|i| traced.route(i))
            .collect()
    }

    /// The routes of [`Ledger::routes`], traced and grouped but each built only when asked for
    /// ([`TracedRoutes::route`]), in the same order: a caller that keeps few of them (the
    /// command line keeps the flagged ones) never holds them all.
    pub fn traced_routes(&self, rules: &RouteRules, boundary: &[bool]) -> TracedRoutes<'_> {
        self.traced_routes_by(rules, boundary, SHARED_BLOCK)
    }

    /// [`Ledger::traced_routes`], merging routes `shared_block` entries at a time.
    fn traced_routes_by(
        &self,
        rules: &RouteRules,
        boundary: &[bool],
        shared_block: usize,
    ) -> TracedRoutes<'_> {
        let max_hops = rules.max_hops.max(1);
        // A route ends at a leg nothing draws on.
        let sinks: Vec<u32> = (0..self.legs.len() as u32)
            .filter(|&i| self.drawn_by[i as usize].is_empty())
            .collect();
        let stage = crate::timing::Stage::start("routes: trace sinks");
        // Each sink's trace reads the ledger only: traced in parallel in runs of sinks, and the
        // runs put together in sink order, a batch of runs at a time. The tables are reserved
        // ahead (memory reserved and never written is never given by the system): at most one
        // trace per leg, and room for four holders and four legs per leg where both generators'
        // traces take about three (beyond that the tables grow as vectors do). Putting the runs
        // together then copies each once, and holds a batch twice rather than every trace.
        let n = self.legs.len();
        let mut traced = Traces {
            paths: Vec::with_capacity(4 * n),
            path_end: Vec::with_capacity(n),
            legs: Vec::with_capacity(4 * n),
            hops: Vec::with_capacity(4 * n),
            legs_end: Vec::with_capacity(n),
        };
        for batch in sinks.chunks(1 << 16) {
            let runs: Vec<Traces> = batch
                .par_chunks(1024)
                .map(|run| {
                    let (mut traces, mut scratch) = (Traces::default(), TraceScratch::default());
                    for &sink in run {
                        self.trace(sink, max_hops, boundary, &mut traces, &mut scratch);
                    }
                    traces
                })
                .collect();
            for run in &runs {
                traced.append(run);
            }
        }
        drop(sinks);
        let mut covered = vec![false; self.legs.len()];
        for &leg in &traced.legs {
            covered[leg as usize] = true;
        }
        // Legs deeper than `max_hops` behind every final leg start routes of their own, latest
        // first, so that every leg is on a route.
        let mut rest: Vec<u32> = (0..self.legs.len() as u32)
            .filter(|&i| !covered[i as usize])
            .collect();
        rest.sort_by_key(|&i| std::cmp::Reverse((self.legs[i as usize].date, i)));
        let mut scratch = TraceScratch::default();
        for leg in rest {
            if covered[leg as usize] {
                continue;
            }
            self.trace(leg, max_hops, boundary, &mut traced, &mut scratch);
            for &l in traced.legs(traced.len() - 1) {
                covered[l as usize] = true;
            }
        }
        drop(covered);
        stage.end();
        let stage = crate::timing::Stage::start("routes: merge");
        // Routes that share a leg and the same chain of holders after the vendor are one route: a
        // consignment split in pieces, or a front's pooled stock from several vendors shipped on.
        let mut uf = UnionFind::new(traced.len());
        // Most legs are on one trace only, and a leg on one trace joins nothing: only legs on
        // two or more traces are looked up.
        let mut traces_on = vec![0u8; self.legs.len()];
        for &leg in &traced.legs {
            let n = &mut traces_on[leg as usize];
            *n = n.saturating_add(1);
        }
        // Each trace's chain after the vendor, hashed; then every (leg, hash, trace) of a leg on
        // two or more traces, sorted on rayon's threads: the traces of one leg and one chain lie
        // side by side. Which unions come first does not matter (the smallest index is the root).
        let onward = |i: usize| {
            let path = traced.path(i);
            &path[1.min(path.len())..]
        };
        // Hashes of 32 bits: chains that only hash alike are told apart below, and a smaller
        // table sorts faster (a leg, a hash and a trace in 12 bytes).
        let chain: Vec<u32> = (0..traced.len())
            .into_par_iter()
            .map(|i| {
                use std::hash::{Hash, Hasher};
                let mut h = rustc_hash::FxHasher::default();
                onward(i).hash(&mut h);
                let h = h.finish();
                (h ^ (h >> 32)) as u32
            })
            .collect();
        // The legs in ranges of at most `shared_block` entries each, one range at a time: a
        // leg's traces are all in its range, and at ten million legs the whole table took
        // 0.15 GB.
        let mut ranges: Vec<std::ops::Range<u32>> = Vec::new();
        let (mut start, mut entries) = (0u32, 0usize);
        for (leg, &n) in traces_on.iter().enumerate() {
            if n >= 2 {
                if entries > 0 && entries + usize::from(n) > shared_block {
                    ranges.push(start..leg as u32);
                    (start, entries) = (leg as u32, 0);
                }
                entries += usize::from(n);
            }
        }
        ranges.push(start..self.legs.len() as u32);
        let mut alike: Vec<u32> = Vec::new();
        for range in ranges {
            let mut shared: Vec<[u32; 3]> = (0..traced.len())
                .into_par_iter()
                .flat_map_iter(|i| {
                    let (traces_on, chain, range) = (&traces_on, &chain, &range);
                    traced
                        .legs(i)
                        .iter()
                        .filter(move |leg| range.contains(leg) && traces_on[**leg as usize] >= 2)
                        .map(move |&leg| [leg, chain[i], i as u32])
                })
                .collect();
            shared.par_sort_unstable();
            for group in shared.chunk_by(|a, b| (a[0], a[1]) == (b[0], b[1])) {
                // Chains that only hash alike are told apart here.
                alike.clear();
                for &[_, _, t] in group {
                    match alike
                        .iter()
                        .find(|&&r| onward(r as usize) == onward(t as usize))
                    {
                        Some(&r) => uf.union(r as usize, t as usize),
                        None => alike.push(t),
                    }
                }
            }
        }
        drop(traces_on);
        drop(chain);
        // The shared legs' table was just let go, and the groups' is about to be asked for.
        crate::memory::give_back_freed();
        // Members of each group, grouped by root, roots ascending and members in trace order:
        // counted by root, then filled in trace order (a sort of (root, trace) pairs held twice
        // the table).
        let n = traced.len();
        let roots: Vec<u32> = (0..n).map(|i| uf.find(i) as u32).collect();
        drop(uf);
        let mut start = vec![0u32; n + 1];
        for &r in &roots {
            start[r as usize + 1] += 1;
        }
        let groups = start.iter().filter(|&&c| c > 0).count();
        for i in 0..n {
            start[i + 1] += start[i];
        }
        // A root's group ends where the next root's members start.
        let mut group_end: Vec<u32> = Vec::with_capacity(groups);
        group_end.extend(start.windows(2).filter(|w| w[1] > w[0]).map(|w| w[1]));
        let mut members = vec![0u32; n];
        for (i, &r) in roots.iter().enumerate() {
            let slot = &mut start[r as usize];
            members[*slot as usize] = i as u32;
            *slot += 1;
        }
        drop(roots);
        drop(start);
        stage.end();
        TracedRoutes {
            ledger: self,
            traced,
            members,
            group_end,
        }
    }

    /// Walks back from a final leg through the stock it drew on, and adds to `out` the holder
    /// chain (along the largest draw at each step) and every leg with its hop number. `scratch`
    /// is reused from sink to sink (a million sinks, a few legs each).
    fn trace(
        &self,
        sink: u32,
        max_hops: usize,
        boundary: &[bool],
        out: &mut Traces,
        scratch: &mut TraceScratch,
    ) {
        let open = |leg: u32| !boundary.get(leg as usize).copied().unwrap_or(false);
        // The levels end to end (the sink's first), each from `starts[k]`: every leg seen.
        let TraceScratch { legs, starts, main } = scratch;
        legs.clear();
        legs.push(sink);
        starts.clear();
        starts.push(0);
        main.clear();
        main.push(sink);
        while starts.len() < max_hops {
            let (level_start, level_end) = (*starts.last().unwrap_or(&0), legs.len());
            for i in level_start..level_end {
                for &li in &self.draws_on[legs[i] as usize] {
                    let inbound = self.links[li as usize].inbound;
                    if open(inbound) && !legs.contains(&inbound) {
                        legs.push(inbound);
                    }
                }
            }
            if legs.len() == level_end {
                break;
            }
            // The main chain follows the largest draw of the current main leg, or of its level
            // when the main leg itself drew on nothing.
            let current = *main.last().unwrap_or(&sink);
            let largest = |from: &[u32]| {
                from.iter()
                    .flat_map(|l| self.draws_on[*l as usize].iter())
                    .map(|li| self.links[*li as usize])
                    .filter(|link| open(link.inbound))
                    .max_by(|a, b| a.quantity.total_cmp(&b.quantity))
            };
            let level = &legs[level_start..level_end];
            if let Some(best) = largest(&[current]).or_else(|| largest(level)) {
                main.push(best.inbound);
            }
            starts.push(level_end);
        }
        let depth = starts.len();
        let (legs, starts) = (&*legs, &*starts);
        out.push(
            main.iter()
                .rev()
                .map(|l| self.legs[*l as usize].from)
                .chain([self.legs[sink as usize].to]),
            (0..depth).flat_map(|level| {
                let to = starts.get(level + 1).copied().unwrap_or(legs.len());
                legs[starts[level]..to]
                    .iter()
                    // Hops past 255 (a `max_hops` of more) read as 255: a route keeps its
                    // hops in bytes (they wrapped around before).
                    .map(move |&l| (l, u8::try_from(depth - 1 - level).unwrap_or(u8::MAX)))
            }),
        );
    }
}

/// What [`Ledger::trace`] reuses from one sink to the next.
#[derive(Default)]
struct TraceScratch {
    legs: Vec<u32>,
    starts: Vec<usize>,
    main: Vec<u32>,
}

/// Traced routes, grouped into the routes of [`Ledger::routes`] and built one by one.
pub struct TracedRoutes<'a> {
    ledger: &'a Ledger,
    traced: Traces,
    /// Trace indices, grouped by route in route order.
    members: Vec<u32>,
    /// Where each route's run of `members` ends.
    group_end: Vec<u32>,
}

impl TracedRoutes<'_> {
    /// Number of routes.
    pub fn len(&self) -> usize {
        self.group_end.len()
    }

    /// True when there is no route (no legs).
    pub fn is_empty(&self) -> bool {
        self.group_end.is_empty()
    }

    /// The legs of route `i` (those [`TracedRoutes::route`] gives it, some more than once),
    /// read without building the route.
    pub fn legs_of(&self, i: usize) -> impl Iterator<Item = u32> + '_ {
        self.members(i)
            .iter()
            .flat_map(|&m| self.traced.legs(m as usize).iter().copied())
    }

    /// These routes with only the routes `kept` (ascending), numbered again from 0 in that
    /// order: what building a few of many routes needs, so that the whole tables can go first
    /// (at ten million legs the traces weigh 0.2 GB, and the flagged routes' a tenth of that).
    pub fn keeping(self, kept: impl IntoIterator<Item = u32>) -> Self {
        let mut traced = Traces::default();
        let (mut members, mut group_end) = (Vec::new(), Vec::new());
        for i in kept {
            for &m in self.members(i as usize) {
                let m = m as usize;
                members.push(end(traced.len()));
                traced.push(
                    self.traced.path(m).iter().copied(),
                    self.traced
                        .legs(m)
                        .iter()
                        .copied()
                        .zip(self.traced.hops(m).iter().copied()),
                );
            }
            group_end.push(end(members.len()));
        }
        TracedRoutes {
            ledger: self.ledger,
            traced,
            members,
            group_end,
        }
    }

    /// The traces grouped into route `i`.
    fn members(&self, i: usize) -> &[u32] {
        let start = if i == 0 {
            0
        } else {
            self.group_end[i - 1] as usize
        };
        &self.members[start..self.group_end[i] as usize]
    }

    /// Route `i`: the first member's holder chain, and every member's legs at their lowest hop,
    /// by hop, then date, then leg.
    pub fn route(&self, i: usize) -> Route {
        let members = self.members(i);
        let path = self.traced.path(members[0] as usize).to_vec();
        let mut legs: FxHashMap<u32, u8> = FxHashMap::default();
        for &m in members {
            let m = m as usize;
            for (&leg, &hop) in self.traced.legs(m).iter().zip(self.traced.hops(m)) {
                let e = legs.entry(leg).or_insert(hop);
                *e = (*e).min(hop);
            }
        }
        let mut ordered: Vec<(u8, Date, u32)> = legs
            .into_iter()
            .map(|(leg, hop)| (hop, self.ledger.legs[leg as usize].date, leg))
            .collect();
        ordered.sort_unstable();
        let countries = path
            .iter()
            .map(|h| self.ledger.holders.get(*h).country)
            .collect();
        Route {
            legs: ordered.iter().map(|o| o.2).collect(),
            hops: ordered.iter().map(|o| o.0).collect(),
            holders: path,
            countries,
        }
    }
}

/// An offset into [`Traces`]' arrays.
fn end(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 2^32 traced legs and holders")
}

/// Traces end to end in two arrays, a trace's holder chain and its legs with their hops, rather
/// than two small vectors per trace: at ten million legs, the vectors' headers and allocations
/// weighed three times the traces.
#[derive(Default)]
struct Traces {
    paths: Vec<HolderId>,
    /// Where each trace's holder chain ends in `paths`.
    path_end: Vec<u32>,
    /// The legs of every trace, and the hop of each (a byte apart: five bytes a leg, not
    /// eight).
    legs: Vec<u32>,
    hops: Vec<u8>,
    /// Where each trace's legs (and hops) end in `legs`.
    legs_end: Vec<u32>,
}

impl Traces {
    fn len(&self) -> usize {
        self.path_end.len()
    }

    fn push(
        &mut self,
        path: impl IntoIterator<Item = HolderId>,
        legs: impl IntoIterator<Item = (u32, u8)>,
    ) {
        self.paths.extend(path);
        for (leg, hop) in legs {
            self.legs.push(leg);
            self.hops.push(hop);
        }
        self.path_end.push(end(self.paths.len()));
        self.legs_end.push(end(self.legs.len()));
    }

    fn path(&self, i: usize) -> &[HolderId] {
        let start = if i == 0 {
            0
        } else {
            self.path_end[i - 1] as usize
        };
        &self.paths[start..self.path_end[i] as usize]
    }

    /// Where trace `i`'s legs lie in `legs` and `hops`.
    fn legs_at(&self, i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 {
            0
        } else {
            self.legs_end[i - 1] as usize
        };
        start..self.legs_end[i] as usize
    }

    fn legs(&self, i: usize) -> &[u32] {
        &self.legs[self.legs_at(i)]
    }

    fn hops(&self, i: usize) -> &[u8] {
        &self.hops[self.legs_at(i)]
    }

    /// Adds `run`'s traces after this one's.
    fn append(&mut self, run: &Traces) {
        let (paths, legs) = (self.paths.len(), self.legs.len());
        self.paths.extend_from_slice(&run.paths);
        self.legs.extend_from_slice(&run.legs);
        self.hops.extend_from_slice(&run.hops);
        self.path_end
            .extend(run.path_end.iter().map(|e| end(paths + *e as usize)));
        self.legs_end
            .extend(run.legs_end.iter().map(|e| end(legs + *e as usize)));
    }
}

/// Links outbound legs to the inbound stock they draw on, holder by holder, first in first out.
///
/// Two passes per outbound leg, both on what the rows prove rather than on wording:
/// 1. stock of the same product (the same HS subheading, or heading where a code is shorter);
/// 2. when that leaves part of the leg uncovered and the holder received nothing under the
///    outbound code in the window (it does not trade that product), stock of a controlled
///    product that the goods fit into: the quantity fits what is left, the weight per unit (where
///    both legs give one) is alike, the units compare. This is how a relabelled leg stays on its
///    route whatever its description says.
///
/// In both passes the unit values must lie within `value_ratio_min..=value_ratio_max` of each
/// other when both are known; a missing or zero value is no evidence either way.
/// `prices`: the reference products' unit prices, by index (a product reading's `reference`).
fn link_legs(
    legs: &[Leg],
    readings: &[ProductReading],
    holders: usize,
    rules: &RouteRules,
    prices: &[f64],
) -> Vec<Link> {
    // Each reading's reference product's price (0 when it names none).
    let reference_prices: Vec<f64> = readings
        .iter()
        .map(|r| {
            r.reference
                .and_then(|p| prices.get(p as usize))
                .copied()
                .unwrap_or(0.0)
        })
        .collect();
    let known = Known {
        readings,
        reference_prices: &reference_prices,
    };
    let stage = crate::timing::Stage::start("links: events by holder");
    // Holders are numbered densely: events and flows are arrays by holder, not maps. Events per
    // holder, each holder's a run of one array: inbound legs (arrivals) and outbound legs
    // (departures), as `event`s.
    let mut start = vec![0usize; holders + 1];
    // A holder that ships far more than it ever receives is a source (a vendor, a manufacturer):
    // what it ships comes from its own making, not from the few returns or samples it receives.
    let mut flow = vec![(0.0f64, 0.0f64); holders];
    for l in legs {
        start[l.to.0 as usize + 1] += 1;
        start[l.from.0 as usize + 1] += 1;
        flow[l.to.0 as usize].0 += l.value_usd;
        flow[l.from.0 as usize].1 += l.value_usd;
    }
    for h in 0..holders {
        start[h + 1] += start[h];
    }
    let mut events = vec![0u64; start[holders]];
    let mut fill = start.clone();
    for (i, l) in legs.iter().enumerate() {
        for (h, kind) in [(l.to, 0), (l.from, 1)] {
            let slot = &mut fill[h.0 as usize];
            events[*slot] = event(l.date, kind, i as u32);
            *slot += 1;
        }
    }
    drop(fill);
    let mut runs: Vec<&mut [u64]> = Vec::with_capacity(holders);
    let mut rest = events.as_mut_slice();
    for h in 0..holders {
        let (run, tail) = rest.split_at_mut(start[h + 1] - start[h]);
        runs.push(run);
        rest = tail;
    }
    stage.end();
    let _stage = crate::timing::Stage::start("links: drawn");
    // Each holder's stock is its own: holders are linked in parallel, and their links put
    // together in holder order, the same whatever the number of threads.
    let per_holder: Vec<Vec<Link>> = runs
        .into_par_iter()
        .enumerate()
        .with_min_len(64)
        .map_init(Scratch::default, |scratch, (h, ev)| {
            let (received, shipped) = flow[h];
            if ev.is_empty() || received < rules.source_inbound_share * shipped {
                return Vec::new();
            }
            link_holder(legs, &known, ev, rules, scratch)
        })
        .collect();
    let mut links = Vec::with_capacity(per_holder.iter().map(Vec::len).sum());
    for l in per_holder {
        links.extend(l);
    }
    links
}

/// An arrival (`kind` 0) or departure (1) of leg `leg` on `date`, as one number that sorts as
/// (date, kind, leg): arrivals before departures on the same day, then file order.
fn event(date: Date, kind: u64, leg: u32) -> u64 {
    debug_assert!(leg < 1 << 31);
    // The date's bits with the sign flipped sort as the date does.
    (u64::from(date.0 as u32 ^ 0x8000_0000) << 32) | (kind << 31) | u64::from(leg)
}

/// The kind (0 arrival, 1 departure) and leg of an [`event`].
fn event_parts(e: u64) -> (u64, u32) {
    ((e >> 31) & 1, (e & 0x7fff_ffff) as u32)
}

/// An inbound leg in a holder's stock and the quantity left of it (in the inbound's unit), with
/// what the first pass reads of the leg copied in: a holder's window is scanned for every leg it
/// ships, and reading one array is much quicker than reading the legs.
#[derive(Clone, Copy, Debug)]
struct Lot {
    leg: u32,
    date: Date,
    left: f64,
    /// The leg's code cut to six digits (see [`same_code`]).
    hs6: HsCode,
    named: u64,
    /// Sensitive enough to be carried on under another code (pass 2).
    carry: bool,
}

/// Buffers one thread reuses from holder to holder.
#[derive(Default)]
struct Scratch {
    stock: Vec<Lot>,
    /// Lots of the second half of pass 1 (priced unlike the outbound leg), by position.
    later: Vec<usize>,
    carriers: Vec<usize>,
}

/// How many events ahead [`link_holder`] asks for a leg's memory.
const PREFETCH_AHEAD: usize = 8;

/// Asks the processor to bring `value`'s memory (its first two cache lines: what linking reads
/// of a leg) into cache, without waiting for it; a hint that changes no result.
#[inline]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let p = (value as *const T).cast::<i8>();
        // SAFETY: a prefetch never faults and reads nothing into the program; SSE, which it
        // needs, is part of every x86_64 processor.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(p);
            _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(64));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// What linking reads of a leg beyond the leg: its product reading, and the price of the
/// reference product the reading names (by reading).
struct Known<'a> {
    readings: &'a [ProductReading],
    reference_prices: &'a [f64],
}

/// Links one holder's outbound legs to its stock (see [`link_legs`]); `ev` are its events.
fn link_holder(
    legs: &[Leg],
    known: &Known,
    ev: &mut [u64],
    rules: &RouteRules,
    s: &mut Scratch,
) -> Vec<Link> {
    ev.sort_unstable();
    let mut links = Vec::new();
    let stock = &mut s.stock;
    stock.clear();
    let mut head = 0;
    let slack = rules.quantity_tolerance.max(0.0);
    for (k, &e) in ev.iter().enumerate() {
        // The legs of a holder's events lie anywhere among millions: ask for the leg of an
        // event a few ahead while this one is handled, or every event waits on memory (at 4M
        // rows, most of the linking time).
        if let Some(&ahead) = ev.get(k + PREFETCH_AHEAD) {
            prefetch(&legs[event_parts(ahead).1 as usize]);
        }
        let (kind, leg) = event_parts(e);
        if kind == 0 {
            let inbound = &legs[leg as usize];
            stock.push(Lot {
                leg,
                date: inbound.date,
                left: inbound.quantity,
                hs6: inbound.hs.truncated(6),
                named: known.readings[inbound.reading as usize].named,
                carry: known.readings[inbound.reading as usize].sensitivity
                    >= rules.carry_min_sensitivity,
            });
            continue;
        }
        let out = &legs[leg as usize];
        let out_named = known.readings[out.reading as usize].named;
        let date = out.date;
        // Drop stock that has aged out of the window.
        while head < stock.len() && date.days_since(stock[head].date) > rules.window_days {
            head += 1;
        }
        if out.quantity <= 0.0 {
            continue;
        }
        let lots = &mut stock[head..];
        let out_hs6 = out.hs.truncated(6);
        let arrived = |lot: &Lot| ordered((lot.date, lot.leg), (date, leg));
        // Share of the outbound quantity still to find, in [0, 1].
        let mut need = 1.0;
        let mut trades_product = false;
        // Lots priced like the outbound leg first (a distributor holding both chips and
        // accelerators under one code sells each from its own stock), then the others; first in
        // first out within each. One scan: the others are noted in order and drawn on after
        // (a lot priced unlike the leg is not drawn on in the first half, so what it has left is
        // the same then). Once the leg is found, nothing more is drawn and whether the holder
        // trades the product no longer matters.
        s.later.clear();
        for (i, lot) in lots.iter_mut().enumerate() {
            if !same_code(lot.hs6, out_hs6) || named_apart(lot.named, out_named) || !arrived(lot) {
                continue;
            }
            trades_product = true;
            if need <= slack {
                break;
            }
            if lot.left <= 0.0 {
                continue;
            }
            let inbound = &legs[lot.leg as usize];
            if !plausible(inbound, out, rules, known) {
                continue;
            }
            if !price_close(inbound, out, rules) {
                s.later.push(i);
                continue;
            }
            let Some(size) = out.measure().in_kind_of(&inbound.measure()) else {
                continue;
            };
            need = draw(lot, leg, size, need, &mut links);
        }
        for &i in &s.later {
            if need <= slack {
                break;
            }
            let lot = &mut lots[i];
            let inbound = &legs[lot.leg as usize];
            let Some(size) = out.measure().in_kind_of(&inbound.measure()) else {
                continue;
            };
            need = draw(lot, leg, size, need, &mut links);
        }
        if need <= slack || trades_product {
            continue;
        }
        // Pass 2: controlled stock carried on under another code or description.
        let carriers = &mut s.carriers;
        carriers.clear();
        carriers.extend(
            lots.iter()
                .enumerate()
                .filter(|(_, lot)| {
                    lot.left > 0.0
                        && lot.carry
                        && arrived(lot)
                        && !named_apart(lot.named, out_named)
                        && {
                            let inbound = &legs[lot.leg as usize];
                            plausible(inbound, out, rules, known)
                                && similar_weight(inbound, out, rules)
                                && carry_evidence(inbound, out, lot.left, rules) >= 1
                        }
                })
                .map(|(i, _)| i),
        );
        // The goods must fit into what came in: a leg larger than the stock is another lot.
        let fits: f64 = carriers
            .iter()
            .filter_map(|&i| {
                let inbound = &legs[lots[i].leg as usize];
                let size = out.measure().in_kind_of(&inbound.measure())?;
                Some(lots[i].left / size)
            })
            .sum();
        // Weights convert only roughly (gross and net, packing): allow more there.
        let fit_slack = if carriers
            .iter()
            .any(|&i| legs[lots[i].leg as usize].unit != out.unit)
        {
            slack.max(CONVERTED_SLACK)
        } else {
            slack
        };
        if fits + fit_slack < need {
            continue;
        }
        for &i in carriers.iter() {
            let lot = &mut lots[i];
            let inbound = &legs[lot.leg as usize];
            let Some(size) = out.measure().in_kind_of(&inbound.measure()) else {
                continue;
            };
            need = draw(lot, leg, size, need, &mut links);
            if need <= slack {
                break;
            }
        }
    }
    links
}

/// Draws what an outbound leg still needs (`need`, a share of it; `size` is its quantity in the
/// lot's unit) from a lot, records the link, and returns the share still needed.
fn draw(lot: &mut Lot, outbound: u32, size: f64, need: f64, links: &mut Vec<Link>) -> f64 {
    let take = lot.left.min(need * size);
    lot.left -= take;
    links.push(Link {
        inbound: lot.leg,
        outbound,
        quantity: take,
    });
    need - take / size
}

/// Share of a leg that may be missing from the stock it fits into when the quantity is compared
/// through weight.
const CONVERTED_SLACK: f64 = 0.25;

/// An outbound leg can only draw on goods that arrived before it. Two legs on the same day between
/// the same two holders could draw on each other; only the one that comes later in the files may,
/// so links never form a cycle.
/// Given as (date, leg) of each: legs are numbered in file and row order.
fn ordered(inbound: (Date, u32), outbound: (Date, u32)) -> bool {
    outbound.0 > inbound.0 || (outbound.0 == inbound.0 && outbound.1 > inbound.1)
}

/// The same product by its code: the same HS subheading where both codes have six digits (heading
/// 8471 spans laptops and AI servers), else the same heading. Codes are given cut to six digits
/// (`HsCode::truncated(6)`). Pass 1 also wants no two different named products
/// ([`named_apart`]).
fn same_code(a6: HsCode, b6: HsCode) -> bool {
    if a6.len() == b6.len() {
        return a6.len() >= 4 && a6 == b6;
    }
    let digits = a6.len().min(b6.len());
    digits >= 4 && a6.prefix(digits) == b6.prefix(digits)
}

/// Both descriptions name a reference product, and not the same one (an A100 is not an H100), given
/// as the products' bits ([`ProductReading::named`]).
fn named_apart(a: u64, b: u64) -> bool {
    a != 0 && b != 0 && a & b == 0
}

/// Unit values within the allowed ratio where both are known (compared per unit of the inbound's
/// kind), and quantities that can be compared at all.
fn plausible(inbound: &Leg, outbound: &Leg, rules: &RouteRules, known: &Known) -> bool {
    let Some(size) = outbound.measure().in_kind_of(&inbound.measure()) else {
        return false;
    };
    // Goods counted by the piece at a small share of the named stock's reference price are not
    // that stock (when the stock was declared by weight, this is the only price to compare with).
    let reference_price = known.reference_prices[inbound.reading as usize];
    if reference_price > 0.0
        && outbound.unit == UnitKind::Count
        && let Some(unit) = outbound.unit_value()
        && unit < rules.value_ratio_min * reference_price
    {
        return false;
    }
    match inbound.unit_value() {
        Some(a) if size > 0.0 && outbound.value_usd > 0.0 => {
            let ratio = (outbound.value_usd / size) / a;
            ratio >= rules.value_ratio_min && ratio <= rules.value_ratio_max
        }
        _ => true,
    }
}

/// What the rows say for goods carried on under another code, as points: a unit value close to
/// what was paid, a weight per unit alike, the same country of origin, the whole lot leaving at
/// once each add one; a different country of origin takes one away. Under-declaration alone does
/// not break a link (the valuation indicator scores it), but it needs another point of evidence.
fn carry_evidence(inbound: &Leg, outbound: &Leg, left: f64, rules: &RouteRules) -> i32 {
    let mut points = 0;
    let size = outbound
        .measure()
        .in_kind_of(&inbound.measure())
        .unwrap_or(0.0);
    if let Some(a) = inbound.unit_value()
        && size > 0.0
        && outbound.value_usd > 0.0
    {
        let ratio = (outbound.value_usd / size) / a;
        if ratio >= rules.carry_value_ratio_min && ratio <= rules.value_ratio_max {
            points += 1;
        }
    }
    if let (Some(a), Some(b)) = (
        inbound.measure().kg_per_unit(),
        outbound.measure().kg_per_unit(),
    ) && (b / a).max(a / b) <= rules.weight_ratio_max
    {
        points += 1;
    }
    match (inbound.origin(), outbound.origin()) {
        (Some(a), Some(b)) if a == b => points += 1,
        (Some(_), Some(_)) => points -= 1,
        _ => {}
    }
    if left > 0.0 && size > 0.0 && (size - left).abs() <= rules.quantity_tolerance * left {
        points += 1;
    }
    points
}

/// Unit values within `close_value_ratio` of each other (either way), where both are known.
fn price_close(inbound: &Leg, outbound: &Leg, rules: &RouteRules) -> bool {
    let Some(size) = outbound.measure().in_kind_of(&inbound.measure()) else {
        return false;
    };
    match inbound.unit_value() {
        Some(a) if size > 0.0 && outbound.value_usd > 0.0 => {
            let r = (outbound.value_usd / size) / a;
            r.max(1.0 / r) <= rules.close_value_ratio
        }
        _ => false,
    }
}

/// Weight per unit alike where both legs give it (goods under another name weigh the same).
fn similar_weight(inbound: &Leg, outbound: &Leg, rules: &RouteRules) -> bool {
    match (
        inbound.measure().kg_per_unit(),
        outbound.measure().kg_per_unit(),
    ) {
        (Some(a), Some(b)) if a > 0.0 && b > 0.0 => {
            let r = (b / a).max(a / b);
            r <= rules.weight_ratio_max
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::Gazetteer;
    use crate::ingest::{ReadOptions, read_bytes};

    /// Every shipment is a leg: a field that widens a leg shows here (docs/performance.md).
    #[test]
    fn a_leg_stays_compact() {
        assert!(
            std::mem::size_of::<Leg>() <= 80,
            "Leg is {} bytes",
            std::mem::size_of::<Leg>()
        );
    }

    const HEADER: &str = "shipment_id,date,exporter,exporter_country,importer,importer_country,origin_country,hs_code,description,quantity,unit,value_usd,weight_kg";

    /// A file `name` of a few shipment rows (after the header), every row read.
    fn dataset(rows: &str, name: &str) -> Dataset {
        let d = read_bytes(
            format!("{HEADER}\n{rows}").as_bytes(),
            std::path::Path::new(name),
            &ReadOptions::default(),
            Gazetteer::embedded(),
            None,
        )
        .unwrap();
        assert!(d.rejects.is_empty(), "{:?}", d.rejects);
        d
    }

    /// The ledger of a few shipment rows (after the header).
    fn ledger(rows: &str) -> Ledger {
        Ledger::build(&[&dataset(rows, "t.csv")], &Rules::default())
    }

    /// Taking the rows a few at a time, from the last file's last row to the first file's first,
    /// makes the same legs, holders and words as reading them in place, and leaves the files
    /// their parties.
    #[test]
    fn legs_made_while_taking_the_rows_are_the_legs_made_in_place() {
        let mut a = String::new();
        let mut b = String::new();
        for i in 0..23 {
            a += &format!(
                "A{i},2024-01-{:02},Nvidia Corp,US,Lion City Compute Pte Ltd,SG,US,847150,GPU server 8x H100 {i},{},PCS,{},{}\n",
                1 + i % 28,
                1 + i,
                250000 * (1 + i),
                if i % 3 == 0 {
                    String::new()
                } else {
                    format!("{}", 30 * (i + 1))
                }
            );
            b += &format!(
                "B{i},2024-02-{:02},Lion City Compute Pte. Ltd.,SG,Far East Trading {},HK,US,847150,servers,{},Nos,{},\n",
                1 + i % 28,
                i % 4,
                1 + i % 5,
                200000 * (1 + i % 5)
            );
        }
        let (da, db) = (dataset(&a, "a.csv"), dataset(&b, "b.csv"));
        let rules = Rules::default();
        let whole = Ledger::unlinked(&[&da, &db], &rules);
        for (block, chunk, beside) in [
            (1, 1, false),
            (4, 3, true),
            (7, 16, false),
            (23, 5, true),
            (100, 1 << 14, false),
            (100, 1 << 14, true),
        ] {
            let (mut ta, mut tb) = (da.clone(), db.clone());
            let taken = Ledger::unlinked_taking_rows_by(
                &mut [&mut ta, &mut tb],
                &rules,
                block,
                chunk,
                beside,
            );
            assert_eq!(taken.legs, whole.legs, "block {block}, chunk {chunk}");
            assert_eq!(taken.readings, whole.readings);
            assert_eq!(taken.descriptions, whole.descriptions);
            assert_eq!(taken.holders.list, whole.holders.list);
            assert!(ta.shipments().is_empty() && tb.shipments().is_empty());
            assert_eq!((ta.parties(), tb.parties()), (da.parties(), db.parties()));
        }
        assert_eq!(whole.legs.len(), 46);
        assert_eq!(whole.legs[23].shipment_id, "B0");
        assert_eq!(whole.starts, [0, 23, 46]);
        assert_eq!(
            [0, 22, 23, 45, 46].map(|l| whole.source(l)),
            [(0, 0), (0, 22), (1, 0), (1, 22), (1, 23)]
        );
    }

    #[test]
    fn routes_merged_a_block_of_legs_at_a_time_are_the_routes_merged_at_once() {
        let sample = crate::sample::generate(&crate::sample::SampleConfig::new(3000, 3));
        let mut bytes = Vec::new();
        sample.write_shipments(&mut bytes).unwrap();
        let d = crate::ingest::read_bytes(
            &bytes,
            std::path::Path::new("s.csv"),
            &crate::ingest::ReadOptions::default(),
            crate::gazetteer::Gazetteer::embedded(),
            None,
        )
        .unwrap();
        let rules = Rules::default();
        let l = Ledger::build(&[&d], &rules);
        let routes = |block| {
            let t = l.traced_routes_by(&rules.routes, &[], block);
            (0..t.len()).map(|i| t.route(i)).collect::<Vec<_>>()
        };
        let whole = routes(SHARED_BLOCK);
        let t = l.traced_routes(&rules.routes, &[]);
        assert!(t.members.len() > t.len() + 20, "some traces merge");
        for block in [1, 2, 7, 100] {
            assert_eq!(routes(block), whole, "block {block}");
        }
        // Keeping a few routes keeps them as they were, numbered in order.
        let kept: Vec<u32> = (0..whole.len() as u32).filter(|i| i % 7 == 3).collect();
        let few = l
            .traced_routes(&rules.routes, &[])
            .keeping(kept.iter().copied());
        assert_eq!(few.len(), kept.len());
        for (k, &i) in kept.iter().enumerate() {
            assert_eq!(few.route(k), whole[i as usize]);
            assert!(few.legs_of(k).eq(t.legs_of(i as usize)));
        }
    }

    #[test]
    fn a_legs_reading_number_reads_its_rows_reading_whatever_the_chunks() {
        // Named accelerators at their price and at a part's price, vague and ordinary goods,
        // under sensitive and ordinary codes: several readings, interleaved.
        let goods = [
            ("854231", "NVIDIA H100 80GB GPU", 27000),
            ("847150", "GPU server 8x H200", 310000),
            ("847330", "computer parts", 900),
            ("854232", "DRAM chips 16Gb DDR4", 4),
            ("847150", "servers", 12000),
            ("854231", "H100 heatsink bracket", 35),
        ];
        let mut text = String::new();
        for i in 0..40 {
            let (hs, words, price) = goods[(i * 7 + i / 5) % goods.len()];
            text += &format!(
                "S{i},2024-03-{:02},Vendor Inc,US,Buyer {} Ltd,SG,US,{hs},{words},10,PCS,{},\n",
                1 + i % 28,
                i % 3,
                10 * price
            );
        }
        let d = dataset(&text, "goods.csv");
        let rules = Rules::default();
        let reader = LegReader::new(&[&d], &rules);
        let whole = Ledger::unlinked(&[&d], &rules);
        assert!(whole.readings.len() >= 4, "{:?}", whole.readings);
        // Numbered in the order the legs first show them.
        let mut next = 0;
        for (leg, row) in whole.legs.iter().zip(d.shipments()) {
            assert_eq!(*whole.reading(leg), reader.reading(row), "{}", row.id);
            assert!(leg.reading <= next);
            next = next.max(leg.reading + 1);
        }
        for chunk in [1, 2, 3, 7, 39] {
            let by = Ledger::unlinked_by(&[&d], &rules, chunk);
            assert_eq!(
                (&by.legs, &by.readings),
                (&whole.legs, &whole.readings),
                "{chunk}"
            );
        }
    }

    /// The shipment ids each shipment drew on, as `out<-in` pairs in link order.
    fn links(l: &Ledger) -> Vec<String> {
        l.links
            .iter()
            .map(|k| {
                format!(
                    "{}<-{}",
                    l.legs[k.outbound as usize].shipment_id, l.legs[k.inbound as usize].shipment_id
                )
            })
            .collect()
    }

    #[test]
    fn relabelled_goods_follow_their_quantity_and_weight_not_their_wording() {
        let l = ledger(
            "A,2024-05-02,Vendor Inc,US,Andaman Sourcing Co Ltd,TH,TW,854231,NVIDIA H100 80GB GPU,40,PCS,1080000,92\n\
             B,2024-05-20,Andaman Sourcing Co Ltd,TH,Dalian Haixing Trading,CN,TW,392690,Plastic housings,40,PCS,96000,90",
        );
        assert_eq!(links(&l), ["B<-A"]);
        // Three times the weight per unit: other goods.
        let l = ledger(
            "A,2024-05-02,Vendor Inc,US,Andaman Sourcing Co Ltd,TH,TW,854231,NVIDIA H100 80GB GPU,40,PCS,1080000,92\n\
             B,2024-05-20,Andaman Sourcing Co Ltd,TH,Dalian Haixing Trading,CN,TW,392690,Plastic housings,40,PCS,96000,400",
        );
        assert!(links(&l).is_empty());
        // More than came in: another lot.
        let l = ledger(
            "A,2024-05-02,Vendor Inc,US,Andaman Sourcing Co Ltd,TH,TW,854231,NVIDIA H100 80GB GPU,40,PCS,1080000,92\n\
             B,2024-05-20,Andaman Sourcing Co Ltd,TH,Dalian Haixing Trading,CN,TW,392690,Plastic housings,400,PCS,960000,",
        );
        assert!(links(&l).is_empty());
    }

    #[test]
    fn a_holder_trading_the_outbound_product_sells_it_from_its_own_stock() {
        // The distributor receives switches too: its switch sale does not draw on GPU servers.
        let l = ledger(
            "A,2024-02-01,Vendor Inc,US,Gulf Racks LLC,AE,US,847150,Rack server 8x H100,10,PCS,3000000,\n\
             S,2024-02-05,Switch Maker Co,CN,Gulf Racks LLC,AE,CN,851762,Ethernet switch 48x25G,4,PCS,40000,\n\
             B,2024-03-15,Gulf Racks LLC,AE,Guangzhou Xinda Network,CN,CN,851762,Ethernet switch 48x25G,8,PCS,96000,",
        );
        assert_eq!(links(&l), ["B<-S"]);
        // Without switch stock, an unlike switch sale (other origin, a tenth of the price) does
        // not draw on the servers either: nothing in the rows says it is the same goods.
        let l = ledger(
            "A,2024-02-01,Vendor Inc,US,Gulf Racks LLC,AE,US,847150,Rack server 8x H100,10,PCS,3000000,\n\
             B,2024-03-15,Gulf Racks LLC,AE,Guangzhou Xinda Network,CN,CN,851762,Ethernet switch 48x25G,8,PCS,96000,",
        );
        assert!(links(&l).is_empty());
    }

    #[test]
    fn kilograms_and_pieces_compare_only_through_weight() {
        let rows = |w: &str| {
            format!(
                "A,2024-05-02,Vendor Inc,US,Andaman Sourcing Co Ltd,TH,TW,854231,NVIDIA H100 80GB GPU,40,PCS,1080000,{w}\n\
                 B,2024-05-20,Andaman Sourcing Co Ltd,TH,Dalian Haixing Trading,CN,TW,854231,GPU modules,92,KG,1100000,92"
            )
        };
        assert!(
            links(&ledger(&rows(""))).is_empty(),
            "no weight, no comparison"
        );
        assert_eq!(links(&ledger(&rows("92"))), ["B<-A"]);
    }

    #[test]
    fn pieces_far_below_the_named_stocks_price_are_not_that_stock() {
        let l = ledger(
            "A,2025-08-23,Vendor NV,NL,An Khang Computing,VN,TW,854231,H800 80GB GPU module,100,KG,729930,100\n\
             B,2025-10-21,An Khang Computing,VN,Shenzhen Shenglong,CN,CN,854231,Microcontroller IC,98161,PCS,342708,196",
        );
        assert!(links(&l).is_empty());
    }

    #[test]
    fn lots_priced_like_the_outbound_leg_are_drawn_first() {
        let l = ledger(
            "G,2025-02-03,Vendor A,TW,PT Vegaora,ID,TW,854231,A800 80GB PCIe GPU,8,PCS,110756,20\n\
             C,2025-04-19,Vendor B,MY,PT Vegaora,ID,MY,854231,Desktop CPU 8-core,3158,PCS,2001123,335\n\
             O,2025-04-26,PT Vegaora,ID,Hangzhou Bofeng,CN,MY,854231,Desktop CPU 8-core,1760,PCS,2871195,170",
        );
        assert_eq!(links(&l), ["O<-C"]);
    }

    #[test]
    fn a_source_ships_from_its_own_making_not_from_returns() {
        let l = ledger(
            "R,2024-03-01,Data Centre Ltd,IN,Rhein Silicon GmbH,DE,DE,847150,RMA return server,2,PCS,20000,\n\
             A,2024-03-10,Rhein Silicon GmbH,DE,Buyer One Ltd,HK,DE,847150,GPU server,50,PCS,15000000,\n\
             B,2024-03-12,Rhein Silicon GmbH,DE,Buyer Two Ltd,GB,DE,847150,GPU server,50,PCS,15000000,",
        );
        assert!(links(&l).is_empty());
    }

    #[test]
    fn a_covered_delivery_bounds_the_routes_behind_it() {
        let l = ledger(
            "A,2024-04-02,Vendor Inc,US,Shenzhen Pengcheng AI,CN,TW,854231,NVIDIA H200 GPU,60,PCS,1980000,120\n\
             B,2024-04-25,Shenzhen Pengcheng AI,CN,OOO Severny Veter,RU,TW,903180,Measuring parts,20,PCS,120000,40",
        );
        assert_eq!(links(&l), ["B<-A"]);
        let open = l.routes(&Rules::default().routes, &[]);
        assert_eq!(open.len(), 1);
        let bounded = l.routes(&Rules::default().routes, &[true, false]);
        assert_eq!(
            bounded.len(),
            2,
            "the covered delivery is a route of its own"
        );
    }
}
