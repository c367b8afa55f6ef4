//! Command-line face: parses arguments, calls the core, prints results. Errors are handled once,
//! here, and printed with their causes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{self, DateOrder, Mapping, ReadOptions};
use chiptrail::model::{Dataset, Format};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "chiptrail", version, about = "Trace export-controlled AI chips through trade data", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Read a trade file and report what loaded and every row that did not.
    Check {
        /// The file to read (shipments, UN Comtrade in any layout, WITS, CEPII BACI, a screening or
        /// entity list, or licences), also gzipped, zipped (every table in a zip is checked) or
        /// as an Excel workbook.
        file: PathBuf,
        /// Force a format instead of detecting it from the header.
        #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
        format: FormatArg,
        /// Write the rejected rows (original fields and the reason) to this CSV file.
        #[arg(long, value_name = "OUT.csv")]
        rejects: Option<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
        /// Print one JSON object instead of a report.
        #[arg(long)]
        json: bool,
    },
    /// Reconstruct routes, score them, and write them (flagged ones only unless --min-score).
    Score(ScoreArgs),
    /// Measure a routes CSV against labels: average precision over shipments, precision and
    /// recall of the flagged routes.
    Evaluate {
        /// A routes CSV written by `chiptrail score --min-score 0`.
        routes: PathBuf,
        /// Labels: `shipment_id,label` with label `diversion` or `legitimate` (as `sample` writes).
        #[arg(long, value_name = "LABELS.csv")]
        labels: PathBuf,
    },
    /// Open the map app on these files instead of the embedded sample, or on a case file
    /// (`.chiptrail`: its inputs, rules, filters, view and dispositions).
    Open {
        /// Trade files and screening lists, or one case file.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Make the evidence report of a case: report.html (one page per route, prints to PDF),
    /// routes.csv (one row per leg), routes.geojson and routes.kml, for the confirmed routes
    /// (or the flagged ones when none is confirmed).
    Report {
        /// The case file (`.chiptrail`).
        case: PathBuf,
        /// The folder to write the report into (created when missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The time the report states it was made (ISO 8601); default: now, in UTC.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// An input that moved: the path the case records, `=`, where the file is now.
        #[arg(long, value_name = "OLD=NEW")]
        locate: Vec<String>,
    },
    /// Write realistic synthetic shipment data with labelled diversion schemes.
    Sample {
        /// Approximate number of shipment rows.
        #[arg(long, default_value_t = 5000)]
        rows: usize,
        /// Random seed: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Which half of the generator's word lists to draw from: tune rules on `tuning`,
        /// measure them on `held-out` (the halves share no firm-name word, product phrasing or
        /// relabel wording); `full` draws from both.
        #[arg(long, value_enum, default_value_t = VocabularyArg::Full)]
        vocabulary: VocabularyArg,
        /// A world without licence data: no licensed exports, no licence abuses, no
        /// `licences.csv`.
        #[arg(long)]
        no_licences: bool,
        /// Folder to write `shipments.csv`, `labels.csv`, `screening_list.csv` and
        /// `licences.csv` into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum VocabularyArg {
    Tuning,
    HeldOut,
    Full,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Auto,
    Shipments,
    Comtrade,
    /// Legacy Comtrade download (35 or 12 columns).
    #[value(name = "comtrade_legacy", alias = "comtrade-legacy")]
    ComtradeLegacy,
    /// World Bank WITS export.
    Wits,
    Baci,
    Watchlist,
    /// OpenSanctions "simple" CSV.
    #[value(name = "opensanctions")]
    OpenSanctions,
    /// A plain entity list (Name, Alias, Country, Program ...).
    #[value(name = "entity_list", alias = "entity-list")]
    EntityList,
    Licences,
}

#[derive(Clone, Copy, ValueEnum)]
enum DateOrderArg {
    /// Month first: 03/15/2024.
    Mdy,
    /// Day first: 15/03/2024.
    Dmy,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Some(Command::Check { .. } | Command::Score(_))) {
        no_huge_pages();
    }
    let result = match cli.command {
        None => open_app(Vec::new()),
        Some(Command::Open { files }) => open_app(files),
        Some(Command::Check {
            file,
            format,
            rejects,
            read,
            json,
        }) => check(file, format, rejects, read, json),
        Some(Command::Sample {
            rows,
            seed,
            vocabulary,
            no_licences,
            out,
        }) => sample(rows, seed, vocabulary, !no_licences, out),
        Some(Command::Evaluate { routes, labels }) => evaluate(routes, labels),
        Some(Command::Score(args)) => score(args),
        Some(Command::Report {
            case,
            out,
            at,
            locate,
        }) => report(case, out, at, locate),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Turns transparent huge pages off for this process (Linux). A batch run writes most of its
/// memory once: a huge page the kernel must first find, compact memory for and zero 2 MiB of
/// made page faults a quarter of a 4M-row `score` and grew faster than the rows. The app keeps
/// them: it reads its routes again at every frame, where huge pages spare the address
/// translation (docs/performance.md, fourth session).
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours; failure
    // (an old kernel) leaves huge pages as they were, which is only slower.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn read_options(format: FormatArg, read: &ReadArgs) -> Result<ReadOptions> {
    let ReadArgs {
        mapping,
        date_order,
    } = read;
    let mapping = match mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read mapping file {}", path.display()))?;
            Some(
                Mapping::parse(&text)
                    .map_err(anyhow::Error::msg)
                    .with_context(|| format!("mapping file {}", path.display()))?,
            )
        }
        None => None,
    };
    Ok(ReadOptions {
        format: match format {
            FormatArg::Auto => None,
            FormatArg::Shipments => Some(Format::Shipments),
            FormatArg::Comtrade => Some(Format::Comtrade),
            FormatArg::ComtradeLegacy => Some(Format::ComtradeLegacy),
            FormatArg::Wits => Some(Format::Wits),
            FormatArg::Baci => Some(Format::Baci),
            FormatArg::Watchlist => Some(Format::Watchlist),
            FormatArg::OpenSanctions => Some(Format::OpenSanctions),
            FormatArg::EntityList => Some(Format::EntityList),
            FormatArg::Licences => Some(Format::Licences),
        },
        mapping,
        date_order: date_order.map(|d| match d {
            DateOrderArg::Mdy => DateOrder::Mdy,
            DateOrderArg::Dmy => DateOrder::Dmy,
        }),
        count_only: false,
        skip_hash: false,
    })
}

fn check(
    file: PathBuf,
    format: FormatArg,
    rejects: Option<PathBuf>,
    read: ReadArgs,
    json: bool,
) -> Result<ExitCode> {
    // The verdicts on every row, without keeping the rows.
    let options = ReadOptions {
        count_only: true,
        ..read_options(format, &read)?
    };
    let opened = match ingest::read_path_all(&file, &options, Gazetteer::embedded(), None) {
        Ok(o) => o,
        Err(e) => {
            if json {
                let message = e.to_string();
                let report = CheckReport {
                    format: None,
                    rows_total: 0,
                    rows_loaded: 0,
                    rows_rejected: 0,
                    errors: vec![CheckError {
                        line: 0,
                        column: "*",
                        message: &message,
                        file: None,
                    }],
                    notes: &[],
                    archive: None,
                    files: Vec::new(),
                };
                println!("{}", serde_json::to_string(&report).unwrap_or_default());
            }
            return Err(anyhow::Error::new(e).context(format!("cannot load {}", file.display())));
        }
    };
    let datasets = &opened.datasets;
    if let Some(path) = &rejects {
        match datasets.as_slice() {
            [d] => chiptrail::export::write_rejects(path, d),
            _ => write_member_rejects(path, datasets),
        }
        .with_context(|| format!("cannot write rejected rows to {}", path.display()))?;
    }
    let notes = check_notes(&opened);
    if json {
        println!("{}", check_json(&opened, &notes));
    } else {
        print_report(&opened, &notes, rejects.as_deref());
    }
    let code = if datasets.iter().all(|d| d.records.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: freeing a million rows one string at a time would only delay it.
    std::mem::forget(opened);
    Ok(code)
}

/// The `check --json` object, fields in the contract's order. A file that held tables inside
/// it (zip, gzip, workbook) adds `archive` and a `files` entry per table, and each error names
/// its `file`.
#[derive(serde::Serialize)]
struct CheckReport<'a> {
    format: Option<&'a str>,
    rows_total: usize,
    rows_loaded: usize,
    rows_rejected: usize,
    errors: Vec<CheckError<'a>>,
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    archive: Option<&'a chiptrail::model::ArchiveSource>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    files: Vec<CheckFile<'a>>,
}

#[derive(serde::Serialize)]
struct CheckError<'a> {
    line: u64,
    column: &'a str,
    message: &'a str,
    /// The member or sheet the line is in, for a table inside a container.
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
}

/// One table of a container.
#[derive(serde::Serialize)]
struct CheckFile<'a> {
    file: String,
    format: &'a str,
    sha256: &'a str,
    rows_total: usize,
    rows_loaded: usize,
    rows_rejected: usize,
}

/// The reader's notes (the file's, then each table's, named when there are several), and for
/// country-level tables what assembling their corridors (with the default HS headings) keeps
/// and leaves out.
fn check_notes(opened: &ingest::Opened) -> Vec<String> {
    let mut notes = opened.notes.clone();
    let several = opened.datasets.len() > 1;
    for d in &opened.datasets {
        for note in &d.provenance.notes {
            notes.push(if several {
                format!("{}: {note}", member(d))
            } else {
                note.clone()
            });
        }
    }
    let flows: Vec<(u32, &Dataset)> = opened
        .datasets
        .iter()
        .filter(|d| d.provenance.format.is_flows())
        .enumerate()
        .map(|(i, d)| (i as u32, d))
        .collect();
    if !flows.is_empty() {
        let rules = chiptrail::rules::Rules::default();
        let headings = chiptrail::analysis::corridor_headings(&rules);
        let corridors =
            chiptrail::routes::corridors::assemble(&flows, &headings, Gazetteer::embedded());
        notes.extend(corridors.notes);
    }
    notes
}

/// The name of a table, inside its container if it has one (`BACI.zip!BACI_HS92_Y2022.csv`).
fn member(d: &Dataset) -> String {
    d.provenance.path.display().to_string()
}

fn check_json(opened: &ingest::Opened, notes: &[String]) -> String {
    let datasets = &opened.datasets;
    let archive = datasets.iter().find_map(|d| d.provenance.archive.as_ref());
    let in_container = |d: &Dataset| d.provenance.archive.is_some().then(|| member(d));
    let mut formats: Vec<&str> = datasets
        .iter()
        .map(|d| d.provenance.format.name())
        .collect();
    formats.dedup();
    let report = CheckReport {
        format: Some(match formats.as_slice() {
            [one] => one,
            _ => "mixed",
        }),
        rows_total: datasets.iter().map(|d| d.rows_total).sum(),
        rows_loaded: datasets.iter().map(|d| d.records.len()).sum(),
        rows_rejected: datasets.iter().map(|d| d.rejects.len()).sum(),
        errors: datasets
            .iter()
            .flat_map(|d| {
                d.rejects.iter().map(move |r| CheckError {
                    line: r.line,
                    column: &r.column,
                    message: &r.message,
                    file: in_container(d),
                })
            })
            .collect(),
        notes,
        archive,
        files: if archive.is_some() {
            datasets
                .iter()
                .map(|d| CheckFile {
                    file: member(d),
                    format: d.provenance.format.name(),
                    sha256: &d.provenance.sha256,
                    rows_total: d.rows_total,
                    rows_loaded: d.records.len(),
                    rows_rejected: d.rejects.len(),
                })
                .collect()
        } else {
            Vec::new()
        },
    };
    serde_json::to_string(&report).unwrap_or_default()
}

/// Rejected rows of several tables in one file: `file,line,column,reason`, then the fields under
/// the first table's header (a BACI zip's tables share theirs).
fn write_member_rejects(path: &std::path::Path, datasets: &[Dataset]) -> std::io::Result<()> {
    chiptrail::export::write_atomic(path, |out| {
        let mut csv = chiptrail::export::SafeCsv::new(out);
        let mut header: Vec<String> = ["file", "line", "column", "reason"]
            .map(String::from)
            .to_vec();
        header.extend(datasets.first().into_iter().flat_map(|d| d.header.clone()));
        csv.row(&header)?;
        for d in datasets {
            for r in &d.rejects {
                let mut row = vec![member(d), r.line.to_string(), r.column.clone()];
                row.push(r.message.clone());
                row.extend(r.fields.iter().cloned());
                csv.row(&row)?;
            }
        }
        csv.flush()
    })
}

fn print_report(opened: &ingest::Opened, notes: &[String], rejects_path: Option<&std::path::Path>) {
    let archive = opened
        .datasets
        .iter()
        .find_map(|d| d.provenance.archive.as_ref());
    if let Some(a) = archive {
        println!("archive:  {}", a.path.display());
        println!("sha256:   {}", a.sha256);
        println!("tables:   {}", opened.datasets.len());
    }
    match opened.datasets.as_slice() {
        [d] => print_table(d, notes),
        several => {
            for d in several {
                print_table(d, &[]);
            }
            for note in notes {
                println!("note:     {note}");
            }
        }
    }
    if let Some(path) = rejects_path {
        println!("rejected rows written to {}", path.display());
    }
}

fn print_table(d: &Dataset, notes: &[String]) {
    let p = &d.provenance;
    println!("file:     {}", p.path.display());
    println!("sha256:   {}", p.sha256);
    let delimiter = if p.delimiter == '\t' {
        "tab".to_string()
    } else {
        format!("'{}'", p.delimiter)
    };
    println!(
        "format:   {} ({}, delimiter {delimiter}{})",
        p.format,
        p.encoding,
        if p.decimal_comma {
            ", decimal commas"
        } else {
            ""
        }
    );
    println!(
        "rows:     {} total, {} loaded, {} rejected",
        d.rows_total,
        d.records.len(),
        d.rejects.len()
    );
    if !p.columns.is_empty() {
        let cols: Vec<String> = p
            .columns
            .iter()
            .map(|(c, h)| {
                if c == h {
                    c.clone()
                } else {
                    format!("{c} <- '{h}'")
                }
            })
            .collect();
        println!("columns:  {}", cols.join(", "));
    }
    for note in notes {
        println!("note:     {note}");
    }
    if !d.rejects.is_empty() {
        println!("rejected rows:");
        for r in &d.rejects {
            println!("  line {}, column {}: {}", r.line, r.column, r.message);
        }
    }
}

fn sample(
    rows: usize,
    seed: u64,
    vocabulary: VocabularyArg,
    licensed_world: bool,
    out: PathBuf,
) -> Result<ExitCode> {
    use chiptrail::sample::{SampleConfig, Vocabulary};
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let vocabulary = match vocabulary {
        VocabularyArg::Tuning => Vocabulary::Tuning,
        VocabularyArg::HeldOut => Vocabulary::HeldOut,
        VocabularyArg::Full => Vocabulary::Full,
    };
    let sample = chiptrail::sample::generate(&SampleConfig {
        rows,
        seed,
        vocabulary,
        licensed_world,
    });
    sample
        .write(&out)
        .with_context(|| format!("cannot write the sample into {}", out.display()))?;
    println!(
        "wrote {} shipments ({} in labelled diversion schemes), {} screening-list entries and {} licences ({} vocabulary) to {}",
        sample.shipments.len(),
        sample.labels.iter().filter(|l| l.diversion).count(),
        sample.screening.len(),
        sample.licences.len(),
        vocabulary,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
struct ScoreArgs {
    /// Trade files: shipments, Comtrade or BACI (a screening list given here counts as --watchlist).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// A rules file overriding the embedded defaults (see data/rules.toml).
    #[arg(long, value_name = "RULES")]
    rules: Option<PathBuf>,
    /// A Consolidated Screening List CSV to match parties against.
    #[arg(long, value_name = "CSL.csv")]
    watchlist: Vec<PathBuf>,
    /// Licence records (data-formats §7): shipments they cover are not flagged; overruns,
    /// expired licences, unlicensed consignees and re-exports of licensed stock are.
    #[arg(long, value_name = "LICENCES.csv")]
    licences: Vec<PathBuf>,
    /// Write every route scoring at least this (0 writes every route); default: flagged only.
    #[arg(long, value_name = "S")]
    min_score: Option<f64>,
    /// The routes CSV to write.
    #[arg(long, value_name = "ROUTES.csv")]
    out: PathBuf,
    /// Also write the routes as GeoJSON (great-circle lines, split at the antimeridian).
    #[arg(long, value_name = "F")]
    geojson: Option<PathBuf>,
    /// Also write the routes as KML.
    #[arg(long, value_name = "F")]
    kml: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
}

/// How to read files whose header or dates the reader cannot settle alone.
#[derive(clap::Args)]
struct ReadArgs {
    /// A TOML mapping file: `[columns]` canonical column = header in the file; `[values]`
    /// canonical column = the value every row has (`importer_country = "KR"`).
    #[arg(long, value_name = "MAP")]
    mapping: Option<PathBuf>,
    /// Day/month order for dates like 03/04/2024 when the data cannot decide.
    #[arg(long, value_enum)]
    date_order: Option<DateOrderArg>,
}

fn score(args: ScoreArgs) -> Result<ExitCode> {
    use chiptrail::analysis::{Analysis, Keep};
    use chiptrail::rules::Rules;
    let rules = match &args.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read rules file {}", path.display()))?;
            Rules::from_toml(&text).with_context(|| format!("rules file {}", path.display()))?
        }
        None => Rules::default(),
    };
    let g = Gazetteer::embedded();
    // `score` writes no hash of its inputs (`check` reports them).
    let options = ReadOptions {
        skip_hash: true,
        ..read_options(FormatArg::Auto, &args.read)?
    };
    // A big batch run trades a few percent of its time for memory.
    let input_bytes: u64 = args
        .files
        .iter()
        .chain(&args.watchlist)
        .chain(&args.licences)
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    if input_bytes >= chiptrail::memory::BIG_INPUT_BYTES {
        chiptrail::memory::give_back_at_once();
    }
    let mut datasets = Vec::new();
    let stage = chiptrail::timing::Stage::start("reading");
    let inputs: Vec<(&PathBuf, ReadOptions)> = args
        .files
        .iter()
        .map(|p| (p, None))
        .chain(args.watchlist.iter().map(|p| (p, None)))
        .chain(args.licences.iter().map(|p| (p, Some(Format::Licences))))
        .map(|(path, forced)| {
            let options = match forced {
                Some(format) => ReadOptions {
                    format: Some(format),
                    ..options.clone()
                },
                None => options.clone(),
            };
            (path, options)
        })
        .collect();
    // The first file (the shipments, as a rule the big one) on this thread, the others beside it
    // on another: reading a big file leaves part of a core idle, and a screening list or a
    // licence file fills it. Reported in the order given, as if read one after another.
    let read =
        |(path, options): &(&PathBuf, ReadOptions)| ingest::read_path_all(path, options, g, None);
    let results = std::thread::scope(|scope| {
        let (first, rest) = inputs
            .split_first()
            .map_or((None, &[][..]), |(f, r)| (Some(f), r));
        let others = scope.spawn(|| rest.iter().map(read).collect::<Vec<_>>());
        let mut results: Vec<_> = first.iter().map(|f| read(f)).collect();
        match others.join() {
            Ok(others) => results.extend(others),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        results
    });
    for ((path, _), opened) in inputs.iter().zip(results) {
        let opened = opened.with_context(|| format!("cannot load {}", path.display()))?;
        for note in &opened.notes {
            eprintln!("note: {}: {note}", path.display());
        }
        for d in opened.datasets {
            if !d.rejects.is_empty() {
                eprintln!(
                    "{}: {} of {} rows rejected (run `chiptrail check` for the list)",
                    d.provenance.path.display(),
                    d.rejects.len(),
                    d.rows_total
                );
            }
            datasets.push(d);
        }
    }
    stage.end();
    // The legs hold what scoring reads of a row, and the ledger the words evidence quotes: the
    // rows go as their legs are made (at ten million rows, rows and legs held together took
    // 2.4 GB).
    let ledger = Analysis::ledger_taking_rows(&mut datasets, &rules);
    let refs: Vec<&Dataset> = datasets.iter().collect();
    // Only what is written is kept: rows below it are scored and counted.
    let keep = match args.min_score {
        Some(min) => Keep::AtLeast(min),
        None => Keep::Flagged,
    };
    // The CSV alone: rows are scored without words and explained as they are written, a chunk
    // at a time (the words of every flagged row of ten million would weigh a gigabyte). The maps
    // take every row at once: their rows are explained when scored.
    let maps = args.geojson.is_some() || args.kml.is_some();
    let explain = if maps { keep } else { Keep::Nothing };
    let analysis = Analysis::run_all_on(ledger, &refs, &rules, g, keep, explain);
    let stage = chiptrail::timing::Stage::start("writing");
    for note in &analysis.notes {
        eprintln!("note: {note}");
    }
    // Rows kept unmade are made as they are written; the others are at hand.
    chiptrail::export::write_routes_csv_triaged(
        &args.out,
        &analysis.rows_to_write(&refs, g),
        g,
        None,
    )
    .with_context(|| format!("cannot write {}", args.out.display()))?;
    let chosen: Vec<_> = analysis.routes.iter().collect();
    if let Some(path) = &args.geojson {
        chiptrail::export::geojson::write(path, &chosen, g)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.kml {
        chiptrail::export::kml::write(path, &chosen, g)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    stage.end();
    eprintln!(
        "{} routes, {} flagged at {}; wrote {} to {}",
        analysis.scored_rows,
        analysis.flagged_rows,
        rules.scoring.flag_threshold,
        analysis.kept_rows(),
        args.out.display()
    );
    // The process ends here: freeing a million rows' worth of small allocations one by one takes
    // seconds, and the system takes the memory back at once.
    drop(chosen);
    std::mem::forget(analysis);
    std::mem::forget(datasets);
    Ok(ExitCode::SUCCESS)
}

fn evaluate(routes: PathBuf, labels: PathBuf) -> Result<ExitCode> {
    use chiptrail::evaluation;
    let read = |p: &PathBuf| {
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let labels = evaluation::read_labels(&read(&labels)?).map_err(anyhow::Error::msg)?;
    let routes = evaluation::read_routes(&read(&routes)?).map_err(anyhow::Error::msg)?;
    let m = evaluation::evaluate(&routes, &labels);
    println!(
        "shipments:          {} ({} diversion)",
        m.shipments, m.diversion_shipments
    );
    println!("routes:             {} ({} flagged)", m.routes, m.flagged);
    println!("average precision:  {:.4}", m.average_precision);
    println!("route precision:    {:.4}", m.route_precision);
    println!("route recall:       {:.4}", m.route_recall);
    println!("shipment precision: {:.4}", m.shipment_precision);
    println!("shipment recall:    {:.4}", m.shipment_recall);
    Ok(ExitCode::SUCCESS)
}

fn report(
    case_path: PathBuf,
    out: PathBuf,
    at: Option<String>,
    locate: Vec<String>,
) -> Result<ExitCode> {
    use chiptrail::case::{CaseFile, Locate, open_case};
    use chiptrail::export::report::{Chosen, Report, write_report};
    let case = CaseFile::load(&case_path)?;
    let mut where_to = Locate::beside(&case_path);
    for pair in &locate {
        let Some((old, new)) = pair.split_once('=') else {
            anyhow::bail!(
                "--locate takes OLD=NEW (the path the case records, then where the file is now), found {pair}"
            );
        };
        where_to = where_to.moved(old, new);
    }
    let opened = match open_case(&case, &where_to) {
        Ok(o) => o,
        Err(problems) => {
            for p in &problems.problems {
                eprintln!("error: {p}");
            }
            eprintln!(
                "cannot open the case {}: give moved inputs with --locate OLD=NEW",
                case_path.display()
            );
            return Ok(ExitCode::from(2));
        }
    };
    for w in &opened.warnings {
        eprintln!("warning: {w}");
    }
    let made_at = at.unwrap_or_else(now_utc);
    let datasets: Vec<&Dataset> = opened.datasets.iter().collect();
    let title = case_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| case_path.display().to_string());
    let written = write_report(
        &out,
        &Report {
            analysis: &opened.analysis,
            datasets: &datasets,
            triage: &opened.triage,
            inputs: &opened.inputs,
            made_at: &made_at,
            title: &title,
            map_png: None,
        },
    )
    .with_context(|| format!("cannot write the report into {}", out.display()))?;
    let which = match written.chosen {
        Chosen::Confirmed => "confirmed",
        Chosen::Flagged => "flagged (none confirmed)",
    };
    let names: Vec<String> = written
        .files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    eprintln!(
        "{} {which} route{} in the report; wrote {} to {} (the map view image is made by the app)",
        written.routes.len(),
        if written.routes.len() == 1 { "" } else { "s" },
        names.join(", "),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The time now in UTC, ISO 8601 to the second: the command line is the edge where the clock
/// is read (the core takes times as parameters).
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let day = chiptrail::model::Date(secs.div_euclid(86_400) as i32);
    let s = secs.rem_euclid(86_400);
    format!("{day}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

/// Tells a case file from data files, and checks a case loads before a window opens, so that
/// what is wrong with it is printed here.
fn open_request(files: Vec<PathBuf>) -> Result<chiptrail::case::OpenRequest> {
    use chiptrail::case::{CaseFile, OpenRequest};
    let request = OpenRequest::classify(files).map_err(anyhow::Error::msg)?;
    if let OpenRequest::Case(path) = &request {
        CaseFile::load(path)?;
    }
    Ok(request)
}

/// No subcommand: open the map app (or print help in a build without the GUI). A case file is
/// handed to the app as the one path it is given; the app tells it from data files with
/// [`chiptrail::case::OpenRequest::classify`] and opens it with [`chiptrail::case::open_case`].
#[cfg(feature = "gui")]
fn open_app(files: Vec<PathBuf>) -> Result<ExitCode> {
    let files = match open_request(files)? {
        chiptrail::case::OpenRequest::Sample => Vec::new(),
        chiptrail::case::OpenRequest::Files(files) => files,
        chiptrail::case::OpenRequest::Case(path) => vec![path],
    };
    chiptrail::gui::run(files).map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "gui"))]
fn open_app(files: Vec<PathBuf>) -> Result<ExitCode> {
    use clap::CommandFactory;
    if let chiptrail::case::OpenRequest::Case(path) = open_request(files)? {
        println!(
            "{} is a case file; this build has no map app: make its report with `chiptrail report {} --out DIR`",
            path.display(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let _ = Cli::command().print_help();
    println!("\nThis build has no map app (built without the `gui` feature); use the subcommands.");
    Ok(ExitCode::SUCCESS)
}
