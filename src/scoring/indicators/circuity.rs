//! Route circuity: the sum of great-circle legs over the direct great-circle distance. Goods for
//! Moscow do not need to pass Kuala Lumpur and Mumbai.

use super::{Indicator, ramp};
use crate::geometry::circuity;
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct Circuity;

/// Below this direct distance a ratio says little (Hong Kong to Shenzhen).
const MIN_DIRECT_KM: f64 = 1000.0;

impl Indicator for Circuity {
    fn name(&self) -> &'static str {
        "circuity"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.circuity.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        let c = &rules.indicators.circuity;
        format!(
            "0 at <= {}x the direct distance, 1 at >= {}x (direct >= {MIN_DIRECT_KM} km)",
            c.low, c.high
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let countries = &ctx.route.countries;
        if countries.len() < 3 {
            return Finding::none();
        }
        // The stops' points, on the stack for routes of up to 8 stops.
        let mut small = [geo::Point::new(0.0, 0.0); 8];
        let mut heap = Vec::new();
        let points: &mut [geo::Point<f64>] = if countries.len() <= small.len() {
            &mut small[..countries.len()]
        } else {
            heap.resize(countries.len(), geo::Point::new(0.0, 0.0));
            &mut heap
        };
        for (p, c) in points.iter_mut().zip(countries) {
            match ctx.gazetteer.country(*c).point {
                Some(point) => *p = point,
                None => return Finding::none(),
            }
        }
        let Some((path_km, direct_km)) = circuity(points) else {
            return Finding::none();
        };
        if direct_km < MIN_DIRECT_KM {
            return Finding::none();
        }
        let ratio = path_km / direct_km;
        let c = &ctx.rules.indicators.circuity;
        let value = ramp(ratio, c.low, c.high);
        if value <= 0.0 {
            return Finding::none();
        }
        Finding::new(
            value,
            ctx.say(|| {
                format!(
                    "{path_km:.0} km along the route against {direct_km:.0} km direct ({ratio:.1}x)"
                )
            }),
            ctx.legs(|| ctx.route.legs.clone()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::Gazetteer;
    use crate::scoring::indicators::testkit::case;

    /// The route's path and direct distances, from the gazetteer's points.
    fn distances(codes: &[&str]) -> (f64, f64) {
        let g = Gazetteer::embedded();
        let points: Vec<_> = codes
            .iter()
            .map(|c| g.country(g.by_code(c).unwrap()).point.unwrap())
            .collect();
        circuity(&points).unwrap()
    }

    #[test]
    fn a_detour_through_malaysia_and_india_to_russia_is_circuitous() {
        let c = case(
            "IN-1,2024-02-01,Pacific Crest Systems Inc.,US,Klang Data Sdn. Bhd.,MY,TW,847150,Dell PowerEdge XE9680 server 8x H100,10,SET,3000000,1200\n\
             IN-2,2024-02-20,Klang Data Sdn. Bhd.,MY,Deccan Compute Pvt. Ltd.,IN,TW,847150,Dell PowerEdge XE9680 server 8x H100,10,SET,3100000,1200\n\
             IN-3,2024-03-05,Deccan Compute Pvt. Ltd.,IN,OOO Volga Compute,RU,TW,847150,Dell PowerEdge XE9680 server 8x H100,10,SET,3300000,1200",
        );
        assert_eq!(c.route_ids("IN-3"), ["IN-1", "IN-2", "IN-3"]);
        let f = c.eval(&Circuity, "IN-3");
        let (path, direct) = distances(&["US", "MY", "IN", "RU"]);
        let r = Rules::default().indicators.circuity;
        let ratio = path / direct;
        assert!(ratio > r.low, "{ratio}");
        assert!((f.value - ramp(ratio, r.low, r.high)).abs() < 1e-12);
        assert_eq!(
            f.evidence,
            format!("{path:.0} km along the route against {direct:.0} km direct ({ratio:.1}x)")
        );
        assert_eq!(c.ids(&f.legs), ["IN-1", "IN-2", "IN-3"]);
    }

    #[test]
    fn a_direct_route_or_one_along_the_way_is_not_circuitous() {
        let c = case(
            "D-1,2024-02-01,Pacific Crest Systems Inc.,US,OOO Volga Compute,RU,TW,847150,Dell PowerEdge XE9680 server 8x H100,10,SET,3000000,1200\n\
             W-1,2024-02-01,Rhein Silicon GmbH,DE,Warszawa Serwery Sp. z o.o.,PL,DE,847150,Dell PowerEdge XE9680 server 8x H100,10,SET,3000000,1200\n\
             W-2,2024-02-20,Warszawa Serwery Sp. z o.o.,PL,Minsk Vychislenia OOO,BY,DE,847150,Dell PowerEdge XE9680 server 8x H100,10,SET,3100000,1200",
        );
        assert_eq!(c.eval(&Circuity, "D-1"), Finding::none());
        // Germany, Poland, Belarus lie on one line.
        assert_eq!(c.route_ids("W-2"), ["W-1", "W-2"]);
        let (path, direct) = distances(&["DE", "PL", "BY"]);
        assert!(path / direct <= Rules::default().indicators.circuity.low);
        assert_eq!(c.eval(&Circuity, "W-2"), Finding::none());
    }
}
