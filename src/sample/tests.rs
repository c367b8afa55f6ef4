use std::collections::{HashMap, HashSet};

use super::*;

fn bytes(s: &Sample) -> [Vec<u8>; 4] {
    let mut out: [Vec<u8>; 4] = Default::default();
    s.write_shipments(&mut out[0]).unwrap();
    s.write_labels(&mut out[1]).unwrap();
    s.write_screening(&mut out[2]).unwrap();
    s.write_licences(&mut out[3]).unwrap();
    out
}

const ALL: [Vocabulary; 3] = [Vocabulary::Full, Vocabulary::Tuning, Vocabulary::HeldOut];

#[test]
fn same_seed_same_files_other_seed_other_sample() {
    for vocabulary in ALL {
        let config = |seed| SampleConfig {
            rows: 800,
            seed,
            vocabulary,
            licensed_world: true,
        };
        let a = generate(&config(3));
        let b = generate(&config(3));
        let c = generate(&config(4));
        assert_eq!(a, b);
        assert_eq!(bytes(&a), bytes(&b), "{vocabulary}");
        assert_ne!(a.shipments, c.shipments);
    }
    let full = generate(&SampleConfig::new(800, 3));
    let tuning = generate(&SampleConfig {
        vocabulary: Vocabulary::Tuning,
        ..SampleConfig::new(800, 3)
    });
    assert_ne!(full.shipments, tuning.shipments);
}

#[test]
fn every_pattern_appears_with_its_label_and_labels_line_up() {
    for vocabulary in ALL {
        let s = generate(&SampleConfig {
            rows: 1500,
            seed: 11,
            vocabulary,
            licensed_world: true,
        });
        assert!(s.shipments.len() >= 1500);
        assert_eq!(s.shipments.len(), s.labels.len());
        for (ship, label) in s.shipments.iter().zip(&s.labels) {
            assert_eq!(ship.id, label.shipment_id);
        }
        for l in &s.labels {
            let list = if l.diversion {
                DIVERSION_PATTERNS
            } else {
                LEGITIMATE_PATTERNS
            };
            assert!(list.contains(&l.pattern), "{l:?}");
        }
        for p in DIVERSION_PATTERNS {
            assert!(
                s.labels.iter().any(|l| l.diversion && l.pattern == *p),
                "{vocabulary}: no {p}"
            );
        }
        for p in LEGITIMATE_PATTERNS {
            assert!(
                s.labels.iter().any(|l| !l.diversion && l.pattern == *p),
                "{vocabulary}: no {p}"
            );
        }
        let share = s.labels.iter().filter(|l| l.diversion).count() as f64 / s.labels.len() as f64;
        assert!((0.03..0.3).contains(&share), "diversion share {share}");
        let ids: HashSet<_> = s.shipments.iter().map(|x| &x.id).collect();
        assert_eq!(ids.len(), s.shipments.len(), "shipment ids are unique");
        assert!(s.screening.len() > 12);
        assert!(!s.licences.is_empty());
    }
}

#[test]
fn look_alikes_come_in_volume() {
    let s = generate(&SampleConfig::new(20_000, 5));
    let mut rows: HashMap<&str, usize> = HashMap::new();
    for l in &s.labels {
        *rows.entry(l.pattern).or_default() += 1;
    }
    let diversion = s.labels.iter().filter(|l| l.diversion).count();
    // Licensed exports straight to China are a large flow, larger than most diversion patterns
    // together; the other look-alikes are each a sizeable share.
    assert!(rows["licensed_direct"] * 4 > diversion, "{rows:?}");
    for p in [
        "distributor_allies",
        "datacenter_keep",
        "odm_assembly",
        "uncontrolled_china",
        "hk_consumer_reexport",
    ] {
        assert!(rows[p] * 10 > diversion, "{p}: {rows:?}");
    }
}

#[test]
fn shipments_are_in_date_order_with_plausible_values() {
    let s = generate(&SampleConfig::new(1000, 5));
    assert!(s.shipments.windows(2).all(|w| w[0].date <= w[1].date));
    for x in &s.shipments {
        assert!(x.value_usd > 0.0 && x.quantity > 0 && x.weight_kg > 0.0);
        assert_ne!(x.exporter_country, x.importer_country, "{x:?}");
    }
}

#[test]
fn licences_are_sane_and_fall_in_the_licensed_era() {
    let s = generate(&SampleConfig::new(3000, 9));
    let era = Date::from_ymd(2025, 12, 8).unwrap();
    let ids: HashSet<_> = s.licences.iter().map(|l| &l.licence_id).collect();
    assert_eq!(ids.len(), s.licences.len(), "licence ids are unique");
    for l in &s.licences {
        assert!(l.valid_from >= era && l.valid_from < l.valid_to, "{l:?}");
        assert!(l.quantity > 0 && l.value_usd > 0.0, "{l:?}");
        assert_eq!(l.consignee_country, "CN");
        assert!(matches!(l.exporter_country, "US" | "TW"), "{l:?}");
        let digits = l.hs_code.chars().filter(char::is_ascii_digit).count();
        assert!((4..=6).contains(&digits), "{l:?}");
        assert!(l.description.contains("H200"), "{l:?}");
    }
    // Licensed shipments go straight to China and stay there; leaks go on to Russia or Iran.
    for (ship, l) in s.shipments.iter().zip(&s.labels) {
        match l.pattern {
            "licensed_direct" | "licence_overrun" | "licence_expired" | "no_licence" => {
                assert_eq!(ship.importer_country, "CN", "{ship:?}");
            }
            _ => {}
        }
    }
    let leak_ends: HashSet<_> = s
        .shipments
        .iter()
        .zip(&s.labels)
        .filter(|(_, l)| l.pattern == "licensed_consignee_leak")
        .map(|(x, _)| x.importer_country)
        .collect();
    assert!(
        !leak_ends.contains("CN"),
        "the licensed deliveries a leak drew on stay licensed_direct"
    );
    assert!(leak_ends.contains("RU") || leak_ends.contains("IR"));
}

#[test]
fn licensed_goods_stay_with_their_consignee_unless_they_leak() {
    let s = generate(&SampleConfig::new(6000, 13));
    let key = |n: &str| crate::parties::normalise(n);
    let licensed_consignees: HashSet<String> = s
        .shipments
        .iter()
        .zip(&s.labels)
        .filter(|(_, l)| l.pattern == "licensed_direct")
        .map(|(x, _)| key(&x.importer))
        .collect();
    for (x, l) in s.shipments.iter().zip(&s.labels) {
        if licensed_consignees.contains(&key(&x.exporter)) {
            assert_eq!(l.pattern, "licensed_consignee_leak", "{x:?}");
        }
    }
}

#[test]
fn dead_end_firms_never_ship() {
    let s = generate(&SampleConfig::new(6000, 17));
    let key = |n: &str| crate::parties::normalise(n);
    let sinks: HashSet<String> = s
        .shipments
        .iter()
        .zip(&s.labels)
        .filter(|(x, l)| {
            l.pattern == "transit_dead_end"
                && matches!(x.importer_country, "KZ" | "AM" | "AE" | "KG" | "UZ")
        })
        .map(|(x, _)| key(&x.importer))
        .collect();
    assert!(!sinks.is_empty());
    for x in &s.shipments {
        assert!(!sinks.contains(&key(&x.exporter)), "{x:?}");
    }
}
