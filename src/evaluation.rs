//! Measuring the scorer against labelled data: average precision over shipments, and precision
//! and recall of the flagged routes, computed only from what `score` writes (score, flagged,
//! shipment_ids), so the same numbers come out of a routes CSV and of an in-memory analysis.

use std::collections::{HashMap, HashSet};

/// One route as the evaluation sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteOutcome {
    pub score: f64,
    pub flagged: bool,
    pub shipment_ids: Vec<String>,
}

/// The numbers of one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    /// Average precision of shipments ranked by the highest score of any route holding them.
    pub average_precision: f64,
    /// Flagged routes that are diversion (most of their shipments are), over all flagged routes.
    pub route_precision: f64,
    /// Diversion routes that are flagged, over all diversion routes.
    pub route_recall: f64,
    /// Diversion shipments on flagged routes, over all shipments on flagged routes.
    pub shipment_precision: f64,
    /// Diversion shipments on flagged routes, over all diversion shipments.
    pub shipment_recall: f64,
    pub routes: usize,
    pub flagged: usize,
    pub diversion_shipments: usize,
    pub shipments: usize,
}

/// Evaluates routes against labels (shipment id -> is diversion). Shipments on no route score 0.
pub fn evaluate(routes: &[RouteOutcome], labels: &HashMap<String, bool>) -> Metrics {
    let mut best: HashMap<&str, f64> = HashMap::new();
    for r in routes {
        for id in &r.shipment_ids {
            let e = best.entry(id.as_str()).or_insert(0.0);
            *e = e.max(r.score);
        }
    }
    let mut ranked: Vec<(f64, bool)> = labels
        .iter()
        .map(|(id, d)| (best.get(id.as_str()).copied().unwrap_or(0.0), *d))
        .collect();
    let average_precision = average_precision(&mut ranked);

    let is_diversion_route = |r: &RouteOutcome| {
        let known: Vec<bool> = r
            .shipment_ids
            .iter()
            .filter_map(|id| labels.get(id).copied())
            .collect();
        !known.is_empty() && known.iter().filter(|d| **d).count() * 2 >= known.len()
    };
    let flagged: Vec<&RouteOutcome> = routes.iter().filter(|r| r.flagged).collect();
    let true_flagged = flagged.iter().filter(|r| is_diversion_route(r)).count();
    let diversion_routes = routes.iter().filter(|r| is_diversion_route(r)).count();
    let on_flagged: HashSet<&str> = flagged
        .iter()
        .flat_map(|r| r.shipment_ids.iter().map(String::as_str))
        .collect();
    let diversion_on_flagged = on_flagged
        .iter()
        .filter(|id| labels.get(**id).copied().unwrap_or(false))
        .count();
    let diversion_shipments = labels.values().filter(|d| **d).count();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Metrics {
        average_precision,
        route_precision: ratio(true_flagged, flagged.len()),
        route_recall: ratio(true_flagged, diversion_routes),
        shipment_precision: ratio(diversion_on_flagged, on_flagged.len()),
        shipment_recall: ratio(diversion_on_flagged, diversion_shipments),
        routes: routes.len(),
        flagged: flagged.len(),
        diversion_shipments,
        shipments: labels.len(),
    }
}

/// Average precision with tied scores taken together (as scikit-learn computes it):
/// the sum over score thresholds of (recall gained) x (precision at that threshold).
pub fn average_precision(ranked: &mut [(f64, bool)]) -> f64 {
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = ranked.iter().filter(|r| r.1).count();
    if positives == 0 {
        return 0.0;
    }
    let (mut tp, mut seen, mut ap, mut last_recall) = (0usize, 0usize, 0.0, 0.0);
    let mut i = 0;
    while i < ranked.len() {
        let score = ranked[i].0;
        while i < ranked.len() && ranked[i].0 == score {
            seen += 1;
            tp += usize::from(ranked[i].1);
            i += 1;
        }
        let recall = tp as f64 / positives as f64;
        ap += (recall - last_recall) * (tp as f64 / seen as f64);
        last_recall = recall;
    }
    ap
}

/// Reads labels written by `chiptrail sample` (`shipment_id,label,...`, label `diversion` or
/// `legitimate`; `1`/`0` and `true`/`false` are read too).
pub fn read_labels(text: &str) -> Result<HashMap<String, bool>, String> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let id = header
        .iter()
        .position(|h| h == "shipment_id")
        .ok_or("labels need a shipment_id column")?;
    let label = header
        .iter()
        .position(|h| h == "label" || h == "diversion" || h == "is_diversion")
        .ok_or("labels need a label column")?;
    let mut out = HashMap::new();
    for (n, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("labels line {}: {e}", n + 2))?;
        let v = match rec
            .get(label)
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
            .as_str()
        {
            "diversion" | "1" | "true" | "yes" => true,
            "legitimate" | "0" | "false" | "no" => false,
            other => return Err(format!("labels line {}: unknown label '{other}'", n + 2)),
        };
        out.insert(rec.get(id).unwrap_or("").to_string(), v);
    }
    Ok(out)
}

/// Reads a routes CSV written by `chiptrail score`.
pub fn read_routes(text: &str) -> Result<Vec<RouteOutcome>, String> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("routes need a {name} column"))
    };
    let (score, flagged, ids) = (col("score")?, col("flagged")?, col("shipment_ids")?);
    reader
        .records()
        .enumerate()
        .map(|(n, rec)| {
            let rec = rec.map_err(|e| format!("routes line {}: {e}", n + 2))?;
            Ok(RouteOutcome {
                score: rec
                    .get(score)
                    .unwrap_or("")
                    .parse()
                    .map_err(|_| format!("routes line {}: bad score", n + 2))?,
                flagged: rec.get(flagged) == Some("true"),
                shipment_ids: rec
                    .get(ids)
                    .unwrap_or("")
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_precision_matches_hand_computation() {
        // Ranked: +, -, +  -> AP = (1/2)(1/1) + (1/2)(2/3)
        let mut r = vec![(0.9, true), (0.8, false), (0.7, true)];
        assert!((average_precision(&mut r) - (0.5 + 1.0 / 3.0)).abs() < 1e-12);
        // All tied: precision is the base rate.
        let mut r = vec![(0.5, true), (0.5, false), (0.5, false), (0.5, true)];
        assert!((average_precision(&mut r) - 0.5).abs() < 1e-12);
        let mut perfect = vec![(0.9, true), (0.1, false)];
        assert_eq!(average_precision(&mut perfect), 1.0);
    }

    #[test]
    fn route_and_shipment_precision_and_recall() {
        let labels: HashMap<String, bool> = [
            ("a", true),
            ("b", true),
            ("c", false),
            ("d", false),
            ("e", true),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
        let routes = vec![
            RouteOutcome {
                score: 0.9,
                flagged: true,
                shipment_ids: vec!["a".into(), "b".into()],
            },
            RouteOutcome {
                score: 0.6,
                flagged: true,
                shipment_ids: vec!["c".into()],
            },
            RouteOutcome {
                score: 0.2,
                flagged: false,
                shipment_ids: vec!["d".into()],
            },
            RouteOutcome {
                score: 0.1,
                flagged: false,
                shipment_ids: vec!["e".into()],
            },
        ];
        let m = evaluate(&routes, &labels);
        assert_eq!((m.flagged, m.routes), (2, 4));
        assert_eq!(m.route_precision, 0.5);
        assert_eq!(m.route_recall, 0.5);
        assert!((m.shipment_precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.shipment_recall - 2.0 / 3.0).abs() < 1e-12);
    }
}
