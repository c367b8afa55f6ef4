//! Places on routes and place filters: what the map's flows and a click on a place read.

use std::path::Path;

use chiptrail::analysis::Analysis;
use chiptrail::filter::{PlaceFilter, PlaceRole, RouteFilter};
use chiptrail::flowmap::{FlowSummary, PlaceKind, RoutePlaces};
use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{ReadOptions, read_bytes};
use chiptrail::rules::Rules;

use super::path;

/// A US vendor ships to Singapore, which ships on to China, through named ports; a second chain
/// goes to Malaysia with a port of discharge that is in Singapore, not Malaysia (a clerk's slip
/// or a transhipment): the place is the country, not a hub abroad.
const ROWS: &str = "shipment_id,date,exporter,exporter_country,importer,importer_country,hs_code,description,quantity,value_usd,port_of_loading,port_of_discharge\n\
S-1,2024-03-01,Cascade Silicon Inc.,US,Lion Gate Trading Pte Ltd,SG,854231,NVIDIA H100 GPU,40,1200000,USLAX,SGSIN\n\
S-2,2024-03-20,Lion Gate Trading Pte Ltd,SG,Eastern Star Compute Co. Ltd.,CN,854231,NVIDIA H100 GPU,40,1300000,SGSIN,CNSHA\n\
M-1,2024-04-02,Cascade Silicon Inc.,US,Klang Data Sdn Bhd,MY,854231,NVIDIA A100 GPU,10,200000,USLAX,SGSIN\n\
M-2,2024-04-20,Klang Data Sdn Bhd,MY,Eastern Star Compute Co. Ltd.,CN,854231,NVIDIA A100 GPU,10,210000,,\n";

fn analysed() -> (Analysis, chiptrail::model::Dataset) {
    let g = Gazetteer::embedded();
    let d = read_bytes(
        ROWS.as_bytes(),
        Path::new("ports.csv"),
        &ReadOptions::default(),
        g,
        None,
    )
    .unwrap();
    assert!(d.rejects.is_empty(), "{:?}", d.rejects);
    let a = Analysis::run(&[&d], &[], &Rules::default(), g);
    (a, d)
}

fn codes(places: &RoutePlaces, i: usize) -> Vec<String> {
    places
        .of(i)
        .iter()
        .map(|p| places.place(*p).code.clone())
        .collect()
}

#[test]
fn a_stop_is_the_hub_its_shipments_name_in_that_country_else_the_country() {
    let (a, d) = analysed();
    let g = Gazetteer::embedded();
    let places = RoutePlaces::build(&a, &[&d], g);
    let route = |p: &str| a.routes.iter().position(|r| path(r) == p).unwrap();
    let sg = route("US>SG>CN");
    assert_eq!(codes(&places, sg), ["USLAX", "SGSIN", "CNSHA"]);
    // SGSIN is named as the discharge port of the shipment to Malaysia: not a Malaysian hub.
    let my = route("US>MY>CN");
    assert_eq!(codes(&places, my), ["USLAX", "MY", "CN"]);
    assert!(matches!(
        places.place(places.of(my)[1]).kind,
        PlaceKind::Country(_)
    ));
    // Given other files than those scored, every stop is its country.
    let other = read_bytes(
        ROWS.replace("1200000", "1200001").as_bytes(),
        Path::new("other.csv"),
        &ReadOptions::default(),
        g,
        None,
    )
    .unwrap();
    let blind = RoutePlaces::build(&a, &[&other], g);
    assert_eq!(codes(&blind, sg), ["US", "SG", "CN"]);
    // Both routes leave from Los Angeles: one place, two flows out of it.
    let visible: Vec<usize> = (0..a.routes.len()).collect();
    let summary = FlowSummary::build(&a, &places, &visible, &[]);
    let lax = places.find("USLAX").unwrap();
    assert_eq!(summary.flows.iter().filter(|f| f.from == lax).count(), 2);
    assert_eq!(summary.totals[lax as usize].routes, 2);
}

#[test]
fn place_filters_read_the_role_of_the_place_on_the_route() {
    let (a, d) = analysed();
    let g = Gazetteer::embedded();
    let places = RoutePlaces::build(&a, &[&d], g);
    let shown = |code: &str, role: PlaceRole| -> Vec<String> {
        let filter = RouteFilter {
            places: vec![PlaceFilter {
                code: code.into(),
                name: code.into(),
                role,
            }],
            ..RouteFilter::default()
        };
        let mut paths: Vec<String> = filter
            .apply_at(&a, &[], Some(&places))
            .into_iter()
            .map(|i| path(&a.routes[i]))
            .collect();
        paths.sort();
        paths
    };
    assert_eq!(shown("SGSIN", PlaceRole::Through), ["US>SG>CN"]);
    assert_eq!(shown("SGSIN", PlaceRole::Into), Vec::<String>::new());
    // The port named on the Malaysian chain is not where that route stops.
    assert_eq!(shown("SGSIN", PlaceRole::Any), ["US>SG>CN"]);
    assert_eq!(shown("MY", PlaceRole::Through), ["US>MY>CN"]);
    assert_eq!(shown("CN", PlaceRole::Into), ["US>MY>CN", "US>SG>CN"]);
    assert_eq!(shown("USLAX", PlaceRole::OutOf), ["US>MY>CN", "US>SG>CN"]);
    assert_eq!(shown("US", PlaceRole::Into), Vec::<String>::new());
    assert_eq!(shown("XXXXX", PlaceRole::Any), Vec::<String>::new());
}
