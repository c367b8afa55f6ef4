//! Canonical shipment columns, the header names vendors use for them, and mapping files.

use std::collections::HashMap;

use serde::Deserialize;

use crate::text::squash;

/// A column of the native shipment format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    ShipmentId,
    Date,
    Exporter,
    ExporterCountry,
    Importer,
    ImporterCountry,
    OriginCountry,
    HsCode,
    Description,
    Quantity,
    Unit,
    ValueUsd,
    WeightKg,
    PortOfLoading,
    PortOfDischarge,
    TransportMode,
}

impl Column {
    /// Every column, in the order of the formats document.
    pub const ALL: [Column; 16] = [
        Column::ShipmentId,
        Column::Date,
        Column::Exporter,
        Column::ExporterCountry,
        Column::Importer,
        Column::ImporterCountry,
        Column::OriginCountry,
        Column::HsCode,
        Column::Description,
        Column::Quantity,
        Column::Unit,
        Column::ValueUsd,
        Column::WeightKg,
        Column::PortOfLoading,
        Column::PortOfDischarge,
        Column::TransportMode,
    ];

    /// The canonical name (`exporter_country`).
    pub fn name(self) -> &'static str {
        match self {
            Column::ShipmentId => "shipment_id",
            Column::Date => "date",
            Column::Exporter => "exporter",
            Column::ExporterCountry => "exporter_country",
            Column::Importer => "importer",
            Column::ImporterCountry => "importer_country",
            Column::OriginCountry => "origin_country",
            Column::HsCode => "hs_code",
            Column::Description => "description",
            Column::Quantity => "quantity",
            Column::Unit => "unit",
            Column::ValueUsd => "value_usd",
            Column::WeightKg => "weight_kg",
            Column::PortOfLoading => "port_of_loading",
            Column::PortOfDischarge => "port_of_discharge",
            Column::TransportMode => "transport_mode",
        }
    }

    /// True for the columns every shipment row must have.
    pub fn required(self) -> bool {
        matches!(
            self,
            Column::Date
                | Column::Exporter
                | Column::ExporterCountry
                | Column::Importer
                | Column::ImporterCountry
                | Column::HsCode
                | Column::Quantity
                | Column::ValueUsd
        )
    }

    /// Header names seen for this column, squashed (lower case, no spaces or punctuation), best first.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::ShipmentId => &[
                "shipmentid",
                "id",
                "recordid",
                "billofladingnumber",
                "billofladingno",
                "billoflading",
                "blnumber",
                "blno",
                "bolnumber",
                "bol",
                "bl",
                "masterbilloflading",
                "masterblnumber",
                "houseblnumber",
                "declarationnumber",
                "declarationno",
                "declarationnr",
                "declarationid",
                "entrynumber",
                "entryno",
                "recordno",
                "transactionid",
                "shipmentno",
            ],
            Column::Date => &[
                "date",
                "shipmentdate",
                "arrivaldate",
                "actualarrivaldate",
                "departuredate",
                "exportdate",
                "importdate",
                "declarationdate",
                "dateofdeclaration",
                "acceptancedate",
                "dateofacceptance",
                "shippingdate",
                "dateofshipment",
                "billofladingdate",
                "bldate",
                "sailingdate",
                "estimatedarrivaldate",
                "entrydate",
                "transactiondate",
            ],
            Column::Exporter => &[
                "exporter",
                "exportername",
                "shipper",
                "shippername",
                "seller",
                "sellername",
                "supplier",
                "suppliername",
                "sellerid",
                "supplierid",
                "consignor",
                "consignorname",
                "vendor",
                "vendorname",
                "exporterid",
                "consignorid",
            ],
            Column::ExporterCountry => &[
                "exportercountry",
                "shippercountry",
                "sellercountry",
                "suppliercountry",
                "consignorcountry",
                "vendorcountry",
                "countryofexport",
                "exportcountry",
                "countryofdeparture",
                "departurecountry",
                "countryofdispatch",
                "dispatchcountry",
                "countryofconsignment",
                "consignmentcountry",
                "tradingcountry",
                "shippercountrycode",
                "exportercountrycode",
                "countryofshipment",
                "shipmentcountry",
            ],
            Column::Importer => &[
                "importer",
                "importername",
                "consignee",
                "consigneename",
                "buyer",
                "buyername",
                "receiver",
                "receivername",
                "customer",
                "customername",
                "importerid",
                "consigneeid",
                "buyerid",
            ],
            Column::ImporterCountry => &[
                "importercountry",
                "consigneecountry",
                "buyercountry",
                "receivercountry",
                "customercountry",
                "countryofimport",
                "importcountry",
                "destinationcountry",
                "countryofdestination",
                "consigneecountrycode",
                "importercountrycode",
            ],
            Column::OriginCountry => &[
                "origincountry",
                "countryoforigin",
                "coo",
                "origin",
                "countryofmanufacture",
                "manufacturecountry",
                "madein",
            ],
            Column::HsCode => &[
                "hscode",
                "hs",
                "hts",
                "htscode",
                "htsnumber",
                "hsncode",
                "hsn",
                "hs6",
                "hs6code",
                "hscode6",
                "hs8code",
                "hscode8",
                "hs10code",
                "hscode10",
                "hs8",
                "hs10",
                "hscodes",
                "harmonizedcode",
                "harmonisedcode",
                "tariffcode",
                "commoditycode",
                "customscode",
            ],
            Column::Description => &[
                "description",
                "productdescription",
                "goodsdescription",
                "itemdescription",
                "commoditydescription",
                "cargodescription",
                "descriptionofgoods",
                "product",
                "productname",
                "goods",
            ],
            Column::Quantity => &[
                "quantity",
                "qty",
                "qtypcs",
                "quantitypcs",
                "quantityunits",
                "units",
                "numberofunits",
                "unitsshipped",
                "pieces",
                "pcs",
            ],
            Column::Unit => &[
                "unit",
                "uom",
                "unitofmeasure",
                "unitofmeasurement",
                "quantityunit",
                "qtyunit",
                "unitcode",
            ],
            Column::ValueUsd => &[
                "valueusd",
                "valueinusd",
                "value",
                "usdvalue",
                "totalvalueusd",
                "totalvalue",
                "declaredvalue",
                "declaredvalueusd",
                "invoicevalue",
                "invoicevalueusd",
                "amountusd",
                "fobvalueusd",
                "fobusd",
                "cifvalueusd",
                "customsvalue",
                "customsvalueusd",
                "valueus",
                "tradevalue",
                "tradevalueusd",
                "statisticalvalue",
                "statisticalvalueusd",
                "itemprice",
                "itempriceusd",
                "itemvalue",
                "itemvalueusd",
            ],
            Column::WeightKg => &[
                "weightkg",
                "weight",
                "grossweight",
                "grossweightkg",
                "netweight",
                "netweightkg",
                "kg",
                "weightinkg",
                "netmass",
                "netmasskg",
                "grossmass",
                "grossmasskg",
            ],
            Column::PortOfLoading => &[
                "portofloading",
                "portoflading",
                "pol",
                "loadingport",
                "foreignportoflading",
                "portofexport",
                "portofdeparture",
                "departureport",
                "originport",
            ],
            Column::PortOfDischarge => &[
                "portofdischarge",
                "portofunlading",
                "pod",
                "dischargeport",
                "usportofunlading",
                "portofarrival",
                "arrivalport",
                "destinationport",
                "portofentry",
                "portofimport",
            ],
            Column::TransportMode => &[
                "transportmode",
                "modeoftransport",
                "modeoftransportation",
                "mode",
                "shippingmode",
                "transportmethod",
                "shipmentmode",
                "mot",
            ],
        }
    }

    /// The canonical column named `name` (`importer_country`), exactly.
    pub fn from_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Required columns for which `has` says no. A weight stands in for a missing quantity
    /// (national declarations often count no pieces: the quantity is then the weight in kg).
    pub fn missing_from(has: impl Fn(Column) -> bool) -> Vec<Column> {
        Column::ALL
            .into_iter()
            .filter(|c| c.required() && !has(*c))
            .filter(|c| *c != Column::Quantity || !has(Column::WeightKg))
            .collect()
    }

    /// The column a canonical name (`exporter_country`) or alias (`Shipper`) denotes.
    pub fn from_header(header: &str) -> Option<Column> {
        let key = squash(header);
        // Exact alias first across all columns, so `Shipper Country` never counts as `Shipper`.
        Column::ALL
            .into_iter()
            .find(|c| c.aliases().contains(&key.as_str()))
    }
}

/// Where each canonical column sits in a file's header, and the values a mapping fixes for
/// columns the file lacks (every row an import into KR).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColumnMap {
    /// Field index per column, indexed by `Column as usize`: read for every cell, so no hashing.
    index: [Option<usize>; Column::ALL.len()],
    /// The value every row has, per column, when the mapping gives one.
    fixed: [Option<String>; Column::ALL.len()],
}

impl ColumnMap {
    /// The field index of `column`, when the file has it.
    pub fn get(&self, column: Column) -> Option<usize> {
        self.index[column as usize]
    }

    /// The value every row has in `column`, when the mapping fixes one.
    pub fn fixed(&self, column: Column) -> Option<&str> {
        self.fixed[column as usize].as_deref()
    }

    /// True when the rows have `column`: from the file, or fixed by the mapping.
    pub fn has(&self, column: Column) -> bool {
        self.get(column).is_some() || self.fixed(column).is_some()
    }

    fn set(&mut self, column: Column, field: usize) {
        self.index[column as usize] = Some(field);
    }

    /// Required columns the rows lack (a weight stands in for the quantity).
    pub fn missing(&self) -> Vec<Column> {
        Column::missing_from(|c| self.has(c))
    }

    /// (canonical name, value) for every fixed column, in canonical order.
    pub fn describe_fixed(&self) -> Vec<(String, String)> {
        Column::ALL
            .into_iter()
            .filter_map(|c| self.fixed(c).map(|v| (c.name().to_string(), v.to_string())))
            .collect()
    }

    /// How many columns were recognised.
    pub fn len(&self) -> usize {
        self.index.iter().flatten().count()
    }

    /// True when nothing was recognised.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// (canonical name, header as written) for every mapped column, in canonical order.
    pub fn describe(&self, header: &[String]) -> Vec<(String, String)> {
        Column::ALL
            .into_iter()
            .filter_map(|c| {
                self.get(c)
                    .map(|i| (c.name().to_string(), header[i].clone()))
            })
            .collect()
    }

    /// Recognises the columns of `header`; for a column named twice (`Arrival Date`,
    /// `Shipment Date`) the better alias wins. `mapping` names override the guesses.
    pub fn from_header(header: &[String], mapping: Option<&Mapping>) -> Result<ColumnMap, String> {
        let mut index: HashMap<Column, (usize, usize)> = HashMap::new();
        for (i, h) in header.iter().enumerate() {
            let key = squash(h);
            if let Some(col) = Column::from_header(h) {
                let rank = col
                    .aliases()
                    .iter()
                    .position(|a| *a == key)
                    .unwrap_or(usize::MAX);
                match index.get(&col) {
                    Some((_, best)) if *best <= rank => {}
                    _ => {
                        index.insert(col, (i, rank));
                    }
                }
            }
        }
        let mut map = ColumnMap::default();
        for (column, (field, _)) in index {
            map.set(column, field);
        }
        if let Some(mapping) = mapping {
            for (col, wanted) in mapping.pairs() {
                let want = squash(wanted);
                let i = header
                    .iter()
                    .position(|h| h.trim() == wanted.trim())
                    .or_else(|| header.iter().position(|h| squash(h) == want))
                    .ok_or_else(|| {
                        format!(
                            "the mapping file maps {} to '{}', but the file has no such column; its columns are: {}",
                            col.name(),
                            wanted,
                            header.join(", ")
                        )
                    })?;
                // A header claimed by the mapping no longer stands for another column.
                for slot in &mut map.index {
                    if *slot == Some(i) {
                        *slot = None;
                    }
                }
                map.set(col, i);
            }
            for (col, value) in mapping.values() {
                if let Some(header) = mapping.pairs().iter().find(|(c, _)| *c == col) {
                    return Err(format!(
                        "the mapping gives {} both a column ('{}') and a value for every row ('{value}'): keep one",
                        col.name(),
                        header.1
                    ));
                }
                if value.trim().is_empty() {
                    return Err(format!(
                        "the value for every row of {} is empty",
                        col.name()
                    ));
                }
                // A fixed value replaces whatever header was guessed for the column.
                map.index[col as usize] = None;
                map.fixed[col as usize] = Some(value.trim().to_string());
            }
        }
        Ok(map)
    }
}

/// A mapping file: `[columns]` canonical column = header in the file, `[values]` canonical
/// column = the value every row has (for a column the file lacks), and optional `[options]`.
///
/// ```toml
/// [columns]
/// exporter = "Remitente"
/// [values]
/// importer_country = "KR"
/// [options]
/// date_order = "dmy"
/// ```
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub columns: MappedColumns,
    /// Values every row has, for columns the file lacks (a country's own declarations never
    /// name the country): the same keys as `[columns]`.
    #[serde(default)]
    pub values: MappedColumns,
    #[serde(default)]
    pub options: MappingOptions,
}

/// The `[columns]` table of a mapping file (canonical column = header), and the `[values]` table
/// (canonical column = the value of every row).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MappedColumns {
    pub shipment_id: Option<String>,
    pub date: Option<String>,
    pub exporter: Option<String>,
    pub exporter_country: Option<String>,
    pub importer: Option<String>,
    pub importer_country: Option<String>,
    pub origin_country: Option<String>,
    pub hs_code: Option<String>,
    pub description: Option<String>,
    pub quantity: Option<String>,
    pub unit: Option<String>,
    pub value_usd: Option<String>,
    pub weight_kg: Option<String>,
    pub port_of_loading: Option<String>,
    pub port_of_discharge: Option<String>,
    pub transport_mode: Option<String>,
}

/// The `[options]` table of a mapping file.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MappingOptions {
    /// `mdy` or `dmy`, for dates like 03/04/2024 when the data cannot decide.
    pub date_order: Option<crate::ingest::values::DateOrder>,
    /// Force the decimal separator: `true` for `1.234,50`.
    pub decimal_comma: Option<bool>,
}

impl Mapping {
    /// A mapping from (column, header) pairs, as the app's column-mapping dialog builds it.
    pub fn from_pairs(pairs: &[(Column, String)]) -> Mapping {
        let mut m = Mapping::default();
        for (col, header) in pairs {
            *m.columns.slot(*col) = Some(header.clone());
        }
        m
    }

    /// Adds values every row has (`importer_country` = `KR`), as the dialog's "same for every
    /// row" fields give them.
    pub fn with_values(mut self, values: &[(Column, String)]) -> Mapping {
        for (col, value) in values {
            *self.values.slot(*col) = Some(value.clone());
        }
        self
    }

    /// Reads a mapping file's text; errors name the offending key and its line.
    pub fn parse(text: &str) -> Result<Mapping, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
    }

    /// The mapping as a mapping file's text, which [`Mapping::parse`] reads back unchanged.
    pub fn to_toml(&self) -> String {
        let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut out = String::from(
            "# Chiptrail column mapping: [columns] canonical column = header in the file,\n\
             # [values] canonical column = the value every row has\n",
        );
        for (table, pairs) in [("columns", self.pairs()), ("values", self.values())] {
            if !pairs.is_empty() {
                out.push_str(&format!("[{table}]\n"));
                for (col, text) in pairs {
                    out.push_str(&format!("{} = {}\n", col.name(), quote(text)));
                }
            }
        }
        let o = &self.options;
        if o.date_order.is_some() || o.decimal_comma.is_some() {
            out.push_str("[options]\n");
            if let Some(d) = o.date_order {
                out.push_str(&format!("date_order = {}\n", quote(d.name())));
            }
            if let Some(c) = o.decimal_comma {
                out.push_str(&format!("decimal_comma = {c}\n"));
            }
        }
        out
    }

    /// (column, header) for every mapped column.
    pub fn pairs(&self) -> Vec<(Column, &str)> {
        self.columns.entries()
    }

    /// (column, value) for every column whose value the mapping fixes.
    pub fn values(&self) -> Vec<(Column, &str)> {
        self.values.entries()
    }
}

impl MappedColumns {
    fn slot(&mut self, col: Column) -> &mut Option<String> {
        match col {
            Column::ShipmentId => &mut self.shipment_id,
            Column::Date => &mut self.date,
            Column::Exporter => &mut self.exporter,
            Column::ExporterCountry => &mut self.exporter_country,
            Column::Importer => &mut self.importer,
            Column::ImporterCountry => &mut self.importer_country,
            Column::OriginCountry => &mut self.origin_country,
            Column::HsCode => &mut self.hs_code,
            Column::Description => &mut self.description,
            Column::Quantity => &mut self.quantity,
            Column::Unit => &mut self.unit,
            Column::ValueUsd => &mut self.value_usd,
            Column::WeightKg => &mut self.weight_kg,
            Column::PortOfLoading => &mut self.port_of_loading,
            Column::PortOfDischarge => &mut self.port_of_discharge,
            Column::TransportMode => &mut self.transport_mode,
        }
    }

    /// (column, text) for every entry, in canonical order.
    fn entries(&self) -> Vec<(Column, &str)> {
        let c = self;
        [
            (Column::ShipmentId, &c.shipment_id),
            (Column::Date, &c.date),
            (Column::Exporter, &c.exporter),
            (Column::ExporterCountry, &c.exporter_country),
            (Column::Importer, &c.importer),
            (Column::ImporterCountry, &c.importer_country),
            (Column::OriginCountry, &c.origin_country),
            (Column::HsCode, &c.hs_code),
            (Column::Description, &c.description),
            (Column::Quantity, &c.quantity),
            (Column::Unit, &c.unit),
            (Column::ValueUsd, &c.value_usd),
            (Column::WeightKg, &c.weight_kg),
            (Column::PortOfLoading, &c.port_of_loading),
            (Column::PortOfDischarge, &c.port_of_discharge),
            (Column::TransportMode, &c.transport_mode),
        ]
        .into_iter()
        .filter_map(|(col, h)| h.as_deref().map(|h| (col, h)))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn vendor_header_families_are_recognised() {
        let h = header(&[
            "Bill of Lading Number",
            "Arrival Date",
            "Shipper Name",
            "Shipper Country",
            "Consignee",
            "Consignee Country",
            "Country of Origin",
            "HS Code",
            "Product Description",
            "Quantity",
            "Unit",
            "Value (USD)",
            "Weight (KG)",
            "Port of Lading",
            "Port of Unlading",
            "Mode of Transport",
        ]);
        let m = ColumnMap::from_header(&h, None).unwrap();
        assert!(m.missing().is_empty(), "{:?}", m.missing());
        assert_eq!(m.get(Column::Exporter), Some(2));
        assert_eq!(m.get(Column::ExporterCountry), Some(3));
        assert_eq!(m.get(Column::PortOfDischarge), Some(14));
        assert_eq!(m.len(), 16);
    }

    #[test]
    fn the_better_alias_wins_when_two_headers_mean_one_column() {
        let h = header(&["Estimated Arrival Date", "Shipment Date", "Buyer"]);
        let m = ColumnMap::from_header(&h, None).unwrap();
        assert_eq!(m.get(Column::Date), Some(1));
        assert_eq!(m.missing().len(), 6);
    }

    #[test]
    fn a_mapping_file_overrides_and_reports_bad_keys_with_their_line() {
        let mapping = Mapping::parse(
            "[columns]\nexporter = \"Remitente\"\nimporter = \"Destinatario\"\n[options]\ndate_order = \"dmy\"\n",
        )
        .unwrap();
        let h = header(&["Remitente", "Destinatario", "Buyer"]);
        let m = ColumnMap::from_header(&h, Some(&mapping)).unwrap();
        assert_eq!(m.get(Column::Exporter), Some(0));
        assert_eq!(m.get(Column::Importer), Some(1));
        let err = Mapping::parse("[columns]\nexporter = \"A\"\nexportr = \"B\"\n").unwrap_err();
        assert!(err.contains("exportr") && err.contains("line 3"), "{err}");
        let err = ColumnMap::from_header(
            &h,
            Some(&Mapping::parse("[columns]\ndate = \"Fecha\"").unwrap()),
        )
        .unwrap_err();
        assert!(err.contains("Fecha"), "{err}");
    }
}
